// CellSim — CellSimulation/ProtocolEngine.swift
//
// Runs a protocol on a cell model: for each step, closes the model with the step's operating mode,
// arms the step's termination conditions, and integrates until the first of them (or the step's
// duration). It knows steps and limits, not chemistry. A `Simulator` keeps what a run builds (the
// closed cell, the integrators) for the next run of the same model; `ProtocolEngine.run` uses one once.

import CellCore
import CellExperiments
import Integrators

/// Settings of one simulation run.
public struct SimulationOptions: Sendable, Equatable {
  /// Where the run starts.
  public var initialCondition: InitialCondition
  /// Ambient temperature [K] for every step that does not set its own; `nil` uses the cell file's.
  public var ambientTemperature: Double?
  /// Output interval [s] within each step; each step's start and exact end are always rows.
  public var outputInterval: Double
  /// Voltage change [V] to aim for between consecutive rows (gaps stay within about twice it): where the voltage moves faster, rows are
  /// added between the `outputInterval` rows (the knee at the end of a discharge, the first seconds
  /// after a change of current, a Li-S plateau transition). 0 turns it off.
  public var outputVoltageStep: Double
  /// Relative tolerance of the integrator.
  public var relativeTolerance: Double
  /// Multiplies the model's absolute tolerances.
  public var absoluteToleranceScale: Double
  /// Keep the curve in memory in the result (set `false` when streaming rows to disk only).
  public var keepsCurve: Bool

  public init(
    initialCondition: InitialCondition = .stateOfCharge(1), ambientTemperature: Double? = nil,
    outputInterval: Double = 10, outputVoltageStep: Double = 0.005, relativeTolerance: Double = 1e-5,
    absoluteToleranceScale: Double = 1,
    keepsCurve: Bool = true
  ) {
    self.initialCondition = initialCondition
    self.ambientTemperature = ambientTemperature
    self.outputInterval = outputInterval
    self.outputVoltageStep = outputVoltageStep
    self.relativeTolerance = relativeTolerance
    self.absoluteToleranceScale = absoluteToleranceScale
    self.keepsCurve = keepsCurve
  }
}

/// The protocol engine.
public enum ProtocolEngine {
  /// Columns every chemistry writes first, in this order.
  public static let commonColumns = ["time_s", "current_A", "voltage_V", "capacity_Ah", "step", "soc"]

  /// The full column list of a model's curve: common columns, the model's own, then temperature.
  public static func columns(for model: some CellModel) -> [String] {
    commonColumns + model.outputColumns + ["temperature_K"]
  }

  /// A step with no duration and no limit of its own that stops it ends after this long [s]:
  /// three times the time to pass the nominal capacity at the step's current, at least one hour;
  /// 24 h for voltage holds.
  public static func defaultTimeLimit(mode: OperatingMode, nominalCapacity: Double, voltage: Double) -> Double {
    switch mode {
    case .current(let i) where i != 0: return max(3600, 3 * 3600 * nominalCapacity / abs(i))
    case .power(let p) where p != 0: return max(3600, 3 * 3600 * nominalCapacity * max(voltage, 0.1) / abs(p))
    default: return 24 * 3600
    }
  }

  /// Runs `protocol` on `model` (a `Simulator` used once; keep a `Simulator` to run the same model
  /// many times).
  /// - Parameters:
  ///   - onRow: called with every output row as it is produced (for streaming to disk).
  /// - Throws: `CellModelError` if the initial state cannot be built. Solver trouble is not thrown:
  ///   it ends the run with a status and the curve up to the failure.
  public static func run<Model: CellModel>(
    model: Model, protocol cellProtocol: CellProtocol, options: SimulationOptions = SimulationOptions(),
    onRow: ((UnsafeBufferPointer<Double>) -> Void)? = nil
  ) throws(CellModelError) -> SimulationResult {
    try Simulator(model: model).run(protocol: cellProtocol, options: options, onRow: onRow)
  }

  static func summary<Model: CellModel>(
    _ index: Int, _ step: ProtocolStep, _ t0: Double, _ t1: Double, _ start: [Double], _ end: [Double],
    _ cell: ControlledCell<Model>, _ reason: StepEndReason
  ) -> StepSummary {
    let v0 = start.withUnsafeBufferPointer { cell.voltage($0) }
    let v1 = end.withUnsafeBufferPointer { cell.voltage($0) }
    let duration = t1 - t0
    return StepSummary(
      index: index, text: step.text, cycle: step.cycle, startTime: t0, endTime: t1,
      capacity: end[cell.chargeIndex] - start[cell.chargeIndex],
      energy: end[cell.energyIndex] - start[cell.energyIndex],
      meanVoltage: duration > 0 ? (end[cell.voltageIntegralIndex] - start[cell.voltageIntegralIndex]) / duration : v1,
      startVoltage: v0, endVoltage: v1, endCurrent: end[cell.currentIndex], reason: reason)
  }

