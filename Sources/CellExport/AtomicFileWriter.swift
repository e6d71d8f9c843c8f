// CellSim — CellExport/AtomicFileWriter.swift
//
// Nothing half-written: every output goes to a temporary file beside its destination and is renamed
// over it only when complete. An existing file is replaced only by a finished new one.

import Foundation

/// Why an output could not be written.
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
  public var path: String
  public var reason: String
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
  public var description: String { "\(path): cannot write output: \(reason)" }
}

/// A buffered writer to `destination` through a temporary file in the same directory.
///
/// `init` creates the temporary file at once, so an unwritable path is reported before any work is
/// done. `commit()` flushes, closes and renames (atomic on POSIX file systems); `abort()` or
/// deinitialisation without `commit()` removes the temporary file and leaves any existing
/// destination untouched.
public final class AtomicFileWriter {
  public let destination: URL
  let temporary: URL
  var handle: FileHandle?
  var buffer: [UInt8] = []
  var failure: OutputError?

  /// - Throws: `OutputError` if the directory does not exist or is not writable.
  public init(destination: URL) throws(OutputError) {
    self.destination = destination
    let directory = destination.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
    else {
      throw OutputError(path: destination.path, reason: "directory \(directory.path) does not exist")
    }
    if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw OutputError(path: destination.path, reason: "it is a directory")
    }
    temporary = directory.appendingPathComponent(
      ".\(destination.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
      let handle = FileHandle(forWritingAtPath: temporary.path)
    else {
      throw OutputError(path: destination.path, reason: "directory \(directory.path) is not writable")
    }
    self.handle = handle
    buffer.reserveCapacity(1 << 16)
  }

  deinit { if handle != nil { abort() } }

  /// Appends text (UTF-8).
  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  func flush() {
    guard let handle, !buffer.isEmpty else { return }
    do {
      try handle.write(contentsOf: buffer)
    } catch {
      failure = failure ?? OutputError(path: destination.path, reason: "\(error.localizedDescription)")
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Finishes the file and moves it into place.
  /// - Throws: `OutputError` if any write failed or the rename failed; the destination is then untouched.
  public func commit() throws(OutputError) {
    flush()
    do { try handle?.close() } catch {}
    handle = nil
    if let failure {
      try? FileManager.default.removeItem(at: temporary)
      throw failure
    }
    if rename(temporary.path, destination.path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw OutputError(path: destination.path, reason: reason)
    }
  }

  /// Drops the temporary file; the destination is untouched.
  public func abort() {
    try? handle?.close()
    handle = nil
    try? FileManager.default.removeItem(at: temporary)
  }

  /// Writes `text` to `url` atomically in one go.
  public static func write(_ text: String, to url: URL) throws(OutputError) {
    let writer = try AtomicFileWriter(destination: url)
    writer.write(text)
    try writer.commit()
  }
}
