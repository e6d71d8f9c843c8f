// CellSim — CellParameters/NumberRange.swift

/// The accepted range of a number field: always finite, optionally bounded below and/or above.
///
/// `description` is what an error message says is accepted: `> 0`, `in (0, 1)`, `in [0, 1]`, `≥ 0`,
/// `finite`.
public struct NumberRange: Sendable, Equatable, CustomStringConvertible {
  public var lower: Double?
  public var lowerInclusive: Bool
  public var upper: Double?
  public var upperInclusive: Bool

  public init(lower: Double?, lowerInclusive: Bool, upper: Double?, upperInclusive: Bool) {
    self.lower = lower
    self.lowerInclusive = lowerInclusive
    self.upper = upper
    self.upperInclusive = upperInclusive
  }

  /// Any finite number.
  public static let finite = NumberRange(lower: nil, lowerInclusive: false, upper: nil, upperInclusive: false)
  /// x > 0.
  public static let positive = NumberRange(lower: 0, lowerInclusive: false, upper: nil, upperInclusive: false)
  /// x ≥ 0.
  public static let nonNegative = NumberRange(lower: 0, lowerInclusive: true, upper: nil, upperInclusive: false)
  /// 0 < x < 1 (porosities, volume fractions, transference numbers).
  public static let openUnit = NumberRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
  /// 0 ≤ x ≤ 1 (state of charge, stoichiometries).
  public static let closedUnit = NumberRange(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: true)
  /// 0 < x ≤ 1 (separator porosity may be 1, as in Marquis2019).
  public static let unitExcludingZero = NumberRange(
    lower: 0, lowerInclusive: false, upper: 1, upperInclusive: true)

  /// x > bound.
  public static func greaterThan(_ bound: Double) -> NumberRange {
    NumberRange(lower: bound, lowerInclusive: false, upper: nil, upperInclusive: false)
  }
  /// x ≥ bound.
  public static func atLeast(_ bound: Double) -> NumberRange {
    NumberRange(lower: bound, lowerInclusive: true, upper: nil, upperInclusive: false)
  }
  /// lower ≤ x ≤ upper.
  public static func closed(_ lower: Double, _ upper: Double) -> NumberRange {
    NumberRange(lower: lower, lowerInclusive: true, upper: upper, upperInclusive: true)
  }

  /// Whether `value` is accepted (NaN and ±∞ never are).
  public func contains(_ value: Double) -> Bool {
    guard value.isFinite else { return false }
    if let lower, lowerInclusive ? value < lower : value <= lower { return false }
    if let upper, upperInclusive ? value > upper : value >= upper { return false }
    return true
  }

  public var description: String {
    func show(_ v: Double) -> String {
      v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }
    switch (lower, upper) {
    case (nil, nil): return "finite"
    case (let lo?, nil): return (lowerInclusive ? "≥ " : "> ") + show(lo)
    case (nil, let hi?): return (upperInclusive ? "≤ " : "< ") + show(hi)
    case (let lo?, let hi?):
      return "in " + (lowerInclusive ? "[" : "(") + show(lo) + ", " + show(hi) + (upperInclusive ? "]" : ")")
    }
  }
}
