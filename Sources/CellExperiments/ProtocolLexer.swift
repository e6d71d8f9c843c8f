// CellSim — CellExperiments/ProtocolLexer.swift
//
// Splits protocol text into tokens. Works on Unicode scalars so that columns are stable and `°` is a
// single column. Comments (`#` to end of line) and horizontal whitespace are dropped; line breaks are
// kept as tokens because they separate steps.

/// One token of protocol text.
struct ProtocolToken {
  enum Kind: Equatable {
    /// A number, possibly signed; `value` is `Double(text)` (non-finite or NaN when unrepresentable).
    case number(Double)
    /// A run of letters (and `°`, `℃`, `_`).
    case word
    case semicolon
    case newline
    case openBrace
    case closeBrace
    case slash
    /// Any other single character.
    case symbol
    case end
  }

  var kind: Kind
  var text: String
  var range: Range<String.Index>
  var line: Int
  var column: Int

  var location: SourceLocation { SourceLocation(line: line, column: column) }

  /// Whether the token is the given keyword (compared case-insensitively).
  func isKeyword(_ keyword: String) -> Bool {
    kind == .word && text.lowercased() == keyword
  }

  var isNumber: Bool {
    if case .number = kind { return true }
    return false
  }
}

enum ProtocolLexer {
  static func tokenize(_ source: String) -> [ProtocolToken] {
    let scalars = source.unicodeScalars
    var tokens: [ProtocolToken] = []
    var i = scalars.startIndex
    var line = 1
    var column = 1

    func peek(_ index: String.Index, offset: Int = 0) -> Unicode.Scalar? {
      var j = index
      for _ in 0..<offset {
        guard j < scalars.endIndex else { return nil }
        j = scalars.index(after: j)
      }
      return j < scalars.endIndex ? scalars[j] : nil
    }

    func isDigit(_ c: Unicode.Scalar?) -> Bool {
      guard let c else { return false }
      return c >= "0" && c <= "9"
    }

    func isWordScalar(_ c: Unicode.Scalar) -> Bool {
      // ASCII first: the Unicode property lookup costs hundreds of instructions per character.
      if c.isASCII { return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
      return c.properties.isAlphabetic || c == "°" || c == "℃"
    }

    while i < scalars.endIndex {
      let c = scalars[i]
      let start = i
      let startColumn = column

      func emit(_ kind: ProtocolToken.Kind, to end: String.Index) {
        let text = String(scalars[start..<end])
        tokens.append(
          ProtocolToken(kind: kind, text: text, range: start..<end, line: line, column: startColumn))
      }

      if c == "\n" || c == "\r" {
        i = scalars.index(after: i)
        if c == "\r", i < scalars.endIndex, scalars[i] == "\n" { i = scalars.index(after: i) }
        emit(.newline, to: i)
        line += 1
        column = 1
      } else if c == "#" {
        while i < scalars.endIndex, scalars[i] != "\n", scalars[i] != "\r" {
          i = scalars.index(after: i)
          column += 1
        }
      } else if c.properties.isWhitespace {
        i = scalars.index(after: i)
        column += 1
      } else if isDigit(c) || (c == "." && isDigit(peek(i, offset: 1)))
        || ((c == "-" || c == "+")
          && (isDigit(peek(i, offset: 1)) || (peek(i, offset: 1) == "." && isDigit(peek(i, offset: 2)))))
      {
        // [+-] digits [. digits] [(e|E) [+-] digits]
        var j = i
        func advance() {
          j = scalars.index(after: j)
          column += 1
        }
        if c == "-" || c == "+" { advance() }
        while isDigit(peek(j)) { advance() }
        if peek(j) == ".", isDigit(peek(j, offset: 1)) {
          advance()
          while isDigit(peek(j)) { advance() }
        }
        if peek(j) == "e" || peek(j) == "E" {
          let next = peek(j, offset: 1)
          if isDigit(next) || ((next == "-" || next == "+") && isDigit(peek(j, offset: 2))) {
            advance()
            if !isDigit(peek(j)) { advance() }
            while isDigit(peek(j)) { advance() }
          }
        }
        let text = String(scalars[start..<j])
        emit(.number(Double(text) ?? .infinity), to: j)
        i = j
      } else if isWordScalar(c) {
        var j = i
        while j < scalars.endIndex, isWordScalar(scalars[j]) {
          j = scalars.index(after: j)
          column += 1
        }
        emit(.word, to: j)
        i = j
      } else {
        i = scalars.index(after: i)
        column += 1
        switch c {
        case ";": emit(.semicolon, to: i)
        case "{": emit(.openBrace, to: i)
        case "}": emit(.closeBrace, to: i)
        case "/": emit(.slash, to: i)
        default: emit(.symbol, to: i)
        }
      }
    }
    tokens.append(
      ProtocolToken(
        kind: .end, text: "", range: scalars.endIndex..<scalars.endIndex, line: line, column: column))
    return tokens
  }
}
