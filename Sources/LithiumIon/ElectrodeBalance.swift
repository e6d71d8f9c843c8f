// CellSim — LithiumIon/ElectrodeBalance.swift
//
// Electrode state of health (eSOH, Mohtat et al. 2019) as PyBaMM's `get_initial_stoichiometries`
// computes it: from the lithium inventory and the OCV limits to the stoichiometry window, then from a
// state of charge (or an open-circuit voltage) to the initial stoichiometries.

import CellCore
import Foundation

/// The stoichiometry window of a cell: x_0, x_100 (negative) and y_0, y_100 (positive) at 0 % and
/// 100 % SOC, and the capacity between them.
///
/// With electrode capacities Q_n, Q_p and cyclable lithium Q_Li [A h] (see `LithiumIonParameters`), at
/// the reference temperature T_ref and with the full OCPs (barrier term included):
///
///     y_100 = (Q_Li − x_100·Q_n)/Q_p,           U_p(y_100) − U_n(x_100) = V_max   (ocv_at_soc_1_V)
///     Q = Q_n·(x_100 − x_0),  y_0 = y_100 + Q/Q_p,  U_p(y_0) − U_n(x_0) = V_min   (ocv_at_soc_0_V)
///
/// Each equation is monotone in its unknown (U_p falls with y, U_n falls with x), so each is solved by a
/// safeguarded Newton iteration inside a bracket where every stoichiometry stays in [0, 1]. A state of
/// charge s ∈ [0, 1] maps linearly: x = x_0 + s·(x_100 − x_0), y = y_0 − s·(y_0 − y_100).
public struct ElectrodeBalance: Sendable {
  /// Negative-electrode stoichiometry at 0 % and 100 % SOC [-].
  public var x0: Double
  public var x100: Double
  /// Positive-electrode stoichiometry at 0 % and 100 % SOC [-].
  public var y0: Double
  public var y100: Double
  /// Capacity between 0 % and 100 % SOC, Q = Q_n·(x_100 − x_0) [A h].
  public var capacity: Double
  /// Electrode capacities and lithium inventory used [A h].
  public var negativeCapacity: Double
  public var positiveCapacity: Double
  public var lithiumInventory: Double
  /// Temperature of the OCV evaluation (the reference temperature) [K].
  public var temperature: Double
  /// OCV limits [V].
  public var minimumVoltage: Double
  public var maximumVoltage: Double

  let negativeOCP: OpenCircuitPotential
  let positiveOCP: OpenCircuitPotential

  /// Largest OCP barrier contribution accepted at a solution [V]: beyond it the limits are met only
  /// because the barrier forces them, i.e. the electrodes cannot reach them.
  static let barrierTolerance = 0.01

  /// Solves the eSOH window of `parameters` at its reference temperature.
  /// - Throws: `CellModelError` when the lithium inventory does not fit the electrodes or the OCV limits
  ///   cannot be reached inside the stoichiometry range.
  public init(parameters p: LithiumIonParameters) throws(CellModelError) {
    try self.init(
      negativeOCP: p.negativeOpenCircuitPotential, positiveOCP: p.positiveOpenCircuitPotential,
      negativeCapacity: p.negativeCapacity, positiveCapacity: p.positiveCapacity,
      lithiumInventory: p.lithiumInventory, minimumVoltage: p.cell.ocvAtSOC0,
      maximumVoltage: p.cell.ocvAtSOC1, temperature: p.cell.referenceTemperature)
  }

  /// Solves the eSOH window from its ingredients (capacities in A h, voltages in V, T in K).
  public init(
    negativeOCP: OpenCircuitPotential, positiveOCP: OpenCircuitPotential, negativeCapacity qn: Double,
    positiveCapacity qp: Double, lithiumInventory qLi: Double, minimumVoltage vMin: Double,
    maximumVoltage vMax: Double, temperature t: Double
  ) throws(CellModelError) {
    self.negativeOCP = negativeOCP
    self.positiveOCP = positiveOCP
    negativeCapacity = qn
    positiveCapacity = qp
    lithiumInventory = qLi
    temperature = t
    minimumVoltage = vMin
    maximumVoltage = vMax
    guard [qn, qp, qLi, vMin, vMax, t].allSatisfy(\.isFinite), qn > 0, qp > 0, qLi > 0, t > 0 else {
      throw CellModelError("electrode balance: capacities, lithium inventory and temperature must be positive")
    }
    guard vMin < vMax else {
      throw CellModelError("electrode balance: OCV at 0 % SOC (\(vMin) V) must be below OCV at 100 % SOC (\(vMax) V)")
    }
    func ocv(_ x: Double, _ y: Double) -> Double { positiveOCP(y, t) - negativeOCP(x, t) }

    // 100 % SOC: x_100 such that y_100 = (Q_Li − x_100 Q_n)/Q_p ∈ [0, 1].
    let lo100 = max(0, (qLi - qp) / qn)
    let hi100 = min(1, qLi / qn)
    guard lo100 < hi100 else {
      throw CellModelError(
        "electrode balance: the lithium inventory (\(qLi) A h) exceeds what the electrodes can hold "
          + "(Q_n + Q_p = \(qn + qp) A h)")
    }
    func y100(_ x: Double) -> Double { (qLi - x * qn) / qp }
    let x100 = try Self.solveIncreasing(in: lo100, hi100, target: vMax, what: "OCV at 100 % SOC") {
      ocv($0, y100($0))
    }
    let yFull = y100(x100)

    // 0 % SOC: x_0 ≤ x_100 with y_0 = y_100 + Q_n (x_100 − x_0)/Q_p ≤ 1.
    let lo0 = max(0, x100 - (1 - yFull) * qp / qn)
    func y0(_ x: Double) -> Double { yFull + qn * (x100 - x) / qp }
    let x0 = try Self.solveIncreasing(in: lo0, x100, target: vMin, what: "OCV at 0 % SOC") { ocv($0, y0($0)) }

    self.x0 = x0
    self.x100 = x100
    self.y100 = yFull
    self.y0 = y0(x0)
    capacity = qn * (x100 - x0)
    for (name, s) in [("x_0", self.x0), ("x_100", x100), ("y_0", self.y0), ("y_100", yFull)]
    where abs(OpenCircuitPotential.barrier(s)) > Self.barrierTolerance {
      throw CellModelError(
        "electrode balance: the OCV limits [\(vMin), \(vMax)] V cannot be met by the electrodes: "
          + "\(name) = \(s) lies at the end of the stoichiometry range (OCP barrier "
          + "\(OpenCircuitPotential.barrier(s)) V); check ocv_at_soc_0_V/ocv_at_soc_1_V, the OCPs and the "
          + "initial concentrations")
    }
  }

