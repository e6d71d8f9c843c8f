// CellSim — LithiumIon/SingleParticleModel.swift
//
// The single particle model (SPM) of a lithium-ion cell, with PyBaMM's default options: one
// representative particle per electrode, the electrolyte at its initial concentration c_e0.
//
// Particles (k ∈ {n, p}), spherical Fickian diffusion (see `ParticleDiffusion`: eigenmodes when D does
// not depend on the concentration and the cell is isothermal, else finite volumes):
//
//     ∂c_k/∂t = (1/r²) ∂/∂r (r² D_k(x, T) ∂c_k/∂r),   −D_k ∂c_k/∂r |_R = j_k / F
//
// Interfacial current densities [A m⁻²] from the cell current I [A] (> 0 on discharge):
//
//     j_n = I / (A·a_n·L_n),   j_p = −I / (A·a_p·L_p),   a_k = 3·ε_s,k / R_k
//
// Symmetric Butler–Volmer kinetics, j = 2·j0·sinh(F·η / (2RT)), so
//
//     η_k = (2RT/F) · asinh(j_k / (2·j0_k(x_k,surf, c_e0, T)))
//
// Terminal voltage [V]:
//
//     V = U_p(y_surf, T) − U_n(x_surf, T) + η_p − η_n − I·R_contact
//
// State: the negative particle's states then the positive one's, all differential. With finite
// volumes: c_n (N cells, centre to surface) then c_p (N cells, surface to centre) [mol m⁻³] — the two
// surfaces sit next to each other, where the current couples in, so the Jacobian of the cell is
// banded. With eigenmodes: (c̄_n, v_n,1…v_n,M, c̄_p, v_p,1…v_p,M) [mol m⁻³], a dense (small) Jacobian, and
// at constant current the states obey dy/dt = −decay·y + gain·I exactly (`linearDynamics`). With the lumped thermal model (`thermal: .lumped`, see
// `LumpedThermal`) the cell temperature T sits between the two surfaces, at index N:
// c_n (N), T, c_p (N); it is then used instead of the ambient temperature everywhere. Lithium in the particles,
// ε_s,n·L_n·A·c̄_n + ε_s,p·L_p·A·c̄_p, is conserved by construction (the fluxes cancel: A·a_n·L_n·j_n
// = −A·a_p·L_p·j_p = I).

import CellCore
import Foundation

/// PyBaMM-equivalent SPM for a lithium-ion cell.
public struct SingleParticleModel: CellModel {
  public let parameters: LithiumIonParameters
  public let balance: ElectrodeBalance
  public let negativeParticle: ParticleDiffusion
  public let positiveParticle: ParticleDiffusion

  // Plain numbers for the hot loop.
  /// States of the negative particle (the temperature state, if any, follows them).
  let n: Int
  /// States of the positive particle.
  let nPositive: Int
  let area: Double
  let negativeFluxPerCurrent: Double  // j_n / I / F  [mol m⁻² s⁻¹ A⁻¹]
  let positiveFluxPerCurrent: Double  // j_p / I / F
  let negativeMaxConcentration: Double
  let positiveMaxConcentration: Double
  let negativeDiffusivity: Double?  // constant D, if the file gives a constant
  let positiveDiffusivity: Double?
  let electrolyteConcentration: Double
  let contactResistance: Double
  /// The electrodes' OCPs and j0, held here so the voltage reads them without going through the
  /// parameter structs (which the optimiser copied on every call).
  let negativeOCP: OpenCircuitPotential
  let positiveOCP: OpenCircuitPotential
  let negativeExchange: ScalarFunction
  let positiveExchange: ScalarFunction
  /// j0_n(x) and j0_p(y) along c_s = x·c_max at c_e0 and `exchangeTableTemperature` (the cell's
  /// ambient temperature), tabulated once (`ScalarFunction.table(along:)`: within 1e-11 of j0, the
  /// expression itself where a piece fails, e.g. next to x = 0 and 1 for √(c_s(c_max − c_s)));
  /// `.empty` for a thermal cell.
  let negativeExchangeTable: ChebyshevTable
  let positiveExchangeTable: ChebyshevTable
  let exchangeTableTemperature: Double
  /// The lumped thermal model, or `nil` for an isothermal cell.
  public let thermal: LumpedThermal?
  /// Where c_p starts in the state: N, or N + 1 behind the temperature.
  let positiveStart: Int