  static func format(_ x: Double) -> String {
    let scaled = (x * 1e4).rounded() / 1e4
    return "\(scaled)"
  }
}

/// Runs protocols on one model, keeping what does not change between runs — the closed cell, the
/// integrators with their buffers, the output columns — so that repeated runs (a sweep worker, a
/// benchmark's warm solves) build them once. Results are independent of what ran before (every
/// step resets the integrator; statistics are counted per run). Not for concurrent use: one per
/// thread.
public final class Simulator<Model: CellModel> {
  public let model: Model
  let cell: ControlledCell<Model>
  let columns: [String]
  /// Built by the first run, rebuilt when a run asks for other tolerances.
  private var integrators: Integrators<Model>?

  public init(model: Model) {
    self.model = model
    cell = ControlledCell(model: model, ambientTemperature: model.defaultAmbientTemperature)
    columns = ProtocolEngine.columns(for: model)
  }

  /// Runs `protocol` on the model.
  /// - Parameters:
  ///   - onRow: called with every output row as it is produced (for streaming to disk).
  /// - Throws: `CellModelError` if the initial state cannot be built. Solver trouble is not thrown:
  ///   it ends the run with a status and the curve up to the failure.
  public func run(
    protocol cellProtocol: CellProtocol, options: SimulationOptions = SimulationOptions(),
    onRow: ((UnsafeBufferPointer<Double>) -> Void)? = nil
  ) throws(CellModelError) -> SimulationResult {
    let ambient0 = options.ambientTemperature ?? model.defaultAmbientTemperature
    let initial = try model.initialState(options.initialCondition, ambientTemperature: ambient0)
    // As a fresh cell: the last run's mode and conditions are gone.
    let cell = self.cell
    cell.ambientTemperature = ambient0
    cell.mode = .current(0)
    cell.conditions = []
    let nominal = model.nominalCapacity
    var atol = cell.systemState(model: model.absoluteTolerances.map { $0 * options.absoluteToleranceScale })
    atol[cell.currentIndex] = 1e-9 * max(nominal, 1)
    atol[cell.chargeIndex] = 1e-12 * max(nominal, 1)
    atol[cell.energyIndex] = 1e-12 * max(nominal, 1)
    atol[cell.voltageIntegralIndex] = 1e-9
    let integratorOptions = IntegratorOptions(relativeTolerance: options.relativeTolerance, absoluteTolerance: atol)
    let integrators: Integrators<Model>
    if let built = self.integrators, built.options == integratorOptions {
      integrators = built
    } else {
      integrators = Integrators(cell: cell, options: integratorOptions)
      self.integrators = integrators
    }
    let statisticsBefore = integrators.statistics

    var recorder = Recorder(columns: columns, model: model, keeps: options.keepsCurve, onRow: onRow)
    var y = cell.systemState(model: initial)
    let iIndex = cell.currentIndex
    var t = 0.0
    var summaries: [StepSummary] = []
    var status = RunStatus.completed
    var warnings: [String] = []
    let limits = model.voltageLimits

    for (index, step) in cellProtocol.steps.enumerated() {
      let ambient = step.ambientTemperature ?? ambient0
      cell.ambientTemperature = ambient
      let mode: OperatingMode
      switch step.control {
      case .current(let a): mode = .current(a)
      case .cRate(let c): mode = .current(c * nominal)
      case .power(let p): mode = .power(p)
      case .voltage(let v): mode = .voltage(v)
      case .rest: mode = .current(0)
      case .profile(let p): mode = .profile(p, start: 0, scale: p.quantity == .cRate ? nominal : 1)
      }
      cell.mode = mode
      if case .voltage(let v) = mode, !limits.contains(v) {
        let why = "the hold voltage \(v) V is outside the cell's voltage window \(limits.lowerBound)–\(limits.upperBound) V"
        status = .stepCannotStart(step: index, reason: why)
        summaries.append(ProtocolEngine.summary(index, step, t, t, y, y, cell, .cannotStart(why)))
        break
      }
      let previousVoltage = y.withUnsafeBufferPointer { cell.voltage($0) }
      switch mode {
      case .current(let i): y[iIndex] = i
      case .power(let p): y[iIndex] = p / max(previousVoltage, 1e-3)
      case .voltage: break
      case .profile(let p, _, let scale):
        let first = scale * p.value(atElapsed: 0)
        y[iIndex] = p.quantity == .power ? first / max(previousVoltage, 1e-3) : first
      }
      cell.conditions = []
      // Constant-current steps of a model with linear dynamics are solved in closed form; every
      // other step by the BDF.
      let active = y.withUnsafeBufferPointer { integrators.integrator(from: $0) }
      let direction: Double
      switch mode {
      case .current(let i): direction = i == 0 ? 0 : (i > 0 ? 1 : -1)
      case .power(let p): direction = p == 0 ? 0 : (p > 0 ? 1 : -1)
      case .voltage, .profile: direction = 0
      }

      // Start: consistent algebraic unknowns (the current, for holds and power steps). The integrator
      // runs in time since the step's start, so that the first steps after a switch of current can be
      // as short as the fastest transient needs (at t = 10⁴ s, steps below ~1e-11 s do not exist).
      do throws(IntegratorFailure) {
        try y.withUnsafeBufferPointer { buffer throws(IntegratorFailure) in try active.reset(time: 0, state: buffer) }
      } catch {
        let failure = error.shifted(by: t)
        status = .solverFailure(step: index, failure)
        summaries.append(ProtocolEngine.summary(index, step, t, t, y, y, cell, .solverFailure(failure)))
        break
      }
      let startVoltage = cell.voltage(active.state)
      var conditions: [TerminationCondition] = []
      var reasons: [StepEndReason] = []
      for limit in step.limits {
        switch limit {
        case .voltage(let v):
          let falls = direction > 0 || (direction == 0 && startVoltage > v)
          conditions.append(falls ? .voltageFallsTo(v) : .voltageRisesTo(v))
          reasons.append(.voltageLimit(v))
        case .current(let a):
          conditions.append(.currentMagnitudeFallsTo(a))
          reasons.append(.currentLimit(a))
        case .cRate(let c):
          conditions.append(.currentMagnitudeFallsTo(c * nominal))
          reasons.append(.currentLimit(c * nominal))
        case .capacity(let q):
          conditions.append(.chargePassed(q, start: active.state[cell.chargeIndex]))
          reasons.append(.capacityLimit(q))
        }
      }
      if direction > 0 {
        conditions.append(.voltageFallsTo(limits.lowerBound))
        reasons.append(.cellVoltageLimit(limits.lowerBound))
      } else if direction < 0 {
        conditions.append(.voltageRisesTo(limits.upperBound))
        reasons.append(.cellVoltageLimit(limits.upperBound))
      } else if case .profile = mode {
        // A profile may discharge and charge: both cut-offs, each armed while it can still be crossed.
        if startVoltage > limits.lowerBound {
          conditions.append(.voltageFallsTo(limits.lowerBound))
          reasons.append(.cellVoltageLimit(limits.lowerBound))
        }
        if startVoltage < limits.upperBound {
          conditions.append(.voltageRisesTo(limits.upperBound))
          reasons.append(.cellVoltageLimit(limits.upperBound))
        }
      }
      for (k, name) in model.eventNames.enumerated() {
        conditions.append(.modelEvent(k))
        reasons.append(.modelEvent(name))
      }
      cell.conditions = Array(conditions.prefix(cell.maximumConditions))
      active.refreshEvents()
      // A limit already reached blocks the step. A model event exactly at zero does not: it marks the
      // edge of the model's window (e.g. a solid-state cathode at its SOC-1 stoichiometry), and the step
      // may move away from it (a rest, a discharge); it fires once the state has crossed back.
      let blocking = { (k: Int) -> Bool in
        let g = active.eventValues[k]
        if case .modelEvent = cell.conditions[k] { return g < 0 }
        return g <= 0
      }
      if let blocked = cell.conditions.indices.first(where: blocking) {
        let why = "\(reasons[blocked]) is already reached at the start of the step (voltage \(ProtocolEngine.format(startVoltage)) V, current \(ProtocolEngine.format(active.state[iIndex])) A)"
        status = .stepCannotStart(step: index, reason: why)
        summaries.append(ProtocolEngine.summary(index, step, t, t, y, y, cell, .cannotStart(why)))
        break
      }

      let start = Array(active.state)
      let t0 = t
      var stopReason: StepEndReason = .duration
      // A profile's current has corners at its points: the integrator stops at each (as one stops
      // IDA/CVODE at a discontinuity of the forcing) rather than step across it, which its error
      // estimate would not see (a 5 A profile's charge was 3e-6 A h off at rtol 1e-5).
      var corners: [Double] = []
      var nextCorner = 0
      var end = Double.infinity
      if case .profile(let p, _, _) = mode {
        // A profile step ends with its profile at the latest.
        end = min(step.duration ?? .infinity, p.duration)
        corners = p.time.dropFirst().map { $0 - p.time[0] }.filter { $0 > 0 && $0 < end }
        active.setStopTime(corners.first ?? end)
      } else if let duration = step.duration {
        active.setStopTime(duration)
      } else {
        let limit = ProtocolEngine.defaultTimeLimit(mode: mode, nominalCapacity: nominal, voltage: startVoltage)
        active.setStopTime(limit)
        stopReason = .defaultTimeLimit(seconds: limit)
      }

      recorder.emit(time: t0, state: active.state, step: index, cell: cell)
      var k = 1
      var reason: StepEndReason
      var accepted = 0
      stepping: while true {
        let outcome = active.step()
        let tEnd = active.t
        while recorder.isActive {
          let tOut = Double(k) * options.outputInterval
          if !(tOut < tEnd - 1e-9 * max(1, abs(t0 + tEnd))) || !(tOut > active.previousTime - 1e-12) { break }
          recorder.refine(upTo: tOut, offset: t0, voltageStep: options.outputVoltageStep, integrator: active, step: index, cell: cell)
          recorder.emitInterpolated(time: tOut, offset: t0, integrator: active, step: index, cell: cell)
          k += 1
        }
        recorder.refine(upTo: tEnd, offset: t0, voltageStep: options.outputVoltageStep, integrator: active, step: index, cell: cell)
        switch outcome {
        case .advanced:
          // Steps that barely advance (a stiff cell file's h ~ 1e-290 s) would never end the step.
          accepted += 1
          if accepted >= active.options.maximumSteps {
            reason = .solverFailure(.tooManySteps(t: t0 + active.t, steps: accepted))
            break stepping
          }
          continue stepping
        case .reachedStopTime:
          if nextCorner < corners.count, active.t >= corners[nextCorner] {
            nextCorner += 1
            active.setStopTime(nextCorner < corners.count ? corners[nextCorner] : end)
            continue stepping
          }
          reason = stopReason
          if case .defaultTimeLimit = stopReason {
            warnings.append("step \(index + 1) (\(step.text)): \(stopReason)")
          }
          break stepping
        case .event(let e):
          reason = e < reasons.count ? reasons[e] : .duration
          break stepping
        case .failed(let failure):
          reason = .solverFailure(failure.shifted(by: t0))
          break stepping
        }
      }
      t = t0 + active.t
      y = Array(active.state)
      recorder.emit(time: t, state: active.state, step: index, cell: cell)
      summaries.append(ProtocolEngine.summary(index, step, t0, t, start, y, cell, reason))
      if case .solverFailure(let failure) = reason {
        status = .solverFailure(step: index, failure)
        break
      }
    }
    return SimulationResult(
      columns: columns, values: recorder.values, steps: summaries, status: status,
      statistics: integrators.statistics - statisticsBefore, warnings: warnings)
  }
}

