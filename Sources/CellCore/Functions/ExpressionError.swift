// CellSim — CellCore/Functions/ExpressionError.swift
//
// The one error type of the parameter-function machinery: syntax errors in expression strings,
// invalid tables and invalid function specifications all end up here, with the column they are about.

/// Why an expression, a table or a function specification was rejected.
///
/// Parse errors point at the offending character: `column` is 1-based and counts Unicode scalars of
/// `source` (for the ASCII text of the grammar, characters). Errors that are not about a position
/// (a table with too few points, an Arrhenius factor without a temperature variable, …) have
/// `column == 0`.
///
/// ```swift
/// do { _ = try CompiledExpression("1 + y", variables: ["x", "T"]) }
/// catch { print(error) }
/// // column 5: unknown variable 'y' in "1 + y" (accepted variables: x, T)
/// ```
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, e.g. `unknown function 'tanhh' (accepted: exp, log, …)`. A trailing
  /// parenthetical holds the hint (what was expected or accepted).
  public var message: String
  /// 1-based column in `source` the error is about, or 0 when it is not about a position.
  public var column: Int
  /// The expression text the error is about (empty when there is none, e.g. for tables).
  public var source: String

  /// Creates an error.
  /// - Parameters:
  ///   - message: What went wrong; a trailing `(…)` is read as a hint (see `description`).
  ///   - column: 1-based column in `source`, or 0 when the error is not about a position.
  ///   - source: The expression text, or "" when there is none.
  public init(message: String, column: Int = 0, source: String = "") {
    self.message = message
    self.column = column
    self.source = source
  }

  /// One line: `column N: <message> in "<source>" (<hint>)`. The `column N: ` prefix is left out
  /// when `column` is 0, and the ` in "<source>"` part when there is neither a column nor a source.
  public var description: String {
    let prefix = column > 0 ? "column \(column): " : ""
    guard column > 0 || !source.isEmpty else { return prefix + message }
    let quoted = " in \"\(source)\""
    // Put the source before a trailing hint in parentheses, so the line reads naturally.
    if message.hasSuffix(")"), let open = message.range(of: " (") {
      return prefix + message[..<open.lowerBound] + quoted + message[open.lowerBound...]
    }
    return prefix + message + quoted
  }
}

/// A number as error messages show it ("nan" whatever the sign bit of a NaN).
func describeNumber(_ value: Double) -> String {
  value.isNaN ? "nan" : "\(value)"
}
