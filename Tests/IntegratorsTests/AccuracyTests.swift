// CellSim — IntegratorsTests/AccuracyTests.swift
//
// Accuracy against closed-form solutions and published reference values.

import Foundation
import Integrators
import Testing

@Suite("BDF accuracy")
struct AccuracyTests {
  struct DecayCase: CustomTestStringConvertible, Sendable {
    var lambda: Double
    var rtol: Double
    var atol: Double
    var relativeBound: Double
    var testDescription: String { "λ = \(lambda), rtol = \(rtol)" }
  }

  @Test(
    "Linear decay y' = −y matches exp(−t) at t = 1, with order > 1",
    arguments: [
      DecayCase(lambda: 1, rtol: 1e-6, atol: 1e-8, relativeBound: 1e-5),
      DecayCase(lambda: 1, rtol: 1e-8, atol: 1e-10, relativeBound: 1e-7),
    ])
  func nonStiffDecay(_ c: DecayCase) throws {
    let integrator = BDFIntegrator(
      system: LinearDecay(lambda: c.lambda),
      options: IntegratorOptions(relativeTolerance: c.rtol, absoluteTolerance: [c.atol]))
    integrator.setStopTime(1)
    try integrator.reset(time: 0, state: [1])
    let result = run(integrator)
    #expect(result.outcome == .reachedStopTime)
    #expect(integrator.t == 1)
    let error = relativeError(integrator.state[0], exp(-c.lambda))
    #expect(error <= c.relativeBound, "relative error \(error)")
    // BDF1 alone needs h ≈ √(2·rtol) per step (local error h²/2·y''), i.e. ≥ 700 steps at rtol 1e-6:
    // far fewer steps prove that higher orders are used.
    if c.rtol == 1e-6 {
      #expect(result.acceptedCalls < 200, "\(result.acceptedCalls) steps")
    } else {
      #expect(result.acceptedCalls < 500, "\(result.acceptedCalls) steps")
    }
  }

