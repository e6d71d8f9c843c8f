// CellSim — LithiumIon/BlendedSingleParticleModelWithElectrolyte.swift
//
// The SPMe with blended electrodes, as PyBaMM builds its SPMe with "particle phases" and otherwise
// default options. With several phases PyBaMM switches the SPMe's "surface form" from "false" (the
// explicit, inverse-kinetics form of `SingleParticleModelWithElectrolyte`) to "algebraic": the
// x-averaged surface potential difference Δφ̄_k = ⟨φ_s − φ_e⟩_k [V] of each electrode is an unknown,
// the composite (leading + first order) potentials of the SPMe give its profile along x, and the
// reaction of each population follows that profile. In full, for electrode k with populations
// i = 1…P (a_i = 3ε_i/R_i [m⁻¹]), i = I/A [A m⁻²], ξ the distance from the electrode's current
// collector [m] and L its thickness:
//
//     Δφ_k(ξ) = Δφ̄_k + δ_k(ξ)
//     δ_n(ξ) =  i·g_n(ξ)/σ_n,eff + i·h_n(ξ)/κ_n − χ·(RT/F)·(ln c_e(ξ) − ⟨ln c_e⟩_n)
//     δ_p(ξ) = −i·g_p(ξ)/σ_p,eff − i·h_p(ξ)/κ_p − χ·(RT/F)·(ln c_e(ξ) − ⟨ln c_e⟩_p)
//     g(ξ) = ξ²/(2L) − ξ + L/3,   h(ξ) = ξ²/(2L) − L/6      [m], both of zero mean over 0 < ξ < L
//
// (g is φ_s − ⟨φ_s⟩ of the solid's parabola (i/σ_eff)·(ξ² − 2Lξ)/(2L), h comes from the electrolyte's
// parabola; κ_k = ε_k^b·κ_e(c̄_e, T), σ_k,eff = (1 − ε_k)^b_s·σ_k and χ as in the SPMe.) Kinetics in each
// electrolyte cell c of the electrode (symmetric Butler–Volmer, j0 at the local c_e):
//
//     j_i,c = 2·j0_i(c_s,i, c_e,c, T)·sinh(F·(Δφ̄_k + δ_k(ξ_c) − U_i(c_s,i))/(2RT))     [A m⁻²]
//
// The particles see the x-average ⟨j_i⟩ (surface flux ⟨j_i⟩/F; c_s,i is the surface concentration
// extrapolated with that flux). Unknowns per electrode, P in all: ⟨j_i⟩ for i ≥ 2 (stored as the
// blended SPM's w_i = K + ⟨j_i⟩/j_ref, with ⟨j_1⟩ from Σ a_i⟨j_i⟩ = J as there) and Δφ̄_k [V]; equations
// mean_c j_i,c = ⟨j_i⟩ for every population (residual divided by j_ref).
//
// Electrolyte: `ElectrolyteTransport` (uniform source (1 − t₊)·J/F) plus, per electrode cell, the
// deviation of the reaction from its mean, Σ_i a_i·(j_i,c − mean_c j_i,c)/F [mol m⁻³ s⁻¹]. Where the
// algebraic equations hold this is PyBaMM's source Σ a_i j_i(x)/F − t₊·∂i_e/∂x/F (its composite i_e is
// linear in x); written this way the deviation sums to zero over the electrode's (uniform) cells, so
// the electrolyte's lithium is conserved to round-off at every Newton iterate, as in the SPMe.
//
// Voltage (PyBaMM's V = φ_s(L) − φ_s(0) of the composite solution; no population is singled out, all
// share Δφ̄_k, and η_i = Δφ̄_k − U_i(c_s,i) is each one's x-averaged reaction overpotential):
//
//     V = Δφ̄_p − Δφ̄_n + χ·(RT/F)·(⟨ln c_e⟩_p − ⟨ln c_e⟩_n)
//       − i·(L_n/(3κ_n) + L_s/κ_s + L_p/(3κ_p)) − i·(L_n/(3σ_n,eff) + L_p/(3σ_p,eff)) − I·R_contact
//
// the SPMe's electrolyte and solid terms. With one population per electrode this is PyBaMM's SPMe with
// "surface form": "algebraic", which differs from the default SPMe (uniform j along x): 0.63 mV at 1C
// on the BPX NMC pouch cell in PyBaMM, mostly through the electrolyte concentration term. So
// identical populations reproduce this model's own single-population curve, not
// `SingleParticleModelWithElectrolyte`'s.
//
// State: the blended SPM's (particles, then the w_i of each electrode), Δφ̄_n, Δφ̄_p, then c_e
// (M_n + M_s + M_p cells in spatial order). Dense Jacobian. Isothermal only.
//
// Reuse: `BlendedSingleParticleModel` for the populations (currents, particles, surface concentrations,
// initial state, SOC, lithium), `SingleParticleModelWithElectrolyte` of the same cell for the
// electrolyte (transport, χ, resistances, j0's c_e exponent, depletion threshold).
//
// Built by `LoadedCell.makeModel` for model `spme` when a cell has blended electrodes. Tested in
// Tests/BPXTests/BlendedSPMeTests.

