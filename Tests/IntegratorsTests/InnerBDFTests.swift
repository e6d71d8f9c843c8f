// CellSim — IntegratorsTests/InnerBDFTests.swift
//
// `ExactFlowIntegrator` with its inner BDF, on a system with one unknown in closed form and one that
// is not:
//
//     y0' = −k·y0 + c            (linear, on its own: y0(t) = c/k + (y0(0) − c/k)e^{−kt})
//     y1' = −y1² + y0            (nonlinear, driven by y0)
//     0   = y2 − 2               (algebraic)
//     q'  = y2·y1                (quadrature)
//
// against the BDF on the whole system, with the event y1 = level. The quadrature and the event are
// the exact integrator's (its nodes, the inner BDF's interpolants between them), y1 the inner BDF's.

import Foundation
import Integrators
import Testing

final class DrivenSystem: DiagonalLinearSystem {
  let k = 0.5
  let c = 1.0
  var level = -1.0
  var dimension: Int { 4 }
  var isDifferential: [Bool] { [true, true, false, true] }
  var jacobianStructure: JacobianStructure { .dense }
  var quadratureCount: Int { 1 }
  var eventCount: Int { 1 }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = -k * y[0] + c
    f[1] = -y[1] * y[1] + y[0]
    f[2] = y[2] - 2
    f[3] = y[2] * y[1]
  }
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    g[0] = level - y[1]
  }
  func diagonalLinearFlow(
    _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
    forcing: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    decay[0] = k; forcing[0] = c
    decay[1] = .nan; forcing[1] = .nan
    decay[2] = 0; forcing[2] = 0
    return true
  }
  func y0(_ t: Double) -> Double { c / k + (4 - c / k) * exp(-k * t) }
}

@Suite("Exact integrator with an inner BDF")
struct InnerBDFTests {
  static let options = IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: [1e-10])
  static let start = [4.0, 0.5, 2, 0]

  func run<I: StepIntegrator>(_ integrator: I, stop: Double) throws -> StepOutcome {
    integrator.setStopTime(stop)
    try Self.start.withUnsafeBufferPointer { try integrator.reset(time: 0, state: $0) }
    var outcome = StepOutcome.advanced
    while outcome == .advanced { outcome = integrator.step() }
    return outcome
  }

  @Test("the closed-form unknown is exact, the rest agrees with the BDF on the whole system")
  func agreesWithBDF() throws {
    let system = DrivenSystem()
    let start = Self.start
    let partly = ExactFlowIntegrator(system: system, options: Self.options)
    #expect(start.withUnsafeBufferPointer { partly.applies(at: $0) })
    let bdf = BDFIntegrator(system: system, options: Self.options)
    #expect(try run(partly, stop: 10) == .reachedStopTime)
    #expect(try run(bdf, stop: 10) == .reachedStopTime)
    #expect(abs(partly.state[0] - system.y0(10)) <= 1e-14 * 4)
    #expect(abs(partly.state[1] - bdf.state[1]) <= 1e-6 * abs(bdf.state[1]), "\(partly.state[1]) vs \(bdf.state[1])")
    #expect(partly.state[2] == 2)
    #expect(abs(partly.state[3] - bdf.state[3]) <= 1e-6 * abs(bdf.state[3]), "\(partly.state[3]) vs \(bdf.state[3])")
    // Interpolation inside the last step: the closed form for y0.
    var out = [Double](repeating: 0, count: 4)
    let mid = 0.5 * (partly.previousTime + partly.t)
    out.withUnsafeMutableBufferPointer { partly.interpolate(at: mid, into: $0) }
    #expect(abs(out[0] - system.y0(mid)) <= 1e-14 * 4)
  }

  @Test("an event of the integrated unknown is located where the BDF on the whole system finds it")
  func event() throws {
    let system = DrivenSystem()
    system.level = 1.2  // y1 rises from 0.5 towards √y0 ≈ 1.4…2
    let partly = ExactFlowIntegrator(system: system, options: Self.options)
    let bdf = BDFIntegrator(system: system, options: Self.options)
    #expect(try run(partly, stop: 10) == .event(index: 0))
    #expect(try run(bdf, stop: 10) == .event(index: 0))
    #expect(abs(partly.t - bdf.t) <= 1e-6 * bdf.t, "t = \(partly.t) vs \(bdf.t)")
    #expect(abs(partly.state[1] - 1.2) <= 1e-9)
  }

  @Test("one step of the exact integrator spans many of the inner BDF's; interpolation across them")
  func interpolationAcrossInnerSteps() throws {
    let system = DrivenSystem()
    let options = IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8])
    let partly = ExactFlowIntegrator(system: system, options: options)
    let bdf = BDFIntegrator(system: system, options: options)
    partly.setStopTime(40)
    try Self.start.withUnsafeBufferPointer { try partly.reset(time: 0, state: $0) }
    var outcome = StepOutcome.advanced
    var innerSteps = 0
    var outerSteps = 0
    var worst = 0.0
    var out = [Double](repeating: 0, count: 4)
    var reference = [Double](repeating: 0, count: 4)
    while outcome == .advanced {
      outcome = partly.step()
      outerSteps += 1
      // Three points inside the step against the BDF on the whole system run to each of them.
      for fraction in [0.13, 0.5, 0.87] {
        let time = partly.previousTime + fraction * (partly.t - partly.previousTime)
        out.withUnsafeMutableBufferPointer { partly.interpolate(at: time, into: $0) }
        bdf.setStopTime(time)
        try Self.start.withUnsafeBufferPointer { try bdf.reset(time: 0, state: $0) }
        while bdf.step() == .advanced {}
        for i in 0..<4 { reference[i] = bdf.state[i] }
        #expect(abs(out[0] - system.y0(time)) <= 1e-13 * 4)
        worst = max(worst, abs(out[1] - reference[1]) / abs(reference[1]))
      }
    }
    innerSteps = partly.statistics.steps - outerSteps
    #expect(outcome == .reachedStopTime)
    #expect(innerSteps > 2 * outerSteps, "inner \(innerSteps), outer \(outerSteps)")
    #expect(worst <= 2e-5, "worst relative difference of y1 \(worst)")
  }
}
