// CellSim — LithiumSulfur/LithiumSulfurModel.swift
//
// Zero-dimensional lithium-sulfur cell of Marinescu, Zhang & Offer (2016), with the precipitation and
// shuttle of Marinescu et al. (2018). Equations, units and numerics: docs/models/lithium-sulfur.md.
//
// Unknowns y = (u_S8, u_S4, u_S2, u_S, u_Sp, V): five sulfur mass coordinates [g] (differential; u is
// the mass itself above a tail mass ε and logarithmic below it, see `mass(_:_:)`) and the terminal
// voltage [V] (algebraic). With k = RT/(n_e F), c = n_e F/(2RT) (so c·k = 1/2), masses S = φ(u):
//
//     E_H = E_H0 + k ln(f_H S8 / S4²),          f_H = n_S4² M_S v / n_S8
//     E_L = E_L0 + k ln(f_L S4 / (S2 S²)),      f_L = n_S² n_S2 M_S² v² / n_S4
//     i_H = −2 i_H0 a_r sinh(c (V − E_H)),      i_L = −2 i_L0 a_r sinh(c (V − E_L))
//     0   = i_H + i_L − I                        (the algebraic row of V)
//     g_X = M_S i_X / (n_e F),   r = k_p Sp (S − S*) / (v ρ_s)
//     u_S8' = −n_S8 g_H − k_s S8          (= S8' wherever S8 ≥ ε; likewise below)
//     S4' =  n_S8 g_H + k_s S8 − n_S4 g_L
//     S2' =  n_S2 g_L
//     S'  =  2 n_S g_L − r
//     Sp' =  r
//
// The right-hand sides sum to zero identically, so Σu is a linear invariant that BDF keeps to
// round-off; Σφ(u) (total sulfur) differs from it only by the tails, ≤ ε·|ln(S/ε)| per species
// (< 1e-9 g here). Positivity: every φ(u) > 0 by construction. Why the tails and their sizes:
// docs/models/lithium-sulfur.md, "Numerics".

import CellCore
import CellParameters
import Foundation

/// The Marinescu zero-dimensional lithium-sulfur model.
public struct LithiumSulfurModel: CellModel {
  public let parameters: LithiumSulfurParameters

  // Plain numbers for the hot loop.
  let highExchange: Double  // 2·i_H0·a_r [A]
  let lowExchange: Double  // 2·i_L0·a_r [A]
  let highStandard: Double
  let lowStandard: Double
  let logFH: Double  // ln f_H
  let logFL: Double  // ln f_L
  let gramsPerCoulomb: Double  // M_S/(n_e F)  [g C⁻¹]
  let electronsFaradayOverR: Double  // n_e F / R  [K V⁻¹]
  let precipitationScale: Double  // k_p/(v ρ_s)  [g⁻¹ s⁻¹]
  let saturationMass: Double
  let shuttleCharge: Double
  let shuttleDischarge: Double
  let chargePerGram: Double  // F/(M_S·3600) [A h g⁻¹ per electron per atom]
  let fullCapacity: Double

  /// Index of the voltage in the state vector.
  public static let voltageIndex = 5

