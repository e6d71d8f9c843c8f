// CellSim — CellCore/Functions/CompiledExpression.swift
//
// Expression strings compiled once into a flat postfix program and evaluated many times.
// Compilation folds constant sub-expressions and turns "operand is a constant" into instructions
// with an immediate operand, and a peephole pass fuses frequent pairs, so `29.8538*(x - 0.1234)` is
// two instructions: push x − 0.1234, multiply by 29.8538. Only rewrites with bit-identical results
// are made. Evaluation keeps the top of the stack in a local and the rest in a stack buffer sized at
// compile time: no heap allocation per call.

import Foundation

/// One instruction of a compiled expression. The value stack holds `Double`s; "top" is its last one.
enum Instruction: Sendable, Hashable {
  /// Push a constant.
  case constant(Double)
  /// Push argument number n.
  case variable(Int)
  /// top = −top
  case negate
  /// Pop b, then a; push a op b.
  case add, subtract, multiply, divide, power, minimum, maximum
  /// top = top + c  (also `top − c`, as top + (−c), which is exact in IEEE arithmetic)
  case addConstant(Double)
  /// top = c − top
  case subtractFromConstant(Double)
  /// top = top · c
  case multiplyConstant(Double)
  /// top = top / c
  case divideByConstant(Double)
  /// top = c / top
  case divideConstantBy(Double)
  /// top = pow(top, c)
  case powerConstant(Double)
  /// top = top · top
  case square
  /// top = f(top)
  case exp, log, log10, sqrt, tanh, sinh, cosh, asinh, atanh, sin, cos, abs
  /// top = tables[n](top)
  case table(Int)
  /// Push argument n plus c (fused `.variable(n), .addConstant(c)`).
  case variablePlusConstant(Int, Double)
  /// Pop b, then a; push a + b · c (fused `.multiplyConstant(c), .add`; with −c for `.subtract`).
  case multiplyConstantAdd(Double)
}

/// A compiled postfix program with everything it refers to; shared by `CompiledExpression` and
/// `ScalarFunction`.
struct Program: Sendable, Hashable {
  /// The instructions, run in order; the value left on the stack is the result.
  var instructions: [Instruction]
  /// Largest number of values on the stack at any point.
  var stackSize: Int
  /// Tables the `.table` instructions interpolate in.
  var tables: [LinearTable] = []

  /// Replaces common instruction pairs by one fused instruction with bit-identical results
  /// (a − b·c is a + b·(−c) exactly in IEEE arithmetic).
  static func fused(_ instructions: [Instruction]) -> [Instruction] {
    var result: [Instruction] = []
    result.reserveCapacity(instructions.count)
    for instruction in instructions {
      switch (result.last, instruction) {
      case (.variable(let n)?, .addConstant(let c)):
        result[result.count - 1] = .variablePlusConstant(n, c)
      case (.multiplyConstant(let c)?, .add):
        result[result.count - 1] = .multiplyConstantAdd(c)
      case (.multiplyConstant(let c)?, .subtract):
        result[result.count - 1] = .multiplyConstantAdd(-c)
      default:
        result.append(instruction)
      }
    }
    return result
  }

  /// A program that pushes a constant.
  static func constant(_ value: Double) -> Program {
    Program(instructions: [.constant(value)], stackSize: 1)
  }

