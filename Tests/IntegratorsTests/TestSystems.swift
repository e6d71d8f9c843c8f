// CellSim — IntegratorsTests/TestSystems.swift
//
// Small DAE systems with known solutions, and helpers to drive `BDFIntegrator`. Every expected value
// in the tests comes from a closed form or a published reference, never from the integrator.

import Foundation
import Integrators

/// Counts calls into a system independently of the integrator's own statistics.
final class CallCounter {
  var residuals = 0
  var analyticJacobians = 0
}

/// y' = −λ·y.  Exact: y(t) = y(0)·exp(−λt).
struct LinearDecay: DAESystem {
  var lambda: Double
  var dimension: Int { 1 }
  var isDifferential: [Bool] { [true] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = -lambda * y[0]
  }
}

/// Robertson's chemical kinetics (Hairer & Wanner, problem ROBER):
///     y1' = −0.04·y1 + 1e4·y2·y3
///     y2' =  0.04·y1 − 1e4·y2·y3 − 3e7·y2²
///     y3' =  3e7·y2²            (ODE form)   or   0 = y1 + y2 + y3 − 1   (DAE form)
struct Robertson: DAESystem {
  var algebraicConservation: Bool
  var providesJacobian = false
  var counter: CallCounter? = nil
  var dimension: Int { 3 }
  var isDifferential: [Bool] { [true, true, !algebraicConservation] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    counter?.residuals += 1
    let r1 = 0.04 * y[0]
    let r2 = 1e4 * y[1] * y[2]
    let r3 = 3e7 * y[1] * y[1]
    f[0] = -r1 + r2
    f[1] = r1 - r2 - r3
    f[2] = algebraicConservation ? y[0] + y[1] + y[2] - 1 : r3
  }
  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard providesJacobian else { return false }
    counter?.analyticJacobians += 1
    // Column-major 3×3: jacobian[i + 3j] = ∂f_i/∂y_j.
    func set(_ i: Int, _ j: Int, _ v: Double) { jacobian[i + 3 * j] = v }
    set(0, 0, -0.04)
    set(0, 1, 1e4 * y[2])
    set(0, 2, 1e4 * y[1])
    set(1, 0, 0.04)
    set(1, 1, -1e4 * y[2] - 6e7 * y[1])
    set(1, 2, -1e4 * y[1])
    if algebraicConservation {
      set(2, 0, 1)
      set(2, 1, 1)
      set(2, 2, 1)
    } else {
      set(2, 0, 0)
      set(2, 1, 6e7 * y[1])
      set(2, 2, 0)
    }
    return true
  }
}

/// Semi-explicit index-1 DAE:  y1' = y2,  0 = y2 + y1.  Exact: y1 = y1(0)·e^{−t}, y2 = −y1.
struct IndexOneDAE: DAESystem {
  var dimension: Int { 2 }
  var isDifferential: [Bool] { [true, false] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = y[1]
    f[1] = y[1] + y[0]
  }
}

/// y' = −1 (exact: y = y(0) − t) with events g_k = y − level_k.
struct ConstantDescent: DAESystem {
  var levels: [Double]
  var dimension: Int { 1 }
  var isDifferential: [Bool] { [true] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = -1
  }
  var eventCount: Int { levels.count }
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    for k in levels.indices { g[k] = y[0] - levels[k] }
  }
}

/// y'' = −y as y1' = y2, y2' = −y1; event g = y1.  From (1, 0): y1 = cos t, first zero at π/2.
struct Oscillator: DAESystem {
  var dimension: Int { 2 }
  var isDifferential: [Bool] { [true, true] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = y[1]
    f[1] = -y[0]
  }
  var eventCount: Int { 1 }
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {
    g[0] = y[0]
  }
}

/// y' = cos t, y(0) = 0.  Exact: y = sin t.
struct CosineDriven: DAESystem {
  var dimension: Int { 1 }
  var isDifferential: [Bool] { [true] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = cos(t)
  }
}

