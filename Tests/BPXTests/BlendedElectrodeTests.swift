// CellSim — BPXTests/BlendedElectrodeTests.swift
//
// The SPM with blended electrodes (`BlendedSingleParticleModel`): identical populations give the
// single-population SPM; the BPX blended example (two positive particle sizes) matches PyBaMM's SPM
// with "particle phases" ("1", "2") (Fixtures/make_pybamm_blended_reference.py).

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Blended electrodes (SPM)")
struct BlendedElectrodeTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  static func curve(_ model: some CellModel, _ text: String, rtol: Double = 1e-8) throws -> (t: [Double], v: [Double], end: Double) {
    let result = try ProtocolEngine.run(
      model: model, protocol: CellProtocol(parsing: text), options: SimulationOptions(outputInterval: 10, relativeTolerance: rtol))
    #expect(result.status == .completed)
    return (try #require(result.column("time_s")), try #require(result.column("voltage_V")), result.endTime)
  }

  // Open: the integrator's consistent initialisation (undamped Newton, finite-difference Jacobian)
  // does not converge for the algebraic j_i at the start of some steps (Chen2020 positive split at
  // t = 0 stalls at 4e-8 V; the negative split diverges at the rest after the discharge).
  @Test(
    "two identical populations (30 % / 70 % of the active material) give the single-population curve to 1e-6 V",
    .disabled("consistent initialisation of the populations' currents does not converge yet (see comment)"))
  func identicalPopulations() throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    for electrode in ["negative", "positive"] {
      let e = electrode == "negative" ? p.negative : p.positive
      var a = e
      var b = e
      a.activeMaterialVolumeFraction = 0.3 * e.activeMaterialVolumeFraction
      b.activeMaterialVolumeFraction = 0.7 * e.activeMaterialVolumeFraction
      let blended = electrode == "negative"
        ? try BlendedSingleParticleModel(parameters: p, negativePopulations: [a, b])
        : try BlendedSingleParticleModel(parameters: p, positivePopulations: [a, b])
      #expect(blended.isDifferential.filter { !$0 }.count == 1)  // one algebraic j for the extra population
      let text = "Discharge at 1C until 2.5 V; Rest for 10 minutes; Charge at 0.5C until 4.1 V"
      let single = try Self.curve(SingleParticleModel(parameters: p), text)
      let two = try Self.curve(blended, text)
      let diff = maximumDifference(times: two.t, values: two.v, referenceTimes: single.t, referenceValues: single.v)
      print("blended \(electrode), identical populations: max|ΔV| \(diff) V, end \(two.end) s vs \(single.end) s")
      #expect(diff < 1e-6)
      #expect(abs(two.end - single.end) < 1e-3)
    }
  }

  @Test("the BPX blended example (8 µm and 1 µm positive particles) matches PyBaMM's SPM to 1 mV (60 s to 95 %)")
  func bpxBlendedExample() throws {
    // The blended file is the NMC pouch cell with its positive electrode split into two populations
    // (everything else identical; the rate constant's activation energy, 3500 vs 35000 J/mol, does not
    // act at 298.15 K). Until the BPX import reads populations, they are built here from the file's values.
    let p2 = try BPXImport.load(contentsOf: fixtureURL("nmc_pouch_cell_BPX.json"))
    var large = p2.positive
    large.particleRadius = 8e-6
    large.activeMaterialVolumeFraction = 186331 * 8e-6 / 3
    var small = p2.positive
    small.particleRadius = 1e-6
    small.activeMaterialVolumeFraction = 496883 * 1e-6 / 3
    #expect(abs(large.activeMaterialVolumeFraction + small.activeMaterialVolumeFraction - p2.positive.activeMaterialVolumeFraction) < 1e-6)
    let model = try BlendedSingleParticleModel(parameters: p2, positivePopulations: [large, small])
    let ours = try Self.curve(model, "Discharge at 1C until 2.7 V")
    let reference = try ReferenceCurve(contentsOf: fixtureURL("nmc_pouch_blended_SPM_1C.csv"))
    let tRef = reference.column("time_s")
    let endRef = try #require(tRef.last)
    let window = maximumDifference(
      times: ours.t, values: ours.v, referenceTimes: tRef, referenceValues: reference.column("voltage_V"), from: 60, to: 0.95 * endRef)
    print("BPX blended SPM 1C: max|ΔV| (60 s–95 %) \(window * 1e3) mV, end \(ours.end) s vs PyBaMM \(endRef) s")
    #expect(window <= 1e-3)
    #expect(abs(ours.end - endRef) / endRef < 1e-3)
  }
}
