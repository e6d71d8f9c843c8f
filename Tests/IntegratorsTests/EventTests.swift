// CellSim — IntegratorsTests/EventTests.swift
//
// Event location: the integrator stops exactly on the first root of g_k going from > 0 to ≤ 0.

import Foundation
import Integrators
import Testing

@Suite("BDF events")
struct EventTests {
  func descent(_ levels: [Double], initialStep: Double? = nil) throws -> BDFIntegrator<ConstantDescent> {
    let integrator = BDFIntegrator(
      system: ConstantDescent(levels: levels),
      options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8], initialStep: initialStep))
    integrator.setStopTime(2)
    try integrator.reset(time: 0, state: [1])
    return integrator
  }

  @Test("y' = −1 from 1 with g = y − 0.25 ends exactly at t = 0.75, y = 0.25, never beyond")
  func singleEvent() throws {
    let integrator = try descent([0.25])
    #expect(integrator.eventValues[0] == 0.75)
    var overshoot = false
    let result = run(integrator) { integ, outcome in
      if outcome == .advanced && (integ.t >= 0.75 || integ.state[0] <= 0.25) { overshoot = true }
    }
    #expect(result.outcome == .event(index: 0))
    #expect(!overshoot, "an .advanced step reported a state past the event")
    #expect(abs(integrator.t - 0.75) <= 1e-9, "t = \(integrator.t)")
    #expect(abs(integrator.state[0] - 0.25) <= 1e-9, "y = \(integrator.state[0])")
    // The state reported is the solution at the reported time.
    #expect(abs(integrator.state[0] - (1 - integrator.t)) <= 1e-12)
    // Event values are refreshed at the root: ≈ 0, on the non-positive side.
    #expect(integrator.eventValues[0] <= 0 && integrator.eventValues[0] >= -1e-9)
    #expect(integrator.statistics.eventsLocated == 1)
  }

  @Test("An event function already ≤ 0 at the start is not a crossing")
  func alreadyNonPositiveAtStart() throws {
    // g0 = y − 2 < 0 at start, g1 = y − 1 = 0 at start; neither may fire while y falls further.
    let integrator = try descent([2, 1])
    // At reset, eventValues holds g(t0, y0) itself.
    #expect(integrator.eventValues[0] == -1)
    #expect(integrator.eventValues[1] == 0)
    let result = run(integrator)
    #expect(result.outcome == .reachedStopTime)
    #expect(integrator.t == 2)
    #expect(abs(integrator.state[0] - (-1)) <= 1e-9)
    #expect(integrator.statistics.eventsLocated == 0)
  }

  @Test("Of two events the earlier wins, whatever their index (separate steps)")
  func earlierEventWins() throws {
    // y = 0.6 at t = 0.4 (index 1) comes before y = 0.1 at t = 0.9 (index 0).
    let a = try descent([0.1, 0.6])
    #expect(run(a).outcome == .event(index: 1))
    #expect(abs(a.t - 0.4) <= 1e-9, "t = \(a.t)")
    let b = try descent([0.6, 0.1])
    #expect(run(b).outcome == .event(index: 0))
    #expect(abs(b.t - 0.4) <= 1e-9, "t = \(b.t)")
  }

  @Test("Two events crossed in the same step: the earlier root wins")
  func earlierEventWinsWithinOneStep() throws {
    // The BDF1 step 0 → 1 is exact for y' = −1, so the first step crosses both y = 0.5 (t = 0.5)
    // and y = 0.25 (t = 0.75).
    let integrator = try descent([0.25, 0.5], initialStep: 1)
    let result = run(integrator)
    #expect(result.outcome == .event(index: 1))
    #expect(result.acceptedCalls == 1)
    #expect(abs(integrator.t - 0.5) <= 1e-9, "t = \(integrator.t)")
    #expect(abs(integrator.state[0] - 0.5) <= 1e-9, "y = \(integrator.state[0])")
  }

  @Test("Oscillator y'' = −y: g = y1 first vanishes at t = π/2")
  func oscillatorEvent() throws {
    let integrator = BDFIntegrator(
      system: Oscillator(), options: IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: [1e-10]))
    integrator.setStopTime(3)
    try integrator.reset(time: 0, state: [1, 0])
    let result = run(integrator)
    #expect(result.outcome == .event(index: 0))
    #expect(abs(integrator.t - Double.pi / 2) <= 1e-7, "t − π/2 = \(integrator.t - Double.pi / 2)")
    #expect(abs(integrator.state[1] - (-1)) <= 1e-6, "y2 = \(integrator.state[1])")
    #expect(abs(integrator.state[0]) <= 1e-7)
  }

  @Test("After an event, reset at the root and go on: correct solution, the same event does not refire")
  func resetAfterEvent() throws {
    // y' = −1 from 1: g0 = y − 0.25 fires at t = 0.75; then on to t = 1.5 (y = −0.5).
    let integrator = try descent([0.25])
    #expect(run(integrator).outcome == .event(index: 0))
    try integrator.reset(time: integrator.t, state: integrator.state)
    #expect(integrator.eventValues[0] <= 0)
    integrator.setStopTime(1.5)
    #expect(run(integrator).outcome == .reachedStopTime)
    #expect(integrator.t == 1.5)
    #expect(abs(integrator.state[0] - (-0.5)) <= 1e-9, "y(1.5) = \(integrator.state[0])")
  }
}
