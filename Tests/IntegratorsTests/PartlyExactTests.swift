// CellSim — IntegratorsTests/PartlyExactTests.swift
//
// `PartlyExactIntegrator` on a system with one unknown in closed form and one that is not:
//
//     y0' = −k·y0 + c            (linear, on its own: y0(t) = c/k + (y0(0) − c/k)e^{−kt})
//     y1' = −y1² + y0            (nonlinear, driven by y0)
//     0   = y2 − 2               (algebraic)
//     q'  = y2·y1                (quadrature)
//
// against the BDF on the whole system, with the event y1 = level.

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

@Suite("Partly exact integrator")
struct PartlyExactTests {
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
    let partly = try #require(
      start.withUnsafeBufferPointer { PartlyExactIntegrator(system: system, options: Self.options, at: $0) })
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
    let partly = try #require(
      Self.start.withUnsafeBufferPointer { PartlyExactIntegrator(system: system, options: Self.options, at: $0) })
    let bdf = BDFIntegrator(system: system, options: Self.options)
    #expect(try run(partly, stop: 10) == .event(index: 0))
    #expect(try run(bdf, stop: 10) == .event(index: 0))
    #expect(abs(partly.t - bdf.t) <= 1e-6 * bdf.t, "t = \(partly.t) vs \(bdf.t)")
    #expect(abs(partly.state[1] - 1.2) <= 1e-9)
  }

  @Test("no integrator when no unknown, or every one, has a closed form")
  func notApplicable() throws {
    struct AllLinear: DiagonalLinearSystem {
      var dimension: Int { 1 }
      var isDifferential: [Bool] { [true] }
      var jacobianStructure: JacobianStructure { .dense }
      func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
        f[0] = -y[0]
      }
      func diagonalLinearFlow(
        _ y: UnsafeBufferPointer<Double>, decay: UnsafeMutableBufferPointer<Double>,
        forcing: UnsafeMutableBufferPointer<Double>
      ) -> Bool {
        decay[0] = 1; forcing[0] = 0
        return true
      }
    }
    let made = [1.0].withUnsafeBufferPointer {
      PartlyExactIntegrator(system: AllLinear(), options: IntegratorOptions(), at: $0)
    }
    #expect(made == nil)
  }
}