  public var name: String { "SPM" }
  public var stateCount: Int { positiveStart + nPositive }
  public var isDifferential: [Bool] { Array(repeating: true, count: stateCount) }
  /// Tridiagonal particles; the temperature (index N) couples to the two cells on either side of it.
  /// Diagonal with eigenmodes: each state's rate depends on itself and the current only (the voltage
  /// depends on every mode, but the engine then keeps the current last, as a dense border row and
  /// column of the Newton matrix). With eigenmodes and a temperature state: dense.
  public var jacobianBandwidth: (lower: Int, upper: Int)? {
    negativeParticle.isModal ? (thermal == nil ? (0, 0) : nil) : (thermal == nil ? (1, 1) : (2, 2))
  }
  public var currentCoupling: Range<Int>? { negativeParticle.isModal ? nil : (n - 2)..<(positiveStart + 2) }
  public var nominalCapacity: Double { parameters.cell.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { parameters.cell.lowerCutoff...parameters.cell.upperCutoff }
  public var defaultAmbientTemperature: Double { parameters.cell.ambientTemperature }
  public var absoluteTolerances: [Double] {
    Array(repeating: 1e-6 * negativeMaxConcentration, count: n) + (thermal == nil ? [] : [Self.temperatureTolerance])
      + Array(repeating: 1e-6 * positiveMaxConcentration, count: nPositive)
  }
  /// Absolute tolerance of the temperature state [K].
  static let temperatureTolerance = 1e-4

  /// - Parameters:
  ///   - cellsPerParticle: finite volumes in a particle of ordinary steepness; see `cellCount`. The
  ///     default 40 (graded 0.9 towards the surface) keeps Chen2020 within 0.3 mV of the converged
  ///     solution after the first minute and 2.6 mV in the first seconds at 2C.
  ///   - grading: mesh grading w of `SphericalParticle`.
  ///   - particleModes: eigenmodes per particle when both diffusivities are independent of the
  ///     concentration and the cell is isothermal (`ModalParticle`); `nil` always uses finite volumes.
  ///     (plus 9 bins of faster modes, see `ModalParticle`). The default 16 keeps Chen2020 within
  ///     0.04 mV of the converged solution from 10 s after a change of current on, at 2C.
  ///   - thermal: `.isothermal` (default) or `.lumped` (one cell temperature, see `LumpedThermal`).
  /// - Throws: `CellModelError` if the electrodes cannot reach the cell's OCV limits (eSOH), or for
  ///   `.lumped` if the cell file has no thermal data.
  public init(
    parameters: LithiumIonParameters, cellsPerParticle: Int = 40, grading: Double = 0.9,
    particleModes: Int? = Self.defaultModeCount, thermal: ThermalOption = .isothermal
  ) throws(CellModelError) {
    // Everything that can throw comes first, before any stored property is set.
    let balance = try parameters.electrodeBalance()
    let lumped = thermal == .lumped ? try LumpedThermal(parameters: parameters) : nil
    self.parameters = parameters
    self.balance = balance
    let neg = parameters.negative
    let pos = parameters.positive
    area = parameters.cell.area
    let modes = particleModes ?? 0
    let modal = modes > 0 && thermal == .isothermal && !neg.diffusivity.depends(on: "x")
      && !pos.diffusivity.depends(on: "x")
    let capacity = parameters.cell.nominalCapacity
    let reference = parameters.cell.referenceTemperature
    let area = parameters.cell.area
    let negativeCells = Self.cellCount(neg, base: cellsPerParticle, current: capacity, area: area, temperature: reference)
    let positiveCells = Self.cellCount(pos, base: cellsPerParticle, current: capacity, area: area, temperature: reference)
    let negativeDiffusion: ParticleDiffusion = modal
      ? .modes(ModalParticle(radius: neg.particleRadius, modeCount: modes))
      : .finiteVolumes(SphericalParticle(radius: neg.particleRadius, cellCount: negativeCells, grading: grading))
    let positiveDiffusion: ParticleDiffusion = modal
      ? .modes(ModalParticle(radius: pos.particleRadius, modeCount: modes))
      : .finiteVolumes(
        SphericalParticle(
          radius: pos.particleRadius, cellCount: positiveCells, grading: grading, ordering: .surfaceToCentre))
    negativeParticle = negativeDiffusion
    positiveParticle = positiveDiffusion
    n = negativeDiffusion.stateCount
    nPositive = positiveDiffusion.stateCount
    let faraday = PhysicalConstants.faraday
    negativeFluxPerCurrent = 1 / (area * neg.surfaceAreaPerVolume * neg.thickness * faraday)
    positiveFluxPerCurrent = -1 / (area * pos.surfaceAreaPerVolume * pos.thickness * faraday)
    negativeMaxConcentration = neg.maxConcentration
    positiveMaxConcentration = pos.maxConcentration
    negativeDiffusivity = neg.diffusivity.constantValue
    positiveDiffusivity = pos.diffusivity.constantValue
    electrolyteConcentration = parameters.electrolyte.initialConcentration
    contactResistance = parameters.cell.contactResistance
    negativeOCP = parameters.negativeOpenCircuitPotential
    positiveOCP = parameters.positiveOpenCircuitPotential
    negativeExchange = neg.exchangeCurrentDensity
    positiveExchange = pos.exchangeCurrentDensity
    let tableTemperature = parameters.cell.ambientTemperature
    let ce0 = parameters.electrolyte.initialConcentration
    func exchangeTable(_ e: LithiumIonParameters.Electrode) -> ChebyshevTable {
      guard thermal == .isothermal else { return .empty }
      let cMax = e.maxConcentration
      return e.exchangeCurrentDensity.table(along: [0, 0, ce0, tableTemperature, cMax], [1, cMax], over: 0...1) ?? .empty
    }
    negativeExchangeTable = exchangeTable(neg)
    positiveExchangeTable = exchangeTable(pos)
    exchangeTableTemperature = tableTemperature
    self.thermal = lumped
    positiveStart = thermal == .lumped ? n + 1 : n
  }

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    let (x, y) = try balance.stoichiometries(for: condition)
    return negativeParticle.uniformState(x * negativeMaxConcentration) + (thermal == nil ? [] : [ambientTemperature])
      + positiveParticle.uniformState(y * positiveMaxConcentration)
  }

