// CellSim — RobustnessTests/LimitsTests.swift
//
// Limits: a 10 000-step protocol parses and runs with the CLI streaming its rows in bounded memory;
// many cycles (a reduced form of the 1 000-cycle run, whose time docs/robustness.md records); a 1 ms
// output interval streams without stalling.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("limits")
struct LimitsTests {
  @Test("a protocol of 10 000 steps parses in-process")
  func parseTenThousandSteps() throws {
    let text = String(repeating: "Rest for 1 s\n", count: 9_999) + "Discharge at 1C for 1 s\n"
    let start = Date()
    let p = try CellProtocol(parsing: text)
    #expect(p.steps.count == 10_000)
    #expect(p.steps.last?.location.line == 10_000)
    #expect(Date().timeIntervalSince(start) < 10)
    let repeated = try CellProtocol(parsing: "repeat 5000 { Rest for 1 s; Discharge at 0.1C for 1 s }")
    #expect(repeated.steps.count == 10_000)
    #expect(repeated.steps.last?.cycle == 5000)
  }

  /// On the lithium-sulfur cell (the cheapest model per step: ~0.2 ms in a debug build, against
  /// ~1.5 ms for the SPM), so that CI stays fast.
  @Test("a 10 000-step protocol runs through the CLI, streaming its rows in bounded memory")
  func runTenThousandSteps() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try (String(repeating: "Rest for 1 s\nDischarge at 0.1C for 1 s\n", count: 5_000))
      .write(to: dir.appendingPathComponent("steps.txt"), atomically: true, encoding: .utf8)
    let run = try cellsim(
      ["run", "--cell", ShippedCell.marinescu2016.url.path, "--protocol-file", "steps.txt", "--out", "out.csv", "--quiet"],
      in: dir, timeout: 120)
    print("10 000 steps through the CLI: exit \(run.status), \(String(format: "%.1f", run.seconds)) s, peak RSS \(run.maximumResidentKB / 1024) MB")
    #expect(run.status == 0, "\(run)")
    let csv = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
    let rows = csv.split(separator: "\n").count - 1
    #expect(rows >= 20_000, "each step writes its start and end")
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out.summary.json")))
        as? [String: Any])
    #expect((summary["steps"] as? [Any])?.count == 10_000)
    #expect(run.maximumResidentKB < 300 * 1024, "peak RSS \(run.maximumResidentKB) KB")
  }

  @Test("cycling: 10 full cycles (the reduced 1 000-cycle run) complete with finite, repeating capacity")
  func cycling() throws {
    let model = try LoadedCell(contentsOf: ShippedCell.chen2020.url).makeModel()
    let proto = try CellProtocol(
      parsing: "repeat 10 { Discharge at 1C until 2.5 V; Rest for 10 minutes; Charge at 1C until 4.2 V; Hold at 4.2 V until C/20 }")
    let start = Date()
    let result = try simulate(model, protocol: proto, options: SimulationOptions(keepsCurve: false))
    let seconds = Date().timeIntervalSince(start)
    print("10 cycles of Chen2020 SPM in-process: \(String(format: "%.1f", seconds)) s, \(result.statistics.steps) solver steps")
    #expect(result.status == .completed)
    #expect(result.steps.count == 40)
    let discharges = result.steps.filter { $0.text.hasPrefix("Discharge") }.map(\.capacity)
    #expect(discharges.allSatisfy { $0.isFinite && $0 > 4 })
    #expect(abs((discharges.last ?? 0) - (discharges.dropFirst().first ?? 0)) < 1e-3, "\(discharges)")
  }

  @Test("--dt 0.001 on a short step streams every millisecond without stalling")
  func millisecondOutput() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["run", "--cell", ShippedCell.chen2020.url.path, "--protocol", "Discharge at 1C for 20 s", "--dt", "0.001",
       "--out", "out.csv", "--quiet"], in: dir, timeout: 60)
    print("--dt 0.001 for 20 s: exit \(run.status), \(String(format: "%.1f", run.seconds)) s, peak RSS \(run.maximumResidentKB / 1024) MB")
    #expect(run.status == 0, "\(run)")
    let csv = try String(contentsOf: dir.appendingPathComponent("out.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n")
    #expect(lines.count - 1 >= 20_000)
    let times = lines.dropFirst().compactMap { Double($0.prefix { $0 != "," }) }
    #expect(zip(times, times.dropFirst()).allSatisfy { $1 > $0 }, "strictly increasing times")
    #expect(run.seconds < 30)
  }
}
