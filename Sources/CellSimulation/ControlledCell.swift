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
//     profile:             0 = I − s·p(t − t_0)  (current, C-rate: s = 1 A or the 1C current), or
//                          0 = I·V − p(t − t_0)  (power); p linearly interpolated in time
//
// Termination events g_k ≥ 0 while the step may continue: the step's own limits, the cell's voltage
// limits in the direction the step drives the voltage, and the model's own events.

import CellCore
import CellExperiments
import Integrators

/// How the current of a step is set.
public enum OperatingMode: Sendable, Equatable {
  /// Constant current [A] (> 0 discharge); a rest is `.current(0)`.
  case current(Double)
  /// Constant terminal voltage [V].
  case voltage(Double)
  /// Constant power [W] (> 0 discharge).
  case power(Double)
  /// A time series (current, C-rate or power; > 0 discharge) started at time `start` [s]; its values
  /// are multiplied by `scale` (the 1C current for a C-rate profile, else 1).
  case profile(CurrentProfile, start: Double, scale: Double)
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
///
/// Layout of the unknowns: the model's states 0..<p, then I, then the model's states p..<m, then the
/// quadratures Q, E, W. p is the middle of the model's `currentCoupling` range (or m when it has
/// none): with the model's own bandwidth and that placement the Newton system stays banded, and the
/// quadratures stay outside it.
final class ControlledCell<Model: CellModel>: DAESystem {
  let model: Model
  let modelCount: Int
  /// Where the current sits among the model's states.
  let insertion: Int
  var mode: OperatingMode = .current(0)
  var ambientTemperature: Double
  var conditions: [TerminationCondition] = []
  let modelEvents: UnsafeMutablePointer<Double>
  let maximumConditions: Int
  let modelEventCount: Int
  let jacobianStructure: JacobianStructure
  let isDifferential: [Bool]
  /// Contiguous copies of the model's states and rates when the engine's unknowns sit in between.
  let gathered: UnsafeMutablePointer<Double>
  let rates: UnsafeMutablePointer<Double>
  /// The model's linear dynamics (`CellModel.linearDynamics`), when it has them.
  let modelDecay: UnsafeMutablePointer<Double>
  let modelGain: UnsafeMutablePointer<Double>
  /// The current's row of a dense analytic Jacobian, before it is scattered into its strided place
  /// (m values after the voltage key's m + 1, in the same allocation).
  let currentRow: UnsafeMutablePointer<Double>
  /// Whether every state of the model has linear dynamics (at the run's first ambient temperature).
  let modelHasLinearDynamics: Bool
  /// Whether some of its states have (all, or some and the others NaN decay): constant-current steps
  /// then go to the exact integrator.
  let modelHasSomeLinearDynamics: Bool
  /// The last terminal voltage computed and where: the system's first m + 1 unknowns (the model's
  /// states and I, in system order) and the ambient temperature. Each step asks for V at its solution
  /// twice, for the quadratures and for the events (and the recorder may ask again): all but the
  /// first find it here. A lookup compares m + 1 numbers; an SPMe's voltage costs ~50× that.
  let voltageKey: UnsafeMutablePointer<Double>
  var voltageKeyAmbient = Double.nan
  var cachedVoltage = Double.nan

  var currentIndex: Int { insertion }
  var chargeIndex: Int { modelCount + 1 }
  var energyIndex: Int { modelCount + 2 }
  var voltageIntegralIndex: Int { modelCount + 3 }

