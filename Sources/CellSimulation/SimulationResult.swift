// CellSim — CellSimulation/SimulationResult.swift
//
// What a run returns: the curve (column-major), a summary per protocol step, and why the run ended.

import Integrators

/// Why a protocol step ended.
public enum StepEndReason: Sendable, Equatable, CustomStringConvertible {
  /// The step's duration elapsed.
  case duration
  /// A step without a duration or limit that ends it ran for the engine's default maximum time.
  case defaultTimeLimit(seconds: Double)
  /// The voltage reached a limit the step asked for [V].
  case voltageLimit(Double)
  /// The voltage reached one of the cell's own limits [V].
  case cellVoltageLimit(Double)
  /// |I| fell to the step's current limit [A].
  case currentLimit(Double)
  /// The charge passed in the step reached the limit [A h].
  case capacityLimit(Double)
  /// A model event (e.g. "cathode stoichiometry window").
  case modelEvent(String)
  /// The integrator failed; the curve stops at the last good point.
  case solverFailure(IntegratorFailure)
  /// The step could not start (e.g. a charge of a cell already at its upper limit).
  case cannotStart(String)

  public var description: String {
    switch self {
    case .duration: return "duration reached"
    case .defaultTimeLimit(let s):
      return "default time limit of \(Int(s)) s reached (the step had no limit that ended it)"
    case .voltageLimit(let v): return "voltage limit \(v) V"
    case .cellVoltageLimit(let v): return "cell voltage limit \(v) V"
    case .currentLimit(let a): return "current limit \(a) A"
    case .capacityLimit(let q): return "capacity limit \(q) A h"
    case .modelEvent(let name): return name
    case .solverFailure(let failure): return "solver failure: \(failure)"
    case .cannotStart(let why): return "cannot start: \(why)"
    }
  }

  /// Whether this reason ends the whole run, not just the step.
  public var endsRun: Bool {
    switch self {
    case .solverFailure, .cannotStart: return true
    default: return false
    }
  }
}

/// Per-step figures of a run.
public struct StepSummary: Sendable, Equatable {
  /// 0-based index of the step in the expanded protocol.
  public var index: Int
  /// The step as written in the protocol.
  public var text: String
  /// Cycle number (0 outside a `repeat`).
  public var cycle: Int
  public var startTime: Double
  public var endTime: Double
  public var duration: Double { endTime - startTime }
  /// Net charge discharged during the step [A h] (negative on charge).
  public var capacity: Double
  /// Net energy delivered during the step [W h] (negative on charge).
  public var energy: Double
  /// Time-averaged voltage over the step [V].
  public var meanVoltage: Double
  public var startVoltage: Double
  public var endVoltage: Double
  public var endCurrent: Double
  public var reason: StepEndReason
}

/// How a whole run ended.
public enum RunStatus: Sendable, Equatable {
  /// Every step ran to one of its own ends.
  case completed
  /// The step at `step` could not start; the curve holds everything before it.
  case stepCannotStart(step: Int, reason: String)
  /// The integrator failed in step `step`; the curve ends at the last good point.
  case solverFailure(step: Int, IntegratorFailure)

  public var isSuccess: Bool { self == .completed }
}

/// A simulated curve and its summary.
public struct SimulationResult: Sendable {
  /// Column names with units, in output order.
  public var columns: [String]
  /// Column-major values: `values[c][r]` is column c at row r. Empty when rows were streamed only.
  public var values: [[Double]]
  public var steps: [StepSummary]
  public var status: RunStatus
  public var statistics: SolverStatistics
  /// Non-fatal notes for the user (e.g. a step ended on the default time limit).
  public var warnings: [String]

  /// The column with this name, if present.
  public func column(_ name: String) -> [Double]? {
    columns.firstIndex(of: name).map { values[$0] }
  }
  public var rowCount: Int { values.first?.count ?? 0 }

  /// Totals over the run.
  public var totalCapacity: Double { steps.reduce(0) { $0 + $1.capacity } }
  public var totalEnergy: Double { steps.reduce(0) { $0 + $1.energy } }
  public var endTime: Double { steps.last?.endTime ?? 0 }
}
