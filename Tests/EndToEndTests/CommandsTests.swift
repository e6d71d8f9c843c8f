// CellSim — EndToEndTests/CommandsTests.swift
//
// The other commands through the built executable: `compare` (also as `cellsim` alone), `run --model
// spme`, `--thermal lumped`, `--profiles` and profile steps, `sweep` (+ shards and `sweep merge`),
// `params import-bpx`, `bench --json` and `validate`. Bad input for each: CommandBadInputTests.swift.

import Foundation
import Testing
import _TestSupport

/// The repository's `CellParams/` directory.
let cellParamsDirectory = repositoryRoot().appendingPathComponent("CellParams")

/// The BPX fixture of the NMC pouch cell (About:Energy, as shipped with PyBaMM).
let bpxPouchCell = repositoryRoot().appendingPathComponent("Tests/BPXTests/Fixtures/nmc_pouch_cell_BPX.json")

/// A CSV file as rows of fields (double-quoted fields may hold commas), header first.
func csvRows(_ url: URL) throws -> [[String]] {
  let text = try String(contentsOf: url, encoding: .utf8)
  return text.split(whereSeparator: \.isNewline).map { line in
    var fields: [String] = []
    var field = ""
    var quoted = false
    for ch in line {
      if ch == "\"" {
        quoted.toggle()
      } else if ch == "," && !quoted {
        fields.append(field)
        field = ""
      } else {
        field.append(ch)
      }
    }
    fields.append(field)
    return fields
  }
}

/// A JSON object read from a file.
func jsonObject(_ url: URL) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

@Suite("cellsim compare")
struct CompareTests {
  @Test("`cellsim` alone runs compare on the shipped cells into ./cellsim-compare")
  func defaultJob() throws {
    // compare finds its default cells as CellParams/… relative to the current directory.
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createSymbolicLink(
      at: dir.appendingPathComponent("CellParams"), withDestinationURL: cellParamsDirectory)

    let run = try cellsim([], in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir) == ["CellParams", "cellsim-compare"])
    let out = dir.appendingPathComponent("cellsim-compare")
    let files = directoryEntries(out)
    let cells = ["Chen2020", "Li_LPSCl_NMC811", "Marinescu2016"]
    let rates = ["0.1", "0.2", "0.5", "1", "2", "3"]
    var expected = ["summary.csv", "minerals.csv", "ragone.csv", "voltage_1C.svg", "rate_capability.svg", "ragone.svg"]
    for cell in cells { for rate in rates { expected.append("\(cell)_\(rate)C.csv") } }
    #expect(files == expected.sorted(), "\(files)")
    #expect(run.stdout.contains("wrote 24 files to cellsim-compare"), "\(run.stdout)")
    for (cell, chemistry) in zip(cells, ["lithium-ion", "solid-state", "lithium-sulfur"]) {
      #expect(
        run.stdout.split(separator: "\n").contains { $0.hasPrefix(cell) && $0.contains(chemistry) },
        "no table row for \(cell)\n\(run.stdout)")
    }
    // Progress goes to standard error, one line per finished run among others.
    #expect(run.stderr.hasPrefix("compare: 3 cells × 6 C-rates = 18 runs"), "\(run.stderr)")
    #expect(run.stderrLines.filter { $0.hasPrefix("[") }.count == 18, "\(run.stderr)")

    let summary = try csvRows(out.appendingPathComponent("summary.csv"))
    #expect(summary.first?.prefix(4) == ["cell", "chemistry", "model", "c_rate"], "\(summary.first ?? [])")
    #expect(summary.count == 19, "a header and 18 runs")
    let completed = try #require(summary.first?.firstIndex(of: "completed"))
    #expect(summary.dropFirst().allSatisfy { $0[completed] == "true" }, "\(summary)")
    #expect(try csvRows(out.appendingPathComponent("minerals.csv")).count == 4)
    let svg = try String(contentsOf: out.appendingPathComponent("ragone.svg"), encoding: .utf8)
    #expect(svg.contains("<svg") && svg.contains("</svg>"))
  }

  @Test("compare with one cell, one rate and --out-dir writes its seven files")
  func oneCell() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(["compare", "--c-rates", "1", "--cells", chen2020.path, "--out-dir", "tmp"], in: dir)
    try #require(run.status == 0, "\(run)")
    let out = dir.appendingPathComponent("tmp")
    #expect(directoryEntries(dir) == ["tmp"])
    #expect(
      directoryEntries(out)
        == ["Chen2020_1C.csv", "minerals.csv", "ragone.csv", "ragone.svg", "rate_capability.svg", "summary.csv", "voltage_1C.svg"],
      "\(directoryEntries(out))")
    #expect(run.stdout.contains("wrote 7 files to tmp"), "\(run.stdout)")

    // The curve is in the `run` format and ends at the cell's cut-off.
    let curveURL = out.appendingPathComponent("Chen2020_1C.csv")
    #expect(try headerLine(of: curveURL).hasPrefix("time_s,current_A,voltage_V,capacity_Ah,step,soc,"))
    let curve = try ReferenceCurve(contentsOf: curveURL)
    #expect(abs((curve.column("voltage_V").last ?? 0) - 2.5) < 1e-6)
    #expect(curve.column("current_A").allSatisfy { abs($0 - 5) < 1e-9 })

    let summary = try csvRows(out.appendingPathComponent("summary.csv"))
    try #require(summary.count == 2, "\(summary)")
    let row = Dictionary(uniqueKeysWithValues: zip(summary[0], summary[1]))
    #expect(row["cell"] == "Chen2020" && row["chemistry"] == "lithium-ion" && row["c_rate"] == "1", "\(row)")
    #expect(row["completed"] == "true" && row["end_reason"] == "voltage limit 2.5 V", "\(row)")
    #expect(row["curve_file"] == "Chen2020_1C.csv")
    let capacity = try #require(Double(row["capacity_Ah"] ?? ""))
    #expect(abs(capacity - (curve.column("capacity_Ah").last ?? 0)) < 1e-5, "summary vs curve: \(capacity)")
    #expect((Double(row["Wh_kg"] ?? "") ?? 0) > 100, "Chen2020 has a stack section: \(row)")
  }
}

