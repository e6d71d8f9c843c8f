// CellSim — LinearAlgebraTests/TridiagonalTests.swift

import Testing

@testable import LinearAlgebra

@Suite("Tridiagonal matrices and dgtsv")
struct TridiagonalTests {
  /// The 1-D discrete Laplacian tridiag(−1, 2, −1), n = 5. For x = (1, 2, 3, 4, 5),
  /// A·x = (2−2, −1+4−3, −2+6−4, −3+8−5, −4+10) = (0, 0, 0, 0, 6).
  static let laplacian = TridiagonalMatrix(
    lower: [-1, -1, -1, -1], diagonal: [2, 2, 2, 2, 2], upper: [-1, -1, -1, -1])

  @Test("discrete Laplacian has the exact solution (1, 2, 3, 4, 5)")
  func knownAnswer() throws {
    let x = try solve(Self.laplacian, [0, 0, 0, 0, 6])
    #expect(maxAbsDifference(x, [1, 2, 3, 4, 5]) < 1e-13)
    #expect(Self.laplacian.multiply([1, 2, 3, 4, 5]) == [0, 0, 0, 0, 6])
  }

  @Test("random 30×30 tridiagonal: dgtsv agrees with dgesv and has small residual")
  func agreesWithDense() throws {
    let n = 30
    let entries = randomBandEntries(n: n, lower: 1, upper: 1, seed: 99)
    var t = TridiagonalMatrix(dimension: n)
    for i in 0..<n {
      for j in max(0, i - 1)..<min(n, i + 2) { t[i, j] = entries[i][j] }
    }
    let b = randomVector(n: n, seed: 5)
    let xTri = try solve(t, b)
    let xDense = try solve(DenseMatrix(rowMajor: entries), b)
    #expect(residual(entries, xTri, b) < 1e-12 * maxNorm(b))
    #expect(maxAbsDifference(xTri, xDense) < 1e-12 * maxNorm(xDense))
    let dense = t.toDense()
    for i in 0..<n {
      for j in 0..<n { #expect(dense[i, j] == entries[i][j]) }
    }
    #expect(maxAbsDifference(t.multiply(xTri), referenceProduct(entries, xTri)) < 1e-12)
  }

  @Test("multiple right-hand sides with dgtsv")
  func multipleRightHandSides() throws {
    // Second column: A·(1, 1, 1, 1, 1) = (1, 0, 0, 0, 1).
    let x = try solve(
      Self.laplacian, DenseMatrix(rows: 5, columns: 2, elements: [0, 0, 0, 0, 6, 1, 0, 0, 0, 1]))
    #expect(maxAbsDifference(x.elements, [1, 2, 3, 4, 5, 1, 1, 1, 1, 1]) < 1e-13)
  }

  /// Row 1 is entirely zero: elimination of row 0 leaves it zero, so pivot 1 vanishes.
  @Test("exactly singular tridiagonal matrix reports the zero pivot")
  func singular() {
    let a = TridiagonalMatrix(lower: [0, 0], diagonal: [1, 0, 1], upper: [0, 0])
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) { try solve(a, [1, 1, 1]) }
  }

  @Test("wrong right-hand side or off-diagonal lengths throw")
  func dimensionMismatch() {
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 5, actual: 3)) {
      try solve(Self.laplacian, [1, 2, 3])
    }
    var broken = Self.laplacian
    broken.upper.append(0)
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 4, actual: 5)) {
      try solve(broken, [0, 0, 0, 0, 6])
    }
  }

  @Test("entries outside the three diagonals read as zero")
  func subscriptOutsideBand() {
    #expect(Self.laplacian[0, 2] == 0 && Self.laplacian[4, 0] == 0)
    #expect(Self.laplacian[1, 0] == -1 && Self.laplacian[3, 4] == -1 && Self.laplacian[2, 2] == 2)
  }
}
