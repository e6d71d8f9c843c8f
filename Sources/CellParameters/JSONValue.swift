// CellSim — CellParameters/JSONValue.swift
//
// A small JSON value tree and parser. We parse ourselves (instead of `JSONSerialization`) for three
// reasons: syntax errors carry a line and column, object keys keep the order they were written in, and
// numbers keep their literal text so that error messages can quote a value exactly as the user wrote it.

/// A JSON value. Objects keep their members in file order; numbers keep the literal as written.
public indirect enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// A number and its literal text as written in the file (e.g. `"-85.2e-6"`).
  case number(Double, literal: String)
  case string(String)
  case array([JSONValue])
  /// Members in file order. Duplicate keys are rejected by the parser.
  case object([(key: String, value: JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a, _), .number(let b, _)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// A number value whose literal is Swift's shortest round-trip rendering.
  public static func number(_ value: Double) -> JSONValue {
    .number(value, literal: JSONValue.render(value))
  }

  /// The member `key` of an object, or `nil`.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// A short human word for the kind of value ("a number", "a string", …).
  public var kindDescription: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// Compact JSON text of the value, numbers as written; long renderings are cut to `limit` characters.
  public func rendered(limit: Int = 80) -> String {
    let full = compactText
    guard full.count > limit else { return full }
    return String(full.prefix(max(0, limit - 1))) + "…"
  }

  var compactText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(_, let literal): return literal
    case .string(let s): return JSONValue.quote(s)
    case .array(let items): return "[" + items.map(\.compactText).joined(separator: ", ") + "]"
    case .object(let members):
      return "{" + members.map { JSONValue.quote($0.key) + ": " + $0.value.compactText }.joined(separator: ", ")
        + "}"
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  static func render(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  /// A copy with the value at a dotted path (`"positive.thickness_m"`) replaced or added.
  ///
  /// Used by parameter sweeps: the modified tree is read and validated like any file.
  /// - Returns: `nil` if an intermediate path component exists but is not an object.
  public func setting(_ path: String, to newValue: JSONValue) -> JSONValue? {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    return setting(parts[...], to: newValue)
  }

  private func setting(_ parts: ArraySlice<String>, to newValue: JSONValue) -> JSONValue? {
    guard let head = parts.first else { return newValue }
    guard case .object(var members) = self else { return nil }
    let rest = parts.dropFirst()
    if let index = members.firstIndex(where: { $0.key == head }) {
      guard let updated = members[index].value.setting(rest, to: newValue) else { return nil }
      members[index].value = updated
    } else {
      guard let updated = JSONValue.object([]).setting(rest, to: newValue) else { return nil }
      members.append((key: head, value: updated))
    }
    return .object(members)
  }
}

/// A JSON syntax error with its 1-based position.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var line: Int
  public var column: Int
  public init(message: String, line: Int, column: Int) {
    self.message = message
    self.line = line
    self.column = column
  }
  public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
  /// Parses UTF-8 JSON text (RFC 8259; no comments, no trailing commas).
  /// - Throws: `JSONSyntaxError` with the line and column of the first offending character.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(Array(text.utf8))
    return try parser.parseDocument()
  }
}

private struct JSONParser {
  let bytes: [UInt8]
  var index = 0
  var depth = 0

  init(_ bytes: [UInt8]) {
    self.bytes = bytes
    // Skip a UTF-8 byte-order mark.
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  func position(of offset: Int) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    var i = 0
    while i < min(offset, bytes.count) {
      if bytes[i] == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if bytes[i] & 0xC0 != 0x80 {
        column += 1
      }
      i += 1
    }
    return (line, column)
  }

