// CellSim — LinearAlgebraTests/DenseTests.swift

import Testing

@testable import LinearAlgebra

@Suite("Dense matrices and dgesv")
struct DenseTests {
  @Test("3×3 textbook system has the exact solution (2, 3, −1)")
  func textbookSolve() throws {
    let a = DenseMatrix(rowMajor: Textbook.a)
    let x = try solve(a, Textbook.b)
    #expect(maxAbsDifference(x, Textbook.x) < 1e-13)
  }

  @Test("multiple right-hand sides in one call")
  func multipleRightHandSides() throws {
    let a = DenseMatrix(rowMajor: Textbook.a)
    let b = DenseMatrix(rows: 3, columns: 3, elements: Textbook.b + Textbook.b2 + Textbook.b3)
    let x = try solve(a, b)
    #expect(x.rows == 3 && x.columns == 3)
    #expect(maxAbsDifference(x.elements, Textbook.x + Textbook.x2 + Textbook.x3) < 1e-13)
  }

  @Test("column-major layout, subscript and identity")
  func layoutAndIdentity() {
    let a = DenseMatrix(rowMajor: [[1, 2, 3], [4, 5, 6]])
    #expect(a.rows == 2 && a.columns == 3)
    #expect(a.elements == [1, 4, 2, 5, 3, 6])
    #expect(a[1, 2] == 6 && a[0, 1] == 2)
    var m = DenseMatrix(rows: 2, columns: 2)
    m[1, 0] = 7
    #expect(m.elements == [0, 7, 0, 0])
    let i3 = DenseMatrix.identity(3)
    #expect(i3.elements == [1, 0, 0, 0, 1, 0, 0, 0, 1])
  }

  @Test("matrix–vector product (dgemv) matches hand computation")
  func multiply() {
    let a = DenseMatrix(rowMajor: Textbook.a)
    #expect(a.multiply(Textbook.x) == Textbook.b)
    let rect = DenseMatrix(rowMajor: [[1, 2, 3], [4, 5, 6]])
    #expect(rect.multiply([1, 0, -1]) == [-2, -2])
    #expect(DenseMatrix.identity(4).multiply([1, 2, 3, 4]) == [1, 2, 3, 4])
  }

  /// Hand elimination: for the first matrix, after pivoting on 2 in column 0 the remaining
  /// column-1 entries are both 0, so the first zero pivot is U[1, 1]; the second matrix has a
  /// zero last row, so U[2, 2] = 0.
  @Test(
    "exactly singular matrix reports the first zero pivot",
    arguments: [
      ([[1.0, 2, 0], [2, 4, 0], [0, 0, 1]], 1),
      ([[1.0, 2, 3], [4, 5, 6], [0, 0, 0]], 2),
    ])
  func singular(entries: [[Double]], pivot: Int) {
    #expect(throws: LinearAlgebraError.singular(pivot: pivot)) {
      try solve(DenseMatrix(rowMajor: entries), [1, 1, 1])
    }
  }

  @Test("dimension mismatches throw")
  func dimensionMismatch() {
    let a = DenseMatrix(rowMajor: Textbook.a)
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 2)) {
      try solve(a, [1, 2])
    }
    let rect = DenseMatrix(rows: 3, columns: 2)
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 2)) {
      try solve(rect, [1, 2, 3])
    }
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 4)) {
      try solve(a, DenseMatrix(rows: 4, columns: 1))
    }
  }

  @Test("errors describe themselves")
  func descriptions() {
    #expect(LinearAlgebraError.singular(pivot: 4).description.contains("4"))
    #expect(LinearAlgebraError.illegalArgument(position: 7).description.contains("7"))
    #expect(
      LinearAlgebraError.dimensionMismatch(expected: 3, actual: 5).description.contains("5"))
  }
}
