// CellSim — CellSim/Sweep/SweepPaths.swift
//
// Parameter paths of a sweep: the cell file's own field paths, dotted, with array elements by their
// 0-based index ("positive.thickness_m", "stack.layers.1.thickness_m"). The paths a sweep may vary are
// the numeric leaves of the cell file's JSON; anything else is refused before a case runs, with the
// nearest valid names.

import Foundation

extension JSONValue {
  /// Every numeric leaf of the tree as (dotted path, value), in file order. Array elements are
  /// addressed by their 0-based index.
  public var numericLeaves: [(path: String, value: Double)] {
    var out: [(path: String, value: Double)] = []
    func walk(_ v: JSONValue, _ prefix: String) {
      switch v {
      case .number(let x, _): out.append((prefix, x))
      case .object(let members):
        for m in members { walk(m.value, prefix.isEmpty ? m.key : prefix + "." + m.key) }
      case .array(let items):
        for (i, item) in items.enumerated() { walk(item, prefix.isEmpty ? "\(i)" : prefix + ".\(i)") }
      default: break
      }
    }
    walk(self, "")
    return out
  }

  /// The value at a dotted path (array elements by index), or `nil`.
  public func value(atPath path: String) -> JSONValue? {
    var current = self
    for part in path.split(separator: ".", omittingEmptySubsequences: false) {
      switch current {
      case .object:
        guard let next = current[String(part)] else { return nil }
        current = next
      case .array(let items):
        guard let i = Int(part), items.indices.contains(i) else { return nil }
        current = items[i]
      default: return nil
      }
    }
    return current
  }

  /// A copy with the existing value at a dotted path (array elements by index) replaced; `nil` when the
  /// path does not exist (a sweep only replaces values, it never adds fields).
  public func replacing(atPath path: String, with newValue: JSONValue) -> JSONValue? {
    let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    return replacing(parts[...], with: newValue)
  }

  private func replacing(_ parts: ArraySlice<String>, with newValue: JSONValue) -> JSONValue? {
    guard let head = parts.first else { return newValue }
    let rest = parts.dropFirst()
    switch self {
    case .object(var members):
      guard let i = members.firstIndex(where: { $0.key == head }),
        let updated = members[i].value.replacing(rest, with: newValue)
      else { return nil }
      members[i].value = updated
      return .object(members)
    case .array(var items):
      guard let i = Int(head), items.indices.contains(i), let updated = items[i].replacing(rest, with: newValue)
      else { return nil }
      items[i] = updated
      return .array(items)
    default: return nil
    }
  }
}

/// A parameter path a sweep cannot vary, with the reason and the nearest valid names.
public struct SweepPathError: Error, Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var problem: String
  public var suggestions: [String]
  public var description: String {
    var s = "'\(path)': \(problem)"
    if !suggestions.isEmpty {
      s += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?"
    }
    return s
  }
}

/// The numeric fields of a cell file that a sweep can vary.
public struct SweepPaths: Sendable {
  /// Valid paths in file order, with the file's values.
  public let leaves: [(path: String, value: Double)]
  let index: [String: Double]
  let root: JSONValue
  public let fileName: String

  public init(json: JSONValue, fileName: String) {
    root = json
    self.fileName = fileName
    leaves = json.numericLeaves
    index = Dictionary(leaves.map { ($0.path, $0.value) }, uniquingKeysWith: { a, _ in a })
  }

  /// The file's value at a valid path.
  public func baseValue(_ path: String) -> Double? { index[path] }

  /// Checks that `path` is a numeric leaf of the cell file.
  /// - Throws: `SweepPathError` saying why not (unknown, not a number, a section), with up to three
  ///   nearest valid paths.
  public func validate(_ path: String) throws(SweepPathError) {
    if index[path] != nil { return }
    let suggestions = nearest(to: path)
    if let v = root.value(atPath: path) {
      let problem: String
      switch v {
      case .object, .array:
        problem = "is a section of \(fileName), not a number; vary one of its numeric fields"
      case .string:
        problem = "is \(v.kindDescription) in \(fileName) (an expression or a name), not a number; only numeric fields can be varied"
      default:
        problem = "is \(v.kindDescription) in \(fileName), not a number; only numeric fields can be varied"
      }
      // A section: its own numeric fields; a text field: the numeric fields beside it.
      let inside = leaves.map(\.path).filter { $0.hasPrefix(path + ".") }.prefix(5)
      let parent = path.split(separator: ".").dropLast().joined(separator: ".")
      let siblings = nearest(to: path, count: leaves.count).filter { parent.isEmpty || $0.hasPrefix(parent + ".") }
      throw SweepPathError(
        path: path, problem: problem,
        suggestions: !inside.isEmpty ? Array(inside) : siblings.isEmpty ? suggestions : Array(siblings.prefix(3)))
    }
    throw SweepPathError(
      path: path, problem: "no such numeric field in \(fileName) (paths are the file's own, e.g. \(leaves.first.map { $0.path } ?? "positive.thickness_m"))",
      suggestions: suggestions)
  }

  /// Up to `count` valid paths closest to `path`: the `closestName` match first, then by edit distance
  /// of the whole path and of the last component.
  public func nearest(to path: String, count: Int = 3) -> [String] {
    let names = leaves.map(\.path)
    let last = path.split(separator: ".").last.map(String.init) ?? path
    func score(_ candidate: String) -> Int {
      let whole = editDistance(path.lowercased(), candidate.lowercased())
      let candidateLast = candidate.split(separator: ".").last.map(String.init) ?? candidate
      let tail = editDistance(last.lowercased(), candidateLast.lowercased()) + (candidate.hasPrefix(sectionOf(path)) ? 0 : 3)
      return min(whole, tail)
    }
    var ranked = names.map { ($0, score($0)) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
    if let best = closestName(to: path, among: names), let i = ranked.firstIndex(of: best) {
      ranked.remove(at: i)
      ranked.insert(best, at: 0)
    }
    return Array(ranked.prefix(count))
  }

  private func sectionOf(_ path: String) -> String {
    guard let dot = path.firstIndex(of: ".") else { return path }
    return String(path[..<dot])
  }
}
