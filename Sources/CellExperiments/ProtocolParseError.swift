// CellSim — CellExperiments/ProtocolParseError.swift

/// Why a protocol text could not be parsed, and where.
///
/// Its `description` reads, for example:
/// `protocol line 1, column 16: expected a unit (C, A, mA, W, mW, kW) but found 'Amps'`, and carries a
/// `did you mean 'Discharge'?` suggestion when a misspelt keyword is within edit distance 2 of one
/// accepted at that point.
public struct ProtocolParseError: Error, Sendable, Equatable, CustomStringConvertible {
  /// 1-based line of the offending text.
  public var line: Int
  /// 1-based column (in Unicode scalars) of the offending text.
  public var column: Int
  /// The offending token or text; empty at the end of a line or of the input.
  public var found: String
  /// What is accepted at that point, e.g. `a unit (C, A, mA, W, mW, kW)`.
  public var expected: String
  /// The full explanation, without the location prefix.
  public var message: String

  /// Creates an error.
  public init(line: Int, column: Int, found: String, expected: String, message: String) {
    self.line = line
    self.column = column
    self.found = found
    self.expected = expected
    self.message = message
  }

  /// Where the error is, as a `SourceLocation`.
  public var location: SourceLocation { SourceLocation(line: line, column: column) }

  /// `protocol line L, column C: <message>`.
  public var description: String { "protocol line \(line), column \(column): \(message)" }
}
