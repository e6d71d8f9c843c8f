// CellSim — LinearAlgebra/DenseMatrix.swift
//
// A general dense matrix in column-major storage, its matrix–vector product (CBLAS `dgemv`)
// and the one-shot dense solver (LAPACK `dgesv`).

internal import CLinearAlgebra

/// A general `rows × columns` matrix of `Double`, stored column-major.
///
/// Entry `A[i, j]` (0-based) lives at `elements[i + j · rows]`, i.e. the leading dimension is
/// `rows` — exactly the layout LAPACK and CBLAS expect, so no transposition or copy is needed
/// to hand the matrix to them.
public struct DenseMatrix: Sendable, Equatable {
  /// The number of rows, `m`.
  public let rows: Int
  /// The number of columns, `n`.
  public let columns: Int
  /// The entries in column-major order; `elements.count == rows · columns`.
  public internal(set) var elements: [Double]

  /// Creates a `rows × columns` matrix of zeros.
  ///
  /// - Precondition: `rows ≥ 0` and `columns ≥ 0`.
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "DenseMatrix: negative dimension")
    self.rows = rows
    self.columns = columns
    self.elements = Array(repeating: 0, count: rows * columns)
  }

  /// Creates a matrix from its entries in **column-major** order (`elements[i + j · rows]` is
  /// `A[i, j]`).
  ///
  /// - Precondition: `elements.count == rows · columns`.
  public init(rows: Int, columns: Int, elements: [Double]) {
    precondition(rows >= 0 && columns >= 0, "DenseMatrix: negative dimension")
    precondition(
      elements.count == rows * columns,
      "DenseMatrix: \(elements.count) elements for a \(rows)×\(columns) matrix")
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// Creates a matrix from a list of rows, as it is written on paper:
  /// `DenseMatrix(rowMajor: [[1, 2], [3, 4]])` is `[1 2; 3 4]`.
  ///
  /// - Precondition: every row has the same length.
  public init(rowMajor entries: [[Double]]) {
    let m = entries.count
    let n = entries.first?.count ?? 0
    self.init(rows: m, columns: n)
    for (i, row) in entries.enumerated() {
      precondition(row.count == n, "DenseMatrix(rowMajor:): ragged rows")
      for (j, value) in row.enumerated() { elements[i + j * m] = value }
    }
  }

  /// The `n × n` identity matrix `I` (ones on the diagonal, zeros elsewhere).
  public static func identity(_ n: Int) -> DenseMatrix {
    var matrix = DenseMatrix(rows: n, columns: n)
    for i in 0..<n { matrix.elements[i + i * n] = 1 }
    return matrix
  }

  /// The entry `A[row, column]` (0-based).
  ///
  /// - Precondition: `0 ≤ row < rows` and `0 ≤ column < columns`.
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
      return elements[row + column * rows]
    }
    set {
      precondition(row >= 0 && row < rows && column >= 0 && column < columns, "index out of range")
      elements[row + column * rows] = newValue
    }
  }

  /// The matrix–vector product `y = A · x`, `yᵢ = Σⱼ A[i, j] · xⱼ`.
  ///
  /// The corresponding BLAS routine is `dgemv`.
  ///
  /// - Parameter x: a vector of length `columns`.
  /// - Returns: the vector `A · x`, of length `rows`.
  /// - Precondition: `x.count == columns` (a programmer error otherwise, like an array index).
  public func multiply(_ x: [Double]) -> [Double] {
    precondition(x.count == columns, "DenseMatrix.multiply: x has \(x.count) entries, need \(columns)")
    var y = [Double](repeating: 0, count: rows)
    guard rows > 0, columns > 0 else { return y }
    elements.withUnsafeBufferPointer { a in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          cblas_dgemv(
            CblasColMajor, CblasNoTrans, Lapack.int(rows), Lapack.int(columns),
            1, a.baseAddress, Lapack.int(rows), xp.baseAddress, 1, 0, yp.baseAddress, 1)
        }
      }
    }
    return y
  }
}

/// Solves the square linear system `A · x = b` by LU factorisation with partial pivoting
/// (`P · A = L · U`).
///
/// The inputs are not modified. For repeated solves with the same or a re-filled matrix, use
/// ``DenseLU``, which does not allocate.
///
/// The corresponding LAPACK routine is `dgesv`.
///
/// - Parameters:
///   - a: the `n × n` coefficient matrix.
///   - b: the right-hand side, of length `n`.
/// - Returns: the solution `x`, of length `n`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `a` is not square
///   (expected `a.rows` columns) or `b.count ≠ n`; ``LinearAlgebraError/singular(pivot:)`` if
///   `a` is exactly singular.
public func solve(_ a: DenseMatrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
  try solve(a, DenseMatrix(rows: b.count, columns: 1, elements: b)).elements
}

/// Solves `A · X = B` for several right-hand sides at once (the columns of `B`), with one LU
/// factorisation of `A` (partial pivoting).
///
/// The corresponding LAPACK routine is `dgesv`.
///
/// - Parameters:
///   - a: the `n × n` coefficient matrix.
///   - b: the `n × k` matrix whose columns are the right-hand sides.
/// - Returns: the `n × k` solution `X`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `a` is not square or
///   `b.rows ≠ n`; ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
public func solve(_ a: DenseMatrix, _ b: DenseMatrix) throws(LinearAlgebraError) -> DenseMatrix {
  let n = a.rows
  try Lapack.require(a.columns, equals: n)
  try Lapack.require(b.rows, equals: n)
  var x = b
  guard n > 0, b.columns > 0 else { return x }
  var factors = a.elements
  var pivots = [Int32](repeating: 0, count: n)
  let info = factors.withUnsafeMutableBufferPointer { ap in
    pivots.withUnsafeMutableBufferPointer { ip in
      x.elements.withUnsafeMutableBufferPointer { bp in
        LAPACKE_dgesv_work(
          Lapack.columnMajor, Lapack.int(n), Lapack.int(b.columns), ap.baseAddress, Lapack.int(n),
          ip.baseAddress, bp.baseAddress, Lapack.int(n))
      }
    }
  }
  try Lapack.check(info)
  return x
}