@Suite("cellsim run: models, thermal, profiles")
struct RunOptionsTests {
  @Test("--model spme adds the electrolyte columns")
  func spme() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["run", "--cell", chen2020.path, "--model", "spme", "--protocol", "Discharge at 2C for 5 minutes", "--out", "e.csv"],
      in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(run.stdout.hasPrefix("Chen2020 · SPMe · completed"), "\(run.stdout)")
    let header = try headerLine(of: dir.appendingPathComponent("e.csv")).split(separator: ",").map(String.init)
    for column in ["eta_electrolyte_conc_V", "ohmic_electrolyte_V", "ohmic_solid_V", "c_e_sep_mol_m3"] {
      #expect(header.contains(column), "no \(column) in \(header)")
    }
    #expect(header.last == "temperature_K")
    #expect(try jsonObject(dir.appendingPathComponent("e.summary.json"))["model"] as? String == "SPMe")
    let curve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("e.csv"))
    #expect(curve.column("temperature_K").allSatisfy { $0 == 298.15 }, "isothermal by default")
    #expect(curve.column("c_e_pos_cc_mol_m3").last! < 1000, "the electrolyte is depleted at the positive side")
  }

  @Test("--model spme on a blended cell: the blended SPMe, electrolyte and per-population current columns")
  func blendedSPMe() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["run", "--cell", blendedBPX.path, "--model", "spme", "--protocol", "Discharge at 1C until 2.7 V", "--out", "b.csv"],
      in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(run.stdout.hasPrefix("nmc_pouch_cell_BPX_blended_electrode · SPMe · completed"), "\(run.stdout)")
    let header = try headerLine(of: dir.appendingPathComponent("b.csv")).split(separator: ",").map(String.init)
    for column in ["eta_electrolyte_conc_V", "c_e_sep_mol_m3", "j_n1_A_m2", "j_p1_A_m2", "j_p2_A_m2"] {
      #expect(header.contains(column), "no \(column) in \(header)")
    }
    let curve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("b.csv"))
    // PyBaMM's SPMe with particle phases ends at 3727.19 s (Tests/BPXTests/Fixtures/nmc_pouch_blended_SPMe_1C.csv).
    #expect(abs(curve.column("time_s").last! - 3727.19) < 4, "\(curve.column("time_s").last!)")
  }

  @Test("--thermal lumped: the cell warms, heat and cooling columns, --ambient sets the start")
  func lumpedThermal() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = ["run", "--cell", chen2020.path, "--protocol", "Discharge at 2C for 5 minutes", "--quiet"]
    let iso = try cellsim(base + ["--out", "iso.csv"], in: dir)
    let hot = try cellsim(base + ["--thermal", "lumped", "--out", "hot.csv"], in: dir)
    let warm = try cellsim(base + ["--thermal", "lumped", "--ambient", "35C", "--out", "warm.csv"], in: dir)
    try #require(iso.status == 0 && hot.status == 0 && warm.status == 0, "\(iso)\n\(hot)\n\(warm)")

    let isoHeader = try headerLine(of: dir.appendingPathComponent("iso.csv"))
    let hotHeader = try headerLine(of: dir.appendingPathComponent("hot.csv"))
    #expect(!isoHeader.contains("heat_generation_W"))
    #expect(hotHeader == isoHeader.replacingOccurrences(of: ",temperature_K", with: ",heat_generation_W,cooling_W,temperature_K"), "\(hotHeader)")

    let isoCurve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("iso.csv"))
    let hotCurve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("hot.csv"))
    let warmCurve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("warm.csv"))
    #expect(isoCurve.column("temperature_K").allSatisfy { $0 == 298.15 })
    let t = hotCurve.column("temperature_K")
    #expect(t.first == 298.15, "starts at the ambient temperature")
    #expect(zip(t, t.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 }, "warms during a discharge")
    #expect(t.last! > 300 && t.last! < 320, "2C for 5 minutes: \(t.last!) K")
    #expect(hotCurve.column("heat_generation_W").dropFirst().allSatisfy { $0 > 0 })
    #expect(hotCurve.column("cooling_W").last! > 0, "cooling towards the ambient")
    #expect(warmCurve.column("temperature_K").first.map { abs($0 - 308.15) < 1e-9 } == true)
    // The temperature changes the voltage (Arrhenius exchange-current density).
    #expect(hotCurve.column("voltage_V").last! != isoCurve.column("voltage_V").last!)
  }

  @Test("--profiles writes the tidy long CSV at every output time")
  func profiles() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      [
        "run", "--cell", chen2020.path, "--model", "spme", "--protocol", "Discharge at 1C for 1 minute", "--dt", "30",
        "--out", "p.csv", "--profiles", "p.profiles.csv",
      ], in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir) == ["p.csv", "p.profiles.csv", "p.summary.json"])

    let rows = try csvRows(dir.appendingPathComponent("p.profiles.csv"))
    #expect(try headerLine(of: dir.appendingPathComponent("p.profiles.csv")) == "time_s,variable,domain,x_m|r_m,value")
    let data = rows.dropFirst()
    #expect(data.allSatisfy { $0.count == 5 && Double($0[0]) != nil && Double($0[3]) != nil && Double($0[4])?.isFinite == true })
    let curveTimes = try ReferenceCurve(contentsOf: dir.appendingPathComponent("p.csv")).column("time_s")
    var times: [Double] = []
    for row in data where times.last != Double(row[0]) { times.append(Double(row[0])!) }
    #expect(times == curveTimes, "profiles at the curve's times: \(times) vs \(curveTimes)")
    #expect(run.stdout.contains("wrote p.profiles.csv (profiles at \(curveTimes.count) output times)"), "\(run.stdout)")
    #expect(data.count % times.count == 0)
    let domains = Set(data.map { "\($0[1]) \($0[2])" })
    #expect(
      domains == [
        "c_e_mol_m3 negative_electrode", "c_e_mol_m3 separator", "c_e_mol_m3 positive_electrode",
        "c_s_mol_m3 negative_particle", "c_s_mol_m3 positive_particle",
      ], "\(domains)")
    // At t = 0 the electrolyte is at rest at its initial concentration.
    #expect(data.filter { $0[0] == "0" && $0[1] == "c_e_mol_m3" }.allSatisfy { Double($0[4]) == 1000 })
  }

  @Test("a `Run profile.csv` step follows the profile, found relative to the current directory")
  func profileStep() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try "time_s,current_A\n0,5\n60,5\n61,-2.5\n120,-2.5\n".write(
      to: dir.appendingPathComponent("drive.csv"), atomically: true, encoding: .utf8)
    let run = try cellsim(
      ["run", "--cell", chen2020.path, "--soc", "0.5", "--protocol", "Run drive.csv; Rest for 1 minute", "--out", "d.csv"],
      in: dir)
    try #require(run.status == 0, "\(run)")
    let curve = try ReferenceCurve(contentsOf: dir.appendingPathComponent("d.csv"))
    let t = curve.column("time_s")
    let current = curve.column("current_A")
    let step = curve.column("step")
    for k in t.indices where step[k] == 0 {
      let expected = t[k] <= 60 ? 5 : (t[k] >= 61 ? -2.5 : 5 - 7.5 * (t[k] - 60))
      // Rows carry the prescribed current exactly (not the interpolant of the algebraic unknown).
      #expect(abs(current[k] - expected) < 1e-6, "t = \(t[k]): \(current[k]) A")
    }
    let summary = try Summary(contentsOf: dir.appendingPathComponent("d.summary.json"))
    #expect(summary.steps.map(\.text) == ["Run drive.csv", "Rest for 1 minute"])
    #expect(abs(summary.steps[0].duration_s - 120) < 1e-9, "the profile ends at its last time")
  }
}

