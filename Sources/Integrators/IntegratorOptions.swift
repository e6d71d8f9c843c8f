// CellSim — Integrators/IntegratorOptions.swift

/// Tolerances and limits of the BDF integrator.
///
/// The local error estimate e_i of each step must satisfy
///
///     sqrt( (1/n) Σ (e_i / (atol_i + rtol·|y_i|))² ) ≤ 1
public struct IntegratorOptions: Sendable, Equatable {
  /// Relative tolerance (dimensionless).
  public var relativeTolerance: Double
  /// Absolute tolerance, one value for every unknown or one per unknown (in the unknown's units).
  public var absoluteTolerance: [Double]
  /// Largest step [same unit as t]; `.infinity` for none.
  public var maximumStep: Double
  /// First step to try; `nil` lets the integrator choose from the initial slope.
  public var initialStep: Double?
  /// Give up after this many steps in one call to `advance`.
  public var maximumSteps: Int
  /// Highest BDF order used (1…5).
  public var maximumOrder: Int

  public init(
    relativeTolerance: Double = 1e-6, absoluteTolerance: [Double] = [1e-8], maximumStep: Double = .infinity,
    initialStep: Double? = nil, maximumSteps: Int = 100_000, maximumOrder: Int = 5
  ) {
    self.relativeTolerance = relativeTolerance
    self.absoluteTolerance = absoluteTolerance
    self.maximumStep = maximumStep
    self.initialStep = initialStep
    self.maximumSteps = maximumSteps
    self.maximumOrder = min(max(maximumOrder, 1), 5)
  }
}

/// Work done by the integrator, for users and benchmarks.
public struct SolverStatistics: Sendable, Equatable, Codable {
  public var steps = 0
  public var rejectedSteps = 0
  public var residualEvaluations = 0
  public var jacobianEvaluations = 0
  public var factorizations = 0
  public var newtonIterations = 0
  public var newtonFailures = 0
  public var eventsLocated = 0
  public init() {}

  public static func + (a: SolverStatistics, b: SolverStatistics) -> SolverStatistics {
    var s = a
    s.steps += b.steps
    s.rejectedSteps += b.rejectedSteps
    s.residualEvaluations += b.residualEvaluations
    s.jacobianEvaluations += b.jacobianEvaluations
    s.factorizations += b.factorizations
    s.newtonIterations += b.newtonIterations
    s.newtonFailures += b.newtonFailures
    s.eventsLocated += b.eventsLocated
    return s
  }

  /// Counts of `a` since `b` (field by field).
  public static func - (a: SolverStatistics, b: SolverStatistics) -> SolverStatistics {
    var s = a
    s.steps -= b.steps
    s.rejectedSteps -= b.rejectedSteps
    s.residualEvaluations -= b.residualEvaluations
    s.jacobianEvaluations -= b.jacobianEvaluations
    s.factorizations -= b.factorizations
    s.newtonIterations -= b.newtonIterations
    s.newtonFailures -= b.newtonFailures
    s.eventsLocated -= b.eventsLocated
    return s
  }
}

/// Why the integrator could not go on. Each case carries the time it stopped at.
public enum IntegratorFailure: Error, Sendable, Equatable, CustomStringConvertible {
  /// The step size fell below what floating point can resolve at t.
  case stepSizeTooSmall(t: Double)
  /// Newton's method did not converge even with a fresh Jacobian and the smallest step.
  case newtonDidNotConverge(t: Double)
  /// The residual was NaN or infinite at every step size tried.
  case nonFiniteResidual(t: Double)
  /// The iteration matrix M − c·J was singular at every step size tried.
  case singularIterationMatrix(t: Double)
  /// The algebraic unknowns could not be made consistent with the differential ones.
  case inconsistentInitialConditions(t: Double, residual: Double)
  /// `maximumSteps` steps were taken without reaching the stop time.
  case tooManySteps(t: Double, steps: Int)

  public var time: Double {
    switch self {
    case .stepSizeTooSmall(let t), .newtonDidNotConverge(let t), .nonFiniteResidual(let t),
      .singularIterationMatrix(let t), .inconsistentInitialConditions(let t, _), .tooManySteps(let t, _):
      return t
    }
  }

  public var description: String {
    switch self {
    case .stepSizeTooSmall(let t): return "step size underflow at t = \(t) s"
    case .newtonDidNotConverge(let t): return "Newton iteration did not converge at t = \(t) s"
    case .nonFiniteResidual(let t): return "the model returned NaN or infinity at t = \(t) s"
    case .singularIterationMatrix(let t): return "singular iteration matrix at t = \(t) s"
    case .inconsistentInitialConditions(let t, let r):
      return "could not find consistent algebraic variables at t = \(t) s (residual \(r))"
    case .tooManySteps(let t, let n): return "gave up after \(n) steps at t = \(t) s"
    }
  }
}
