// CellSim — LithiumIon/SingleParticleModelWithElectrolyte.swift
//
// The single particle model with electrolyte (SPMe) of a lithium-ion cell, as PyBaMM builds it with
// default options (Marquis et al. 2019; Brosa Planella et al. 2021): the SPM's x-averaged particles plus
// electrolyte transport across the cell, and the composite (leading + first order) electrolyte and
// solid potentials in the voltage.
//
// Particles: exactly the SPM's (see `SingleParticleModel`): one particle per electrode, surface flux
// j_k/F with j_n = I/(A·a_n·L_n), j_p = −I/(A·a_p·L_p).
//
// Electrolyte: see `ElectrolyteTransport` (finite volumes in the three regions, Bruggeman D_e,eff).
//
// Voltage, with i = I/A [A m⁻²], ⟨·⟩_k the x-average over electrode k and c̄_e the lithium-weighted
// mean Σε·c_e/Σε of the electrolyte (conserved, so = c_e0: the leading-order concentration of the
// asymptotic SPMe; PyBaMM's reference curves show a constant ohmic term, consistent with this):
//
//     V = U_p(y_surf) − U_n(x_surf)                                    OCV at the particle surfaces
//       + ⟨η_p⟩_p − ⟨η_n⟩_n                                             reaction overpotentials
//       + χ·(RT/F)·(⟨ln c_e⟩_p − ⟨ln c_e⟩_n)                             electrolyte concentration
//       − i·(L_n/(3κ_n) + L_s/κ_s + L_p/(3κ_p))                          electrolyte ohmic
//       − i·(L_n/(3σ_n) + L_p/(3σ_p))                                    solid ohmic
//       − I·R_contact
//
//   η_k(x) = (2RT/F)·asinh(j_k / (2·j0_k(x_surf,k, c_e(x), T)))   (symmetric Butler–Volmer; j0 at the
//            local electrolyte concentration, as PyBaMM's SPMe does, then x-averaged)
//   χ = 2(1 − t₊)·(1 + d ln f/d ln c),   κ_k = ε_k^b_e,k·κ_e(c̄_e, T),   σ_k,eff = (1 − ε_k)^b_s,k·σ_k
//
// (PyBaMM's Bruggeman factor of the solid uses the solid fraction 1 − ε, not the active-material one.)
//
// State: c_n (N), c_p (N) particle cells, then c_e (M_n + M_s + M_p cells), all differential.
// Lithium: particles and electrolyte are each conserved by construction.

import CellCore
import Foundation

/// PyBaMM-equivalent SPMe for a lithium-ion cell.
public struct SingleParticleModelWithElectrolyte: CellModel {
  /// The particle half of the model (same particles, same eSOH).
  public let particles: SingleParticleModel
  public let electrolyte: ElectrolyteTransport
  public var parameters: LithiumIonParameters { particles.parameters }
  public var balance: ElectrodeBalance { particles.balance }

  let n: Int  // cells per particle
  let m: Int  // electrolyte cells
  let area: Double
  let initialElectrolyteConcentration: Double
  /// χ = 2(1 − t₊)·thermodynamic factor [-].
  let chi: Double
  /// L_n/(3ε_n^b), L_s/ε_s^b, L_p/(3ε_p^b) summed [m]: electrolyte resistance × κ_e per unit area.
  let electrolyteResistanceLength: Double
  /// L_n/(3σ_n,eff) + L_p/(3σ_p,eff) [Ω m²].
  let solidResistance: Double
  let contactResistance: Double
  /// The concentration at which the "electrolyte depleted" event fires [mol m⁻³].
  public let depletionThreshold: Double

