// CellSim — LithiumIonTests/SPMOtherSetsTests.swift
//
// The SPM on the other two shipped parameter sets (Kokam LCO/graphite, A123 LFP/graphite) against
// converged PyBaMM 26.10 SPM curves made by Benchmarks/tools/make_spm_reference.py (200 cells per
// particle, rtol 1e-8), with the same bounds as Chen2020: ≤ 1 mV from 60 s to 95 % of the discharge,
// ≤ 5 mV over the whole curve, end time within 0.1 %.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPM accuracy on Marquis2019 and Prada2013")
struct SPMOtherSetsTests {
  @Test(
    "constant-current discharge from 100 % SOC to the lower cut-off",
    arguments: [("Marquis2019", 1.0), ("Marquis2019", 2.0), ("Prada2013", 1.0), ("Prada2013", 2.0)])
  func discharge(_ set: String, _ cRate: Double) throws {
    let url = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/\(set).json")
    let parameters = try LithiumIonParameters.load(contentsOf: url)
    let model = try SingleParticleModel(parameters: parameters)
    let cutoff = parameters.cell.lowerCutoff
    let result = try ProtocolEngine.run(
      model: model, protocol: try CellProtocol(parsing: "Discharge at \(cRate)C until \(cutoff) V"))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("\(set)_SPM_\(Int(cRate))C.csv"))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let endRef = try #require(tRef.last)
    let end = try #require(t.last)
    let whole = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef, to: min(end, endRef))
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 60, to: 0.95 * endRef)
    print("SPM \(set) \(cRate)C: end \(end) vs \(endRef), max|ΔV| whole \(whole * 1e3) mV, window \(window * 1e3) mV")
    #expect(abs(end - endRef) / endRef < 1e-3)
    #expect(window <= 1e-3)
    #expect(whole <= 5e-3)
  }
}
