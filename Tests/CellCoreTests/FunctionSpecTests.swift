// CellSim — CellCoreTests/FunctionSpecTests.swift
//
// Tables, function specifications and their compiled form. Expected values are written out by hand
// or with Foundation.

import Foundation
import Testing

import CellCore

/// The error `body` throws, or `nil` when it does not throw.
private func thrownError<T>(_ body: () throws(ExpressionError) -> T) -> ExpressionError? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}

/// The error compiling `spec` for `variables` gives, or `nil` when it compiles.
private func compileError(_ spec: FunctionSpec, _ variables: [String]) -> ExpressionError? {
  thrownError { () throws(ExpressionError) in try spec.compile(variables: variables) }
}

@Suite("LinearTable")
struct LinearTableTests {
  @Test("values at the nodes")
  func nodes() throws {
    let table = try LinearTable(x: [0, 0.5, 1, 3], y: [1, 0.2, 0.1, -2])
    #expect(table(0) == 1)
    #expect(table(0.5) == 0.2)
    #expect(table(1) == 0.1)
    #expect(table(3) == -2)
  }

  @Test("linear between nodes")
  func midpoints() throws {
    let table = try LinearTable(x: [0, 0.5, 1, 3], y: [1, 0.2, 0.1, -2])
    #expect(abs(table(0.25) - 0.6) <= 1e-15)
    #expect(abs(table(0.75) - 0.15) <= 1e-15)
    #expect(abs(table(2) - (-0.95)) <= 1e-15)
    #expect(abs(table(0.1) - (1 + 0.2 * (0.2 - 1))) <= 1e-15)  // a fifth of the way
  }

  @Test("clamped to the end values outside the table")
  func clamping() throws {
    let table = try LinearTable(x: [1, 2], y: [10, 20])
    #expect(table(0.5) == 10)
    #expect(table(-1e300) == 10)
    #expect(table(2.5) == 20)
    #expect(table(.infinity) == 20)
    #expect(table(-.infinity) == 10)
    #expect(table(.nan).isNaN)
  }

  @Test("a long table agrees with a linear scan")
  func longTable() throws {
    let x = (0...100).map { Double($0) * Double($0) / 100 }  // uneven spacing, 0…100
    let y = x.map { Foundation.sin($0 / 10) }
    let table = try LinearTable(x: x, y: y)
    for k in 0...997 {
      let t = Double(k) * 0.1003
      var i = 0
      while x[i + 1] < t { i += 1 }
      let expected = y[i] + (t - x[i]) / (x[i + 1] - x[i]) * (y[i + 1] - y[i])
      #expect(abs(table(t) - expected) <= 1e-12, "t = \(t)")
    }
  }

  @Test("invalid tables are rejected", arguments: [
    ([0.0, 1, 1, 2], [0.0, 1, 2, 3], "strictly increasing"),
    ([0.0, 2, 1], [0.0, 1, 2], "strictly increasing"),
    ([0.0, 1], [0.0, 1, 2], "different lengths"),
    ([0.0, .nan, 2], [0.0, 1, 2], "x[1] is nan"),
    ([0.0, 1, 2], [0.0, .infinity, 2], "y[1] is inf"),
    ([1.0], [1.0], "at least 2 points"),
    ([], [], "at least 2 points"),
  ])
  func invalid(x: [Double], y: [Double], message: String) throws {
    let error = try #require(thrownError { () throws(ExpressionError) in try LinearTable(x: x, y: y) })
    #expect(error.message.contains(message), "\(error)")
    #expect(error.column == 0)
  }

  @Test("keeps its points and compares by them")
  func equality() throws {
    let a = try LinearTable(x: [0, 1], y: [2, 3])
    #expect(a.x == [0, 1])
    #expect(a.y == [2, 3])
    #expect(a == (try LinearTable(x: [0, 1], y: [2, 3])))
    #expect(a != (try LinearTable(x: [0, 1], y: [2, 4])))
  }
}

@Suite("FunctionSpec")
struct FunctionSpecTests {
  static let activationEnergy = 30_000.0  // J/mol
  static let referenceTemperature = 298.15  // K

  @Test("constant")
  func constant() throws {
    let f = try FunctionSpec.constant(2.5).compile(variables: ["x", "T"])
    #expect(f.constantValue == 2.5)
    #expect(f(0.3, 300) == 2.5)
    #expect(f(0.9) == 2.5)
    #expect(f.variables == ["x", "T"])
  }

  @Test("a constant needs no variables")
  func constantWithoutVariables() throws {
    let f = try FunctionSpec.constant(-1).compile(variables: [])
    #expect(f(0) == -1)
  }

  @Test("expression")
  func expression() throws {
    let f = try FunctionSpec.expression("x*T + 1").compile(variables: ["x", "T"])
    #expect(f.constantValue == nil)
    #expect(f(2, 3) == 7)
    #expect(f(0.5, 300) == 151)
    let values: [Double] = [2, 3]
    #expect(values.withUnsafeBufferPointer { f.evaluate($0) } == 7)
  }

  @Test("an expression without variables is a constant")
  func constantExpression() throws {
    let f = try FunctionSpec.expression("2*pi").compile(variables: ["x"])
    #expect(f.constantValue == 2 * 3.141592653589793)
    #expect(f(0.7) == 2 * 3.141592653589793)
  }

  @Test("six arguments in order")
  func sixArguments() throws {
    let f = try FunctionSpec.expression("a - b + 2*c - 3*d + 4*e - 5*g")
      .compile(variables: ["a", "b", "c", "d", "e", "g"])
    #expect(f(1, 2, 3, 4, 5, 6) == 1 - 2 + 6 - 12 + 20 - 30)
    #expect(f(1, 2) == -1)  // trailing arguments default to 0
  }

