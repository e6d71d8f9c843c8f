// CellSim — LinearAlgebraTests/TestHelpers.swift
//
// Independent reference arithmetic for the tests: plain nested loops over row-major `[[Double]]`
// matrices, so that no expectation depends on the code under test.

/// A small deterministic generator (SplitMix64), so that "random" matrices are reproducible.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A random, strictly diagonally dominant `n × n` band matrix (row-major), zero outside
/// `i − j ≤ lower`, `j − i ≤ upper`. Diagonal dominance makes it well conditioned.
func randomBandEntries(n: Int, lower: Int, upper: Int, seed: UInt64) -> [[Double]] {
  var rng = SplitMix64(seed: seed)
  var a = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
  for i in 0..<n {
    var offSum = 0.0
    for j in max(0, i - lower)..<min(n, i + upper + 1) where j != i {
      a[i][j] = Double.random(in: -1...1, using: &rng)
      offSum += abs(a[i][j])
    }
    a[i][i] = (offSum + 1 + Double.random(in: 0...1, using: &rng))
      * (Bool.random(using: &rng) ? 1 : -1)
  }
  return a
}

/// A random vector of length `n` with entries in `[-10, 10]`.
func randomVector(n: Int, seed: UInt64) -> [Double] {
  var rng = SplitMix64(seed: seed)
  return (0..<n).map { _ in Double.random(in: -10...10, using: &rng) }
}

/// `A · x` by the textbook double loop.
func referenceProduct(_ a: [[Double]], _ x: [Double]) -> [Double] {
  a.map { row in zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } }
}

/// `max |Ax − b|`, the residual of a candidate solution.
func residual(_ a: [[Double]], _ x: [Double], _ b: [Double]) -> Double {
  maxAbsDifference(referenceProduct(a, x), b)
}

/// `max |uᵢ − vᵢ|` (infinite if the lengths differ).
func maxAbsDifference(_ u: [Double], _ v: [Double]) -> Double {
  guard u.count == v.count else { return .infinity }
  return zip(u, v).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// `max |vᵢ|`.
func maxNorm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }

/// The 3×3 system of the classic Gaussian-elimination example (e.g. Wikipedia,
/// "Gaussian elimination"):  2x + y − z = 8,  −3x − y + 2z = −11,  −2x + y + 2z = −3,
/// whose exact solution is (x, y, z) = (2, 3, −1).
enum Textbook {
  static let a: [[Double]] = [[2, 1, -1], [-3, -1, 2], [-2, 1, 2]]
  static let b: [Double] = [8, -11, -3]
  static let x: [Double] = [2, 3, -1]
  /// Two more right-hand sides with hand-computed solutions:
  /// A·(1, 0, 0) = first column = (2, −3, −2);  A·(1, 1, 1) = row sums = (2, −2, 1).
  static let b2: [Double] = [2, -3, -2]
  static let x2: [Double] = [1, 0, 0]
  static let b3: [Double] = [2, -2, 1]
  static let x3: [Double] = [1, 1, 1]
}
