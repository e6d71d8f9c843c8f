// CellSim — CellCoreTests/ExpressionTests.swift
//
// The expression grammar: precedence, functions, literals, the Chen2020 open-circuit potentials and
// the errors (with their columns). Expected values are written out by hand or with Foundation.

import Foundation
import Testing

import CellCore

/// Compiles `source` and evaluates it at `arguments` (values of `variables`).
private func evaluate(_ source: String, _ variables: [String] = [], _ arguments: [Double] = [])
  throws(ExpressionError) -> Double
{
  let expression = try CompiledExpression(source, variables: variables)
  return arguments.withUnsafeBufferPointer { expression.evaluate($0) }
}

/// The error compiling `source` gives, or `nil` when it compiles.
private func compileError(_ source: String, _ variables: [String] = ["x", "T"]) -> ExpressionError? {
  do {
    _ = try CompiledExpression(source, variables: variables)
    return nil
  } catch {
    return error
  }
}

@Suite("Expression grammar")
struct ExpressionGrammarTests {
  @Test("precedence and associativity", arguments: [
    ("2^3^2", 512.0),
    ("(2^3)^2", 64),
    ("2**3**2", 512),
    ("2**3^2", 512),
    ("-2^2", -4),
    ("-2**2", -4),
    ("(-2)^2", 4),
    ("2^-1", 0.5),
    ("2^3*2", 16),
    ("2*3^2", 18),
    ("2*3+4", 10),
    ("2+3*4", 14),
    ("(1+2)*3", 9),
    ("10-4-3", 3),
    ("8/4/2", 1),
    ("8/(4/2)", 4),
    ("-3+5", 2),
    ("--2", 2),
    ("+2", 2),
    ("2*-3", -6),
    ("1 - -1", 2),
    ("  ( ( 7 ) )  ", 7),
  ])
  func precedence(source: String, expected: Double) throws {
    #expect(try evaluate(source) == expected)
  }

  @Test("the same rules hold with variables (no constant folding)")
  func precedenceWithVariables() throws {
    let v = ["x", "y"]
    #expect(try evaluate("x^y^x", v, [2, 3]) == 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2)  // 2^(3^2)
    #expect(try evaluate("-x**2", v, [3, 0]) == -9)
    #expect(try evaluate("-x^y", v, [2, 2]) == -4)
    #expect(try evaluate("(-x)^2", v, [3, 0]) == 9)
    #expect(try evaluate("x*y+4", v, [2, 3]) == 10)
    #expect(try evaluate("x+y*4", v, [2, 3]) == 14)
    #expect(try evaluate("(x+y)*3", v, [1, 2]) == 9)
    #expect(try evaluate("x-y-3", v, [10, 4]) == 3)
    #expect(try evaluate("x/y/2", v, [8, 4]) == 1)
    #expect(try evaluate("2/x", v, [8, 0]) == 0.25)
    #expect(try evaluate("10-x", v, [4, 0]) == 6)
    #expect(try evaluate("x/4", v, [2, 0]) == 0.5)
    #expect(try evaluate("2^x", v, [10, 0]) == 1024)
    #expect(try evaluate("x^3", v, [2, 0]) == 8)
    #expect(try evaluate("x^y", v, [9, 0.5]) == 3)
  }

  @Test("functions of one argument", arguments: [
    ("exp", Foundation.exp(0.3)),
    ("log", Foundation.log(0.3)),
    ("ln", Foundation.log(0.3)),
    ("log10", Foundation.log10(0.3)),
    ("sqrt", Foundation.sqrt(0.3)),
    ("tanh", Foundation.tanh(0.3)),
    ("sinh", Foundation.sinh(0.3)),
    ("cosh", Foundation.cosh(0.3)),
    ("asinh", Foundation.asinh(0.3)),
    ("atanh", Foundation.atanh(0.3)),
    ("sin", Foundation.sin(0.3)),
    ("cos", Foundation.cos(0.3)),
    ("abs", 0.3),
  ])
  func unaryFunctions(name: String, expected: Double) throws {
    // libm's value exactly, except tanh, computed as expm1(2x)/(expm1(2x) + 2): within 2 ulp.
    let tolerance = name == "tanh" ? 2 * expected.ulp : 0
    #expect(abs(try evaluate("\(name)(x)", ["x"], [0.3]) - expected) <= tolerance)  // evaluated at run time
    #expect(abs(try evaluate("\(name)(0.3)") - expected) <= tolerance)  // folded at compile time
    #expect(abs(try evaluate("2*\(name)(x/2)", ["x"], [0.6]) - 2 * expected) <= 2 * tolerance)  // nested in arithmetic
  }

