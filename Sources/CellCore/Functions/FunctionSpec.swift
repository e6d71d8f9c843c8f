// CellSim — CellCore/Functions/FunctionSpec.swift
//
// How a parameter file describes a function (a number, an expression, a table, an Arrhenius factor
// on any of these), before it is compiled into a `ScalarFunction`.

/// Physical constants (CODATA 2018 exact values).
public enum PhysicalConstants {
  /// Faraday constant F [C/mol].
  public static let faraday = 96485.33212331001
  /// Molar gas constant R [J/(mol K)].
  public static let gas = 8.31446261815324
}

/// A parameter given as a function of some variables (stoichiometry, concentration, temperature…),
/// as a parameter file states it.
///
/// `compile(variables:)` checks it and turns it into a `ScalarFunction`. Expressions use the grammar
/// of `CompiledExpression` (see `docs/expressions.md`):
///
/// ```text
/// 1.9793*exp(-39.3631*x) + 0.2482 - 0.0909*tanh(29.8538*(x - 0.1234))
/// 1e-14 * (1 + 0.5*(x - 0.5)^2)
/// ```
///
/// Units: the value has the units of the parameter; variables carry the units of the quantities
/// they stand for, temperature `T` always in kelvin.
public indirect enum FunctionSpec: Sendable, Equatable {
  /// A constant value, independent of every variable.
  case constant(Double)
  /// An expression string in the variables given to `compile(variables:)`.
  case expression(String)
  /// A data table, linearly interpolated in the *first* variable and clamped outside its range
  /// (see `LinearTable`).
  case table(x: [Double], y: [Double])
  /// An Arrhenius temperature dependence on another function:
  /// `f · exp(Ea/R · (1/Tref − 1/T))`, with `Ea` in J/mol, `Tref` and `T` in K and R the gas constant.
  /// Needs a variable named `"T"`. At `T == Tref` it equals `f`.
  case arrhenius(FunctionSpec, activationEnergy: Double, referenceTemperature: Double)

  /// Checks the specification and compiles it for fast evaluation.
  /// - Parameter variables: Names of the function's arguments, in the order `ScalarFunction` takes
  ///   them (at most 6, distinct identifiers, not a function name or `pi`), e.g. `["x", "T"]`.
  /// - Throws: `ExpressionError` for a syntax error or unknown name in an expression (with its
  ///   column), an invalid table, a non-finite constant, a table without variables, an Arrhenius
  ///   factor without a `"T"` variable or with a non-finite `Ea` or a non-positive `Tref`.
  public func compile(variables: [String]) throws(ExpressionError) -> ScalarFunction {
    let source: String
    if case .expression(let text) = self { source = text } else { source = "" }
    try validateVariables(variables, source: source)
    switch try compiled(variables: variables) {
    case .constant(let value):
      return ScalarFunction(variables: variables, constantValue: value, program: .constant(value))
    case .program(let program):
      return ScalarFunction(variables: variables, constantValue: nil, program: program)
    }
  }

  /// A specification compiled: a constant, or a program to run.
  private enum Compiled {
    case constant(Double)
    case program(Program)
  }

  /// The compiled form of this specification. Everything, Arrhenius factors and tables included,
  /// becomes one flat program, so a call is one interpreter run.
  private func compiled(variables: [String]) throws(ExpressionError) -> Compiled {
    switch self {
    case .constant(let value):
      guard value.isFinite else {
        throw ExpressionError(message: "constant value is \(describeNumber(value)) (must be finite)")
      }
      return .constant(value)

    case .expression(let source):
      let expression = try CompiledExpression(source, variables: variables)
      if let value = expression.constantValue { return .constant(value) }
      return .program(expression.program)

    case .table(let x, let y):
      guard !variables.isEmpty else {
        throw ExpressionError(
          message: "a table is a function of the first variable, but the function takes no variables")
      }
      let table = try LinearTable(x: x, y: y)
      return .program(Program(instructions: [.variable(0), .table(0)], stackSize: 1, tables: [table]))

    case .arrhenius(let base, let activationEnergy, let referenceTemperature):
      guard let slot = variables.firstIndex(of: "T") else {
        let listed = variables.isEmpty ? "none" : variables.joined(separator: ", ")
        throw ExpressionError(
          message: "an Arrhenius factor needs a temperature variable named 'T' (variables: \(listed))")
      }
      guard activationEnergy.isFinite else {
        throw ExpressionError(
          message:
            "Arrhenius activation energy is \(describeNumber(activationEnergy)) J/mol (must be finite)")
      }
      guard referenceTemperature.isFinite, referenceTemperature > 0 else {
        throw ExpressionError(
          message: "Arrhenius reference temperature is \(describeNumber(referenceTemperature)) K "
            + "(must be positive)")
      }
      // exp(Ea/R · (1/Tref − 1/T)), then times the base.
      let factor: [Instruction] = [
        .variable(slot), .divideConstantBy(1), .subtractFromConstant(1 / referenceTemperature),
        .multiplyConstant(activationEnergy / PhysicalConstants.gas), .exp,
      ]
      switch try base.compiled(variables: variables) {
      case .constant(let value):
        return .program(Program(instructions: factor + [.multiplyConstant(value)], stackSize: 1))
      case .program(var program):
        program.instructions += factor + [.multiply]
        program.stackSize = max(program.stackSize, 2)
        return .program(program)
      }
    }
  }
}
