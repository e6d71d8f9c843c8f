// CellSim — SolidStateTests/Support.swift
//
// Shared helpers: the shipped cell files, the reference parameters (params.json, read with Foundation,
// never with the code under test) and JSON edits for broken files.

import CellSim
import Foundation
import Testing
import _TestSupport

enum SSB {
  static func cellURL(_ name: String) -> URL {
    repositoryRoot().appendingPathComponent("CellParams/solid-state/\(name).json")
  }
  static let baseline = "Li_LPSCl_NMC811"
  static let llzo = "Li_LLZO_NMC811"
  static let anodeFree = "AnodeFree_LPSCl_NMC811"

  /// Both particle representations: the default eigenmodes, and finite volumes (`nil`).
  static let particleOptions: [Int?] = [SolidStateModel.defaultModeCount, nil]

  /// The model of a shipped cell; `particleModes: nil` forces the finite-volume particle.
  static func model(_ name: String = baseline, particleModes: Int? = SolidStateModel.defaultModeCount) throws
    -> SolidStateModel
  {
    try SolidStateModel(parameters: try SolidStateParameters.load(contentsOf: cellURL(name)), particleModes: particleModes)
  }

  /// `params.json` of the reference: key → value.
  static func reference() throws -> [String: Double] {
    let data = try Data(contentsOf: fixtureURL("params.json"))
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var result: [String: Double] = [:]
    for (key, value) in object {
      if let entry = value as? [String: Any], let number = (entry["value"] as? NSNumber)?.doubleValue {
        result[key] = number
      }
    }
    return result
  }

  static func run(_ model: SolidStateModel, _ text: String, options: SimulationOptions = SimulationOptions())
    throws -> SimulationResult
  {
    try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: text), options: options)
  }
}

/// The baseline file as a Foundation tree, edited at a path such as `stack.layers[1].thickness_m`
/// (`nil` removes the field), rendered back to JSON text.
func editedBaseline(_ edits: [(String, Any?)], file: String = SSB.baseline) throws -> String {
  let data = try Data(contentsOf: SSB.cellURL(file))
  var root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  for (path, value) in edits {
    root = try #require(setValue(root, path: parsePath(path)[...], to: value) as? [String: Any], "edit \(path)")
  }
  let out = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted])
  return try #require(String(data: out, encoding: .utf8))
}

enum PathPart { case key(String), index(Int) }

func parsePath(_ path: String) -> [PathPart] {
  var parts: [PathPart] = []
  for component in path.split(separator: ".") {
    var text = String(component)
    var indices: [Int] = []
    while let open = text.lastIndex(of: "["), text.hasSuffix("]") {
      indices.insert(Int(text[text.index(after: open)..<text.index(before: text.endIndex)])!, at: 0)
      text = String(text[..<open])
    }
    parts.append(.key(text))
    parts += indices.map { .index($0) }
  }
  return parts
}

func setValue(_ node: Any, path: ArraySlice<PathPart>, to value: Any?) -> Any? {
  guard let head = path.first else { return value }
  let rest = path.dropFirst()
  switch head {
  case .key(let k):
    guard var object = node as? [String: Any] else { return nil }
    if rest.isEmpty {
      object[k] = value
    } else {
      guard let child = object[k], let updated = setValue(child, path: rest, to: value) else { return nil }
      object[k] = updated
    }
    return object
  case .index(let i):
    guard var array = node as? [Any], i < array.count else { return nil }
    if rest.isEmpty {
      if let value { array[i] = value } else { array.remove(at: i) }
    } else {
      guard let updated = setValue(array[i], path: rest, to: value) else { return nil }
      array[i] = updated
    }
    return array
  }
}
