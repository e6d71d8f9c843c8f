// CellSim — LinearAlgebraTests/FactorizationTests.swift

import Foundation
import Testing

@testable import LinearAlgebra

private func requireSendable<T: Sendable>(_: T.Type) {}

@Suite("Reusable LU factorisations")
struct FactorizationTests {
  // MARK: Dense

  @Test("DenseLU: one factorisation, several right-hand sides")
  func denseSeveralRightHandSides() throws {
    var lu = DenseLU(dimension: 3)
    try lu.factor { m in
      m.zero()
      for i in 0..<3 {
        for j in 0..<3 { m[i, j] = Textbook.a[i][j] }
      }
    }
    #expect(lu.isFactored)
    for (b, x) in [(Textbook.b, Textbook.x), (Textbook.b2, Textbook.x2), (Textbook.b3, Textbook.x3)]
    {
      var rhs = b
      try lu.solve(&rhs)
      #expect(maxAbsDifference(rhs, x) < 1e-13)
    }
    var block = Textbook.b + Textbook.b2 + Textbook.b3
    try lu.solve(&block, rightHandSides: 3)
    #expect(maxAbsDifference(block, Textbook.x + Textbook.x2 + Textbook.x3) < 1e-13)
  }

  @Test(
    "DenseLU: either side of the small-matrix path (order ≤ 16 in Swift, larger through LAPACK) solves systems that need row interchanges",
    arguments: [2, 9, 16, 17, 40])
  func denseBothPaths(n: Int) throws {
    // A with a tiny diagonal (so partial pivoting must swap rows) and a known solution x: b = A·x.
    var lu = DenseLU(dimension: n)
    var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
      for j in 0..<n { a[i][j] = i == j ? 1e-3 : sin(Double(3 * i + 7 * j + 1)) }
    }
    let x = (0..<n).map { Double($0 % 5) - 1.5 }
    var b = (0..<n).map { i in (0..<n).reduce(0) { $0 + a[i][$1] * x[$1] } }
    try lu.factor { m in
      for i in 0..<n {
        for j in 0..<n { m[i, j] = a[i][j] }
      }
    }
    try lu.solve(&b)
    #expect(maxAbsDifference(b, x) < 1e-10, "n = \(n)")
    // A zero column is reported at its pivot on both paths.
    var singular = DenseLU(dimension: n)
    #expect(throws: LinearAlgebraError.singular(pivot: 0)) {
      try singular.factor { m in
        m.zero()
        for i in 0..<n {
          for j in 1..<max(n, 1) { m[i, j] = a[i][j] }
        }
      }
    }
  }

  @Test("DenseLU: refactoring after changing the entries")
  func denseRefactor() throws {
    var lu = DenseLU(dimension: 3)
    // First matrix: diag(2, 4, 8); (2, 4, 8) ↦ (1, 1, 1).
    lu[0, 0] = 2
    lu[1, 1] = 4
    lu[2, 2] = 8
    try lu.factor()
    var rhs: [Double] = [2, 4, 8]
    try lu.solve(&rhs)
    #expect(maxAbsDifference(rhs, [1, 1, 1]) < 1e-15)

    // Second matrix, written in place column-major with leading dimension n.
    lu.withMatrix { m in
      m.zero()
      for j in 0..<3 {
        for i in 0..<3 { m.elements[i + j * m.leadingDimension] = Textbook.a[i][j] }
      }
    }
    #expect(!lu.isFactored)
    try lu.factor()
    rhs = Textbook.b
    try lu.solve(&rhs)
    #expect(maxAbsDifference(rhs, Textbook.x) < 1e-13)

    // Third: from a DenseMatrix.
    try lu.factor(copying: DenseMatrix.identity(3))
    rhs = [5, 6, 7]
    try lu.solve(&rhs)
    #expect(rhs == [5, 6, 7])
  }

  @Test("DenseLU: fill, factor and solve reuse the preallocated buffers")
  func denseNoReallocation() throws {
    var lu = DenseLU(dimension: 3)
    let before = lu.withMatrix { Int(bitPattern: $0.elements.baseAddress) }
    try lu.factor(copying: DenseMatrix(rowMajor: Textbook.a))
    var rhs: [Double] = [8, -11, -3]  // a fresh, uniquely referenced buffer (Textbook.b is shared)
    let rhsBefore = rhs.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    try lu.solve(&rhs)
    let rhsAfter = rhs.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    let after = lu.withMatrix { Int(bitPattern: $0.elements.baseAddress) }
    #expect(before == after)
    #expect(rhsBefore == rhsAfter)
    #expect(maxAbsDifference(rhs, Textbook.x) < 1e-13)
  }

  @Test("DenseLU: singular matrix throws, then a refilled matrix factors")
  func denseSingularThenRecover() throws {
    var lu = DenseLU(dimension: 3)
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) {
      try lu.factor(copying: DenseMatrix(rowMajor: [[1, 2, 0], [2, 4, 0], [0, 0, 1]]))
    }
    #expect(!lu.isFactored)
    try lu.factor(copying: DenseMatrix(rowMajor: Textbook.a))
    var rhs = Textbook.b
    try lu.solve(&rhs)
    #expect(maxAbsDifference(rhs, Textbook.x) < 1e-13)
  }

  @Test("DenseLU: dimension mismatches throw")
  func denseMismatch() throws {
    var lu = DenseLU(dimension: 3)
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 4)) {
      try lu.factor(copying: DenseMatrix.identity(4))
    }
    try lu.factor(copying: DenseMatrix.identity(3))
    var rhs: [Double] = [1, 2, 3, 4]
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 4)) {
      try lu.solve(&rhs)
    }
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 6, actual: 4)) {
      try lu.solve(&rhs, rightHandSides: 2)
    }
  }

  // MARK: Banded

  @Test("BandedLU: fill by index mapping, factor once, solve several, refactor")
  func bandedReuse() throws {
    let (n, kl, ku) = (40, 2, 3)
    var entries = randomBandEntries(n: n, lower: kl, upper: ku, seed: 2024)
    var lu = BandedLU(dimension: n, lower: kl, upper: ku)
    func fill(_ m: BandedMatrixView) {
      m.zero()
      for i in 0..<n {
        for j in max(0, i - kl)..<min(n, i + ku + 1) {
          m.storage[m.index(row: i, column: j)] = entries[i][j]
        }
      }
    }
    try lu.factor(fill)
    for seed in 10..<13 as Range<UInt64> {
      let b = randomVector(n: n, seed: seed)
      var x = b
      try lu.solve(&x)
      #expect(residual(entries, x, b) < 1e-12 * maxNorm(b))
    }

    // Change entries (a new Jacobian), refill and refactor.
    for i in 0..<n {
      entries[i][i] *= 3
      if i + 3 < n { entries[i][i + 3] = -entries[i][i + 3] }
    }
    try lu.factor(fill)
    let b = randomVector(n: n, seed: 99)
    var x = b
    try lu.solve(&x)
    #expect(residual(entries, x, b) < 1e-12 * maxNorm(b))

    // Several right-hand sides in one call.
    let b1 = randomVector(n: n, seed: 3)
    let b2 = randomVector(n: n, seed: 4)
    var block = b1 + b2
    try lu.solve(&block, rightHandSides: 2)
    #expect(residual(entries, Array(block[0..<n]), b1) < 1e-11)
    #expect(residual(entries, Array(block[n...]), b2) < 1e-11)
  }

  @Test("BandedLU: subscript access and copying a narrower band")
  func bandedCopyingNarrower() throws {
    let n = 12
    let entries = randomBandEntries(n: n, lower: 1, upper: 1, seed: 77)
    var narrow = BandedMatrix(dimension: n, lower: 1, upper: 1)
    for i in 0..<n {
      for j in max(0, i - 1)..<min(n, i + 2) { narrow[i, j] = entries[i][j] }
    }
    var lu = BandedLU(dimension: n, lower: 2, upper: 3)
    try lu.factor(copying: narrow)
    let b = randomVector(n: n, seed: 8)
    var x = b
    try lu.solve(&x)
    #expect(residual(entries, x, b) < 1e-12 * maxNorm(b))

    // Entry-wise subscript fill of the same matrix.
    lu.zero()
    for i in 0..<n {
      for j in max(0, i - 1)..<min(n, i + 2) { lu[i, j] = entries[i][j] }
    }
    #expect(lu[0, 5] == 0 && lu[3, 3] == entries[3][3])
    try lu.factor()
    var y = b
    try lu.solve(&y)
    #expect(residual(entries, y, b) < 1e-12 * maxNorm(b))

    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 2, actual: 4)) {
      try lu.factor(copying: BandedMatrix(dimension: n, lower: 4, upper: 0))
    }
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 12, actual: 11)) {
      try lu.factor(copying: BandedMatrix(dimension: 11, lower: 1, upper: 1))
    }
  }

  @Test("BandedLU: singular band matrix reports the zero pivot")
  func bandedSingular() {
    var lu = BandedLU(dimension: 4, lower: 1, upper: 1)
    let entries: [[Double]] = [[2, 1, 0, 0], [1, 2, 0, 0], [0, 1, 0, 1], [0, 0, 0, 2]]
    #expect(throws: LinearAlgebraError.singular(pivot: 2)) {
      try lu.factor { m in
        for i in 0..<4 {
          for j in max(0, i - 1)..<min(4, i + 2) { m[i, j] = entries[i][j] }
        }
      }
    }
    #expect(!lu.isFactored)
  }

  // MARK: Tridiagonal

  @Test("TridiagonalLU: known answers, several right-hand sides, refactor")
  func tridiagonalReuse() throws {
    var lu = TridiagonalLU(dimension: 5)
    // tridiag(−1, 2, −1): (0, 0, 0, 0, 6) ↦ (1, 2, 3, 4, 5); (1, 0, 0, 0, 1) ↦ (1, 1, 1, 1, 1).
    try lu.factor { m in
      for i in 0..<5 {
        m[i, i] = 2
        if i + 1 < 5 {
          m[i + 1, i] = -1
          m[i, i + 1] = -1
        }
      }
    }
    var x: [Double] = [0, 0, 0, 0, 6]
    try lu.solve(&x)
    #expect(maxAbsDifference(x, [1, 2, 3, 4, 5]) < 1e-13)
    var ones: [Double] = [1, 0, 0, 0, 1]
    try lu.solve(&ones)
    #expect(maxAbsDifference(ones, [1, 1, 1, 1, 1]) < 1e-13)

    // tridiag(−1, 4, −1): (3, 2, 2, 2, 3) ↦ (1, 1, 1, 1, 1).
    try lu.factor { m in
      m.zero()
      for i in 0..<5 { m.diagonal[i] = 4 }
      for i in 0..<4 {
        m.lower[i] = -1
        m.upper[i] = -1
      }
    }
    var y: [Double] = [3, 2, 2, 2, 3]
    try lu.solve(&y)
    #expect(maxAbsDifference(y, [1, 1, 1, 1, 1]) < 1e-14)

    // From a TridiagonalMatrix, and a singular one.
    try lu.factor(copying: TridiagonalTests.laplacian)
    var z: [Double] = [0, 0, 0, 0, 6]
    try lu.solve(&z)
    #expect(maxAbsDifference(z, [1, 2, 3, 4, 5]) < 1e-13)

    var singular = TridiagonalLU(dimension: 3)
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) {
      try singular.factor(
        copying: TridiagonalMatrix(lower: [0, 0], diagonal: [1, 0, 1], upper: [0, 0]))
    }
    #expect(throws: LinearAlgebraError.dimensionMismatch(expected: 3, actual: 5)) {
      try singular.factor(copying: TridiagonalTests.laplacian)
    }
  }

  @Test("workspaces are Sendable value types")
  func sendable() {
    requireSendable(DenseLU.self)
    requireSendable(BandedLU.self)
    requireSendable(TridiagonalLU.self)
    requireSendable(DenseMatrix.self)
    requireSendable(BandedMatrix.self)
    requireSendable(TridiagonalMatrix.self)
    requireSendable(LinearAlgebraError.self)
  }
}
