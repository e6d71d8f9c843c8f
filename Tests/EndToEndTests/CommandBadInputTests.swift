// CellSim — EndToEndTests/CommandBadInputTests.swift
//
// Bad input to compare, run's newer options (--model spme, --thermal, --profiles, profile steps),
// sweep (+ merge), params import-bpx and bench: exit status 1 (bad input) or 2 (usage), one short
// message naming the problem, no crash, and nothing left in the working directory.

import Foundation
import Testing
import _TestSupport

/// One bad invocation, run in an empty temporary directory that is also the working directory.
struct CommandBadInput: Sendable, CustomTestStringConvertible {
  var name: String
  var status: Int32
  /// Texts stderr must contain.
  var mentions: [String]
  /// Texts stderr must contain exactly once (e.g. a path that must not be repeated).
  var once: [String] = []
  /// Most lines stderr may have.
  var maximumLines = 4
  /// Prepares the inputs in the directory (before its contents are recorded) and returns the arguments.
  var arguments: @Sendable (URL) throws -> [String]

  var testDescription: String { name }

  init(
    _ name: String, status: Int32, mentions: [String], once: [String] = [], maximumLines: Int = 4,
    _ arguments: @escaping @Sendable (URL) throws -> [String]
  ) {
    self.name = name
    self.status = status
    self.mentions = mentions
    self.once = once
    self.maximumLines = maximumLines
    self.arguments = arguments
  }

  /// Arguments that need no preparation.
  init(_ name: String, status: Int32, mentions: [String], once: [String] = [], _ arguments: [String]) {
    self.init(name, status: status, mentions: mentions, once: once) { _ in arguments }
  }

  static let lithiumSulfur = cellParamsDirectory.appendingPathComponent("lithium-sulfur/Marinescu2016.json").path
  static let solidState = cellParamsDirectory.appendingPathComponent("solid-state/Li_LPSCl_NMC811.json").path

  static func write(_ text: String, _ name: String, in dir: URL) throws {
    try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
  }

  static let compare: [CommandBadInput] = [
    .init("compare: a C-rate that is not a number", status: 2, mentions: ["--c-rates", "'abc'"], ["compare", "--cells", chen2020.path, "--c-rates", "1,abc"]),
    .init("compare: --dt 0", status: 2, mentions: ["--dt"], ["compare", "--cells", chen2020.path, "--dt", "0"]),
    .init("compare: missing cell file", status: 1, mentions: ["Nowhere.json", "no such cell file"], ["compare", "--cells", "Nowhere.json", "--out-dir", "o"]),
    .init("compare: broken cell file", status: 1, mentions: ["Broken.json", "positive.thickness_m"]) { dir in
      try writeJSON(modified(try chen2020Object(), "positive", "thickness_m", -1), to: dir.appendingPathComponent("Broken.json"))
      return ["compare", "--cells", chen2020.path, "Broken.json", "--c-rates", "1", "--out-dir", "o"]
    },
    .init("compare alone, away from CellParams/", status: 1, mentions: ["CellParams/lithium-ion/Chen2020.json", "--cells"], []),
    .init("compare: --out-dir is a file", status: 1, mentions: ["taken", "cannot create the output directory"]) { dir in
      try write("not a directory\n", "taken", in: dir)
      return ["compare", "--cells", chen2020.path, "--c-rates", "1", "--out-dir", "taken"]
    },
  ]

