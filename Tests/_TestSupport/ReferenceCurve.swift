// CellSim — _TestSupport/ReferenceCurve.swift
//
// Reference curves (CSV with a header) and whole-curve comparisons for the accuracy tests.

import Foundation

/// A CSV table of numbers read from a fixture file, column by name.
public struct ReferenceCurve: Sendable {
  public let columns: [String]
  public let values: [[Double]]

  public init(contentsOf url: URL) throws {
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline).map(String.init)
    let header = lines.removeFirst().split(separator: ",").map(String.init)
    var values = Array(repeating: [Double](), count: header.count)
    for line in lines where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      for (c, field) in fields.enumerated() where c < header.count {
        values[c].append(Double(field) ?? .nan)
      }
    }
    columns = header
    self.values = values
  }

  public func column(_ name: String) -> [Double] {
    guard let i = columns.firstIndex(of: name) else { return [] }
    return values[i]
  }
}

/// Piecewise-linear interpolation of (x, y) at `at` (x increasing; clamps outside).
public func interpolate(_ x: [Double], _ y: [Double], at t: Double) -> Double {
  guard let first = x.first, let last = x.last else { return .nan }
  if t <= first { return y[0] }
  if t >= last { return y[y.count - 1] }
  var lo = 0
  var hi = x.count - 1
  while hi - lo > 1 {
    let mid = (lo + hi) / 2
    if x[mid] <= t { lo = mid } else { hi = mid }
  }
  let w = (t - x[lo]) / (x[hi] - x[lo])
  return y[lo] + w * (y[hi] - y[lo])
}

/// Largest |a(t) − b(t)| over the reference times in [from, to], with `a` interpolated at each.
public func maximumDifference(
  times ta: [Double], values a: [Double], referenceTimes tb: [Double], referenceValues b: [Double],
  from: Double = -.infinity, to: Double = .infinity
) -> Double {
  var worst = 0.0
  for (k, t) in tb.enumerated() where t >= from && t <= to {
    worst = max(worst, abs(interpolate(ta, a, at: t) - b[k]))
  }
  return worst
}

/// The URL of a fixture file next to the test's source file.
public func fixtureURL(_ name: String, testFile: String = #filePath) -> URL {
  URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent("Fixtures")
    .appendingPathComponent(name)
}

/// The repository root (for the shipped cell files in CellParams/).
public func repositoryRoot(testFile: String = #filePath) -> URL {
  var url = URL(fileURLWithPath: testFile)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
  }
  return URL(fileURLWithPath: ".")
}

/// Max |ΔV| of one protocol step against the same step of a stacked reference experiment, on time
/// since each step's own start (so an earlier step's small shift does not count twice).
/// - Returns: (whole step up to the shorter duration, from 60 s to 95 % of the reference duration).
public func stepVoltageDifference(
  step k: Int, times t: [Double], voltages v: [Double], steps: [Double], start: Double, duration: Double,
  referenceTimes tRef: [Double], referenceVoltages vRef: [Double], referenceSteps stepRef: [Double],
  referenceStart: Double, referenceDuration: Double
) -> (whole: Double, window: Double) {
  let mine = steps.indices.filter { steps[$0] == Double(k) }
  let theirs = stepRef.indices.filter { stepRef[$0] == Double(k) }
  let tm = mine.map { t[$0] - start }
  let vm = mine.map { v[$0] }
  let tr = theirs.map { tRef[$0] - referenceStart }
  let vr = theirs.map { vRef[$0] }
  let whole = maximumDifference(
    times: tm, values: vm, referenceTimes: tr, referenceValues: vr, to: min(duration, referenceDuration))
  let window = maximumDifference(
    times: tm, values: vm, referenceTimes: tr, referenceValues: vr, from: 60, to: 0.95 * referenceDuration)
  return (whole, window)
}
