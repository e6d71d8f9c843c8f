// CellSim — Integrators/BDFIntegrator.swift
//
// Variable-order (1–5), variable-step BDF for semi-explicit index-1 DAEs  M·y' = f(t, y).
//
// The method is the quasi-constant-step backward-difference formulation of Shampine & Reichelt
// ("The MATLAB ODE Suite", SIAM J. Sci. Comput. 18, 1997; also SciPy's `BDF`), extended to a
// diagonal, possibly singular mass matrix. With the backward differences D_k of the solution history,
// the order-q step from t_n to t_{n+1} = t_n + h solves for the correction d = y_{n+1} − y⁽⁰⁾:
//
//     y⁽⁰⁾ = Σ_{k=0..q} D_k                         (predictor)
//     ψ    = (1/α_q) Σ_{k=1..q} γ_k D_k,   γ_k = Σ_{j=1..k} 1/j,   α_q = γ_q
//     M·(ψ + d) = c·f(t_{n+1}, y⁽⁰⁾ + d),   c = h/α_q
//
// by a simplified Newton iteration with the iteration matrix  A = M − c·J  (J = ∂f/∂y, reused over
// many steps and refreshed when Newton converges slowly; a small system's analytic J, as cheap as a
// residual, also with each refactorisation and after each rejected step). Algebraic rows (m_i = 0) reduce to
// f_i = 0, which is why the same formula integrates index-1 DAEs. BDF1 and BDF2 are L-stable; orders
// 3–5 are A(α)-stable with α ≥ 51°, enough for the diffusion-dominated spectra of cell models.
//
// Local error: e = (1/(q+1))·d, tested in the weighted RMS norm of `IntegratorOptions`. Step size
// and order are chosen from the error estimates of orders q−1, q, q+1 after q+1 equal steps.
//
// Events: after each accepted step the event functions are evaluated; a sign change from > 0 to ≤ 0
// is located by the Illinois method on the step's interpolating polynomial, and the step is cut
// back to the root, so the solution ends on the event instead of stepping over it. The algebraic
// unknowns at the root are then made consistent again.

import Foundation

/// One call to `BDFIntegrator.step()`: what happened.
public enum StepOutcome: Sendable, Equatable {
  /// One more step was taken; t < stop time.
  case advanced
  /// The step ended exactly on the stop time.
  case reachedStopTime
  /// Event function `index` reached zero; the integrator now sits exactly on its root.
  case event(index: Int)
  /// The integrator could not go on; its state is the last good one.
  case failed(IntegratorFailure)
}

/// Variable-order BDF integrator for `M·y' = f(t, y)`. Owns preallocated workspaces: after `init`,
/// `reset` and `step` allocate nothing.
///
/// Its mutable state is `@exclusivity(unchecked)`: a class's stored properties are otherwise checked
/// for overlapping access at run time whenever the compiler cannot rule it out (here: every access
/// around a call into the system), ~90 instructions per access and a tenth of a small system's solve.
/// Only the integrator's own methods write them, one at a time, on one thread (the class is not
/// `Sendable`), so there is nothing for the check to find.
public final class BDFIntegrator<System: DAESystem> {
  public let system: System
  @exclusivity(unchecked) public private(set) var options: IntegratorOptions
  @exclusivity(unchecked) public private(set) var statistics = SolverStatistics()
  /// Current time.
  @exclusivity(unchecked) public private(set) var t: Double = 0
  /// Start of the last accepted step (the interpolant is valid on [previousTime, t]).
  @exclusivity(unchecked) public private(set) var previousTime: Double = 0
  /// Time the integrator will not step past.
  @exclusivity(unchecked) public private(set) var stopTime: Double = .infinity

  let n: Int
  /// Unknowns in the Newton system: all but the trailing quadratures.
  let nMain: Int
  let maxOrder: Int
  let mass: UnsafeMutablePointer<Double>
  let atol: UnsafeMutablePointer<Double>
  let algebraicIndices: [Int]

  // History: D_k stored as rows k = 0 … maxOrder+2, each of length n.
  let history: UnsafeMutablePointer<Double>
  let historyScratch: UnsafeMutablePointer<Double>
  // Interpolant of the last accepted step: its D_0…D_q, step size and order.
  let interpolantHistory: UnsafeMutablePointer<Double>
  @exclusivity(unchecked) var interpolantOrder = 1
  @exclusivity(unchecked) var interpolantStep = 0.0
  @exclusivity(unchecked) var interpolantTime = 0.0

