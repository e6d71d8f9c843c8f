// CellSim — LithiumSulfurTests/LiSCellFileTests.swift
//
// The shipped cell file, and broken variants of it: every problem is a CellFileError naming the field.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Li-S cell file")
struct LiSCellFileTests {
  static func json() throws -> JSONValue {
    try JSONValue.parse(String(contentsOf: LiS.cellURL, encoding: .utf8))
  }

  @Test("the shipped file reads, with its sources, nominal capacity and design quantities")
  func shipped() throws {
    let p = try LithiumSulfurParameters.load(contentsOf: LiS.cellURL)
    #expect(p.header.chemistry == LithiumSulfurParameters.chemistry)
    #expect(!p.header.sources.isEmpty)
    #expect(p.cell.nominalCapacity == 3.4)
    #expect(!p.cell.nominalCapacitySource.isEmpty)
    #expect(abs(p.totalSulfur - 2.6858) < 1e-4)
    let derived = Dictionary(p.derivedQuantities.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    for q in p.derivedQuantities { print("Li-S derived: \(q)") }
    #expect(abs(derived["deliverable (12-electron) capacity of the initial state"]! - 3.36886) < 1e-4)
    #expect(abs(derived["electrolyte-to-sulfur ratio E/S"]! - 4.2446) < 1e-3)
    #expect(p.stack != nil)
    #expect(abs(derived["stack sulfur loading"]! - 2.0) < 0.01)
    #expect(abs(derived["stack electrolyte-to-sulfur ratio E/S"]! - 4.2446) < 0.01)
  }

  static let cases: [(String, JSONValue, String)] = [
    ("initial_state.S8_g", .number(0, literal: "0"), "initial_state.S8_g"),
    ("initial_state.Sp_g", .number(-1e-6, literal: "-1e-6"), "initial_state.Sp_g"),
    ("precipitation.rate_constant_per_s", .number(-100, literal: "-100"), "precipitation.rate_constant_per_s"),
    ("shuttle.rate_constant_charge_per_s", .number(-2e-4, literal: "-2e-4"), "shuttle.rate_constant_charge_per_s"),
    ("electrolyte.volume_m3", .number(0, literal: "0"), "electrolyte.volume_m3"),
    ("reactions.reaction_area_m2", .string("0.96"), "reactions.reaction_area_m2"),
    ("reactions.high_exchange_current_density_A_m2", .number(0, literal: "0"), "reactions.high_exchange_current_density_A_m2"),
    ("cell.upper_cutoff_V", .number(2.1, literal: "2.1"), "cell.upper_cutoff_V"),
    ("cell.nominal_capacity_Ah", .number(-3.4, literal: "-3.4"), "cell.nominal_capacity_Ah"),
    ("chemistry", .string("lithium-ion"), "chemistry"),
    ("stack.layers", .string("none"), "stack.layers"),
  ]

  @Test("a broken field is reported with its path", arguments: cases.indices)
  func broken(_ index: Int) throws {
    let (path, value, expected) = Self.cases[index]
    let json = try #require(try Self.json().setting(path, to: value))
    let error = try #require(throws: CellFileError.self) {
      try LithiumSulfurParameters.load(json: json, fileName: "broken.json")
    }
    print("Li-S broken \(path): \(error)")
    #expect(error.issues.contains { $0.path == expected }, "\(error)")
  }

  @Test("a missing field, an unknown one and a misspelling are reported")
  func missingAndUnknown() throws {
    let json = try #require(try Self.json().setting("shuttle.rate_constant_dischrge_per_s", to: .number(0, literal: "0")))
    let error = try #require(throws: CellFileError.self) {
      try LithiumSulfurParameters.load(json: json, fileName: "typo.json")
    }
    print("Li-S typo: \(error)")
    #expect(error.issues.contains { $0.path == "shuttle.rate_constant_dischrge_per_s" })
  }

  @Test("a missing section is named")
  func missingSection() throws {
    let text = try String(contentsOf: LiS.cellURL, encoding: .utf8)
      .replacingOccurrences(of: "\"initial_state\"", with: "\"initial_states\"")
    let error = try #require(throws: CellFileError.self) {
      try LithiumSulfurParameters.load(text: text, fileName: "renamed.json")
    }
    print("Li-S missing section: \(error)")
    #expect(error.issues.contains { $0.path == "initial_states" || $0.path == "initial_state" })
  }

  @Test("invalid JSON gives line and column")
  func invalidJSON() throws {
    let error = try #require(throws: CellFileError.self) {
      try LithiumSulfurParameters.load(text: "{ \"schema\": \"cellsim.cell/1\", }", fileName: "bad.json")
    }
    #expect(error.issues.first?.line != nil)
  }
}
