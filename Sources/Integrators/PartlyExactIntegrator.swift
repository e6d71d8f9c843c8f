// CellSim — Integrators/PartlyExactIntegrator.swift
//
// A system some of whose unknowns follow, from the state it was reset to on, the linear diagonal ODE
//
//     dy_i/dt = −k_i·y_i + c_i      (k_i ≥ 0, c_i constant; no other unknown involved)
//
// (`DiagonalLinearSystem.diagonalLinearFlow`, NaN decay for the other unknowns) knows those in closed form,
//
//     y_i(t) = y_i(t_0) + (c_i − k_i·y_i(t_0))·φ(k_i, t − t_0),   φ(k, δ) = (1 − e^{−kδ})/k  (= δ for k = 0)
//
// so they are taken out: the BDF integrates the reduced DAE of the other unknowns, whose residual and
// events see the eliminated ones at their exact values at the time asked (`ReducedSystem`). Its Newton
// system, difference table, error test and step size then concern only the other unknowns (and the
// quadratures, which stay); `state` and `interpolate` give the full solution. Removing unknowns from a
// band keeps the band (the remaining indices only move closer together), so the reduced system keeps
// the full one's Jacobian structure; border unknowns (last) are never eliminated (they are algebraic).

import Foundation

/// The DAE of the unknowns without a closed-form flow, the others filled in from it.
final class ReducedSystem<Full: DiagonalLinearSystem>: DAESystem {
  let full: Full
  /// Unknowns of the full system and of the reduced one.
  let fullCount: Int
  let dimension: Int
  /// The full index of each reduced unknown (ascending), and the eliminated unknowns.
  let kept: UnsafeMutablePointer<Int>
  let eliminated: UnsafeMutablePointer<Int>
  let eliminatedCount: Int
  /// k_i and c_i of the full system's unknowns outside the quadratures (valid where eliminated).
  let decay: UnsafeMutablePointer<Double>
  let forcing: UnsafeMutablePointer<Double>
  /// y_i(t_0) of the eliminated unknowns, t_0 = `baseTime`.
  let base: UnsafeMutablePointer<Double>
  var baseTime = 0.0
  /// A full state: the eliminated unknowns at `expandedTime`, the kept ones as last written.
  let expanded: UnsafeMutablePointer<Double>
  var expandedTime = Double.nan
  let fullResidual: UnsafeMutablePointer<Double>
  let fullBorderRows: UnsafeMutablePointer<Double>
  /// The block the pointers above point into.
  let numbers: UnsafeMutablePointer<Double>
  let isDifferential: [Bool]
  let jacobianStructure: JacobianStructure

  var quadratureCount: Int { full.quadratureCount }
  var eventCount: Int { full.eventCount }

  /// - Parameter linear: for each unknown outside the quadratures, whether it is eliminated.
  init(full: Full, linear: [Bool]) {
    self.full = full
    fullCount = full.dimension
    var eliminatedTotal = 0
    for i in 0..<min(linear.count, fullCount) where linear[i] { eliminatedTotal += 1 }
    eliminatedCount = eliminatedTotal
    dimension = fullCount - eliminatedTotal
    // One block of indices (kept, then eliminated) and one of numbers, carved up (few allocations per run).
    let indices = UnsafeMutablePointer<Int>.allocate(capacity: max(fullCount, 1))
    indices.initialize(repeating: 0, count: max(fullCount, 1))
    let keptIndices = indices
    let eliminatedIndices = indices + (fullCount - eliminatedTotal)
    var (r, e) = (0, 0)
    for i in 0..<fullCount {
      if i < linear.count && linear[i] {
        eliminatedIndices[e] = i
        e += 1
      } else {
        keptIndices[r] = i
        r += 1
      }
    }
    kept = keptIndices
    eliminated = eliminatedIndices
    jacobianStructure = full.jacobianStructure
    var border = 0
    if case .bordered(_, _, let k) = jacobianStructure { border = k }
    let numberCount = (5 + border) * fullCount
    numbers = .allocate(capacity: max(numberCount, 1))
    numbers.initialize(repeating: 0, count: max(numberCount, 1))
    decay = numbers
    forcing = numbers + fullCount
    base = numbers + 2 * fullCount
    expanded = numbers + 3 * fullCount
    fullResidual = numbers + 4 * fullCount
    fullBorderRows = numbers + 5 * fullCount
    let flags = full.isDifferential
    isDifferential = (0..<(fullCount - eliminatedTotal)).map { flags[keptIndices[$0]] }
  }

