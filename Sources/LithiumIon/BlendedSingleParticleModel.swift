// CellSim — LithiumIon/BlendedSingleParticleModel.swift
//
// The SPM with blended electrodes: an electrode may hold P ≥ 1 particle populations (e.g. two particle
// sizes, or silicon and graphite), each with its own volume fraction ε_i, radius R_i, OCP U_i,
// diffusivity D_i, maximum concentration and exchange-current density j0_i. As in PyBaMM's SPM with
// "particle phases", the populations share the electrode potential (the electrolyte is uniform), so
// their interfacial current densities j_i [A m⁻²] are unknowns set by
//
//     Σ_i a_i·j_i = J,   J = I/(A·L_n) (negative), −I/(A·L_p) (positive),   a_i = 3·ε_i/R_i
//     U_i(c_i,surf) + η_i(j_i) = U_1(c_1,surf) + η_1(j_1)   for i = 2…P     (η_i as in the SPM)
//
// j_1 is eliminated with the first line, so an electrode with P populations adds P − 1 algebraic
// states (j_2…j_P), one equal-potential constraint each. They are stored as w_i = K + j_i/j_ref
// (j_ref = the larger electrode's mean 1C current density per unit active area, K = `currentOffset`
// = 100). The integrator's finite-difference Jacobians step by √ε·max(|w|, atol) and its
// consistent initialisation stops when the step is below 1e-6 of atol + rtol·|w|; with the offset
// |w| ≈ K for any |j| well below 100C, so the step is ≈ √ε·K·j_ref whatever j is. (With an offset
// of 1, as first written, w = 0 exactly where j = −j_ref — the positive electrode of a 1C
// discharge — and the step fell to √ε·atol = 1.5e-14: the Jacobian column was rounding noise, and
// Newton stalled or diverged.) Each particle diffuses as in the SPM with
// surface flux j_i/F. V = Φ_p − Φ_n − I·R_contact with Φ = U_1 + η_1 of each electrode.
//
// State: the particles of the negative populations, then those of the positive ones (each N_i cells,
// centre to surface, differential), then the algebraic j_i (i ≥ 2) of the negative, then the positive
// electrode. The Jacobian is dense (small: the particles of a few populations).
//
// Kinetics, OCP (with PyBaMM's barrier) and diffusion are the SPM's own: the model holds an SPM of the
// same cell and calls its helpers. Isothermal only.
//
// Initial state: the cell's eSOH (`ElectrodeBalance`, from the electrode sections, whose active
// material must be the populations' total) gives the electrode stoichiometry at the requested SOC;
// every population starts at rest at that electrode's equilibrium potential, U_i(s_i) = U(s).
//
// Built by `LoadedCell.makeModel` for model `spm` when a cell file's electrode has `populations`
// (docs/parameter-schema.md) or a BPX file has a blended electrode (docs/bpx.md). Tested in
// Tests/BPXTests/BlendedElectrodeTests.

import CellCore
import Foundation

/// SPM whose electrodes may each hold several particle populations sharing the electrode potential.
public struct BlendedSingleParticleModel: CellModel {
  /// One population's particle, where its cells sit in the state, and its figures.
  struct Population: Sendable {
    var electrode: LithiumIonParameters.Electrode
    var particle: SphericalParticle
    var start: Int
    var cells: Int { particle.cellCount }
    var surfaceArea: Double  // a_i [m⁻¹]
    var maxConcentration: Double
    var constantDiffusivity: Double?
    var ocp: OpenCircuitPotential
  }

  public let parameters: LithiumIonParameters
  let base: SingleParticleModel
  /// Populations of the negative and positive electrodes.
  let negativePopulations: [Population]
  let positivePopulations: [Population]
  /// Index of the first algebraic j of each electrode.
  let negativeCurrentStart: Int
  let positiveCurrentStart: Int
  let particleStates: Int
  let currentScale: Double
  /// K in w_i = K + j_i/j_ref (see the header).
  static let currentOffset = 100.0

