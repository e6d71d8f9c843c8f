// CellSim — Integrators/ExactFlowIntegrator.swift
//
// Closed-form integration of a system whose differential unknowns obey, from the state it was
// reset to on, the linear diagonal ODE
//
//     dy_i/dt = −k_i·y_i + c_i        (k_i ≥ 0, c_i constant; algebraic unknowns constant)
//
// (`DiagonalLinearSystem.diagonalLinearFlow`). From a base point (t_b, y_b):
//
//     y_i(t_b + δ) = y_b,i + (c_i − k_i·y_b,i)·φ(k_i, δ),   φ(k, δ) = (1 − e^{−kδ})/k  (= δ for k = 0)
//
// exact at every δ (φ via expm1, so no cancellation for small kδ). Only the quadratures q_j
// (charge, energy, ∫V dt: dq_j/dt = f_j(t, y), nonlinear in y) and the events need steps. Each step
// [t_b, t_b + h] evaluates f at the five equally spaced nodes t_b + m·h/4 (where e^{−k·m·h/4} =
// r^m, r = e^{−k·h/4}: one exponential per unknown and step); the quadratures use the quartic through
// them (Boole's rule over the step, local error O(h⁷)). The first step after a reset is graded: its
// nodes are at t_b + (m/4)²·h (e^{−k·m²h/16} = q^{m²}, still one exponential), and the quadratures are
// taken in u = √((t − t_b)/h), where the √(t − t_b) transients that follow a change of current are
// smooth (∫ f dt = h·∫₀¹ f·2u du). The step is accepted when Boole's rule and the
// composite Simpson rule on the same nodes agree to atol_j + rtol·|q_j|, and the next h follows the
// usual h·(tolerance/error)^{1/5} rule (at most ×10). Events are checked at the end of each step, as
// the BDF does; a sign change is located by the Illinois method on the exact solution, and the step
// ends on the root. The step is also limited to a quarter of the stop-time span, so events are
// sampled finely enough not to be stepped over.
//
// Unknowns without a closed form. When only some unknowns have a linear flow (the others' decay NaN,
// e.g. the SPMe's electrolyte next to its particles), the others are integrated by an inner BDF on
// their own (`ReducedSystem`: their rates at the full state, the closed-form unknowns filled in at the
// time asked; no quadratures, no events). The BDF steps as its own error test requires (the
// electrolyte's relaxation: ~60 steps in a 1C discharge); its steps' interpolating polynomials are
// kept (`InterpolantHistory`), and this integrator reads the node states from them, so its own steps —
// and the voltage evaluations of the quadratures and events — follow the quadratures' error alone
// (~10 in a discharge), however many BDF steps one of them spans.

import Foundation

/// y(t_b + δ) for dy/dt = −k·y + c from y(t_b) = y_b: y_b + (c − k·y_b)·φ(k, δ), φ = (1 − e^{−kδ})/k by
/// expm1 (= δ for k = 0; 1/k beyond kδ = 40, where e^{−kδ} < 5e-18 and y sits at its equilibrium c/k).
/// Shared by the exact integrator's nodes and interpolation and `ReducedSystem`.
@inline(__always)
func linearFlow(from yb: Double, decay k: Double, forcing c: Double, after delta: Double) -> Double {
  let phi = k == 0 ? delta : (k * delta > 40 ? 1 / k : -expm1(-k * delta) / k)
  return yb + (c - k * yb) * phi
}