  let y: UnsafeMutablePointer<Double>
  let yPredicted: UnsafeMutablePointer<Double>
  let yNew: UnsafeMutablePointer<Double>
  let psi: UnsafeMutablePointer<Double>
  let correction: UnsafeMutablePointer<Double>
  let f: UnsafeMutablePointer<Double>
  let f0: UnsafeMutablePointer<Double>
  let delta: UnsafeMutablePointer<Double>
  let scale: UnsafeMutablePointer<Double>
  let work: UnsafeMutablePointer<Double>
  let eventsOld: UnsafeMutablePointer<Double>
  let eventsNew: UnsafeMutablePointer<Double>
  let eventsWork: UnsafeMutablePointer<Double>
  let eventCount: Int
  let rescaleR: UnsafeMutablePointer<Double>
  let rescaleU: UnsafeMutablePointer<Double>

  @exclusivity(unchecked) var jacobian: JacobianWorkspace
  @exclusivity(unchecked) var iterationMatrix: IterationMatrix
  @exclusivity(unchecked) var algebraicMatrix: IterationMatrix

  @exclusivity(unchecked) var order = 1
  @exclusivity(unchecked) var h = 0.0
  @exclusivity(unchecked) var equalSteps = 0
  /// Whether the first step was a guess without a scale (the state at zero, or not moving: Hairer's
  /// 1e-6 s), which the first choice by the error estimates may grow by up to 10⁴ instead of 10.
  @exclusivity(unchecked) var initialStepIsUnscaled = false
  @exclusivity(unchecked) var jacobianIsCurrent = false
  @exclusivity(unchecked) var jacobianIsValid = false
  @exclusivity(unchecked) var factoredC = Double.nan
  /// What went wrong in recent failed attempts (NaN/∞ residuals, singular matrices), to name the cause
  /// of a failure correctly even when it is reported by a later call to `step()`.
  @exclusivity(unchecked) var troubleNonFinite = false
  @exclusivity(unchecked) var troubleSingular = false

  // BDF coefficients γ_k and error constants 1/(k+1), k = 0 … 6.
  let gamma: [Double]
  let errorConstant: [Double]

  static var newtonMaximumIterations: Int { 4 }
  static var minimumFactor: Double { 0.2 }
  static var maximumFactor: Double { 10 }
  static var maximumFirstFactor: Double { 1e4 }

