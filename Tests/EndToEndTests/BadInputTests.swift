// CellSim — EndToEndTests/BadInputTests.swift
//
// Every bad input: the documented exit status, a short message naming the problem, no crash, and no
// output (nor temporary) file left behind; an existing output is left untouched.

import Foundation
import Testing
import _TestSupport

/// One bad invocation of `cellsim run`.
struct BadInput: Sendable, CustomTestStringConvertible {
  /// Where a case may put its input files and where the run writes.
  struct Paths: Sendable {
    var inputs: URL
    var output: URL
  }

  var name: String
  var status: Int32
  /// Texts stderr must contain (the file, field or column, the value…).
  var mentions: [String]
  /// Most lines stderr may have.
  var maximumLines = 4
  /// Longest the run may take [s] (for problems that must be reported before simulating).
  var maximumSeconds: Double?
  var arguments: @Sendable (Paths) throws -> [String]

  var testDescription: String { name }

  /// `cellsim run` with `--cell Chen2020.json --protocol <text> --out <output>` and `extra`.
  static func run(
    _ name: String, protocol text: String, _ extra: [String] = [], status: Int32, mentions: [String]
  ) -> BadInput {
    BadInput(name: name, status: status, mentions: mentions) { paths in
      ["run", "--cell", chen2020.path, "--protocol", text, "--out", paths.output.path] + extra
    }
  }

  /// `cellsim run` on a copy of Chen2020.json changed by `change`, written as `file`.
  static func cell(
    _ name: String, file: String, mentions: [String], maximumLines: Int = 4,
    _ change: @escaping @Sendable ([String: Any]) -> [String: Any]
  ) -> BadInput {
    BadInput(name: name, status: 1, mentions: [file] + mentions, maximumLines: maximumLines) { paths in
      let url = paths.inputs.appendingPathComponent(file)
      try writeJSON(change(try chen2020Object()), to: url)
      return ["run", "--cell", url.path, "--protocol", "Discharge at 1C until 2.5 V", "--out", paths.output.path]
    }
  }

