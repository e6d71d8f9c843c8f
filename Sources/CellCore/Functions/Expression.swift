// CellSim — CellCore/Functions/Expression.swift
//
// Lexer and recursive-descent parser for the parameter-expression grammar (docs/expressions.md).
// The result is an `ExpressionNode` tree that `CompiledExpression` folds and flattens into bytecode;
// none of this is on the hot path.
//
//     expression := term (('+' | '-') term)*
//     term       := unary (('*' | '/') unary)*
//     unary      := ('+' | '-') unary | power
//     power      := primary (('^' | '**') unary)?          -- right-associative, above unary minus
//     primary    := number | 'pi' | variable | function '(' arguments ')' | '(' expression ')'

import Foundation

// MARK: - Built-in functions

/// The functions an expression may call.
enum BuiltinFunction: String, CaseIterable, Sendable {
  case exp, log, ln, log10, sqrt, tanh, sinh, cosh, asinh, atanh, sin, cos, abs, min, max, pow

  /// Number of arguments the function takes.
  var arity: Int {
    switch self {
    case .min, .max, .pow: 2
    default: 1
    }
  }

  /// Comma-separated list of all names, for error messages.
  static let acceptedList = allCases.map(\.rawValue).joined(separator: ", ")
}

/// Names that cannot be used as variables: the functions and the constant `pi`.
let reservedNames: Set<String> = Set(BuiltinFunction.allCases.map(\.rawValue)).union(["pi"])

// MARK: - Syntax tree

/// Binary operators of the grammar (`^` and `**` are both `.power`).
enum BinaryOperator: Sendable {
  case add, subtract, multiply, divide, power
}

/// A node of the parsed expression, with the 1-based column where it starts.
struct ExpressionNode: Sendable {
  indirect enum Kind: Sendable {
    case number(Double)
    case variable(Int)
    case negate(ExpressionNode)
    case binary(BinaryOperator, ExpressionNode, ExpressionNode)
    case call(BuiltinFunction, [ExpressionNode])
  }

  var kind: Kind
  var column: Int

  /// The value when the node is a literal number.
  var constant: Double? {
    if case .number(let value) = kind { return value }
    return nil
  }
}

// MARK: - Lexer

/// A token of the grammar, with the 1-based column where it starts.
struct Token: Sendable {
  enum Kind: Equatable, Sendable {
    case number(Double)
    case identifier(String)
    case plus, minus, star, slash, power, leftParen, rightParen, comma
    case end
  }

  var kind: Kind
  var column: Int
  var text: String

  /// How the token is quoted in messages.
  var quoted: String { kind == .end ? "end of expression" : "'\(text)'" }
}

/// Splits `source` into tokens; the last one is always `.end`.
func tokenize(_ source: String) throws(ExpressionError) -> [Token] {
  let scalars = Array(source.unicodeScalars)
  var tokens: [Token] = []
  var i = 0

  func isDigit(_ index: Int) -> Bool {
    index < scalars.count && ("0"..."9").contains(scalars[index])
  }
  func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
    s.isASCII && (("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_")
  }
  func text(_ range: Range<Int>) -> String {
    var result = ""
    result.unicodeScalars.append(contentsOf: scalars[range])
    return result
  }

  while i < scalars.count {
    let s = scalars[i]
    let column = i + 1
    if s == " " || s == "\t" || s == "\n" || s == "\r" {
      i += 1
      continue
    }
    if isDigit(i) || (s == "." && isDigit(i + 1)) {
      let start = i
      while isDigit(i) { i += 1 }
      if i < scalars.count && scalars[i] == "." {
        i += 1
        while isDigit(i) { i += 1 }
      }
      if i < scalars.count && (scalars[i] == "e" || scalars[i] == "E") {
        var j = i + 1
        if j < scalars.count && (scalars[j] == "+" || scalars[j] == "-") { j += 1 }
        guard isDigit(j) else {
          throw ExpressionError(
            message: "malformed number '\(text(start..<j))' (expected digits after the exponent)",
            column: j + 1, source: source)
        }
        i = j
        while isDigit(i) { i += 1 }
      }
      let literal = text(start..<i)
      guard let value = Double(literal), value.isFinite else {
        throw ExpressionError(
          message: "number '\(literal)' is out of range (must be finite)", column: column, source: source)
      }
      tokens.append(Token(kind: .number(value), column: column, text: literal))
      continue
    }
    if isIdentifierStart(s) {
      let start = i
      while i < scalars.count
        && (isIdentifierStart(scalars[i]) || ("0"..."9").contains(scalars[i]))
      {
        i += 1
      }
      let name = text(start..<i)
      tokens.append(Token(kind: .identifier(name), column: column, text: name))
      continue
    }
    let kind: Token.Kind
    var length = 1
    switch s {
    case "+": kind = .plus
    case "-": kind = .minus
    case "*":
      if i + 1 < scalars.count && scalars[i + 1] == "*" {
        kind = .power
        length = 2
      } else {
        kind = .star
      }
    case "/": kind = .slash
    case "^": kind = .power
    case "(": kind = .leftParen
    case ")": kind = .rightParen
    case ",": kind = .comma
    default:
      throw ExpressionError(
        message: "unexpected character '\(s)' (expected a number, a variable, a function, "
          + "an operator + - * / ^ ** or a parenthesis)",
        column: column, source: source)
    }
    tokens.append(Token(kind: kind, column: column, text: text(i..<i + length)))
    i += length
  }
  tokens.append(Token(kind: .end, column: scalars.count + 1, text: ""))
  return tokens
}

