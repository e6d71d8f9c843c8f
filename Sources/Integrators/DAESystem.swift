// CellSim — Integrators/DAESystem.swift
//
// The integrator knows differential-algebraic systems, not batteries.

/// A semi-explicit index-1 DAE with a diagonal mass matrix:
///
///     M · y'(t) = f(t, y),   M = diag(m_i),  m_i ∈ {0, 1}
///
/// Rows with m_i = 1 are differential equations y_i' = f_i; rows with m_i = 0 are algebraic
/// constraints 0 = f_i whose unknowns must be determinable from them (index 1: ∂f_alg/∂y_alg regular).
///
/// Termination events are scalar functions g_k(t, y); an event fires where g_k crosses zero from
/// positive to non-positive, and the integrator ends exactly on that root.
public protocol DAESystem {
  /// Number of unknowns n.
  var dimension: Int { get }
  /// `true` where m_i = 1 (differential), `false` where m_i = 0 (algebraic).
  var isDifferential: [Bool] { get }
  /// Sparsity of ∂f/∂y, used to choose the linear solver and to group finite-difference columns.
  var jacobianStructure: JacobianStructure { get }
  /// Writes f(t, y) into `f` (count n).
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>)
  /// Number of trailing unknowns that are quadratures: q_k' = f_k(t, y) with no equation depending
  /// on any q (charge and energy counters, say). As in SUNDIALS IDAS they are integrated with the
  /// same BDF formula and error control but outside the Newton system, whose size and bandwidth they
  /// therefore do not change. `jacobianStructure` and `analyticJacobian` describe the leading
  /// `dimension − quadratureCount` unknowns only.
  var quadratureCount: Int { get }
  /// Writes the rows of f(t, y) that the Newton system uses, the leading `dimension − quadratureCount`;
  /// the quadrature rows of `f` may be left unwritten. The integrator calls it for Newton iterates
  /// and Jacobian columns, where the quadrature rows are not read. Default: `residual`. A system
  /// whose quadrature rows cost more than the others (a cell's voltage, say) can skip them here.
  func mainResidual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>)
  /// Writes the quadrature rows of f(t, y), the trailing `quadratureCount`; the other rows of `f` may be
  /// left unwritten. The integrator calls it once per step, at the converged solution. Default:
  /// `residual`.
  func quadratureResidual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>)
  /// Number of event functions.
  var eventCount: Int { get }
  /// Writes g(t, y) into `g` (count `eventCount`).
  func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>)
  /// Writes the analytic Jacobian ∂f/∂y if the system has one and returns `true`; the default returns
  /// `false`, and the integrator then differentiates numerically (with banded column grouping).
  /// Dense storage: column-major, `jacobian[i + j·n]`. Banded storage: `jacobian[(ku + i − j) + j·(kl+ku+1)]`.
  /// Bordered storage (nb = n − border, w = kl + ku + 1): the block's band at `(ku + i − j) + j·w`
  /// (i, j < nb); then the border columns, whole (all n rows), column-major: J[i, nb + c] at
  /// `nb·w + i + c·n`; then the border rows' block part, column-major border × nb: J[nb + r, j] at
  /// `nb·w + n·border + r + j·border` (j < nb). The array arrives zeroed.
  func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool
  /// For a `.bordered` structure without `analyticJacobian`: writes the border rows' block part
  /// ∂f_border/∂y_block (border × nb, column-major, nb = n − border) if the system has it and returns
  /// `true`; finite differences then perturb the block's columns in groups, as for a band (the
  /// border rows, which a group would mix, are not read from them), and the border columns one by
  /// one. The default returns `false`: every column on its own. `rows` arrives zeroed.
  func borderRows(_ t: Double, _ y: UnsafeBufferPointer<Double>, into rows: UnsafeMutableBufferPointer<Double>)
    -> Bool
}

extension DAESystem {
  public var quadratureCount: Int { 0 }
  public func mainResidual(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) { residual(t, y, into: f) }
  public func quadratureResidual(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>
  ) { residual(t, y, into: f) }
  public var eventCount: Int { 0 }
  public func events(_ t: Double, _ y: UnsafeBufferPointer<Double>, into g: UnsafeMutableBufferPointer<Double>) {}
  public func analyticJacobian(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into jacobian: UnsafeMutableBufferPointer<Double>
  ) -> Bool { false }
  public func borderRows(
    _ t: Double, _ y: UnsafeBufferPointer<Double>, into rows: UnsafeMutableBufferPointer<Double>
  ) -> Bool { false }
}

/// Which entries of ∂f/∂y may be non-zero.
public enum JacobianStructure: Sendable, Equatable {
  /// Every entry may be non-zero: dense LU (LAPACK `dgetrf`).
  case dense
  /// Entries with −lower ≤ j − i ≤ upper ... i.e. row i couples to columns i−lower…i+upper:
  /// banded LU (LAPACK `dgbtrf`), and finite differences perturb every (lower+upper+1)-th column together.
  case banded(lower: Int, upper: Int)
  /// Bordered ("arrow"): the leading n − border unknowns form a band block (row i couples to columns
  /// i−lower…i+upper among them), and the trailing `border` unknowns couple to everything (dense last
  /// rows and columns) — a constraint that involves all the other unknowns, say. Solved by block
  /// elimination (`BorderedLU`: band LU of the block, a border × border Schur complement); finite
  /// differences take every column on its own (a grouped perturbation would mix the entries of the
  /// border rows), so large bordered systems should provide `analyticJacobian`.
  case bordered(lower: Int, upper: Int, border: Int)
}
