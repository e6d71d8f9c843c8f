// CellSim — CellParameters/ParameterReader.swift
//
// Typed, validating access to a cell file's JSON tree for chemistry modules. Every getter records what
// is wrong (missing, wrong type, out of range, unparsable or non-finite function) and returns a
// placeholder, so a whole file is checked in one pass; `finish()` then throws every problem at once.
//
//     let reader = try ParameterReader(contentsOf: url)
//     let header = reader.header(expectingChemistry: "lithium-ion")
//     let thickness = reader.section("negative") { s in s.number("thickness_m", .positive, "a length in metres") }
//     try reader.finish()     // throws CellFileError listing every issue, including unknown fields

import CellCore
import Foundation

/// Reads a cell file: header, sections and typed fields, collecting all problems.
///
/// Values returned while problems exist are placeholders (NaN for numbers, a constant for functions):
/// a chemistry may build its parameter struct from them, but must call `finish()` before using it.
public final class ParameterReader {
  /// File name used in messages (last path component of the URL).
  public let fileName: String
  /// The parsed file.
  public let root: JSONValue
  /// Problems found so far.
  public private(set) var issues: [CellFileIssue] = []
  private lazy var rootSection: ParameterSection = {
    if case .object(let members) = root {
      return ParameterSection(reader: self, path: "", members: members, muted: false)
    }
    return ParameterSection(reader: self, path: "", members: [], muted: true)
  }()
  private var finished = false

  /// Reads and parses a file.
  /// - Throws: `CellFileError` if it cannot be read or is not valid JSON (with line and column).
  public convenience init(contentsOf url: URL) throws(CellFileError) {
    let name = url.lastPathComponent
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw CellFileError(
        CellFileIssue(
          file: name, path: "", problem: "cannot be read (\(error.localizedDescription)) at \(url.path)",
          kind: .unreadable))
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw CellFileError(CellFileIssue(file: name, path: "", problem: "is not UTF-8 text", kind: .unreadable))
    }
    try self.init(text: text, fileName: name)
  }

  /// Parses JSON text.
  /// - Throws: `CellFileError` with the line and column of a JSON syntax error.
  public convenience init(text: String, fileName: String) throws(CellFileError) {
    let json: JSONValue
    do {
      json = try JSONValue.parse(text)
    } catch {
      throw CellFileError(
        CellFileIssue(
          file: fileName, path: "", problem: "invalid JSON: \(error.message)", kind: .unreadable,
          line: error.line, column: error.column))
    }
    self.init(json: json, fileName: fileName)
  }

  /// Reads an already parsed tree (e.g. a file with a sweep's override applied).
  public init(json: JSONValue, fileName: String) {
    self.fileName = fileName
    self.root = json
    if case .object = json {} else {
      issues.append(
        CellFileIssue(
          file: fileName, path: "", value: json.rendered(limit: 40),
          problem: "a cell file must be a JSON object ({ \"schema\": …, \"chemistry\": …, … })",
          kind: .wrongType))
    }
  }

  /// The fields of the top-level object (header fields and sections).
  var top: ParameterSection { rootSection }

  /// Records a problem.
  public func report(_ issue: CellFileIssue) { issues.append(issue) }

  func report(
    path: String, value: String?, problem: String, suggestion: String? = nil, kind: CellFileIssue.Kind
  ) {
    issues.append(
      CellFileIssue(file: fileName, path: path, value: value, problem: problem, suggestion: suggestion, kind: kind))
  }

  /// Reads and checks the header (`schema`, `chemistry`, `name`, `description`, `sources`).
  /// - Parameter expectingChemistry: If given, a different `chemistry` is reported as an issue.
  public func header(expectingChemistry expected: String? = nil) -> CellFileHeader {
    let s = rootSection
    let schema = s.string("schema", "the file format, \"\(CellFileHeader.currentSchema)\"")
    if !schema.isEmpty, schema != CellFileHeader.currentSchema {
      s.report(
        "schema", problem: "unsupported schema; this version reads \"\(CellFileHeader.currentSchema)\"",
        kind: .outOfRange)
    }
    let known = CellFileHeader.knownChemistries.map { "\"\($0)\"" }.joined(separator: ", ")
    let chemistry = s.string("chemistry", "one of \(known)")
    if !chemistry.isEmpty {
      if !CellFileHeader.knownChemistries.contains(chemistry) {
        let guess = closestName(to: chemistry, among: CellFileHeader.knownChemistries)
        s.report(
          "chemistry", problem: "unknown chemistry; must be one of \(known)",
          suggestion: guess.map { "did you mean '\($0)'?" }, kind: .outOfRange)
      } else if let expected, chemistry != expected {
        s.report(
          "chemistry", problem: "wrong chemistry: this reader reads \"\(expected)\" cells", kind: .outOfRange)
      }
    }
    let name = s.string("name", "a short name of the cell")
    let description = s.string("description", "what the cell is")
    let sources = s.strings("sources", "the literature the values come from")
    return CellFileHeader(
      schema: schema, chemistry: chemistry, name: name, description: description, sources: sources)
  }

  /// Reads a required top-level section (an object); see `ParameterSection.section`.
  public func section<T>(_ name: String, _ meaning: String = "", _ body: (ParameterSection) -> T) -> T {
    rootSection.section(name, meaning, body)
  }

  /// Reads an optional top-level section, `nil` when absent.
  public func optionalSection<T>(_ name: String, _ meaning: String = "", _ body: (ParameterSection) -> T) -> T? {
    rootSection.optionalSection(name, meaning, body)
  }

  /// Reports unknown top-level fields and throws if any problem was found.
  /// - Throws: `CellFileError` listing every issue.
  public func finish() throws(CellFileError) {
    if !finished {
      finished = true
      rootSection.close()
    }
    if !issues.isEmpty { throw CellFileError(file: fileName, issues: issues) }
  }
}

