// CellSim — SolidStateTests/BrokenFileTests.swift
//
// Bad solid-state cell files are rejected with a CellFileError that names the file and the field.

import CellSim
import Foundation
import Testing
import _TestSupport

struct BrokenSSBCase: Sendable, CustomTestStringConvertible {
  let label: String
  let edits: [(String, String?)]  // path → JSON literal (nil: remove)
  let path: String
  var testDescription: String { label }
}

let brokenSSBCases: [BrokenSSBCase] = [
  BrokenSSBCase(label: "separator conductivity 0", edits: [("separator.conductivity_S_m", "0")], path: "separator.conductivity_S_m"),
  BrokenSSBCase(label: "separator conductivity negative", edits: [("separator.conductivity_S_m", "-0.2")], path: "separator.conductivity_S_m"),
  BrokenSSBCase(
    label: "catholyte conductivity negative inside an Arrhenius object",
    edits: [("positive.electrolyte_conductivity_S_m", #"{"value": -0.2, "activation_energy_J_mol": 30000, "reference_temperature_K": 298.15}"#)],
    path: "positive.electrolyte_conductivity_S_m"),
  BrokenSSBCase(label: "electronic conductivity 0", edits: [("positive.electronic_conductivity_S_m", "0")], path: "positive.electronic_conductivity_S_m"),
  BrokenSSBCase(
    label: "cathode volume fractions sum to 1.1", edits: [("positive.electrolyte_volume_fraction", "0.48")],
    path: "positive.active_material_volume_fraction"),
  BrokenSSBCase(
    label: "stack layer volume fractions sum > 1", edits: [("stack.layers[1].volume_fractions.Li6PS5Cl", "0.5")],
    path: "stack.layers[1].volume_fractions"),
  BrokenSSBCase(label: "window above 1", edits: [("positive.surface_stoichiometry_max", "1.2")], path: "positive.surface_stoichiometry_max"),
  BrokenSSBCase(label: "window below 0", edits: [("positive.surface_stoichiometry_min", "-0.1")], path: "positive.surface_stoichiometry_min"),
  BrokenSSBCase(
    label: "window does not contain x_0", edits: [("positive.surface_stoichiometry_max", "0.8")],
    path: "positive.surface_stoichiometry_max"),
  BrokenSSBCase(label: "x_0 below x_100", edits: [("positive.stoichiometry_at_soc_0", "0.2")], path: "positive.stoichiometry_at_soc_0"),
  BrokenSSBCase(label: "negative diffusivity", edits: [("positive.diffusivity_m2_s", #""-4e-15 * x""#)], path: "positive.diffusivity_m2_s"),
  BrokenSSBCase(label: "missing molar volume", edits: [("negative.molar_volume_m3_mol", nil)], path: "negative.molar_volume_m3_mol"),
  BrokenSSBCase(label: "negative excess Li", edits: [("negative.excess_lithium_thickness_m", "-1e-6")], path: "negative.excess_lithium_thickness_m"),
  BrokenSSBCase(label: "misspelt tortuosity", edits: [("positive.tortuosity", nil), ("positive.tortuosty", "5")], path: "positive.tortuosty"),
  BrokenSSBCase(label: "wrong chemistry", edits: [("chemistry", #""lithium-ion""#)], path: "chemistry"),
  BrokenSSBCase(
    label: "stack cathode thickness differs from positive.thickness_m", edits: [("stack.layers[1].thickness_m", "8e-5")],
    path: "stack.layers[1].thickness_m"),
  BrokenSSBCase(
    label: "unknown material in a layer", edits: [("stack.layers[2].volume_fractions", #"{"LPSCl": 1.0}"#)],
    path: "stack.layers[2].volume_fractions.LPSCl"),
  BrokenSSBCase(label: "active material without formula", edits: [("stack.materials.NMC811.formula", nil)], path: "stack.materials.NMC811.formula"),
  BrokenSSBCase(label: "unknown layout", edits: [("stack.layout", #""double sided""#)], path: "stack.layout"),
  BrokenSSBCase(label: "unknown layer role", edits: [("stack.layers[0].role", #""cathode_collector""#)], path: "stack.layers[0].role"),
  BrokenSSBCase(label: "cut-offs not ordered", edits: [("cell.upper_cutoff_V", "2.5")], path: "cell.upper_cutoff_V"),
  BrokenSSBCase(label: "j0_Li string", edits: [("negative.exchange_current_density_A_m2", #""100 * T +""#)], path: "negative.exchange_current_density_A_m2"),
]

@Suite("SSB broken cell files")
struct BrokenFileTests {
  @Test("each broken file is rejected naming the file and the field", arguments: brokenSSBCases)
  func rejected(_ broken: BrokenSSBCase) throws {
    var edits: [(String, Any?)] = []
    for (path, literal) in broken.edits {
      if let literal {
        let value = try JSONSerialization.jsonObject(with: Data(literal.utf8), options: [.fragmentsAllowed])
        edits.append((path, value))
      } else {
        edits.append((path, nil))
      }
    }
    let text = try editedBaseline(edits)
    do {
      _ = try SolidStateParameters.load(text: text, fileName: "broken.json")
      Issue.record("\(broken.label): accepted")
    } catch {
      print("SSB broken (\(broken.label)):\n\(error)")
      #expect(error.issues.contains { $0.path == broken.path }, "\(broken.label): \(error)")
      #expect(error.issues.allSatisfy { $0.file == "broken.json" })
      #expect(error.description.contains("broken.json: \(broken.path)"))
    }
  }

  @Test("at least 8 broken cases")
  func enough() { #expect(brokenSSBCases.count >= 8) }

  @Test("the shipped solid-state files load", arguments: [SSB.baseline, SSB.llzo, SSB.anodeFree])
  func shipped(_ name: String) throws {
    let parameters = try SolidStateParameters.load(contentsOf: SSB.cellURL(name))
    #expect(parameters.header.chemistry == SolidStateParameters.chemistry)
    #expect(try readChemistry(of: SSB.cellURL(name)) == "solid-state")
    #expect(parameters.stack != nil)
    #expect(parameters.derivedQuantities.allSatisfy { $0.value.isFinite })
  }

  @Test("derived quantities of the baseline match the reference's _derived block")
  func derived() throws {
    let parameters = try SolidStateParameters.load(contentsOf: SSB.cellURL(SSB.baseline))
    let data = try Data(contentsOf: fixtureURL("params.json"))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let d = try #require(object["_derived"] as? [String: Any])
    func ref(_ k: String) throws -> Double { try #require((d[k] as? NSNumber)?.doubleValue) }
    let t = 298.15
    #expect(abs(parameters.nominalCapacity - (try ref("Q_nom_Ah"))) < 1e-9)
    #expect(abs(parameters.ohmicResistance(t) - (try ref("R_ohm"))) < 1e-12)
    #expect(abs(parameters.positive.roughness - (try ref("roughness"))) < 1e-9)
    #expect(abs(parameters.effectiveIonicConductivity(t) - (try ref("sigma_ion_eff"))) < 1e-15)
  }
}