  public var name: String { "Marinescu0D" }
  public var stateCount: Int { 6 }
  public var isDifferential: [Bool] { [true, true, true, true, true, false] }
  public var jacobianBandwidth: (lower: Int, upper: Int)? { nil }
  public var nominalCapacity: Double { parameters.cell.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { parameters.cell.lowerCutoff...parameters.cell.upperCutoff }
  public var defaultAmbientTemperature: Double { parameters.cell.ambientTemperature }

  /// Absolute tolerances of the mass coordinates u [g] and of V [V]; see docs/models/lithium-sulfur.md.
  public var absoluteTolerances: [Double] { Self.massTolerances + [Self.voltageTolerance] }
  /// Absolute tolerance of the voltage [V].
  public static let voltageTolerance = 1e-6
  /// Absolute tolerances of the mass coordinates [g].
  public static let massTolerances: [Double] = [1e-15, 1e-15, 1e-15, 1e-15, 1e-15]

  /// Masses ε_i [g] below which each mass coordinate turns logarithmic (see `mass(_:_:)`).
  public static let tailMasses: [Double] = [1e-11, 1e-14, 1e-14, 1e-14, 1e-14]

  public init(parameters: LithiumSulfurParameters) throws(CellModelError) {
    self.parameters = parameters
    let r = parameters.reactions
    let v = parameters.electrolyte.volumeLitres
    let ms = r.sulfurMolarMass
    highExchange = 2 * r.highExchangeCurrentDensity * r.reactionArea
    lowExchange = 2 * r.lowExchangeCurrentDensity * r.reactionArea
    highStandard = r.highStandardPotential
    lowStandard = r.lowStandardPotential
    logFH = log(4 * 4 * ms * v / 8)
    logFL = log(1 * 1 * 2 * ms * ms * v * v / 4)
    gramsPerCoulomb = ms / (r.electronsPerReaction * PhysicalConstants.faraday)
    electronsFaradayOverR = r.electronsPerReaction * PhysicalConstants.faraday / PhysicalConstants.gas
    precipitationScale =
      parameters.precipitation.rateConstant / (v * parameters.precipitation.precipitateDensity)
    saturationMass = parameters.precipitation.saturationMass
    shuttleCharge = parameters.shuttle.chargeRateConstant
    shuttleDischarge = parameters.shuttle.dischargeRateConstant
    chargePerGram = parameters.ampereHoursPerGramPerElectron
    fullCapacity = parameters.fullCapacity
    for (name, m) in zip(LithiumSulfurParameters.speciesNames, parameters.initialState.masses)
    where !(m > 0 && m.isFinite) {
      throw CellModelError("initial mass of \(name) must be positive and finite, not \(m) g")
    }
  }

  // MARK: - Initial state

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    switch condition {
    case .stateOfCharge(let s) where abs(s - 1) < 1e-12:
      let u = parameters.initialState.masses.enumerated().map { Self.coordinate($1, $0) }
      // Voltage guess: the open-circuit voltage, where i_H + i_L = 0 (refined by the engine's
      // consistent initialisation at the step's current).
      let v = u.withUnsafeBufferPointer { openCircuitVoltage($0, temperature: ambientTemperature) }
      return u + [v]
    case .stateOfCharge(let s):
      throw CellModelError(
        "a lithium-sulfur run starts from the cell file's initial_state (SOC 1, here "
          + "\(parameters.initialStateOfCharge) of the 12-electron capacity); SOC \(s) is not supported. "
          + "Discharge from the charged state to reach a lower SOC.")
    case .openCircuitVoltage(let v):
      throw CellModelError(
        "a lithium-sulfur run starts from the cell file's initial_state; an initial open-circuit voltage "
          + "(\(v) V) is not supported")
    }
  }

  /// Voltage [V] where i_H + i_L = 0 at masses `m` (bisection between E_L and E_H).
  func openCircuitVoltage(_ m: UnsafeBufferPointer<Double>, temperature: Double) -> Double {
    var lo = 0.0
    var hi = 5.0
    for _ in 0..<200 {
      let mid = 0.5 * (lo + hi)
      let (ih, il) = partialCurrents(m, voltage: mid, temperature: temperature)
      // i_H + i_L decreases with V.
      if ih + il > 0 { lo = mid } else { hi = mid }
    }
    return 0.5 * (lo + hi)
  }

  // MARK: - Equations

  /// Species mass m = φ(u) [g] of the mass coordinate u [g]:
  ///
  ///     φ(u) = u                     for u ≥ ε
  ///     φ(u) = ε·exp(u/ε − 1)        for u < ε        (C¹ at u = ε; ε = `tailMasses[i]`)
  ///
  /// so every mass is positive for every real u (positivity by construction), while above ε the unknown
  /// *is* the mass and Σu — total sulfur — is a linear invariant that BDF keeps to round-off.
  @inline(__always) public static func mass(_ u: Double, _ species: Int) -> Double {
    let e = tailMasses[species]
    return u >= e ? u : e * exp(u / e - 1)
  }

