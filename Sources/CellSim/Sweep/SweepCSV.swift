// CellSim — CellSim/Sweep/SweepCSV.swift
//
// The rows of `sweep.csv`: one per case, keyed by the case index (the first column), then the varied
// values, the status and the figures. Numbers are written in Swift's shortest round-trip form (so a
// resumed or merged file is byte-identical to a fresh one), empty when not available; text fields are
// quoted when they hold a comma or a quote.

import Foundation

/// What happened to a case.
public enum SweepStatus: String, Sendable, CaseIterable {
  /// Every step ran to one of its own ends (the cut-off is in `end_reason`).
  case ok
  /// A step could not start (e.g. the design's initial state is outside its voltage window).
  case cannotStart = "cannot_start"
  /// The integrator failed; the figures are those delivered up to the failure.
  case solverFailure = "solver_failure"
  /// The modified cell file is invalid (a value out of physical range, no electrode balance).
  case invalidDesign = "invalid_design"
  /// The model cannot be built for this design, or the protocol does not parse for this case.
  case modelError = "model_error"
}

/// One row of `sweep.csv`.
public struct SweepRow: Sendable {
  public var index: Int
  public var values: [Double]
  public var cRate: Double?
  public var status: SweepStatus
  /// Why the run ended: the last step's end (the cut-off) or the failure.
  public var endReason: String
  /// The 1C current of the case [A] (= its nominal capacity in A h; see docs/sweep.md for how it follows the design).
  public var oneCCurrent: Double = .nan
  /// Charge and energy discharged (sum over the steps that discharged) [A h, W h].
  public var capacity: Double = .nan
  public var energy: Double = .nan
  /// Time-averaged voltage over the discharging steps [V].
  public var meanVoltage: Double = .nan
  /// Stack specific energy and energy density [W h kg⁻¹, W h L⁻¹] (ok runs of cells with a stack).
  public var specificEnergy: Double = .nan
  public var energyDensity: Double = .nan
  /// Time at the end of the run [s].
  public var endTime: Double = .nan

  public init(index: Int, values: [Double], cRate: Double?, status: SweepStatus, endReason: String) {
    self.index = index
    self.values = values
    self.cRate = cRate
    self.status = status
    self.endReason = endReason
  }
}

public enum SweepCSV {
  public static let caseColumn = "case"
  public static let cRateColumn = "c_rate"
  public static let resultColumns = [
    "status", "end_reason", "one_c_A", "capacity_Ah", "energy_Wh", "mean_voltage_V", "wh_per_kg", "wh_per_l",
    "end_time_s",
  ]

  /// The header of a sweep with these parameter columns.
  public static func header(paths: [String], hasCRate: Bool) -> [String] {
    [caseColumn] + paths + (hasCRate ? [cRateColumn] : []) + resultColumns
  }

  /// Shortest round-trip decimal; integers without ".0"; empty for NaN.
  public static func format(_ x: Double) -> String {
    if x.isNaN { return "" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return x.description
  }

  static func quoted(_ s: String) -> String {
    // Most reasons ("voltage limit 2.5 V") need nothing: one pass over the bytes.
    let needsWork = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    guard needsWork else { return s }
    let flat = s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    guard flat.contains(",") || flat.contains("\"") else { return flat }
    return "\"" + flat.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// One CSV line (with its newline).
  public static func line(_ row: SweepRow) -> String {
    var fields = [String(row.index)]
    fields += row.values.map(format)
    if let r = row.cRate { fields.append(format(r)) }
    fields += [
      row.status.rawValue, quoted(row.endReason), format(row.oneCCurrent), format(row.capacity), format(row.energy),
      format(row.meanVoltage), format(row.specificEnergy), format(row.energyDensity), format(row.endTime),
    ]
    return fields.joined(separator: ",") + "\n"
  }

  /// Splits a line at commas outside double quotes ("" inside quotes is one quote).
  public static func fields(of line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var chars = line.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? chars.next() {
      pending = nil
      if quoted {
        if c == "\"" {
          if let n = chars.next() {
            if n == "\"" { current.append("\"") } else {
              quoted = false
              pending = n
            }
          } else {
            quoted = false
          }
        } else {
          current.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        fields.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    fields.append(current)
    return fields
  }

  /// A sweep CSV as read back: its header and its complete rows by case index, as written.
  public struct Contents: Sendable {
    public var header: [String]
    /// Case index → the line as written (without its newline).
    public var lines: [Int: String]
    /// Byte length of the complete lines (a trailing partial line, from a killed run, is not included).
    public var completeLength: Int
  }

  /// Reads a sweep CSV; a last line without its newline (a killed run) is ignored.
  /// - Throws: `SweepInputError` for an unreadable file, a wrong header or a line that is not a row.
  public static func read(_ url: URL) throws(SweepInputError) -> Contents {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw SweepInputError("\(url.path): cannot read the sweep output")
    }
    var bytes = [UInt8](data)
    var complete = bytes.count
    if let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
      complete = lastNewline + 1
    } else {
      complete = 0
    }
    bytes.removeSubrange(complete...)
    let text = String(decoding: bytes, as: UTF8.self)
    var lineList = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lineList.last == "" { lineList.removeLast() }
    guard let first = lineList.first else { throw SweepInputError("\(url.path): empty file (no header)") }
    let header = fields(of: first)
    guard header.first == caseColumn, header.suffix(resultColumns.count).elementsEqual(resultColumns) else {
      throw SweepInputError("\(url.path): not a cellsim sweep output (its header is not case,…,\(resultColumns.joined(separator: ",")))")
    }
    var lines: [Int: String] = [:]
    for (n, line) in lineList.enumerated().dropFirst() {
      let f = fields(of: line)
      guard f.count == header.count, let index = Int(f[0]), index >= 0 else {
        throw SweepInputError("\(url.path):\(n + 1): not a row of this sweep (\(f.count) fields, header has \(header.count))")
      }
      if let previous = lines[index], previous != line {
        throw SweepInputError("\(url.path):\(n + 1): case \(index) appears twice with different results")
      }
      lines[index] = line
    }
    return Contents(header: header, lines: lines, completeLength: complete)
  }
}
