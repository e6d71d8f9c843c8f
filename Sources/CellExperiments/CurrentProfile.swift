// CellSim — CellExperiments/CurrentProfile.swift
//
// A drive cycle / load profile for the protocol step `Run <file.csv>`: a two-column CSV of time and
// current (or power, or C-rate), followed with linear interpolation. Sign convention as everywhere in
// CellSim: > 0 on discharge, < 0 on charge (BPX's measured data use the opposite sign and are negated
// on import).
//
//     time_s,current_A          # or time_s,power_W  or  time_s,c_rate
//     0,12.5
//     60,12.5
//     61,-5                     # regenerative braking: charge
//
// Reading is strict: every data line must have two numbers; blank lines or empty fields inside the data
// (a gap), text in a number field, a time that does not increase — each is an error naming the file, the
// line and the problem.

import Foundation

/// A time series the cell is driven with, linearly interpolated in time.
public struct CurrentProfile: Sendable, Equatable {
  /// What the second column holds.
  public enum Quantity: String, Sendable, Equatable, CaseIterable {
    /// Current [A], > 0 discharge.
    case current = "current_A"
    /// Power [W], > 0 discharge.
    case power = "power_W"
    /// C-rate [1/h] (multiples of the nominal capacity), > 0 discharge.
    case cRate = "c_rate"
  }

  /// The file as written in the protocol (or a description for profiles built in code).
  public var source: String
  public var quantity: Quantity
  /// Times [s], strictly increasing. The step starts at `time[0]`.
  public var time: [Double]
  /// Values at `time`, in the unit of `quantity`.
  public var values: [Double]

  /// A profile from arrays (at least two points, `time` strictly increasing, all finite).
  /// - Throws: `CurrentProfileError` (line 0) if they are not.
  public init(time: [Double], values: [Double], quantity: Quantity = .current, source: String = "profile")
    throws(CurrentProfileError)
  {
    func fail(_ m: String) -> CurrentProfileError { CurrentProfileError(file: source, line: 0, message: m) }
    guard time.count == values.count else { throw fail("time and values have different lengths") }
    guard time.count >= 2 else { throw fail("a profile needs at least 2 points") }
    for k in time.indices {
      guard time[k].isFinite, values[k].isFinite else { throw fail("point \(k + 1) is not finite") }
      if k > 0, !(time[k] > time[k - 1]) { throw fail("time must increase strictly (point \(k + 1))") }
    }
    self.time = time
    self.values = values
    self.quantity = quantity
    self.source = source
  }

  /// Reads a profile CSV file.
  /// - Throws: `CurrentProfileError` naming the file and line.
  public init(contentsOf url: URL, source: String? = nil) throws(CurrentProfileError) {
    let name = source ?? url.path
    guard let data = try? Data(contentsOf: url) else {
      throw CurrentProfileError(file: name, line: 0, message: "cannot be read (no such file, or not readable)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw CurrentProfileError(file: name, line: 0, message: "is not UTF-8 text")
    }
    try self.init(csv: text, source: name)
  }

  /// Parses profile CSV text: a header `time_s,<current_A | power_W | c_rate>`, then one
  /// `time,value` line per point. `#` starts a comment line; blank lines are allowed before and after
  /// the data, not inside it.
  public init(csv text: String, source: String) throws(CurrentProfileError) {
    func fail(_ line: Int, _ m: String) -> CurrentProfileError { CurrentProfileError(file: source, line: line, message: m) }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
    var header: (line: Int, quantity: Quantity)?
    var time: [Double] = []
    var values: [Double] = []
    var blankAfterData: Int?
    var lastLine = 0
    let accepted = Quantity.allCases.map(\.rawValue).joined(separator: ", ")
    for (index, raw) in lines.enumerated() {
      let lineNumber = index + 1
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("#") { continue }
      if line.isEmpty {
        if !time.isEmpty, blankAfterData == nil { blankAfterData = lineNumber }
        continue
      }
      if let blank = blankAfterData {
        throw fail(blank, "blank line inside the data (a gap): every line between the header and the end must be 'time,value'")
      }
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard let h = header else {
        guard fields.count == 2, fields[0] == "time_s", let q = Quantity(rawValue: fields[1]) else {
          throw fail(
            lineNumber,
            "expected the header 'time_s,<quantity>' with quantity one of \(accepted), found '\(line)'")
        }
        header = (lineNumber, q)
        continue
      }
      guard fields.count == 2 else {
        throw fail(lineNumber, "expected 2 fields (time_s,\(h.quantity.rawValue)), found \(fields.count) in '\(line)'")
      }
      var numbers: [Double] = []
      for (column, field) in zip(["time_s", h.quantity.rawValue], fields) {
        guard !field.isEmpty else { throw fail(lineNumber, "empty \(column) field (a gap in the data)") }
        guard let x = Double(field), x.isFinite else {
          throw fail(lineNumber, "\(column) '\(field)' is not a finite number")
        }
        numbers.append(x)
      }
      if let last = time.last, !(numbers[0] > last) {
        throw fail(
          lineNumber,
          "time \(fields[0]) s does not increase (previous line has \(last) s); time_s must be strictly increasing")
      }
      time.append(numbers[0])
      values.append(numbers[1])
      lastLine = lineNumber
    }
    guard let h = header else { throw fail(lines.count, "no header: expected 'time_s,<quantity>' (\(accepted))") }
    guard time.count >= 2 else {
      throw fail(max(lastLine, h.line), "a profile needs at least 2 data lines, found \(time.count)")
    }
    self.time = time
    self.values = values
    self.quantity = h.quantity
    self.source = source
  }

  /// The profile's length [s]: last time − first time.
  public var duration: Double { time[time.count - 1] - time[0] }

  /// The value at `elapsed` seconds after the start (time[0]), linearly interpolated; clamped to the
  /// first and last value outside the profile.
  @inline(__always)
  public func value(atElapsed elapsed: Double) -> Double {
    let t = time[0] + elapsed
    let n = time.count
    if !(t > time[0]) { return values[0] }
    if !(t < time[n - 1]) { return values[n - 1] }
    var lo = 0
    var hi = n - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if time[mid] <= t { lo = mid } else { hi = mid }
    }
    let w = (t - time[lo]) / (time[hi] - time[lo])
    return values[lo] + w * (values[hi] - values[lo])
  }
}

/// A profile CSV that cannot be used: the file, the 1-based line (0 for the whole file) and the problem.
public struct CurrentProfileError: Error, Sendable, Equatable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var message: String

  public init(file: String, line: Int, message: String) {
    self.file = file
    self.line = line
    self.message = message
  }

  /// `drive.csv:12: time 30 s does not increase …` (or `drive.csv: …` for whole-file problems).
  public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