  /// ln φ(u) as ln(factor) + offset: (u, 0) above ε, (1, ln ε + u/ε − 1) in the tail (no underflow for
  /// very negative u). A Nernst term, the logarithm of a ratio of masses, then takes one `log` call
  /// (of the ratio of the factors, all in [ε, Σm]: no overflow) instead of one per species.
  @inline(__always) static func logMassParts(_ u: Double, _ species: Int) -> (factor: Double, offset: Double) {
    let e = tailMasses[species]
    return u >= e ? (u, 0) : (1, logTails[species] + u / e - 1)
  }
  static let logTails = tailMasses.map { log($0) }

  /// dφ/du: 1 above ε, φ(u)/ε in the tail.
  @inline(__always) static func massSlope(_ u: Double, _ species: Int) -> Double {
    let e = tailMasses[species]
    return u >= e ? 1 : exp(u / e - 1)
  }

  /// d ln φ/du [g⁻¹]: 1/u above ε, 1/ε in the tail.
  @inline(__always) static func logMassSlope(_ u: Double, _ species: Int) -> Double {
    let e = tailMasses[species]
    return u >= e ? 1 / u : 1 / e
  }

  /// The mass coordinate u = φ⁻¹(m) of a positive mass m [g] of species `species`.
  public static func coordinate(_ m: Double, _ species: Int) -> Double {
    let e = tailMasses[species]
    return m >= e ? m : e * (1 + log(m / e))
  }

  /// Nernst potentials (E_H, E_L) [V]: ln(S8/S4²) and ln(S4/(S2·S²)) from `logMassParts`.
  @inline(__always)
  func nernst(_ y: UnsafeBufferPointer<Double>, temperature: Double) -> (Double, Double) {
    let k = temperature / electronsFaradayOverR
    let s8 = Self.logMassParts(y[0], 0)
    let s4 = Self.logMassParts(y[1], 1)
    let s2 = Self.logMassParts(y[2], 2)
    let s1 = Self.logMassParts(y[3], 3)
    let high = log(s8.factor / (s4.factor * s4.factor)) + s8.offset - 2 * s4.offset
    let low = log(s4.factor / (s2.factor * s1.factor * s1.factor)) + s4.offset - s2.offset - 2 * s1.offset
    return (highStandard + k * (logFH + high), lowStandard + k * (logFL + low))
  }

  /// Partial currents (i_H, i_L) [A] at voltage V.
  @inline(__always)
  func partialCurrents(_ y: UnsafeBufferPointer<Double>, voltage v: Double, temperature: Double) -> (Double, Double) {
    let (eh, el) = nernst(y, temperature: temperature)
    let c = 0.5 * electronsFaradayOverR / temperature
    return (-highExchange * Self.sinh(c * (v - eh)), -lowExchange * Self.sinh(c * (v - el)))
  }

  /// sinh x from one expm1 of |x|, m = e^|x| − 1 ≥ 0:  2 sinh |x| = m + m/(1 + m), odd in x. Accurate to
  /// a few ulp for small |x| too (no cancellation), ±∞ where sinh overflows; libm's sinh costs an expm1
  /// and more.
  @inline(__always) static func sinh(_ x: Double) -> Double {
    let m = expm1(abs(x))
    let s = m == .infinity ? m : 0.5 * (m + m / (1 + m))
    return x < 0 ? -s : s
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let current = point.current
    let (ih, il) = partialCurrents(y, voltage: y[5], temperature: point.ambientTemperature)
    let gh = gramsPerCoulomb * ih
    let gl = gramsPerCoulomb * il
    let ks = current < 0 ? shuttleCharge : shuttleDischarge
    let shuttle = ks * Self.mass(y[0], 0)
    let r = precipitationScale * Self.mass(y[4], 4) * (Self.mass(y[3], 3) - saturationMass)
    out[0] = -8 * gh - shuttle
    out[1] = 8 * gh + shuttle - 4 * gl
    out[2] = 2 * gl
    out[3] = 2 * gl - r
    out[4] = r
    out[5] = ih + il - current
  }

