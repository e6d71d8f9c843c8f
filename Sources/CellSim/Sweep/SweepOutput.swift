// CellSim — CellSim/Sweep/SweepOutput.swift
//
// `sweep.csv` on disk. While the sweep runs, rows are appended in completion order (each with its case
// index in the first column) and flushed at least every 0.2 s, so a killed sweep keeps what it did (at
// most the last 0.2 s of rows and one partial line are lost). When the run finishes, the file is
// rewritten atomically in case-index order — so a finished file does not depend on thread timing, and
// a resumed run, a merged set of shards and an uninterrupted run give the same bytes.
//
// Beside it, `<out>.manifest.json` identifies the sweep (fingerprint of the cell file, model, protocol,
// options and case list; the shard; the number of cases). Re-running the same sweep with the same output
// resumes: rows already written are kept and their cases skipped. `merge` joins shard outputs whose
// manifests agree and checks that every case is there exactly once.

import Foundation

/// The manifest of a sweep output.
public struct SweepManifest: Sendable, Equatable {
  public static let format = "cellsim.sweep/1"
  public var fingerprint: String
  public var cell: String
  public var model: String
  public var protocolText: String
  public var cases: Int
  public var shard: SweepShard?

  public init(plan: SweepPlan, shard: SweepShard?) {
    fingerprint = plan.fingerprint
    cell = plan.base.url.lastPathComponent
    model = plan.modelName
    protocolText = plan.protocolTemplate
    cases = plan.cases.count
    self.shard = shard
  }

  public static func url(for output: URL) -> URL {
    output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".manifest.json")
  }

  public var json: String {
    let members: [(key: String, value: JSONValue)] = [
      ("format", .string(Self.format)), ("fingerprint", .string(fingerprint)), ("cell", .string(cell)),
      ("model", .string(model)), ("protocol", .string(protocolText)), ("cases", .number(Double(cases))),
      ("shard", shard.map { .string($0.description) } ?? .null),
    ]
    return JSONValue.object(members).rendered(limit: .max) + "\n"
  }

  /// Reads the manifest of `output`.
  public static func read(for output: URL) throws(SweepInputError) -> SweepManifest {
    let url = Self.url(for: output)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw SweepInputError("\(url.path): missing (each sweep output has a manifest beside it; copy it with the CSV)")
    }
    let json: JSONValue
    do { json = try JSONValue.parse(String(decoding: data, as: UTF8.self)) } catch {
      throw SweepInputError("\(url.path): \(error)")
    }
    guard case .string(format)? = json["format"], case .string(let fp)? = json["fingerprint"],
      case .string(let cell)? = json["cell"], case .string(let model)? = json["model"],
      case .string(let text)? = json["protocol"], case .number(let n, _)? = json["cases"], n >= 0
    else { throw SweepInputError("\(url.path): not a cellsim sweep manifest (\(format))") }
    var shard: SweepShard?
    if case .string(let s)? = json["shard"] {
      do throws(SweepInputError) { shard = try SweepShard.parse(s, environment: [:]) } catch {
        throw SweepInputError("\(url.path): \(error)")
      }
    }
    return SweepManifest(fingerprint: fp, cell: cell, model: model, protocolText: text, cases: Int(n), shard: shard)
  }

  init(fingerprint: String, cell: String, model: String, protocolText: String, cases: Int, shard: SweepShard?) {
    self.fingerprint = fingerprint
    self.cell = cell
    self.model = model
    self.protocolText = protocolText
    self.cases = cases
    self.shard = shard
  }
}

/// The streaming `sweep.csv` of one run (or one shard).
public final class SweepOutput: @unchecked Sendable {
  public let url: URL
  public let header: [String]
  /// Rows found in the file when it was opened (a resumed sweep), by case index.
  public let resumed: [Int: String]
  private var written: [Int: String] = [:]
  private var handle: FileHandle?
  private var buffer = ""
  private var lastFlush = Date()
  private var failure: String?
  private let lock = NSLock()