@Suite("cellsim sweep")
struct SweepCommandTests {
  @Test("a sweep over two values writes two ok rows and a manifest")
  func twoValues() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["sweep", "--cell", chen2020.path, "--vary", "positive.thickness_m=70e-6,80e-6", "--c-rates", "1", "--out", "s.csv"],
      in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir) == ["s.csv", "s.csv.manifest.json"])
    #expect(run.stdout.contains("wrote s.csv (2 rows)"), "\(run.stdout)")
    #expect(run.stdout.contains("2 ok"), "\(run.stdout)")
    let rows = try csvRows(dir.appendingPathComponent("s.csv"))
    try #require(rows.count == 3, "\(rows)")
    #expect(
      rows[0] == [
        "case", "positive.thickness_m", "c_rate", "status", "end_reason", "one_c_A", "capacity_Ah", "energy_Wh",
        "mean_voltage_V", "wh_per_kg", "wh_per_l", "end_time_s",
      ], "\(rows[0])")
    #expect(rows[1][0] == "0" && rows[2][0] == "1")
    #expect(rows.dropFirst().map { Double($0[1]) } == [70e-6, 80e-6])
    #expect(rows.dropFirst().allSatisfy { $0[3] == "ok" && $0[4] == "voltage limit 2.5 V" }, "\(rows)")
    // A thicker cathode stores more: capacity and 1C current follow.
    #expect(Double(rows[2][6])! > Double(rows[1][6])!)
    #expect(Double(rows[2][5])! > Double(rows[1][5])!)
    #expect(try jsonObject(dir.appendingPathComponent("s.csv.manifest.json"))["cases"] as? Int == 2)

    // Re-running the same sweep resumes: nothing to run, the same bytes.
    let before = try Data(contentsOf: dir.appendingPathComponent("s.csv"))
    let again = try cellsim(
      ["sweep", "--cell", chen2020.path, "--vary", "positive.thickness_m=70e-6,80e-6", "--c-rates", "1", "--out", "s.csv"],
      in: dir)
    #expect(again.status == 0, "\(again)")
    #expect(again.stderr.contains("2 cases already done, 0 to run"), "\(again)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("s.csv")) == before)
  }

  @Test("two shards merged equal the unsharded sweep byte for byte")
  func shardsAndMerge() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let base = ["sweep", "--cell", chen2020.path, "--c-rates", "0.5,1,2", "--quiet"]
    #expect(try cellsim(base + ["--out", "full.csv"], in: dir).status == 0)
    for k in 0..<2 {
      let shard = try cellsim(base + ["--shard", "\(k)/2"], in: dir)
      #expect(shard.status == 0 && shard.stdout.isEmpty, "\(shard)")
    }
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep.shard-1-of-2.csv").path))
    let merge = try cellsim(
      ["sweep", "merge", "sweep.shard-0-of-2.csv", "sweep.shard-1-of-2.csv", "--out", "merged.csv"], in: dir)
    try #require(merge.status == 0, "\(merge)")
    #expect(merge.stdout.contains("merged 2 files: wrote merged.csv (3 cases)"), "\(merge.stdout)")
    #expect(try Data(contentsOf: dir.appendingPathComponent("merged.csv")) == Data(contentsOf: dir.appendingPathComponent("full.csv")))
    #expect(
      try Data(contentsOf: dir.appendingPathComponent("merged.csv.manifest.json"))
        == Data(contentsOf: dir.appendingPathComponent("full.csv.manifest.json")))
  }
}