  /// ∂out/∂(u, V, I) of `evaluate`, column-major. With x_X = c (V − E_X), C_X = 2 i_X0 a_r cosh(x_X) [A],
  /// ℓ_k = d ln φ/du_k [g⁻¹] (`logMassSlope`) and c·k = 1/2:
  ///
  ///     ∂i_H/∂V = −c C_H,   ∂i_H/∂u_S8 = C_H ℓ_S8 / 2,   ∂i_H/∂u_S4 = −C_H ℓ_S4
  ///     ∂i_L/∂V = −c C_L,   ∂i_L/∂u_S4 = C_L ℓ_S4 / 2,   ∂i_L/∂u_S2 = −C_L ℓ_S2 / 2,   ∂i_L/∂u_S = −C_L ℓ_S
  ///     ∂(k_s S8)/∂u_S8 = k_s φ'(u_S8),   ∂r/∂u_S = P Sp φ'(u_S),   ∂r/∂u_Sp = P (S − S*) φ'(u_Sp)
  ///
  /// (P = k_p/(v ρ_s), φ' = `massSlope`); the rates are g_X = M_S i_X/(n_e F) and the V row i_H + i_L − I.
  public func jacobian(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension ld: Int
  ) -> Bool {
    let temperature = point.ambientTemperature
    let (eh, el) = nernst(y, temperature: temperature)
    let c = 0.5 * electronsFaradayOverR / temperature
    let coshH = highExchange * cosh(c * (y[5] - eh))  // C_H [A]
    let coshL = lowExchange * cosh(c * (y[5] - el))  // C_L [A]
    // Partial currents' derivatives [A g⁻¹] and [A V⁻¹].
    let h8 = 0.5 * coshH * Self.logMassSlope(y[0], 0)
    let h4 = -coshH * Self.logMassSlope(y[1], 1)
    let hV = -c * coshH
    let l4 = 0.5 * coshL * Self.logMassSlope(y[1], 1)
    let l2 = -0.5 * coshL * Self.logMassSlope(y[2], 2)
    let l1 = -coshL * Self.logMassSlope(y[3], 3)
    let lV = -c * coshL
    let ks = point.current < 0 ? shuttleCharge : shuttleDischarge
    let shuttle8 = ks * Self.massSlope(y[0], 0)  // ∂(k_s S8)/∂u_S8 [s⁻¹]
    let rS = precipitationScale * Self.mass(y[4], 4) * Self.massSlope(y[3], 3)  // ∂r/∂u_S [s⁻¹]
    let rSp = precipitationScale * (Self.mass(y[3], 3) - saturationMass) * Self.massSlope(y[4], 4)  // ∂r/∂u_Sp
    let g = gramsPerCoulomb
    // Column j of the rates (rows 0…4) from ∂i_H/∂·, ∂i_L/∂· and the shuttle and precipitation terms
    // ∂(k_s S8)/∂·, ∂r/∂·; row 5 is ∂(i_H + i_L)/∂·.
    func column(_ j: Int, high dh: Double, low dl: Double, shuttle ds: Double = 0, precipitation dr: Double = 0) {
      let base = j * ld
      entries[base] = -8 * g * dh - ds
      entries[base + 1] = 8 * g * dh + ds - 4 * g * dl
      entries[base + 2] = 2 * g * dl
      entries[base + 3] = 2 * g * dl - dr
      entries[base + 4] = dr
      entries[base + 5] = dh + dl
    }
    column(0, high: h8, low: 0, shuttle: shuttle8)
    column(1, high: h4, low: l4)
    column(2, high: 0, low: l2)
    column(3, high: 0, low: l1, precipitation: rS)
    column(4, high: 0, low: 0, precipitation: rSp)
    column(Self.voltageIndex, high: hV, low: lV)
    entries[Self.voltageIndex + stateCount * ld] = -1  // column I: ∂(i_H + i_L − I)/∂I
    return true
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double { y[5] }

  /// V is the unknown y[5]: ∂V/∂y = e_5, ∂V/∂I = 0.
  public func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? {
    for j in 0..<6 { gradient[j] = j == Self.voltageIndex ? 1 : 0 }
    return 0
  }

  /// Deliverable (12-electron) charge left in S8 and S4, as a fraction of the 12-electron capacity of
  /// all the cell's sulfur: (1.5·S8 + S4) / (1.5·ΣS) ∈ [0, 1].
  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    min(max((1.5 * Self.mass(y[0], 0) + Self.mass(y[1], 1)) * chargePerGram / fullCapacity, 0), 1)
  }