  @Test("tanh stays within 2 ulp of libm's across its range, exactly ±1 far out, and keeps NaN and −0")
  func tanhAccuracy() throws {
    let f = try FunctionSpec.expression("tanh(x)").compile(variables: ["x"])
    var x = -25.0
    while x <= 25 {
      let exact = Foundation.tanh(x)
      #expect(abs(f(x) - exact) <= 2 * exact.ulp, "x = \(x)")
      x += 0.0137
    }
    for tiny in [1e-300, 1e-12, 3e-8] {
      #expect(abs(f(tiny) - Foundation.tanh(tiny)) <= 2 * Foundation.tanh(tiny).ulp)
    }
    #expect(f(40) == 1 && f(-40) == -1)
    #expect(f(.nan).isNaN)
    #expect(f(-0.0).sign == .minus)
  }

  @Test("abs of a negative argument")
  func absolute() throws {
    #expect(try evaluate("abs(x)", ["x"], [-2.5]) == 2.5)
    #expect(try evaluate("abs(-2.5)") == 2.5)
  }

  @Test("min, max and pow")
  func twoArgumentFunctions() throws {
    #expect(try evaluate("min(x, 2)", ["x"], [3]) == 2)
    #expect(try evaluate("min(x, 2)", ["x"], [1]) == 1)
    #expect(try evaluate("max(x, 2)", ["x"], [3]) == 3)
    #expect(try evaluate("max(x, 2)", ["x"], [1]) == 2)
    #expect(try evaluate("max(-1, min(x, 1))", ["x"], [5]) == 1)
    #expect(try evaluate("min(1, 2)") == 1)
    #expect(try evaluate("max(1, 2)") == 2)
    #expect(try evaluate("pow(x, 2)", ["x"], [3]) == 9)
    #expect(try evaluate("pow(2, x)", ["x"], [3]) == 8)
    #expect(try evaluate("pow(x, 0.5)", ["x"], [3]) == Foundation.pow(3, 0.5))
    #expect(try evaluate("pow(x, y)", ["x", "y"], [2, 10]) == 1024)
    #expect(try evaluate("pow(2, 3)") == 8)
    #expect(try evaluate("-pow(2, 2)") == -4)
  }

  @Test("min and max propagate NaN")
  func nanPropagation() throws {
    #expect(try evaluate("min(x, 1)", ["x"], [.nan]).isNaN)
    #expect(try evaluate("max(1, x)", ["x"], [.nan]).isNaN)
  }

  @Test("pi")
  func pi() throws {
    #expect(try evaluate("pi") == 3.141592653589793)
    #expect(try evaluate("2*pi*x", ["x"], [0.5]) == 3.141592653589793)
    #expect(try evaluate("sin(pi/2)") == 1)
  }

  @Test("number literals", arguments: [
    ("1e-3", 0.001),
    ("1E3", 1000),
    ("2.5e+2", 250),
    ("2.5E-2", 0.025),
    (".5", 0.5),
    ("2.", 2),
    ("0.125", 0.125),
    ("007", 7),
    (".5e1", 5),
    ("3e0", 3),
  ])
  func literals(source: String, expected: Double) throws {
    #expect(try evaluate(source) == expected)
    #expect(try evaluate("x*\(source)", ["x"], [1]) == expected)
  }

  @Test("arguments are taken in the order of the variable list")
  func argumentOrder() throws {
    let variables = ["a", "b", "c", "d", "e_1", "T"]
    let arguments: [Double] = [1, 2, 3, 4, 5, 6]
    #expect(try evaluate("a + 10*b + 100*c + 1000*d + 10000*e_1 + 100000*T", variables, arguments)
      == 654_321)
    #expect(try evaluate("T - a", variables, arguments) == 5)
  }

  @Test("source and variables are kept")
  func properties() throws {
    let expression = try CompiledExpression("x + T", variables: ["x", "T"])
    #expect(expression.source == "x + T")
    #expect(expression.variables == ["x", "T"])
  }

  @Test("a deep expression needs a deep stack")
  func deepStack() throws {
    // Right-nested sums of variables keep every partial value on the stack.
    let source = "x + (x + (x + (x + (x + (x + (x + (x + (x + (x + x)))))))))"
    #expect(try evaluate(source, ["x"], [1.5]) == 16.5)
    let products = "x*T + (x*T - (x*T / (x*T + x*T)))"
    #expect(try evaluate(products, ["x", "T"], [2, 3]) == 6 + (6 - 6.0 / 12))
  }
}

