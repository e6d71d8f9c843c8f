// CellSim — CellSim/Validation/MeasuredCurve.swift
//
// A measured discharge / drive cycle to validate a model against: time, current (> 0 on discharge, as
// everywhere in CellSim) and terminal voltage. It comes from a BPX file's `Validation` section
// (`BPXExperiment`, already converted to CellSim's sign) or from a CSV file:
//
//     time_s,current_A,voltage_V        # other columns (e.g. temperature_K) are allowed and ignored
//     0,12.5,4.1936757
//     100,12.5,4.0487091
//
// Reading is strict, as for profile CSVs: every data line must have a number in each of the three
// columns; a blank line inside the data (a gap), an empty field, text in a number field or a time that
// does not increase is an error naming the file, the line and the problem.

import Foundation

/// A measured curve: the current to replay and the voltage to compare with.
public struct MeasuredCurve: Sendable, Equatable {
  /// Shown in reports (the BPX experiment's name or the CSV file's name).
  public let name: String
  /// Time [s], strictly increasing (need not start at 0).
  public let time: [Double]
  /// Current [A], > 0 on discharge.
  public let current: [Double]
  /// Measured terminal voltage [V].
  public let voltage: [Double]
  /// The measured current as a profile (time as measured; the step starts at `time[0]`).
  public let profile: CurrentProfile

  /// The CSV columns a measured-curve file must have (in any order, among others).
  public static let requiredColumns = ["time_s", "current_A", "voltage_V"]

  /// A curve from arrays (same length ≥ 2, finite, time strictly increasing).
  /// - Throws: `MeasuredCurveError` (line 0) if they are not.
  public init(name: String, time: [Double], current: [Double], voltage: [Double]) throws(MeasuredCurveError) {
    func fail(_ m: String) -> MeasuredCurveError { MeasuredCurveError(file: name, line: 0, message: m) }
    guard time.count == current.count, time.count == voltage.count else {
      throw fail("time, current and voltage have different lengths (\(time.count), \(current.count), \(voltage.count))")
    }
    guard time.count >= 2 else { throw fail("a measured curve needs at least 2 points, found \(time.count)") }
    for k in time.indices {
      guard time[k].isFinite, current[k].isFinite, voltage[k].isFinite else { throw fail("point \(k + 1) is not finite") }
      if k > 0, !(time[k] > time[k - 1]) { throw fail("time must increase strictly (point \(k + 1))") }
    }
    self.name = name
    self.time = time
    self.current = current
    self.voltage = voltage
    profile = try CurrentProfile(time: time, values: current, quantity: .current, source: name)
  }

  /// A BPX `Validation` experiment (its current is already > 0 on discharge).
  public init(_ experiment: BPXExperiment) throws(MeasuredCurveError) {
    try self.init(name: experiment.name, time: experiment.time, current: experiment.current, voltage: experiment.voltage)
  }

  /// Reads a measured-curve CSV file.
  /// - Parameter source: the name used in messages (default: the path).
  /// - Throws: `MeasuredCurveError` naming the file and line.
  public init(contentsOf url: URL, source: String? = nil) throws(MeasuredCurveError) {
    let file = source ?? url.path
    guard let data = try? Data(contentsOf: url) else {
      throw MeasuredCurveError(file: file, line: 0, message: "cannot be read (no such file, or not readable)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw MeasuredCurveError(file: file, line: 0, message: "is not UTF-8 text")
    }
    try self.init(csv: text, source: file, name: url.lastPathComponent)
  }

  /// Parses measured-curve CSV text: a header naming at least `time_s`, `current_A` and `voltage_V`,
  /// then one line per point. `#` starts a comment line; blank lines are allowed before and after the
  /// data, not inside it.
  public init(csv text: String, source: String, name: String? = nil) throws(MeasuredCurveError) {
    func fail(_ line: Int, _ m: String) -> MeasuredCurveError { MeasuredCurveError(file: source, line: line, message: m) }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    var header: (line: Int, count: Int, indices: [Int])?
    var columns: [[Double]] = [[], [], []]
    var blankAfterData: Int?
    var lastLine = 0
    let wanted = Self.requiredColumns
    for (index, raw) in lines.enumerated() {
      let lineNumber = index + 1
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#") { continue }
      if line.isEmpty {
        if !columns[0].isEmpty, blankAfterData == nil { blankAfterData = lineNumber }
        continue
      }
      if let blank = blankAfterData {
        throw fail(blank, "blank line inside the data (a gap): every line after the header must be a data line")
      }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard let h = header else {
        var indices: [Int] = []
        for name in wanted {
          guard let i = fields.firstIndex(of: name) else {
            throw fail(
              lineNumber,
              "the header must name the columns \(wanted.joined(separator: ",")) (other columns are ignored); "
                + "'\(name)' is missing in '\(line)'")
          }
          indices.append(i)
        }
        header = (lineNumber, fields.count, indices)
        continue
      }
      guard fields.count == h.count else {
        throw fail(lineNumber, "expected \(h.count) fields as in the header, found \(fields.count) in '\(line)'")
      }
      var numbers: [Double] = []
      for (name, i) in zip(wanted, h.indices) {
        let field = fields[i]
        guard !field.isEmpty else { throw fail(lineNumber, "empty \(name) field (a gap in the data)") }
        guard let x = Double(field), x.isFinite else { throw fail(lineNumber, "\(name) '\(field)' is not a finite number") }
        numbers.append(x)
      }
      if let last = columns[0].last, !(numbers[0] > last) {
        throw fail(
          lineNumber,
          "time \(fields[h.indices[0]]) s does not increase (previous line has \(last) s); time_s must be strictly increasing")
      }
      for c in 0..<3 { columns[c].append(numbers[c]) }
      lastLine = lineNumber
    }
    guard let h = header else {
      throw fail(max(lines.count, 1), "no header: expected a line naming \(wanted.joined(separator: ","))")
    }
    guard columns[0].count >= 2 else {
      throw fail(max(lastLine, h.line), "a measured curve needs at least 2 data lines, found \(columns[0].count)")
    }
    self.name = name ?? source
    self.time = columns[0]
    self.current = columns[1]
    self.voltage = columns[2]
    profile = try CurrentProfile(time: columns[0], values: columns[1], quantity: .current, source: source)
  }


  /// The length of the measurement [s].
  public var duration: Double { time[time.count - 1] - time[0] }
}


/// A measured-curve CSV that cannot be used: the same file:line error as a profile CSV's.
public typealias MeasuredCurveError = CurrentProfileError