  /// Eigenmodes per particle by default (see `init`).
  public static let defaultModeCount = 16

  /// Cells for one particle, from how steep its profile gets at 1C. The dimensionless drop of
  /// concentration across a particle at current density j,
  ///
  ///     G = j·R / (F·D·c_max),   j = I_1C / (A·a·L)
  ///
  /// sets the discretisation error (∝ G/N²). Particles with G ≤ 0.4 (Chen2020's NMC811, G = 0.361, is the
  /// steepest shipped particle that 40 cells resolve to 0.3 mV) get `base` cells; steeper ones get
  /// base·G/0.36, at most 4·base (Prada2013's graphite, G = 0.61: 68 cells, 0.8 mV at 2C after the first
  /// minute).
  static func cellCount(
    _ electrode: LithiumIonParameters.Electrode, base: Int, current: Double, area: Double, temperature: Double
  ) -> Int {
    let b = max(base, 3)
    let j = current / (area * electrode.surfaceAreaPerVolume * electrode.thickness)
    let d = electrode.diffusivity(0.5, temperature)
    let g = j * electrode.particleRadius / (PhysicalConstants.faraday * d * electrode.maxConcentration)
    guard g.isFinite, g > 0.4 else { return b }
    return min(4 * b, Int((Double(b) * g / 0.36).rounded(.up)))
  }

  // MARK: - Equations