  /// The value of the program; `arguments` must hold every variable it loads. No heap allocation.
  func run(_ arguments: UnsafeBufferPointer<Double>) -> Double {
    instructions.withUnsafeBufferPointer { code in
      tables.withUnsafeBufferPointer { tables in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: stackSize) { stack in
          Self.interpret(code, arguments, tables, stack)
        }
      }
    }
  }

  /// The interpreter loop: `top` caches the top of the stack, `stack[0..<depth]` holds the rest.
  @inline(__always)
  private static func interpret(
    _ code: UnsafeBufferPointer<Instruction>, _ arguments: UnsafeBufferPointer<Double>,
    _ tables: UnsafeBufferPointer<LinearTable>, _ stack: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    var top = 0.0
    var depth = 0
    for instruction in code {
      switch instruction {
      case .constant(let c):
        stack[depth] = top
        depth &+= 1
        top = c
      case .variable(let n):
        stack[depth] = top
        depth &+= 1
        top = arguments[n]
      case .negate: top = -top
      case .add:
        depth &-= 1
        top = stack[depth] + top
      case .subtract:
        depth &-= 1
        top = stack[depth] - top
      case .multiply:
        depth &-= 1
        top = stack[depth] * top
      case .divide:
        depth &-= 1
        top = stack[depth] / top
      case .power:
        depth &-= 1
        top = Foundation.pow(stack[depth], top)
      case .minimum:
        depth &-= 1
        top = minimum(stack[depth], top)
      case .maximum:
        depth &-= 1
        top = maximum(stack[depth], top)
      case .addConstant(let c): top += c
      case .subtractFromConstant(let c): top = c - top
      case .multiplyConstant(let c): top *= c
      case .divideByConstant(let c): top /= c
      case .divideConstantBy(let c): top = c / top
      case .powerConstant(let c): top = Foundation.pow(top, c)
      case .square: top *= top
      // exp(0) = 1 exactly: an Arrhenius factor at its reference temperature costs no exponential.
      case .exp: top = top == 0 ? 1 : Foundation.exp(top)
      case .log: top = Foundation.log(top)
      case .log10: top = Foundation.log10(top)
      case .sqrt: top = top.squareRoot()
      case .tanh: top = fastTanh(top)
      case .sinh: top = Foundation.sinh(top)
      case .cosh: top = Foundation.cosh(top)
      case .asinh: top = Foundation.asinh(top)
      case .atanh: top = Foundation.atanh(top)
      case .sin: top = Foundation.sin(top)
      case .cos: top = Foundation.cos(top)
      case .abs: top = Swift.abs(top)
      case .table(let n): top = tables[n](top)
      case .variablePlusConstant(let n, let c):
        stack[depth] = top
        depth &+= 1
        top = arguments[n] + c
      case .multiplyConstantAdd(let c):
        depth &-= 1
        top = stack[depth] + top * c
      }
    }
    return top
  }
}

/// tanh(x) = e/(e + 2), e = expm1(2x): one expm1 (accurate near 0, so the quotient is too: a few
/// ulp everywhere) instead of libm's tanh, which costs about twice as much; ±1 beyond |x| = 20, where
/// 1 − tanh < 1e-17. OCPs are sums of such terms, evaluated at every voltage.
@inline(__always)
func fastTanh(_ x: Double) -> Double {
  if x > 20 { return 1 }
  if x < -20 { return -1 }
  let e = Foundation.expm1(2 * x)
  return e / (e + 2)
}

/// `min` that propagates NaN (unlike `Swift.min`, whose result depends on argument order).
@inline(__always)
func minimum(_ a: Double, _ b: Double) -> Double {
  a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
}

/// `max` that propagates NaN.
@inline(__always)
func maximum(_ a: Double, _ b: Double) -> Double {
  a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
}

/// An expression string compiled for fast repeated evaluation.
///
/// The grammar (full description with examples in `docs/expressions.md`):
///
/// ```text
/// expression := term (('+' | '-') term)*
/// term       := unary (('*' | '/') unary)*
/// unary      := ('+' | '-') unary | power
/// power      := primary (('^' | '**') unary)?      right-associative; -x^2 == -(x^2)
/// primary    := number | 'pi' | variable | function '(' expression (',' expression)* ')'
///             | '(' expression ')'
/// number     := digits ['.' [digits]] [exponent]  |  '.' digits [exponent]
/// exponent   := ('e' | 'E') ['+' | '-'] digits
/// function   := exp | log | ln | log10 | sqrt | tanh | sinh | cosh | asinh | atanh | sin | cos
///             | abs                                         (one argument; log and ln are natural)
///             | min | max | pow                             (two arguments)
/// ```
///
/// Variables are the names given at compilation (at most 6), in that order; their units are those
/// of the quantity they stand for (e.g. stoichiometry [-], concentration [mol/m³], temperature [K]),
/// and the result has the units of the parameter the expression defines. Angles are in radians.
///
/// ```swift
/// let ocp = try CompiledExpression("0.2482 - 0.0909*tanh(29.8538*(x - 0.1234))", variables: ["x"])
/// let u = [0.5].withUnsafeBufferPointer { ocp.evaluate($0) }
/// ```
public struct CompiledExpression: Sendable {
  /// The expression text as given.
  public let source: String
  /// Names of the variables, in the order `evaluate` expects their values.
  public let variables: [String]

