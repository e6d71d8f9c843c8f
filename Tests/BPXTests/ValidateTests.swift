// CellSim — BPXTests/ValidateTests.swift
//
// `cellsim validate`: the measured current replayed as a profile step, RMSE and max |ΔV| against the
// measured voltage; the BPX NMC pouch cell's 1C curve gives PyBaMM's RMSE; malformed measured-data
// CSVs are reported with file:line; the command's outputs and exit statuses.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("cellsim validate")
struct ValidateTests {
  static let nmc = fixtureURL("nmc_pouch_cell_BPX.json")
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  /// The measured 1C discharge of the NMC example, and the PyBaMM RMSE against it computed here from
  /// the committed PyBaMM curve (measured points up to the end of the PyBaMM discharge), as
  /// BPXImportTests.matchesMeasuredCurve does.
  static func pybammRMSE(_ model: String, _ measured: MeasuredCurve) throws -> Double {
    let reference = try ReferenceCurve(contentsOf: fixtureURL("nmc_pouch_\(model == "spm" ? "SPM" : "SPMe")_1C.csv"))
    let t = reference.column("time_s")
    let v = reference.column("voltage_V")
    let end = t.last ?? 0
    var sum = 0.0
    var n = 0
    for (k, tm) in measured.time.enumerated() where tm <= end {
      let d = interpolate(t, v, at: tm) - measured.voltage[k]
      sum += d * d
      n += 1
    }
    return (sum / Double(n)).squareRoot()
  }