  public var name: String { "SPM" }
  public var stateCount: Int { particleStates + negativePopulations.count - 1 + positivePopulations.count - 1 }
  public var isDifferential: [Bool] {
    Array(repeating: true, count: particleStates) + Array(repeating: false, count: stateCount - particleStates)
  }
  public var jacobianBandwidth: (lower: Int, upper: Int)? { nil }
  public var nominalCapacity: Double { parameters.cell.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { parameters.cell.lowerCutoff...parameters.cell.upperCutoff }
  public var defaultAmbientTemperature: Double { parameters.cell.ambientTemperature }
  public var absoluteTolerances: [Double] {
    var atol: [Double] = []
    for p in negativePopulations + positivePopulations {
      atol += Array(repeating: 1e-6 * p.maxConcentration, count: p.cells)
    }
    return atol + Array(repeating: 1e-6, count: stateCount - particleStates)
  }

  /// - Parameters:
  ///   - parameters: the cell; its electrode sections give the thickness, the eSOH and (when an
  ///     electrode has no populations given) the single population.
  ///   - negativePopulations, positivePopulations: the populations of each electrode (`nil` or empty:
  ///     the electrode section itself). Each population's `activeMaterialVolumeFraction`,
  ///     `particleRadius`, `maxConcentration`, `diffusivity`, `ocp`, `entropicChange` and
  ///     `exchangeCurrentDensity` are used; its thickness is the electrode's.
  ///   - cellsPerParticle: as for `SingleParticleModel` (per population).
  public init(
    parameters: LithiumIonParameters, negativePopulations: [LithiumIonParameters.Electrode]? = nil,
    positivePopulations: [LithiumIonParameters.Electrode]? = nil, cellsPerParticle: Int = 40, grading: Double = 0.9
  ) throws(CellModelError) {
    self.parameters = parameters
    base = try SingleParticleModel(parameters: parameters, cellsPerParticle: cellsPerParticle, grading: grading, particleModes: nil)
    var next = 0
    func build(_ list: [LithiumIonParameters.Electrode]?, _ electrode: LithiumIonParameters.Electrode, positive: Bool)
      throws(CellModelError) -> [Population]
    {
      let given = (list?.isEmpty ?? true) ? [electrode] : list!
      // Cells per particle from the electrode's mean current density (a_total), so that splitting an
      // electrode into identical populations keeps its mesh.
      let totalArea = given.map(\.surfaceAreaPerVolume).reduce(0, +)
      var out: [Population] = []
      for var e in given {
        e.thickness = electrode.thickness
        guard e.activeMaterialVolumeFraction > 0, e.particleRadius > 0, e.maxConcentration > 0 else {
          throw CellModelError("a particle population needs a positive volume fraction, radius and maximum concentration")
        }
        var sizing = e
        sizing.activeMaterialVolumeFraction = totalArea * e.particleRadius / 3
        let cells = SingleParticleModel.cellCount(
          sizing, base: cellsPerParticle, current: parameters.cell.nominalCapacity, area: parameters.cell.area,
          temperature: parameters.cell.referenceTemperature)
        let particle = SphericalParticle(radius: e.particleRadius, cellCount: cells, grading: grading)
        out.append(
          Population(
            electrode: e, particle: particle, start: next, surfaceArea: e.surfaceAreaPerVolume,
            maxConcentration: e.maxConcentration, constantDiffusivity: e.diffusivity.constantValue,
            ocp: OpenCircuitPotential(
              reference: e.ocp, entropicChange: e.entropicChange, referenceTemperature: parameters.cell.referenceTemperature)))
        next += cells
      }
      return out
    }
    let negative = try build(negativePopulations, parameters.negative, positive: false)
    let positive = try build(positivePopulations, parameters.positive, positive: true)
    self.negativePopulations = negative
    self.positivePopulations = positive
    particleStates = next
    negativeCurrentStart = next
    positiveCurrentStart = next + negative.count - 1
    let a = parameters.cell.area
    let capacity = parameters.cell.nominalCapacity
    var aN = 0.0
    for p in negative { aN += p.surfaceArea }
    var aP = 0.0
    for p in positive { aP += p.surfaceArea }
    let jN: Double = capacity / (a * parameters.negative.thickness * aN)
    let jP: Double = capacity / (a * parameters.positive.thickness * aP)
    currentScale = max(jN, jP)
  }

  // MARK: - Initial state

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    let (x, y) = try base.balance.stoichiometries(for: condition)
    let t = ambientTemperature
    var state = [Double](repeating: 0, count: stateCount)
    func fill(_ pops: [Population], _ s: Double, _ electrode: OpenCircuitPotential) {
      let target = electrode(s, t)
      for p in pops {
        let si = abs(p.ocp(s, t) - target) < 1e-12 ? s : Self.stoichiometry(of: p.ocp, potential: target, temperature: t)
        for k in 0..<p.cells { state[p.start + k] = si * p.maxConcentration }
      }
    }
    fill(negativePopulations, x, parameters.negativeOpenCircuitPotential)
    fill(positivePopulations, y, parameters.positiveOpenCircuitPotential)
    // At rest every population carries no current: w_i = K.
    for k in particleStates..<stateCount { state[k] = Self.currentOffset }
    return state
  }

