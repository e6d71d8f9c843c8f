// CellSim — CellParametersTests/ParameterReaderTests.swift
//
// The chemistry-agnostic reader on small hand-written files.

import CellCore
import CellParameters
import Foundation
import Testing

@Suite("JSON and the parameter reader")
struct ParameterReaderTests {
  @Test("JSON syntax errors carry line and column")
  func syntaxError() {
    let text = "{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}"
    #expect(throws: JSONSyntaxError(message: "trailing comma before ']'", line: 3, column: 14)) {
      try JSONValue.parse(text)
    }
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{\"a\": 1, \"a\": 2}") }
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("[1e999]") }
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse("{} x") }
  }

  @Test("JSON values keep order, literals and escapes")
  func values() throws {
    let v = try JSONValue.parse("{\"z\": -85.2e-6, \"a\": \"\\u00e9\\n\", \"n\": [true, null]}")
    guard case .object(let members) = v else {
      Issue.record("not an object")
      return
    }
    #expect(members.map(\.key) == ["z", "a", "n"])
    #expect(v["z"]?.rendered() == "-85.2e-6")
    #expect(v["a"] == .string("é\n"))
    #expect(v["n"] == .array([.bool(true), .null]))
  }

  @Test("closest-name suggestions")
  func suggestions() {
    #expect(closestName(to: "porosty", among: ["porosity", "thickness_m"]) == "porosity")
    #expect(closestName(to: "thickness", among: ["porosity", "thickness_m"]) == "thickness_m")
    #expect(closestName(to: "colour", among: ["porosity", "thickness_m"]) == nil)
    #expect(editDistance("kitten", "sitting") == 3)
  }

  @Test("function forms and sampling")
  func functions() throws {
    let text = """
      {"s": {"c": 2.5, "e": "2 * x + T", "t": {"x": [0, 1], "y": [1, 3]},
             "a": {"value": "x", "activation_energy_J_mol": 10000, "reference_temperature_K": 300},
             "bad": {"x": [0, 1]}, "inf": "1 / (x - 0.5)", "neg": "x - 0.7"}}
      """
    let reader = try ParameterReader(text: text, fileName: "f.json")
    let sample = FunctionSample.grid(
      [FunctionSample.linspace(0, 1, count: 11), [300]], description: "x in [0, 1] at T = 300 K")
    let vars = ["x", "T"]
    reader.section("s") { s in
      #expect(s.function("c", variables: vars, sample: sample, .finite, "c").constantValue == 2.5)
      #expect(s.function("e", variables: vars, sample: sample, .finite, "e")(0.5, 300) == 301)
      #expect(s.function("t", variables: vars, sample: sample, .finite, "t")(0.25, 300) == 1.5)
      let a = s.function("a", variables: vars, sample: sample, .finite, "a")
      #expect(abs(a(0.5, 310) - 0.5 * exp(10000 / PhysicalConstants.gas * (1 / 300.0 - 1 / 310))) < 1e-15)
      _ = s.function("bad", variables: vars, sample: sample, .finite, "bad")
      _ = s.function("inf", variables: vars, sample: sample, .finite, "inf")
      _ = s.function("neg", variables: vars, sample: sample, .positive, "neg")
      _ = s.function("absent", variables: vars, sample: sample, .finite, "absent")
    }
    let error = try #require(throws: CellFileError.self) { try reader.finish() }
    let paths = error.issues.map(\.path)
    #expect(paths.contains("s.bad.y"))
    #expect(paths.contains("s.inf"))
    #expect(paths.contains("s.neg"))
    #expect(paths.contains("s.absent"))
    #expect(error.issues.first { $0.path == "s.inf" }?.problem.contains("evaluates to inf") == true)
    #expect(error.issues.first { $0.path == "s.neg" }?.problem.contains("must be finite and > 0") == true)
  }

  @Test("readChemistry peeks at the header")
  func chemistry() throws {
    let dir = FileManager.default.temporaryDirectory
    let good = dir.appendingPathComponent("cellsim-params-\(UUID().uuidString).json")
    try """
      {"schema": "cellsim.cell/1", "chemistry": "lithium-sulfur", "name": "x", "description": "y", "sources": []}
      """.write(to: good, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: good) }
    #expect(try readChemistry(of: good) == "lithium-sulfur")
    let bad = dir.appendingPathComponent("cellsim-params-\(UUID().uuidString).json")
    try "{\"chemistry\": 3}".write(to: bad, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: bad) }
    let error = try #require(throws: CellFileError.self) { try readChemistry(of: bad) }
    #expect(error.description.contains("chemistry = 3: must be a string"))
    #expect(error.description.contains("schema: missing"))
  }

  @Test("number ranges describe themselves")
  func ranges() {
    #expect(NumberRange.positive.description == "> 0")
    #expect(NumberRange.openUnit.description == "in (0, 1)")
    #expect(NumberRange.closedUnit.description == "in [0, 1]")
    #expect(NumberRange.finite.description == "finite")
    #expect(!NumberRange.finite.contains(.nan))
    #expect(!NumberRange.openUnit.contains(1))
    #expect(NumberRange.unitExcludingZero.contains(1))
  }
}