  @Test("the NMC pouch cell's measured 1C curve gives PyBaMM's RMSE (SPM 26.22 mV, SPMe 19.53 mV)", arguments: ["spm", "spme"])
  func nmcOneC(_ modelName: String) throws {
    let conversion = try BPXImport.convert(contentsOf: Self.nmc)
    let measured = try MeasuredCurve(try #require(conversion.validation.first { $0.name == "1C discharge" }))
    #expect(measured.current.allSatisfy { $0 == 12.5 })
    let model = try LoadedCell(contentsOf: Self.nmc).makeModel(modelName)
    let result = try Validation.run(model, against: measured, modelName: modelName)
    let pybamm = try Self.pybammRMSE(modelName, measured)
    print("validate NMC \(modelName) 1C: RMSE \(result.rmse * 1e3) mV (PyBaMM \(pybamm * 1e3) mV), max|ΔV| \(result.maximumDifference * 1e3) mV")
    #expect(result.status == .completed)
    #expect(result.coversMeasurement)
    #expect(result.comparedPoints == measured.time.count)
    #expect(abs(result.rmse - pybamm) < 5e-4)
    let established = modelName == "spm" ? 26.22e-3 : 19.53e-3
    #expect(abs(result.rmse - established) < 0.05e-3)
    // The figures are what they say: recomputed from the returned simulated voltages.
    var sum = 0.0
    var worst = 0.0
    for k in measured.time.indices {
      let d = result.simulatedVoltage[k] - measured.voltage[k]
      sum += d * d
      worst = max(worst, abs(d))
    }
    #expect(abs((sum / Double(measured.time.count)).squareRoot() - result.rmse) < 1e-12)
    #expect(worst == result.maximumDifference)
  }

  @Test("a replay that reaches the cut-off early compares only the points up to there")
  func earlyEnd() throws {
    // A 3C "measurement" of Chen2020 that goes on for 2 h: the SPM reaches 2.5 V long before.
    let time = stride(from: 0.0, through: 7200, by: 60).map { $0 }
    let curve = try MeasuredCurve(
      name: "long", time: time, current: time.map { _ in 15 }, voltage: time.map { 3.6 - 1e-4 * $0 })
    let model = try LoadedCell(contentsOf: Self.chen).makeModel("spm")
    let r = try Validation.run(model, against: curve)
    #expect(!r.coversMeasurement)
    #expect(r.endReason == .cellVoltageLimit(2.5))
    #expect(r.comparedPoints > 10 && r.comparedPoints < time.count)
    #expect(r.simulatedVoltage[r.comparedPoints - 1].isFinite && r.simulatedVoltage[r.comparedPoints].isNaN)
    #expect(time[r.comparedPoints - 1] <= r.simulatedEnd && time[r.comparedPoints] > r.simulatedEnd)
  }

  @Test("the measured curve may start at any time; the output interval hits uniformly sampled points")
  func shiftedStart() throws {
    let model = try LoadedCell(contentsOf: Self.chen).makeModel("spm")
    let base = try MeasuredCurve(name: "a", time: [0, 100, 200, 300], current: [5, 5, 5, 5], voltage: [4, 3.9, 3.8, 3.7])
    let shifted = try MeasuredCurve(name: "b", time: [1000, 1100, 1200, 1300], current: [5, 5, 5, 5], voltage: [4, 3.9, 3.8, 3.7])
    let a = try Validation.run(model, against: base)
    let b = try Validation.run(model, against: shifted)
    #expect(a.comparedPoints == 4 && b.comparedPoints == 4)
    for k in 0..<4 { #expect(abs(a.simulatedVoltage[k] - b.simulatedVoltage[k]) < 1e-9) }
    #expect(Validation.outputInterval(for: base) == 10)
    let fine = try MeasuredCurve(name: "c", time: [0, 1, 2.5], current: [1, 1, 1], voltage: [4, 4, 4])
    #expect(Validation.outputInterval(for: fine) == 1)
    let odd = try MeasuredCurve(name: "d", time: [0, 25, 50], current: [1, 1, 1], voltage: [4, 4, 4])
    #expect(Validation.outputInterval(for: odd) == 25.0 / 3)
  }

  @Test("malformed measured-data CSVs: file, line and problem")
  func malformed() {
    let cases: [(String, String)] = [
      ("time_s,current_A,voltage_V\n0,1,4\n10,1,abc\n", "m.csv:3: voltage_V 'abc' is not a finite number"),
      ("time_s,current_A,voltage_V\n0,1,4\n10,1,3.9\n5,1,3.8\n", "m.csv:4: time 5 s does not increase"),
      ("time_s,current_A,voltage_V\n0,1,4\n\n10,1,3.9\n", "m.csv:3: blank line inside the data (a gap)"),
      ("time_s,current_A,voltage_V\n0,1,4\n10,,3.9\n", "m.csv:3: empty current_A field (a gap in the data)"),
      ("time_s,current_A,voltage_V\n0,1,4\n10,1\n", "m.csv:3: expected 3 fields as in the header, found 2"),
      ("# measured\ntime_s,current_A\n0,1\n", "m.csv:2: the header must name the columns time_s,current_A,voltage_V"),
      ("time_s,current_A,voltage_V\n0,1,4\n", "m.csv:2: a measured curve needs at least 2 data lines, found 1"),
      ("", "m.csv:1: no header"),
    ]
    for (text, expected) in cases {
      #expect {
        _ = try MeasuredCurve(csv: text, source: "m.csv")
      } throws: { error in
        let ok = "\(error)".hasPrefix(expected)
        if !ok { print("got: \(error) expected: \(expected)") }
        return ok
      }
    }
    // Extra columns are ignored, in any order; comments and trailing blank lines are fine.
    let curve = try? MeasuredCurve(
      csv: "# rig 3\nvoltage_V,temperature_K,time_s,current_A\n4.1,298,0,2\n4.0,299,10,2\n\n", source: "ok.csv")
    #expect(curve?.time == [0, 10] && curve?.voltage == [4.1, 4.0] && curve?.current == [2, 2])
  }

  // MARK: - The command

  @Test("validate on the BPX file: table, side-by-side CSV, one SVG overlay per experiment, exit 0")
  func commandOnBPX() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("v.csv")
    let outcome = try runCellsim(
      ["validate", "--cell", Self.nmc.path, "--out", out.path, "--svg", dir.appendingPathComponent("v.svg").path])
    #expect(outcome.status == 0, "\(outcome)")
    #expect(outcome.stdout.contains("1C discharge") && outcome.stdout.contains("C/20 discharge"))
    let oneC = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("1C discharge") }
    #expect(oneC.count == 2)
    #expect(oneC.first { $0.contains(" spm ") }?.contains("26.22") == true)
    #expect(oneC.first { $0.contains(" spme ") }?.contains("19.53") == true)
    let csv = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
    #expect(csv.first == "experiment,time_s,current_A,measured_voltage_V,spm_voltage_V,spme_voltage_V,spm_difference_V,spme_difference_V")
    #expect(csv.count == 1 + 76 + 38)
    let svgs = directoryEntries(dir).filter { $0.hasSuffix(".svg") }
    #expect(svgs == ["v-1C_discharge.svg", "v-C_20_discharge.svg"])
    let svg = try String(contentsOf: dir.appendingPathComponent("v-1C_discharge.svg"), encoding: .utf8)
    #expect(svg.components(separatedBy: "<path").count - 1 == 3)  // measured, spm, spme
    #expect(!directoryEntries(dir).contains { $0.hasPrefix(".") })
  }

  @Test("a blended cell validates with both models (spm, spme) against PyBaMM's blended SPMe curve as data")
  func blendedCellBothModels() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // PyBaMM's blended SPMe 1C discharge as the "measured" curve: spme replays it to < 1 mV.
    let reference = try ReferenceCurve(contentsOf: fixtureURL("nmc_pouch_blended_SPMe_1C.csv"))
    var text = "time_s,current_A,voltage_V\n"
    for (t, v) in zip(reference.column("time_s"), reference.column("voltage_V")) { text += "\(t),12.5,\(v)\n" }
    let data = dir.appendingPathComponent("pybamm_spme.csv")
    try text.write(to: data, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("out.csv")
    let run = try runCellsim([
      "validate", "--cell", fixtureURL("nmc_pouch_cell_BPX_blended_electrode.json").path, "--data", data.path, "--out", out.path,
    ])
    #expect(run.status == 0, "\(run)")
    #expect(try String(contentsOf: out, encoding: .utf8).hasPrefix(
      "experiment,time_s,current_A,measured_voltage_V,spm_voltage_V,spme_voltage_V,spm_difference_V,spme_difference_V\n"))
    let spme = try #require(run.stdout.split(separator: "\n").first { $0.contains(" spme ") })
    let rmse = try #require(Double(spme.split(separator: " ", omittingEmptySubsequences: true)[3]))
    print("blended cell, validate spme against PyBaMM's blended SPMe: \(spme)")
    #expect(rmse < 0.1, "RMSE \(rmse) mV")
  }

  @Test("validate with --data on a non-BPX cell; bad inputs give exit 1 (file:line) or 2, and no output")
  func commandStatuses() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = dir.appendingPathComponent("measured.csv")
    try "time_s,current_A,voltage_V\n0,5,4.0\n600,5,3.8\n1200,5,3.7\n".write(to: good, atomically: true, encoding: .utf8)
    let bad = dir.appendingPathComponent("bad.csv")
    try "time_s,current_A,voltage_V\n0,5,4.0\n600,5,3,8\n".write(to: bad, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("out.csv")

    let ok = try runCellsim(["validate", "--cell", Self.chen.path, "--data", good.path, "--model", "spme", "--out", out.path])
    #expect(ok.status == 0, "\(ok)")
    #expect(ok.stdout.contains("measured.csv") && ok.stdout.contains("3/3"))
    #expect(try String(contentsOf: out, encoding: .utf8).hasPrefix("experiment,time_s,current_A,measured_voltage_V,spme_voltage_V,spme_difference_V\n"))
    try FileManager.default.removeItem(at: out)

    let malformed = try runCellsim(["validate", "--cell", Self.chen.path, "--data", bad.path, "--out", out.path])
    #expect(malformed.status == 1, "\(malformed)")
    #expect(malformed.stderr.contains("\(bad.path):3: expected 3 fields as in the header, found 4"))
    #expect(!FileManager.default.fileExists(atPath: out.path))

    let noData = try runCellsim(["validate", "--cell", Self.chen.path, "--out", out.path])
    #expect(noData.status == 1 && noData.stderr.contains("no measured curves"), "\(noData)")
    let badModel = try runCellsim(["validate", "--cell", Self.nmc.path, "--model", "dfn"])
    #expect(badModel.status == 1 && badModel.stderr.contains("model 'dfn' is not available"), "\(badModel)")
    let badExperiment = try runCellsim(["validate", "--cell", Self.nmc.path, "--experiment", "2C discharge"])
    #expect(badExperiment.status == 1 && badExperiment.stderr.contains("'1C discharge'"), "\(badExperiment)")
    let usage = try runCellsim(["validate", "--cell", Self.nmc.path, "--soc", "2"])
    #expect(usage.status == 2, "\(usage)")
    let missingDir = try runCellsim(
      ["validate", "--cell", Self.nmc.path, "--experiment", "1C discharge", "--out", dir.appendingPathComponent("no/such/v.csv").path])
    #expect(missingDir.status == 1 && missingDir.stderr.contains("does not exist"), "\(missingDir)")
    #expect(directoryEntries(dir).sorted() == ["bad.csv", "measured.csv"])
  }
}

// MARK: - Running the executable (as EndToEndTests/Support.swift does)

/// The `cellsim` executable built with the tests: beside the test bundle (`<scratch>/debug/cellsim`).
private let cellsimExecutable: URL = {
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("cellsim")
  if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
  // `swift test` may run the bundle from elsewhere: look in the scratch directory the bundle is in.
  var url = URL(fileURLWithPath: CommandLine.arguments[0])
  while url.path != "/" {
    url.deleteLastPathComponent()
    let candidate = url.appendingPathComponent("debug/cellsim")
    if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
  }
  return beside
}()

private func runCellsim(_ arguments: [String]) throws -> ProcessOutcome {
  try runProcess(cellsimExecutable, arguments)
}

private func temporaryDirectory() throws -> URL { try makeTemporaryDirectory(prefix: "cellsim-validate") }
