// CellSim — CellCore/Functions/LinearTable.swift
//
// Piecewise-linear interpolation in a data table, for parameters given as measured points
// (BPX "x"/"y" tables).

/// A function given by points (xᵢ, yᵢ), interpolated linearly between them.
///
/// Outside `[x.first, x.last]` the function is *clamped*: it takes the end value `y.first` below the
/// table and `y.last` above it (no extrapolation). A NaN argument gives NaN. The interval is found by
/// binary search, so a call costs O(log n) and never allocates.
///
/// Units are those of the quantity tabulated: `x` in the units of the function's first variable
/// (e.g. stoichiometry [-]), `y` in the units of the parameter (e.g. V for an open-circuit potential).
///
/// ```swift
/// let ocp = try LinearTable(x: [0, 0.5, 1], y: [1.0, 0.2, 0.1])
/// ocp(0.25)  // 0.6
/// ocp(2)     // 0.1 (clamped)
/// ```
public struct LinearTable: Sendable, Hashable {
  /// Abscissae, strictly increasing.
  public let x: [Double]
  /// Values at `x`.
  public let y: [Double]

  /// Creates a table.
  /// - Parameters:
  ///   - x: At least 2 finite, strictly increasing abscissae.
  ///   - y: As many finite values.
  /// - Throws: `ExpressionError` (column 0) for fewer than 2 points, unequal lengths, a NaN or infinite
  ///   entry, or `x` not strictly increasing; the message names the offending index.
  public init(x: [Double], y: [Double]) throws(ExpressionError) {
    guard x.count == y.count else {
      throw ExpressionError(
        message: "table x and y have different lengths (\(x.count) and \(y.count))")
    }
    guard x.count >= 2 else {
      throw ExpressionError(message: "a table needs at least 2 points, got \(x.count)")
    }
    for (name, values) in [("x", x), ("y", y)] {
      if let i = values.firstIndex(where: { !$0.isFinite }) {
        throw ExpressionError(message: "table \(name)[\(i)] is \(describeNumber(values[i])) (must be finite)")
      }
    }
    for i in 1..<x.count where !(x[i] > x[i - 1]) {
      throw ExpressionError(
        message: "table x must be strictly increasing, but x[\(i)] = \(x[i]) ≤ x[\(i - 1)] = \(x[i - 1])")
    }
    self.x = x
    self.y = y
  }

  /// The interpolated value at `x`: linear between neighbouring points, clamped to the end values
  /// outside the table.
  public func callAsFunction(_ x: Double) -> Double {
    self.x.withUnsafeBufferPointer { xs in
      self.y.withUnsafeBufferPointer { ys in
        let last = xs.count - 1
        if x <= xs[0] { return ys[0] }
        if x >= xs[last] { return ys[last] }
        if x.isNaN { return x }
        // Invariant: xs[low] ≤ x < xs[high].
        var low = 0
        var high = last
        while high - low > 1 {
          let middle = (low + high) / 2
          if xs[middle] <= x { low = middle } else { high = middle }
        }
        let t = (x - xs[low]) / (xs[high] - xs[low])
        return ys[low] + t * (ys[high] - ys[low])
      }
    }
  }
}
