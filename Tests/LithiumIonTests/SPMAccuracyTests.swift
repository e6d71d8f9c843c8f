// CellSim — LithiumIonTests/SPMAccuracyTests.swift
//
// The SPM against PyBaMM's converged curves (200 cells per particle, rtol 1e-8) for Chen2020.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPM accuracy against converged PyBaMM curves")
struct SPMAccuracyTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  @Test("constant-current discharge from 100 % SOC to 2.5 V", arguments: [("0p5C", 0.5), ("1C", 1.0), ("2C", 2.0)])
  func constantCurrentDischarge(_ name: String, _ cRate: Double) throws {
    let parameters = try LithiumIonParameters.load(contentsOf: Self.chen)
    let model = try SingleParticleModel(parameters: parameters)
    let protocolText = "Discharge at \(cRate)C until 2.5 V"
    let result = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: protocolText))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPM_\(name).csv"))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let endRef = try #require(tRef.last)
    let end = try #require(t.last)
    let whole = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef)
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 60, to: 0.95 * endRef)
    print("SPM \(name): end \(end) vs \(endRef), max|ΔV| whole \(whole * 1e3) mV, window \(window * 1e3) mV, steps \(result.statistics.steps)")
    #expect(abs(end - endRef) / endRef < 1e-3)
    #expect(window <= 1e-3)
    #expect(whole <= 5e-3)
    let capacityRef = try #require(reference.column("discharge_capacity_Ah").last)
    let capacity = try #require(result.column("capacity_Ah")?.last)
    #expect(abs(capacity - capacityRef) / capacityRef < 1e-3)
  }
}