  /// The postfix program.
  let program: Program
  /// The value, when the whole expression folded to a constant.
  let constantValue: Double?

  /// Parses and compiles `source`.
  /// - Parameters:
  ///   - source: The expression, e.g. `"1.9793*exp(-39.3631*x) + 0.2482"`.
  ///   - variables: Names the expression may use (at most 6, distinct, not a function name or `pi`),
  ///     in the order their values are passed to `evaluate`.
  /// - Throws: `ExpressionError` with the 1-based column of the problem (syntax error, unknown name,
  ///   wrong argument count, a constant part that is not finite such as `log(0)`, …).
  public init(_ source: String, variables: [String]) throws(ExpressionError) {
    try validateVariables(variables, source: source)
    let tree = try ExpressionParser.parse(source, variables: variables)
    let folded = try fold(tree, source: source)
    var compiler = Compiler()
    compiler.emit(folded)
    self.source = source
    self.variables = variables
    self.program = Program(
      instructions: Program.fused(compiler.program), stackSize: Swift.max(compiler.maximumDepth, 1))
    self.constantValue = folded.constant
  }

  /// Evaluates the expression.
  ///
  /// Hot path: no heap allocation, no locking.
  /// - Parameter arguments: Values of `variables`, in that order (at least `variables.count` of
  ///   them; extra ones are ignored).
  /// - Returns: The value; NaN or ±∞ where the mathematics says so (e.g. `log` of a negative number).
  public func evaluate(_ arguments: UnsafeBufferPointer<Double>) -> Double {
    precondition(
      arguments.count >= variables.count,
      "expression takes \(variables.count) arguments, got \(arguments.count)")
    if let constantValue { return constantValue }
    return program.run(arguments)
  }
}

// MARK: - Constant folding

