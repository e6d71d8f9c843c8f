// CellSim — BPXTests/ProfileStepTests.swift
//
// The protocol step `Run <file.csv>`: a current / C-rate / power profile followed with linear
// interpolation (> 0 discharge), ending on limits; malformed profile CSVs reported with file:line.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Profile step (Run profile.csv)")
struct ProfileStepTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  /// A fresh temporary directory holding `files`.
  static func directory(_ files: [String: String]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cellsim-profile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return dir
  }

  @Test("parses Run with a path, a duration, limits and a temperature")
  func parses() throws {
    let dir = try Self.directory(["p.csv": "time_s,current_A\n0,1\n10,2\n", "q.csv": "# comment\ntime_s,c_rate\n5,1\n6,-1\n\n"])
    let p = try CellProtocol(parsing: "Run p.csv for 5 s or until 2.5 V at 25 °C; Run q.csv", profileDirectory: dir)
    #expect(p.steps.count == 2)
    guard case .profile(let profile) = p.steps[0].control else { Issue.record("not a profile"); return }
    #expect(profile.quantity == .current && profile.time == [0, 10] && profile.values == [1, 2])
    #expect(profile.source == "p.csv")
    #expect(p.steps[0].duration == 5 && p.steps[0].limits == [.voltage(2.5)])
    #expect(abs((p.steps[0].ambientTemperature ?? 0) - 298.15) < 1e-12)
    #expect(p.steps[0].text == "Run p.csv for 5 s or until 2.5 V at 25 °C")
    guard case .profile(let q) = p.steps[1].control else { Issue.record("not a profile"); return }
    #expect(q.quantity == .cRate && q.duration == 1)
    #expect(profile.value(atElapsed: 2.5) == 1.25)
    #expect(profile.value(atElapsed: 20) == 2)
    let quoted = try CellProtocol(parsing: "Run \"p.csv\" until 3 V", profileDirectory: dir)
    #expect(quoted.steps[0].limits == [.voltage(3)])
  }

  @Test("malformed profile CSVs: file, line and problem")
  func malformed() throws {
    let cases: [(String, String)] = [
      ("time_s,current_A\n0,1\n10,abc\n", "bad.csv:3: current_A 'abc' is not a finite number"),
      ("time_s,current_A\n0,1\n10,2\n5,3\n", "bad.csv:4: time 5 s does not increase"),
      ("time_s,current_A\n0,1\n\n10,2\n", "bad.csv:3: blank line inside the data (a gap)"),
      ("time_s,current_A\n0,1\n10,\n", "bad.csv:3: empty current_A field (a gap in the data)"),
      ("time_s,current_A\n0,1\n10,2,3\n", "bad.csv:3: expected 2 fields"),
      ("t,I\n0,1\n", "bad.csv:1: expected the header 'time_s,<quantity>'"),
      ("time_s,current_A\n0,1\n", "bad.csv:2: a profile needs at least 2 data lines"),
    ]
    for (text, expected) in cases {
      let dir = try Self.directory(["bad.csv": text])
      #expect {
        _ = try CellProtocol(parsing: "Discharge at 1C for 1 s\nRun bad.csv until 2.5 V", profileDirectory: dir)
      } throws: { error in
        let e = error as? ProtocolParseError
        let ok = e?.line == 2 && e?.column == 5 && e?.description.contains(expected) == true
        if !ok { print("got: \(error) expected: \(expected)") }
        return ok
      }
    }
    #expect {
      _ = try CellProtocol(parsing: "Run missing.csv", profileDirectory: FileManager.default.temporaryDirectory)
    } throws: { "\($0)".contains("missing.csv: cannot be read") }
    #expect {
      _ = try CellProtocol(parsing: "Run")
    } throws: { "\($0)".contains("expected a profile CSV file") }
  }

  @Test("a constant 1C profile gives the constant-current discharge, ending on the voltage limit")
  func constantProfileEqualsDischarge() throws {
    let dir = try Self.directory(["cc.csv": "time_s,current_A\n0,5\n10000,5\n"])
    let parameters = try LithiumIonParameters.load(contentsOf: Self.chen)
    let model = try SingleParticleModel(parameters: parameters)
    // Rows on the 10 s grid only, so both curves have rows at the same times (the profile step is
    // integrated by the BDF, the constant current in closed form, so voltage-step rows would differ).
    let grid = SimulationOptions(outputVoltageStep: 0)
    let profile = try ProtocolEngine.run(
      model: model, protocol: CellProtocol(parsing: "Run cc.csv until 3.0 V", profileDirectory: dir), options: grid)
    let cc = try ProtocolEngine.run(
      model: model, protocol: CellProtocol(parsing: "Discharge at 5 A until 3.0 V"), options: grid)
    #expect(profile.status == .completed)
    #expect(profile.steps[0].reason == .voltageLimit(3.0))
    let t = try #require(profile.column("time_s"))
    let v = try #require(profile.column("voltage_V"))
    let diff = maximumDifference(
      times: t, values: v, referenceTimes: try #require(cc.column("time_s")), referenceValues: try #require(cc.column("voltage_V")))
    #expect(diff < 1e-4)
    #expect(abs(profile.steps[0].endTime - cc.steps[0].endTime) < 0.5)
  }

  @Test("a drive cycle with charge pulses is followed with linear interpolation, then ends with the profile")
  func followsProfile() throws {
    // 1C for 60 s, ramp to a 0.5C charge pulse (negative), back to 2C, rest.
    let csv = "time_s,c_rate\n0,1\n60,1\n70,-0.5\n100,-0.5\n110,2\n200,2\n201,0\n300,0\n"
    let dir = try Self.directory(["drive.csv": csv])
    let parameters = try LithiumIonParameters.load(contentsOf: Self.chen)
    let model = try SingleParticleModelWithElectrolyte(parameters: parameters)
    let text = "Run drive.csv until 2.5 V"
    let cellProtocol = try CellProtocol(parsing: text, profileDirectory: dir)
    let result = try ProtocolEngine.run(
      model: model, protocol: cellProtocol, options: SimulationOptions(initialCondition: .stateOfCharge(0.8), outputInterval: 1))
    #expect(result.status == .completed)
    #expect(abs(result.steps[0].endTime - 300) < 1e-6)
    guard case .profile(let profile) = cellProtocol.steps[0].control else { Issue.record("not a profile"); return }
    let t = try #require(result.column("time_s"))
    let current = try #require(result.column("current_A"))
    // Rows between solver steps are interpolated by the integrator's polynomial, which rounds the
    // profile's corners within one step: exact away from the breakpoints, within 10 mA at them.
    var worst = 0.0
    var worstSmooth = 0.0
    for (k, time) in t.enumerated() {
      let d = abs(current[k] - 5 * profile.value(atElapsed: time))
      worst = max(worst, d)
      if profile.time.allSatisfy({ abs($0 - time) > 2 }) { worstSmooth = max(worstSmooth, d) }
    }
    #expect(worstSmooth < 1e-6)
    #expect(worst < 1e-2)
    // Net charge: 5 A × (60 + 5 − 2.5·… ) — the trapezoid integral of the profile.
    var q = 0.0
    for k in 1..<profile.time.count {
      q += 0.5 * (profile.values[k] + profile.values[k - 1]) * (profile.time[k] - profile.time[k - 1])
    }
    #expect(abs(result.steps[0].capacity - 5 * q / 3600) < 1e-6)
  }

  @Test("a discharge profile ends on the step's voltage limit before its end")
  func endsOnLimit() throws {
    let dir = try Self.directory(["hard.csv": "time_s,current_A\n0,10\n20000,10\n"])
    let parameters = try LithiumIonParameters.load(contentsOf: Self.chen)
    let model = try SingleParticleModel(parameters: parameters)
    let result = try ProtocolEngine.run(
      model: model, protocol: CellProtocol(parsing: "Run hard.csv until 3.2 V", profileDirectory: dir))
    #expect(result.steps[0].reason == .voltageLimit(3.2))
    #expect(abs(result.steps[0].endVoltage - 3.2) < 1e-6)
    #expect(result.steps[0].endTime < 20000)
    // Without a limit of its own it stops at the cell's cut-off (2.5 V).
    let free = try ProtocolEngine.run(
      model: model, protocol: CellProtocol(parsing: "Run hard.csv", profileDirectory: dir))
    #expect(free.steps[0].reason == .cellVoltageLimit(2.5))
  }
}