/// One JSON object of a cell file (the top level or a section such as `negative`), read field by field.
///
/// Each getter marks its key as known; when the section ends, the keys that were present but never
/// asked for are reported as unknown fields, with a "did you mean" suggestion by edit distance against
/// the keys the chemistry asked for.
public final class ParameterSection {
  unowned let reader: ParameterReader
  /// Dotted path of this object, empty for the top level.
  public let path: String
  let members: [(key: String, value: JSONValue)]
  /// A missing or malformed section: reads return placeholders without further reports.
  let muted: Bool
  private var requested: [String] = []
  private var pendingMissing: [(key: String, issue: CellFileIssue)] = []
  private var closed = false

  init(reader: ParameterReader, path: String, members: [(key: String, value: JSONValue)], muted: Bool) {
    self.reader = reader
    self.path = path
    self.members = members
    self.muted = muted
  }

  /// Whether the object has a member `key` (does not mark it as read).
  public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

  /// Dotted path of a field of this object.
  public func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

  /// The raw value of `key`, marking it as read; `nil` if absent.
  public func value(_ key: String) -> JSONValue? {
    if !requested.contains(key) { requested.append(key) }
    return members.first { $0.key == key }?.value
  }

  /// Records a problem with field `key` (its value, if present, is quoted as written).
  public func report(
    _ key: String, problem: String, suggestion: String? = nil, kind: CellFileIssue.Kind = .inconsistent
  ) {
    guard !muted else { return }
    let value = members.first { $0.key == key }?.value.rendered()
    reader.report(path: fieldPath(key), value: value, problem: problem, suggestion: suggestion, kind: kind)
  }

  /// Reports `problem` on field `key` unless `condition` holds. For cross-field checks; skip it when the
  /// values involved are already invalid (NaN placeholders).
  public func require(_ condition: Bool, _ key: String, _ problem: String) {
    if !condition { report(key, problem: problem, kind: .inconsistent) }
  }

  private func missing(_ key: String, _ what: String) {
    guard !muted else { return }
    let issue = CellFileIssue(
      file: reader.fileName, path: fieldPath(key), problem: "missing (\(what))", kind: .missing)
    pendingMissing.append((key, issue))
  }

