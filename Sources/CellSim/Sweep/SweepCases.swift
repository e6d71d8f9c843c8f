// CellSim — CellSim/Sweep/SweepCases.swift
//
// The case list of a sweep: the Cartesian product of its factors — the rows of a design CSV (first,
// outermost), then each `--vary` axis in the order given, then the C-rates (innermost, fastest) — so
// consecutive cases share a design and its model. Case k of the full list always has index k; a shard
// K/N runs the cases with k mod N == K (deterministic, interleaved so expensive corners spread over
// the shards), and shards are merged back by index.

import Foundation

/// A problem with a sweep's definition (a `--vary` spec, a design CSV, a shard, the protocol).
public struct SweepInputError: Error, Sendable, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// One set of values the sweep takes jointly: parameter values and, optionally, a C-rate.
public struct SweepAssignment: Sendable, Equatable {
  public var values: [(path: String, value: Double)]
  public var cRate: Double?
  public init(values: [(path: String, value: Double)] = [], cRate: Double? = nil) {
    self.values = values
    self.cRate = cRate
  }
  public static func == (a: SweepAssignment, b: SweepAssignment) -> Bool {
    a.cRate == b.cRate && a.values.count == b.values.count
      && zip(a.values, b.values).allSatisfy { $0.path == $1.path && $0.value == $1.value }
  }
}

/// One factor of the product: a list of assignments (a `--vary` axis, the design rows, the C-rates).
public struct SweepFactor: Sendable, Equatable {
  /// What the factor is, for messages ("positive.thickness_m", "designs.csv", "C-rate").
  public var name: String
  public var assignments: [SweepAssignment]
  /// Whether assignments are whole designs (parameter values) or only C-rates.
  public var isCRateOnly: Bool { assignments.allSatisfy { $0.values.isEmpty } }

  public init(name: String, assignments: [SweepAssignment]) {
    self.name = name
    self.assignments = assignments
  }

  /// A `--vary` axis: `path=a:b:n` (n values linearly from a to b), `path=log:a:b:n` (geometric, a, b > 0),
  /// `path=v1,v2,…` (a list; one value allowed).
  /// - Throws: `SweepInputError` naming the spec and what is accepted.
  public static func vary(_ spec: String) throws(SweepInputError) -> SweepFactor {
    guard let eq = spec.firstIndex(of: "=") else {
      throw SweepInputError(
        "--vary '\(spec)': expected path=a:b:n, path=log:a:b:n or path=v1,v2,… (e.g. positive.thickness_m=50e-6:120e-6:8)")
    }
    let path = spec[..<eq].trimmingCharacters(in: .whitespaces)
    let body = spec[spec.index(after: eq)...].trimmingCharacters(in: .whitespaces)
    guard !path.isEmpty else { throw SweepInputError("--vary '\(spec)': the parameter path before '=' is empty") }
    let values = try parseValues(body, context: "--vary \(path)")
    return SweepFactor(name: path, assignments: values.map { SweepAssignment(values: [(path, $0)]) })
  }

  /// The values of a range or list (`a:b:n`, `log:a:b:n`, `v1,v2,…`).
  public static func parseValues(_ body: String, context: String) throws(SweepInputError) -> [Double] {
    func number(_ s: Substring) throws(SweepInputError) -> Double {
      let t = s.trimmingCharacters(in: .whitespaces)
      guard let x = Double(t), x.isFinite else { throw SweepInputError("\(context): '\(t)' is not a finite number") }
      return x
    }
    if body.contains(":") {
      var parts = body.split(separator: ":", omittingEmptySubsequences: false)
      var logarithmic = false
      if parts.first?.trimmingCharacters(in: .whitespaces).lowercased() == "log" {
        logarithmic = true
        parts.removeFirst()
      }
      guard parts.count == 3 else {
        throw SweepInputError("\(context): '\(body)' is not a range; write a:b:n (linear) or log:a:b:n (geometric)")
      }
      let a = try number(parts[0])
      let b = try number(parts[1])
      let nText = parts[2].trimmingCharacters(in: .whitespaces)
      guard let n = Int(nText), n >= 1, n <= 10_000_000 else {
        throw SweepInputError("\(context): the count '\(nText)' in '\(body)' must be a whole number ≥ 1")
      }
      if logarithmic, !(a > 0 && b > 0) {
        throw SweepInputError("\(context): a log range needs positive ends, got \(body)")
      }
      if n == 1 { return [a] }
      return (0..<n).map { k in
        if k == n - 1 { return b }  // exact end points
        let f = Double(k) / Double(n - 1)
        return logarithmic ? exp(log(a) + f * (log(b) - log(a))) : a + f * (b - a)
      }
    }
    let values = try body.split(separator: ",", omittingEmptySubsequences: false).map { (s) throws(SweepInputError) in try number(s) }
    if values.isEmpty { throw SweepInputError("\(context): no values") }
    return values
  }