import CellCore
import Foundation

/// SPMe whose electrodes may each hold several particle populations sharing the electrode potential.
public struct BlendedSingleParticleModelWithElectrolyte: CellModel {
  public let particles: BlendedSingleParticleModel
  /// The SPMe of the same cell: electrolyte transport, χ, ohmic resistances, depletion threshold.
  let spme: SingleParticleModelWithElectrolyte
  public var electrolyte: ElectrolyteTransport { spme.electrolyte }
  public var parameters: LithiumIonParameters { particles.parameters }

  /// Δφ̄_n at `potentialStart`, Δφ̄_p at `potentialStart + 1`; c_e from `electrolyteStart`.
  let potentialStart: Int
  let electrolyteStart: Int
  let m: Int
  /// Per electrolyte cell: ±g(ξ)/σ_eff [Ω m²] and ±h(ξ)/ε^b [m] (signs of δ_n, δ_p; 0 in the separator).
  let solidProfile: [Double]
  let electrolyteProfile: [Double]
  /// α_i with j0_i(c_e) = j0_i(c_e0)·(c_e/c_e0)^α_i (`SingleParticleModelWithElectrolyte.electrolyteExponent`).
  let negativeExponents: [Double?]
  let positiveExponents: [Double?]
  let area: Double

  public var name: String { "SPMe" }
  public var stateCount: Int { electrolyteStart + m }
  public var isDifferential: [Bool] {
    particles.isDifferential + [false, false] + Array(repeating: true, count: m)
  }
  public var jacobianBandwidth: (lower: Int, upper: Int)? { nil }
  public var nominalCapacity: Double { particles.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { particles.voltageLimits }
  public var defaultAmbientTemperature: Double { particles.defaultAmbientTemperature }
  public var absoluteTolerances: [Double] {
    particles.absoluteTolerances + [1e-6, 1e-6]
      + Array(repeating: 1e-6 * parameters.electrolyte.initialConcentration, count: m)
  }

  /// - Parameters: as `BlendedSingleParticleModel` (populations, particle mesh) and
  ///   `SingleParticleModelWithElectrolyte` (electrolyte mesh).
  /// - Throws: `CellModelError` as those two do.
  public init(
    parameters: LithiumIonParameters, negativePopulations: [LithiumIonParameters.Electrode]? = nil,
    positivePopulations: [LithiumIonParameters.Electrode]? = nil, cellsPerParticle: Int = 40, grading: Double = 0.9,
    electrolyteCells: (negative: Int, separator: Int, positive: Int) = (32, 4, 32)
  ) throws(CellModelError) {
    particles = try BlendedSingleParticleModel(
      parameters: parameters, negativePopulations: negativePopulations, positivePopulations: positivePopulations,
      cellsPerParticle: cellsPerParticle, grading: grading)
    // Only its electrolyte side is used: the smallest particle mesh.
    spme = try SingleParticleModelWithElectrolyte(
      parameters: parameters, cellsPerParticle: 3, grading: grading, electrolyteCells: electrolyteCells,
      electrolyteModes: nil)
    potentialStart = particles.stateCount
    electrolyteStart = potentialStart + 2
    let transport = spme.electrolyte
    m = transport.cellCount
    area = parameters.cell.area
    let p = parameters
    let sigmaN = p.negative.conductivity * pow(1 - p.negative.porosity, p.negative.bruggemanElectrode)
    let sigmaP = p.positive.conductivity * pow(1 - p.positive.porosity, p.positive.bruggemanElectrode)
    var solid = [Double](repeating: 0, count: m)
    var liquid = [Double](repeating: 0, count: m)
    let total = transport.negativeThickness + transport.separatorThickness + transport.positiveThickness
    for (range, length, sigma, sign) in [
      (transport.negativeRange, transport.negativeThickness, sigmaN, 1.0),
      (transport.positiveRange, transport.positiveThickness, sigmaP, -1.0),
    ] {
      for c in range {
        let xi = sign > 0 ? transport.centres[c] : total - transport.centres[c]
        let g = xi * xi / (2 * length) - xi + length / 3
        let h = xi * xi / (2 * length) - length / 6
        solid[c] = sign * g / sigma
        liquid[c] = sign * h / transport.transportEfficiencies[c]
      }
    }
    solidProfile = solid
    electrolyteProfile = liquid
    let ce0 = p.electrolyte.initialConcentration
    negativeExponents = particles.negativePopulations.map {
      SingleParticleModelWithElectrolyte.electrolyteExponent(of: $0.electrode, referenceConcentration: ce0)
    }
    positiveExponents = particles.positivePopulations.map {
      SingleParticleModelWithElectrolyte.electrolyteExponent(of: $0.electrode, referenceConcentration: ce0)
    }
  }

  // MARK: - Initial state

  /// The blended SPM's state (populations at rest at the electrode's equilibrium potential), each Δφ̄
  /// at that potential, c_e = c_e0.
  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    var y = try particles.initialState(condition, ambientTemperature: ambientTemperature)
    for p in [particles.negativePopulations[0], particles.positivePopulations[0]] {
      y.append(p.ocp(y[p.start] / p.maxConcentration, ambientTemperature))
    }
    return y + Array(repeating: parameters.electrolyte.initialConcentration, count: m)
  }