  @Test("table of the first variable")
  func table() throws {
    let f = try FunctionSpec.table(x: [0, 1, 2], y: [0, 10, 40]).compile(variables: ["sto", "T"])
    #expect(f.constantValue == nil)
    #expect(f(0.5, 1000) == 5)
    #expect(f(1.5, -3) == 25)
    #expect(f(5) == 40)
  }

  @Test("Arrhenius factor: equal to the base at the reference temperature")
  func arrheniusAtReference() throws {
    let f = try FunctionSpec.arrhenius(
      .expression("1e-14*(1 + x)"), activationEnergy: Self.activationEnergy,
      referenceTemperature: Self.referenceTemperature
    ).compile(variables: ["x", "T"])
    #expect(f.constantValue == nil)
    #expect(abs(f(0.5, 298.15) - 1.5e-14) <= 1e-14 * 1e-14)
  }

  @Test("Arrhenius factor at 318.15 K")
  func arrheniusAway() throws {
    let f = try FunctionSpec.arrhenius(
      .expression("1e-14*(1 + x)"), activationEnergy: Self.activationEnergy,
      referenceTemperature: Self.referenceTemperature
    ).compile(variables: ["x", "T"])
    let expected = 1.5e-14 * Foundation.exp(30_000 / 8.31446261815324 * (1 / 298.15 - 1 / 318.15))
    #expect(abs(f(0.5, 318.15) / expected - 1) <= 1e-13)
    #expect(f(0.5, 318.15) > 1.5e-14 * 2)  // ≈ 2.14× for 30 kJ/mol over 20 K
  }

  @Test("Arrhenius factor on a constant, with T first")
  func arrheniusOnConstant() throws {
    let f = try FunctionSpec.arrhenius(.constant(2), activationEnergy: 17_100, referenceTemperature: 298.15)
      .compile(variables: ["T", "c"])
    #expect(f.constantValue == nil)
    #expect(f(298.15, 1000) == 2)
    let expected = 2 * Foundation.exp(17_100 / 8.31446261815324 * (1 / 298.15 - 1 / 273.15))
    #expect(abs(f(273.15, 1000) / expected - 1) <= 1e-13)
  }

  @Test("Arrhenius factor on a table")
  func arrheniusOnTable() throws {
    let f = try FunctionSpec.arrhenius(
      .table(x: [0, 1], y: [1, 3]), activationEnergy: 50_000, referenceTemperature: 300
    ).compile(variables: ["x", "T"])
    let expected = 2 * Foundation.exp(50_000 / 8.31446261815324 * (1.0 / 300 - 1.0 / 310))
    #expect(abs(f(0.5, 310) / expected - 1) <= 1e-13)
  }

  @Test("Arrhenius without a variable named T is an error")
  func arrheniusWithoutTemperature() throws {
    let spec = FunctionSpec.arrhenius(.constant(1), activationEnergy: 1e4, referenceTemperature: 298.15)
    let error = try #require(compileError(spec, ["x", "t"]))
    #expect(error.message.contains("'T'"))
    #expect(error.message.contains("x, t"))
    #expect(error.column == 0)
  }

  @Test("invalid specifications", arguments: [
    (FunctionSpec.constant(.nan), ["x"], "constant value is nan"),
    (.constant(.infinity), ["x"], "constant value is inf"),
    (.table(x: [0, 1], y: [1, 2]), [], "takes no variables"),
    (.table(x: [0, 0], y: [1, 2]), ["x"], "strictly increasing"),
    (.arrhenius(.constant(1), activationEnergy: .nan, referenceTemperature: 298), ["T"], "energy is nan"),
    (.arrhenius(.constant(1), activationEnergy: 1e4, referenceTemperature: 0), ["T"], "temperature is 0.0 K"),
    (
      .arrhenius(.expression("x +"), activationEnergy: 1e4, referenceTemperature: 298), ["x", "T"],
      "end of expression"
    ),
    (.constant(1), ["x", "x"], "listed twice"),
  ])
  func invalid(spec: FunctionSpec, variables: [String], message: String) throws {
    let error = try #require(compileError(spec, variables))
    #expect(error.message.contains(message), "\(error)")
  }

  @Test("expression errors keep their column and source")
  func expressionError() throws {
    let spec = FunctionSpec.expression("0.5 * exp(-c_e / 1000) + foo")
    let error = try #require(compileError(spec, ["c_e", "T"]))
    #expect(error.column == 26)
    #expect(error.source == "0.5 * exp(-c_e / 1000) + foo")
    #expect(error.message == "unknown variable 'foo' (accepted variables: c_e, T)")
  }

  @Test("equality")
  func equality() {
    #expect(FunctionSpec.constant(1) == .constant(1))
    #expect(FunctionSpec.constant(1) != .expression("1"))
    #expect(FunctionSpec.table(x: [0, 1], y: [1, 2]) == .table(x: [0, 1], y: [1, 2]))
    #expect(
      FunctionSpec.arrhenius(.constant(1), activationEnergy: 1, referenceTemperature: 298)
        != .arrhenius(.constant(1), activationEnergy: 2, referenceTemperature: 298))
  }

  @Test("physical constants")
  func constants() {
    #expect(PhysicalConstants.faraday == 96485.33212331001)
    #expect(PhysicalConstants.gas == 8.31446261815324)
  }
}