// MARK: - Parser

/// Recursive-descent parser over the tokens of one expression.
struct ExpressionParser {
  /// Deepest nesting of parentheses, calls and unary operators accepted (guards the call stack).
  static let maximumNesting = 256

  let source: String
  let variables: [String]
  private var tokens: [Token]
  private var index = 0
  private var nesting = 0

  /// Parses `source`; identifiers other than functions and `pi` must be in `variables`.
  static func parse(_ source: String, variables: [String]) throws(ExpressionError) -> ExpressionNode {
    var parser = try ExpressionParser(source: source, variables: variables, tokens: tokenize(source))
    return try parser.parseAll()
  }

  private init(source: String, variables: [String], tokens: [Token]) {
    self.source = source
    self.variables = variables
    self.tokens = tokens
  }

  private var current: Token { tokens[index] }

  private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

  private func error(_ message: String, at column: Int) -> ExpressionError {
    ExpressionError(message: message, column: column, source: source)
  }

  private mutating func parseAll() throws(ExpressionError) -> ExpressionNode {
    if current.kind == .end {
      throw error(
        "empty expression (expected a number, a variable, a function or '(')", at: current.column)
    }
    let node = try parseExpression()
    switch current.kind {
    case .end:
      return node
    case .rightParen:
      throw error("unbalanced ')' (no matching '(')", at: current.column)
    default:
      throw error(
        "unexpected \(current.quoted) (expected an operator or the end of the expression)",
        at: current.column)
    }
  }

  private mutating func enter(_ column: Int) throws(ExpressionError) {
    nesting += 1
    if nesting > Self.maximumNesting {
      throw error("expression nested too deeply (more than \(Self.maximumNesting) levels)", at: column)
    }
  }

  private mutating func parseExpression() throws(ExpressionError) -> ExpressionNode {
    var node = try parseTerm()
    while true {
      let op: BinaryOperator
      switch current.kind {
      case .plus: op = .add
      case .minus: op = .subtract
      default: return node
      }
      advance()
      let rhs = try parseTerm()
      node = ExpressionNode(kind: .binary(op, node, rhs), column: node.column)
    }
  }

  private mutating func parseTerm() throws(ExpressionError) -> ExpressionNode {
    var node = try parseUnary()
    while true {
      let op: BinaryOperator
      switch current.kind {
      case .star: op = .multiply
      case .slash: op = .divide
      default: return node
      }
      advance()
      let rhs = try parseUnary()
      node = ExpressionNode(kind: .binary(op, node, rhs), column: node.column)
    }
  }