  public init(system: System, options: IntegratorOptions = IntegratorOptions()) {
    self.system = system
    self.options = options
    n = system.dimension
    nMain = max(0, system.dimension - max(0, system.quadratureCount))
    maxOrder = options.maximumOrder
    func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
      let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
      p.initialize(repeating: 0, count: max(count, 1))
      return p
    }
    mass = allocate(n)
    atol = allocate(n)
    let isDifferential = system.isDifferential
    var algebraic: [Int] = []
    for i in 0..<n {
      mass[i] = isDifferential[i] ? 1 : 0
      if !isDifferential[i] { algebraic.append(i) }
      let a = options.absoluteTolerance
      atol[i] = a.count == n ? a[i] : (a.first ?? 1e-8)
    }
    algebraicIndices = algebraic
    history = allocate((maxOrder + 3) * n)
    historyScratch = allocate((maxOrder + 1) * n)
    interpolantHistory = allocate((maxOrder + 3) * n)
    y = allocate(n)
    yPredicted = allocate(n)
    yNew = allocate(n)
    psi = allocate(n)
    correction = allocate(n)
    f = allocate(n)
    f0 = allocate(n)
    delta = allocate(n)
    scale = allocate(n)
    work = allocate(n)
    eventCount = system.eventCount
    eventsOld = allocate(eventCount)
    eventsNew = allocate(eventCount)
    eventsWork = allocate(eventCount)
    rescaleR = allocate(36)
    rescaleU = allocate(36)
    Self.fillRescaleU(rescaleU)
    jacobian = JacobianWorkspace(dimension: nMain, residualCount: n, structure: system.jacobianStructure)
    iterationMatrix = IterationMatrix(dimension: nMain, structure: system.jacobianStructure)
    algebraicMatrix = IterationMatrix(dimension: algebraic.count, structure: .dense)
    var g = [0.0]
    for k in 1...6 { g.append(g[k - 1] + 1 / Double(k)) }
    gamma = g
    errorConstant = (0...6).map { 1 / Double($0 + 1) }
  }

  deinit {
    for p in [
      mass, atol, history, historyScratch, interpolantHistory, y, yPredicted, yNew, psi, correction, f, f0,
      delta, scale, work, eventsOld, eventsNew, eventsWork, rescaleR, rescaleU,
    ] {
      p.deallocate()
    }
  }

  // MARK: - Public interface

  /// The current solution y(t).
  public var state: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: y, count: n) }

  /// Event values g(t, y) at the current point.
  public var eventValues: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: eventsOld, count: eventCount) }

  /// Changes the time the integrator may not step past (it ends a step exactly on it).
  public func setStopTime(_ time: Double) { stopTime = time }

  /// Starts (or restarts) integration at (t0, y0): makes the algebraic unknowns consistent, evaluates
  /// the events, and chooses a first step. Order 1, empty history.
  /// - Throws: `IntegratorFailure.inconsistentInitialConditions` or `.nonFiniteResidual`.
  public func reset(time t0: Double, state y0: UnsafeBufferPointer<Double>) throws(IntegratorFailure) {
    t = t0
    previousTime = t0
    for i in 0..<n { y[i] = y0[i] }
    jacobianIsValid = false
    jacobianIsCurrent = false
    factoredC = .nan
    troubleNonFinite = false
    troubleSingular = false
    try makeAlgebraicConsistent(at: t0)
    evaluateResidual(t0, y, into: f0)
    for i in 0..<n where !f0[i].isFinite { throw .nonFiniteResidual(t: t0) }
    evaluateEvents(t0, y, into: eventsOld)
    h = initialStep(t0)
    order = 1
    equalSteps = 0
    for k in 0..<((maxOrder + 3) * n) { history[k] = 0 }
    for i in 0..<n {
      history[i] = y[i]
      history[n + i] = mass[i] * h * f0[i]
    }
    saveInterpolant()
  }

  /// Convenience overload of `reset(time:state:)` for arrays.
  public func reset(time t0: Double, state y0: [Double]) throws(IntegratorFailure) {
    var copy = y0
    let result: Result<Void, IntegratorFailure> = copy.withUnsafeMutableBufferPointer { buffer in
      do throws(IntegratorFailure) {
        try reset(time: t0, state: UnsafeBufferPointer(buffer))
        return .success(())
      } catch { return .failure(error) }
    }
    try result.get()
  }

  /// Evaluates the event functions again at (t, y) (see `StepIntegrator.refreshEvents`).
  public func refreshEvents() { evaluateEvents(t, y, into: eventsOld) }

  /// Takes one accepted step (retrying with smaller steps or a fresh Jacobian as needed).
  public func step() -> StepOutcome {
    let rtol = options.relativeTolerance
    let newtonTolerance = max(10 * Double.ulpOfOne / rtol, min(0.03, rtol.squareRoot()))
    var attemptFailed = false
    while true {
      let minimumStep = 10 * (t.nextUp - t)
      if h > options.maximumStep { rescale(by: options.maximumStep / h) }
      if h < minimumStep { return .failed(failure()) }
      var tNew = t + h
      if tNew >= stopTime || stopTime - tNew < minimumStep {
        tNew = stopTime
        let hNew = stopTime - t
        if hNew <= 0 { return .reachedStopTime }
        if hNew != h { rescale(by: hNew / h) }
      }

      // Predictor and the constant part ψ of the BDF formula (summed over k in the same order for
      // every i as a loop over k inside one over i would, row by row of the table for speed).
      let alpha = gamma[order]
      for i in 0..<n {
        yPredicted[i] = 0
        psi[i] = 0
      }
      for k in 0...order {
        let row = history + k &* n
        for i in 0..<n { yPredicted[i] += row[i] }
        if k > 0 {
          let g = gamma[k]
          for i in 0..<n { psi[i] += g * row[i] }
        }
      }
      for i in 0..<n {
        scale[i] = atol[i] + rtol * abs(yPredicted[i])
        psi[i] = psi[i] / alpha
      }
      let c = h / alpha

      if !jacobianIsValid {
        computeJacobian(tNew, yPredicted)
      }
      // Refactor only when c moved by more than 30 % since the last factorisation (as CVODE does):
      // Newton with a slightly stale M − c·J still converges, and factorisations dominate small systems.
      if factoredC.isNaN || abs(c / factoredC - 1) > 0.3 {
        // A small dense system's analytic Jacobian costs about one residual: refresh it with the
        // factorisation rather than find it stale through a failed Newton iteration.
        if jacobian.isSmallAnalytic && !jacobianIsCurrent { computeJacobian(tNew, yPredicted) }
        do {
          try iterationMatrix.factor(c: c, mass: mass, jacobian: jacobian)
          statistics.factorizations += 1
          factoredC = c
        } catch {
          factoredC = .nan
          troubleSingular = true
          attemptFailed = true
          if !jacobianIsCurrent {
            computeJacobian(tNew, yPredicted)
            continue
          }
          reject(by: 0.25)
          continue
        }
      }

      // Simplified Newton iteration for the correction d.
      var converged = false
      var iterations = 0
      var previousNorm = -1.0
      for i in 0..<n {
        correction[i] = 0
        yNew[i] = yPredicted[i]
      }
      newton: for k in 0..<Self.newtonMaximumIterations {
        iterations = k + 1
        statistics.newtonIterations += 1
        evaluateMainResidual(tNew, yNew, into: f)
        var finite = true
        for i in 0..<nMain {
          let d = c * f[i] - mass[i] * (psi[i] + correction[i])
          delta[i] = d
          finite = finite && d.isFinite
        }
        if !finite {
          troubleNonFinite = true
          break newton
        }
        iterationMatrix.solve(delta)
        // RMS over all n unknowns, the quadratures (not iterated) counting as zero.
        for i in nMain..<n { delta[i] = 0 }
        let norm = weightedNorm(delta)
        if !norm.isFinite {
          troubleNonFinite = true
          break newton
        }
        var rate = -1.0
        if previousNorm > 0 {
          rate = norm / previousNorm
          if rate >= 1
            || Self.power(rate, Self.newtonMaximumIterations - k) / (1 - rate) * norm > newtonTolerance
          {
            break newton
          }
        }
        for i in 0..<nMain {
          yNew[i] += delta[i]
          correction[i] += delta[i]
        }
        if norm == 0 || (rate >= 0 && rate / (1 - rate) * norm < newtonTolerance) {
          converged = true
          break newton
        }
        previousNorm = norm
      }

      if !converged {
        // Recovery, as IDA does: a fresh Jacobian first; if Newton still fails with it, a quarter of
        // the step, after which the next failure refreshes the Jacobian again at the new predictor
        // (a Jacobian taken at a far-off predictor of a too-large step is of little use).
        statistics.newtonFailures += 1
        attemptFailed = true
        if !jacobianIsCurrent {
          computeJacobian(tNew, yPredicted)
          continue
        }
        reject(by: 0.25)
        jacobianIsCurrent = false
        continue
      }

      // Quadratures: their BDF equation  ψ + d = c·f(t_{n+1}, y_{n+1})  has no unknown on the right.
      // A quadrature that is not finite (e.g. a voltage that diverged where the Newton system does not
      // see it) rejects the step like a NaN residual would.
      if nMain < n {
        evaluateQuadratureResidual(tNew, yNew, into: f)
        var finite = true
        for i in nMain..<n {
          correction[i] = c * f[i] - psi[i]
          yNew[i] = yPredicted[i] + correction[i]
          finite = finite && yNew[i].isFinite
        }
        if !finite {
          troubleNonFinite = true
          attemptFailed = true
          reject(by: 0.25)
          continue
        }
      }

      // Local error test.
      let safety = 0.9 * Double(2 * Self.newtonMaximumIterations + 1)
        / Double(2 * Self.newtonMaximumIterations + iterations)
      for i in 0..<n {
        scale[i] = atol[i] + rtol * abs(yNew[i])
        work[i] = errorConstant[order] * correction[i]
      }
      let errorNorm = weightedNorm(work)
      if errorNorm > 1 {
        statistics.rejectedSteps += 1
        reject(by: max(Self.minimumFactor, safety * pow(errorNorm, -1 / Double(order + 1))))
        // A cheap Jacobian is retaken at the retry's predictor rather than found stale by its Newton
        // iteration (the step changed too little to refactor).
        if jacobian.isSmallAnalytic && !jacobianIsCurrent { jacobianIsValid = false }
        continue
      }

      // Accept: update the difference table. Troubles seen on the way stay on record only when
      // this step needed them to be overcome (they explain a failure right after it).
      if !attemptFailed {
        troubleNonFinite = false
        troubleSingular = false
      }
      statistics.steps += 1
      previousTime = t
      t = tNew
      let rowAbove = history + (order + 1) &* n
      let rowTwoAbove = history + (order + 2) &* n
      for i in 0..<n {
        y[i] = yNew[i]
        let dOld = rowAbove[i]
        rowTwoAbove[i] = correction[i] - dOld
        rowAbove[i] = correction[i]
      }
      for k in stride(from: order, through: 0, by: -1) {
        let row = history + k &* n
        let next = row + n
        for i in 0..<n { row[i] += next[i] }
      }
      saveInterpolant()
      equalSteps += 1

      // Events: locate the earliest sign change on the step's interpolant.
      if eventCount > 0 {
        evaluateEvents(t, y, into: eventsNew)
        if let (index, root) = earliestEvent() {
          statistics.eventsLocated += 1
          t = root
          interpolate(at: root, into: y)
          _ = try? makeAlgebraicConsistent(at: root)
          evaluateEvents(t, y, into: eventsOld)
          return .event(index: index)
        }
        for k in 0..<eventCount { eventsOld[k] = eventsNew[k] }
      }

      // Order and step-size selection after q+1 equal steps.
      if equalSteps >= order + 1 {
        var errorMinus = Double.infinity
        var errorPlus = Double.infinity
        if order > 1 {
          for i in 0..<n { work[i] = errorConstant[order - 1] * history[order * n + i] }
          errorMinus = weightedNorm(work)
        }
        if order < maxOrder {
          for i in 0..<n { work[i] = errorConstant[order + 1] * history[(order + 2) * n + i] }
          errorPlus = weightedNorm(work)
        }
        let factorMinus = pow(errorMinus, -1 / Double(order))
        let factorSame = pow(errorNorm, -1 / Double(order + 1))
        let factorPlus = pow(errorPlus, -1 / Double(order + 2))
        var best = factorSame
        var change = 0
        if factorMinus > best {
          best = factorMinus
          change = -1
        }
        if factorPlus > best {
          best = factorPlus
          change = 1
        }
        order += change
        // After an unscaled first step (a solution starting at zero, e.g. modal amplitudes: ~1e-4 s)
        // the first choice may grow it by up to 10⁴ (CVODE's η_max for its first step): ×10 per q + 1
        // steps would take several steps to leave it.
        let factor = min(initialStepIsUnscaled ? Self.maximumFirstFactor : Self.maximumFactor, safety * best)
        initialStepIsUnscaled = false
        rescale(by: factor)
        equalSteps = 0
      }
      jacobianIsCurrent = false
      return t >= stopTime ? .reachedStopTime : .advanced
    }
  }

  /// xⁿ for a small n ≥ 1 by repeated multiplication (the Newton test's powers; libm's pow costs more
  /// than the rest of the test).
  @inline(__always) static func power(_ x: Double, _ n: Int) -> Double {
    var p = x
    for _ in 1..<max(n, 1) { p *= x }
    return p
  }

  /// Writes y(τ) for τ in [previousTime, t] from the last step's interpolating polynomial
  /// (`evaluateInterpolant`).
  public func interpolate(at time: Double, into out: UnsafeMutablePointer<Double>) {
    evaluateInterpolant(
      order: interpolantOrder, step: interpolantStep, time: interpolantTime, differences: interpolantHistory, count: n,
      at: time, into: out)
  }

  /// The last accepted step's interpolating polynomial: its order q, step h, end time t and D_0…D_q
  /// ((q + 1)·n numbers, row by row), for a caller that keeps several steps' (`InterpolantHistory`).
  var lastInterpolant: (order: Int, step: Double, time: Double, differences: UnsafePointer<Double>) {
    (interpolantOrder, interpolantStep, interpolantTime, UnsafePointer(interpolantHistory))
  }

  /// `interpolate(at:into:)` for a buffer.
  public func interpolate(at time: Double, into out: UnsafeMutableBufferPointer<Double>) {
    if let base = out.baseAddress { interpolate(at: time, into: base) }
  }

  // MARK: - Internals

  func failure() -> IntegratorFailure {
    if troubleNonFinite { return .nonFiniteResidual(t: t) }
    if troubleSingular { return .singularIterationMatrix(t: t) }
    return statistics.newtonFailures > 0 ? .newtonDidNotConverge(t: t) : .stepSizeTooSmall(t: t)
  }

  func reject(by factor: Double) {
    rescale(by: factor)
    equalSteps = 0
  }

  /// Changes h to factor·h and rewrites D_0…D_q for the new spacing (Shampine & Reichelt's R·U).
  ///
  /// R(q, ρ)_{jk} = Π_{i=1..j} (i − 1 − ρ·k)/i, with row 0 all ones; RU = R(q, factor)·U, U = R(q, 1)
  /// (`rescaleU`, the same for every order: its leading (q+1)×(q+1) block). U is upper triangular
  /// (U_mk has the factor i − 1 − k = 0 at i = k + 1 ≤ m when m > k), so (RU)_jk sums over m ≤ k only
  /// (the terms left out are exact zeros).
  func rescale(by factor: Double) {
    h *= factor
    let q = order
    let r = rescaleR
    let u = rescaleU
    for k in 0...q { r[k] = 1 }
    if q >= 1 {
      for j in 1...q {
        let row = r + j &* 6
        let above = row - 6
        for k in 0...q { row[k] = above[k] * (Double(j) - 1 - factor * Double(k)) / Double(j) }
      }
    }
    for k in 0...q {
      // Row k of the new table: Σ_j (RU)_jk·D_j, accumulated from 0 (the first term as 0 + term, the
      // same rounding as adding it to a zeroed row).
      let target = historyScratch + k &* n
      var started = false
      for j in 0...q {
        let rRow = r + j &* 6
        var ru = 0.0
        var m = 0
        while m <= k {
          ru += rRow[m] * u[m &* 6 &+ k]
          m &+= 1
        }
        if ru == 0 { continue }
        let source = history + j &* n
        if started {
          for i in 0..<n { target[i] += ru * source[i] }
        } else {
          for i in 0..<n { target[i] = 0 + ru * source[i] }
          started = true
        }
      }
      if !started {
        for i in 0..<n { target[i] = 0 }
      }
    }
    for i in 0..<((q + 1) &* n) { history[i] = historyScratch[i] }
  }

  /// U = R(q, 1) of `rescale` for the highest order, 6 × 6 row-major: U_mk = Π_{i=1..m} (i − 1 − k)/i.
  static func fillRescaleU(_ u: UnsafeMutablePointer<Double>) {
    for k in 0..<6 { u[k] = 1 }
    for m in 1..<6 {
      for k in 0..<6 { u[m * 6 + k] = u[(m - 1) * 6 + k] * (Double(m) - 1 - Double(k)) / Double(m) }
    }
  }

  func saveInterpolant() {
    interpolantOrder = order
    interpolantStep = h
    interpolantTime = t
    for i in 0..<((order + 1) * n) { interpolantHistory[i] = history[i] }
  }

  func weightedNorm(_ v: UnsafeMutablePointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<n {
      let e = v[i] / scale[i]
      s += e * e
    }
    return (s / Double(max(n, 1))).squareRoot()
  }

  func evaluateResidual(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    statistics.residualEvaluations += 1
    system.residual(
      time, UnsafeBufferPointer(start: state, count: n), into: UnsafeMutableBufferPointer(start: out, count: n))
  }

  /// `evaluateResidual` for the Newton system's rows only (`DAESystem.mainResidual`).
  func evaluateMainResidual(
    _ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>
  ) {
    statistics.residualEvaluations += 1
    system.mainResidual(
      time, UnsafeBufferPointer(start: state, count: n), into: UnsafeMutableBufferPointer(start: out, count: n))
  }

  /// `evaluateResidual` for the quadrature rows only (`DAESystem.quadratureResidual`).
  func evaluateQuadratureResidual(
    _ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>
  ) {
    statistics.residualEvaluations += 1
    system.quadratureResidual(
      time, UnsafeBufferPointer(start: state, count: n), into: UnsafeMutableBufferPointer(start: out, count: n))
  }

  func evaluateEvents(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    guard eventCount > 0 else { return }
    system.events(
      time, UnsafeBufferPointer(start: state, count: n),
      into: UnsafeMutableBufferPointer(start: out, count: eventCount))
  }

  func computeJacobian(_ time: Double, _ state: UnsafeMutablePointer<Double>) {
    statistics.jacobianEvaluations += 1
    jacobian.evaluate(
      system, time, state, atol: atol, residualEvaluations: &statistics.residualEvaluations, f0: f0)
    // A Jacobian taken where the residual is NaN/∞ (e.g. a step that overshot the model's domain)
    // must not be reused: mark it invalid so that the next, smaller trial step re-evaluates it.
    jacobianIsValid = true
    for k in 0..<jacobian.storageCount where !jacobian.storage[k].isFinite {
      jacobianIsValid = false
      break
    }
    jacobianIsCurrent = true
    factoredC = .nan
  }

  /// First step from the initial slope:  h₀ = 0.01·‖y‖/‖y'‖  (weighted norms, differential rows),
  /// refined by one explicit Euler probe of the second derivative, as in Hairer–Wanner.
  func initialStep(_ t0: Double) -> Double {
    let span = stopTime.isFinite ? stopTime - t0 : Double.infinity
    var h0: Double
    initialStepIsUnscaled = false
    if let given = options.initialStep {
      h0 = given
    } else {
      let rtol = options.relativeTolerance
      for i in 0..<n { scale[i] = atol[i] + rtol * abs(y[i]) }
      for i in 0..<n { work[i] = y[i] }
      let d0 = weightedNorm(work)
      for i in 0..<n { work[i] = mass[i] * f0[i] }
      let d1 = weightedNorm(work)
      initialStepIsUnscaled = d0 < 1e-5 || d1 < 1e-5
      h0 = initialStepIsUnscaled ? 1e-6 : 0.01 * d0 / d1
      if span.isFinite { h0 = min(h0, span) }
      // Euler probe: second-derivative estimate d2 = ‖f(t+h0, y+h0·f) − f‖/h0.
      for i in 0..<n { yNew[i] = y[i] + h0 * mass[i] * f0[i] }
      evaluateResidual(t0 + h0, yNew, into: f)
      for i in 0..<n { work[i] = mass[i] * (f[i] - f0[i]) / h0 }
      let d2 = weightedNorm(work)
      let h1: Double =
        (max(d1, d2) <= 1e-15) ? max(1e-6, h0 * 1e-3) : (0.01 / max(d1, d2)).squareRoot()
      h0 = min(100 * h0, h1)
      if !h0.isFinite || h0 <= 0 { h0 = 1e-6 }
    }
    h0 = min(h0, options.maximumStep)
    if span.isFinite && span > 0 { h0 = min(h0, span) }
    return max(h0, 10 * (t0.nextUp - t0))
  }

  /// Finds the earliest event whose function went from > 0 to ≤ 0 over the last step:
  /// `eventRoot` (Illinois) on the step's interpolant.
  func earliestEvent() -> (Int, Double)? {
    var best: (Int, Double)?
    var bestBracket = (Double.nan, Double.nan)
    for k in 0..<eventCount where eventsOld[k] > 0 && eventsNew[k] <= 0 {
      if let b = best, b.1 <= previousTime { continue }
      // The same function as an event already located (a step's voltage limit that is also the
      // cell's): the same root.
      if eventsOld[k] == bestBracket.0 && eventsNew[k] == bestBracket.1 { continue }
      let root = eventRoot(from: previousTime, eventsOld[k], to: t, eventsNew[k]) { tm in
        interpolate(at: tm, into: work)
        evaluateEvents(tm, work, into: eventsWork)
        return eventsWork[k]
      }
      if best == nil || root < best!.1 {
        best = (k, root)
        bestBracket = (eventsOld[k], eventsNew[k])
      }
    }
    return best
  }


  /// Solves the algebraic rows f_a(t, y_d, y_a) = 0 for y_a with the differential unknowns fixed:
  /// Newton with a finite-difference Jacobian ∂f_a/∂y_a, damped by backtracking — the step
  /// λ·Δ (λ = 1, ½, …, 2⁻¹⁰) is taken with the first λ that lowers max|f_a|; if none does (rounding
  /// level), the full step. Converged when the full Newton step Δ is below 1e-6 of atol + rtol·|y|.
  /// (Undamped Newton cycles or diverges on residuals shaped like asinh(j/2j0) — Butler–Volmer with a
  /// small j0 — started more than about 1.4·2j0 from the root.)
  func makeAlgebraicConsistent(at time: Double) throws(IntegratorFailure) {
    let m = algebraicIndices.count
    guard m > 0 else { return }
    let rtol = options.relativeTolerance
    var residualNorm = Double.infinity
    evaluateMainResidual(time, y, into: f)
    for _ in 0..<50 {
      residualNorm = 0
      for (a, i) in algebraicIndices.enumerated() {
        work[a] = -f[i]
        residualNorm = max(residualNorm, abs(f[i]))
        if !f[i].isFinite { throw .nonFiniteResidual(t: time) }
      }
      // ∂f_a/∂y_a by forward differences.
      algebraicMatrix.fillDense { entries, ld in
        for (b, j) in algebraicIndices.enumerated() {
          let saved = y[j]
          let step = 1.4901161193847656e-8 * max(abs(saved), atol[j], 1e-12)
          y[j] = saved + step
          evaluateMainResidual(time, y, into: f0)
          y[j] = saved
          for (a, i) in algebraicIndices.enumerated() { entries[a + b * ld] = (f0[i] - f[i]) / step }
        }
      }
      do { try algebraicMatrix.factorDense() } catch { throw .inconsistentInitialConditions(t: time, residual: residualNorm) }
      algebraicMatrix.solve(work)
      var stepNorm = 0.0
      for (a, i) in algebraicIndices.enumerated() {
        yNew[i] = y[i]
        stepNorm = max(stepNorm, abs(work[a]) / (atol[i] + rtol * abs(y[i] + work[a])))
      }
      if !stepNorm.isFinite { throw .nonFiniteResidual(t: time) }
      if stepNorm < 1e-6 {
        for (a, i) in algebraicIndices.enumerated() { y[i] = yNew[i] + work[a] }
        return
      }
      // Backtracking: the first λ whose residual is below the current one (f0 holds it).
      var lambda = 1.0
      var accepted = false
      for _ in 0...10 {
        for (a, i) in algebraicIndices.enumerated() { y[i] = yNew[i] + lambda * work[a] }
        evaluateMainResidual(time, y, into: f0)
        var trial = 0.0
        for i in algebraicIndices { trial = f0[i].isFinite ? max(trial, abs(f0[i])) : .infinity }
        if trial < residualNorm {
          accepted = true
          break
        }
        lambda *= 0.5
      }
      if !accepted {
        for (a, i) in algebraicIndices.enumerated() { y[i] = yNew[i] + work[a] }
        evaluateMainResidual(time, y, into: f)
      } else {
        for i in 0..<n { f[i] = f0[i] }
      }
    }
    throw .inconsistentInitialConditions(t: time, residual: residualNorm)
  }
}

/// y(τ) from a BDF step's interpolating polynomial (order q, step h, ending at t, differences D_k,
/// row by row):
///
///     y(τ) = D_0 + Σ_{k=1..q} D_k · Π_{j=0..k−1} (τ − (t − j·h)) / ((j+1)·h)
@inline(__always)
func evaluateInterpolant(
  order q: Int, step h: Double, time t: Double, differences d: UnsafePointer<Double>, count n: Int,
  at time: Double, into out: UnsafeMutablePointer<Double>
) {
  for i in 0..<n { out[i] = d[i] }
  var product = 1.0
  for k in 1...max(q, 1) {
    let shift = t - Double(k - 1) * h
    product *= (time - shift) / (Double(k) * h)
    let row = d + k * n
    for i in 0..<n { out[i] += row[i] * product }
  }
}