  init(model: Model, ambientTemperature: Double) {
    self.model = model
    let m = model.stateCount
    modelCount = m
    self.ambientTemperature = ambientTemperature
    modelEventCount = model.eventNames.count
    modelEvents = .allocate(capacity: max(modelEventCount, 1))
    modelEvents.initialize(repeating: 1, count: max(modelEventCount, 1))
    maximumConditions = 8 + modelEventCount
    gathered = .allocate(capacity: max(m, 1))
    gathered.initialize(repeating: 0, count: max(m, 1))
    rates = .allocate(capacity: max(m, 1))
    rates.initialize(repeating: 0, count: max(m, 1))
    modelDecay = .allocate(capacity: max(m, 1))
    modelDecay.initialize(repeating: 0, count: max(m, 1))
    modelGain = .allocate(capacity: max(m, 1))
    modelGain.initialize(repeating: 0, count: max(m, 1))
    let linear = model.linearDynamics(
      ambientTemperature: ambientTemperature, decay: UnsafeMutableBufferPointer(start: modelDecay, count: m),
      gain: UnsafeMutableBufferPointer(start: modelGain, count: m))
    var linearStates = 0
    for i in 0..<m where modelDecay[i].isFinite { linearStates += 1 }
    modelHasLinearDynamics = linear && linearStates == m
    modelHasSomeLinearDynamics = linear && linearStates > 0
    voltageKey = .allocate(capacity: 2 * m + 1)
    voltageKey.initialize(repeating: .nan, count: 2 * m + 1)
    currentRow = voltageKey + (m + 1)
    let coupling = model.currentCoupling
    let p = coupling.map { $0.lowerBound + $0.count / 2 } ?? m
    insertion = min(max(p, 0), m)
    let modelFlags = model.isDifferential
    isDifferential = Array(modelFlags[0..<insertion]) + [false] + Array(modelFlags[insertion...]) + [true, true, true]
    jacobianStructure = Self.structure(
      stateCount: m + 1, insertion: insertion, modelBand: model.jacobianBandwidth, coupling: coupling)
  }

  deinit {
    modelEvents.deallocate()
    gathered.deallocate()
    rates.deallocate()
    modelDecay.deallocate()
    modelGain.deallocate()
    voltageKey.deallocate()
  }

  /// The Newton system's bandwidth: the model's own, widened by the inserted current, and the
  /// couplings between the current and the `currentCoupling` states. Dense when that is not much
  /// narrower than the system. A banded model without `currentCoupling` (its voltage depends on
  /// states all over it, its rates on the current) keeps the current last: bordered, the model's
  /// band plus a dense last row and column.
  static func structure(
    stateCount n: Int, insertion p: Int, modelBand: (lower: Int, upper: Int)?, coupling: Range<Int>?
  ) -> JacobianStructure {
    guard let band = modelBand, n > 16 else { return .dense }
    guard let coupling else {
      return p == n - 1 && 3 * (band.lower + band.upper + 1) < n - 1
        ? .bordered(lower: band.lower, upper: band.upper, border: 1) : .dense
    }
    func mapped(_ i: Int) -> Int { i < p ? i : i + 1 }
    var lower = band.lower + 1
    var upper = band.upper + 1
    for column in coupling.map(mapped) {
      lower = max(lower, p - column)
      upper = max(upper, column - p)
    }
    for row in coupling.map(mapped) {
      lower = max(lower, row - p)
      upper = max(upper, p - row)
    }
    return 3 * (lower + upper + 1) < n ? .banded(lower: lower, upper: upper) : .dense
  }

  var dimension: Int { modelCount + 4 }
  var quadratureCount: Int { 3 }
  var eventCount: Int { maximumConditions }

  /// The model's states as one contiguous buffer (a view when nothing is inserted in between).
  @inline(__always) func modelState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    if insertion == modelCount { return UnsafeBufferPointer(rebasing: y[0..<modelCount]) }
    for i in 0..<insertion { gathered[i] = y[i] }
    for i in insertion..<modelCount { gathered[i] = y[i + 1] }
    return UnsafeBufferPointer(start: gathered, count: modelCount)
  }

  /// The full system state from the model's states and the engine's unknowns.
  func systemState(model ym: [Double], current: Double = 0) -> [Double] {
    Array(ym[0..<insertion]) + [current] + Array(ym[insertion...]) + [0, 0, 0]
  }

  @inline(__always) func point(_ y: UnsafeBufferPointer<Double>) -> OperatingPoint {
    OperatingPoint(current: y[currentIndex], ambientTemperature: ambientTemperature)
  }

  func voltage(_ y: UnsafeBufferPointer<Double>) -> Double {
    terminalVoltage(y, point(y))
  }

