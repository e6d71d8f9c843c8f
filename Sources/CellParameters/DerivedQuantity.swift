// CellSim — CellParameters/DerivedQuantity.swift

/// A number computed from a cell file (electrode capacities, 1C current, eSOH window, …), shown by
/// `cellsim params check`.
public struct DerivedQuantity: Sendable, Equatable, CustomStringConvertible {
  /// What it is, e.g. "negative electrode capacity".
  public var name: String
  /// Value in `unit`.
  public var value: Double
  /// Unit, e.g. "A h"; empty for dimensionless numbers.
  public var unit: String

  public init(name: String, value: Double, unit: String) {
    self.name = name
    self.value = value
    self.unit = unit
  }

  public var description: String { unit.isEmpty ? "\(name) = \(value)" : "\(name) = \(value) \(unit)" }
}