  static let run: [CommandBadInput] = [
    .init("run: unknown --thermal", status: 2, mentions: ["--thermal", "'hot'", "lumped"],
      ["run", "--cell", chen2020.path, "--protocol", "Rest for 1 s", "--thermal", "hot", "--out", "o.csv"]),
    .init("run: --thermal lumped on a lithium-sulfur cell", status: 1, mentions: ["Marinescu2016.json", "lithium-ion cells only"],
      ["run", "--cell", lithiumSulfur, "--protocol", "Rest for 1 s", "--thermal", "lumped", "--out", "o.csv"]),
    .init("run: --thermal lumped without cell.thermal", status: 1, mentions: ["NoThermal.json", "cell.thermal"]) { dir in
      try writeJSON(modified(try chen2020Object(), "cell", "thermal", nil), to: dir.appendingPathComponent("NoThermal.json"))
      return ["run", "--cell", "NoThermal.json", "--protocol", "Rest for 1 s", "--thermal", "lumped", "--out", "o.csv"]
    },
    .init("run: --thermal lumped on a blended cell (spme)", status: 1,
      mentions: ["nmc_pouch_cell_BPX_blended_electrode.json", "blended electrode", "SPMe is isothermal only", "drop --thermal lumped"],
      ["run", "--cell", blendedBPX.path, "--model", "spme", "--protocol", "Rest for 1 s", "--thermal", "lumped", "--out", "o.csv"]),
    .init("run: --model spme on a solid-state cell", status: 1, mentions: ["'spme'", "ssb-spm"],
      ["run", "--cell", solidState, "--protocol", "Rest for 1 s", "--model", "spme", "--out", "o.csv"]),
    .init("run: --profiles of a model without profiles", status: 1, mentions: ["--profiles", "no spatial profiles"],
      ["run", "--cell", lithiumSulfur, "--protocol", "Rest for 1 s", "--profiles", "p.csv", "--out", "o.csv"]),
    .init("run: --profiles in a missing directory", status: 1, mentions: ["p.csv", "does not exist"],
      ["run", "--cell", chen2020.path, "--protocol", "Rest for 1 s", "--profiles", "missing/p.csv", "--out", "o.csv"]),
    .init("run: --profiles and --out the same file", status: 2, mentions: ["--profiles", "--out", "'o.csv'"],
      ["run", "--cell", chen2020.path, "--protocol", "Rest for 1 s", "--profiles", "o.csv", "--out", "o.csv"]),
    .init("run: profile step of a missing file", status: 1, mentions: ["line 1, column 5", "missing.csv"],
      ["run", "--cell", chen2020.path, "--protocol", "Run missing.csv", "--out", "o.csv"]),
    .init("run: profile with a bad value", status: 1, mentions: ["drive.csv:3", "'abc'"]) { dir in
      try write("time_s,current_A\n0,5\n60,abc\n", "drive.csv", in: dir)
      return ["run", "--cell", chen2020.path, "--protocol", "Rest for 1 s; Run drive.csv", "--out", "o.csv", "--profiles", "p.csv"]
    },
  ]

  static let sweep: [CommandBadInput] = [
    .init("sweep: nothing to sweep", status: 2, mentions: ["Nothing to sweep"], ["sweep", "--cell", chen2020.path]),
    .init("sweep: misspelt path", status: 1, mentions: ["'positive.thikness_m'", "did you mean 'positive.thickness_m'"],
      ["sweep", "--cell", chen2020.path, "--vary", "positive.thikness_m=50e-6,60e-6"]),
    .init("sweep: a value that is not a number", status: 1, mentions: ["--vary positive.thickness_m", "'abc'"],
      ["sweep", "--cell", chen2020.path, "--vary", "positive.thickness_m=abc"]),
    .init("sweep: C-rates without {C}", status: 1, mentions: ["{C}"],
      ["sweep", "--cell", chen2020.path, "--c-rates", "1", "--protocol", "Discharge at 1C until 2.5 V"]),
    .init("sweep: {C} without C-rates", status: 1, mentions: ["{C}", "--c-rates"],
      ["sweep", "--cell", chen2020.path, "--vary", "positive.porosity=0.3", "--protocol", "Discharge at {C}C until 2.5 V"]),
    .init("sweep: --jobs 0", status: 2, mentions: ["--jobs"], ["sweep", "--cell", chen2020.path, "--c-rates", "1", "--jobs", "0"]),
    .init("sweep: shard index out of range", status: 1, mentions: ["--shard 3/2"], ["sweep", "--cell", chen2020.path, "--c-rates", "1", "--shard", "3/2"]),
    .init("sweep: missing cell file", status: 1, mentions: ["Nowhere.json", "no such cell file"], ["sweep", "--cell", "Nowhere.json", "--c-rates", "1"]),
    .init("sweep: unknown model", status: 1, mentions: ["'p2d'", "spme"], ["sweep", "--cell", chen2020.path, "--c-rates", "1", "--model", "p2d"]),
    .init("sweep: bad design row", status: 1, mentions: ["designs.csv:3", "'abc'", "positive.porosity"]) { dir in
      try write("positive.porosity\n0.3\nabc\n", "designs.csv", in: dir)
      return ["sweep", "--cell", chen2020.path, "--design", "designs.csv", "--c-rates", "1"]
    },
    .init("sweep: output in a missing directory", status: 1, mentions: ["does not exist"],
      ["sweep", "--cell", chen2020.path, "--c-rates", "1", "--out", "missing/s.csv"]),
    .init("sweep: the output of another sweep", status: 1, mentions: ["another sweep", "--fresh"]) { dir in
      let first = try cellsim(["sweep", "--cell", chen2020.path, "--c-rates", "1", "--out", "s.csv", "--quiet"], in: dir)
      try #require(first.status == 0, "\(first)")
      return ["sweep", "--cell", chen2020.path, "--c-rates", "2", "--out", "s.csv"]
    },
    .init("sweep merge: no inputs", status: 2, mentions: ["<file>"], ["sweep", "merge"]),
    .init("sweep merge: an input without its manifest", status: 1, mentions: ["lone.csv.manifest.json", "missing"]) { dir in
      try write("case,c_rate\n", "lone.csv", in: dir)
      return ["sweep", "merge", "lone.csv", "--out", "m.csv"]
    },
    .init("sweep merge: a shard missing", status: 1, mentions: ["missing", "shard 1/2"]) { dir in
      let shard = try cellsim(["sweep", "--cell", chen2020.path, "--c-rates", "1,2", "--shard", "0/2", "--quiet"], in: dir)
      try #require(shard.status == 0, "\(shard)")
      return ["sweep", "merge", "sweep.shard-0-of-2.csv", "--out", "m.csv"]
    },
  ]