  /// V(y_m, I) [V], from `cachedVoltage` when y's first m + 1 unknowns and the ambient temperature are
  /// those it was computed at (bit for bit).
  @inline(__always)
  func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ op: OperatingPoint) -> Double {
    let count = modelCount + 1
    var same = op.ambientTemperature == voltageKeyAmbient
    if same {
      for i in 0..<count where y[i] != voltageKey[i] {
        same = false
        break
      }
    }
    if same { return cachedVoltage }
    let v = model.terminalVoltage(modelState(y), op)
    for i in 0..<count { voltageKey[i] = y[i] }
    voltageKeyAmbient = op.ambientTemperature
    cachedVoltage = v
    return v
  }

  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    mainResidual(t, y, into: f)
    quadratureResidual(t, y, into: f)
  }

  /// The model's rates and the current's equation (`DAESystem.mainResidual`); V only when the mode
  /// needs it, so a current-controlled Newton iteration never evaluates the voltage.
  func mainResidual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    let op = point(y)
    let ym = modelState(y)
    let m = modelCount
    model.evaluate(ym, op, into: UnsafeMutableBufferPointer(start: rates, count: m))
    for i in 0..<insertion { f[i] = rates[i] }
    for i in insertion..<m { f[i + 1] = rates[i] }
    let current = op.current
    if let set = prescribedCurrent(at: t) {
      f[currentIndex] = current - set
      return
    }
    let v = terminalVoltage(y, op)
    switch mode {
    case .voltage(let set): f[currentIndex] = v - set
    case .power(let set): f[currentIndex] = current * v - set
    case .profile(let profile, let start, let scale): f[currentIndex] = current * v - scale * profile.value(atElapsed: t - start)
    case .current: break  // prescribed above
    }
  }

  /// dQ/dt, dE/dt and dW/dt (`DAESystem.quadratureResidual`): the current and the voltage only.
  func quadratureResidual(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) {
    let op = point(y)
    let current = op.current
    let v = terminalVoltage(y, op)
    f[chargeIndex] = current / 3600
    f[energyIndex] = current * v / 3600
    f[voltageIntegralIndex] = v
  }

  /// The current [A] the mode prescribes at (step-local) time t, when it prescribes one (current
  /// and current or C-rate profiles); `nil` for voltage, power and power profiles.
  func prescribedCurrent(at t: Double) -> Double? {
    switch mode {
    case .current(let set): return set
    case .profile(let profile, let start, let scale) where profile.quantity != .power:
      return scale * profile.value(atElapsed: t - start)
    default: return nil
    }
  }

  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    for k in 0..<g.count { g[k] = 1 }
    if conditions.isEmpty { return }
    let op = point(y)
    let v = terminalVoltage(y, op)
    if modelEventCount > 0 {
      model.events(modelState(y), op, into: UnsafeMutableBufferPointer(start: modelEvents, count: modelEventCount))
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

extension ControlledCell {
  /// The Newton Jacobian in closed form, when the model gives its parts; otherwise `false` (finite
  /// differences):
  ///
  /// * dense, the current last: the model's own Jacobian (`CellModel.jacobian`) and the current's row;
  /// * bordered, for a model with linear dynamics (`CellModel.linearDynamics`: ∂f_i/∂y_i = −decay_i,
  ///   ∂f_i/∂I = gain_i, nothing else), the current's row in the border.
  ///
  /// The current's row needs the voltage's derivatives (`CellModel.voltageDerivatives`) unless the
  /// mode prescribes the current.
  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard insertion == modelCount else { return false }
    switch jacobianStructure {
    case .dense: return denseJacobian(y, into: jacobian)
    case .bordered(let lower, let upper, 1) where modelHasLinearDynamics:
      return borderedJacobian(y, lower: lower, upper: upper, into: jacobian)
    default: return false
    }
  }

  /// Dense storage of order m + 1, column-major: the model's rows and current column from the model,
  /// the current's row (m) from `currentEquationDerivatives`.
  func denseJacobian(_ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>) -> Bool {
    let m = modelCount
    let op = point(y)
    guard model.jacobian(modelState(y), op, into: jacobian, leadingDimension: m + 1),
      let corner = currentEquationDerivatives(y, op, gradient: UnsafeMutableBufferPointer(start: currentRow, count: m))
    else { return false }
    for j in 0..<m { jacobian[m + j * (m + 1)] = currentRow[j] }
    jacobian[m + m * (m + 1)] = corner
    return true
  }

  /// Bordered storage (`DAESystem.analyticJacobian`): the decays on the block's diagonal, the gains in
  /// the border column, the current's row in the border row.
  func borderedJacobian(
    _ y: UnsafeBufferPointer<Double>, lower: Int, upper: Int, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    let m = modelCount
    let width = lower + upper + 1
    let columnStart = m * width
    let rowStart = columnStart + (m + 1)
    let row = UnsafeMutableBufferPointer(rebasing: jacobian[rowStart..<(rowStart + m)])
    guard let corner = currentEquationDerivatives(y, point(y), gradient: row),
      model.linearDynamics(
        ambientTemperature: ambientTemperature, decay: UnsafeMutableBufferPointer(start: modelDecay, count: m),
        gain: UnsafeMutableBufferPointer(start: modelGain, count: m))
    else { return false }
    for j in 0..<m {
      jacobian[upper + j * width] = -modelDecay[j]
      jacobian[columnStart + j] = modelGain[j]
    }
    jacobian[columnStart + m] = corner
    return true
  }

  /// Derivatives of the current's equation: writes ∂/∂y_m (count m) into `gradient` and returns ∂/∂I;
  /// `nil` when the mode involves V and the model does not give its derivatives.
  ///
  ///     I − I_set:  (0, 1)      V − V_set:  (∂V/∂y, ∂V/∂I)      I·V − P:  (I·∂V/∂y, V + I·∂V/∂I)
  func currentEquationDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ op: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? {
    var usesVoltage = false
    var scale = 1.0
    switch mode {
    case .current: usesVoltage = false
    case .voltage: usesVoltage = true
    case .power: (usesVoltage, scale) = (true, op.current)
    case .profile(let profile, _, _):
      if profile.quantity == .power { (usesVoltage, scale) = (true, op.current) }
    }
    guard usesVoltage else {
      for j in 0..<gradient.count { gradient[j] = 0 }
      return 1
    }
    guard let dVdI = model.voltageDerivatives(modelState(y), op, gradient: gradient) else { return nil }
    if scale == 1 { return dVdI }
    for j in 0..<gradient.count { gradient[j] *= scale }
    return terminalVoltage(y, op) + scale * dVdI
  }
}

