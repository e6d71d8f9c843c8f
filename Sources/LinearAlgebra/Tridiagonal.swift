// CellSim — LinearAlgebra/Tridiagonal.swift
//
// A square tridiagonal matrix stored as its three diagonals, and the one-shot tridiagonal
// solver (LAPACK `dgtsv`).

internal import CLinearAlgebra

/// A square `n × n` tridiagonal matrix stored as three diagonals:
///
///     ⎡ d₀  u₀                 ⎤
///     ⎢ l₀  d₁  u₁             ⎥
///     ⎢     l₁  d₂  ⋱          ⎥
///     ⎢         ⋱   ⋱   uₙ₋₂   ⎥
///     ⎣            lₙ₋₂  dₙ₋₁  ⎦
///
/// `lower[i] = A[i + 1, i]`, `diagonal[i] = A[i, i]`, `upper[i] = A[i, i + 1]`.
/// Storage and solves are `O(n)`.
public struct TridiagonalMatrix: Sendable, Equatable {
  /// The sub-diagonal, `n − 1` entries: `lower[i] = A[i + 1, i]`.
  public var lower: [Double]
  /// The main diagonal, `n` entries: `diagonal[i] = A[i, i]`.
  public var diagonal: [Double]
  /// The super-diagonal, `n − 1` entries: `upper[i] = A[i, i + 1]`.
  public var upper: [Double]

  /// The order `n` of the matrix (the length of ``diagonal``).
  public var dimension: Int { diagonal.count }

  /// Creates a tridiagonal matrix from its three diagonals.
  ///
  /// - Precondition: `lower.count == upper.count == max(diagonal.count − 1, 0)`.
  public init(lower: [Double], diagonal: [Double], upper: [Double]) {
    let off = max(diagonal.count - 1, 0)
    precondition(
      lower.count == off && upper.count == off,
      "TridiagonalMatrix: off-diagonals must have \(off) entries")
    self.lower = lower
    self.diagonal = diagonal
    self.upper = upper
  }

  /// Creates an `n × n` zero tridiagonal matrix.
  public init(dimension: Int) {
    precondition(dimension >= 0, "TridiagonalMatrix: negative dimension")
    let off = max(dimension - 1, 0)
    self.init(
      lower: Array(repeating: 0, count: off), diagonal: Array(repeating: 0, count: dimension),
      upper: Array(repeating: 0, count: off))
  }

  /// The entry `A[row, column]` (0-based).
  ///
  /// Reading outside the three diagonals returns `0`; setting there is a programmer error and
  /// traps (precondition failure). Indices outside `0..<n` trap.
  public subscript(row: Int, column: Int) -> Double {
    get {
      let n = dimension
      precondition(row >= 0 && row < n && column >= 0 && column < n, "index out of range")
      switch column - row {
      case 0: return diagonal[row]
      case 1: return upper[row]
      case -1: return lower[column]
      default: return 0
      }
    }
    set {
      let n = dimension
      precondition(row >= 0 && row < n && column >= 0 && column < n, "index out of range")
      switch column - row {
      case 0: diagonal[row] = newValue
      case 1: upper[row] = newValue
      case -1: lower[column] = newValue
      default: preconditionFailure("(\(row), \(column)) is outside the tridiagonal band")
      }
    }
  }

  /// The same matrix as an `n × n` ``DenseMatrix``.
  public func toDense() -> DenseMatrix {
    let n = dimension
    var dense = DenseMatrix(rows: n, columns: n)
    for i in 0..<n {
      dense.elements[i + i * n] = diagonal[i]
      if i + 1 < n {
        dense.elements[(i + 1) + i * n] = lower[i]
        dense.elements[i + (i + 1) * n] = upper[i]
      }
    }
    return dense
  }

  /// The matrix–vector product `y = A · x`:
  /// `yᵢ = lᵢ₋₁ · xᵢ₋₁ + dᵢ · xᵢ + uᵢ · xᵢ₊₁` (terms outside the matrix omitted).
  ///
  /// - Precondition: `x.count == dimension`.
  public func multiply(_ x: [Double]) -> [Double] {
    let n = dimension
    precondition(x.count == n, "TridiagonalMatrix.multiply: x has \(x.count) entries, need \(n)")
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var sum = diagonal[i] * x[i]
      if i > 0 { sum += lower[i - 1] * x[i - 1] }
      if i + 1 < n { sum += upper[i] * x[i + 1] }
      y[i] = sum
    }
    return y
  }

  /// Throws unless the off-diagonals have `n − 1` entries (they are public `var`s).
  func validate() throws(LinearAlgebraError) {
    let off = max(dimension - 1, 0)
    try Lapack.require(lower.count, equals: off)
    try Lapack.require(upper.count, equals: off)
  }
}

/// Solves the tridiagonal system `A · x = b` by Gaussian elimination with partial pivoting.
///
/// The inputs are not modified. For repeated solves, use ``TridiagonalLU``, which does not
/// allocate.
///
/// The corresponding LAPACK routine is `dgtsv`.
///
/// - Parameters:
///   - a: the `n × n` tridiagonal matrix.
///   - b: the right-hand side, of length `n`.
/// - Returns: the solution `x`, of length `n`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `b.count ≠ n` or an
///   off-diagonal of `a` does not have `n − 1` entries; ``LinearAlgebraError/singular(pivot:)``
///   if `a` is exactly singular.
public func solve(_ a: TridiagonalMatrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
  try solve(a, DenseMatrix(rows: b.count, columns: 1, elements: b)).elements
}

/// Solves `A · X = B` for a tridiagonal `A` and several right-hand sides (the columns of `B`).
///
/// The corresponding LAPACK routine is `dgtsv`.
///
/// - Parameters:
///   - a: the `n × n` tridiagonal matrix.
///   - b: the `n × k` matrix whose columns are the right-hand sides.
/// - Returns: the `n × k` solution `X`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `b.rows ≠ n` or an
///   off-diagonal of `a` does not have `n − 1` entries; ``LinearAlgebraError/singular(pivot:)``
///   if `a` is exactly singular.
public func solve(_ a: TridiagonalMatrix, _ b: DenseMatrix) throws(LinearAlgebraError)
  -> DenseMatrix
{
  let n = a.dimension
  try a.validate()
  try Lapack.require(b.rows, equals: n)
  var x = b
  guard n > 0, b.columns > 0 else { return x }
  var dl = a.lower
  var d = a.diagonal
  var du = a.upper
  let info = dl.withUnsafeMutableBufferPointer { dlp in
    d.withUnsafeMutableBufferPointer { dp in
      du.withUnsafeMutableBufferPointer { dup in
        x.elements.withUnsafeMutableBufferPointer { bp in
          LAPACKE_dgtsv_work(
            Lapack.columnMajor, Lapack.int(n), Lapack.int(b.columns), dlp.baseAddress,
            dp.baseAddress, dup.baseAddress, bp.baseAddress, Lapack.int(n))
        }
      }
    }
  }
  try Lapack.check(info)
  return x
}