  static let all: [BadInput] = [
    // Protocol text.
    .run(
      "misspelt step", protocol: "Dischrge at 1C until 2.5 V", status: 1,
      mentions: ["line 1, column 1", "'Dischrge'", "did you mean 'Discharge'"]),
    .run(
      "unknown unit", protocol: "Discharge at 1 Amps until 2.5 V", status: 1,
      mentions: ["line 1, column 16", "'Amps'", "unit"]),
    .run(
      "negative C-rate", protocol: "Discharge at -1C until 2.5 V", status: 1,
      mentions: ["line 1, column 14", "'-1'", "positive"]),
    .run("empty protocol", protocol: "", status: 1, mentions: ["protocol", "at least one step"]),
    .run("protocol of comments only", protocol: " ;  # nothing", status: 1, mentions: ["protocol", "at least one step"]),
    .run(
      "error on a later line", protocol: "Rest for 1 s\nHold at 4.2 V", status: 1,
      mentions: ["line 2", "a hold needs a duration or a limit"]),
    BadInput(name: "missing protocol file", status: 1, mentions: ["NoSuchProtocol.txt"]) { paths in
      [
        "run", "--cell", chen2020.path, "--protocol-file", paths.inputs.appendingPathComponent("NoSuchProtocol.txt").path,
        "--out", paths.output.path,
      ]
    },
    BadInput(name: "error in a protocol file names the file", status: 1, mentions: ["steps.txt", "line 3", "'Rset'"]) {
      paths in
      let url = paths.inputs.appendingPathComponent("steps.txt")
      try "# test\nDischarge at 1C for 1 minute\nRset for 1 minute\n".write(to: url, atomically: true, encoding: .utf8)
      return ["run", "--cell", chen2020.path, "--protocol-file", url.path, "--out", paths.output.path]
    },

    // Cell files.
    BadInput(name: "missing cell file", status: 1, mentions: ["NoSuchCell.json", "no such cell file"]) { paths in
      [
        "run", "--cell", paths.inputs.appendingPathComponent("NoSuchCell.json").path, "--protocol", "Rest for 1 s",
        "--out", paths.output.path,
      ]
    },
    .cell("missing field", file: "NoRadius.json", mentions: ["negative.particle_radius_m", "missing"]) {
      modified($0, "negative", "particle_radius_m", nil)
    },
    .cell("negative thickness", file: "NegativeThickness.json", mentions: ["positive.thickness_m", "-0.25", "> 0"]) {
      modified($0, "positive", "thickness_m", -0.25)
    },
    .cell("unknown field", file: "Unknown.json", mentions: ["separator.tortuosity", "unknown field"]) {
      modified($0, "separator", "tortuosity", 1.5)
    },
    .cell(
      "misspelt field", file: "Misspelt.json", mentions: ["negative.porosty", "did you mean 'porosity'"]
    ) {
      let cell = modified($0, "negative", "porosity", nil)
      return modified(cell, "negative", "porosty", 0.25)
    },
    .cell("mistyped field", file: "Mistyped.json", mentions: ["negative.thickness_m", "85 um", "number"]) {
      modified($0, "negative", "thickness_m", "85 um")
    },
    .cell("stoichiometry above 1", file: "Overfull.json", mentions: ["negative.initial_concentration_mol_m3", "40000"]) {
      modified($0, "negative", "initial_concentration_mol_m3", 40000)
    },
    .cell("expression that does not parse", file: "BadOCP.json", mentions: ["negative.ocp_V", "exp(-39.3631 * x"]) {
      modified($0, "negative", "ocp_V", "1.9793 * exp(-39.3631 * x")
    },
    BadInput(name: "invalid JSON", status: 1, mentions: ["Truncated.json", "JSON", "line"]) { paths in
      let url = paths.inputs.appendingPathComponent("Truncated.json")
      let text = try String(contentsOf: chen2020, encoding: .utf8)
      try String(text.prefix(400)).write(to: url, atomically: true, encoding: .utf8)
      return ["run", "--cell", url.path, "--protocol", "Rest for 1 s", "--out", paths.output.path]
    },

    // A step that cannot start.
    .run(
      "charge from SOC 1", protocol: "Charge at 1C until 4.2 V", status: 1,
      mentions: ["step 1", "Charge at 1C until 4.2 V", "cannot start", "4.2 V"]),

    // Values and flags.
    .run("unknown model", protocol: "Rest for 1 s", ["--model", "p2d"], status: 1, mentions: ["'p2d'", "spm"]),
    .run(
      "initial voltage outside the OCV range", protocol: "Rest for 1 s", ["--initial-voltage", "5"], status: 1,
      mentions: ["5.0 V", "2.5", "4.2"]),
    .run(
      "both --protocol and --protocol-file", protocol: "Rest for 1 s", ["--protocol-file", "steps.txt"], status: 2,
      mentions: ["--protocol", "--protocol-file"]),
    .run("SOC above 1", protocol: "Rest for 1 s", ["--soc", "1.5"], status: 2, mentions: ["--soc", "1.5"]),
    .run("--soc with --initial-voltage", protocol: "Rest for 1 s", ["--soc", "0.5", "--initial-voltage", "3.8"], status: 2, mentions: ["--soc", "--initial-voltage"]),
    .run("zero --dt", protocol: "Rest for 1 s", ["--dt", "0"], status: 2, mentions: ["--dt"]),
    .run("--ambient without a unit", protocol: "Rest for 1 s", ["--ambient", "25"], status: 2, mentions: ["--ambient", "'25'"]),
    .run("--ambient below 0 K", protocol: "Rest for 1 s", ["--ambient=-300C"], status: 2, mentions: ["--ambient", "-300C"]),
    .run("unknown flag", protocol: "Rest for 1 s", ["--temperature", "25C"], status: 2, mentions: ["--temperature"]),
    BadInput(name: "no --cell", status: 2, mentions: ["--cell"]) { paths in
      ["run", "--protocol", "Rest for 1 s", "--out", paths.output.path]
    },
    BadInput(name: "no protocol", status: 2, mentions: ["--protocol"]) { paths in
      ["run", "--cell", chen2020.path, "--out", paths.output.path]
    },

    // Output paths: reported before simulating a long protocol.
    BadInput(
      name: "output in a missing directory", status: 1, mentions: ["missing", "does not exist"], maximumSeconds: 3
    ) { paths in
      [
        "run", "--cell", chen2020.path, "--out", paths.output.deletingLastPathComponent()
          .appendingPathComponent("missing").appendingPathComponent("out.csv").path,
        "--protocol", "repeat 200 { Discharge at 1C until 2.5 V; Charge at 1C until 4.2 V }",
      ]
    },
    BadInput(name: "output path is a directory", status: 1, mentions: ["is a directory"], maximumSeconds: 3) { paths in
      [
        "run", "--cell", chen2020.path, "--out", paths.inputs.path,
        "--protocol", "repeat 200 { Discharge at 1C until 2.5 V; Charge at 1C until 4.2 V }",
      ]
    },
  ]
}

