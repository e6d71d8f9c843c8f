// CellSim — CellParameters/CellFileError.swift
//
// Every problem found in a cell file, collected rather than stopping at the first one.

/// One problem in a cell file.
///
/// Rendered on one line (`description`):
///
///     Chen2020.json: negative.thickness_m = -8.52e-05: must be > 0 (a length in metres)
///     Chen2020.json: negative.porosty = 0.25: unknown field; did you mean 'porosity'?
///     Chen2020.json: line 12, column 5: unexpected '}', expected a value
public struct CellFileIssue: Sendable, Equatable, CustomStringConvertible {
  /// What kind of problem it is.
  public enum Kind: String, Sendable, Equatable {
    /// The file cannot be read or is not valid JSON.
    case unreadable
    /// A required field (or section) is absent.
    case missing
    /// A field the chemistry does not know.
    case unknown
    /// A value of the wrong JSON type (a string where a number is expected, …).
    case wrongType
    /// A number outside its accepted range.
    case outOfRange
    /// A function field that does not parse, or is not finite/in range over its sample.
    case invalidFunction
    /// Values that are individually fine but contradict each other (ε + ε_s > 1, cut-offs not ordered, …).
    case inconsistent
  }

  /// File name as shown to the user (usually the last path component).
  public var file: String
  /// Dotted field path, e.g. `negative.thickness_m`; empty for whole-file problems.
  public var path: String
  /// The offending value as written in the file (numbers keep their literal), if there is one.
  public var value: String?
  /// What is wrong / what is accepted, e.g. `must be > 0 (a length in metres)`.
  public var problem: String
  /// A suggestion such as `did you mean 'porosity'?`.
  public var suggestion: String?
  public var kind: Kind
  /// 1-based line and column, for syntax errors.
  public var line: Int?
  public var column: Int?

  public init(
    file: String, path: String, value: String? = nil, problem: String, suggestion: String? = nil,
    kind: Kind, line: Int? = nil, column: Int? = nil
  ) {
    self.file = file
    self.path = path
    self.value = value
    self.problem = problem
    self.suggestion = suggestion
    self.kind = kind
    self.line = line
    self.column = column
  }

  public var description: String {
    var text = file + ": "
    if let line, let column { text += "line \(line), column \(column): " }
    if !path.isEmpty {
      text += path
      if let value { text += " = " + value }
      text += ": "
    } else if let value {
      text += value + ": "
    }
    text += problem
    if let suggestion { text += "; " + suggestion }
    return text
  }
}

/// A cell file that cannot be used, with every problem found in it.
public struct CellFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// File name as shown to the user.
  public var file: String
  /// All problems, in the order they were found (never empty).
  public var issues: [CellFileIssue]

  public init(file: String, issues: [CellFileIssue]) {
    self.file = file
    self.issues = issues
  }

  /// A single-issue error.
  public init(_ issue: CellFileIssue) {
    self.init(file: issue.file, issues: [issue])
  }

  /// One line per issue.
  public var description: String { issues.map(\.description).joined(separator: "\n") }
}