  private func wrongType(_ key: String, _ value: JSONValue, _ expected: String, _ meaning: String) {
    var suggestion: String?
    if case .string(let text) = value, Double(text.trimmingCharacters(in: .whitespaces)) != nil {
      suggestion = "write the number without quotes"
    }
    report(
      key, problem: "must be \(expected) (\(meaning)), not \(value.kindDescription)", suggestion: suggestion,
      kind: .wrongType)
  }

  // MARK: Numbers

  /// A required number in `range`; NaN (and an issue) if missing, not a number or out of range.
  /// - Parameters:
  ///   - meaning: What the number is, with its unit, e.g. "a length in metres".
  public func number(_ key: String, _ range: NumberRange = .finite, _ meaning: String) -> Double {
    guard let value = value(key) else {
      missing(key, "\(meaning), \(range)")
      return .nan
    }
    return checkedNumber(key, value, range, meaning) ?? .nan
  }

  /// An optional number; `nil` if absent or invalid (invalid values are reported).
  public func optionalNumber(_ key: String, _ range: NumberRange = .finite, _ meaning: String) -> Double? {
    guard let value = value(key) else { return nil }
    return checkedNumber(key, value, range, meaning)
  }

  private func checkedNumber(_ key: String, _ value: JSONValue, _ range: NumberRange, _ meaning: String)
    -> Double?
  {
    guard case .number(let number, _) = value else {
      wrongType(key, value, "a number", meaning)
      return nil
    }
    guard range.contains(number) else {
      report(key, problem: "must be \(range) (\(meaning))", kind: .outOfRange)
      return nil
    }
    return number
  }

  /// A required whole number in `range`; 0 (and an issue) if missing or invalid.
  public func integer(_ key: String, _ range: NumberRange = .finite, _ meaning: String) -> Int {
    guard let value = value(key) else {
      missing(key, "\(meaning), a whole number \(range)")
      return 0
    }
    guard let number = checkedNumber(key, value, range, meaning) else { return 0 }
    guard number == number.rounded(), abs(number) < 1e15 else {
      report(key, problem: "must be a whole number (\(meaning))", kind: .outOfRange)
      return 0
    }
    return Int(number)
  }

  /// A required array of numbers, each in `range`.
  public func numbers(_ key: String, _ range: NumberRange = .finite, _ meaning: String) -> [Double] {
    guard let value = value(key) else {
      missing(key, "\(meaning), an array of numbers \(range)")
      return []
    }
    return checkedNumbers(key, value, range, meaning) ?? []
  }

  private func checkedNumbers(_ key: String, _ value: JSONValue, _ range: NumberRange, _ meaning: String)
    -> [Double]?
  {
    guard case .array(let items) = value else {
      wrongType(key, value, "an array of numbers", meaning)
      return nil
    }
    var numbers: [Double] = []
    for (i, item) in items.enumerated() {
      guard case .number(let number, let literal) = item else {
        report(
          key, problem: "element \(i) is \(item.kindDescription) \(item.rendered(limit: 30)); must be a number (\(meaning))",
          kind: .wrongType)
        return nil
      }
      guard range.contains(number) else {
        report(key, problem: "element \(i) = \(literal) must be \(range) (\(meaning))", kind: .outOfRange)
        return nil
      }
      numbers.append(number)
    }
    return numbers
  }

  // MARK: Strings

  /// A required string; empty (and an issue) if missing or not a string.
  public func string(_ key: String, _ meaning: String) -> String {
    guard let value = value(key) else {
      missing(key, meaning)
      return ""
    }
    guard case .string(let text) = value else {
      wrongType(key, value, "a string", meaning)
      return ""
    }
    return text
  }

  /// An optional string; `nil` if absent or not a string (reported).
  public func optionalString(_ key: String, _ meaning: String) -> String? {
    guard let value = value(key) else { return nil }
    guard case .string(let text) = value else {
      wrongType(key, value, "a string", meaning)
      return nil
    }
    return text
  }