  /// Opens (and, unless `fresh`, resumes) the output of `plan` (restricted to `shard`).
  /// - Throws: `SweepInputError` when the file holds another sweep (give `fresh` to start over) or
  ///   cannot be written.
  public init(url: URL, plan: SweepPlan, shard: SweepShard?, fresh: Bool = false) throws(SweepInputError) {
    self.url = url
    header = plan.header
    let manifest = SweepManifest(plan: plan, shard: shard)
    let manifestURL = SweepManifest.url(for: url)
    let fm = FileManager.default
    var kept: [Int: String] = [:]
    var keepLength: Int?
    if !fresh, fm.fileExists(atPath: url.path) {
      let existing: SweepManifest
      do throws(SweepInputError) { existing = try SweepManifest.read(for: url) } catch {
        throw SweepInputError(
          "\(url.path) exists but is not the output of this sweep (\(error)); give another --out, or --fresh to overwrite it")
      }
      guard existing.fingerprint == manifest.fingerprint, existing.shard == shard else {
        let what =
          existing.fingerprint != manifest.fingerprint
          ? "another sweep (cell file, model, protocol or cases differ)"
          : "shard \(existing.shard?.description ?? "none (the whole sweep)") of this sweep"
        throw SweepInputError(
          "\(url.path) holds \(what); give another --out, or --fresh to overwrite it")
      }
      let contents = try SweepCSV.read(url)
      guard contents.header == header else {
        throw SweepInputError("\(url.path): its columns differ from this sweep's; give --fresh to overwrite it")
      }
      for (index, line) in contents.lines where index < plan.cases.count && (shard?.contains(index) ?? true) {
        kept[index] = line
      }
      keepLength = contents.completeLength
    }
    resumed = kept
    do {
      if let keepLength {
        guard let h = FileHandle(forUpdatingAtPath: url.path) else { throw SweepInputError("\(url.path): cannot open for appending") }
        try h.truncate(atOffset: UInt64(keepLength))
        try h.seekToEnd()
        handle = h
      } else {
        let dir = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
          throw SweepInputError("\(url.path): cannot write output: directory \(dir.path) does not exist")
        }
        try AtomicFileWriter.write(manifest.json, to: manifestURL)
        guard fm.createFile(atPath: url.path, contents: Data((header.joined(separator: ",") + "\n").utf8)),
          let h = FileHandle(forWritingAtPath: url.path)
        else { throw SweepInputError("\(url.path): cannot write output: not writable") }
        try h.seekToEnd()
        handle = h
      }
    } catch let e as SweepInputError {
      throw e
    } catch {
      throw SweepInputError("\(url.path): cannot write output: \(error)")
    }
  }

  deinit { try? handle?.close() }

  /// Appends a finished case (thread-safe); flushed to disk at least every 0.2 s.
  public func append(_ row: SweepRow) {
    let line = SweepCSV.line(row)
    lock.lock()
    defer { lock.unlock() }
    written[row.index] = String(line.dropLast())
    buffer += line
    if buffer.utf8.count > 1 << 16 || Date().timeIntervalSince(lastFlush) > 0.2 { flushLocked() }
  }

  private func flushLocked() {
    guard let handle, !buffer.isEmpty else { return }
    do { try handle.write(contentsOf: Data(buffer.utf8)) } catch {
      failure = failure ?? "\(error.localizedDescription)"
    }
    buffer = ""
    lastFlush = Date()
  }

  /// Flushes, then rewrites the file in case-index order (atomically). Returns the number of rows.
  public func finish() throws(SweepInputError) -> Int {
    lock.lock()
    flushLocked()
    try? handle?.close()
    handle = nil
    let all = resumed.merging(written) { _, new in new }
    lock.unlock()
    if let failure { throw SweepInputError("\(url.path): cannot write output: \(failure)") }
    try SweepOutput.write(header: header, lines: all, to: url)
    return all.count
  }

  static func write(header: [String], lines: [Int: String], to url: URL) throws(SweepInputError) {
    do throws(OutputError) {
      let w = try AtomicFileWriter(destination: url)
      w.write(header.joined(separator: ",") + "\n")
      for k in lines.keys.sorted() { w.write(lines[k]! + "\n") }
      try w.commit()
    } catch {
      throw SweepInputError(error.description)
    }
  }

  /// Joins shard outputs into `destination` (and its manifest): the same file as an unsharded run.
  /// - Throws: `SweepInputError` when the inputs are of different sweeps, a case is missing or duplicated
  ///   with different results, or an input is unreadable.
  /// - Returns: the number of cases written.
  @discardableResult
  public static func merge(_ inputs: [URL], into destination: URL) throws(SweepInputError) -> Int {
    guard !inputs.isEmpty else { throw SweepInputError("merge: no shard outputs given") }
    if inputs.contains(where: { $0.standardizedFileURL.path == destination.standardizedFileURL.path }) {
      throw SweepInputError("merge: --out \(destination.path) is one of the inputs; write the merged file elsewhere")
    }
    var first: SweepManifest?
    var header: [String]?
    var lines: [Int: String] = [:]
    var seenShards: [Int: String] = [:]
    for url in inputs {
      let m = try SweepManifest.read(for: url)
      if let f = first {
        guard m.fingerprint == f.fingerprint else {
          throw SweepInputError("merge: \(url.path) is from another sweep than \(inputs[0].path) (their manifests' fingerprints differ)")
        }
        if let s = m.shard, let fs = f.shard, s.count != fs.count {
          throw SweepInputError("merge: \(url.path) is shard \(s) but \(inputs[0].path) is shard \(fs); shards of one split only")
        }
      } else {
        first = m
      }
      if let s = m.shard {
        if let other = seenShards[s.index] {
          throw SweepInputError("merge: shard \(s) is given twice (\(other) and \(url.path))")
        }
        seenShards[s.index] = url.path
      }
      let contents = try SweepCSV.read(url)
      if let h = header, h != contents.header {
        throw SweepInputError("merge: \(url.path) has other columns than \(inputs[0].path)")
      }
      header = contents.header
      for (k, line) in contents.lines {
        if let shard = m.shard, !shard.contains(k) {
          throw SweepInputError("merge: \(url.path) holds case \(k), which is not in its shard \(shard)")
        }
        if let old = lines[k], old != line {
          throw SweepInputError("merge: case \(k) has different results in two inputs")
        }
        lines[k] = line
      }
    }
    guard let manifest = first, let header else { throw SweepInputError("merge: nothing to merge") }
    let missing = (0..<manifest.cases).filter { lines[$0] == nil }
    if !missing.isEmpty {
      var shardsMissing: [String] = []
      if let n = manifest.shard?.count {
        for k in 0..<n {
          let lacking = missing.filter { $0 % n == k }.count
          guard lacking > 0 else { continue }
          shardsMissing.append(
            seenShards[k].map { "shard \(k)/\(n) (\($0)) lacks \(lacking) cases — re-run it, it resumes" }
              ?? "shard \(k)/\(n) was not given")
        }
      }
      throw SweepInputError(
        "merge: \(missing.count) of \(manifest.cases) cases are missing (first: \(missing.prefix(5).map(String.init).joined(separator: ", ")))"
          + (shardsMissing.isEmpty ? "" : ": " + shardsMissing.joined(separator: "; ")))
    }
    var merged = manifest
    merged.shard = nil
    try write(header: header, lines: lines, to: destination)
    do throws(OutputError) { try AtomicFileWriter.write(merged.json, to: SweepManifest.url(for: destination)) } catch {
      throw SweepInputError(error.description)
    }
    return lines.count
  }
}
