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

  /// Max |ΔV| step by step (time since each step's start) between two runs of the same protocol on
  /// the fixed output grid (no voltage-step rows, so both curves have rows at the same times): a
  /// step's end time differing by 1e-8 s would otherwise put the voltage jump at the change of current
  /// between the two curves' rows, and rows at different times would add interpolation error.
  static func stepwiseDifference(_ a: SimulationResult, _ b: SimulationResult) throws -> Double {
    let (ta, va, sa) = (try #require(a.column("time_s")), try #require(a.column("voltage_V")), try #require(a.column("step")))
    let (tb, vb, sb) = (try #require(b.column("time_s")), try #require(b.column("voltage_V")), try #require(b.column("step")))
    var worst = 0.0
    for k in Set(sb) {
      let ia = sa.indices.filter { sa[$0] == k }
      let ib = sb.indices.filter { sb[$0] == k }
      guard let a0 = ia.first, let b0 = ib.first else { return .infinity }
      worst = max(
        worst,
        maximumDifference(
          times: ia.map { ta[$0] - ta[a0] }, values: ia.map { va[$0] }, referenceTimes: ib.map { tb[$0] - tb[b0] },
          referenceValues: ib.map { vb[$0] }))
    }
    return worst
  }

  /// The electrode as two identical populations holding 30 % and 70 % of its active material.
  static func identicalPair(_ e: LithiumIonParameters.Electrode) -> [LithiumIonParameters.Electrode] {
    var a = e
    var b = e
    a.activeMaterialVolumeFraction = 0.3 * e.activeMaterialVolumeFraction
    b.activeMaterialVolumeFraction = 0.7 * e.activeMaterialVolumeFraction
    return [a, b]
  }

  // The populations' currents are algebraic (w_i = K + j_i/j_ref): this test needs the offset K large
  // enough that the finite-difference steps stay well scaled at 1C, and the damped Newton of the
  // integrator's consistent initialisation at the rest after the discharge (see the model's header).
  @Test("two identical populations (30 % / 70 % of the active material) give the single-population curve to 1e-6 V")
  func identicalPopulations() throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    for electrode in ["negative", "positive"] {
      let pair = Self.identicalPair(electrode == "negative" ? p.negative : p.positive)
      let blended = electrode == "negative"
        ? try BlendedSingleParticleModel(parameters: p, negativePopulations: pair)
        : try BlendedSingleParticleModel(parameters: p, positivePopulations: pair)
      #expect(blended.isDifferential.filter { !$0 }.count == 1)  // one algebraic j for the extra population
      let text = "Discharge at 1C until 2.5 V; Rest for 10 minutes; Charge at 0.5C until 4.1 V"
      let options = SimulationOptions(
        outputInterval: 10, outputVoltageStep: 0, relativeTolerance: 1e-8, absoluteToleranceScale: 1e-2)
      let single = try ProtocolEngine.run(model: SingleParticleModel(parameters: p, particleModes: nil), protocol: CellProtocol(parsing: text), options: options)
      let two = try ProtocolEngine.run(model: blended, protocol: CellProtocol(parsing: text), options: options)
      #expect(single.status == .completed)
      #expect(two.status == .completed)
      let diff = try Self.stepwiseDifference(two, single)
      print("blended \(electrode), identical populations: max|ΔV| \(diff) V, end \(two.endTime) s vs \(single.endTime) s")
      #expect(diff < 1e-6)
      #expect(abs(two.endTime - single.endTime) < 1e-3)
    }
  }

  @Test("the BPX blended example (8 µm and 1 µm positive particles) matches PyBaMM's SPM to 1 mV (60 s to 95 %)")
  func bpxBlendedExample() throws {
    // The blended file is the NMC pouch cell with its positive electrode split into two populations
    // (everything else identical; the rate constant's activation energy, 3500 vs 35000 J/mol, does not
    // act at 298.15 K). The populations are built here from the file's values (the import itself is
    // checked against the same curve in BPXImportTests.blendedImportMatchesPyBaMM).
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
  /// Chen2020 with its negative electrode given as `populations` (copies of the section's particle
  /// fields), edited by `edit`.
  static func chenWithPopulations(_ edit: (inout [[String: Any]]) -> Void) throws -> String {
    let data = try Data(contentsOf: chen)
    var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var negative = try #require(root["negative"] as? [String: Any])
    var population: [String: Any] = [:]
    for key in ["particle_radius_m", "max_concentration_mol_m3", "diffusivity_m2_s", "ocp_V", "exchange_current_density_A_m2"] {
      population[key] = negative[key]
    }
    var pops = [population, population]
    pops[0]["fraction_of_active_material"] = 0.3
    pops[1]["fraction_of_active_material"] = 0.7
    edit(&pops)
    negative["populations"] = pops
    root["negative"] = negative
    let out = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    return try #require(String(data: out, encoding: .utf8))
  }

  @Test("a cell file's populations build the blended SPM (and SPMe) through LoadedCell and give the SPM's curve")
  func cellFilePopulations() throws {
    let text = try Self.chenWithPopulations { _ in }
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chen-populations-\(UUID().uuidString).json")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let loaded = try LoadedCell(contentsOf: url)
    let model = try loaded.makeModel("spm")
    #expect(model is BlendedSingleParticleModel)
    #expect(try loaded.makeModel("spme") is BlendedSingleParticleModelWithElectrolyte)
    let protocolText = try CellProtocol(parsing: "Discharge at 1C until 2.5 V")
    let options = SimulationOptions(outputInterval: 10, outputVoltageStep: 0, relativeTolerance: 1e-8, absoluteToleranceScale: 1e-2)
    let two = try simulate(model, protocol: protocolText, options: options)
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    let single = try simulate(SingleParticleModel(parameters: p, particleModes: nil), protocol: protocolText, options: options)
    let diff = try Self.stepwiseDifference(two, single)
    print("cell-file populations (negative 30/70): max|ΔV| \(diff) V")
    #expect(diff < 1e-6)
  }

  @Test(
    "bad populations are reported with their path",
    arguments: [
      ("fractions 0.3 + 0.6", "negative.populations", "add up"),
      ("one population", "negative.populations", "at least two"),
      ("both fractions", "negative.populations[0].active_material_volume_fraction", "not both"),
      ("no fraction", "negative.populations[1].fraction_of_active_material", "missing"),
      ("no OCP", "negative.populations[1].ocp_V", "missing"),
    ])
  func badPopulations(_ testCase: (String, String, String)) throws {
    let (name, path, problem) = testCase
    let text = try Self.chenWithPopulations { pops in
      switch name {
      case "fractions 0.3 + 0.6": pops[1]["fraction_of_active_material"] = 0.6
      case "one population": pops.removeLast()
      case "both fractions": pops[0]["active_material_volume_fraction"] = 0.2
      case "no fraction": pops[1]["fraction_of_active_material"] = nil
      default: pops[1]["ocp_V"] = nil
      }
    }
    #expect {
      _ = try LithiumIonParameters.load(text: text, fileName: "chen-populations.json")
    } throws: { error in
      let message = "\(error)"
      return message.contains(path) && message.contains(problem)
    }
  }
}
