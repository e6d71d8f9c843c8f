// CellSim — EndToEndTests/ParamsAndHelpTests.swift
//
// `cellsim params check` on the shipped and on broken cell files; `--help`.

import Foundation
import Testing
import _TestSupport

@Suite("cellsim params check and help")
struct ParamsAndHelpTests {
  @Test("params check accepts every shipped lithium-ion cell", arguments: ["Chen2020", "Marquis2019", "Prada2013"])
  func checkShipped(_ name: String) throws {
    let file = cellDirectory.appendingPathComponent("\(name).json")
    let run = try cellsim(["params", "check", file.path])
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.isEmpty, "\(run)")
    #expect(run.stdout.contains("'\(name)' is valid"), "\(run.stdout)")
    for text in ["negative electrode capacity", "positive electrode capacity", "1C current", "initial stoichiometry"] {
      #expect(run.stdout.contains(text), "\(name): no '\(text)' in\n\(run.stdout)")
    }
    // The 1C current is a positive number of amperes.
    let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("1C current") })
    let fields = line.split(separator: " ")
    #expect(fields.last == "A", "\(line)")
    let value = try #require(Double(String(fields[fields.count - 2])), "\(line)")
    #expect(value > 0)
    if name == "Chen2020" { #expect(abs(value - 5) < 1e-9, "Chen2020 is a 5 A h cell") }
  }

  @Test("params check reports every problem of a file at once")
  func checkBroken() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("Broken.json")
    var cell = modified(try chen2020Object(), "negative", "particle_radius_m", nil)
    cell = modified(cell, "positive", "thickness_m", -7.5e-5)
    cell = modified(cell, "separator", "tortuosity", 1.5)
    try writeJSON(cell, to: url)

    let run = try cellsim(["params", "check", url.path])
    #expect(run.status == 1, "\(run)")
    let lines = run.stderrLines
    #expect(lines.count == 3, "\(run.stderr)")
    #expect(lines.allSatisfy { $0.contains("Broken.json") }, "\(run.stderr)")
    #expect(lines.contains { $0.contains("negative.particle_radius_m") && $0.contains("missing") }, "\(run.stderr)")
    #expect(lines.contains { $0.contains("positive.thickness_m") && $0.contains("> 0") }, "\(run.stderr)")
    #expect(lines.contains { $0.contains("separator.tortuosity") && $0.contains("unknown") }, "\(run.stderr)")
    #expect(!run.stdout.contains("is valid"))
    for marker in crashMarkers { #expect(!run.stderr.contains(marker)) }
  }

  @Test("params check on a missing file and on invalid JSON")
  func checkUnreadable() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = try cellsim(["params", "check", dir.appendingPathComponent("Nowhere.json").path])
    #expect(missing.status == 1, "\(missing)")
    #expect(missing.stderr.contains("Nowhere.json"), "\(missing)")
    let url = dir.appendingPathComponent("Half.json")
    try "{ \"schema\": \"cellsim.cell/1\",\n".write(to: url, atomically: true, encoding: .utf8)
    let half = try cellsim(["params", "check", url.path])
    #expect(half.status == 1, "\(half)")
    #expect(half.stderr.contains("Half.json") && half.stderr.contains("line"), "\(half)")
    #expect(half.stderrLines.count <= 2, "\(half)")
    let none = try cellsim(["params", "check"])
    #expect(none.status == 2, "\(none)")
  }

  @Test("--help teaches the protocol language")
  func help() throws {
    let root = try cellsim(["--help"])
    #expect(root.status == 0, "\(root)")
    #expect(root.stdout.contains("cellsim run --cell"), "\(root.stdout)")
    #expect(root.stdout.contains("Discharge at 1C until 2.5 V"), "\(root.stdout)")
    #expect(root.stdout.contains("params check"))
    #expect(root.stdout.contains("docs/protocol-grammar.md"))
    for subcommand in ["compare (default)", "run", "sweep", "params", "bench"] {
      #expect(root.stdout.contains("  \(subcommand) "), "cellsim --help does not list \(subcommand)")
    }

    let run = try cellsim(["run", "--help"])
    #expect(run.status == 0, "\(run)")
    #expect(run.stdout.contains("Hold at 4.2 V until C/20"), "\(run.stdout)")
    for flag in [
      "--cell", "--model", "--protocol", "--protocol-file", "--out", "--dt", "--soc", "--initial-voltage", "--ambient",
      "--thermal", "--profiles", "--rtol", "--quiet",
    ] {
      #expect(run.stdout.contains(flag), "run --help does not mention \(flag)")
    }
    let check = try cellsim(["params", "check", "--help"])
    #expect(check.status == 0, "\(check)")
    #expect(check.stdout.contains("<file>"))
    let subcommands: [[String]: [String]] = [
      ["compare"]: ["--cells", "--c-rates", "--out-dir", "--dt", "--quiet"],
      ["sweep", "run"]: ["--vary", "--design", "--c-rates", "--protocol", "--model", "--out", "--curves", "--jobs", "--shard", "--fresh"],
      ["sweep", "merge"]: ["<file>", "--out"],
      ["params", "import-bpx"]: ["<in.json>", "--out", "--name", "--soc-definition"],
      ["bench"]: ["--case", "--repeat", "--json", "--root"],
    ]
    for (command, flags) in subcommands {
      let help = try cellsim(command + ["--help"])
      #expect(help.status == 0, "\(help)")
      for flag in flags { #expect(help.stdout.contains(flag), "\(command) --help does not mention \(flag)") }
    }
    let helpRun = try cellsim(["help", "run"])
    #expect(helpRun.status == 0 && helpRun.stdout == run.stdout, "\(helpRun)")
  }

  @Test("an unknown subcommand is a usage error")
  func unknownSubcommand() throws {
    let run = try cellsim(["simulate"])
    #expect(run.status == 2, "\(run)")
    #expect(run.stderr.contains("simulate"), "\(run)")
    for marker in crashMarkers { #expect(!run.stderr.contains(marker)) }
  }
}