  private mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
    let token = current
    switch token.kind {
    case .plus, .minus:
      try enter(token.column)
      defer { nesting -= 1 }
      advance()
      let operand = try parseUnary()
      if token.kind == .plus { return ExpressionNode(kind: operand.kind, column: token.column) }
      return ExpressionNode(kind: .negate(operand), column: token.column)
    default:
      return try parsePower()
    }
  }

  private mutating func parsePower() throws(ExpressionError) -> ExpressionNode {
    let base = try parsePrimary()
    guard current.kind == .power else { return base }
    try enter(current.column)
    defer { nesting -= 1 }
    advance()
    let exponent = try parseUnary()  // right-associative; admits 2^-1
    return ExpressionNode(kind: .binary(.power, base, exponent), column: base.column)
  }

  private mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
    let token = current
    switch token.kind {
    case .number(let value):
      advance()
      return ExpressionNode(kind: .number(value), column: token.column)

    case .identifier(let name):
      advance()
      if let slot = variables.firstIndex(of: name) {
        if current.kind == .leftParen {
          throw error(
            "unexpected '(' after variable '\(name)' (variables cannot be called; missing operator?)",
            at: current.column)
        }
        return ExpressionNode(kind: .variable(slot), column: token.column)
      }
      if name == "pi" { return ExpressionNode(kind: .number(Double.pi), column: token.column) }
      if let function = BuiltinFunction(rawValue: name) {
        return try parseCall(function, at: token)
      }
      if current.kind == .leftParen {
        throw error(
          "unknown function '\(name)' (accepted: \(BuiltinFunction.acceptedList))", at: token.column)
      }
      let accepted =
        variables.isEmpty
        ? "this expression takes no variables"
        : "accepted variables: \(variables.joined(separator: ", "))"
      throw error("unknown variable '\(name)' (\(accepted))", at: token.column)

    case .leftParen:
      try enter(token.column)
      defer { nesting -= 1 }
      advance()
      let inner = try parseExpression()
      guard current.kind == .rightParen else {
        throw unclosed(token, foundWhere: "expected ')'")
      }
      advance()
      return ExpressionNode(kind: inner.kind, column: token.column)

    case .end:
      throw error(
        "unexpected end of expression (expected a number, a variable, a function or '(')",
        at: token.column)

    default:
      throw error(
        "unexpected \(token.quoted) (expected a number, a variable, a function or '(')",
        at: token.column)
    }
  }

  /// The error for a missing `)` that should close `open`.
  private func unclosed(_ open: Token, foundWhere expected: String) -> ExpressionError {
    if current.kind == .end {
      return error("\(expected) (to close the '(' at column \(open.column))", at: current.column)
    }
    return error(
      "\(expected) or an operator, found \(current.quoted) (to close the '(' at column \(open.column))",
      at: current.column)
  }

  private mutating func parseCall(_ function: BuiltinFunction, at name: Token) throws(ExpressionError)
    -> ExpressionNode
  {
    guard current.kind == .leftParen else {
      throw error(
        "expected '(' after function '\(function.rawValue)', found \(current.quoted)", at: current.column)
    }
    let open = current
    try enter(open.column)
    defer { nesting -= 1 }
    advance()
    var arguments: [ExpressionNode] = []
    if current.kind != .rightParen {
      while true {
        arguments.append(try parseExpression())
        if current.kind == .comma {
          advance()
          continue
        }
        guard current.kind == .rightParen else {
          throw unclosed(open, foundWhere: "expected ',' or ')'")
        }
        break
      }
    }
    advance()
    guard arguments.count == function.arity else {
      let noun = function.arity == 1 ? "argument" : "arguments"
      throw error(
        "function '\(function.rawValue)' takes \(function.arity) \(noun), got \(arguments.count)",
        at: name.column)
    }
    return ExpressionNode(kind: .call(function, arguments), column: name.column)
  }
}

// MARK: - Variable lists

/// Largest number of variables an expression or `ScalarFunction` may take.
let maximumVariableCount = 6

/// Checks a variable list: at most 6 distinct identifiers, none a function name or `pi`.
func validateVariables(_ variables: [String], source: String) throws(ExpressionError) {
  guard variables.count <= maximumVariableCount else {
    throw ExpressionError(
      message: "at most \(maximumVariableCount) variables are supported, got \(variables.count) "
        + "(\(variables.joined(separator: ", ")))",
      source: source)
  }
  for (i, name) in variables.enumerated() {
    let scalars = Array(name.unicodeScalars)
    let valid =
      !scalars.isEmpty
      && scalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0))
      }
      && !("0"..."9").contains(scalars[0])
    guard valid else {
      throw ExpressionError(
        message: "invalid variable name '\(name)' (letters, digits and '_', not starting with a digit)",
        source: source)
    }
    guard !reservedNames.contains(name) else {
      throw ExpressionError(
        message: "variable name '\(name)' is reserved (it names a function or the constant pi)",
        source: source)
    }
    guard !variables[..<i].contains(name) else {
      throw ExpressionError(message: "variable '\(name)' is listed twice", source: source)
    }
  }
}