  /// The stoichiometry in (0, 1) where a monotone OCP equals `potential` (bisection).
  static func stoichiometry(of ocp: OpenCircuitPotential, potential: Double, temperature: Double) -> Double {
    var lo = 1e-9
    var hi = 1 - 1e-9
    let decreasing = ocp(lo, temperature) > ocp(hi, temperature)
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      if (ocp(mid, temperature) > potential) == decreasing { lo = mid } else { hi = mid }
    }
    return 0.5 * (lo + hi)
  }

  // MARK: - Equations

  @inline(__always) func cells(_ y: UnsafeBufferPointer<Double>, _ p: Population) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[p.start..<(p.start + p.cells)])
  }

  /// The current densities j_i [A m⁻²] of an electrode's populations (j_1 from the sum).
  @inline(__always)
  func currentDensities(
    _ y: UnsafeBufferPointer<Double>, _ pops: [Population], start: Int, total: Double, into j: UnsafeMutableBufferPointer<Double>
  ) {
    var rest = total
    for i in 1..<pops.count {
      j[i] = (y[start + i - 1] - Self.currentOffset) * currentScale
      rest -= pops[i].surfaceArea * j[i]
    }
    j[0] = rest / pops[0].surfaceArea
  }

  /// Surface stoichiometry of population p at current density j.
  @inline(__always)
  func surface(_ y: UnsafeBufferPointer<Double>, _ p: Population, _ j: Double, _ temperature: Double) -> Double {
    let c = cells(y, p)
    let d = p.constantDiffusivity ?? base.diffusivity(p.electrode.diffusivity, c[p.particle.surfaceSlot] / p.maxConcentration, temperature)
    return p.particle.surfaceConcentration(c, surfaceGradient: -j / (PhysicalConstants.faraday * d)) / p.maxConcentration
  }

  /// Φ_i = U_i(surface) + η_i(j_i) [V].
  @inline(__always)
  func potential(_ y: UnsafeBufferPointer<Double>, _ p: Population, _ j: Double, _ temperature: Double) -> Double {
    let s = surface(y, p, j, temperature)
    return p.ocp(s, temperature) + base.overpotential(j, base.exchangeCurrent(p.electrode, s, temperature), temperature)
  }

  /// J of each electrode: Σ a_i j_i [A m⁻³].
  @inline(__always) func totals(_ current: Double) -> (Double, Double) {
    let a = parameters.cell.area
    return (current / (a * parameters.negative.thickness), -current / (a * parameters.positive.thickness))
  }

  /// Writes dc/dt [mol m⁻³ s⁻¹] of every cell of `pops`, each particle with surface flux j_i/F.
  @inline(__always)
  func diffuse(
    _ y: UnsafeBufferPointer<Double>, _ pops: [Population], _ j: UnsafeBufferPointer<Double>, _ temperature: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    for (i, p) in pops.enumerated() {
      base.diffuse(
        cells(y, p), .finiteVolumes(p.particle), p.constantDiffusivity, p.electrode.diffusivity, p.maxConcentration,
        flux: j[i] / PhysicalConstants.faraday, temperature,
        UnsafeMutableBufferPointer(rebasing: out[p.start..<(p.start + p.cells)]))
    }
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = point.ambientTemperature
    let (jn, jp) = totals(point.current)
    for (pops, start, total) in [(negativePopulations, negativeCurrentStart, jn), (positivePopulations, positiveCurrentStart, jp)] {
      withUnsafeTemporaryAllocation(of: Double.self, capacity: pops.count) { j in
        currentDensities(y, pops, start: start, total: total, into: j)
        diffuse(y, pops, UnsafeBufferPointer(j), temperature, into: out)
        if pops.count > 1 {
          let phi1 = potential(y, pops[0], j[0], temperature)
          for i in 1..<pops.count { out[start + i - 1] = potential(y, pops[i], j[i], temperature) - phi1 }
        }
      }
    }
  }

  /// Electrode potentials Φ_n, Φ_p (those of each electrode's first population) and the surface
  /// stoichiometries of the first populations.
  func electrodePotentials(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> (
    n: Double, p: Double, xs: Double, ys: Double
  ) {
    let (jn, jp) = totals(current)
    var result = (0.0, 0.0, 0.0, 0.0)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: negativePopulations.count) { j in
      currentDensities(y, negativePopulations, start: negativeCurrentStart, total: jn, into: j)
      result.0 = potential(y, negativePopulations[0], j[0], temperature)
      result.2 = surface(y, negativePopulations[0], j[0], temperature)
    }
    withUnsafeTemporaryAllocation(of: Double.self, capacity: positivePopulations.count) { j in
      currentDensities(y, positivePopulations, start: positiveCurrentStart, total: jp, into: j)
      result.1 = potential(y, positivePopulations[0], j[0], temperature)
      result.3 = surface(y, positivePopulations[0], j[0], temperature)
    }
    return result
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    let phi = electrodePotentials(y, current: point.current, temperature: point.ambientTemperature)
    return phi.p - phi.n - point.current * parameters.cell.contactResistance
  }

  /// Average stoichiometry of an electrode: lithium over capacity, Σ ε_i c̄_i / Σ ε_i c_max,i.
  func averageStoichiometry(_ y: UnsafeBufferPointer<Double>, _ pops: [Population]) -> Double {
    var lithium = 0.0
    var capacity = 0.0
    for p in pops {
      lithium += p.electrode.activeMaterialVolumeFraction * p.particle.averageConcentration(cells(y, p))
      capacity += p.electrode.activeMaterialVolumeFraction * p.maxConcentration
    }
    return lithium / capacity
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    let x = averageStoichiometry(y, negativePopulations)
    return (x - base.balance.x0) / (base.balance.x100 - base.balance.x0)
  }

  /// Lithium in the particles [mol].
  public func lithiumInventory(_ y: UnsafeBufferPointer<Double>) -> Double {
    var total = 0.0
    for (pops, thickness) in [(negativePopulations, parameters.negative.thickness), (positivePopulations, parameters.positive.thickness)] {
      for p in pops {
        total += p.electrode.activeMaterialVolumeFraction * thickness * parameters.cell.area
          * p.particle.averageConcentration(cells(y, p))
      }
    }
    return total
  }

  // MARK: - Outputs

  /// The SPM's particle columns (surface values of each electrode's first population, averages over
  /// all populations), then the current density of every population [A m⁻²].
  public var outputColumns: [String] {
    SingleParticleModel.particleColumns + negativePopulations.indices.map { "j_n\($0 + 1)_A_m2" }
      + positivePopulations.indices.map { "j_p\($0 + 1)_A_m2" }
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let t = point.ambientTemperature
    let phi = electrodePotentials(y, current: point.current, temperature: t)
    let xAvg = averageStoichiometry(y, negativePopulations)
    let yAvg = averageStoichiometry(y, positivePopulations)
    let ocvSurf = parameters.positiveOCP(phi.ys, t) - parameters.negativeOCP(phi.xs, t)
    out[0] = phi.xs
    out[1] = phi.ys
    out[2] = xAvg
    out[3] = yAvg
    out[4] = ocvSurf
    out[5] = parameters.positiveOCP(yAvg, t) - parameters.negativeOCP(xAvg, t)
    out[6] = phi.p - phi.n - ocvSurf
    var k = SingleParticleModel.particleColumns.count
    let (jn, jp) = totals(point.current)
    for (pops, start, total) in [(negativePopulations, negativeCurrentStart, jn), (positivePopulations, positiveCurrentStart, jp)] {
      withUnsafeTemporaryAllocation(of: Double.self, capacity: pops.count) { j in
        currentDensities(y, pops, start: start, total: total, into: j)
        for i in 0..<pops.count {
          out[k] = j[i]
          k += 1
        }
      }
    }
  }
}
