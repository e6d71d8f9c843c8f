// CellSim — LinearAlgebraTests/BorderedTests.swift
//
// `BorderedLU` (band block + dense border rows and columns, block elimination) against `DenseLU`
// (LAPACK dgetrf/dgetrs) on the same matrices.

import Testing

@testable import LinearAlgebra

@Suite("Bordered LU")
struct BorderedTests {
  /// A random well-conditioned bordered matrix (row-major): a diagonally dominant band block and a
  /// dominant diagonal in the border, the border rows and columns dense.
  static func entries(blockDimension nb: Int, lower: Int, upper: Int, border k: Int, seed: UInt64) -> [[Double]] {
    let n = nb + k
    var rng = SplitMix64(seed: seed)
    var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    let band = randomBandEntries(n: nb, lower: lower, upper: upper, seed: seed ^ 0x5EED)
    for i in 0..<nb { for j in 0..<nb { a[i][j] = band[i][j] } }
    for i in 0..<n {
      for j in 0..<n where i >= nb || j >= nb { a[i][j] = Double.random(in: -1...1, using: &rng) }
    }
    // Make the whole matrix diagonally dominant by rows in the border as well.
    for i in nb..<n { a[i][i] = (Double(n) + 1) * (Bool.random(using: &rng) ? 1 : -1) }
    // Keep the block rows dominant with their border entries added.
    for i in 0..<nb { a[i][i] += (a[i][i] > 0 ? 1 : -1) * Double(k) }
    return a
  }

  static func bordered(_ a: [[Double]], lower: Int, upper: Int, border: Int) throws -> BorderedLU {
    let n = a.count
    var lu = BorderedLU(dimension: n, lower: lower, upper: upper, border: border)
    try lu.factor { view in
      view.zero()
      for i in 0..<n {
        for j in 0..<n where a[i][j] != 0 { view[i, j] = a[i][j] }
      }
    }
    return lu
  }

  static func dense(_ a: [[Double]]) throws -> DenseLU {
    let n = a.count
    var lu = DenseLU(dimension: n)
    try lu.factor { view in
      for i in 0..<n { for j in 0..<n { view[i, j] = a[i][j] } }
    }
    return lu
  }

  @Test(
    "bordered solve equals the dense solve to 1e-12",
    arguments: [(50, 0, 0, 1), (52, 0, 0, 1), (40, 1, 1, 1), (40, 2, 3, 2), (30, 0, 0, 3), (7, 1, 0, 4), (0, 0, 0, 3), (20, 1, 1, 0)])
  func matchesDense(_ shape: (Int, Int, Int, Int)) throws {
    let (nb, kl, ku, k) = shape
    for seed in UInt64(1)...5 {
      let a = Self.entries(blockDimension: nb, lower: kl, upper: ku, border: k, seed: seed &* 7919 &+ UInt64(nb))
      let b = randomVector(n: nb + k, seed: seed)
      var xBordered = b
      var xDense = b
      try Self.bordered(a, lower: kl, upper: ku, border: k).solve(&xBordered)
      try Self.dense(a).solve(&xDense)
      let scale = max(maxNorm(xDense), 1e-300)
      #expect(maxAbsDifference(xBordered, xDense) <= 1e-12 * scale, "\(shape) seed \(seed)")
      #expect(residual(a, xBordered, b) <= 1e-12 * maxNorm(b))
    }
  }

  @Test("refactoring the same workspace gives the new matrix's solution")
  func refactor() throws {
    let a1 = Self.entries(blockDimension: 30, lower: 1, upper: 1, border: 2, seed: 11)
    let a2 = Self.entries(blockDimension: 30, lower: 1, upper: 1, border: 2, seed: 12)
    var lu = try Self.bordered(a1, lower: 1, upper: 1, border: 2)
    try lu.factor { view in
      view.zero()
      for i in 0..<32 { for j in 0..<32 where a2[i][j] != 0 { view[i, j] = a2[i][j] } }
    }
    let b = randomVector(n: 32, seed: 3)
    var x = b
    try lu.solve(&x)
    #expect(residual(a2, x, b) <= 1e-12 * maxNorm(b))
  }

  @Test("the Schur complement needs pivoting: a zero-diagonal corner still solves")
  func zeroCorner() throws {
    var a = Self.entries(blockDimension: 10, lower: 0, upper: 0, border: 2, seed: 5)
    a[10][10] = 0
    a[11][11] = 0
    a[10][11] = 3
    a[11][10] = -2
    let b = randomVector(n: 12, seed: 9)
    var xBordered = b
    var xDense = b
    try Self.bordered(a, lower: 0, upper: 0, border: 2).solve(&xBordered)
    try Self.dense(a).solve(&xDense)
    #expect(maxAbsDifference(xBordered, xDense) <= 1e-12 * maxNorm(xDense))
  }

  @Test("a singular block or Schur complement throws")
  func singular() throws {
    var a = Self.entries(blockDimension: 5, lower: 0, upper: 0, border: 1, seed: 2)
    a[2][2] = 0
    #expect(throws: LinearAlgebraError.singular(pivot: 2)) {
      _ = try Self.bordered(a, lower: 0, upper: 0, border: 1)
    }
    // Block = I, C = R = 1 everywhere, D = 5: S = D − R·C = 0.
    var b = [[Double]](repeating: [Double](repeating: 0, count: 6), count: 6)
    for i in 0..<5 {
      b[i][i] = 1
      b[i][5] = 1
      b[5][i] = 1
    }
    b[5][5] = 5
    #expect(throws: LinearAlgebraError.singular(pivot: 5)) {
      _ = try Self.bordered(b, lower: 0, upper: 0, border: 1)
    }
  }
}