  /// A required array of strings.
  public func strings(_ key: String, _ meaning: String) -> [String] {
    guard let value = value(key) else {
      missing(key, "\(meaning), an array of strings")
      return []
    }
    guard case .array(let items) = value else {
      wrongType(key, value, "an array of strings", meaning)
      return []
    }
    var result: [String] = []
    for (i, item) in items.enumerated() {
      guard case .string(let text) = item else {
        report(key, problem: "element \(i) is \(item.kindDescription); must be a string (\(meaning))", kind: .wrongType)
        return []
      }
      result.append(text)
    }
    return result
  }

  // MARK: Functions

  /// A required function of `variables`, checked over `sample`.
  ///
  /// JSON forms:
  /// - a number → `FunctionSpec.constant`;
  /// - a string → `FunctionSpec.expression` in `variables`;
  /// - `{"x": [...], "y": [...]}` → `FunctionSpec.table`, linear in the first variable;
  /// - `{"value": <any form>, "activation_energy_J_mol": Ea, "reference_temperature_K": Tref}` →
  ///   `FunctionSpec.arrhenius`, i.e. value · exp(Ea/R·(1/Tref − 1/T)).
  ///
  /// The function must be finite and in `range` at every point of `sample`.
  /// - Returns: The compiled function, or a constant placeholder (with an issue) if invalid.
  public func function(
    _ key: String, variables: [String], sample: FunctionSample, _ range: NumberRange = .finite,
    _ meaning: String
  ) -> ScalarFunction {
    guard let value = value(key) else {
      missing(key, "\(meaning); a number, an expression in \(variables.joined(separator: ", ")), a table or an Arrhenius object")
      return Self.placeholder(variables)
    }
    return checkedFunction(key, value, variables, sample, range, meaning) ?? Self.placeholder(variables)
  }

  /// An optional function; `nil` if absent or invalid (reported).
  public func optionalFunction(
    _ key: String, variables: [String], sample: FunctionSample, _ range: NumberRange = .finite,
    _ meaning: String
  ) -> ScalarFunction? {
    guard let value = value(key) else { return nil }
    return checkedFunction(key, value, variables, sample, range, meaning)
  }

  /// A function whose JSON is present but invalid: a constant 0 (never used, since `finish()` throws).
  static func placeholder(_ variables: [String]) -> ScalarFunction {
    do {
      return try FunctionSpec.constant(0).compile(variables: variables)
    } catch {
      preconditionFailure("a constant always compiles for valid variable names: \(error)")
    }
  }

  private func checkedFunction(
    _ key: String, _ value: JSONValue, _ variables: [String], _ sample: FunctionSample, _ range: NumberRange,
    _ meaning: String
  ) -> ScalarFunction? {
    guard let spec = decodeFunction(value, path: fieldPath(key), meaning: meaning) else { return nil }
    let function: ScalarFunction
    do {
      function = try spec.compile(variables: variables)
    } catch {
      var problem = "invalid function: \(error.message)"
      if error.column > 0 { problem += " at column \(error.column)" }
      if !error.source.isEmpty, case .object = value { problem += " of \"\(error.source)\"" }
      report(
        key, problem: problem + " (\(meaning); variables: \(variables.joined(separator: ", ")))",
        kind: .invalidFunction)
      return nil
    }
    var arguments = [Double](repeating: 0, count: max(variables.count, 1))
    for point in sample.points {
      for i in arguments.indices { arguments[i] = i < point.count ? point[i] : 0 }
      let y = arguments.withUnsafeBufferPointer { function.evaluate($0) }
      if !range.contains(y) {
        let at = zip(variables, point).map { "\($0) = \($1)" }.joined(separator: ", ")
        let requirement = range == .finite ? "must be finite" : "must be finite and \(range)"
        report(
          key, problem: "evaluates to \(y.isNaN ? "nan" : "\(y)") at \(at); \(requirement) for \(sample.description) (\(meaning))",
          kind: .invalidFunction)
        return nil
      }
    }
    return function
  }