@Suite("Chen2020 open-circuit potentials")
struct Chen2020Tests {
  static let graphite =
    "1.9793*exp(-39.3631*x) + 0.2482 - 0.0909*tanh(29.8538*(x - 0.1234)) "
    + "- 0.04478*tanh(14.9159*(x - 0.2769)) - 0.0205*tanh(30.4444*(x - 0.6103))"
  static let nmc811 =
    "-0.8090*x + 4.4875 - 0.0428*tanh(18.5138*(x - 0.5542)) "
    + "- 17.7326*tanh(15.7890*(x - 0.3117)) + 17.5842*tanh(15.9308*(x - 0.3120))"

  /// The graphite OCP written out with Foundation.
  static func graphiteReference(_ x: Double) -> Double {
    1.9793 * Foundation.exp(-39.3631 * x) + 0.2482 - 0.0909 * Foundation.tanh(29.8538 * (x - 0.1234))
      - 0.04478 * Foundation.tanh(14.9159 * (x - 0.2769)) - 0.0205 * Foundation.tanh(30.4444 * (x - 0.6103))
  }

  /// The NMC811 OCP written out with Foundation.
  static func nmc811Reference(_ x: Double) -> Double {
    -0.8090 * x + 4.4875 - 0.0428 * Foundation.tanh(18.5138 * (x - 0.5542))
      - 17.7326 * Foundation.tanh(15.7890 * (x - 0.3117)) + 17.5842 * Foundation.tanh(15.9308 * (x - 0.3120))
  }

  @Test("graphite (negative electrode)", arguments: [(0.1, 0.406516), (0.5, 0.133086), (0.9, 0.092020)])
  func graphite(x: Double, expected: Double) throws {
    let value = try evaluate(Self.graphite, ["x"], [x])
    #expect(abs(value - expected) <= 1e-6)
    #expect(abs(value - Self.graphiteReference(x)) <= 1e-14)
  }

  @Test("NMC811 (positive electrode)", arguments: [(0.1, 4.594483), (0.5, 3.971959), (0.9, 3.568200)])
  func nmc811(x: Double, expected: Double) throws {
    let value = try evaluate(Self.nmc811, ["x"], [x])
    #expect(abs(value - expected) <= 1e-6)
    #expect(abs(value - Self.nmc811Reference(x)) <= 1e-13)
  }

  @Test("the graphite OCP matches Foundation over the whole range")
  func graphiteSweep() throws {
    let expression = try CompiledExpression(Self.graphite, variables: ["x"])
    for i in 0...200 {
      let x = Double(i) / 200
      let value = [x].withUnsafeBufferPointer { expression.evaluate($0) }
      #expect(abs(value - Self.graphiteReference(x)) <= 1e-14, "x = \(x)")
    }
  }
}

@Suite("Expression errors")
struct ExpressionErrorTests {
  @Test("unknown variable: column, accepted list and one-line description")
  func unknownVariable() throws {
    let error = try #require(compileError("1 + y"))
    #expect(error.column == 5)
    #expect(error.source == "1 + y")
    #expect(error.message == "unknown variable 'y' (accepted variables: x, T)")
    #expect(error.description == "column 5: unknown variable 'y' in \"1 + y\" (accepted variables: x, T)")
  }

  @Test("unknown variable when there are none")
  func unknownVariableWithoutVariables() throws {
    let error = try #require(compileError("2*x", []))
    #expect(error.column == 3)
    #expect(error.message.contains("no variables"))
  }

  @Test("unknown function lists the accepted ones")
  func unknownFunction() throws {
    let error = try #require(compileError("0.1*tanhh(x)"))
    #expect(error.column == 5)
    #expect(error.message.hasPrefix("unknown function 'tanhh' (accepted: exp, log, "))
    #expect(error.message.contains("min, max, pow"))
  }