  @Test("Stiff decay λ = 1e4: accurate in the transient, stable to t = 1 in few steps")
  func stiffDecay() throws {
    let lambda = 1e4
    let integrator = BDFIntegrator(
      system: LinearDecay(lambda: lambda),
      options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    // Transient: t = 1/λ, y = e^{−1}.
    integrator.setStopTime(1 / lambda)
    try integrator.reset(time: 0, state: [1])
    let transient = run(integrator)
    #expect(transient.outcome == .reachedStopTime)
    let error = relativeError(integrator.state[0], exp(-1.0))
    #expect(error <= 1e-5, "relative error at t = 1/λ: \(error)")
    // Then on to t = 1, where exp(−1e4) underflows to 0: the answer must decay to within atol of 0.
    integrator.setStopTime(1)
    let tail = run(integrator)
    #expect(tail.outcome == .reachedStopTime)
    #expect(integrator.t == 1)
    #expect(abs(integrator.state[0]) <= 1e-7, "y(1) = \(integrator.state[0])")
    // An explicit method would need ≳ λ·1/2 = 5000 steps for stability alone.
    let steps = transient.acceptedCalls + tail.acceptedCalls
    #expect(steps < 500, "\(steps) steps")
  }

  /// ROBER reference at t = 40 (Hairer & Wanner, "Solving ODEs II", and the IVP test set):
  /// y1 = 0.7158270687193, y2 = 9.185534764529e-6, y3 = 0.2841637457439.
  static let roberReference = (0.7158270687193, 9.185534764529e-6, 0.2841637457439)

  @Test("Robertson kinetics as a DAE (y3 algebraic): reference values at t = 40, conservation")
  func robertsonDAE() throws {
    let integrator = BDFIntegrator(
      system: Robertson(algebraicConservation: true),
      options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-14, 1e-8]))
    integrator.setStopTime(40)
    try integrator.reset(time: 0, state: [1, 0, 0])
    var worstConservation = 0.0
    let result = run(integrator) { integ, _ in
      let s = integ.state
      worstConservation = max(worstConservation, abs(s[0] + s[1] + s[2] - 1))
    }
    #expect(result.outcome == .reachedStopTime)
    #expect(integrator.t == 40)
    let (r1, r2, r3) = Self.roberReference
    let y = integrator.state
    #expect(relativeError(y[0], r1) <= 1e-5, "y1 = \(y[0])")
    #expect(relativeError(y[1], r2) <= 1e-4, "y2 = \(y[1])")
    #expect(relativeError(y[2], r3) <= 1e-5, "y3 = \(y[2])")
    #expect(worstConservation <= 1e-8, "max |y1+y2+y3−1| = \(worstConservation)")
    #expect(result.acceptedCalls < 2000, "\(result.acceptedCalls) steps")
  }

  @Test("Robertson kinetics as an ODE: same reference values")
  func robertsonODE() throws {
    let integrator = BDFIntegrator(
      system: Robertson(algebraicConservation: false),
      options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-14, 1e-8]))
    integrator.setStopTime(40)
    try integrator.reset(time: 0, state: [1, 0, 0])
    let result = run(integrator)
    #expect(result.outcome == .reachedStopTime)
    let (r1, r2, r3) = Self.roberReference
    let y = integrator.state
    #expect(relativeError(y[0], r1) <= 1e-5, "y1 = \(y[0])")
    #expect(relativeError(y[1], r2) <= 1e-4, "y2 = \(y[1])")
    #expect(relativeError(y[2], r3) <= 1e-5, "y3 = \(y[2])")
  }

  @Test("Index-1 DAE: reset makes an inconsistent algebraic guess consistent; y1 = e^{−t}")
  func indexOneDAE() throws {
    let integrator = BDFIntegrator(
      system: IndexOneDAE(), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    integrator.setStopTime(2)
    try integrator.reset(time: 0, state: [1, 5])
    #expect(integrator.state[0] == 1, "reset must not move the differential unknown")
    #expect(abs(integrator.state[1] - (-1)) <= 1e-8, "y2(0) = \(integrator.state[1])")
    var worst = 0.0
    var worstConstraint = 0.0
    let result = run(integrator) { integ, _ in
      worst = max(worst, relativeError(integ.state[0], exp(-integ.t)))
      worstConstraint = max(worstConstraint, abs(integ.state[0] + integ.state[1]))
    }
    #expect(result.outcome == .reachedStopTime)
    #expect(worst <= 1e-5, "max relative error of y1: \(worst)")
    #expect(worstConstraint <= 1e-8, "max |y1 + y2|: \(worstConstraint)")
  }

  @Test("Interpolation at midpoints of accepted steps of y' = cos t matches sin t")
  func interpolation() throws {
    let integrator = BDFIntegrator(
      system: CosineDriven(), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    integrator.setStopTime(6)
    try integrator.reset(time: 0, state: [0])
    var worstMid = 0.0
    var worstExcess = 0.0
    var worstEnd = 0.0
    var checked = 0
    var widest = 0.0
    var previousError = 0.0  // |y − sin t| at the start of the step (exact at t = 0)
    var value = [0.0]
    let result = run(integrator) { integ, outcome in
      guard integ.t > integ.previousTime else { return }
      let mid = 0.5 * (integ.previousTime + integ.t)
      value.withUnsafeMutableBufferPointer { integ.interpolate(at: mid, into: $0) }
      let midError = abs(value[0] - sin(mid))
      let endError = abs(integ.state[0] - sin(integ.t))
      worstMid = max(worstMid, midError)
      // Beyond the global error already present at the step's ends, interpolation adds little.
      worstExcess = max(worstExcess, midError - max(previousError, endError))
      previousError = endError
      // The interpolant must also pass through the accepted point itself.
      value.withUnsafeMutableBufferPointer { integ.interpolate(at: integ.t, into: $0) }
      worstEnd = max(worstEnd, abs(value[0] - integ.state[0]))
      widest = max(widest, integ.t - integ.previousTime)
      checked += 1
    }
    #expect(result.outcome == .reachedStopTime)
    #expect(checked > 10)
    #expect(widest > 0.05, "steps should grow well beyond the first, widest = \(widest)")
    #expect(worstMid <= 1e-5, "max |interp − sin| at midpoints: \(worstMid)")
    #expect(worstExcess <= 1e-6, "interpolation error beyond the end-point errors: \(worstExcess)")
    #expect(worstEnd <= 1e-14, "interpolant at t vs state: \(worstEnd)")
  }
}