/// Builds output rows from states and hands them to the caller and/or keeps them.
struct Recorder<Model: CellModel> {
  let columnCount: Int
  let outputCount: Int
  let keeps: Bool
  let onRow: ((UnsafeBufferPointer<Double>) -> Void)?
  var values: [[Double]]
  var row: [Double]
  var interpolated: [Double]
  var outputs: [Double]
  /// Time [s] and voltage [V] of the last row written.
  var lastTime = -Double.infinity
  var lastVoltage = 0.0

  init(columns: [String], model: Model, keeps: Bool, onRow: ((UnsafeBufferPointer<Double>) -> Void)?) {
    columnCount = columns.count
    outputCount = model.outputColumns.count
    self.keeps = keeps
    self.onRow = onRow
    values = Array(repeating: [], count: keeps ? columns.count : 0)
    row = Array(repeating: 0, count: columns.count)
    interpolated = Array(repeating: 0, count: model.stateCount + 4)
    outputs = Array(repeating: 0, count: max(outputCount, 1))
  }

  /// Whether anyone consumes rows (a run can be asked for its summary only).
  var isActive: Bool { keeps || onRow != nil }

  /// Adds rows before the (step-local) time `target` so that consecutive rows differ by at most
  /// `voltageStep` in voltage: m − 1 rows evenly spaced between the last row (or the start of the
  /// integrator's current step) and `target`, m = ⌈|V(target) − V_last| / voltageStep⌉ (at most 200).
  mutating func refine(
    upTo target: Double, offset: Double, voltageStep: Double, integrator: any StepIntegrator,
    step: Int, cell: ControlledCell<Model>
  ) {
    guard isActive, voltageStep > 0 else { return }
    let start = max(lastTime - offset, integrator.previousTime)
    guard target > start else { return }
    var buffer = interpolated
    interpolated = []
    buffer.withUnsafeMutableBufferPointer { integrator.interpolate(at: target, into: $0) }
    let v = buffer.withUnsafeBufferPointer { cell.voltage($0) }
    interpolated = buffer
    let pieces = min(200, Int((abs(v - lastVoltage) / voltageStep).rounded(.up)))
    guard pieces > 1 else { return }
    for i in 1..<pieces {
      let time = start + (target - start) * Double(i) / Double(pieces)
      emitInterpolated(time: time, offset: offset, integrator: integrator, step: step, cell: cell)
    }
  }

