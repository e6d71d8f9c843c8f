// CellSim — CellCore/Functions/ChebyshevTable.swift
//
// A smooth function of one variable replaced, once, by piecewise polynomials that match it to
// rounding: what makes an interpreted open-circuit potential (a dozen tanh and exp terms) cost a
// table look-up and eight multiply-adds at every voltage the integrator asks for.

import Foundation
import Synchronization

/// f(x) on [lower, upper] as `intervalCount` polynomials of degree 7.
///
/// On each interval [xᵢ, xᵢ₊₁] (width h) the polynomial interpolates f at the 8 Chebyshev–Lobatto
/// points xᵢ + h·(1 + cos(jπ/7))/2, j = 0…7: the ends are nodes, so neighbouring pieces agree at
/// their common end (the curve is continuous), and inside the piece the interpolation error of an
/// analytic f falls like ρ⁻⁸, ρ the size of its Bernstein ellipse (tanh(a(x − b)) with a = 30 on
/// pieces of width 1/128: ρ ≈ 13, error ≈ 1e-9 of the amplitude before the check below).
///
/// Every piece is checked against f at the 7 points halfway (in angle) between its nodes. A piece
/// whose error there exceeds `relativeTolerance` × (largest |f| at any node), or where f is not
/// finite, is not tabulated: `value(at:)` returns `nil` there and the caller evaluates f itself. So a
/// kink (a linear data table), a singularity (log x at 0) or a steep step costs accuracy nowhere:
/// only the pieces where f is smooth at the scale of h use the polynomial.
///
/// Each piece is stored in the monomial basis of its local variable u = 2(x − xᵢ)/h − 1 ∈ [−1, 1]
/// (coefficients of a degree-7 Chebyshev series on [−1, 1] grow at most by 2⁶, so the conversion
/// costs ≈ 6 bits of the 53) and evaluated by Horner's rule.
public struct ChebyshevTable: Sendable, Hashable {
  /// Polynomial degree of every piece.
  public static let degree = 7
  /// Lower end of the tabulated interval (in the units of the argument).
  public let lower: Double
  /// Upper end of the tabulated interval.
  public let upper: Double
  /// Number of pieces.
  public let intervalCount: Int
  /// intervalCount / (upper − lower): pieces per unit of the argument.
  let piecesPerUnit: Double
  /// `degree + 1` monomial coefficients per piece, lowest order first; a NaN first coefficient marks
  /// a piece that is not tabulated.
  private(set) var coefficients: [Double]
  /// How many pieces passed the check.
  public let tabulatedCount: Int

  /// A table without pieces: `value(at:)` is always `nil` (for holders of an optional table that
  /// would otherwise copy it out of an `Optional` at every call).
  public static let empty = ChebyshevTable()

  private init() {
    lower = .infinity
    upper = -.infinity
    intervalCount = 0
    piecesPerUnit = 0
    coefficients = []
    tabulatedCount = 0
  }

  /// Tabulates `f` on [lower, upper].
  /// - Parameters:
  ///   - lower: Lower end; finite and below `upper`.
  ///   - upper: Upper end; finite.
  ///   - intervalCount: Number of pieces (≥ 1).
  ///   - relativeTolerance: Largest accepted error at the check points, relative to the largest
  ///     |f| at any node (for an OCP of a few volts, ≈ 2e-11 V).
  ///   - f: The function; called (7·intervalCount + 1) + 7·intervalCount times.
  public init(
    lower: Double, upper: Double, intervalCount: Int, relativeTolerance: Double = 1e-11,
    _ f: (Double) -> Double
  ) {
    precondition(lower.isFinite && upper.isFinite && lower < upper && intervalCount >= 1, "invalid table range")
    let p = Self.degree
    self.lower = lower
    self.upper = upper
    self.intervalCount = intervalCount
    piecesPerUnit = Double(intervalCount) / (upper - lower)
    let h = (upper - lower) / Double(intervalCount)
    // Nodes u_j = cos(jπ/p) run from +1 down to −1; check points cos((j + ½)π/p).
    let nodes = (0...p).map { cos(Double($0) * Double.pi / Double(p)) }
    let checks = (0..<p).map { cos((Double($0) + 0.5) * Double.pi / Double(p)) }
    let monomial = Self.chebyshevToMonomial(degree: p)
    let cosines = (0...p).map { k in (0...p).map { j in cos(Double(k * j) * Double.pi / Double(p)) } }
    var coefficients = [Double](repeating: .nan, count: intervalCount * (p + 1))
    var errors = [Double](repeating: .infinity, count: intervalCount)
    var scale = 0.0
    var values = [Double](repeating: 0, count: p + 1)
    var previousLeftEnd = f(lower)
    for piece in 0..<intervalCount {
      let left = lower + h * Double(piece)
      let right = piece == intervalCount - 1 ? upper : lower + h * Double(piece + 1)
      let width = right - left
      func x(_ u: Double) -> Double { left + width * (u + 1) / 2 }
      // values[j] = f(u_j); u_p = −1 is the left end, u_0 = +1 the right end (shared with the next piece).
      values[p] = previousLeftEnd
      values[0] = f(right)
      for j in 1..<p { values[j] = f(x(nodes[j])) }
      previousLeftEnd = values[0]
      guard values.allSatisfy(\.isFinite) else { continue }
      scale = Swift.max(scale, values.map(abs).max() ?? 0)
      // Chebyshev coefficients a_k = (2/p) Σ″_j f_j cos(kjπ/p), a_0 and a_p halved (Σ″: first and
      // last terms halved): the discrete cosine transform of the Lobatto values.
      var local = [Double](repeating: 0, count: p + 1)
      for k in 0...p {
        var sum = 0.0
        for j in 0...p {
          let term = values[j] * cosines[k][j]
          sum += (j == 0 || j == p) ? term / 2 : term
        }
        let a = 2 * sum / Double(p) / ((k == 0 || k == p) ? 2 : 1)
        for m in 0...p { local[m] += a * monomial[k][m] }
      }
      errors[piece] = checks.map { u in abs(Self.horner(local, u) - f(x(u))) }.max() ?? .infinity
      for m in 0...p { coefficients[piece * (p + 1) + m] = local[m] }
    }
    // Keep the pieces within tolerance of the function's magnitude (largest finite |f| at any node).
    var tabulated = 0
    for piece in 0..<intervalCount {
      if errors[piece].isFinite, errors[piece] <= relativeTolerance * scale {
        tabulated += 1
      } else {
        coefficients[piece * (p + 1)] = .nan
      }
    }
    self.coefficients = coefficients
    tabulatedCount = tabulated
  }