  func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
    let p = position(of: offset ?? index)
    return JSONSyntaxError(message: message, line: p.line, column: p.column)
  }

  var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  mutating func skipWhitespace() {
    while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
  }

  func describe(_ c: UInt8?) -> String {
    guard let c else { return "end of file" }
    if c >= 0x21 && c < 0x7F { return "'\(Character(UnicodeScalar(c)))'" }
    return "byte 0x" + String(c, radix: 16)
  }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    if current != nil { throw error("unexpected \(describe(current)) after the end of the JSON value") }
    return value
  }

  mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard let c = current else { throw error("unexpected end of file, expected a value") }
    switch c {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
    case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
    case UInt8(ascii: "n"): try expectWord("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected \(describe(c)), expected a value")
    }
  }

  mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
    let start = index
    for b in word.utf8 {
      guard current == b else {
        throw error("invalid literal, expected '\(word)'", at: start)
      }
      index += 1
    }
  }

  mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > 512 { throw error("nesting deeper than 512 levels") }
  }

  mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    index += 1
    var members: [(key: String, value: JSONValue)] = []
    var seen = Set<String>()
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else {
        throw error("unexpected \(describe(current)), expected a member name in double quotes")
      }
      let keyStart = index
      let key = try parseString()
      if seen.contains(key) { throw error("duplicate member \"\(key)\"", at: keyStart) }
      seen.insert(key)
      skipWhitespace()
      guard current == UInt8(ascii: ":") else {
        throw error("unexpected \(describe(current)), expected ':' after \"\(key)\"")
      }
      index += 1
      skipWhitespace()
      let value = try parseValue()
      members.append((key: key, value: value))
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","):
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { throw error("trailing comma before '}'") }
      case UInt8(ascii: "}"):
        index += 1
        return .object(members)
      default:
        throw error("unexpected \(describe(current)), expected ',' or '}' (missing comma?)")
      }
    }
  }

  mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    index += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","):
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { throw error("trailing comma before ']'") }
      case UInt8(ascii: "]"):
        index += 1
        return .array(items)
      default:
        throw error("unexpected \(describe(current)), expected ',' or ']' (missing comma?)")
      }
    }
  }

  mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let c = current else { throw error("unexpected end of file in \\u escape") }
      let digit: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw error("invalid hexadecimal digit \(describe(c)) in \\u escape")
      }
      value = value * 16 + digit
      index += 1
    }
    return value
  }

  mutating func parseString() throws(JSONSyntaxError) -> String {
    let start = index
    index += 1
    var buffer: [UInt8] = []
    while true {
      guard let c = current else { throw error("unterminated string", at: start) }
      switch c {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: buffer, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        guard let e = current else { throw error("unterminated string", at: start) }
        index += 1
        switch e {
        case UInt8(ascii: "\""): buffer.append(e)
        case UInt8(ascii: "\\"): buffer.append(e)
        case UInt8(ascii: "/"): buffer.append(e)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
          var code = try parseHex4()
          if (0xD800...0xDBFF).contains(code) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate in \\u escape") }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid surrogate pair in \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
          buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
          throw error("invalid escape '\\\(Character(UnicodeScalar(e)))' in string", at: index - 2)
        }
      default:
        if c < 0x20 { throw error("control character in string (use \\n, \\t, …)") }
        buffer.append(c)
        index += 1
      }
    }
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = index
    func isDigit(_ c: UInt8?) -> Bool { c.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? false }
    if current == UInt8(ascii: "-") { index += 1 }
    guard isDigit(current) else { throw error("invalid number: expected a digit") }
    if current == UInt8(ascii: "0") {
      index += 1
      if isDigit(current) { throw error("invalid number: leading zero", at: start) }
    } else {
      while isDigit(current) { index += 1 }
    }
    if current == UInt8(ascii: ".") {
      index += 1
      guard isDigit(current) else { throw error("invalid number: expected a digit after '.'") }
      while isDigit(current) { index += 1 }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard isDigit(current) else { throw error("invalid number: expected a digit in the exponent") }
      while isDigit(current) { index += 1 }
    }
    let literal = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let value = Double(literal) else { throw error("invalid number '\(literal)'", at: start) }
    guard value.isFinite else { throw error("number '\(literal)' is out of range", at: start) }
    return .number(value, literal: literal)
  }
}