  deinit {
    kept.deallocate()
    numbers.deallocate()
  }

  /// Takes the eliminated unknowns' values in the full state `y` at `time` as their start.
  func setBase(time: Double, state y: UnsafePointer<Double>) {
    baseTime = time
    for m in 0..<eliminatedCount { base[eliminated[m]] = y[eliminated[m]] }
    expandedTime = .nan
  }

  /// The full state at time t from the reduced unknowns `y` (the closed form once per distinct t).
  @inline(__always)
  func expand(_ t: Double, _ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    if t != expandedTime {
      let delta = t - baseTime
      for m in 0..<eliminatedCount {
        let i = eliminated[m]
        expanded[i] = linearFlow(from: base[i], decay: decay[i], forcing: forcing[i], after: delta)
      }
      expandedTime = t
    }
    for r in 0..<dimension { expanded[kept[r]] = y[r] }
    return UnsafeBufferPointer(start: expanded, count: fullCount)
  }

  @inline(__always) func gather(_ rows: Range<Int>, into f: UnsafeMutableBufferPointer<Double>) {
    for r in rows { f[r] = fullResidual[kept[r]] }
  }

  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    full.residual(t, expand(t, y), into: UnsafeMutableBufferPointer(start: fullResidual, count: fullCount))
    gather(0..<dimension, into: f)
  }

  func mainResidual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    full.mainResidual(t, expand(t, y), into: UnsafeMutableBufferPointer(start: fullResidual, count: fullCount))
    gather(0..<(dimension - quadratureCount), into: f)
  }

  func quadratureResidual(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) {
    full.quadratureResidual(t, expand(t, y), into: UnsafeMutableBufferPointer(start: fullResidual, count: fullCount))
    gather((dimension - quadratureCount)..<dimension, into: f)
  }

  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    full.events(t, expand(t, y), into: g)
  }

  /// The full system's border rows, restricted to the kept columns.
  func borderRows(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into rows: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard case .bordered(_, _, let border) = jacobianStructure else { return false }
    let fullBlock = fullCount - quadratureCount - border
    let block = dimension - quadratureCount - border
    for k in 0..<(border * fullBlock) { fullBorderRows[k] = 0 }
    guard
      full.borderRows(
        t, expand(t, y), into: UnsafeMutableBufferPointer(start: fullBorderRows, count: border * fullBlock))
    else { return false }
    for j in 0..<block {
      for r in 0..<border { rows[r + j * border] = fullBorderRows[r + kept[j] * border] }
    }
    return true
  }
}

/// Integrates a system with `BDFIntegrator` after taking out the unknowns that follow a closed-form
/// linear flow (see the header), with the same driving interface. Preallocated: `reset` and `step`
/// allocate nothing.
public final class PartlyExactIntegrator<System: DiagonalLinearSystem>: StepIntegrator {
  let reduced: ReducedSystem<System>
  let bdf: BDFIntegrator<ReducedSystem<System>>
  public let options: IntegratorOptions
  let n: Int
  /// Unknowns outside the quadratures.
  let nd: Int
  /// Which of those are eliminated, and which unknowns are differential (the candidates).
  let linear: [Bool]
  let differential: [Bool]
  let fullState: UnsafeMutablePointer<Double>
  let reducedState: UnsafeMutablePointer<Double>