@Suite("bad input")
struct BadInputTests {
  @Test("bad input: exit status, message, no file", arguments: BadInput.all)
  func badInput(_ bad: BadInput) throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let inputs = dir.appendingPathComponent("in")
    let outputs = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
    let paths = BadInput.Paths(inputs: inputs, output: outputs.appendingPathComponent("result.csv"))
    let arguments = try bad.arguments(paths)
    let inputsBefore = directoryEntries(inputs)

    let run = try cellsim(arguments, in: inputs)
    #expect(run.status == bad.status, "\(bad.name): \(run)")
    let lines = run.stderrLines
    #expect(!lines.isEmpty && lines.count <= bad.maximumLines, "\(bad.name): \(lines.count) lines\n\(run.stderr)")
    #expect(lines.first?.lowercased().hasPrefix("error: ") == true, "\(bad.name): \(run.stderr)")
    for text in bad.mentions {
      #expect(run.stderr.contains(text), "\(bad.name): stderr does not mention \(text)\n\(run.stderr)")
    }
    for marker in crashMarkers {
      #expect(!run.stderr.contains(marker) && !run.stdout.contains(marker), "\(bad.name): \(run)")
    }
    #expect(directoryEntries(outputs).isEmpty, "\(bad.name): left \(directoryEntries(outputs))")
    #expect(directoryEntries(inputs) == inputsBefore, "\(bad.name): left \(directoryEntries(inputs))")
    #expect(!run.stdout.contains("wrote "), "\(bad.name): \(run.stdout)")
    if let limit = bad.maximumSeconds {
      #expect(run.seconds < limit, "\(bad.name): took \(run.seconds) s")
    }
  }

  /// Failures that happen before, while and after the outputs are opened.
  static let failingRuns: [(name: String, cell: String?, protocol: String, extra: [String])] = [
    ("protocol does not parse", nil, "Discharge at 1C until 2.5 W", []),
    ("cell file is broken", "Broken.json", "Rest for 1 s", []),
    ("unknown model", nil, "Rest for 1 s", ["--model", "dfn"]),
    ("first step cannot start", nil, "Charge at 1C until 4.2 V", []),
    ("usage error", nil, "Rest for 1 s", ["--soc", "2"]),
  ]

  @Test("an existing output is left byte for byte untouched by a failed run", arguments: failingRuns.indices)
  func existingOutputUntouched(_ index: Int) throws {
    let failing = Self.failingRuns[index]
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let csvBytes = Data("time_s,current_A\n0,1\n# precious\n".utf8)
    let summaryBytes = Data("{ \"keep\" : true }\n".utf8)
    try csvBytes.write(to: dir.appendingPathComponent("keep.csv"))
    try summaryBytes.write(to: dir.appendingPathComponent("keep.summary.json"))
    var cell = chen2020.path
    if let name = failing.cell {
      let url = dir.appendingPathComponent(name)
      try writeJSON(modified(try chen2020Object(), "negative", "thickness_m", -1), to: url)
      cell = url.path
    }
    let before = directoryEntries(dir)

    let run = try cellsim(["run", "--cell", cell, "--protocol", failing.protocol, "--out", "keep.csv"] + failing.extra, in: dir)
    #expect(run.status == 1 || run.status == 2, "\(failing.name): \(run)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("keep.csv")) == csvBytes, "\(failing.name)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("keep.summary.json")) == summaryBytes, "\(failing.name)")
    #expect(directoryEntries(dir) == before, "\(failing.name): \(directoryEntries(dir))")
  }
}