  /// Stoichiometries (x, y) at state of charge `soc` (1 = full): x = x_0 + s·(x_100 − x_0),
  /// y = y_0 − s·(y_0 − y_100). Not clamped: values of s outside [0, 1] extrapolate.
  public func stoichiometries(atSOC soc: Double) -> (x: Double, y: Double) {
    (x0 + soc * (x100 - x0), y0 - soc * (y0 - y100))
  }

  /// Open-circuit voltage at state of charge `soc` and the balance's temperature [V].
  public func openCircuitVoltage(atSOC soc: Double) -> Double {
    let (x, y) = stoichiometries(atSOC: soc)
    return positiveOCP(y, temperature) - negativeOCP(x, temperature)
  }

  /// The state of charge s ∈ [0, 1] whose open-circuit voltage U_p(y(s)) − U_n(x(s)) equals `voltage`.
  /// - Throws: `CellModelError` if `voltage` is outside [OCV at 0 %, OCV at 100 %].
  public func stateOfCharge(forOpenCircuitVoltage voltage: Double) throws(CellModelError) -> Double {
    let low = openCircuitVoltage(atSOC: 0)
    let high = openCircuitVoltage(atSOC: 1)
    let slack = 1e-9
    guard voltage.isFinite, voltage >= low - slack, voltage <= high + slack else {
      throw CellModelError(
        "initial open-circuit voltage \(voltage) V is outside the cell's OCV range [\(minimumVoltage), "
          + "\(maximumVoltage)] V")
    }
    if voltage <= low { return 0 }
    if voltage >= high { return 1 }
    return try Self.solveIncreasing(in: 0, 1, target: voltage, what: "initial open-circuit voltage") {
      openCircuitVoltage(atSOC: $0)
    }
  }

  /// Stoichiometries (x, y) for an initial condition.
  /// - Throws: `CellModelError` for an SOC outside [0, 1] or a voltage outside the OCV range.
  public func stoichiometries(for condition: InitialCondition) throws(CellModelError) -> (x: Double, y: Double) {
    switch condition {
    case .stateOfCharge(let soc):
      guard soc.isFinite, soc >= 0, soc <= 1 else {
        throw CellModelError("initial state of charge \(soc) is outside [0, 1]")
      }
      return stoichiometries(atSOC: soc)
    case .openCircuitVoltage(let voltage):
      return stoichiometries(atSOC: try stateOfCharge(forOpenCircuitVoltage: voltage))
    }
  }

  /// Solves f(u) = target for an increasing f on [a, b]: Newton steps with a finite-difference slope,
  /// replaced by bisection whenever a step leaves the current bracket or the slope is not positive.
  /// - Throws: `CellModelError` when [f(a), f(b)] does not contain `target`.
  static func solveIncreasing(
    in a: Double, _ b: Double, target: Double, what: String, _ f: (Double) -> Double
  ) throws(CellModelError) -> Double {
    var lo = a
    var hi = b
    let fLo = f(lo) - target
    let fHi = f(hi) - target
    guard fLo.isFinite, fHi.isFinite else {
      throw CellModelError("electrode balance: the open-circuit voltage is not finite at the ends of [\(a), \(b)]")
    }
    if fLo == 0 { return lo }
    if fHi == 0 { return hi }
    guard fLo < 0, fHi > 0 else {
      throw CellModelError(
        "electrode balance: \(what) = \(target) V cannot be met by the electrodes: the open-circuit voltage "
          + "only spans [\(fLo + target), \(fHi + target)] V over the admissible stoichiometries")
    }
    var u = 0.5 * (lo + hi)
    for _ in 0..<200 {
      let fu = f(u) - target
      if fu == 0 { return u }
      if fu < 0 { lo = u } else { hi = u }
      if hi - lo <= 4 * Double.ulpOfOne * max(1, abs(u)) { return 0.5 * (lo + hi) }
      let h = 1e-7 * max(hi - lo, 1e-9)
      let slope = (f(u + h) - f(u - h)) / (2 * h)
      var next = u - fu / slope
      if !(slope > 0) || !next.isFinite || next <= lo || next >= hi {
        next = 0.5 * (lo + hi)
      }
      if abs(next - u) <= 1e-15 * max(1, abs(u)) { return next }
      u = next
    }
    return u
  }
}