/// The value of a binary operation, shared by folding and (in spirit) the interpreter.
private func apply(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double {
  switch op {
  case .add: a + b
  case .subtract: a - b
  case .multiply: a * b
  case .divide: a / b
  case .power: b == 2 ? a * a : Foundation.pow(a, b)
  }
}

/// The value of a built-in function, as the interpreter computes it.
private func apply(_ function: BuiltinFunction, _ x: [Double]) -> Double {
  switch function {
  case .exp: Foundation.exp(x[0])
  case .log, .ln: Foundation.log(x[0])
  case .log10: Foundation.log10(x[0])
  case .sqrt: x[0].squareRoot()
  case .tanh: fastTanh(x[0])
  case .sinh: Foundation.sinh(x[0])
  case .cosh: Foundation.cosh(x[0])
  case .asinh: Foundation.asinh(x[0])
  case .atanh: Foundation.atanh(x[0])
  case .sin: Foundation.sin(x[0])
  case .cos: Foundation.cos(x[0])
  case .abs: Swift.abs(x[0])
  case .min: minimum(x[0], x[1])
  case .max: maximum(x[0], x[1])
  case .pow: x[1] == 2 ? x[0] * x[0] : Foundation.pow(x[0], x[1])
  }
}

/// Replaces every sub-tree without variables by its value.
/// - Throws: When a folded value is NaN or infinite (`log(0)`, `1/0`, …): that is a mistake, not a
///   parameter.
private func fold(_ node: ExpressionNode, source: String) throws(ExpressionError) -> ExpressionNode {
  func folded(_ value: Double) throws(ExpressionError) -> ExpressionNode {
    guard value.isFinite else {
      throw ExpressionError(
        message: "the constant part starting here evaluates to \(describeNumber(value)) (must be finite)",
        column: node.column, source: source)
    }
    return ExpressionNode(kind: .number(value), column: node.column)
  }
  switch node.kind {
  case .number, .variable:
    return node
  case .negate(let operand):
    let operand = try fold(operand, source: source)
    if let value = operand.constant { return try folded(-value) }
    return ExpressionNode(kind: .negate(operand), column: node.column)
  case .binary(let op, let lhs, let rhs):
    let lhs = try fold(lhs, source: source)
    let rhs = try fold(rhs, source: source)
    if let a = lhs.constant, let b = rhs.constant { return try folded(apply(op, a, b)) }
    return ExpressionNode(kind: .binary(op, lhs, rhs), column: node.column)
  case .call(let function, let arguments):
    var foldedArguments: [ExpressionNode] = []
    for argument in arguments { foldedArguments.append(try fold(argument, source: source)) }
    let values = foldedArguments.compactMap(\.constant)
    if values.count == foldedArguments.count { return try folded(apply(function, values)) }
    // pow(a, b) is a ^ b: compile it the same way, with the same immediate forms.
    if function == .pow {
      return ExpressionNode(
        kind: .binary(.power, foldedArguments[0], foldedArguments[1]), column: node.column)
    }
    return ExpressionNode(kind: .call(function, foldedArguments), column: node.column)
  }
}

// MARK: - Code generation

/// Flattens a folded tree into postfix instructions, tracking the stack depth.
private struct Compiler {
  var program: [Instruction] = []
  var depth = 0
  var maximumDepth = 0

  mutating func push(_ instruction: Instruction) {
    program.append(instruction)
    depth += 1
    maximumDepth = max(maximumDepth, depth)
  }

  /// Appends an instruction that pops two values and pushes one.
  mutating func reduce(_ instruction: Instruction) {
    program.append(instruction)
    depth -= 1
  }

  mutating func emit(_ node: ExpressionNode) {
    switch node.kind {
    case .number(let value):
      push(.constant(value))
    case .variable(let slot):
      push(.variable(slot))
    case .negate(let operand):
      emit(operand)
      program.append(.negate)
    case .binary(let op, let lhs, let rhs):
      emitBinary(op, lhs, rhs)
    case .call(let function, let arguments):
      for argument in arguments { emit(argument) }
      switch function {
      case .exp: program.append(.exp)
      case .log, .ln: program.append(.log)
      case .log10: program.append(.log10)
      case .sqrt: program.append(.sqrt)
      case .tanh: program.append(.tanh)
      case .sinh: program.append(.sinh)
      case .cosh: program.append(.cosh)
      case .asinh: program.append(.asinh)
      case .atanh: program.append(.atanh)
      case .sin: program.append(.sin)
      case .cos: program.append(.cos)
      case .abs: program.append(.abs)
      case .min: reduce(.minimum)
      case .max: reduce(.maximum)
      case .pow: reduce(.power)  // not reached: folding rewrites pow as ^
      }
    }
  }

  /// Binary operations, using the immediate forms when one side is a constant. Only rewrites that
  /// give bit-identical results are made (commuting + and ·, a − c as a + (−c)).
  mutating func emitBinary(_ op: BinaryOperator, _ lhs: ExpressionNode, _ rhs: ExpressionNode) {
    if let c = rhs.constant {
      emit(lhs)
      switch op {
      case .add: program.append(.addConstant(c))
      case .subtract: program.append(.addConstant(-c))
      case .multiply: program.append(.multiplyConstant(c))
      case .divide: program.append(.divideByConstant(c))
      // x^0.5 is √x (same correctly rounded value for every finite x ≥ 0 and +∞; both NaN below 0),
      // at a fraction of pow's cost.
      case .power: program.append(c == 2 ? .square : c == 0.5 ? .sqrt : .powerConstant(c))
      }
      return
    }
    if let c = lhs.constant, op != .power {
      emit(rhs)
      switch op {
      case .add: program.append(.addConstant(c))
      case .subtract: program.append(.subtractFromConstant(c))
      case .multiply: program.append(.multiplyConstant(c))
      case .divide: program.append(.divideConstantBy(c))
      case .power: break
      }
      return
    }
    emit(lhs)
    emit(rhs)
    switch op {
    case .add: reduce(.add)
    case .subtract: reduce(.subtract)
    case .multiply: reduce(.multiply)
    case .divide: reduce(.divide)
    case .power: reduce(.power)
    }
  }
}