  public var name: String { "SPMe" }
  public var stateCount: Int { 2 * n + m }
  public var isDifferential: [Bool] { Array(repeating: true, count: 2 * n + m) }
  /// Particles and electrolyte are each tridiagonal and do not couple to each other.
  public var jacobianBandwidth: (lower: Int, upper: Int)? { (1, 1) }
  public var nominalCapacity: Double { particles.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { particles.voltageLimits }
  public var defaultAmbientTemperature: Double { particles.defaultAmbientTemperature }
  public var absoluteTolerances: [Double] {
    particles.absoluteTolerances + Array(repeating: 1e-6 * initialElectrolyteConcentration, count: m)
  }

  /// - Parameters:
  ///   - cellsPerParticle: finite volumes per particle (graded towards the surface), as the SPM.
  ///   - grading: mesh grading of the particles.
  ///   - electrolyteCells: finite volumes in the negative electrode, separator and positive electrode.
  ///     The scheme is second order; the default (32, 8, 32) is within 0.3 mV of a (100, 30, 100) mesh
  ///     for Chen2020 at 2C (16 cells per electrode: 1.2 mV, the electrolyte term being the slow one).
  /// - Throws: `CellModelError` if the electrodes cannot reach the cell's OCV limits (eSOH) or the
  ///   electrolyte parameters are unusable.
  public init(
    parameters: LithiumIonParameters, cellsPerParticle: Int = 40, grading: Double = 0.9,
    electrolyteCells: (negative: Int, separator: Int, positive: Int) = (32, 8, 32)
  ) throws(CellModelError) {
    let p = parameters
    for (what, eps) in [
      ("negative electrode", p.negative.porosity), ("separator", p.separator.porosity),
      ("positive electrode", p.positive.porosity),
    ] where !(eps > 0 && eps <= 1) {
      throw CellModelError("SPMe: the \(what) porosity must be in (0, 1], got \(eps)")
    }
    for (what, b) in [
      ("negative electrode", p.negative.bruggemanElectrolyte), ("separator", p.separator.bruggemanElectrolyte),
      ("positive electrode", p.positive.bruggemanElectrolyte), ("negative electrode (solid)", p.negative.bruggemanElectrode),
      ("positive electrode (solid)", p.positive.bruggemanElectrode),
    ] where !(b >= 0 && b.isFinite) {
      throw CellModelError("SPMe: the \(what) Bruggeman exponent must be ≥ 0, got \(b)")
    }
    let ce0 = p.electrolyte.initialConcentration
    guard ce0 > 0, ce0.isFinite else {
      throw CellModelError("SPMe: the initial electrolyte concentration must be positive, got \(ce0)")
    }
    let t0 = p.cell.ambientTemperature
    let d0 = p.electrolyte.diffusivity(ce0, t0)
    let k0 = p.electrolyte.conductivity(ce0, t0)
    guard d0 > 0, d0.isFinite, k0 > 0, k0.isFinite else {
      throw CellModelError(
        "SPMe: the electrolyte diffusivity (\(d0) m^2/s) and conductivity (\(k0) S/m) must be positive "
          + "at the initial concentration \(ce0) mol/m^3")
    }
    particles = try SingleParticleModel(parameters: p, cellsPerParticle: cellsPerParticle, grading: grading)
    electrolyte = ElectrolyteTransport(parameters: p, cells: electrolyteCells)
    n = particles.n
    m = electrolyte.cellCount
    area = p.cell.area
    initialElectrolyteConcentration = ce0
    chi = 2 * (1 - p.electrolyte.transferenceNumber) * p.electrolyte.thermodynamicFactor
    electrolyteResistanceLength =
      p.negative.thickness / (3 * pow(p.negative.porosity, p.negative.bruggemanElectrolyte))
      + p.separator.thickness / pow(p.separator.porosity, p.separator.bruggemanElectrolyte)
      + p.positive.thickness / (3 * pow(p.positive.porosity, p.positive.bruggemanElectrolyte))
    let sigmaN = p.negative.conductivity * pow(1 - p.negative.porosity, p.negative.bruggemanElectrode)
    let sigmaP = p.positive.conductivity * pow(1 - p.positive.porosity, p.positive.bruggemanElectrode)
    solidResistance = p.negative.thickness / (3 * sigmaN) + p.positive.thickness / (3 * sigmaP)
    contactResistance = p.cell.contactResistance
    depletionThreshold = 1e-3 * ce0
  }

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    try particles.initialState(condition, ambientTemperature: ambientTemperature)
      + Array(repeating: initialElectrolyteConcentration, count: m)
  }

  // MARK: - Equations

