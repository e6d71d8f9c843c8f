// CellSim — LinearAlgebraTests/BandedTests.swift

import Testing

@testable import LinearAlgebra

@Suite("Band matrices and dgbsv")
struct BandedTests {
  static let n = 40
  static let kl = 2
  static let ku = 3
  static let entries = randomBandEntries(n: n, lower: kl, upper: ku, seed: 0xC0FFEE)

  static func banded(_ entries: [[Double]], lower: Int, upper: Int) -> BandedMatrix {
    var a = BandedMatrix(dimension: entries.count, lower: lower, upper: upper)
    for i in entries.indices {
      for j in entries.indices where entries[i][j] != 0 { a[i, j] = entries[i][j] }
    }
    return a
  }

  @Test("40×40, kl = 2, ku = 3: banded and dense solutions agree and have small residual")
  func bandedAgreesWithDense() throws {
    let b = randomVector(n: Self.n, seed: 42)
    let xBand = try solve(Self.banded(Self.entries, lower: Self.kl, upper: Self.ku), b)
    let xDense = try solve(DenseMatrix(rowMajor: Self.entries), b)
    #expect(residual(Self.entries, xBand, b) < 1e-12 * maxNorm(b))
    #expect(residual(Self.entries, xDense, b) < 1e-12 * maxNorm(b))
    #expect(maxAbsDifference(xBand, xDense) < 1e-12 * maxNorm(xDense))
  }

  @Test("multiple right-hand sides with dgbsv")
  func multipleRightHandSides() throws {
    let b1 = randomVector(n: Self.n, seed: 1)
    let b2 = randomVector(n: Self.n, seed: 2)
    let x = try solve(
      Self.banded(Self.entries, lower: Self.kl, upper: Self.ku),
      DenseMatrix(rows: Self.n, columns: 2, elements: b1 + b2))
    #expect(residual(Self.entries, Array(x.elements[0..<Self.n]), b1) < 1e-11)
    #expect(residual(Self.entries, Array(x.elements[Self.n...]), b2) < 1e-11)
  }

  @Test("band layout: ldab, index mapping, zero outside the band, toDense")
  func layout() {
    let a = Self.banded(Self.entries, lower: Self.kl, upper: Self.ku)
    #expect(a.leadingDimension == 2 * 2 + 3 + 1)
    #expect(a.storage.count == 8 * Self.n)
    // LAPACK: AB(kl + ku + 1 + i − j, j) = A(i, j), 1-based.
    #expect(a.index(row: 0, column: 0) == 5)
    #expect(a.index(row: 2, column: 0) == 7)
    #expect(a.index(row: 0, column: 3) == 2 + 3 * 8)
    #expect(a.storage[a.index(row: 5, column: 4)] == Self.entries[5][4])
    #expect(a.isInBand(row: 3, column: 6) && !a.isInBand(row: 3, column: 7))
    #expect(!a.isInBand(row: 6, column: 3))
    #expect(a[6, 3] == 0 && a[0, 39] == 0)
    let dense = a.toDense()
    for i in 0..<Self.n {
      for j in 0..<Self.n { #expect(dense[i, j] == Self.entries[i][j]) }
    }
  }

  @Test("band matrix–vector product (dgbmv) matches the reference product")
  func multiply() {
    let a = Self.banded(Self.entries, lower: Self.kl, upper: Self.ku)
    let x = randomVector(n: Self.n, seed: 7)
    #expect(maxAbsDifference(a.multiply(x), referenceProduct(Self.entries, x)) < 1e-12)
  }

  /// Column 2 is entirely zero; eliminating columns 0 and 1 cannot make it nonzero, so the
  /// first zero pivot is U[2, 2].
  @Test("exactly singular band matrix reports the zero pivot")
  func singular() {
    let entries: [[Double]] = [[2, 1, 0, 0], [1, 2, 0, 0], [0, 1, 0, 1], [0, 0, 0, 2]]
    #expect(throws: LinearAlgebraError.singular(pivot: 2)) {
      try solve(Self.banded(entries, lower: 1, upper: 1), [1, 1, 1, 1])
    }
  }

  @Test("right-hand side of the wrong length throws")
  func dimensionMismatch() {
    let a = BandedMatrix(dimension: 5, lower: 1, upper: 2)
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 5, actual: 4)) {
      try solve(a, [1, 2, 3, 4])
    }
  }
}
