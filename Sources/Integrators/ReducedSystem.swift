// CellSim — Integrators/ReducedSystem.swift
//
// The unknowns of a `DiagonalLinearSystem` that have no closed-form flow, as a DAE of their own.
//
// From a base point (t_b, y_b) on, the other unknowns outside the quadratures follow
//
//     y_i(t) = y_b,i + (c_i − k_i·y_b,i)·φ(k_i, t − t_b)        (`linearFlow`; algebraic ones: k = c = 0, held)
//
// so the remaining ones (decay NaN in `diagonalLinearFlow`) obey the ODE whose rates are the full
// system's rows at the full state with those filled in at the time asked
// (`DiagonalLinearSystem.residualWithoutLinearFlow`). That is the DAE
// `ExactFlowIntegrator` hands to its inner BDF: no quadratures and no events (the outer integrator
// takes them on its own nodes), and as Jacobian structure the full one's band (removing unknowns
// from a band keeps the band, the remaining indices only move closer together; the border of a
// bordered system is algebraic, so it is held, not kept).

import Foundation

/// The DAE of the unknowns without a closed-form flow, the others filled in from it.
final class ReducedSystem<Full: DiagonalLinearSystem>: DAESystem {
  let full: Full
  /// Unknowns of the full system and of the reduced one.
  let fullCount: Int
  let dimension: Int
  /// The full index of each reduced unknown (ascending), and of each unknown filled in.
  let kept: UnsafeMutablePointer<Int>
  let eliminated: UnsafeMutablePointer<Int>
  let eliminatedCount: Int
  /// k_i and c_i of the full system's unknowns (valid where eliminated), y_i(t_b), t_b.
  let decay: UnsafeMutablePointer<Double>
  let forcing: UnsafeMutablePointer<Double>
  let base: UnsafeMutablePointer<Double>
  var baseTime = 0.0
  /// A full state: the eliminated unknowns at `expandedTime`, the kept ones as last written.
  let expanded: UnsafeMutablePointer<Double>
  var expandedTime = Double.nan
  let fullResidual: UnsafeMutablePointer<Double>
  /// The block the pointers above point into.
  let numbers: UnsafeMutablePointer<Double>
  let jacobianStructure: JacobianStructure
  /// Which unknowns outside the full system's quadratures are kept (`true`: no closed form).
  let keeps: [Bool]
  /// Whether the kept unknowns' rates read the eliminated ones (else these stay at their base values).
  let readsEliminated: Bool

  var isDifferential: [Bool] { Array(repeating: true, count: dimension) }

  /// - Parameter keeps: for each unknown outside the full system's quadratures, whether it is kept
  ///   (a differential unknown without a closed-form flow); the quadratures are left out.
  init(full: Full, keeps: [Bool]) {
    self.full = full
    self.keeps = keeps
    readsEliminated = full.residualWithoutLinearFlowReadsLinearUnknowns
    fullCount = full.dimension
    let nd = fullCount - full.quadratureCount
    var keptTotal = 0
    for i in 0..<nd where keeps[i] { keptTotal += 1 }
    dimension = keptTotal
    eliminatedCount = nd - keptTotal
    let indices = UnsafeMutablePointer<Int>.allocate(capacity: max(nd, 1))
    indices.initialize(repeating: 0, count: max(nd, 1))
    kept = indices
    eliminated = indices + keptTotal
    var (r, e) = (0, 0)
    for i in 0..<nd {
      if keeps[i] {
        kept[r] = i
        r += 1
      } else {
        eliminated[e] = i
        e += 1
      }
    }
    switch full.jacobianStructure {
    case .dense: jacobianStructure = .dense
    case .banded(let lower, let upper), .bordered(let lower, let upper, _):
      // A band as wide as the reduced system is a dense matrix (dense LU, no band bookkeeping).
      jacobianStructure =
        lower >= keptTotal - 1 && upper >= keptTotal - 1 ? .dense : .banded(lower: lower, upper: upper)
    }
    numbers = .allocate(capacity: max(5 * fullCount, 1))
    numbers.initialize(repeating: 0, count: max(5 * fullCount, 1))
    decay = numbers
    forcing = numbers + fullCount
    base = numbers + 2 * fullCount
    expanded = numbers + 3 * fullCount
    fullResidual = numbers + 4 * fullCount
  }

  deinit {
    kept.deallocate()
    numbers.deallocate()
  }

  /// Takes (t_b, y_b) as the base of the eliminated unknowns' flow, with their decays and forcings
  /// (count: the unknowns outside the quadratures).
  func setBase(time: Double, state y: UnsafePointer<Double>, decay k: UnsafePointer<Double>, forcing c: UnsafePointer<Double>) {
    baseTime = time
    for i in 0..<fullCount {
      base[i] = y[i]
      expanded[i] = y[i]
    }
    for m in 0..<eliminatedCount {
      let i = eliminated[m]
      decay[i] = k[i]
      forcing[i] = c[i]
    }
    expandedTime = .nan
  }

  /// The full state at time t from the reduced unknowns `y` (the closed form once per distinct t).
  @inline(__always)
  func expand(_ t: Double, _ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    if t != expandedTime && readsEliminated {
      let delta = t - baseTime
      for m in 0..<eliminatedCount {
        let i = eliminated[m]
        expanded[i] = linearFlow(from: base[i], decay: decay[i], forcing: forcing[i], after: delta)
      }
      expandedTime = t
    }
    for r in 0..<dimension { expanded[kept[r]] = y[r] }
    return UnsafeBufferPointer(start: expanded, count: fullCount)
  }

  /// The full system's `jacobianWithoutLinearFlow`, when the reduced system is dense.
  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard jacobianStructure == .dense else { return false }
    return full.jacobianWithoutLinearFlow(t, expand(t, y), into: jacobian, leadingDimension: dimension)
  }

  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    full.residualWithoutLinearFlow(
      t, expand(t, y), into: UnsafeMutableBufferPointer(start: fullResidual, count: fullCount))
    for r in 0..<dimension { f[r] = fullResidual[kept[r]] }
  }
}