extension ControlledCell {
  /// The current's row of a bordered Newton system (the current last) over the model's states, for
  /// grouped finite differences of the rest (`DAESystem.borderRows`): 0 where the mode prescribes the
  /// current (I − I_set), ∂V/∂y_m for a voltage hold, I·∂V/∂y_m for power (`CellModel.voltageDerivatives`;
  /// `false` when the model does not give them).
  func borderRows(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into rows: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard case .bordered(_, _, 1) = jacobianStructure, insertion == modelCount else { return false }
    return currentEquationDerivatives(y, point(y), gradient: rows) != nil
  }
}

extension ControlledCell: DiagonalLinearSystem {
  /// At constant current, a model with linear dynamics (dy/dt = −decay·y + gain·I) gives the system's:
  /// forcing = gain·I_set, the current itself constant. A model whose states are linear in part passes
  /// its NaN decays through (those unknowns the exact integrator's inner BDF integrates).
  func diagonalLinearFlow(
    _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
    forcing: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard case .current(let current) = mode,
      model.linearDynamics(
        ambientTemperature: ambientTemperature, decay: UnsafeMutableBufferPointer(start: modelDecay, count: modelCount),
        gain: UnsafeMutableBufferPointer(start: modelGain, count: modelCount))
    else { return false }
    for i in 0..<modelCount {
      let slot = i < insertion ? i : i + 1
      decay[slot] = modelDecay[i]
      forcing[slot] = modelGain[i] * current
    }
    decay[currentIndex] = 0
    forcing[currentIndex] = 0
    return true
  }

  var residualWithoutLinearFlowReadsLinearUnknowns: Bool { model.statesWithoutLinearDynamicsReadLinearStates }

  /// The model's `jacobianOfStatesWithoutLinearDynamics`: those states are model states (the current,
  /// held, is not among them), in the same order.
  func jacobianWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool {
    model.jacobianOfStatesWithoutLinearDynamics(modelState(y), point(y), into: jacobian, leadingDimension: leadingDimension)
  }

  /// The rates of the model's states without linear dynamics (`CellModel.evaluateStatesWithoutLinearDynamics`).
  func residualWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) {
    let m = modelCount
    if insertion == m {  // the model's rows first: straight into f
      model.evaluateStatesWithoutLinearDynamics(modelState(y), point(y), into: UnsafeMutableBufferPointer(rebasing: f[0..<m]))
      return
    }
    model.evaluateStatesWithoutLinearDynamics(modelState(y), point(y), into: UnsafeMutableBufferPointer(start: rates, count: m))
    for i in 0..<insertion { f[i] = rates[i] }
    for i in insertion..<m { f[i + 1] = rates[i] }
  }
}