/// A system that can say when its differential unknowns follow a linear diagonal ODE.
public protocol DiagonalLinearSystem: DAESystem {
  /// If, from the state `y` on (its algebraic unknowns held fixed), every differential unknown
  /// outside the quadratures obeys dy_i/dt = −decay_i·y_i + forcing_i with constants, writes them
  /// (count `dimension − quadratureCount`; zeros for algebraic unknowns) and returns `true`. A system
  /// only some of whose unknowns do (each on its own: no other unknown in its rate) writes NaN as the
  /// decay of the others and returns `true`: those the integrator's inner BDF integrates.
  func diagonalLinearFlow(
    _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
    forcing: UnsafeMutableBufferPointer<Double>
  ) -> Bool
  /// `mainResidual` for the rows of the unknowns without a linear flow only (NaN decay); the other
  /// rows may be left unwritten. Default: `mainResidual`.
  func residualWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>)
  /// Whether `residualWithoutLinearFlow` reads the unknowns with a linear flow (if not, the inner BDF
  /// does not evaluate their closed forms for it). Default: `true`.
  var residualWithoutLinearFlowReadsLinearUnknowns: Bool { get }
  /// The dense Jacobian of `residualWithoutLinearFlow`'s rows with respect to the unknowns without a
  /// linear flow (those rows and columns only, in index order: ∂f_i/∂y_j at `jacobian[i + j·leadingDimension]`),
  /// for the inner BDF, if the system has it: returns `true`. Default `false` (finite differences).
  func jacobianWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool
}

extension DiagonalLinearSystem {
  public var residualWithoutLinearFlowReadsLinearUnknowns: Bool { true }
  public func jacobianWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool { false }
  public func residualWithoutLinearFlow(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) { mainResidual(t, y, into: f) }
}

/// Exact integrator for `DiagonalLinearSystem`s, with the same driving interface as `BDFIntegrator`.
/// Preallocated: `reset` and `step` allocate nothing.
public final class ExactFlowIntegrator<System: DiagonalLinearSystem>: StepIntegrator {
  public let system: System
  public private(set) var options: IntegratorOptions
  /// This integrator's own steps and evaluations (the inner BDF's are added in `statistics`).
  private var ownStatistics = SolverStatistics()
  public var statistics: SolverStatistics { inner.map { ownStatistics + $0.statistics } ?? ownStatistics }
  public private(set) var t: Double = 0
  public private(set) var previousTime: Double = 0
  public private(set) var stopTime: Double = .infinity

  let n: Int
  /// Unknowns outside the quadratures.
  let nd: Int
  let eventCount: Int
  let atol: [Double]
  /// Indices of the algebraic unknowns (checked for consistency at `reset`).
  let algebraic: [Int]
  let decay: UnsafeMutablePointer<Double>
  let forcing: UnsafeMutablePointer<Double>
  /// The base point of the current step: t_b = previousTime, y_b.
  let base: UnsafeMutablePointer<Double>
  let y: UnsafeMutablePointer<Double>
  let work: UnsafeMutablePointer<Double>
  let f: UnsafeMutablePointer<Double>
  /// Quadrature rates at the five nodes of the step (node-major: rates[m·nq + j]).
  let rates: UnsafeMutablePointer<Double>
  /// The five node states (node-major).
  let nodes: UnsafeMutablePointer<Double>
  let eventsOld: UnsafeMutablePointer<Double>
  let eventsNew: UnsafeMutablePointer<Double>
  let eventsWork: UnsafeMutablePointer<Double>
  let eventsNodeBefore: UnsafeMutablePointer<Double>
  var h: Double = 0
  /// Whether `rates` at node 4 hold the rates at `y` (the last step ended on its node 4), to be reused
  /// at node 0 of the next step.
  var endRatesAreKnown = false
  /// Error ratio and length of the last accepted step (for the growth of the next).
  var previousRatio = 0.0
  var previousLength = 0.0
  /// Length of the last accepted step (its nodes are previousTime + stepLength·fraction(m)).
  var stepLength: Double = 0
  /// Whether the last accepted step was graded (see `fraction`).
  var stepGraded = false
  /// Whether the next step starts where the integrator was reset (it is then graded).
  var atReset = false
  /// The unknowns without a closed form (see the header), when there are some: their DAE, the BDF on
  /// it, its recent steps' interpolants, and a reduced state. Built at the first reset that needs
  /// them (again only if other unknowns lose their closed form).
  var reduced: ReducedSystem<System>?
  var inner: BDFIntegrator<ReducedSystem<System>>?
  var history: InterpolantHistory?
  var innerState: UnsafeMutablePointer<Double>?
  /// Whether the current run uses the inner BDF.
  var usesInner = false
  /// Steps of the inner BDF kept: enough for one of this integrator's steps in a discharge (a fuller
  /// ring cuts the step short).
  static var historyCapacity: Int { 64 }
  /// The earliest node time since the reset at which the quadrature rates were non-finite (the model
  /// had left its domain there), +∞ if none: steps keep a distance from it (see `step`).
  var nonFiniteTime = Double.infinity
  /// The fraction of the way to `nonFiniteTime` a step may go.
  static var domainFraction: Double { 0.4 }