/// 1-D heat equation u_t = u_xx on (0, 1), u = 0 at both ends, by the method of lines on `nodes`
/// interior nodes x_i = (i+1)·Δx, Δx = 1/(nodes+1). The discrete sine mode sin(πx_i) is an
/// eigenvector of the semi-discrete operator with eigenvalue −(2/Δx²)(1 − cos(πΔx)).
struct HeatEquation: DAESystem {
  var nodes: Int
  var structure: JacobianStructure
  var providesJacobian = false
  var counter: CallCounter? = nil
  var dimension: Int { nodes }
  var isDifferential: [Bool] { Array(repeating: true, count: nodes) }
  var jacobianStructure: JacobianStructure { structure }
  var spacing: Double { 1 / Double(nodes + 1) }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    counter?.residuals += 1
    let inverse = 1 / (spacing * spacing)
    for i in 0..<nodes {
      let left = i > 0 ? y[i - 1] : 0
      let right = i < nodes - 1 ? y[i + 1] : 0
      f[i] = (left - 2 * y[i] + right) * inverse
    }
  }
  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard providesJacobian else { return false }
    counter?.analyticJacobians += 1
    let inverse = 1 / (spacing * spacing)
    func set(_ i: Int, _ j: Int, _ v: Double) {
      guard i >= 0, i < nodes, j >= 0, j < nodes else { return }
      switch structure {
      case .dense: jacobian[i + j * nodes] = v
      case .banded(let kl, let ku): jacobian[(ku + i - j) + j * (kl + ku + 1)] = v
      case .bordered(let kl, let ku, let k):
        let nb = nodes - k
        let columns = (kl + ku + 1) * nb
        if j >= nb {
          jacobian[columns + i + (j - nb) * nodes] = v
        } else if i >= nb {
          jacobian[columns + nodes * k + (i - nb) + j * k] = v
        } else {
          jacobian[(ku + i - j) + j * (kl + ku + 1)] = v
        }
      }
    }
    for i in 0..<nodes {
      set(i, i, -2 * inverse)
      set(i, i - 1, inverse)
      set(i, i + 1, inverse)
    }
    return true
  }
  var initialSineMode: [Double] { (0..<nodes).map { sin(Double.pi * Double($0 + 1) * spacing) } }
  var discreteEigenvalue: Double { 2 / (spacing * spacing) * (1 - cos(Double.pi * spacing)) }
}

/// y' = −y, but the residual is NaN for t > `badAfter`.
struct NaNAfter: DAESystem {
  var badAfter: Double
  var dimension: Int { 1 }
  var isDifferential: [Bool] { [true] }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    f[0] = t > badAfter ? .nan : -y[0]
  }
}

/// The result of driving an integrator with `run`.
struct RunResult {
  var outcome: StepOutcome
  /// Calls to `step()` that returned `.advanced` or `.reachedStopTime` or `.event` (accepted steps).
  var acceptedCalls: Int
  var calls: Int
}

/// Calls `step()` until it returns something other than `.advanced`, at most `limit` times.
/// `each` sees the integrator after every call.
func run<S: DAESystem>(
  _ integrator: BDFIntegrator<S>, limit: Int = 20_000,
  each: (BDFIntegrator<S>, StepOutcome) -> Void = { _, _ in }
) -> RunResult {
  var calls = 0
  var accepted = 0
  while calls < limit {
    let outcome = integrator.step()
    calls += 1
    each(integrator, outcome)
    switch outcome {
    case .advanced:
      accepted += 1
      continue
    case .reachedStopTime, .event:
      accepted += 1
      return RunResult(outcome: outcome, acceptedCalls: accepted, calls: calls)
    case .failed:
      return RunResult(outcome: outcome, acceptedCalls: accepted, calls: calls)
    }
  }
  return RunResult(outcome: .advanced, acceptedCalls: accepted, calls: calls)
}

func relativeError(_ value: Double, _ exact: Double) -> Double { abs(value - exact) / abs(exact) }
