// CellSim — LinearAlgebra/BandedMatrix.swift
//
// A square band matrix in LAPACK's factorisation band layout, its matrix–vector product
// (CBLAS `dgbmv`) and the one-shot band solver (LAPACK `dgbsv`).

internal import CLinearAlgebra

/// The index arithmetic of LAPACK's band storage for `dgbtrf`/`dgbsv`, shared by
/// ``BandedMatrix``, ``BandedLU`` and ``BandedMatrixView``.
///
/// An `n × n` matrix with `kl` sub-diagonals and `ku` super-diagonals is stored in a
/// column-major array with leading dimension `ldab = 2·kl + ku + 1`. Entry `A[i, j]` (0-based)
/// lives at `(kl + ku + i − j) + j · ldab`. The first `kl` rows of every column are workspace
/// for the fill-in created by row interchanges during factorisation.
struct BandLayout: Sendable, Equatable {
  let dimension: Int
  let lower: Int
  let upper: Int

  init(dimension: Int, lower: Int, upper: Int) {
    precondition(dimension >= 0 && lower >= 0 && upper >= 0, "band: negative dimension")
    self.dimension = dimension
    self.lower = lower
    self.upper = upper
  }

  /// `ldab = 2·kl + ku + 1`.
  @inline(__always) var leadingDimension: Int { 2 * lower + upper + 1 }

  /// The length of the storage array, `ldab · n`.
  var storageCount: Int { leadingDimension * dimension }

  /// Whether `(row, column)` is inside the matrix and inside the band `j − ku ≤ i ≤ j + kl`.
  @inline(__always) func contains(row: Int, column: Int) -> Bool {
    row >= 0 && row < dimension && column >= 0 && column < dimension
      && row - column <= lower && column - row <= upper
  }

  /// The storage index of `A[row, column]`; traps if the entry is outside the band.
  @inline(__always) func index(row: Int, column: Int) -> Int {
    precondition(contains(row: row, column: column), "(\(row), \(column)) is outside the band")
    return lower + upper + row - column + column * leadingDimension
  }

  /// The rows `max(0, j − ku) ... min(n − 1, j + kl)` of the band in column `j`.
  @inline(__always) func rowRange(column j: Int) -> Range<Int> {
    max(0, j - upper)..<min(dimension, j + lower + 1)
  }
}

/// A square `n × n` band matrix with `lower` (kl) sub-diagonals and `upper` (ku)
/// super-diagonals: `A[i, j] = 0` whenever `i − j > kl` or `j − i > ku`.
///
/// Storage is LAPACK's *factorisation* band layout (leading dimension `ldab = 2·kl + ku + 1`,
/// `A[i, j]` at `storage[(kl + ku + i − j) + j · ldab]`), so `dgbsv`/`dgbtrf` can factor a copy
/// in place; the top `kl` rows of each column hold no matrix entries (fill-in workspace).
/// Storage grows as `O(n · (2·kl + ku + 1))` instead of `O(n²)`.
public struct BandedMatrix: Sendable, Equatable {
  let layout: BandLayout
  /// The raw band storage in LAPACK layout, `leadingDimension · dimension` values.
  public internal(set) var storage: [Double]

  /// The order `n` of the square matrix.
  public var dimension: Int { layout.dimension }
  /// The number of sub-diagonals `kl` (lower half-bandwidth).
  public var lower: Int { layout.lower }
  /// The number of super-diagonals `ku` (upper half-bandwidth).
  public var upper: Int { layout.upper }
  /// The leading dimension of ``storage``, `ldab = 2·kl + ku + 1`.
  public var leadingDimension: Int { layout.leadingDimension }

  /// Creates an `n × n` zero band matrix with `lower` sub-diagonals and `upper` super-diagonals.
  ///
  /// - Precondition: all arguments are non-negative.
  public init(dimension: Int, lower: Int, upper: Int) {
    layout = BandLayout(dimension: dimension, lower: lower, upper: upper)
    storage = Array(repeating: 0, count: layout.storageCount)
  }

  /// Whether `A[row, column]` is inside the matrix and inside the band (may be stored).
  public func isInBand(row: Int, column: Int) -> Bool { layout.contains(row: row, column: column) }

