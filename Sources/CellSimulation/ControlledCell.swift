// CellSim — CellSimulation/ControlledCell.swift
//
// A cell model closed by its operating mode, as the DAE the integrator solves.
//
// Unknowns: the model's own states y_m, then four more:
//
//     I      cell current [A] (algebraic; > 0 on discharge)
//     Q      charge passed since the start of the run [A h]:      dQ/dt = I / 3600
//     E      energy delivered since the start of the run [W h]:  dE/dt = I·V / 3600
//     W      time integral of the voltage [V s]:                  dW/dt = V
//
// The current's equation is the operating mode of the protocol step:
//
//     current (and rest):  0 = I − I_set
//     voltage hold:        0 = V(y_m, I) − V_set
//     power:               0 = I·V(y_m, I) − P_set
//
// Termination events g_k ≥ 0 while the step may continue: the step's own limits, the cell's voltage
// limits in the direction the step drives the voltage, and the model's own events.

import CellCore
import Integrators

/// How the current of a step is set.
public enum OperatingMode: Sendable, Equatable {
  /// Constant current [A] (> 0 discharge); a rest is `.current(0)`.
  case current(Double)
  /// Constant terminal voltage [V].
  case voltage(Double)
  /// Constant power [W] (> 0 discharge).
  case power(Double)
}

/// One termination condition of a step, as a scalar function that is positive while the step goes on.
public enum TerminationCondition: Sendable, Equatable {
  /// Ends when the voltage falls to the value [V].
  case voltageFallsTo(Double)
  /// Ends when the voltage rises to the value [V].
  case voltageRisesTo(Double)
  /// Ends when |I| falls to the value [A].
  case currentMagnitudeFallsTo(Double)
  /// Ends when the charge passed in the step, |Q − Q_start|, reaches the value [A h].
  case chargePassed(Double, start: Double)
  /// The model's own event with this index.
  case modelEvent(Int)
}

/// The DAE of a cell model under one operating mode. Mutable between steps; the integrator holds it.
final class ControlledCell<Model: CellModel>: DAESystem {
  let model: Model
  let modelCount: Int
  var mode: OperatingMode = .current(0)
  var ambientTemperature: Double
  var conditions: [TerminationCondition] = []
  let modelEvents: UnsafeMutablePointer<Double>
  let maximumConditions: Int
  let modelEventCount: Int

  var currentIndex: Int { modelCount }
  var chargeIndex: Int { modelCount + 1 }
  var energyIndex: Int { modelCount + 2 }
  var voltageIntegralIndex: Int { modelCount + 3 }

  init(model: Model, ambientTemperature: Double) {
    self.model = model
    modelCount = model.stateCount
    self.ambientTemperature = ambientTemperature
    modelEventCount = model.eventNames.count
    modelEvents = .allocate(capacity: max(modelEventCount, 1))
    modelEvents.initialize(repeating: 1, count: max(modelEventCount, 1))
    maximumConditions = 8 + modelEventCount
  }

  deinit { modelEvents.deallocate() }

  var dimension: Int { modelCount + 4 }
  var isDifferential: [Bool] { model.isDifferential + [false, true, true, true] }
  var jacobianStructure: JacobianStructure { .dense }
  var eventCount: Int { maximumConditions }

  @inline(__always) func modelState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[0..<modelCount])
  }

  @inline(__always) func point(_ y: UnsafeBufferPointer<Double>) -> OperatingPoint {
    OperatingPoint(current: y[currentIndex], ambientTemperature: ambientTemperature)
  }

  func voltage(_ y: UnsafeBufferPointer<Double>) -> Double {
    model.terminalVoltage(modelState(y), point(y))
  }

  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    let op = point(y)
    let ym = modelState(y)
    model.evaluate(ym, op, into: UnsafeMutableBufferPointer(rebasing: f[0..<modelCount]))
    let current = op.current
    let v = model.terminalVoltage(ym, op)
    switch mode {
    case .current(let set): f[currentIndex] = current - set
    case .voltage(let set): f[currentIndex] = v - set
    case .power(let set): f[currentIndex] = current * v - set
    }
    f[chargeIndex] = current / 3600
    f[energyIndex] = current * v / 3600
    f[voltageIntegralIndex] = v
  }

  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    for k in 0..<g.count { g[k] = 1 }
    if conditions.isEmpty { return }
    let op = point(y)
    let ym = modelState(y)
    let v = model.terminalVoltage(ym, op)
    if modelEventCount > 0 {
      model.events(ym, op, into: UnsafeMutableBufferPointer(start: modelEvents, count: modelEventCount))
    }
    for (k, condition) in conditions.enumerated() where k < g.count {
      switch condition {
      case .voltageFallsTo(let limit): g[k] = v - limit
      case .voltageRisesTo(let limit): g[k] = limit - v
      case .currentMagnitudeFallsTo(let limit): g[k] = abs(op.current) - limit
      case .chargePassed(let limit, let start): g[k] = limit - abs(y[chargeIndex] - start)
      case .modelEvent(let index): g[k] = modelEvents[index]
      }
    }
  }
}
