// CellSim — CellParametersTests/BrokenFileTests.swift
//
// Broken variants of the shipped Chen2020.json: every one must be rejected with a CellFileError whose
// text names the file, the field path and the offending value.

import CellCore
import CellParameters
import Foundation
import LithiumIon
import Testing

/// One broken file: text edits to Chen2020.json and fragments its error description must contain.
struct BrokenCase: CustomTestStringConvertible, Sendable {
  var name: String
  /// (find, replace) pairs applied to the file text; each `find` must occur.
  var edits: [(String, String)]
  /// Fragments that must appear on one line of the error description.
  var expected: [String]
  var testDescription: String { name }
}

let brokenCases: [BrokenCase] = [
  BrokenCase(
    name: "field removed", edits: [("\"porosity\": 0.25,\n", "")],
    expected: ["negative.porosity: missing", "electrolyte volume fraction"]),
  BrokenCase(
    name: "misspelt field with suggestion", edits: [("\"porosity\": 0.25,", "\"porosty\": 0.25,")],
    expected: ["negative.porosty = 0.25", "unknown field", "did you mean 'porosity'?"]),
  BrokenCase(
    name: "string instead of number", edits: [("\"thickness_m\": 8.52e-05", "\"thickness_m\": \"thick\"")],
    expected: ["negative.thickness_m = \"thick\"", "must be a number", "not a string"]),
  BrokenCase(
    name: "quoted number", edits: [("\"porosity\": 0.335", "\"porosity\": \"0.335\"")],
    expected: ["positive.porosity = \"0.335\"", "must be a number", "without quotes"]),
  BrokenCase(
    name: "negative thickness", edits: [("\"thickness_m\": 8.52e-05", "\"thickness_m\": -8.52e-05")],
    expected: ["Chen2020.json: negative.thickness_m = -8.52e-05: must be > 0 (a length in metres)"]),
  BrokenCase(
    name: "zero particle radius", edits: [("\"particle_radius_m\": 5.86e-06", "\"particle_radius_m\": 0")],
    expected: ["negative.particle_radius_m = 0", "must be > 0"]),
  BrokenCase(
    name: "porosity 1.2", edits: [("\"porosity\": 0.335", "\"porosity\": 1.2")],
    expected: ["positive.porosity = 1.2", "must be in (0, 1)"]),
  BrokenCase(
    name: "porosity + active fraction > 1",
    edits: [("\"active_material_volume_fraction\": 0.75", "\"active_material_volume_fraction\": 0.8")],
    expected: ["negative.active_material_volume_fraction = 0.8", "must be ≤ 1"]),
  BrokenCase(
    name: "initial stoichiometry > 1",
    edits: [("\"initial_concentration_mol_m3\": 29866.0", "\"initial_concentration_mol_m3\": 40000.0")],
    expected: ["negative.initial_concentration_mol_m3 = 40000.0", "must be in [0, 1]"]),
  BrokenCase(
    name: "expression does not parse", edits: [("\"1.9793 * exp(", "\"1.9793 * * exp(")],
    expected: ["negative.ocp_V = \"1.9793 * * exp(", "invalid function", "column 10"]),
  BrokenCase(
    name: "unknown variable in expression",
    edits: [("\"0.1297 * (ce / 1000)^3", "\"0.1297 * (c / 1000)^3")],
    expected: ["electrolyte.conductivity_S_m = \"0.1297 * (c / 1000)^3", "invalid function", "'c'"]),
  BrokenCase(
    name: "expression NaN in range",
    edits: [("\"diffusivity_m2_s\": 3.3e-14", "\"diffusivity_m2_s\": \"3.3e-14 * log(x - 0.5)\"")],
    expected: ["negative.diffusivity_m2_s = \"3.3e-14 * log(x - 0.5)\"", "evaluates to nan", "x in [0.001, 0.999]"]),
  BrokenCase(
    name: "OCP NaN in range", edits: [("\"entropic_change_V_K\": 0.0", "\"entropic_change_V_K\": \"log(x - 0.5)\"")],
    expected: ["negative.entropic_change_V_K = \"log(x - 0.5)\"", "evaluates to nan"]),
  BrokenCase(
    name: "table with decreasing x",
    edits: [
      (
        "\"diffusivity_m2_s\": 4e-15",
        "\"diffusivity_m2_s\": {\"x\": [0, 0.5, 0.4, 1], \"y\": [1e-15, 2e-15, 3e-15, 4e-15]}"
      )
    ],
    expected: ["positive.diffusivity_m2_s.x = [0, 0.5, 0.4, 1]", "strictly increasing"]),
  BrokenCase(
    name: "Arrhenius object without reference temperature",
    edits: [("\"activation_energy_J_mol\": 35000.0,\n      \"reference_temperature_K\": 298.15", "\"activation_energy_J_mol\": 35000.0")],
    expected: ["negative.exchange_current_density_A_m2.reference_temperature_K: missing"]),
  BrokenCase(
    name: "missing header", edits: [("\"schema\": \"cellsim.cell/1\",\n", "")],
    expected: ["Chen2020.json: schema: missing", "cellsim.cell/1"]),
  BrokenCase(
    name: "unsupported schema", edits: [("\"cellsim.cell/1\"", "\"cellsim.cell/2\"")],
    expected: ["schema = \"cellsim.cell/2\"", "unsupported schema"]),
  BrokenCase(
    name: "wrong chemistry", edits: [("\"chemistry\": \"lithium-ion\"", "\"chemistry\": \"solid-state\"")],
    expected: ["chemistry = \"solid-state\"", "wrong chemistry"]),
  BrokenCase(
    name: "unknown chemistry", edits: [("\"chemistry\": \"lithium-ion\"", "\"chemistry\": \"lithium-ions\"")],
    expected: ["chemistry = \"lithium-ions\"", "unknown chemistry", "did you mean 'lithium-ion'?"]),
  BrokenCase(
    name: "invalid JSON (missing comma)", edits: [("\"porosity\": 0.25,\n", "\"porosity\": 0.25\n")],
    expected: ["Chen2020.json: line 34, column 5", "invalid JSON", "missing comma"]),
  BrokenCase(
    name: "cut-offs not ordered", edits: [("\"lower_cutoff_V\": 2.5", "\"lower_cutoff_V\": 4.5")],
    expected: ["cell.upper_cutoff_V = 4.2", "must be greater than lower_cutoff_V = 4.5"]),
  BrokenCase(
    name: "misspelt section", edits: [("\"separator\": {", "\"seperator\": {")],
    expected: ["seperator = {", "did you mean 'separator'?"]),
  BrokenCase(
    name: "transference number out of range",
    edits: [("\"transference_number\": 0.2594", "\"transference_number\": 1.5")],
    expected: ["electrolyte.transference_number = 1.5", "must be in (0, 1)"]),
  BrokenCase(
    name: "fractional electrode count", edits: [("\"electrodes_in_parallel\": 1", "\"electrodes_in_parallel\": 1.5")],
    expected: ["cell.electrodes_in_parallel = 1.5", "whole number"]),
  BrokenCase(
    name: "unknown top-level field", edits: [("\"schema\": \"cellsim.cell/1\",", "\"schema\": \"cellsim.cell/1\", \"notes\": 7,")],
    expected: ["Chen2020.json: notes = 7: unknown field"]),
  BrokenCase(
    name: "thermal block without layer heat capacity",
    edits: [("\"density_kg_m3\": 397.0,", ""), (", \"heat_capacity_J_K\": 42.775", "")],
    expected: ["cell.thermal.heat_capacity_J_K: missing", "separator.density_kg_m3"]),
  BrokenCase(
    name: "OCV limit the electrodes cannot reach", edits: [("\"ocv_at_soc_1_V\": 4.2", "\"ocv_at_soc_1_V\": 6.0")],
    expected: ["cell.ocv_at_soc_1_V = 6.0", "cannot be met by the electrodes"]),
]

