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
  /// When set, the event is q = chargeLimit instead (an event on a quadrature, like a charge limit).
  var chargeLimit: Double?
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
    g[0] = chargeLimit.map { $0 - y[3] } ?? y[0] - level
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

  @Test("an event on the quadrature (q = 12) is located at its closed-form root, not at a node")
  func quadratureEvent() throws {
    var system = RelaxingSystem()
    system.chargeLimit = 12
    let integrator = try integrator(system, stop: 100)
    var outcome = StepOutcome.advanced
    while outcome == .advanced { outcome = integrator.step() }
    // q is increasing: bisect its closed form for the root.
    var (a, b) = (0.0, 100.0)
    for _ in 0..<200 { let m = (a + b) / 2; if system.q(m) < 12 { a = m } else { b = m } }
    #expect(outcome == .event(index: 0))
    #expect(abs(integrator.t - b) <= 1e-6 * b, "t = \(integrator.t), root \(b)")
  }

  @Test("an inconsistent algebraic unknown is refused, not integrated")
  func inconsistentStart() throws {
    let integrator = ExactFlowIntegrator(system: RelaxingSystem(), options: IntegratorOptions())
    #expect(throws: IntegratorFailure.self) {
      try [4.0, 1, 3, 0].withUnsafeBufferPointer { try integrator.reset(time: 0, state: $0) }
    }
  }
}

/// A diffusion-like response: 400 modes y_j' = −j²·y_j + 1/j² from 0 (decays k_j = j², so their sum
/// Σ y_j rises like √t at first), and the quadrature q' = (Σ y_j)², whose integrand follows the √t
/// start. Reference: the same integral by composite Simpson in s = √t on 20 000 panels of the closed
/// form Σ y_j(t) = Σ (1 − e^{−j²t})/j⁴.
struct DiffusionLikeSystem: DiagonalLinearSystem {
  static let modes = 400
  var dimension: Int { Self.modes + 1 }
  var isDifferential: [Bool] { Array(repeating: true, count: Self.modes + 1) }
  var jacobianStructure: JacobianStructure { .dense }
  var quadratureCount: Int { 1 }
  var eventCount: Int { 0 }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    var sum = 0.0
    for j in 1...Self.modes {
      let k = Double(j * j)
      f[j - 1] = -k * y[j - 1] + 1 / k
      sum += y[j - 1]
    }
    f[Self.modes] = sum * sum
  }
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {}
  func diagonalLinearFlow(
    _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
    forcing: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    for j in 1...Self.modes {
      decay[j - 1] = Double(j * j)
      forcing[j - 1] = 1 / Double(j * j)
    }
    return true
  }
  static func response(_ t: Double) -> Double {
    var sum = 0.0
    for j in 1...modes { sum += -expm1(-Double(j * j) * t) / pow(Double(j), 4) }
    return sum
  }
  /// ∫₀ᵀ (Σ y_j)² dt = ∫₀^√T (Σ y_j(s²))²·2s ds by composite Simpson.
  static func integral(_ end: Double) -> Double {
    let panels = 20_000
    let h = end.squareRoot() / Double(panels)
    var total = 0.0
    for i in 0...panels {
      let s = Double(i) * h
      let f = pow(response(s * s), 2) * 2 * s
      total += f * (i == 0 || i == panels ? 1 : (i % 2 == 1 ? 4 : 2))
    }
    return total * h / 3
  }
}

@Suite("Exact flow integrator, √t start")
struct ExactFlowGradedStartTests {
  @Test("a √t-like start: the quadrature within its tolerance over the first step and to the end, in few steps")
  func diffusionLikeStart() throws {
    let system = DiffusionLikeSystem()
    let integrator = ExactFlowIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-30]))
    let stop = 2.0
    integrator.setStopTime(stop)
    let start = [Double](repeating: 0, count: DiffusionLikeSystem.modes + 1)
    try start.withUnsafeBufferPointer { try integrator.reset(time: 0, state: $0) }
    // The first (graded) step, and a time inside it.
    #expect(integrator.step() == .advanced)
    let first = integrator.t
    var out = [Double](repeating: 0, count: DiffusionLikeSystem.modes + 1)
    let inside = 0.3 * first
    out.withUnsafeMutableBufferPointer { integrator.interpolate(at: inside, into: $0) }
    // Inside the step, within the step's error budget (atol + rtol·q at its end, ×10); at its end,
    // within 1e-5 relative.
    let expectedInside = DiffusionLikeSystem.integral(inside)
    let expectedFirst = DiffusionLikeSystem.integral(first)
    #expect(abs(out[DiffusionLikeSystem.modes] - expectedInside) <= 10 * (1e-30 + 1e-6 * expectedFirst),
      "q(\(inside)) = \(out[DiffusionLikeSystem.modes]) vs \(expectedInside)")
    #expect(abs(integrator.state[DiffusionLikeSystem.modes] - expectedFirst) <= 1e-5 * expectedFirst)
    while integrator.step() == .advanced {}
    #expect(integrator.t == stop)
    let expected = DiffusionLikeSystem.integral(stop)
    let q = integrator.state[DiffusionLikeSystem.modes]
    #expect(abs(q - expected) <= 1e-5 * expected, "q = \(q) vs \(expected)")
    #expect(integrator.statistics.steps < 40, "\(integrator.statistics.steps) steps")
  }
}