  @inline(__always) func negative(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[0..<n])
  }
  @inline(__always) func positive(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[positiveStart..<(positiveStart + nPositive)])
  }

  /// Cell temperature [K]: the state's with the lumped thermal model, else the ambient one.
  @inline(__always)
  public func temperature(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    thermal == nil ? point.ambientTemperature : y[n]
  }

  /// D(x, T) [m² s⁻¹] at the stoichiometry clipped to [1e-10, 1 − 1e-10].
  @inline(__always) func diffusivity(_ f: ScalarFunction, _ x: Double, _ temperature: Double) -> Double {
    f(min(max(x, 1e-10), 1 - 1e-10), temperature)
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = self.temperature(y, point)
    particleRates(y, current: point.current, temperature: temperature, into: out)
    if let thermal {
      let parts = voltageParts(y, current: point.current, temperature: temperature)
      let voltage = parts.ocv + parts.reaction - point.current * contactResistance
      let heat = LumpedThermal.heat(
        current: point.current, surfaceOCV: parts.ocv, voltage: voltage, temperature: temperature,
        entropicCoefficient: entropicCoefficient(parts.xs, parts.ys, temperature))
      out[n] = thermal.rate(heat: heat, temperature: temperature, ambient: point.ambientTemperature)
    }
  }

  /// Writes dc/dt of both particles (not the temperature row) at current I and temperature T.
  func particleRates(
    _ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double, into out: UnsafeMutableBufferPointer<Double>
  ) {
    diffuse(
      negative(y), negativeParticle, negativeDiffusivity, parameters.negative.diffusivity, negativeMaxConcentration,
      flux: current * negativeFluxPerCurrent, temperature, UnsafeMutableBufferPointer(rebasing: out[0..<n]))
    diffuse(
      positive(y), positiveParticle, positiveDiffusivity, parameters.positive.diffusivity, positiveMaxConcentration,
      flux: current * positiveFluxPerCurrent, temperature,
      UnsafeMutableBufferPointer(rebasing: out[positiveStart..<(positiveStart + nPositive)]))
  }

  /// ∂U_surf/∂T = ∂U_p/∂T(y_s, T) − ∂U_n/∂T(x_s, T) [V K⁻¹] (stoichiometries clipped as in the OCP).
  @inline(__always) func entropicCoefficient(_ xs: Double, _ ys: Double, _ temperature: Double) -> Double {
    let clip = OpenCircuitPotential.clipLimit
    return parameters.positive.entropicChange(min(max(ys, clip), 1 - clip), temperature)
      - parameters.negative.entropicChange(min(max(xs, clip), 1 - clip), temperature)
  }

  func diffuse(
    _ c: UnsafeBufferPointer<Double>, _ diffusion: ParticleDiffusion, _ constant: Double?, _ function: ScalarFunction,
    _ cMax: Double, flux: Double, _ temperature: Double, _ out: UnsafeMutableBufferPointer<Double>
  ) {
    guard constant == nil, case .finiteVolumes(let particle) = diffusion else {
      // Constant D, or eigenmodes (D independent of c: evaluate it anywhere).
      let d = constant ?? diffusivity(function, c[0] / cMax, temperature)
      diffusion.rates(c, diffusivity: d, surfaceFlux: flux, into: out)
      return
    }
    let cells = particle.cellCount
    withUnsafeTemporaryAllocation(of: Double.self, capacity: cells) { d in
      for i in 0..<cells { d[i] = diffusivity(function, c[i] / cMax, temperature) }
      particle.rates(c, cellDiffusivities: UnsafeBufferPointer(d), surfaceFlux: flux, into: out)
    }
  }

  /// (D_n, D_p) [m² s⁻¹] at temperature T where D does not depend on the stoichiometry (eigenmode
  /// particles; for finite volumes with D(x), the value at x = 0.5, a representative one).
  @inline(__always) func uniformDiffusivities(_ temperature: Double) -> (Double, Double) {
    (
      negativeDiffusivity ?? diffusivity(parameters.negative.diffusivity, 0.5, temperature),
      positiveDiffusivity ?? diffusivity(parameters.positive.diffusivity, 0.5, temperature)
    )
  }

  /// Surface stoichiometries (x_surf, y_surf) at current I and temperature T.
  @inline(__always)
  func surfaceStoichiometries(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> (
    Double, Double
  ) {
    let cn = negative(y)
    let cp = positive(y)
    let dn =
      negativeDiffusivity ?? diffusivity(parameters.negative.diffusivity, cn[negativeParticle.surfaceSlot] / negativeMaxConcentration, temperature)
    let dp =
      positiveDiffusivity ?? diffusivity(parameters.positive.diffusivity, cp[positiveParticle.surfaceSlot] / positiveMaxConcentration, temperature)
    let xs = negativeParticle.surfaceConcentration(cn, surfaceGradient: -current * negativeFluxPerCurrent / dn)
    let ys = positiveParticle.surfaceConcentration(cp, surfaceGradient: -current * positiveFluxPerCurrent / dp)
    return (xs / negativeMaxConcentration, ys / positiveMaxConcentration)
  }

  /// Reaction overpotential η = (2RT/F)·asinh(j/(2·j0)) [V] for interfacial current density j [A m⁻²].
  @inline(__always)
  func overpotential(_ j: Double, _ exchange: Double, _ temperature: Double) -> Double {
    2 * PhysicalConstants.gas * temperature / PhysicalConstants.faraday * asinh(j / (2 * exchange))
  }

  /// j0 [A m⁻²] with the concentrations clamped to [0, c_max] (PyBaMM clamps c_s the same way).
  @inline(__always)
  func exchangeCurrent(_ electrode: LithiumIonParameters.Electrode, _ x: Double, _ temperature: Double) -> Double {
    exchangeCurrent(electrode.exchangeCurrentDensity, .empty, electrode.maxConcentration, x, temperature)
  }

  /// j0(x, c_s, c_e0, T, c_max) [A m⁻²] of a cell file's function, c_s clamped to [0, c_max].
  @inline(__always)
  func exchangeCurrent(
    _ j0: ScalarFunction, _ table: ChebyshevTable, _ cMax: Double, _ x: Double, _ temperature: Double
  ) -> Double {
    let xc = min(max(x, 0), 1)
    if temperature == exchangeTableTemperature, let value = table.value(at: xc) { return value }
    return j0(xc, xc * cMax, electrolyteConcentration, temperature, cMax)
  }

  /// The voltage and its parts at a state: OCV at the surface, reaction overpotential.
  func voltageParts(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> (
    ocv: Double, reaction: Double, xs: Double, ys: Double
  ) {
    let (xs, ys) = surfaceStoichiometries(y, current: current, temperature: temperature)
    return voltageParts(xs: xs, ys: ys, current: current, temperature: temperature)
  }

  /// The voltage's parts at surface stoichiometries (x_surf, y_surf).
  @inline(__always)
  func voltageParts(xs: Double, ys: Double, current: Double, temperature: Double) -> (
    ocv: Double, reaction: Double, xs: Double, ys: Double
  ) {
    let faraday = PhysicalConstants.faraday
    let jn = current * negativeFluxPerCurrent * faraday
    let jp = current * positiveFluxPerCurrent * faraday
    let etaN = overpotential(jn, exchangeCurrent(negativeExchange, negativeExchangeTable, negativeMaxConcentration, xs, temperature), temperature)
    let etaP = overpotential(jp, exchangeCurrent(positiveExchange, positiveExchangeTable, positiveMaxConcentration, ys, temperature), temperature)
    let ocv = positiveOCP(ys, temperature) - negativeOCP(xs, temperature)
    return (ocv, etaP - etaN, xs, ys)
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    let parts = voltageParts(y, current: point.current, temperature: self.temperature(y, point))
    return parts.ocv + parts.reaction - point.current * contactResistance
  }

  /// With eigenmodes (isothermal): V depends on the state only through x_surf and y_surf, and
  /// ∂c_surf/∂c_i = 1 for every state of a particle (`ModalParticle.surfaceConcentration`), so
  /// ∂V/∂c_n,i = (∂V/∂x_surf)/c_n,max and ∂V/∂c_p,i = (∂V/∂y_surf)/c_p,max: three forward
  /// differences (x_surf, y_surf, I) instead of one per state. `nil` with finite volumes.
  public func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? {
    guard thermal == nil, negativeParticle.isModal, positiveParticle.isModal else { return nil }
    let current = point.current
    let temperature = point.ambientTemperature
    let (xs, ys) = surfaceStoichiometries(y, current: current, temperature: temperature)
    func voltage(_ xs: Double, _ ys: Double) -> Double {
      let parts = voltageParts(xs: xs, ys: ys, current: current, temperature: temperature)
      return parts.ocv + parts.reaction
    }
    let v0 = voltage(xs, ys)
    let root = 1.4901161193847656e-8
    let hx = (xs + root * max(abs(xs), 1e-3)) - xs
    let hy = (ys + root * max(abs(ys), 1e-3)) - ys
    let dx = (voltage(xs + hx, ys) - v0) / hx / negativeMaxConcentration
    let dy = (voltage(xs, ys + hy) - v0) / hy / positiveMaxConcentration
    for i in 0..<n { gradient[i] = dx }
    for i in positiveStart..<(positiveStart + nPositive) { gradient[i] = dy }
    let hI = (current + root * max(abs(current), 1e-3)) - current
    let shifted = OperatingPoint(current: current + hI, ambientTemperature: point.ambientTemperature)
    return (terminalVoltage(y, shifted) - (v0 - current * contactResistance)) / hI
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    let x = negativeParticle.averageConcentration(negative(y)) / negativeMaxConcentration
    return (x - balance.x0) / (balance.x100 - balance.x0)
  }

  // MARK: - Outputs

  /// The particle columns every lithium-ion model writes first.
  public static let particleColumns = [
    "sto_n_surf", "sto_p_surf", "sto_n_avg", "sto_p_avg", "ocv_surf_V", "ocv_bulk_V", "eta_reaction_V",
  ]
  /// Columns the lumped thermal model adds at the end: heat generated and heat removed by cooling [W].
  public static let thermalColumns = ["heat_generation_W", "cooling_W"]

  public var outputColumns: [String] {
    Self.particleColumns + (thermal == nil ? [] : Self.thermalColumns)
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = self.temperature(y, point)
    let parts = voltageParts(y, current: point.current, temperature: temperature)
    let xAvg = negativeParticle.averageConcentration(negative(y)) / negativeMaxConcentration
    let yAvg = positiveParticle.averageConcentration(positive(y)) / positiveMaxConcentration
    out[0] = parts.xs
    out[1] = parts.ys
    out[2] = xAvg
    out[3] = yAvg
    out[4] = parts.ocv
    out[5] = parameters.positiveOCP(yAvg, temperature) - parameters.negativeOCP(xAvg, temperature)
    out[6] = parts.reaction
    if let thermal {
      let voltage = parts.ocv + parts.reaction - point.current * contactResistance
      out[7] = LumpedThermal.heat(
        current: point.current, surfaceOCV: parts.ocv, voltage: voltage, temperature: temperature,
        entropicCoefficient: entropicCoefficient(parts.xs, parts.ys, temperature))
      out[8] = thermal.cooling(temperature: temperature, ambient: point.ambientTemperature)
    }
  }

  /// Lithium in the particles [mol]: ε_s,n·L_n·A·c̄_n + ε_s,p·L_p·A·c̄_p.
  public func lithiumInventory(_ y: UnsafeBufferPointer<Double>) -> Double {
    let neg = parameters.negative
    let pos = parameters.positive
    return neg.activeMaterialVolumeFraction * neg.thickness * area * negativeParticle.averageConcentration(negative(y))
      + pos.activeMaterialVolumeFraction * pos.thickness * area * positiveParticle.averageConcentration(positive(y))
  }
}

// MARK: - Spatial profiles

extension SingleParticleModel: SpatialProfiles {
  /// c_s [mol m⁻³] along each particle's radius, centre to surface (cell centres with finite volumes).
  public var profileLayout: [ProfileSegment] {
    [
      ProfileSegment(
        variable: "c_s_mol_m3", domain: "negative_particle", coordinate: .r, positions: negativeParticle.profilePositions),
      ProfileSegment(
        variable: "c_s_mol_m3", domain: "positive_particle", coordinate: .r, positions: positiveParticle.profilePositions),
    ]
  }

  public func profileValues(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = self.temperature(y, point)
    let cn = negative(y)
    let cp = positive(y)
    let (dn, dp) = uniformDiffusivities(temperature)
    let count = negativeParticle.profilePositions.count
    negativeParticle.profile(
      cn, surfaceGradient: -point.current * negativeFluxPerCurrent / dn,
      into: UnsafeMutableBufferPointer(rebasing: out[0..<count]))
    positiveParticle.profile(
      cp, surfaceGradient: -point.current * positiveFluxPerCurrent / dp,
      into: UnsafeMutableBufferPointer(rebasing: out[count...]))
  }
}

// MARK: - Closed-form dynamics

extension SingleParticleModel {
  /// With eigenmode particles and no temperature state, every state is linear in itself and the
  /// current: decay_i and gain_i = forcing_i·(N_R per ampere) of `ModalParticle.flow`.
  public func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard thermal == nil, negativeParticle.isModal, positiveParticle.isModal else { return false }
    let (dn, dp) = uniformDiffusivities(ambientTemperature)
    let negativeRange = 0..<n
    let positiveRange = positiveStart..<(positiveStart + nPositive)
    _ = negativeParticle.flow(
      diffusivity: dn, decay: UnsafeMutableBufferPointer(rebasing: decay[negativeRange]),
      forcingPerFlux: UnsafeMutableBufferPointer(rebasing: gain[negativeRange]))
    _ = positiveParticle.flow(
      diffusivity: dp, decay: UnsafeMutableBufferPointer(rebasing: decay[positiveRange]),
      forcingPerFlux: UnsafeMutableBufferPointer(rebasing: gain[positiveRange]))
    for i in negativeRange { gain[i] *= negativeFluxPerCurrent }
    for i in positiveRange { gain[i] *= positiveFluxPerCurrent }
    return true
  }
}