  /// C-rates `0.5,1,2C` (or a range as `--vary`), each positive.
  public static func cRates(_ text: String) throws(SweepInputError) -> SweepFactor {
    let cleaned = text.replacingOccurrences(of: "C", with: "").replacingOccurrences(of: "c", with: "")
    let rates = try parseValues(cleaned, context: "--c-rates")
    if let bad = rates.first(where: { !($0 > 0) }) {
      throw SweepInputError("--c-rates: \(bad) is not a positive C-rate (write e.g. 0.5,1,2 or 0.1:5:1000)")
    }
    return SweepFactor(name: "C-rate", assignments: rates.map { SweepAssignment(cRate: $0) })
  }

  /// The rows of a design CSV: a header of parameter paths (and optionally `c_rate`), one design per row.
  /// Blank lines and lines starting with `#` are skipped.
  /// - Throws: `SweepInputError` naming the file and line of the first bad row.
  public static func design(csv text: String, fileName: String) throws(SweepInputError) -> SweepFactor {
    var header: [String]?
    var assignments: [SweepAssignment] = []
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let fields = SweepCSV.fields(of: line).map { $0.trimmingCharacters(in: .whitespaces) }
      guard let columns = header else {
        if let empty = fields.firstIndex(where: \.isEmpty) {
          throw SweepInputError("\(fileName):\(n + 1): column \(empty + 1) of the header is empty")
        }
        if let dup = fields.first(where: { f in fields.filter { $0 == f }.count > 1 }) {
          throw SweepInputError("\(fileName):\(n + 1): column '\(dup)' appears twice in the header")
        }
        header = fields
        continue
      }
      guard fields.count == columns.count else {
        throw SweepInputError(
          "\(fileName):\(n + 1): \(fields.count) values but the header has \(columns.count) columns (\(columns.joined(separator: ",")))")
      }
      var a = SweepAssignment()
      for (column, field) in zip(columns, fields) {
        guard let x = Double(field), x.isFinite else {
          throw SweepInputError("\(fileName):\(n + 1): '\(field)' in column \(column) is not a finite number")
        }
        if column == SweepCSV.cRateColumn {
          guard x > 0 else { throw SweepInputError("\(fileName):\(n + 1): c_rate \(field) is not a positive C-rate") }
          a.cRate = x
        } else {
          a.values.append((column, x))
        }
      }
      assignments.append(a)
    }
    guard header != nil else { throw SweepInputError("\(fileName): empty design file (expected a header of parameter paths)") }
    guard !assignments.isEmpty else { throw SweepInputError("\(fileName): a header but no design rows") }
    return SweepFactor(name: fileName, assignments: assignments)
  }
}

/// One case of a sweep.
public struct SweepCase: Sendable, Equatable {
  /// Index in the full (unsharded) case list.
  public var index: Int
  /// Index of the design (the case's parameter values without its C-rate); cases sharing it share a model.
  public var designIndex: Int
  /// Parameter values, in the sweep's column order.
  public var values: [(path: String, value: Double)]
  public var cRate: Double?

  public static func == (a: SweepCase, b: SweepCase) -> Bool {
    a.index == b.index && a.designIndex == b.designIndex && a.cRate == b.cRate && a.values.count == b.values.count
      && zip(a.values, b.values).allSatisfy { $0.path == $1.path && $0.value == $1.value }
  }
}

/// A K-th of N slice of the case list (K in 0..<N).
public struct SweepShard: Sendable, Equatable, CustomStringConvertible {
  public var index: Int
  public var count: Int

  public init(index: Int, count: Int) throws(SweepInputError) {
    guard count >= 1 else { throw SweepInputError("--shard \(index)/\(count): the number of shards must be ≥ 1") }
    guard (0..<count).contains(index) else {
      throw SweepInputError(
        "--shard \(index)/\(count): the shard index must be in 0…\(count - 1) (shards are numbered from 0, as Slurm array and Kubernetes completion indices)")
    }
    self.index = index
    self.count = count
  }

  public var description: String { "\(index)/\(count)" }

