// CellSim — Integrators/StepIntegrator.swift
//
// What a driver (the protocol engine) needs from an integrator: reset to a state, take steps until a
// stop time or an event, interpolate within the last step. `BDFIntegrator` (any DAE) and
// `ExactFlowIntegrator` (linear diagonal dynamics, closed form) both provide it, so the driver's loop
// is written once.

/// A one-step-at-a-time integrator of a `DAESystem`.
public protocol StepIntegrator: AnyObject {
  /// Current time.
  var t: Double { get }
  /// Start of the last step.
  var previousTime: Double { get }
  /// The solution at `t`.
  var state: UnsafeBufferPointer<Double> { get }
  /// The event functions at `t`.
  var eventValues: UnsafeBufferPointer<Double> { get }
  var options: IntegratorOptions { get }
  var statistics: SolverStatistics { get }
  /// Steps never go past this time.
  func setStopTime(_ time: Double)
  /// Starts from `state` at `time` (making its algebraic unknowns consistent where needed).
  func reset(time: Double, state: UnsafeBufferPointer<Double>) throws(IntegratorFailure)
  /// Evaluates the event functions again at the current point (the system's events changed — the
  /// driver armed other conditions — but not its state).
  func refreshEvents()
  /// Takes one step.
  func step() -> StepOutcome
  /// The solution at `time` within the last step.
  func interpolate(at time: Double, into out: UnsafeMutableBufferPointer<Double>)
}

extension BDFIntegrator: StepIntegrator {}
