// CellSim — IntegratorsTests/RobustnessTests.swift
//
// Failure paths, exact stop times and the bookkeeping of `SolverStatistics`.

import Foundation
import Integrators
import Testing

@Suite("BDF robustness and statistics")
struct RobustnessTests {
  @Test("A residual that turns NaN after t = 0.5 ends in .failed, not a crash or endless loop")
  func nonFiniteResidual() throws {
    let integrator = BDFIntegrator(
      system: NaNAfter(badAfter: 0.5), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    integrator.setStopTime(2)
    try integrator.reset(time: 0, state: [1])
    var failures: [IntegratorFailure] = []
    var calls = 0
    // Calling step() again after a failure must fail again, not loop or crash.
    while calls < 5_000 && failures.count < 3 {
      calls += 1
      if case .failed(let failure) = integrator.step() { failures.append(failure) }
    }
    #expect(failures.count == 3, "step() kept returning .advanced (\(calls) calls, t = \(integrator.t))")
    let failure = try #require(failures.first)
    // Documented meaning: "the residual was NaN or infinite at every step size tried".
    #expect(failure == .nonFiniteResidual(t: integrator.t), "\(failure)")
    for later in failures { #expect(later.time == integrator.t) }
    #expect(integrator.t <= 0.5, "t = \(integrator.t)")
    #expect(integrator.state[0].isFinite)
    #expect(relativeError(integrator.state[0], exp(-integrator.t)) <= 1e-5)
    // The residual is finite for all t ≤ 0.5, so the integrator should get close to 0.5.
    #expect(integrator.t >= 0.5 - 1e-3, "stopped at t = \(integrator.t), failure \(failure)")
  }

  @Test("The stop time is hit bitwise, stays put, and can be extended")
  func exactStopTime() throws {
    let integrator = BDFIntegrator(
      system: LinearDecay(lambda: 1), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    let start = 0.1
    let first = 0.7
    let second = 1.3
    integrator.setStopTime(first)
    try integrator.reset(time: start, state: [1])
    #expect(run(integrator).outcome == .reachedStopTime)
    #expect(integrator.t == first)
    let atStop = integrator.state[0]
    #expect(integrator.step() == .reachedStopTime)
    #expect(integrator.t == first)
    #expect(integrator.state[0] == atStop)
    #expect(relativeError(atStop, exp(-(first - start))) <= 1e-5)
    integrator.setStopTime(second)
    #expect(run(integrator).outcome == .reachedStopTime)
    #expect(integrator.t == second)
    #expect(relativeError(integrator.state[0], exp(-(second - start))) <= 1e-5)
  }

  @Test("A maximum step is respected")
  func maximumStep() throws {
    let integrator = BDFIntegrator(
      system: LinearDecay(lambda: 1),
      options: IntegratorOptions(relativeTolerance: 1e-3, absoluteTolerance: [1e-6], maximumStep: 0.01))
    integrator.setStopTime(1)
    try integrator.reset(time: 0, state: [1])
    var widest = 0.0
    let result = run(integrator) { integ, _ in widest = max(widest, integ.t - integ.previousTime) }
    #expect(result.outcome == .reachedStopTime)
    #expect(widest <= 0.01 * (1 + 1e-12), "widest step \(widest)")
    #expect(result.acceptedCalls >= 100)
  }

  @Test("Statistics are positive and consistent with an independent count")
  func statistics() throws {
    let counter = CallCounter()
    let integrator = BDFIntegrator(
      system: Robertson(algebraicConservation: true, counter: counter),
      options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-14, 1e-8]))
    integrator.setStopTime(40)
    try integrator.reset(time: 0, state: [1, 0, 0])
    let result = run(integrator)
    #expect(result.outcome == .reachedStopTime)
    let s = integrator.statistics
    #expect(s.steps == result.acceptedCalls)
    #expect(s.steps > 0)
    #expect(s.rejectedSteps >= 0)
    #expect(s.jacobianEvaluations > 0)
    #expect(s.factorizations >= 1)
    #expect(s.newtonIterations >= s.steps)
    #expect(s.residualEvaluations >= s.steps)
    #expect(s.residualEvaluations >= s.newtonIterations)
    #expect(s.residualEvaluations == counter.residuals)
    #expect(s.eventsLocated == 0)
    // Robertson's fast transient forces the step controller to reject some steps.
    #expect(s.rejectedSteps + s.newtonFailures > 0)
  }
}
