// CellSim — CellParameters/FunctionSample.swift

/// Where a function field is checked: the argument tuples it is evaluated at while reading, and how
/// error messages describe that range ("x in [0.001, 0.999] at T = 298.15 K").
public struct FunctionSample: Sendable, Equatable {
  /// Argument tuples, each with one value per declared variable (in the variables' order).
  public var points: [[Double]]
  /// Human description of the sampled range.
  public var description: String

  public init(points: [[Double]], description: String) {
    self.points = points
    self.description = description
  }

  /// The Cartesian product of one list of values per variable.
  public static func grid(_ axes: [[Double]], description: String) -> FunctionSample {
    var points: [[Double]] = [[]]
    for axis in axes {
      points = points.flatMap { prefix in axis.map { prefix + [$0] } }
    }
    return FunctionSample(points: points, description: description)
  }

  /// `count` evenly spaced values from `a` to `b` inclusive (count ≥ 2), or `[a]` when count < 2.
  public static func linspace(_ a: Double, _ b: Double, count: Int) -> [Double] {
    guard count >= 2 else { return [a] }
    return (0..<count).map { a + (b - a) * Double($0) / Double(count - 1) }
  }
}