  /// `nil` unless, at `state`, some of the system's differential unknowns outside the quadratures follow
  /// a linear flow (`DiagonalLinearSystem.diagonalLinearFlow`) and some do not.
  public init?(system: System, options: IntegratorOptions, at state: UnsafeBufferPointer<Double>) {
    let n = system.dimension
    let nd = n - system.quadratureCount
    let differential = system.isDifferential
    var linear = [Bool](repeating: false, count: nd)
    let flows = withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(nd, 1)) { buffer in
      let k = UnsafeMutableBufferPointer(rebasing: buffer[0..<nd])
      let c = UnsafeMutableBufferPointer(rebasing: buffer[nd..<(2 * nd)])
      k.initialize(repeating: .nan)
      c.initialize(repeating: .nan)
      guard system.diagonalLinearFlow(state, decay: k, forcing: c) else { return false }
      for i in 0..<nd { linear[i] = differential[i] && k[i].isFinite && c[i].isFinite }
      return true
    }
    var count = 0
    var candidates = 0
    for i in 0..<nd {
      if linear[i] { count += 1 }
      if differential[i] { candidates += 1 }
    }
    guard flows, count > 0, count < candidates else { return nil }
    self.n = n
    self.nd = nd
    self.linear = linear
    self.differential = differential
    let reduced = ReducedSystem(full: system, linear: linear)
    var reducedOptions = options
    if options.absoluteTolerance.count == n {
      reducedOptions.absoluteTolerance = (0..<reduced.dimension).map { options.absoluteTolerance[reduced.kept[$0]] }
    }
    self.reduced = reduced
    bdf = BDFIntegrator(system: reduced, options: reducedOptions)
    self.options = options
    fullState = .allocate(capacity: n + max(reduced.dimension, 1))
    fullState.initialize(repeating: 0, count: n + max(reduced.dimension, 1))
    reducedState = fullState + n
  }

  deinit { fullState.deallocate() }

  public var t: Double { bdf.t }
  public var previousTime: Double { bdf.previousTime }
  public var state: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: fullState, count: n) }
  public var eventValues: UnsafeBufferPointer<Double> { bdf.eventValues }
  public var statistics: SolverStatistics { bdf.statistics }
  public func setStopTime(_ time: Double) { bdf.setStopTime(time) }

  /// Whether the same unknowns follow a linear flow at `state` (then its decay and forcing are taken).
  public func applies(at state: UnsafeBufferPointer<Double>) -> Bool {
    guard
      reduced.full.diagonalLinearFlow(
        state, decay: UnsafeMutableBufferPointer(start: reduced.decay, count: nd),
        forcing: UnsafeMutableBufferPointer(start: reduced.forcing, count: nd))
    else { return false }
    for i in 0..<nd where linear[i] != (differential[i] && reduced.decay[i].isFinite && reduced.forcing[i].isFinite) {
      return false
    }
    return true
  }

  /// Starts at (t0, y0): the eliminated unknowns from y0 on, the BDF on the others.
  /// - Throws: `.inconsistentInitialConditions` when the same unknowns no longer follow a linear flow
  ///   at y0; the BDF's failures.
  public func reset(time t0: Double, state y0: UnsafeBufferPointer<Double>) throws(IntegratorFailure) {
    for i in 0..<n { fullState[i] = y0[i] }
    guard applies(at: state) else { throw .inconsistentInitialConditions(t: t0, residual: .nan) }
    reduced.setBase(time: t0, state: fullState)
    for r in 0..<reduced.dimension { reducedState[r] = fullState[reduced.kept[r]] }
    try bdf.reset(time: t0, state: UnsafeBufferPointer(start: reducedState, count: reduced.dimension))
    synchronise()
  }

  /// Evaluates the event functions again (see `StepIntegrator.refreshEvents`).
  public func refreshEvents() { bdf.refreshEvents() }

  /// `fullState` from the BDF's solution at its current time.
  func synchronise() {
    let full = reduced.expand(bdf.t, bdf.state)
    for i in 0..<n { fullState[i] = full[i] }
  }

  public func step() -> StepOutcome {
    let outcome = bdf.step()
    synchronise()
    return outcome
  }

  public func interpolate(at time: Double, into out: UnsafeMutableBufferPointer<Double>) {
    bdf.interpolate(at: time, into: reducedState)
    let full = reduced.expand(time, UnsafeBufferPointer(start: reducedState, count: reduced.dimension))
    for i in 0..<n { out[i] = full[i] }
  }
}
