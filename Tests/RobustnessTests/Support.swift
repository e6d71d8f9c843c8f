// CellSim — RobustnessTests/Support.swift
//
// Helpers of the robustness suite: the shipped cells, a seeded random generator, JSON tree edits,
// running the built `cellsim` executable (copied in spirit from EndToEndTests/Support.swift), and
// what a crash looks like on stderr.

import CellSim
import Foundation
import Testing
import _TestSupport

// MARK: - Shipped cells

/// One shipped cell file.
struct ShippedCell: Sendable, CustomTestStringConvertible {
  var chemistry: String
  var name: String
  var url: URL { repositoryRoot().appendingPathComponent("CellParams/\(chemistry)/\(name).json") }
  var testDescription: String { name }

  /// The file parsed as a JSON tree.
  func json() throws -> JSONValue {
    try JSONValue.parse(String(contentsOf: url, encoding: .utf8))
  }

  static let all: [ShippedCell] = [
    ShippedCell(chemistry: "lithium-ion", name: "Chen2020"),
    ShippedCell(chemistry: "lithium-ion", name: "Marquis2019"),
    ShippedCell(chemistry: "lithium-ion", name: "Prada2013"),
    ShippedCell(chemistry: "solid-state", name: "Li_LPSCl_NMC811"),
    ShippedCell(chemistry: "solid-state", name: "Li_LLZO_NMC811"),
    ShippedCell(chemistry: "solid-state", name: "AnodeFree_LPSCl_NMC811"),
    ShippedCell(chemistry: "lithium-sulfur", name: "Marinescu2016"),
  ]
  static let chen2020 = all[0]
  static let baselineSSB = all[3]
  static let marinescu2016 = all[6]
}

// MARK: - Seeded randomness

/// SplitMix64: small, fast, and the same sequence on every platform for a given seed.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A log-uniform value in [lower, upper].
  mutating func logUniform(_ lower: Double, _ upper: Double) -> Double {
    exp(Double.random(in: log(lower)...log(upper), using: &self))
  }
}

/// Cases per fuzz/property test: the CI default unless `CELLSIM_FUZZ_CASES` asks for more.
func fuzzCases(ci: Int) -> Int {
  if let text = ProcessInfo.processInfo.environment["CELLSIM_FUZZ_CASES"], let n = Int(text), n > 0 { return n }
  return ci
}

/// The base seed of the fuzz loops: `CELLSIM_FUZZ_SEED` or a fixed default (runs are reproducible).
func fuzzSeed(_ salt: UInt64) -> UInt64 {
  if let text = ProcessInfo.processInfo.environment["CELLSIM_FUZZ_SEED"], let n = UInt64(text) { return n ^ salt }
  return 0x00C3_11_5100 ^ salt
}

// MARK: - JSON tree edits

extension JSONValue {
  /// The value at a dotted path (array elements by index: `stack.layers.1.thickness_m`).
  func value(at path: [String]) -> JSONValue? {
    guard let head = path.first else { return self }
    switch self {
    case .object(let members):
      return members.first { $0.key == head }?.value.value(at: Array(path.dropFirst()))
    case .array(let items):
      guard let i = Int(head), items.indices.contains(i) else { return nil }
      return items[i].value(at: Array(path.dropFirst()))
    default: return nil
    }
  }

  /// A copy with the value at `path` replaced (`nil`: removed). Works through arrays too.
  func replacing(_ path: [String], with newValue: JSONValue?) -> JSONValue {
    guard let head = path.first else { return newValue ?? .null }
    let rest = Array(path.dropFirst())
    switch self {
    case .object(var members):
      guard let i = members.firstIndex(where: { $0.key == head }) else { return self }
      if rest.isEmpty, newValue == nil {
        members.remove(at: i)
      } else {
        members[i].value = members[i].value.replacing(rest, with: newValue)
      }
      return .object(members)
    case .array(var items):
      guard let i = Int(head), items.indices.contains(i) else { return self }
      if rest.isEmpty, newValue == nil {
        items.remove(at: i)
      } else {
        items[i] = items[i].replacing(rest, with: newValue)
      }
      return .array(items)
    default:
      return self
    }
  }

  /// Every number or string leaf with its path, in file order (arrays of strings are skipped).
  func leaves(_ prefix: [String] = []) -> [(path: [String], value: JSONValue)] {
    switch self {
    case .object(let members):
      return members.flatMap { $0.value.leaves(prefix + [$0.key]) }
    case .array(let items):
      if items.allSatisfy({ if case .string = $0 { return true } else { return false } }) { return [] }
      return items.enumerated().flatMap { $0.element.leaves(prefix + [String($0.offset)]) }
    case .number, .string:
      return [(prefix, self)]
    default:
      return []
    }
  }

  /// Compact JSON text.
  var text: String { rendered(limit: .max) }
}

/// A field path as messages print it: `stack.layers[1].thickness_m`.
func displayPath(_ path: [String]) -> String {
  var text = ""
  for part in path {
    if Int(part) != nil {
      text += "[\(part)]"
    } else {
      text += text.isEmpty ? part : "." + part
    }
  }
  return text
}

// MARK: - Temporary files

// (Scratch directories: `makeTemporaryDirectory`, `directoryEntries` of _TestSupport.)

// MARK: - The executable

/// The `cellsim` executable built with this test bundle (`<scratch>/debug/cellsim`), else the newest
/// `.build*/debug/cellsim` under the repository root.
let cellsimExecutable: URL = {
  let fm = FileManager.default
  let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("cellsim")
  if fm.isExecutableFile(atPath: beside.path) { return beside }
  let root = repositoryRoot()
  var best: (url: URL, date: Date)?
  for name in (try? fm.contentsOfDirectory(atPath: root.path)) ?? [] where name.hasPrefix(".build") {
    let candidate = root.appendingPathComponent(name).appendingPathComponent("debug").appendingPathComponent("cellsim")
    guard fm.isExecutableFile(atPath: candidate.path),
      let date = (try? fm.attributesOfItem(atPath: candidate.path))?[.modificationDate] as? Date
    else { continue }
    if best.map({ date > $0.date }) ?? true { best = (candidate, date) }
  }
  return best?.url ?? beside
}()

/// What a run of the executable produced.
typealias Outcome = ProcessOutcome

/// Runs `cellsim` with `arguments` in `directory`, killing it after `timeout` seconds (status 124).
func cellsim(_ arguments: [String], in directory: URL? = nil, timeout: Double = 60) throws -> Outcome {
  try runProcess(cellsimExecutable, arguments, in: directory, timeout: timeout)
}

/// Text that shows a crash or a trap rather than a handled error.
let crashMarkers = [
  "Fatal error", "fatal error", "Stack dump", "Backtrace", "Swift runtime failure", "Current stack trace",
  "Illegal instruction", "Segmentation fault", "precondition", "Assertion failed", "Thread 0",
]

/// A loose check that an in-process error message is short and free of crash text.
func expectCleanMessage(_ message: String, _ context: String, maximumLines: Int = 40, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
  #expect(!message.isEmpty, "\(context): empty message", sourceLocation: sourceLocation)
  let lines = message.split(whereSeparator: \.isNewline)
  #expect(lines.count <= maximumLines, "\(context): \(lines.count) lines", sourceLocation: sourceLocation)
  for marker in crashMarkers {
    #expect(!message.contains(marker), "\(context): \(message)", sourceLocation: sourceLocation)
  }
}