  /// The index of `A[row, column]` in ``storage``: `(kl + ku + row − column) + column · ldab`.
  ///
  /// - Precondition: the entry is inside the band (see ``isInBand(row:column:)``).
  public func index(row: Int, column: Int) -> Int { layout.index(row: row, column: column) }

  /// The entry `A[row, column]` (0-based).
  ///
  /// Reading outside the band returns `0` (the entry is structurally zero). Setting an entry
  /// outside the band is a programmer error and traps (precondition failure), because the
  /// value cannot be represented and silently dropping it would hide a wrong bandwidth.
  /// Reading outside the matrix (`row` or `column` not in `0..<n`) also traps.
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(
        row >= 0 && row < dimension && column >= 0 && column < dimension, "index out of range")
      guard layout.contains(row: row, column: column) else { return 0 }
      return storage[layout.index(row: row, column: column)]
    }
    set {
      storage[layout.index(row: row, column: column)] = newValue
    }
  }

  /// The same matrix as an `n × n` ``DenseMatrix`` (zeros outside the band).
  public func toDense() -> DenseMatrix {
    var dense = DenseMatrix(rows: dimension, columns: dimension)
    for j in 0..<dimension {
      for i in layout.rowRange(column: j) {
        dense.elements[i + j * dimension] = storage[layout.index(row: i, column: j)]
      }
    }
    return dense
  }

  /// The matrix–vector product `y = A · x`, `yᵢ = Σⱼ A[i, j] · xⱼ` over the band.
  ///
  /// The corresponding BLAS routine is `dgbmv`.
  ///
  /// - Precondition: `x.count == dimension`.
  public func multiply(_ x: [Double]) -> [Double] {
    let n = dimension
    precondition(x.count == n, "BandedMatrix.multiply: x has \(x.count) entries, need \(n)")
    var y = [Double](repeating: 0, count: n)
    guard n > 0 else { return y }
    storage.withUnsafeBufferPointer { ab in
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
          // BLAS band layout omits LAPACK's kl workspace rows: start `kl` rows down.
          cblas_dgbmv(
            CblasColMajor, CblasNoTrans, Lapack.int(n), Lapack.int(n), Lapack.int(lower),
            Lapack.int(upper), 1, ab.baseAddress! + lower, Lapack.int(leadingDimension),
            xp.baseAddress, 1, 0, yp.baseAddress, 1)
        }
      }
    }
    return y
  }
}

/// Solves the band system `A · x = b` by LU factorisation with partial pivoting.
///
/// The inputs are not modified (a copy of the band storage is factored). For repeated solves,
/// use ``BandedLU``, which does not allocate.
///
/// The corresponding LAPACK routine is `dgbsv`.
///
/// - Parameters:
///   - a: the `n × n` band matrix.
///   - b: the right-hand side, of length `n`.
/// - Returns: the solution `x`, of length `n`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `b.count ≠ n`;
///   ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
public func solve(_ a: BandedMatrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
  try solve(a, DenseMatrix(rows: b.count, columns: 1, elements: b)).elements
}

/// Solves `A · X = B` for a band matrix `A` and several right-hand sides (the columns of `B`),
/// with one LU factorisation.
///
/// The corresponding LAPACK routine is `dgbsv`.
///
/// - Parameters:
///   - a: the `n × n` band matrix.
///   - b: the `n × k` matrix whose columns are the right-hand sides.
/// - Returns: the `n × k` solution `X`.
/// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `b.rows ≠ n`;
///   ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
public func solve(_ a: BandedMatrix, _ b: DenseMatrix) throws(LinearAlgebraError) -> DenseMatrix {
  let n = a.dimension
  try Lapack.require(b.rows, equals: n)
  var x = b
  guard n > 0, b.columns > 0 else { return x }
  var factors = a.storage
  var pivots = [Int32](repeating: 0, count: n)
  let info = factors.withUnsafeMutableBufferPointer { ab in
    pivots.withUnsafeMutableBufferPointer { ip in
      x.elements.withUnsafeMutableBufferPointer { bp in
        LAPACKE_dgbsv_work(
          Lapack.columnMajor, Lapack.int(n), Lapack.int(a.lower), Lapack.int(a.upper),
          Lapack.int(b.columns), ab.baseAddress, Lapack.int(a.leadingDimension), ip.baseAddress,
          bp.baseAddress, Lapack.int(n))
      }
    }
  }
  try Lapack.check(info)
  return x
}