  @Test("errors and their columns", arguments: [
    ("2*(x + 1", 9, "expected ')'"),
    ("((x)", 5, "expected ')'"),
    ("(x + 1 T)", 8, "expected ')' or an operator, found 'T'"),
    ("(x + 1))", 8, "unbalanced ')'"),
    (")", 1, "unexpected ')'"),
    ("x + 1 2", 7, "unexpected '2'"),
    ("x T", 3, "unexpected 'T'"),
    ("", 1, "empty expression"),
    ("   ", 4, "empty expression"),
    ("1 +", 4, "unexpected end of expression"),
    ("2^", 3, "unexpected end of expression"),
    ("-", 2, "unexpected end of expression"),
    ("* 2", 1, "unexpected '*'"),
    ("1 + * 2", 5, "unexpected '*'"),
    ("min(x)", 1, "function 'min' takes 2 arguments, got 1"),
    ("3 * max(1, 2, x)", 5, "function 'max' takes 2 arguments, got 3"),
    ("exp(x, 1)", 1, "function 'exp' takes 1 argument, got 2"),
    ("sqrt()", 1, "function 'sqrt' takes 1 argument, got 0"),
    ("pow(2)", 1, "function 'pow' takes 2 arguments, got 1"),
    ("min(1,)", 7, "unexpected ')'"),
    ("min(1 2)", 7, "expected ',' or ')'"),
    ("exp(x", 6, "expected ',' or ')'"),
    ("exp + 1", 5, "expected '(' after function 'exp'"),
    ("x(2)", 2, "unexpected '(' after variable 'x'"),
    ("1 $ 2", 3, "unexpected character '$'"),
    ("1e", 3, "malformed number '1e'"),
    ("1e+x", 4, "malformed number '1e+'"),
    ("1e999", 1, "out of range"),
    ("x + log(0)", 5, "evaluates to -inf"),
    ("x + 1/0", 5, "evaluates to inf"),
    ("sqrt(-1) * x", 1, "evaluates to nan"),
  ])
  func columns(source: String, column: Int, message: String) throws {
    let error = try #require(compileError(source))
    #expect(error.column == column, "\(error)")
    #expect(error.message.contains(message), "\(error)")
    #expect(error.source == source)
    #expect(error.description.hasPrefix("column \(column): "))
  }

  @Test("an unclosed parenthesis names where it was opened")
  func unclosedParenthesis() throws {
    let error = try #require(compileError("1 + (x * (T - 1)"))
    #expect(error.column == 17)
    #expect(error.message == "expected ')' (to close the '(' at column 5)")
    #expect(
      error.description
        == "column 17: expected ')' in \"1 + (x * (T - 1)\" (to close the '(' at column 5)")
  }

  @Test("absurdly deep nesting is an error, not a crash")
  func nesting() throws {
    let deep = String(repeating: "(", count: 1000) + "x" + String(repeating: ")", count: 1000)
    let error = try #require(compileError(deep))
    #expect(error.message.contains("nested too deeply"))
    let minus = String(repeating: "-", count: 1000) + "x"
    #expect(compileError(minus)?.message.contains("nested too deeply") == true)
    // Moderate nesting is fine.
    let fine = String(repeating: "(", count: 100) + "x" + String(repeating: ")", count: 100)
    #expect(try evaluate(fine, ["x"], [4]) == 4)
  }

  @Test("invalid variable lists", arguments: [
    (["a", "b", "c", "d", "e", "f", "g"], "at most 6 variables"),
    (["x", "x"], "listed twice"),
    (["exp"], "reserved"),
    (["pi"], "reserved"),
    (["1x"], "invalid variable name"),
    ([""], "invalid variable name"),
    (["c e"], "invalid variable name"),
  ])
  func variableLists(variables: [String], message: String) throws {
    let error = try #require(compileError("1", variables))
    #expect(error.column == 0)
    #expect(error.message.contains(message), "\(error)")
  }

  @Test("description without a column")
  func descriptionWithoutColumn() {
    let error = ExpressionError(message: "a table needs at least 2 points, got 1")
    #expect(error.description == "a table needs at least 2 points, got 1")
  }
}
