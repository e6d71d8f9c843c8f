// CellSim — RobustnessTests/SolverFailureTests.swift
//
// Solver failures provoked on purpose: the run returns the curve up to the failure, a typed reason
// and its time, the summary says so (valid JSON, non-finite numbers as null), and the CLI exits 3.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("solver failures")
struct SolverFailureTests {
  /// Chen2020 with a negative-particle diffusivity of 1e-30 m²/s: the surface empties at once.
  static func chenWithTinyDiffusivity() throws -> JSONValue {
    try ShippedCell.chen2020.json().replacing(["negative", "diffusivity_m2_s"], with: .number(1e-30))
  }
  static let protocolText = "Rest for 10 minutes; Discharge at 1C until 2.5 V; Rest for 1 hour"

  @Test("diffusivity 1e-30: partial curve, typed reason, valid summary (in-process)")
  func inProcess() throws {
    let p = try LithiumIonParameters.load(json: Self.chenWithTinyDiffusivity(), fileName: "Chen2020-D1e-30.json")
    let model = try SingleParticleModel(parameters: p)
    let result = try simulate(model, protocol: CellProtocol(parsing: Self.protocolText))
    guard case .solverFailure(let step, let failure) = result.status else {
      Issue.record("expected a solver failure, got \(result.status)")
      return
    }
    #expect(step == 1)
    #expect(failure.time >= 600 && failure.time.isFinite)
    #expect(result.steps.count == 2, "the run stops in the failing step")
    #expect(result.steps.last?.reason == .solverFailure(failure))
    #expect(result.steps.first?.reason == .duration)
    #expect(result.rowCount > 10, "the rest before the failure is in the curve")
    expectFinite(result, "D = 1e-30")

    let summary = RunSummary(
      result: result, cell: p.header.name, chemistry: "lithium-ion", model: model.name, protocolText: Self.protocolText)
    let json = summary.json()
    #expect(json != "{}")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["completed"] as? Bool == false)
    #expect((object["status"] as? String)?.contains("solver failure in step 2") == true, "\(json)")
    let steps = try #require(object["steps"] as? [[String: Any]])
    #expect(steps.count == 2)
    #expect((steps.last?["ended_by"] as? String)?.contains("solver failure") == true)
  }

  @Test("diffusivity 1e-30 through the CLI: exit 3, the curve so far, a valid summary")
  func executable() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let cell = dir.appendingPathComponent("Chen2020-D1e-30.json")
    try Self.chenWithTinyDiffusivity().text.write(to: cell, atomically: true, encoding: .utf8)
    let run = try cellsim(["run", "--cell", cell.path, "--protocol", Self.protocolText, "--out", "out.csv"], in: dir)
    #expect(run.status == 3, "\(run)")
    #expect(run.stderr.hasPrefix("error: the run stopped in step 2"), "\(run)")
    #expect(run.stderr.contains("the curve up to there was written"))
    for marker in crashMarkers { #expect(!run.stderr.contains(marker), "\(run)") }
    #expect(directoryEntries(dir) == ["Chen2020-D1e-30.json", "out.csv", "out.summary.json"])
    let csv = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
    let rows = csv.split(separator: "\n").dropFirst()
    #expect(rows.count > 10)
    #expect(!csv.lowercased().contains("nan") && !csv.contains("inf"))
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.summary.json")))
        as? [String: Any])
    #expect(summary["completed"] as? Bool == false)
    #expect((summary["status"] as? String)?.contains("solver failure in step 2") == true)
  }

  @Test("a failure at the very start of a run: the summary is valid JSON with nulls for ±inf")
  func summaryWithInfinities() throws {
    let p = try LithiumIonParameters.load(json: Self.chenWithTinyDiffusivity(), fileName: "Chen2020-D1e-30.json")
    let model = try SingleParticleModel(parameters: p)
    let result = try simulate(model, protocol: CellProtocol(parsing: "Discharge at 1C until 2.5 V"))
    guard case .solverFailure(0, _) = result.status else {
      Issue.record("expected a failure in step 1, got \(result.status)")
      return
    }
    let summary = RunSummary(result: result, cell: "x", chemistry: "lithium-ion", model: "SPM", protocolText: "…",
      figures: ["dip_V": -.infinity, "ok": 1])
    #expect(summary.steps.contains { !$0.end_voltage_V.isFinite || !$0.mean_voltage_V.isFinite }, "the case this test is about")
    let json = summary.json()
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
    let step = try #require((object["steps"] as? [[String: Any]])?.first)
    #expect(step["end_voltage_V"] is NSNull)
    #expect((object["figures"] as? [String: Any])?["dip_V"] is NSNull)
    #expect((object["figures"] as? [String: Any])?["ok"] as? Double == 1)
  }

  /// Li-S with the high-plateau exchange-current density `j0` [A/m²], discharged at 1C for 1 s.
  static func lisWithExchangeCurrent(_ j0: Double) throws -> (SimulationResult, seconds: Double) {
    let json = try ShippedCell.marinescu2016.json()
      .replacing(["reactions", "high_exchange_current_density_A_m2"], with: .number(j0))
    let model = try LithiumSulfurModel(parameters: LithiumSulfurParameters.load(json: json, fileName: "lis-j0.json"))
    let start = Date()
    let result = try simulate(model, protocol: CellProtocol(parsing: "Discharge at 1C for 1 s"))
    let seconds = Date().timeIntervalSince(start)
    print("Li-S j0 = \(j0): \(result.status) after \(String(format: "%.1f", seconds)) s")
    return (result, seconds)
  }

  @Test("a stiff cell whose steps barely advance ends with 'too many steps', not a hang")
  func tooManySteps() throws {
    // j0 = 1e30 A/m²: steps of ~1e-12 s, which used to run forever.
    let (result, seconds) = try Self.lisWithExchangeCurrent(1e30)
    guard case .solverFailure(0, .tooManySteps(let t, let steps)) = result.status else {
      Issue.record("expected too many steps, got \(result.status)")
      return
    }
    #expect(t < 1 && steps == IntegratorOptions().maximumSteps)
    expectFinite(result, "j0 = 1e30")
    #expect(seconds < 40)
  }

  @Test("an absurd exchange current (1e300 A/m²) ends in a solver failure at once")
  func singularIterationMatrix() throws {
    // The analytic Jacobian's entries (~1e300) swamp the mass matrix: M − c·J is singular in floating
    // point (its rows for S8 and V proportional).
    let (result, seconds) = try Self.lisWithExchangeCurrent(1e300)
    guard case .solverFailure(0, let failure) = result.status else {
      Issue.record("expected a solver failure, got \(result.status)")
      return
    }
    #expect(failure.time < 1)
    expectFinite(result, "j0 = 1e300")
    #expect(seconds < 40)
  }
}