  /// Emits the row at `offset + time`, interpolated at the integrator's (step-local) `time`.
  mutating func emitInterpolated(
    time: Double, offset: Double, integrator: any StepIntegrator, step: Int,
    cell: ControlledCell<Model>
  ) {
    guard isActive else { return }
    var buffer = interpolated
    interpolated = []
    buffer.withUnsafeMutableBufferPointer { integrator.interpolate(at: time, into: $0) }
    // A prescribed current is known exactly at any time; the interpolant of an algebraic unknown
    // is not (it smooths a profile's corners).
    if let current = cell.prescribedCurrent(at: time) { buffer[cell.currentIndex] = current }
    buffer.withUnsafeBufferPointer { emit(time: offset + time, state: $0, step: step, cell: cell) }
    interpolated = buffer
  }

  mutating func emit(time: Double, state y: UnsafeBufferPointer<Double>, step: Int, cell: ControlledCell<Model>) {
    guard isActive else { return }
    let op = cell.point(y)
    let ym = cell.modelState(y)
    let model = cell.model
    row[0] = time
    row[1] = y[cell.currentIndex]
    row[2] = model.terminalVoltage(ym, op)
    lastTime = time
    lastVoltage = row[2]
    row[3] = y[cell.chargeIndex]
    row[4] = Double(step)
    row[5] = model.stateOfCharge(ym)
    if outputCount > 0 {
      outputs.withUnsafeMutableBufferPointer { model.outputs(ym, op, into: $0) }
      for k in 0..<outputCount { row[6 + k] = outputs[k] }
    }
    row[columnCount - 1] = model.temperature(ym, op)
    if keeps {
      for c in 0..<columnCount { values[c].append(row[c]) }
    }
    if let onRow { row.withUnsafeBufferPointer { onRow($0) } }
  }
}