  /// Decodes the JSON forms of a function into a `FunctionSpec`, reporting malformed ones.
  func decodeFunction(_ value: JSONValue, path: String, meaning: String) -> FunctionSpec? {
    let forms = "a number, an expression string, {\"x\": [...], \"y\": [...]} or {\"value\": …, "
      + "\"activation_energy_J_mol\": …, \"reference_temperature_K\": …}"
    func issue(_ problem: String, _ kind: CellFileIssue.Kind, at subpath: String = "", value v: JSONValue? = nil) {
      guard !muted else { return }
      reader.report(
        path: subpath.isEmpty ? path : path + "." + subpath, value: (v ?? value).rendered(), problem: problem,
        kind: kind)
    }
    switch value {
    case .number(let number, _):
      return .constant(number)
    case .string(let text):
      return .expression(text)
    case .object(let members):
      let keys = members.map(\.key)
      let nested = ParameterSection(reader: reader, path: path, members: members, muted: muted)
      if keys.contains("value") || keys.contains("activation_energy_J_mol") || keys.contains("reference_temperature_K") {
        defer { nested.close() }
        guard let inner = nested.value("value") else {
          _ = nested.number("activation_energy_J_mol", .finite, "")
          _ = nested.number("reference_temperature_K", .positive, "")
          issue("an Arrhenius object needs \"value\" (\(meaning))", .missing)
          return nil
        }
        let base = decodeFunction(inner, path: path + ".value", meaning: meaning)
        let ea = nested.number("activation_energy_J_mol", .finite, "activation energy in J/mol")
        let tref = nested.number("reference_temperature_K", .positive, "Arrhenius reference temperature in K")
        guard let base, ea.isFinite, tref.isFinite else { return nil }
        return .arrhenius(base, activationEnergy: ea, referenceTemperature: tref)
      }
      if keys.contains("x") || keys.contains("y") {
        defer { nested.close() }
        let x = nested.numbers("x", .finite, "table abscissae, strictly increasing")
        let y = nested.numbers("y", .finite, "table values")
        guard let xValue = nested.value("x"), nested.value("y") != nil, !x.isEmpty || !y.isEmpty else {
          return nil
        }
        if x.count != y.count {
          issue("table x and y have different lengths (\(x.count) and \(y.count))", .invalidFunction)
          return nil
        }
        if x.count < 2 {
          issue("a table needs at least 2 points", .invalidFunction)
          return nil
        }
        for i in 1..<x.count where !(x[i] > x[i - 1]) {
          issue(
            "table x must be strictly increasing, but x[\(i)] = \(x[i]) ≤ x[\(i - 1)] = \(x[i - 1])",
            .invalidFunction, at: "x", value: xValue)
          return nil
        }
        return .table(x: x, y: y)
      }
      issue("must be \(forms) (\(meaning))", .wrongType)
      return nil
    default:
      issue("must be \(forms) (\(meaning)), not \(value.kindDescription)", .wrongType)
      return nil
    }
  }

  // MARK: Nested objects

  /// Reads a required nested object. When it is missing or not an object, one issue is reported and
  /// `body` still runs on an empty, silent section (its reads return placeholders).
  public func section<T>(_ name: String, _ meaning: String = "", _ body: (ParameterSection) -> T) -> T {
    let child: ParameterSection
    switch value(name) {
    case .object(let members)?:
      child = ParameterSection(reader: reader, path: fieldPath(name), members: members, muted: muted)
    case nil:
      missing(name, meaning.isEmpty ? "a section" : "a section: \(meaning)")
      child = ParameterSection(reader: reader, path: fieldPath(name), members: [], muted: true)
    case let other?:
      wrongType(name, other, "an object", meaning.isEmpty ? "a section" : meaning)
      child = ParameterSection(reader: reader, path: fieldPath(name), members: [], muted: true)
    }
    let result = body(child)
    child.close()
    return result
  }