  public init(system: System, options: IntegratorOptions = IntegratorOptions()) {
    self.system = system
    self.options = options
    n = system.dimension
    nd = n - system.quadratureCount
    eventCount = system.eventCount
    algebraic = system.isDifferential.indices.filter { !system.isDifferential[$0] }
    atol = options.absoluteTolerance.count == n
      ? options.absoluteTolerance : Array(repeating: options.absoluteTolerance.first ?? 1e-8, count: n)
    func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
      let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
      p.initialize(repeating: 0, count: max(count, 1))
      return p
    }
    decay = buffer(n)
    forcing = buffer(n)
    base = buffer(n)
    y = buffer(n)
    work = buffer(n)
    f = buffer(n)
    rates = buffer(5 * (n - nd))
    nodes = buffer(5 * n)
    eventsOld = buffer(eventCount)
    eventsNew = buffer(eventCount)
    eventsWork = buffer(eventCount)
    eventsNodeBefore = buffer(eventCount)
  }

  deinit {
    for p in [decay, forcing, base, y, work, f, rates, nodes, eventsOld, eventsNew, eventsWork, eventsNodeBefore] { p.deallocate() }
    innerState?.deallocate()
  }

  public var state: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: y, count: n) }
  public var eventValues: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: eventsOld, count: eventCount) }
  public func setStopTime(_ time: Double) {
    stopTime = time
    if usesInner { inner?.setStopTime(time) }
  }

  /// Whether `system` follows a linear diagonal flow from `state` (so this integrator applies).
  public func applies(at state: UnsafeBufferPointer<Double>) -> Bool {
    system.diagonalLinearFlow(
      state, decay: UnsafeMutableBufferPointer(start: decay, count: nd),
      forcing: UnsafeMutableBufferPointer(start: forcing, count: nd))
  }

  /// Starts at (t0, y0). The algebraic unknowns must already be consistent (they are held fixed).
  /// - Throws: `.inconsistentInitialConditions` when the system has no linear flow at y0 or its
  ///   algebraic rows are not satisfied; `.nonFiniteResidual`.
  public func reset(time t0: Double, state y0: UnsafeBufferPointer<Double>) throws(IntegratorFailure) {
    t = t0
    previousTime = t0
    stepLength = 0
    stepGraded = false
    atReset = true
    nonFiniteTime = .infinity
    endRatesAreKnown = false
    previousRatio = 0
    previousLength = 0
    for i in 0..<n { y[i] = y0[i]; base[i] = y0[i] }
    guard applies(at: state) else { throw .inconsistentInitialConditions(t: t0, residual: .nan) }
    try resetInner(time: t0)
    system.residual(t0, state, into: UnsafeMutableBufferPointer(start: f, count: n))
    ownStatistics.residualEvaluations += 1
    for i in 0..<n where !f[i].isFinite { throw .nonFiniteResidual(t: t0) }
    var worst = 0.0
    for i in algebraic { worst = max(worst, abs(f[i]) / (atol[i] + options.relativeTolerance * abs(y[i]))) }
    if worst > 1 { throw .inconsistentInitialConditions(t: t0, residual: worst) }
    system.events(t0, state, into: UnsafeMutableBufferPointer(start: eventsOld, count: eventCount))
    // The first step is chosen by `step` from the stop time (0: not chosen yet).
    h = options.initialStep ?? 0
  }

  /// Starts the inner BDF at (t0, y) on the unknowns without a closed form (decay NaN), building it
  /// when they are not those it was built for.
  func resetInner(time t0: Double) throws(IntegratorFailure) {
    usesInner = false
    for i in 0..<nd where !hasClosedForm(i) {
      usesInner = true
      break
    }
    guard usesInner else { return }
    var rebuild = reduced == nil
    if let built = reduced {
      for i in 0..<nd where built.keeps[i] == hasClosedForm(i) {
        rebuild = true
        break
      }
    }
    if rebuild {
      let keeps = (0..<nd).map { !hasClosedForm($0) }
      let system = ReducedSystem(full: system, keeps: keeps)
      var innerOptions = options
      innerOptions.initialStep = nil
      if options.absoluteTolerance.count == n {
        innerOptions.absoluteTolerance = (0..<system.dimension).map { options.absoluteTolerance[system.kept[$0]] }
      }
      reduced = system
      inner = BDFIntegrator(system: system, options: innerOptions)
      history = InterpolantHistory(unknowns: system.dimension, capacity: Self.historyCapacity)
      innerState?.deallocate()
      innerState = .allocate(capacity: max(system.dimension, 1))
      innerState?.initialize(repeating: 0, count: max(system.dimension, 1))
    }
    guard let reduced, let inner, let history, let innerState else { return }
    reduced.setBase(time: t0, state: y, decay: decay, forcing: forcing)
    for r in 0..<reduced.dimension { innerState[r] = y[reduced.kept[r]] }
    inner.setStopTime(stopTime)
    try inner.reset(time: t0, state: UnsafeBufferPointer(start: innerState, count: reduced.dimension))
    history.clear()
    history.append(inner.lastInterpolant, start: t0)
  }

  /// How filling a node from the inner BDF went.
  enum InnerNode {
    case filled
    /// The BDF failed (the step cannot go on).
    case failed(IntegratorFailure)
    /// The history is full of steps the current one still needs: it can reach this time only.
    case coveredUntil(Double)
  }

  /// Writes the unknowns without a closed form at node m (1…4) of a step of `length` from t (node 0 is
  /// the base), stepping the inner BDF on as far as the node and keeping its steps.
  func fillInnerNode(_ m: Int, length: Double, graded: Bool) -> InnerNode {
    guard let reduced, let inner, let history, let innerState else { return .filled }
    let time = t + length * Self.fraction(m, graded: graded)
    while inner.t < time && inner.t < stopTime {
      if history.isFull && history.oldestEnd > t { return .coveredUntil(inner.t) }
      let start = inner.t
      switch inner.step() {
      case .advanced, .reachedStopTime, .event: history.append(inner.lastInterpolant, start: start)
      case .failed(let failure): return .failed(failure)
      }
    }
    history.evaluate(at: time, into: innerState)
    let node = nodes + m * n
    for r in 0..<reduced.dimension { node[reduced.kept[r]] = innerState[r] }
    return .filled
  }

  /// Evaluates the event functions again at (t, y) (see `StepIntegrator.refreshEvents`).
  public func refreshEvents() {
    system.events(t, state, into: UnsafeMutableBufferPointer(start: eventsOld, count: eventCount))
  }

  /// y at base + δ, for the unknowns with a closed form (the inner BDF's are left to the caller).
  @inline(__always) func flow(_ delta: Double, into out: UnsafeMutablePointer<Double>) {
    let (decay, forcing, base) = (self.decay, self.forcing, self.base)
    for i in 0..<nd {
      let k = decay[i]
      if k.isNaN { continue }  // no closed form (`hasClosedForm`)
      out[i] = linearFlow(from: base[i], decay: k, forcing: forcing[i], after: delta)
    }
  }

  /// Whether unknown i (outside the quadratures) follows the linear flow; if not (NaN decay,
  /// `DiagonalLinearSystem.diagonalLinearFlow`), the inner BDF integrates it.
  @inline(__always) func hasClosedForm(_ i: Int) -> Bool { !decay[i].isNaN }

  /// ∫_0^θ L_m(s) ds for the Lagrange basis L_m on the nodes 0, ¼, ½, ¾, 1 (m = 0…4), θ in [0, 1]
  /// (three-point Gauss–Legendre: exact for these quartics).
  @inline(__always) static func nodeWeights(_ theta: Double) -> (Double, Double, Double, Double, Double) {
    let g = 0.7745966692414834  // √(3/5)
    var w = (0.0, 0.0, 0.0, 0.0, 0.0)
    @inline(__always) func add(_ x: Double, _ weight: Double) {
      let s = 0.5 * theta * (x + 1)
      let scale = 0.5 * theta * weight
      // L_m(s) = Π_{j≠m} (s − j/4)/((m − j)/4)
      let d0 = s, d1 = s - 0.25, d2 = s - 0.5, d3 = s - 0.75, d4 = s - 1
      w.0 += scale * (d1 * d2 * d3 * d4) / (-0.25 * -0.5 * -0.75 * -1)
      w.1 += scale * (d0 * d2 * d3 * d4) / (0.25 * -0.25 * -0.5 * -0.75)
      w.2 += scale * (d0 * d1 * d3 * d4) / (0.5 * 0.25 * -0.25 * -0.5)
      w.3 += scale * (d0 * d1 * d2 * d4) / (0.75 * 0.5 * 0.25 * -0.25)
      w.4 += scale * (d0 * d1 * d2 * d3) / (1 * 0.75 * 0.5 * 0.25)
    }
    add(-g, 5.0 / 9)
    add(0, 8.0 / 9)
    add(g, 5.0 / 9)
    return w
  }

  /// The quadratures at base + θ·length from the node rates of the step.
  @inline(__always) func quadratures(
    _ theta: Double, length: Double, graded: Bool, into out: UnsafeMutablePointer<Double>
  ) {
    let nq = n - nd
    let u = graded ? theta.squareRoot() : theta
    let w = Self.nodeWeights(u)
    let c = Self.integrandFactors(graded)
    for j in 0..<nq {
      let integral = w.0 * c.0 * rates[j] + w.1 * c.1 * rates[nq + j] + w.2 * c.2 * rates[2 * nq + j]
        + w.3 * c.3 * rates[3 * nq + j] + w.4 * c.4 * rates[4 * nq + j]
      out[nd + j] = base[nd + j] + length * integral
    }
  }

  /// Where node m (0…4) of a step lies, as a fraction of its length: m/4, or (m/4)² for a graded
  /// step — the first after a reset, where a change of current starts diffusion transients that go
  /// as √(t − t_reset): in u = √((t − t_b)/length) they are smooth, and the quadratures
  /// ∫ f dt = length·∫₀¹ f·2u du are taken by the same rules on nodes equally spaced in u.
  @inline(__always) static func fraction(_ m: Int, graded: Bool) -> Double {
    graded ? Double(m * m) / 16 : Double(m) / 4
  }

  /// dt/du / length at the nodes: 1, or 2u = m/2 for a graded step.
  @inline(__always) static func integrandFactors(_ graded: Bool) -> (Double, Double, Double, Double, Double) {
    graded ? (0, 0.5, 1, 1.5, 2) : (1, 1, 1, 1, 1)
  }

  public func step() -> StepOutcome {
    let nq = n - nd
    let remaining = stopTime - t
    guard remaining > 0 else { return .reachedStopTime }
    for i in 0..<n { base[i] = y[i] }
    previousTime = t
    var baseRatesAreKnown = endRatesAreKnown
    if baseRatesAreKnown { for j in 0..<nq { rates[j] = rates[4 * nq + j] } }
    let span = stopTime.isFinite ? stopTime : max(t, 1) * 1e6
    // First step: 1e-3 of the span, graded (nodes at (m/4)² of it, so the √t transient after a change
    // of current is smooth in the quadrature's variable; uniform nodes allowed ~0.1 s at rtol 1e-5).
    // The error test shrinks it if needed, later steps grow at most ×10.
    if h == 0 { h = 1e-3 * min(remaining, span) }
    let graded = atReset
    let c = Self.integrandFactors(graded)
    attempt: while true {
      // At most a fraction θ = 0.4 of the way to where the model was non-finite (past the end of
      // discharge: a stoichiometry beyond 0 or 1). Between resets the states follow one exact flow,
      // so that time is a property of the trajectory, not of the step that found it; the domain's
      // edge lies before it, and the voltage's derivatives grow like inverse powers of the distance
      // D to the edge (the OCP's logarithms), so a step of θ·D has an error ratio that barely depends
      // on D — a fixed fraction. The steps then close in geometrically (D × 0.6 each) on the knee,
      // where the cut-off event lies, instead of overshooting it into the non-finite region again
      // and being rejected there and then for error near the edge (spm-1c: 17 attempts → 13; θ = 0.5
      // was rejected for error twice there, 0.45 passed at ratio 0.995, 0.35 and 0.3 took more
      // steps over the 1000-rate sweep).
      var length = min(h, options.maximumStep, span / 4, Self.domainFraction * (nonFiniteTime - t))
      let lastStep = length >= remaining * (1 - 1e-12)
      if lastStep { length = remaining }
      if length <= 10 * (t.nextUp - t) { return .failed(.stepSizeTooSmall(t: t)) }
      // Node states: y_m = y_b + a·(1 − r^m), a = c/k − y_b, r = e^{−k·length/4}; y_b + c·δ for k = 0.
      fillNodes(length: length, graded: graded)
      // Rates of the quadratures at the nodes (at node 0, the end of the last step's, kept).
      var firstNonFinite: Int?
      nodeLoop: for m in 0...4 {
        let node = nodes + m * n
        for i in nd..<n { node[i] = base[i] }
        if m == 0 && baseRatesAreKnown { continue }
        // The inner BDF's unknowns node by node, so that a step the quadratures cut short (below) does
        // not step it further than needed.
        if usesInner && m > 0 {
          switch fillInnerNode(m, length: length, graded: graded) {
          case .filled: break
          case .failed(let failure): return .failed(failure)
          case .coveredUntil(let time):
            h = (time - t) * (1 - 1e-9)
            continue attempt
          }
        }
        // Only the quadrature rows are needed: the flow gives the rest.
        system.quadratureResidual(t + length * Self.fraction(m, graded: graded), UnsafeBufferPointer(start: node, count: n),
          into: UnsafeMutableBufferPointer(start: f, count: n))
        ownStatistics.residualEvaluations += 1
        for j in 0..<nq {
          rates[m * nq + j] = f[nd + j]
          if !f[nd + j].isFinite {
            firstNonFinite = m
            break nodeLoop
          }
        }
      }
      baseRatesAreKnown = firstNonFinite != 0  // a retry from the same base keeps node 0
      if let m = firstNonFinite {
        // The model left its domain inside the step (a stoichiometry past 0 or 1 beyond a cut-off the
        // step overshot): retry up to the last node that was fine (and, by the cap above, at most
        // θ of the way to the node that was not).
        ownStatistics.rejectedSteps += 1
        nonFiniteTime = min(nonFiniteTime, t + length * Self.fraction(m, graded: graded))
        h = m >= 2 ? length * Double(m - 1) / 4 : length / 8
        continue
      }
      // Error: Boole − composite Simpson over the whole step.
      var ratio = 0.0
      for j in 0..<nq {
        let (g0, g1, g2, g3, g4) = (
          c.0 * rates[j], c.1 * rates[nq + j], c.2 * rates[2 * nq + j], c.3 * rates[3 * nq + j], c.4 * rates[4 * nq + j]
        )
        let boole = length / 90 * (7 * g0 + 32 * g1 + 12 * g2 + 32 * g3 + 7 * g4)
        let simpson = length / 12 * (g0 + 4 * g1 + 2 * g2 + 4 * g3 + g4)
        let scale = atol[nd + j] + options.relativeTolerance * abs(base[nd + j] + boole)
        ratio = max(ratio, abs(boole - simpson) / scale)
      }
      if ratio > 1 {
        ownStatistics.rejectedSteps += 1
        h = length * min(0.9, max(0.2, 0.9 * pow(ratio, -0.2)))
        continue
      }
      // Next step: h·(1/ratio)^{1/p}. The error of Simpson's rule grows as h^5 where V is smooth
      // (p = 5), but barely in the √t transient after a change of current, where the ratio stays
      // put as h grows; p is therefore taken from the last two accepted steps,
      // p = ln(ratio/ratio_prev)/ln(h/h_prev), kept within [1, 5].
      var order = 5.0
      if previousRatio > 0, ratio > 0, abs(length - previousLength) > 1e-3 * length {
        order = min(5, max(1, log(ratio / previousRatio) / log(length / previousLength)))
      }
      let grow = ratio == 0 ? 10 : min(10, max(0.2, 0.9 * pow(ratio, -1 / order)))
      previousRatio = ratio
      previousLength = length
      stepLength = length
      stepGraded = graded
      atReset = false
      // Quadratures and events at the end of the step.
      quadratures(1, length: length, graded: graded, into: nodes + 4 * n)
      let end = nodes + 4 * n
      system.events(t + length, UnsafeBufferPointer(start: end, count: n),
        into: UnsafeMutableBufferPointer(start: eventsNew, count: eventCount))
      ownStatistics.steps += 1
      h = length * grow
      var crossed = false
      for k in 0..<eventCount where eventsOld[k] > 0 && eventsNew[k] <= 0 { crossed = true }
      if crossed {
        let (k, time) = locate(length: length)
        t = time
        interpolate(at: time, into: UnsafeMutableBufferPointer(start: y, count: n))
        system.events(t, state, into: UnsafeMutableBufferPointer(start: eventsOld, count: eventCount))
        ownStatistics.eventsLocated += 1
        endRatesAreKnown = false
        return .event(index: k)
      }
      t = lastStep ? stopTime : t + length
      for i in 0..<n { y[i] = end[i] }
      endRatesAreKnown = true
      for k in 0..<eventCount { eventsOld[k] = eventsNew[k] }
      return lastStep ? .reachedStopTime : .advanced
    }
  }

  /// Writes the flow's states at the four nodes base + length·fraction(m) (m = 1…4) and the base at
  /// node 0: y_m = y_b + a·(1 − r_m), a = c/k − y_b, r_m = e^{−k·length·fraction(m)} — uniform nodes
  /// r_m = r^m with r = e^{−k·length/4}, graded ones r_m = q^{m²} with q = e^{−k·length/16}: one
  /// exponential per unknown either way; y_b + c·length·fraction(m) for k = 0.
  @inline(__always) func fillNodes(length: Double, graded: Bool) {
    let (decay, forcing, base, nodes, n) = (self.decay, self.forcing, self.base, self.nodes, self.n)
    let unit = graded ? length / 16 : length / 4
    for i in 0..<nd {
      let k = decay[i]
      let b = base[i]
      nodes[i] = b
      if k.isNaN { continue }  // no closed form: the inner BDF's (`hasClosedForm`, `fillInnerNode`)
      if k == 0 {
        let d = forcing[i] * unit
        nodes[n + i] = b + d
        nodes[2 * n + i] = b + (graded ? 4 : 2) * d
        nodes[3 * n + i] = b + (graded ? 9 : 3) * d
        nodes[4 * n + i] = b + (graded ? 16 : 4) * d
      } else {
        let a = (forcing[i] - k * b) / k
        // e^{−40} ≈ 4e-18: a mode that relaxes within the first node's time sits at its equilibrium.
        let r = k * unit > 40 ? 0 : exp(-k * unit)
        let r2 = r * r
        let (r3, r4): (Double, Double)
        if graded {
          let q4 = r2 * r2
          let q8 = q4 * q4
          (r3, r4) = (q8 * r, q8 * q8)
          nodes[n + i] = b + a * (1 - r)
          nodes[2 * n + i] = b + a * (1 - q4)
        } else {
          (r3, r4) = (r2 * r, r2 * r2)
          nodes[n + i] = b + a * (1 - r)
          nodes[2 * n + i] = b + a * (1 - r2)
        }
        nodes[3 * n + i] = b + a * (1 - r3)
        nodes[4 * n + i] = b + a * (1 - r4)
      }
    }
  }

  /// The earliest root of the events that changed sign over the step: bracketed by the step's
  /// nodes, then the Illinois method on the exact solution. Returns (event, time).
  func locate(length: Double) -> (Int, Double) {
    // The first node at which an event has crossed; the bracket is the quarter before it.
    var last = 4
    var before = eventsOld
    for m in 1...3 {
      // The node states hold the base's quadratures (the rates need only the flow's unknowns): the
      // quadratures at the node first, for events on them (a charge limit).
      quadratures(Self.fraction(m, graded: stepGraded), length: length, graded: stepGraded, into: nodes + m * n)
      system.events(previousTime + length * Self.fraction(m, graded: stepGraded), UnsafeBufferPointer(start: nodes + m * n, count: n),
        into: UnsafeMutableBufferPointer(start: eventsWork, count: eventCount))
      var crossed = false
      for k in 0..<eventCount where eventsOld[k] > 0 && eventsWork[k] <= 0 { crossed = true }
      if crossed {
        last = m
        for k in 0..<eventCount { eventsNew[k] = eventsWork[k] }
        break
      }
      for k in 0..<eventCount { eventsNodeBefore[k] = eventsWork[k] }
      before = eventsNodeBefore
    }
    var best = (0, Double.infinity)
    var bestBracket = (Double.nan, Double.nan)
    for k in 0..<eventCount where eventsOld[k] > 0 && eventsNew[k] <= 0 {
      var ta = previousTime + length * Self.fraction(last - 1, graded: stepGraded)
      var ga = before[k]
      let tb = previousTime + length * Self.fraction(last, graded: stepGraded)
      let gb = eventsNew[k]
      if ta >= best.1 { continue }
      // The same function as an event already located (a step's voltage limit that is also the
      // cell's): the same root.
      if ga == bestBracket.0 && gb == bestBracket.1 { continue }
      let bracket = (ga, gb)
      if !(ga > 0) {
        // Crossed and came back within the earlier quarters: search the whole step.
        ta = previousTime
        ga = eventsOld[k]
      }
      let root = eventRoot(from: ta, ga, to: tb, gb) { tm in
        interpolate(at: tm, into: UnsafeMutableBufferPointer(start: work, count: n))
        system.events(tm, UnsafeBufferPointer(start: work, count: n),
          into: UnsafeMutableBufferPointer(start: eventsWork, count: eventCount))
        return eventsWork[k]
      }
      if root < best.1 {
        best = (k, root)
        bestBracket = bracket
      }
    }
    return best
  }

  /// The solution at `time` in the last step: exact for the flow, the step's quartic for the
  /// quadratures.
  public func interpolate(at time: Double, into out: UnsafeMutableBufferPointer<Double>) {
    guard let p = out.baseAddress else { return }
    flow(time - previousTime, into: p)
    if usesInner, let reduced, let history, let innerState {
      history.evaluate(at: time, into: innerState)
      for r in 0..<reduced.dimension { p[reduced.kept[r]] = innerState[r] }
    }
    if stepLength > 0 {
      quadratures((time - previousTime) / stepLength, length: stepLength, graded: stepGraded, into: p)
    } else {
      for i in nd..<n { p[i] = base[i] }
    }
  }
}