extension IntegratorFailure {
  /// The same failure with its time moved from step-local to run time.
  func shifted(by offset: Double) -> IntegratorFailure {
    switch self {
    case .stepSizeTooSmall(let t): return .stepSizeTooSmall(t: t + offset)
    case .newtonDidNotConverge(let t): return .newtonDidNotConverge(t: t + offset)
    case .nonFiniteResidual(let t): return .nonFiniteResidual(t: t + offset)
    case .singularIterationMatrix(let t): return .singularIterationMatrix(t: t + offset)
    case .inconsistentInitialConditions(let t, let r): return .inconsistentInitialConditions(t: t + offset, residual: r)
    case .tooManySteps(let t, let n): return .tooManySteps(t: t + offset, steps: n)
    }
  }
}

/// The integrators of a run, each built the first time a step needs it (a run of constant-current
/// steps on a model with linear dynamics never builds the BDF and its matrices).
final class Integrators<Model: CellModel> {
  let cell: ControlledCell<Model>
  let options: IntegratorOptions
  private var bdf: BDFIntegrator<ControlledCell<Model>>?
  private var exact: ExactFlowIntegrator<ControlledCell<Model>>?

  init(cell: ControlledCell<Model>, options: IntegratorOptions) {
    self.cell = cell
    self.options = options
  }

  /// The integrator for the cell's current mode from `state`: the exact one when the cell has a
  /// linear diagonal flow there (constant current, a model with linear dynamics — in all its states,
  /// or in some, the others then integrated by its inner BDF), else the BDF.
  func integrator(from state: UnsafeBufferPointer<Double>) -> any StepIntegrator {
    if case .current = cell.mode, cell.modelHasSomeLinearDynamics {
      let made = exact ?? ExactFlowIntegrator(system: cell, options: options)
      exact = made
      if made.applies(at: state) { return made }
    }
    let made = bdf ?? BDFIntegrator(system: cell, options: options)
    bdf = made
    return made
  }

  var statistics: SolverStatistics {
    (bdf?.statistics ?? SolverStatistics()) + (exact?.statistics ?? SolverStatistics())
  }
}