/// Applies the edits; fails the test if a `find` string is not in the text.
func brokenText(_ edits: [(String, String)]) throws -> String {
  var text = try ShippedCell.text("Chen2020")
  for (find, replace) in edits {
    let range = try #require(text.range(of: find), "edit target not found: \(find)")
    text.replaceSubrange(range, with: replace)
  }
  return text
}

@Suite("Broken cell files")
struct BrokenFileTests {
  @Test("each broken file is rejected with file, path and value", arguments: brokenCases)
  func rejected(_ broken: BrokenCase) throws {
    let text = try brokenText(broken.edits)
    let error = try #require(throws: CellFileError.self) {
      try LithiumIonParameters.load(text: text, fileName: "Chen2020.json")
    }
    let lines = error.description.split(separator: "\n").map(String.init)
    #expect(
      lines.contains { line in broken.expected.allSatisfy { line.contains($0) } },
      "\(broken.name): expected a line with \(broken.expected), got:\n\(error.description)")
    #expect(lines.allSatisfy { $0.hasPrefix("Chen2020.json: ") })
    #expect(lines.count == error.issues.count)
  }

  @Test("a broken case count of at least 20")
  func enoughCases() { #expect(brokenCases.count >= 20) }

  @Test("a file with three problems reports all three")
  func threeProblems() throws {
    let text = try brokenText([
      ("\"thickness_m\": 8.52e-05", "\"thickness_m\": -8.52e-05"),
      ("\"porosity\": 0.335", "\"porosity\": 1.2"),
      ("\"conductivity_S_m\": 215.0", "\"conductivty_S_m\": 215.0"),
    ])
    let error = try #require(throws: CellFileError.self) {
      try LithiumIonParameters.load(text: text, fileName: "Chen2020.json")
    }
    #expect(error.issues.count == 3, "\(error.description)")
    let paths = Set(error.issues.map(\.path))
    #expect(paths == ["negative.thickness_m", "positive.porosity", "negative.conductivty_S_m"])
    let misspelt = try #require(error.issues.first { $0.path == "negative.conductivty_S_m" })
    #expect(misspelt.suggestion == "did you mean 'conductivity_S_m'?")
    #expect(misspelt.kind == .unknown)
    #expect(error.issues.first { $0.path == "negative.thickness_m" }?.value == "-8.52e-05")
  }

  @Test("a file that does not exist")
  func missingFile() throws {
    let url = URL(fileURLWithPath: "/nonexistent/Nope.json")
    let error = try #require(throws: CellFileError.self) { try LithiumIonParameters.load(contentsOf: url) }
    #expect(error.description.hasPrefix("Nope.json: cannot be read"))
    #expect(throws: CellFileError.self) { try readChemistry(of: url) }
  }
}
