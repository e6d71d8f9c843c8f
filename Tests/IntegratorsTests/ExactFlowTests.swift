// CellSim — IntegratorsTests/ExactFlowTests.swift
//
// `ExactFlowIntegrator` on a system with a closed-form solution:
//
//     y1' = −k·y1 + c,   y2' = c2 (k = 0),   I algebraic (constant 2),   q' = I·y1 + y2   (quadrature)
//
// so y1(t) = c/k + (y1(0) − c/k)e^{−kt}, y2 = y2(0) + c2·t, q(t) = ∫ I·y1 + y2 dt in closed form, and
// the event y1 − level = 0 has the root t* = −ln((level − c/k)/(y1(0) − c/k))/k.

import Foundation
import Integrators
import Testing

struct RelaxingSystem: DiagonalLinearSystem {
  var k = 0.5
  var c = 1.0
  var c2 = 0.3
  var level = 2.5
  var dimension: Int { 4 }
  var isDifferential: [Bool] { [true, true, false, true] }
  var jacobianStructure: JacobianStructure { .dense }
  var quadratureCount: Int { 1 }
  var eventCount: Int { 1 }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = -k * y[0] + c
    f[1] = c2
    f[2] = y[2] - 2
    f[3] = y[2] * y[0] + y[1]
  }
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    g[0] = y[0] - level
  }
  func diagonalLinearFlow(
    _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
    forcing: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    decay[0] = k; forcing[0] = c
    decay[1] = 0; forcing[1] = c2
    decay[2] = 0; forcing[2] = 0
    return true
  }
  // Closed forms from y1(0) = 4, y2(0) = 1, q(0) = 0.
  func y1(_ t: Double) -> Double { c / k + (4 - c / k) * exp(-k * t) }
  func q(_ t: Double) -> Double {
    2 * (c / k * t + (4 - c / k) * (1 - exp(-k * t)) / k) + t + c2 * t * t / 2
  }
}

@Suite("Exact flow integrator")
struct ExactFlowTests {
  func integrator(_ system: RelaxingSystem, stop: Double) throws -> ExactFlowIntegrator<RelaxingSystem> {
    let integrator = ExactFlowIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: [1e-10]))
    integrator.setStopTime(stop)
    try [4.0, 1, 2, 0].withUnsafeBufferPointer { try integrator.reset(time: 0, state: $0) }
    return integrator
  }

  @Test("to the stop time: states exact, the quadrature within its tolerance, in few steps")
  func reachesStopTime() throws {
    var system = RelaxingSystem()
    system.level = -1  // never reached
    let integrator = try integrator(system, stop: 20)
    var outcome = StepOutcome.advanced
    while outcome == .advanced { outcome = integrator.step() }
    #expect(outcome == .reachedStopTime)
    #expect(integrator.t == 20)
    #expect(abs(integrator.state[0] - system.y1(20)) <= 1e-14 * 4)
    #expect(abs(integrator.state[1] - (1 + 0.3 * 20)) <= 1e-13)
    #expect(integrator.state[2] == 2)
    #expect(abs(integrator.state[3] - system.q(20)) <= 1e-6 * system.q(20), "q = \(integrator.state[3]) vs \(system.q(20))")
    #expect(integrator.statistics.steps < 60)
    // Interpolation inside the last step is exact for the flow.
    var out = [Double](repeating: 0, count: 4)
    let mid = 0.5 * (integrator.previousTime + integrator.t)
    out.withUnsafeMutableBufferPointer { integrator.interpolate(at: mid, into: $0) }
    #expect(abs(out[0] - system.y1(mid)) <= 1e-13)
    #expect(abs(out[3] - system.q(mid)) <= 1e-6 * system.q(mid))
  }

  @Test("the event y1 = 2.5 is located at its closed-form root")
  func event() throws {
    let system = RelaxingSystem()
    let integrator = try integrator(system, stop: 100)
    var outcome = StepOutcome.advanced
    while outcome == .advanced { outcome = integrator.step() }
    let root = -log((2.5 - 2) / (4 - 2)) / 0.5
    #expect(outcome == .event(index: 0))
    #expect(abs(integrator.t - root) <= 1e-9 * root, "t = \(integrator.t), root \(root)")
    #expect(abs(integrator.state[0] - 2.5) <= 1e-9)
    #expect(abs(integrator.state[3] - system.q(integrator.t)) <= 1e-6 * system.q(integrator.t))
  }

  @Test("an inconsistent algebraic unknown is refused, not integrated")
  func inconsistentStart() throws {
    let integrator = ExactFlowIntegrator(system: RelaxingSystem(), options: IntegratorOptions())
    #expect(throws: IntegratorFailure.self) {
      try [4.0, 1, 3, 0].withUnsafeBufferPointer { try integrator.reset(time: 0, state: $0) }
    }
  }
}
