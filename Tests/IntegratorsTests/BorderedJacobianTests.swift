// CellSim — IntegratorsTests/BorderedJacobianTests.swift
//
// The bordered Jacobian structure (a band block plus dense trailing rows and columns): a DAE with
// that structure integrates to the same answer as with `.dense`, with finite differences or with an
// analytic Jacobian in the bordered layout.

import Foundation
import Integrators
import Testing

/// nb states coupled to their neighbours (diffusion, when `lower`/`upper` = 1) and to every border
/// unknown; a differential border unknown u and an algebraic one z coupled to every state:
///
///     y_i' = −λ_i y_i + κ (y_{i−1} − 2y_i + y_{i+1}) + g_i z + h_i u
///     u'   = −u + (1/nb) Σ y_i − 0.1 z                         (border = 2 only)
///     0    = Σ w_i y_i + z + 0.1 z³ − (1 + 0.5 sin t)
///
/// plus one quadrature q' = z (outside the Newton system).
struct ArrowSystem: DAESystem {
  let nb: Int
  let coupling: Double  // κ: 0 for a diagonal block
  let border: Int  // 1 (z) or 2 (u, z)
  let structure: JacobianStructure
  var providesJacobian = false
  var counter: CallCounter? = nil

  var dimension: Int { nb + border + 1 }
  var quadratureCount: Int { 1 }
  var isDifferential: [Bool] {
    Array(repeating: true, count: nb) + (border == 2 ? [true] : []) + [false, true]
  }
  var jacobianStructure: JacobianStructure { structure }

  func lambda(_ i: Int) -> Double { 0.5 + 50 * Double(i) / Double(nb) }
  func g(_ i: Int) -> Double { 1 + 0.1 * Double(i % 3) }
  func h(_ i: Int) -> Double { border == 2 ? 0.2 * cos(Double(i)) : 0 }
  func w(_ i: Int) -> Double { 1 / Double(nb) * (1 + 0.5 * sin(Double(i))) }

  var zIndex: Int { nb + border - 1 }
  var uIndex: Int { nb }

  var initialState: [Double] {
    var y = (0..<nb).map { 1 + 0.1 * Double($0 % 5) }
    if border == 2 { y.append(0.3) }
    // z from its equation at t = 0 (Newton on z + 0.1 z³ = 1 − Σ w_i y_i).
    var sum = 0.0
    for i in 0..<nb { sum += w(i) * y[i] }
    var z = 0.0
    for _ in 0..<50 { z -= (z + 0.1 * z * z * z - (1 - sum)) / (1 + 0.3 * z * z) }
    y.append(z)
    y.append(0)
    return y
  }

  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    counter?.residuals += 1
    let z = y[zIndex]
    let u = border == 2 ? y[uIndex] : 0
    var sum = 0.0
    var mean = 0.0
    for i in 0..<nb {
      let left = i > 0 ? y[i - 1] : y[i]
      let right = i < nb - 1 ? y[i + 1] : y[i]
      f[i] = -lambda(i) * y[i] + coupling * (left - 2 * y[i] + right) + g(i) * z + h(i) * u
      sum += w(i) * y[i]
      mean += y[i] / Double(nb)
    }
    if border == 2 { f[uIndex] = -u + mean - 0.1 * z }
    f[zIndex] = sum + z + 0.1 * z * z * z - (1 + 0.5 * sin(t))
    f[nb + border] = z
  }

  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard providesJacobian, case .bordered(let kl, let ku, let k) = structure, k == border else { return false }
    counter?.analyticJacobians += 1
    let n = nb + border
    let width = kl + ku + 1
    let columns = nb * width
    let rows = columns + n * border
    func set(_ i: Int, _ j: Int, _ v: Double) {
      if j >= nb {
        jacobian[columns + i + (j - nb) * n] = v
      } else if i >= nb {
        jacobian[rows + (i - nb) + j * border] = v
      } else {
        jacobian[(ku + i - j) + j * width] = v
      }
    }
    for i in 0..<nb {
      let boundary = (i > 0 ? 0 : 1) + (i < nb - 1 ? 0 : 1)
      set(i, i, -lambda(i) - coupling * Double(2 - boundary))
      if i > 0 { set(i, i - 1, coupling) }
      if i < nb - 1 { set(i, i + 1, coupling) }
      set(i, zIndex, g(i))
      if border == 2 {
        set(i, uIndex, h(i))
        set(uIndex, i, 1 / Double(nb))
      }
      set(zIndex, i, w(i))
    }
    let z = y[zIndex]
    if border == 2 {
      set(uIndex, uIndex, -1)
      set(uIndex, zIndex, -0.1)
      set(zIndex, uIndex, 0)
    }
    set(zIndex, zIndex, 1 + 0.3 * z * z)
    return true
  }
}

@Suite("Bordered Jacobians")
struct BorderedJacobianTests {
  static let endTime = 5.0

  func solve(_ system: ArrowSystem) throws -> (state: [Double], statistics: SolverStatistics) {
    let integrator = BDFIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-7, absoluteTolerance: [1e-9]))
    integrator.setStopTime(Self.endTime)
    try integrator.reset(time: 0, state: system.initialState)
    let result = run(integrator)
    #expect(result.outcome == .reachedStopTime)
    return (Array(integrator.state), integrator.statistics)
  }

  func maxRelativeDifference(_ u: [Double], _ v: [Double]) -> Double {
    let scale = v.map(abs).max()!
    return zip(u, v).map { abs($0 - $1) }.max()! / scale
  }

  @Test(
    "bordered and dense integrate to the same answer (finite differences and analytic)",
    arguments: [(40, 0.0, 0, 0, 1), (40, 5.0, 1, 1, 1), (30, 5.0, 1, 1, 2), (30, 0.0, 0, 0, 2)])
  func borderedMatchesDense(_ shape: (Int, Double, Int, Int, Int)) throws {
    let (nb, kappa, kl, ku, k) = shape
    let bordered = JacobianStructure.bordered(lower: kl, upper: ku, border: k)
    let dense = try solve(ArrowSystem(nb: nb, coupling: kappa, border: k, structure: .dense))
    let fd = try solve(ArrowSystem(nb: nb, coupling: kappa, border: k, structure: bordered))
    let counter = CallCounter()
    let analytic = try solve(
      ArrowSystem(nb: nb, coupling: kappa, border: k, structure: bordered, providesJacobian: true, counter: counter))
    // The same finite-difference Jacobian, factored two ways: the same steps up to rounding.
    #expect(maxRelativeDifference(fd.state, dense.state) <= 1e-9, "\(maxRelativeDifference(fd.state, dense.state))")
    #expect(fd.statistics.steps == dense.statistics.steps)
    // An exact Jacobian: Newton iterates differ within the Newton tolerance, the answer within rtol.
    #expect(
      maxRelativeDifference(analytic.state, dense.state) <= 1e-6,
      "\(maxRelativeDifference(analytic.state, dense.state))")
    #expect(counter.analyticJacobians == analytic.statistics.jacobianEvaluations)
    #expect(analytic.statistics.jacobianEvaluations > 0)
  }
}