  // MARK: - Outputs

  public var outputColumns: [String] { ["S8_g", "S4_g", "S2_g", "S_g", "Sp_g", "i_H_A", "i_L_A"] }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    for k in 0..<5 { out[k] = Self.mass(y[k], k) }
    let (ih, il) = partialCurrents(y, voltage: y[5], temperature: point.ambientTemperature)
    out[5] = ih
    out[6] = il
  }

  /// Total sulfur S8 + S4 + S2 + S + Sp [g] at a state.
  public func totalSulfur(_ y: UnsafeBufferPointer<Double>) -> Double {
    Self.mass(y[0], 0) + Self.mass(y[1], 1) + Self.mass(y[2], 2) + Self.mass(y[3], 3) + Self.mass(y[4], 4)
  }

  // MARK: - Plateau figures

  /// High- and low-plateau voltages and the dip between them of a discharge curve [V]:
  ///
  /// * dip: the lowest voltage that lies at least 1 mV below an earlier voltage of the curve and after
  ///   which the curve rises again by at least 1 mV (the local minimum between the plateaus: the
  ///   end-of-discharge fall is excluded because nothing rises after it, a rising charge curve because
  ///   nothing higher precedes its minimum);
  /// * high: the voltage halfway (in time) between the start of the curve and the dip;
  /// * low: the highest voltage after the dip (the top of the low plateau).
  ///
  /// - Returns: `nil` if the curve has no dip (e.g. a charge, or a discharge stopped on the high plateau).
  public func plateauFigures(time: [Double], voltage: [Double]) -> (high: Double, low: Double, dip: Double)? {
    let n = min(time.count, voltage.count)
    guard n >= 3 else { return nil }
    // Suffix maxima: the highest voltage at or after each index.
    var suffixMax = [Double](repeating: -.infinity, count: n)
    var running = -Double.infinity
    for i in stride(from: n - 1, through: 0, by: -1) {
      running = max(running, voltage[i])
      suffixMax[i] = running
    }
    var dipIndex: Int?
    var prefixMax = voltage[0]
    for i in 1..<(n - 1) {
      prefixMax = max(prefixMax, voltage[i])
      guard prefixMax - voltage[i] >= 1e-3, suffixMax[i] - voltage[i] >= 1e-3 else { continue }
      if dipIndex.map({ voltage[i] < voltage[$0] }) ?? true { dipIndex = i }
    }
    guard let d = dipIndex, d + 1 < n else { return nil }
    let low = suffixMax[d + 1]
    let tMid = 0.5 * (time[0] + time[d])
    var k = 0
    while k + 1 < d && time[k + 1] < tMid { k += 1 }
    let w = time[k + 1] > time[k] ? (tMid - time[k]) / (time[k + 1] - time[k]) : 0
    let high = voltage[k] + w * (voltage[k + 1] - voltage[k])
    guard high > low else { return nil }
    return (high, low, voltage[d])
  }
}