  /// f(x) from the table, or `nil` outside [lower, upper], for NaN, on a piece that is not
  /// tabulated, or for `empty`.
  @inline(__always)
  public func value(at x: Double) -> Double? {
    guard x >= lower, x <= upper else { return nil }
    let t = (x - lower) * piecesPerUnit
    let piece = Swift.min(Int(t), intervalCount - 1)
    let u = 2 * (t - Double(piece)) - 1
    return coefficients.withUnsafeBufferPointer { c -> Double? in
      let base = piece &* 8
      if c[base].isNaN { return nil }
      var s = c[base + 7]
      s = s * u + c[base + 6]
      s = s * u + c[base + 5]
      s = s * u + c[base + 4]
      s = s * u + c[base + 3]
      s = s * u + c[base + 2]
      s = s * u + c[base + 1]
      return s * u + c[base]
    }
  }

  /// The same table with its coefficients in storage of its own: models built from one cached table
  /// (a sweep's workers) then share no reference count, which every run would touch from every core.
  func withOwnStorage() -> ChebyshevTable {
    var copy = self
    copy.coefficients = coefficients.withUnsafeBufferPointer { Array($0) }
    return copy
  }

  private static func horner(_ c: [Double], _ u: Double) -> Double {
    c.reversed().reduce(0) { $0 * u + $1 }
  }

  /// Row k: the monomial coefficients of the Chebyshev polynomial T_k (T₀ = 1, T₁ = u,
  /// T_{k+1} = 2u·T_k − T_{k−1}).
  private static func chebyshevToMonomial(degree p: Int) -> [[Double]] {
    var rows = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p + 1)
    rows[0][0] = 1
    if p >= 1 { rows[1][1] = 1 }
    if p >= 2 {
      for k in 2...p {
        for m in 0...p {
          let shifted = m > 0 ? 2 * rows[k - 1][m - 1] : 0
          rows[k][m] = shifted - rows[k - 2][m]
        }
      }
    }
    return rows
  }
}

extension ChebyshevTable {
  /// Tables already built in this process, by program and line: a design sweep reloads its cell file
  /// for every design, and its OCPs and kinetics do not change with the geometry.
  private static let built = Mutex<[Key: ChebyshevTable]>([:])

  private struct Key: Hashable {
    var program: Program
    /// lower, upper, then the line's offset and direction (6 each).
    var line: [Double]
  }

  /// The table of s ↦ program(offset + s·direction) on [lower, upper] (arguments beyond those given
  /// are 0), built once per process.
  static func cached(
    _ program: Program, offset: [Double], direction: [Double], lower: Double, upper: Double, intervalCount: Int
  ) -> ChebyshevTable {
    func padded(_ v: [Double]) -> [Double] { Array((v + Array(repeating: 0, count: 6)).prefix(6)) }
    let (a, d) = (padded(offset), padded(direction))
    let key = Key(program: program, line: [lower, upper, Double(intervalCount)] + a + d)
    if let table = built.withLock({ $0[key] }) { return table.withOwnStorage() }
    let table = ChebyshevTable(lower: lower, upper: upper, intervalCount: intervalCount) { s in
      let arguments = (a[0] + s * d[0], a[1] + s * d[1], a[2] + s * d[2], a[3] + s * d[3], a[4] + s * d[4], a[5] + s * d[5])
      return withUnsafeBytes(of: arguments) { raw in program.run(raw.bindMemory(to: Double.self)) }
    }
    built.withLock {
      if $0.count >= 256 { $0.removeAll() }  // bounded: a long-lived process loading many files
      $0[key] = table
    }
    return table
  }
}
