// CellSim — EndToEndTests/Support.swift
//
// Runs the built `cellsim` executable as a user would (Foundation `Process`), in temporary directories.

import Foundation
import Testing
import _TestSupport

/// The `cellsim` executable built with this test bundle: it sits next to the bundle
/// (`<scratch>/debug/cellsim`). If it is not there, the newest `.build*/debug/cellsim` under the
/// repository root is used.
let cellsimExecutable: URL = {
  let fm = FileManager.default
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("cellsim")
  if fm.isExecutableFile(atPath: beside.path) { return beside }
  let root = repositoryRoot()
  var best: (url: URL, date: Date)?
  let names = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
  for name in names where name.hasPrefix(".build") {
    let candidate = root.appendingPathComponent(name).appendingPathComponent("debug").appendingPathComponent("cellsim")
    guard fm.isExecutableFile(atPath: candidate.path),
      let date = (try? fm.attributesOfItem(atPath: candidate.path))?[.modificationDate] as? Date
    else { continue }
    if best == nil || date > best!.date { best = (candidate, date) }
  }
  return best?.url ?? beside
}()

/// The shipped lithium-ion cell files.
let cellDirectory = repositoryRoot().appendingPathComponent("CellParams").appendingPathComponent("lithium-ion")
let chen2020 = cellDirectory.appendingPathComponent("Chen2020.json")
/// The BPX blended-electrode example (two positive particle populations).
let blendedBPX = repositoryRoot().appendingPathComponent("Tests/BPXTests/Fixtures/nmc_pouch_cell_BPX_blended_electrode.json")

/// The four-step experiment of the foundation issue.
let fourStepProtocol =
  "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"

/// What a run of the executable produced.
typealias Outcome = ProcessOutcome

/// Runs `cellsim` with `arguments` in `directory` (the current directory if nil).
func cellsim(_ arguments: [String], in directory: URL? = nil) throws -> Outcome {
  try runProcess(cellsimExecutable, arguments, in: directory)
}

/// Chen2020.json as a JSON object, to be modified and written elsewhere.
func chen2020Object() throws -> [String: Any] {
  let data = try Data(contentsOf: chen2020)
  return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// Writes a JSON object to `url` (pretty-printed, keys sorted).
func writeJSON(_ object: [String: Any], to url: URL) throws {
  let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  try data.write(to: url)
}

/// Sets (or, with nil, removes) `section.field` of a cell-file object.
func modified(_ object: [String: Any], _ section: String, _ field: String, _ value: Any?) -> [String: Any] {
  var object = object
  var inner = object[section] as? [String: Any] ?? [:]
  inner[field] = value
  object[section] = inner
  return object
}

/// The parts of `<out>.summary.json` the tests read.
struct Summary: Decodable, Equatable {
  struct Step: Decodable, Equatable {
    var index: Int
    var text: String
    var start_s: Double
    var end_s: Double
    var duration_s: Double
    var capacity_Ah: Double
    var energy_Wh: Double
    var mean_voltage_V: Double
    var end_voltage_V: Double
    var end_current_A: Double
    var ended_by: String
  }
  var status: String
  var completed: Bool
  var duration_s: Double
  var capacity_Ah: Double
  var steps: [Step]

  init(contentsOf url: URL) throws {
    self = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: url))
  }
}

/// The CSV's first line.
func headerLine(of url: URL) throws -> String {
  let text = try String(contentsOf: url, encoding: .utf8)
  return String(text.prefix { !$0.isNewline })
}

/// Text that shows a crash or a trap rather than a handled error.
let crashMarkers = [
  "Fatal error", "fatal error", "Stack dump", "Backtrace", "Swift runtime failure", "Current stack trace",
  "Illegal instruction", "Segmentation fault", "precondition", "Assertion failed", "Thread 0",
]