  /// Parses `K/N`, or `auto` / `auto/N`, reading K from `SLURM_ARRAY_TASK_ID` (minus
  /// `SLURM_ARRAY_TASK_MIN`) or `JOB_COMPLETION_INDEX`, and N from the text, `SLURM_ARRAY_TASK_COUNT` or
  /// `CELLSIM_SHARDS`.
  public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    throws(SweepInputError) -> SweepShard
  {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard parts.count <= 2, let first = parts.first, !first.isEmpty else {
      throw SweepInputError("--shard '\(text)': write K/N (K from 0 to N−1), auto or auto/N")
    }
    var count: Int?
    if parts.count == 2 {
      guard let n = Int(parts[1]) else { throw SweepInputError("--shard '\(text)': '\(parts[1])' is not a whole number") }
      count = n
    }
    if first.lowercased() == "auto" {
      let k: Int
      if let id = environment["SLURM_ARRAY_TASK_ID"], let v = Int(id) {
        k = v - (environment["SLURM_ARRAY_TASK_MIN"].flatMap { Int($0) } ?? 0)
      } else if let id = environment["JOB_COMPLETION_INDEX"], let v = Int(id) {
        k = v
      } else {
        throw SweepInputError(
          "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set (run it as a Slurm array task or a Kubernetes Indexed Job, or give --shard K/N)")
      }
      if count == nil {
        count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap { Int($0) } ?? environment["CELLSIM_SHARDS"].flatMap { Int($0) }
      }
      guard let n = count else {
        throw SweepInputError(
          "--shard auto: the number of shards is unknown; write --shard auto/N (or set SLURM_ARRAY_TASK_COUNT or CELLSIM_SHARDS)")
      }
      return try SweepShard(index: k, count: n)
    }
    guard let k = Int(first), let n = count else {
      throw SweepInputError("--shard '\(text)': write K/N with whole numbers, K from 0 to N−1 (e.g. 0/4 … 3/4)")
    }
    return try SweepShard(index: k, count: n)
  }

  /// Whether case `index` of the full list belongs to this shard.
  public func contains(_ caseIndex: Int) -> Bool { caseIndex % count == index }
}

/// The case list of a sweep.
public struct SweepCaseList: Sendable {
  public var factors: [SweepFactor]
  /// Parameter columns in order (every path any factor sets).
  public let paths: [String]
  /// Whether the cases carry a C-rate.
  public let hasCRate: Bool
  public let count: Int
  let strides: [Int]

  /// - Throws: `SweepInputError` if two factors set the same path, only some assignments set a C-rate,
  ///   or two factors set C-rates.
  public init(factors: [SweepFactor]) throws(SweepInputError) {
    var paths: [String] = []
    var owner: [String: String] = [:]
    var rateFactor: String?
    for f in factors {
      guard !f.assignments.isEmpty else { throw SweepInputError("\(f.name): no values") }
      var fPaths: [String] = []
      for a in f.assignments { for v in a.values where !fPaths.contains(v.path) { fPaths.append(v.path) } }
      for p in fPaths {
        if let other = owner[p] { throw SweepInputError("'\(p)' is varied twice (by \(other) and by \(f.name))") }
        owner[p] = f.name
        paths.append(p)
      }
      let withRate = f.assignments.filter { $0.cRate != nil }.count
      if withRate > 0 {
        guard withRate == f.assignments.count else {
          throw SweepInputError("\(f.name): a C-rate is given for some rows but not all")
        }
        if let other = rateFactor { throw SweepInputError("C-rates are given twice (by \(other) and by \(f.name))") }
        rateFactor = f.name
      }
    }
    self.factors = factors
    self.paths = paths
    hasCRate = rateFactor != nil
    var strides = Array(repeating: 1, count: factors.count)
    var total = 1
    for i in stride(from: factors.count - 1, through: 0, by: -1) {
      strides[i] = total
      let (product, overflow) = total.multipliedReportingOverflow(by: factors[i].assignments.count)
      guard !overflow, product <= 1_000_000_000 else {
        throw SweepInputError("the sweep has more than 10⁹ cases; narrow the ranges or shard a design CSV")
      }
      total = product
    }
    self.strides = strides
    count = factors.isEmpty ? 1 : total
  }

  /// Case `index` of the full list (row-major: the last factor varies fastest).
  public func `case`(_ index: Int) -> SweepCase {
    var values: [(path: String, value: Double)] = []
    var rate: Double?
    var designIndex = 0
    var designStride = 1
    var rest = index
    var picks: [Int] = []
    for (i, f) in factors.enumerated() {
      let k = rest / strides[i]
      rest %= strides[i]
      picks.append(k)
      _ = f
    }
    // The design index counts over the factors that set parameters, in the same row-major order.
    for (i, f) in factors.enumerated().reversed() where !f.isCRateOnly {
      designIndex += picks[i] * designStride
      designStride *= f.assignments.count
    }
    var byPath: [String: Double] = [:]
    for (i, f) in factors.enumerated() {
      let a = f.assignments[picks[i]]
      for v in a.values { byPath[v.path] = v.value }
      if let r = a.cRate { rate = r }
    }
    for p in paths { if let v = byPath[p] { values.append((p, v)) } }
    return SweepCase(index: index, designIndex: designIndex, values: values, cRate: rate)
  }

  /// The indices of a shard (all cases without one).
  public func indices(shard: SweepShard?) -> [Int] {
    guard let shard else { return Array(0..<count) }
    return Array(stride(from: shard.index, to: count, by: shard.count))
  }
}