  @inline(__always) func particleState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[0..<(2 * n)])
  }
  @inline(__always) func electrolyteState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[(2 * n)..<(2 * n + m)])
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    particles.evaluate(particleState(y), point, into: UnsafeMutableBufferPointer(rebasing: out[0..<(2 * n)]))
    electrolyte.rates(
      electrolyteState(y), currentDensity: point.current / area, temperature: point.ambientTemperature,
      into: UnsafeMutableBufferPointer(rebasing: out[(2 * n)..<(2 * n + m)]))
  }

  /// The voltage and its parts at a state.
  struct VoltageParts {
    var xs: Double, ys: Double
    var ocv: Double
    var reaction: Double
    var concentration: Double
    var electrolyteOhmic: Double
    var solidOhmic: Double
    var total: Double { ocv + reaction + concentration + electrolyteOhmic + solidOhmic }
  }

  /// x-average over an electrode's cells of η = (2RT/F)·asinh(j/(2·j0(x_surf, c_e,i, T))).
  @inline(__always)
  func averageOverpotential(
    _ electrode: LithiumIonParameters.Electrode, _ cells: Range<Int>, _ ce: UnsafeBufferPointer<Double>,
    stoichiometry x: Double, interfacialCurrent j: Double, _ temperature: Double
  ) -> Double {
    let xc = min(max(x, 0), 1)
    let cMax = electrode.maxConcentration
    let cs = xc * cMax
    var sum = 0.0
    for i in cells {
      let j0 = electrode.exchangeCurrentDensity(xc, cs, max(ce[i], 0), temperature, cMax)
      sum += asinh(j / (2 * j0))
    }
    return 2 * PhysicalConstants.gas * temperature / PhysicalConstants.faraday * sum / Double(cells.count)
  }

  func voltageParts(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> VoltageParts {
    let (xs, ys) = particles.surfaceStoichiometries(particleState(y), current: current, temperature: temperature)
    let ce = electrolyteState(y)
    let faraday = PhysicalConstants.faraday
    let jn = current * particles.negativeFluxPerCurrent * faraday
    let jp = current * particles.positiveFluxPerCurrent * faraday
    let etaN = averageOverpotential(
      parameters.negative, electrolyte.negativeRange, ce, stoichiometry: xs, interfacialCurrent: jn, temperature)
    let etaP = averageOverpotential(
      parameters.positive, electrolyte.positiveRange, ce, stoichiometry: ys, interfacialCurrent: jp, temperature)
    let ocv = parameters.positiveOCP(ys, temperature) - parameters.negativeOCP(xs, temperature)
    let logs = electrolyte.logarithmAverages(ce)
    let thermal = PhysicalConstants.gas * temperature / faraday
    let concentration = chi * thermal * (logs.positive - logs.negative)
    let i = current / area
    let kappa = electrolyte.conductivity(electrolyte.meanConcentration(ce), temperature)
    return VoltageParts(
      xs: xs, ys: ys, ocv: ocv, reaction: etaP - etaN, concentration: concentration,
      electrolyteOhmic: -i * electrolyteResistanceLength / kappa, solidOhmic: -i * solidResistance)
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    voltageParts(y, current: point.current, temperature: point.ambientTemperature).total
      - point.current * contactResistance
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    particles.stateOfCharge(particleState(y))
  }

  // MARK: - Outputs

  public var outputColumns: [String] {
    particles.outputColumns + [
      "eta_electrolyte_conc_V", "ohmic_electrolyte_V", "ohmic_solid_V", "c_e_neg_cc_mol_m3", "c_e_sep_mol_m3",
      "c_e_pos_cc_mol_m3",
    ]
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = point.ambientTemperature
    let parts = voltageParts(y, current: point.current, temperature: temperature)
    let cn = UnsafeBufferPointer(rebasing: y[0..<n])
    let cp = UnsafeBufferPointer(rebasing: y[n..<(2 * n)])
    let xAvg = particles.negativeParticle.averageConcentration(cn) / particles.negativeMaxConcentration
    let yAvg = particles.positiveParticle.averageConcentration(cp) / particles.positiveMaxConcentration
    let ce = electrolyteState(y)
    out[0] = parts.xs
    out[1] = parts.ys
    out[2] = xAvg
    out[3] = yAvg
    out[4] = parts.ocv
    out[5] = parameters.positiveOCP(yAvg, temperature) - parameters.negativeOCP(xAvg, temperature)
    out[6] = parts.reaction
    out[7] = parts.concentration
    out[8] = parts.electrolyteOhmic
    out[9] = parts.solidOhmic
    out[10] = electrolyte.negativeCollectorValue(ce)
    out[11] = electrolyte.separatorMiddleValue(ce)
    out[12] = electrolyte.positiveCollectorValue(ce)
  }

  // MARK: - Events

  public var eventNames: [String] { ["electrolyte depleted"] }

  /// Positive while the electrolyte concentration stays above `depletionThreshold` everywhere.
  public func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    out[0] = (electrolyte.minimum(electrolyteState(y)) - depletionThreshold) / initialElectrolyteConcentration
  }

  // MARK: - Conservation

  /// Lithium in the particles [mol] (as `SingleParticleModel.lithiumInventory`).
  public func particleLithium(_ y: UnsafeBufferPointer<Double>) -> Double {
    particles.lithiumInventory(particleState(y))
  }

  /// Lithium in the electrolyte [mol]: A·Σ ε_i h_i c_e,i.
  public func electrolyteLithium(_ y: UnsafeBufferPointer<Double>) -> Double {
    area * electrolyte.amount(electrolyteState(y))
  }
}
