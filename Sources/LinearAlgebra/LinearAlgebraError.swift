// CellSim — LinearAlgebra/LinearAlgebraError.swift
//
// The error type of the LinearAlgebra module, and the internal glue that turns LAPACK's
// integer `info` into it. This module is the only one that imports CLinearAlgebra; no C type
// appears in its public API.

internal import CLinearAlgebra

/// A failure of a linear solve or factorisation.
///
/// LAPACK reports failures through its integer `info` output; this enum translates it:
///
/// - `info > 0` → ``singular(pivot:)``: the factorisation finished, but the diagonal entry
///   `U[info − 1, info − 1]` of the upper factor is exactly zero, so the matrix is singular and
///   no solution can be computed.
/// - `info < 0` → ``illegalArgument(position:)``: argument number `−info` of the LAPACK routine
///   had an illegal value. The Swift wrappers validate their inputs, so this indicates a bug in
///   this module rather than in the caller.
///
/// Shape checks performed on the Swift side (a right-hand side of the wrong length, a
/// non-square matrix, ill-sized diagonals) throw ``dimensionMismatch(expected:actual:)``.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The matrix is exactly singular: the pivot in row and column `pivot` of the upper
  /// triangular factor `U` is zero.
  ///
  /// `pivot` is a **0-based** index, like every other index of this module (it equals LAPACK's
  /// 1-based `info` minus one). When several pivots are zero, it names the first.
  case singular(pivot: Int)

  /// The LAPACK routine rejected its argument number `position` (1-based, counted in the
  /// routine's Fortran argument list, as LAPACK's documentation numbers them).
  case illegalArgument(position: Int)

  /// An operand has the wrong size: `expected` elements (or rows) were required, `actual` were
  /// supplied.
  case dimensionMismatch(expected: Int, actual: Int)

  /// A one-line, human-readable explanation of the failure.
  public var description: String {
    switch self {
    case .singular(let pivot):
      "matrix is singular: zero pivot at row/column \(pivot) of the LU factor"
    case .illegalArgument(let position):
      "LAPACK rejected argument \(position) as illegal"
    case .dimensionMismatch(let expected, let actual):
      "dimension mismatch: expected \(expected), got \(actual)"
    }
  }
}

/// Internal constants and helpers shared by the LAPACK/CBLAS wrappers.
enum Lapack {
  /// `LAPACK_COL_MAJOR` (102): with column-major storage LAPACKE's `_work` routines pass the
  /// caller's buffers straight to LAPACK, without transposing or allocating.
  static let columnMajor = Int32(LAPACK_COL_MAJOR)

  /// The `trans` argument `'N'` (solve `A·x = b`, not `Aᵀ·x = b`).
  static let noTranspose = CChar(UInt8(ascii: "N"))

  /// Converts a dimension to LAPACK's 32-bit integer (`lapack_int`), trapping on overflow.
  @inline(__always)
  static func int(_ value: Int) -> Int32 { Int32(value) }

  /// Throws the error corresponding to a nonzero LAPACK `info`.
  @inline(__always)
  static func check(_ info: Int32) throws(LinearAlgebraError) {
    if info > 0 { throw .singular(pivot: Int(info) - 1) }
    if info < 0 { throw .illegalArgument(position: Int(-info)) }
  }

  /// Throws ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` unless the sizes agree.
  @inline(__always)
  static func require(_ actual: Int, equals expected: Int) throws(LinearAlgebraError) {
    if actual != expected { throw .dimensionMismatch(expected: expected, actual: actual) }
  }
}