  // MARK: - Equations

  @inline(__always) func electrolyteState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[electrolyteStart..<(electrolyteStart + m)])
  }

  /// RT/F [V].
  @inline(__always) func thermalVoltage(_ temperature: Double) -> Double {
    PhysicalConstants.gas * temperature / PhysicalConstants.faraday
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = point.ambientTemperature
    let ce = electrolyteState(y)
    let density = point.current / area
    electrolyte.rates(
      ce, currentDensity: density, temperature: temperature,
      into: UnsafeMutableBufferPointer(rebasing: out[electrolyteStart..<(electrolyteStart + m)]))
    let kappa = electrolyte.conductivity(electrolyte.meanConcentration(ce), temperature)
    let (jn, jp) = particles.totals(point.current)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { logs in
      for c in 0..<m { logs[c] = log(electrolyte.floored(ce[c])) }
      react(
        y, ce, UnsafeBufferPointer(logs), particles.negativePopulations, negativeExponents,
        currentStart: particles.negativeCurrentStart, potentialSlot: potentialStart, cells: electrolyte.negativeRange,
        total: jn, density: density, kappa: kappa, temperature: temperature, into: out)
      react(
        y, ce, UnsafeBufferPointer(logs), particles.positivePopulations, positiveExponents,
        currentStart: particles.positiveCurrentStart, potentialSlot: potentialStart + 1,
        cells: electrolyte.positiveRange, total: jp, density: density, kappa: kappa, temperature: temperature,
        into: out)
    }
  }

  /// One electrode: the particles' rates, the P kinetics residuals (population 1's in the Δφ̄ slot,
  /// population i's in its w_i slot) and the reaction's deviation source added to the c_e rates.
  @inline(__always)
  func react(
    _ y: UnsafeBufferPointer<Double>, _ ce: UnsafeBufferPointer<Double>, _ logs: UnsafeBufferPointer<Double>,
    _ pops: [BlendedSingleParticleModel.Population], _ exponents: [Double?], currentStart: Int, potentialSlot: Int,
    cells: Range<Int>, total: Double, density: Double, kappa: Double, temperature: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let count = pops.count
    let thermal = thermalVoltage(temperature)
    let ce0 = parameters.electrolyte.initialConcentration
    let chiThermal = spme.chi * thermal
    let potential = y[potentialSlot]
    var meanLog = 0.0
    for c in cells { meanLog += logs[c] }
    meanLog /= Double(cells.count)
    // Per population: ⟨j_i⟩, surface stoichiometry, U_i, j0_i at c_e0 (when α_i is known) and Σ_c j_i,c.
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * count) { buffer in
      func slice(_ k: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: buffer[(k * count)..<((k + 1) * count)])
      }
      let (j, surface, ocp, exchange, sum) = (slice(0), slice(1), slice(2), slice(3), slice(4))
      particles.currentDensities(y, pops, start: currentStart, total: total, into: j)
      particles.diffuse(y, pops, UnsafeBufferPointer(j), temperature, into: out)
      for (i, p) in pops.enumerated() {
        let s = min(max(particles.surface(y, p, j[i], temperature), 0), 1)
        surface[i] = s
        ocp[i] = p.ocp(s, temperature)
        exchange[i] =
          exponents[i] == nil
          ? 0 : p.electrode.exchangeCurrentDensity(s, s * p.maxConcentration, ce0, temperature, p.maxConcentration)
        sum[i] = 0
      }
      // Σ_i a_i·j_i,c of every cell [A m⁻³], then its deviation from the x-mean as the c_e source.
      withUnsafeTemporaryAllocation(of: Double.self, capacity: cells.count) { volumetric in
        for (k, c) in cells.enumerated() {
          let delta = density * (solidProfile[c] + electrolyteProfile[c] / kappa) - chiThermal * (logs[c] - meanLog)
          let local = max(ce[c], 0)
          var source = 0.0
          for (i, p) in pops.enumerated() {
            let j0: Double
            switch exponents[i] {
            case 0.5?: j0 = exchange[i] * (local / ce0).squareRoot()
            case let alpha?: j0 = exchange[i] * pow(local / ce0, alpha)
            case nil:
              j0 = p.electrode.exchangeCurrentDensity(
                surface[i], surface[i] * p.maxConcentration, local, temperature, p.maxConcentration)
            }
            let reaction = 2 * j0 * sinh((potential + delta - ocp[i]) / (2 * thermal))
            sum[i] += reaction
            source += p.surfaceArea * reaction
          }
          volumetric[k] = source
        }
        var meanSource = 0.0
        for i in 0..<count {
          let mean = sum[i] / Double(cells.count)
          meanSource += pops[i].surfaceArea * mean
          out[i == 0 ? potentialSlot : currentStart + i - 1] = (mean - j[i]) / particles.currentScale
        }
        let faraday = PhysicalConstants.faraday
        for (k, c) in cells.enumerated() {
          out[electrolyteStart + c] += (volumetric[k] - meanSource) / (faraday * electrolyte.porosities[c])
        }
      }
    }
  }

  /// The voltage's parts [V]: Δφ̄_p − Δφ̄_n, the electrolyte concentration term, the electrolyte and
  /// solid ohmic terms (all but −I·R_contact).
  func voltageParts(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> (
    potentials: Double, concentration: Double, electrolyteOhmic: Double, solidOhmic: Double
  ) {
    let ce = electrolyteState(y)
    let logs = electrolyte.logarithmAverages(ce)
    let i = current / area
    let kappa = electrolyte.conductivity(electrolyte.meanConcentration(ce), temperature)
    return (
      y[potentialStart + 1] - y[potentialStart], spme.chi * thermalVoltage(temperature) * (logs.positive - logs.negative),
      -i * spme.electrolyteResistanceLength / kappa, -i * spme.solidResistance
    )
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    let parts = voltageParts(y, current: point.current, temperature: point.ambientTemperature)
    return parts.potentials + parts.concentration + parts.electrolyteOhmic + parts.solidOhmic
      - point.current * parameters.cell.contactResistance
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double { particles.stateOfCharge(y) }

  // MARK: - Outputs

  /// The SPM's particle columns (surface values of each electrode's first population, averages over all
  /// populations; eta_reaction_V = Δφ̄_p − Δφ̄_n − ocv_surf_V), the SPMe's electrolyte columns, then
  /// ⟨j_i⟩ of every population [A m⁻²].
  public var outputColumns: [String] {
    SingleParticleModel.particleColumns + SingleParticleModelWithElectrolyte.electrolyteColumns
      + Array(particles.outputColumns.dropFirst(SingleParticleModel.particleColumns.count))
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let t = point.ambientTemperature
    let parts = voltageParts(y, current: point.current, temperature: t)
    // The blended SPM's columns: its surfaces, averages and ⟨j_i⟩ (its own potentials are not used).
    let spmColumns = particles.outputColumns.count
    withUnsafeTemporaryAllocation(of: Double.self, capacity: spmColumns) { spm in
      particles.outputs(y, point, into: spm)
      let ocvSurface = parameters.positiveOCP(spm[1], t) - parameters.negativeOCP(spm[0], t)
      for k in 0..<6 { out[k] = spm[k] }
      out[4] = ocvSurface
      out[6] = parts.potentials - ocvSurface
      let ce = electrolyteState(y)
      out[7] = parts.concentration
      out[8] = parts.electrolyteOhmic
      out[9] = parts.solidOhmic
      out[10] = electrolyte.negativeCollectorValue(ce)
      out[11] = electrolyte.separatorMiddleValue(ce)
      out[12] = electrolyte.positiveCollectorValue(ce)
      let first = SingleParticleModel.particleColumns.count
      for k in first..<spmColumns { out[k + 6] = spm[k] }
    }
  }

  // MARK: - Events

  public var eventNames: [String] { spme.eventNames }

  /// Positive while the electrolyte concentration stays above the SPMe's depletion threshold.
  public func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    out[0] = (electrolyte.minimum(electrolyteState(y)) - spme.depletionThreshold) / parameters.electrolyte.initialConcentration
  }

  // MARK: - Conservation

  /// Lithium in the particles of every population [mol].
  public func particleLithium(_ y: UnsafeBufferPointer<Double>) -> Double { particles.lithiumInventory(y) }

  /// Lithium in the electrolyte [mol]: A·Σ ε_i h_i c_e,i.
  public func electrolyteLithium(_ y: UnsafeBufferPointer<Double>) -> Double {
    area * electrolyte.amount(electrolyteState(y))
  }
}
