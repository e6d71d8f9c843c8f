// CellSim — CellCore/Functions/ScalarFunction.swift
//
// A compiled `FunctionSpec`: what models call in their right-hand sides.

/// A real function of up to 6 variables, compiled from a `FunctionSpec`; cheap to call and
/// allocation-free.
///
/// Whatever the specification (expression, table, Arrhenius factor on either), the function is one
/// flat bytecode program, so a call costs one interpreter run.
///
/// ```swift
/// let d = try FunctionSpec.arrhenius(
///   .expression("3.3e-14 * (1 + x)"), activationEnergy: 30_000, referenceTemperature: 298.15
/// ).compile(variables: ["x", "T"])
/// let value = d(0.5, 318.15)   // m²/s
/// ```
///
/// The value has the units of the parameter the specification defines; arguments have the units of
/// the quantities named by `variables` (temperature in K).
public struct ScalarFunction: Sendable {
  /// Names of the arguments, in the order the function takes them.
  public let variables: [String]
  /// The value when the function is a plain constant (a `.constant` spec, or an expression without
  /// variables such as `"2*pi"`), so models can skip work; `nil` otherwise.
  public let constantValue: Double?
  /// The compiled program (for a constant, one that pushes it).
  let program: Program
  /// Values in the first argument from a table (see `tabulated(over:)`), where it has them
  /// (`.empty` for none).
  let table: ChebyshevTable

  init(variables: [String], constantValue: Double?, program: Program, table: ChebyshevTable = .empty) {
    self.variables = variables
    self.constantValue = constantValue
    self.program = program
    self.table = table
  }

  /// This function, its values for a first argument in `range` taken from a `ChebyshevTable`
  /// (degree-7 pieces that match it within 1e-11 of its magnitude, checked piece by piece; where a
  /// piece fails the check, the program runs as before) — if it depends on its first argument
  /// only, like an open-circuit potential U(x) without temperature dependence. Otherwise, or for a
  /// constant, the function itself. Tables are built once per process and expression.
  public func tabulated(over range: ClosedRange<Double>, intervalCount: Int = 128) -> ScalarFunction {
    guard constantValue == nil, table.tabulatedCount == 0, !variables.isEmpty, depends(on: variables[0]),
      !variables.dropFirst().contains(where: depends(on:))
    else { return self }
    let table = ChebyshevTable.cached(
      program, offset: [], direction: [1], lower: range.lowerBound, upper: range.upperBound,
      intervalCount: intervalCount)
    guard table.tabulatedCount > 0 else { return self }
    return ScalarFunction(variables: variables, constantValue: nil, program: program, table: table)
  }

  /// A table of g(s) = f(offset + s·direction) for s in `range`: this function along a line in the
  /// space of its arguments, e.g. an exchange-current density j0(x, c_s, c_e, T, c_max) at fixed c_e and
  /// T along c_s = x·c_max (offset (0, 0, c_e, T, c_max), direction (1, c_max, 0, 0, 0)). Pieces match
  /// g within 1e-11 of its magnitude, where they fail `value(at:)` is `nil` (see `ChebyshevTable`).
  /// Built once per process and line; `nil` for a constant or when no piece passes.
  public func table(
    along offset: [Double], _ direction: [Double], over range: ClosedRange<Double>, intervalCount: Int = 128
  ) -> ChebyshevTable? {
    guard constantValue == nil, offset.count <= 6, direction.count <= 6 else { return nil }
    let table = ChebyshevTable.cached(
      program, offset: offset, direction: direction, lower: range.lowerBound, upper: range.upperBound,
      intervalCount: intervalCount)
    return table.tabulatedCount > 0 ? table : nil
  }

  /// The value at the given arguments, in the order of `variables`; unused trailing ones may be
  /// omitted (they default to 0). No heap allocation.
  public func callAsFunction(
    _ a0: Double, _ a1: Double = 0, _ a2: Double = 0, _ a3: Double = 0, _ a4: Double = 0,
    _ a5: Double = 0
  ) -> Double {
    if let constantValue { return constantValue }
    if let value = table.value(at: a0) { return value }
    let arguments = (a0, a1, a2, a3, a4, a5)
    return withUnsafeBytes(of: arguments) { raw in
      program.run(raw.bindMemory(to: Double.self))
    }
  }

  /// Whether the value can change with the argument named `name` (`false` for a constant, or when
  /// the compiled program never reads that argument).
  public func depends(on name: String) -> Bool {
    guard constantValue == nil, let slot = variables.firstIndex(of: name) else { return false }
    return program.instructions.contains { instruction in
      switch instruction {
      case .variable(let k), .variablePlusConstant(let k, _): return k == slot
      default: return false
      }
    }
  }

  /// The value at `arguments` (values of `variables`, in that order; at least `variables.count` of
  /// them, extra ones are ignored). No heap allocation.
  public func evaluate(_ arguments: UnsafeBufferPointer<Double>) -> Double {
    precondition(
      arguments.count >= variables.count,
      "function takes \(variables.count) arguments, got \(arguments.count)")
    if let constantValue { return constantValue }
    if let value = table.value(at: arguments[0]) { return value }
    return program.run(arguments)
  }
}
