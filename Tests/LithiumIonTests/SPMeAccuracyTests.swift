// CellSim — LithiumIonTests/SPMeAccuracyTests.swift
//
// The SPMe against PyBaMM's converged curves (200 cells per particle, 50 per x-region, rtol 1e-8) for
// Chen2020: voltage, end time and each column of the voltage breakdown.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPMe accuracy against converged PyBaMM curves")
struct SPMeAccuracyTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")
  static let breakdown = [
    "ocv_surf_V", "ocv_bulk_V", "eta_reaction_V", "eta_electrolyte_conc_V", "ohmic_electrolyte_V", "ohmic_solid_V",
  ]

  @Test("constant-current discharge from 100 % SOC to 2.5 V", arguments: [("0p5C", 0.5), ("1C", 1.0), ("2C", 2.0)])
  func constantCurrentDischarge(_ name: String, _ cRate: Double) throws {
    let parameters = try LithiumIonParameters.load(contentsOf: Self.chen)
    let model = try SingleParticleModelWithElectrolyte(parameters: parameters)
    let result = try ProtocolEngine.run(
      model: model, protocol: try CellProtocol(parsing: "Discharge at \(cRate)C until 2.5 V"))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPMe_\(name).csv"))
    let tRef = reference.column("time_s")
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let endRef = try #require(tRef.last)
    let end = try #require(t.last)
    let vRef = reference.column("voltage_V")
    let whole = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef)
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 60, to: 0.95 * endRef)
    var report =
      "SPMe \(name): end \(end) vs \(endRef) (\(String(format: "%.4f", (end - endRef) / endRef * 100)) %), "
      + "max|ΔV| whole \(String(format: "%.3f", whole * 1e3)) mV, window \(String(format: "%.3f", window * 1e3)) mV"
    #expect(abs(end - endRef) / endRef < 1e-3)
    #expect(window <= 1e-3)
    #expect(whole <= 5e-3)
    for column in Self.breakdown {
      let ours = try #require(result.column(column), "missing column \(column)")
      let worst = maximumDifference(
        times: t, values: ours, referenceTimes: tRef, referenceValues: reference.column(column), from: 60,
        to: 0.95 * endRef)
      report += ", \(column) \(String(format: "%.3f", worst * 1e3)) mV"
      #expect(worst <= 1e-3, "\(column): max |Δ| \(worst) V between 60 s and 95 %")
    }
    print(report + ", steps \(result.statistics.steps)")
    let capacityRef = try #require(reference.column("discharge_capacity_Ah").last)
    let capacity = try #require(result.column("capacity_Ah")?.last)
    #expect(abs(capacity - capacityRef) / capacityRef < 1e-3)
  }

  @Test("the breakdown columns add up to the terminal voltage")
  func breakdownAddsUp() throws {
    let model = try SingleParticleModelWithElectrolyte(parameters: try LithiumIonParameters.load(contentsOf: Self.chen))
    let result = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: "Discharge at 1C until 2.5 V"))
    let v = try #require(result.column("voltage_V"))
    let parts = try ["ocv_surf_V", "eta_reaction_V", "eta_electrolyte_conc_V", "ohmic_electrolyte_V", "ohmic_solid_V"]
      .map { try #require(result.column($0)) }
    for k in v.indices {
      let sum = parts.reduce(0) { $0 + $1[k] }
      #expect(abs(sum - v[k]) < 1e-12)
    }
    // Electrolyte columns: start at c_e0, then the negative side fills and the positive side empties.
    let neg = try #require(result.column("c_e_neg_cc_mol_m3"))
    let sep = try #require(result.column("c_e_sep_mol_m3"))
    let pos = try #require(result.column("c_e_pos_cc_mol_m3"))
    #expect(abs(neg[0] - 1000) < 1e-9 && abs(pos[0] - 1000) < 1e-9)
    #expect(neg[100] > sep[100] && sep[100] > pos[100])
  }
}