  static let paramsAndBench: [CommandBadInput] = [
    .init("import-bpx: not a BPX file", status: 1, mentions: ["Chen2020.json", "not a BPX file"], ["params", "import-bpx", chen2020.path, "--out", "o.json"]),
    .init("import-bpx: missing file", status: 1, mentions: ["Nowhere.json", "no such file"], ["params", "import-bpx", "Nowhere.json", "--out", "o.json"]),
    .init("import-bpx: a required field missing", status: 1, mentions: ["Bad.json", "/Parameterisation/Negative electrode/Particle radius [m]", "missing"]) { dir in
      var bpx = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bpxPouchCell)) as? [String: Any])
      var parameterisation = try #require(bpx["Parameterisation"] as? [String: Any])
      bpx["Parameterisation"] = modified(parameterisation, "Negative electrode", "Particle radius [m]", nil)
      try writeJSON(bpx, to: dir.appendingPathComponent("Bad.json"))
      return ["params", "import-bpx", "Bad.json", "--out", "o.json"]
    },
    .init("import-bpx: unknown --soc-definition", status: 2, mentions: ["--soc-definition", "'full'", "cutoff"],
      ["params", "import-bpx", bpxPouchCell.path, "--out", "o.json", "--soc-definition", "full"]),
    .init("import-bpx: no --out", status: 2, mentions: ["--out"], ["params", "import-bpx", bpxPouchCell.path]),
    .init("import-bpx: output in a missing directory", status: 1, mentions: ["does not exist"], once: ["missing/o.json"],
      ["params", "import-bpx", bpxPouchCell.path, "--out", "missing/o.json"]),
    .init("bench: unknown case", status: 1, mentions: ["'nope'", "spm-1c"], ["bench", "--case", "nope", "--root", repositoryRoot().path]),
    .init("bench: --repeat 0", status: 2, mentions: ["--repeat"], ["bench", "--repeat", "0", "--root", repositoryRoot().path]),
    .init("bench: --root without CellParams/", status: 1, mentions: ["CellParams"], ["bench", "--case", "spm-1c", "--root", "."]),
  ]

  static let all = compare + run + sweep + paramsAndBench
}

/// Every file and directory under `url`, hidden ones included, as sorted relative paths.
func allEntries(_ url: URL) -> [String] {
  ((try? FileManager.default.subpathsOfDirectory(atPath: url.path)) ?? []).sorted()
}

@Suite("bad input to compare, run options, sweep, import-bpx, bench")
struct CommandBadInputTests {
  @Test("bad input: exit status, one message, nothing left", arguments: CommandBadInput.all)
  func badInput(_ bad: CommandBadInput) throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let arguments = try bad.arguments(dir)
    let before = allEntries(dir)

    let run = try cellsim(arguments, in: dir)
    #expect(run.status == bad.status, "\(bad.name): \(run)")
    let lines = run.stderrLines
    #expect(!lines.isEmpty && lines.count <= bad.maximumLines, "\(bad.name): \(lines.count) lines\n\(run.stderr)")
    #expect(lines.first?.lowercased().hasPrefix("error: ") == true, "\(bad.name): \(run.stderr)")
    #expect(lines.dropFirst().allSatisfy { !$0.lowercased().hasPrefix("error: ") }, "one message: \(run.stderr)")
    for text in bad.mentions {
      #expect(run.stderr.contains(text), "\(bad.name): stderr does not mention \(text)\n\(run.stderr)")
    }
    for text in bad.once {
      #expect(run.stderr.components(separatedBy: text).count == 2, "\(bad.name): \(text) not exactly once\n\(run.stderr)")
    }
    for marker in crashMarkers {
      #expect(!run.stderr.contains(marker) && !run.stdout.contains(marker), "\(bad.name): \(run)")
    }
    #expect(!run.stdout.contains("wrote "), "\(bad.name): \(run.stdout)")
    #expect(allEntries(dir) == before, "\(bad.name): left \(Set(allEntries(dir)).subtracting(before).sorted())")
  }
}