@Suite("cellsim params import-bpx, bench, validate")
struct ImportBenchValidateTests {
  @Test("import-bpx writes a cell file that params check accepts and run runs")
  func importBPX() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(["params", "import-bpx", bpxPouchCell.path, "--out", "NMCPouch.json"], in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir) == ["NMCPouch.json"])
    #expect(
      run.stdout.contains("wrote NMCPouch.json: lithium-ion cell 'NMCPouch' from BPX 0.1.0 (DFN)"), "\(run.stdout)")

    let check = try cellsim(["params", "check", "NMCPouch.json"], in: dir)
    #expect(check.status == 0, "\(check)")
    #expect(check.stderr.isEmpty, "\(check)")
    #expect(check.stdout.hasPrefix("NMCPouch.json: lithium-ion cell 'NMCPouch' is valid"), "\(check.stdout)")
    #expect(check.stdout.contains("1C current (nominal capacity / 1 h)   12.5 A"), "\(check.stdout)")
    #expect(check.stdout.contains("models: spm, spme"), "\(check.stdout)")

    // --name and --soc-definition cutoff; the imported file runs.
    let cutoff = try cellsim(
      ["params", "import-bpx", bpxPouchCell.path, "--out", "cut.json", "--name", "Pouch", "--soc-definition", "cutoff"], in: dir)
    #expect(cutoff.status == 0, "\(cutoff)")
    #expect(cutoff.stdout.contains("lithium-ion cell 'Pouch'"), "\(cutoff.stdout)")
    let sim = try cellsim(["run", "--cell", "cut.json", "--protocol", "Discharge at 1C for 1 minute", "--quiet"], in: dir)
    #expect(sim.status == 0, "\(sim)")
  }

  @Test("bench --json prints the documented keys")
  func benchJSON() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["bench", "--case", "spm-1c", "--repeat", "1", "--json", "--root", repositoryRoot().path], in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir).isEmpty)
    let array = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]], "\(run.stdout)")
    try #require(array.count == 1)
    let row = array[0]
    #expect(
      Set(row.keys) == [
        "case", "median_s", "p90_s", "steps", "jacobians", "residuals", "end_time_s", "capacity_Ah", "solves", "valid",
        "solves_per_s",
      ], "\(row.keys.sorted())")
    #expect(row["case"] as? String == "spm-1c")
    #expect(row["valid"] as? Bool == true, "the result matches its validated value")
    #expect(((row["median_s"] as? Double) ?? 0) > 0)
    #expect(abs(((row["end_time_s"] as? Double) ?? 0) - 3606.3) < 1, "\(row)")
  }

  @Test("validate replays a BPX file's measured curve")
  func validate() throws {
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try cellsim(
      ["validate", "--cell", bpxPouchCell.path, "--model", "spm", "--experiment", "1C discharge", "--out", "v.csv"], in: dir)
    try #require(run.status == 0, "\(run)")
    #expect(directoryEntries(dir) == ["v.csv"])
    #expect(try headerLine(of: dir.appendingPathComponent("v.csv")).hasPrefix("experiment,time_s,current_A,measured_voltage_V,spm_voltage_V"))
    #expect(run.stdout.contains("1C discharge") && run.stdout.contains("RMSE"), "\(run.stdout)")

    let none = try cellsim(["validate", "--cell", chen2020.path, "--out", "w.csv"], in: dir)
    #expect(none.status == 1, "\(none)")
    #expect(none.stderr.contains("--data"), "\(none)")
    #expect(directoryEntries(dir) == ["v.csv"])
  }
}
