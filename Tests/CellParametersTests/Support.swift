// CellSim — CellParametersTests/Support.swift
//
// Fixture access for the parameter tests. Reference numbers come from ../shared (PyBaMM 26.10.1.1),
// copied into Fixtures/; they are parsed with Foundation, never with the code under test.

import Foundation
import Testing

enum Fixture {
  /// A file in Fixtures/.
  static func url(_ name: String) throws -> URL {
    let base = (name as NSString).deletingPathExtension
    let ext = (name as NSString).pathExtension
    if let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures") {
      return url
    }
    return try #require(Bundle.module.url(forResource: base, withExtension: ext))
  }

  /// `facts_<set>.json` as a dictionary.
  static func facts(_ set: String) throws -> [String: Any] {
    let data = try Data(contentsOf: url("facts_\(set).json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func fact(_ facts: [String: Any], _ key: String) throws -> Double {
    try #require((facts[key] as? NSNumber)?.doubleValue, "fact \(key)")
  }

  /// A CSV fixture as column name → values.
  static func csv(_ name: String) throws -> [String: [Double]] {
    let text = try String(contentsOf: url(name), encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline).map(String.init)
    let header = lines.removeFirst().split(separator: ",").map(String.init)
    var columns = [String: [Double]]()
    for line in lines {
      let fields = line.split(separator: ",")
      for (name, field) in zip(header, fields) {
        columns[name, default: []].append(try #require(Double(field), "\(name) = \(field)"))
      }
    }
    return columns
  }
}

/// The shipped cell files, read from the repository (CellParams/lithium-ion/).
enum ShippedCell {
  static let sets = ["Chen2020", "Marquis2019", "Prada2013"]

  static func url(_ set: String, filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath)
      .deletingLastPathComponent()  // CellParametersTests
      .deletingLastPathComponent()  // Tests
      .deletingLastPathComponent()  // repository root
      .appendingPathComponent("CellParams/lithium-ion/\(set).json")
  }

  static func text(_ set: String) throws -> String {
    try String(contentsOf: url(set), encoding: .utf8)
  }
}

/// |a − b| ≤ tol·|b| (relative), for reference values b away from zero.
func relativeError(_ a: Double, _ b: Double) -> Double {
  abs(a - b) / max(abs(b), .leastNormalMagnitude)
}