  /// Reads an optional nested object; `nil` when absent (a non-object is reported and gives `nil`).
  public func optionalSection<T>(_ name: String, _ meaning: String = "", _ body: (ParameterSection) -> T) -> T? {
    switch value(name) {
    case nil:
      return nil
    case .object(let members)?:
      let child = ParameterSection(reader: reader, path: fieldPath(name), members: members, muted: muted)
      let result = body(child)
      child.close()
      return result
    case let other?:
      wrongType(name, other, "an object", meaning.isEmpty ? "a section" : meaning)
      return nil
    }
  }

  /// Reads an optional array of objects; `nil` when absent. Element i is read by `body` as the section
  /// `name[i]`; a non-array, or an element that is not an object, is reported (and skipped).
  public func optionalSectionArray<T>(_ name: String, _ meaning: String = "", _ body: (ParameterSection) -> T) -> [T]? {
    switch value(name) {
    case nil:
      return nil
    case .array(let elements)?:
      var out: [T] = []
      for (i, element) in elements.enumerated() {
        let path = fieldPath(name) + "[\(i)]"
        guard case .object(let members) = element else {
          if !muted {
            reader.report(
              path: path, value: element.rendered(),
              problem: "must be an object (\(meaning.isEmpty ? "an element" : meaning)), not \(element.kindDescription)",
              suggestion: nil, kind: .wrongType)
          }
          continue
        }
        let child = ParameterSection(reader: reader, path: path, members: members, muted: muted)
        out.append(body(child))
        child.close()
      }
      return out
    case let other?:
      wrongType(name, other, "an array of objects", meaning.isEmpty ? "a list" : meaning)
      return nil
    }
  }

  /// Reports the missing required fields found so far, without waiting for `close()` (used when only
  /// part of an object is read, as `readChemistry(of:)` does with the header).
  func flushMissing() {
    for (_, issue) in pendingMissing { reader.report(issue) }
    pendingMissing.removeAll()
  }

  /// Reports the fields present but never read, and the missing ones (a missing field that an unknown
  /// one is a misspelling of is reported once, as the misspelling).
  func close() {
    guard !closed else { return }
    closed = true
    guard !muted else { return }
    let unknown = members.filter { !requested.contains($0.key) }
    let absent = Set(pendingMissing.map(\.key))
    var explained = Set<String>()
    var unknownIssues: [CellFileIssue] = []
    for member in unknown {
      // Prefer a missing field as the suggestion, then any known field.
      let guess = closestName(to: member.key, among: Array(absent)) ?? closestName(to: member.key, among: requested)
      if let guess, absent.contains(guess) { explained.insert(guess) }
      let problem = guess.map { absent.contains($0) ? "unknown field ('\($0)' is missing)" : "unknown field" }
        ?? "unknown field"
      unknownIssues.append(
        CellFileIssue(
          file: reader.fileName, path: fieldPath(member.key), value: member.value.rendered(), problem: problem,
          suggestion: guess.map { "did you mean '\($0)'?" }, kind: .unknown))
    }
    for (key, issue) in pendingMissing where !explained.contains(key) { reader.report(issue) }
    for issue in unknownIssues { reader.report(issue) }
  }
}

/// The candidate closest to `name` by edit distance (case-insensitive), if close enough to be a likely
/// misspelling: distance ≤ max(2, ⌊length/3⌋), or one name is the other plus a suffix starting with `_`.
public func closestName(to name: String, among candidates: [String]) -> String? {
  let lowered = name.lowercased()
  var best: (name: String, distance: Int)?
  for candidate in candidates {
    let c = candidate.lowercased()
    var distance = editDistance(lowered, c)
    if c.hasPrefix(lowered + "_") || lowered.hasPrefix(c + "_") { distance = min(distance, 1) }
    let limit = max(2, min(lowered.count, c.count) / 3)
    if distance <= limit, best.map({ distance < $0.distance }) ?? true { best = (candidate, distance) }
  }
  return best?.name
}
