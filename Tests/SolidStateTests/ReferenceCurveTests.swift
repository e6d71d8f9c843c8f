// CellSim — SolidStateTests/ReferenceCurveTests.swift
//
// The SSB-SPM against the exact-series 1C reference of ../shared/reference/ssb (copied to Fixtures/),
// and against the closed-form capacity law of model.md §2.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SSB-SPM accuracy")
struct ReferenceCurveTests {
  @Test(
    "1C discharge from 100 % SOC matches the exact-series reference (eigenmodes, finite volumes)",
    arguments: SSB.particleOptions)
  func oneC(_ modes: Int?) throws {
    let model = try SSB.model(particleModes: modes)
    #expect(model.particle.isModal == (modes != nil))
    let result = try SSB.run(model, "Discharge at 1C until 3.0 V", options: SimulationOptions(outputInterval: 1))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("cc_discharge_1C.csv"))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let endRef = try #require(tRef.last)
    let end = result.endTime
    let afterFirstSecond = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 1)
    let whole = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef)
    let xs = try #require(result.column("sto_p_surf"))
    let xsError = maximumDifference(
      times: t, values: xs, referenceTimes: tRef, referenceValues: reference.column("surface_stoichiometry"), from: 1)
    print(
      "SSB 1C (\(modes.map { "\($0) modes" } ?? "finite volumes")): max|ΔV| after 1 s \(afterFirstSecond * 1e3) mV (whole \(whole * 1e3) mV), "
        + "end \(end) s vs \(endRef) s (\((end - endRef) / endRef * 100) %), max|Δx_s| \(xsError), "
        + "steps \(result.statistics.steps), reason: \(result.steps[0].reason)")
    #expect(afterFirstSecond <= 1e-3)
    #expect(abs(end - endRef) / endRef <= 1e-3)
    // The reference ends on the stoichiometry guard, not on 3.0 V (model.md §2).
    guard case .modelEvent(let name) = result.steps[0].reason else {
      Issue.record("expected the stoichiometry window to end the step, got \(result.steps[0].reason)")
      return
    }
    #expect(name.hasPrefix("cathode stoichiometry window"))
    // The parts of the voltage, constant over the run: ohmic drop and Li overpotential.
    let ohmic = try #require(result.column("ohmic_V"))
    let etaLi = try #require(result.column("eta_anode_V"))
    #expect(abs(ohmic[0] - reference.column("ohmic_drop_V")[0]) < 1e-9)
    #expect(abs(etaLi[0] - reference.column("eta_Li_V")[0]) < 1e-9)
  }

  @Test(
    "closed-form capacity Q(I) = Q_nom − I R_p²/(15 D)/3600 (eigenmodes, finite volumes)",
    arguments: [("C/10", 0.1), ("0.5C", 0.5), ("1C", 1.0), ("2C", 2.0)], SSB.particleOptions)
  func capacityLaw(_ step: (rate: String, cRate: Double), _ modes: Int?) throws {
    let (rate, cRate) = step
    // Closed form from the reference parameters; valid when the step ends on x_s,max = x_0 after the
    // transient (t ≫ 0.2 R_p²/D), which holds for the baseline at all four rates.
    let p = try SSB.reference()
    let faraday = 96485.33212331001
    let qNom =
      try #require(p["area_m2"]) * #require(p["eps_AM"]) * #require(p["L_cat_m"]) * #require(p["c_max_mol_m3"])
      * (try #require(p["x_0"]) - #require(p["x_100"])) * faraday / 3600
    let rp = try #require(p["R_p_m"])
    let d = try #require(p["D_p_m2_s"])
    let current = cRate * qNom
    let expected = qNom - current * rp * rp / (15 * d) / 3600
    let model = try SSB.model(particleModes: modes)
    #expect(abs(model.nominalCapacity - qNom) / qNom < 1e-12)
    let result = try SSB.run(model, "Discharge at \(rate) until 3.0 V")
    #expect(result.status == .completed)
    let q = result.steps[0].capacity
    print("SSB capacity law \(rate) (\(modes.map { "\($0) modes" } ?? "finite volumes")): Q = \(q) A h, closed form \(expected) A h, error \((q - expected) / expected * 100) %, end \(result.endTime) s")
    #expect(abs(q - expected) / expected <= 1e-3)
    guard case .modelEvent(let name) = result.steps[0].reason else {
      Issue.record("expected the stoichiometry window to end the \(rate) step, got \(result.steps[0].reason)")
      return
    }
    #expect(name.hasPrefix("cathode stoichiometry window"))
  }
}

@Suite("SSB-SPM timing (printed, not asserted)")
struct TimingTests {
  @Test("solve time of a 1C discharge and of a C/10 discharge")
  func timing() throws {
    let model = try SSB.model()
    for text in ["Discharge at 1C until 3.0 V", "Discharge at C/10 until 3.0 V"] {
      let cellProtocol = try CellProtocol(parsing: text)
      var best = Duration.seconds(1e9)
      var steps = 0
      for _ in 0..<5 {
        let clock = ContinuousClock()
        var result: SimulationResult?
        let elapsed = try clock.measure { result = try ProtocolEngine.run(model: model, protocol: cellProtocol) }
        best = min(best, elapsed)
        steps = result?.statistics.steps ?? 0
      }
      print("SSB timing '\(text)': best of 5 \(best), \(steps) integrator steps")
    }
  }
}
