// CellSim — _TestSupport/ProcessRunner.swift
//
// Running the `cellsim` executable from tests (end-to-end, robustness, validation), and the scratch
// directories they write into.

import Foundation

/// What a run of an executable produced.
public struct ProcessOutcome: Sendable, CustomStringConvertible {
  public var status: Int32
  public var stdout: String
  public var stderr: String
  /// Wall-clock time of the run [s].
  public var seconds: Double
  /// Peak resident memory of the child [KB] (its VmHWM, sampled while it runs when a timeout is
  /// given; 0 otherwise or if unknown).
  public var maximumResidentKB: Int

  public var stderrLines: [String] { stderr.split(whereSeparator: \.isNewline).map(String.init) }
  public var description: String {
    "exit \(status) after \(seconds) s\n--- stdout\n\(stdout.prefix(2000))--- stderr\n\(stderr.prefix(2000))"
  }
}

/// Runs `executable` with `arguments` in `directory` (the current directory if nil), standard input
/// empty, output captured through files. With a `timeout` [s] the child is polled (its memory
/// high-water mark sampled) and killed when it runs longer (status 124); a signal gives 128 + signal.
public func runProcess(
  _ executable: URL, _ arguments: [String], in directory: URL? = nil, timeout: Double? = nil
) throws -> ProcessOutcome {
  let scratch = try makeTemporaryDirectory(prefix: "cellsim-io")
  defer { try? FileManager.default.removeItem(at: scratch) }
  let outURL = scratch.appendingPathComponent("stdout")
  let errURL = scratch.appendingPathComponent("stderr")
  _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let outHandle = try FileHandle(forWritingTo: outURL)
  let errHandle = try FileHandle(forWritingTo: errURL)

  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = directory }
  process.standardInput = FileHandle.nullDevice
  process.standardOutput = outHandle
  process.standardError = errHandle
  let start = Date()
  try process.run()
  var timedOut = false
  var peakKB = 0
  if let timeout {
    let pid = process.processIdentifier
    // Poll, so that a stall is killed rather than waited on; sample the child's memory high-water mark.
    while process.isRunning {
      if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
      {
        peakKB = max(peakKB, kb)
      }
      if Date().timeIntervalSince(start) > timeout {
        kill(pid, SIGKILL)
        timedOut = true
        break
      }
      usleep(5000)
    }
  }
  process.waitUntilExit()
  let seconds = Date().timeIntervalSince(start)
  try outHandle.close()
  try errHandle.close()
  let code: Int32 =
    timedOut ? 124 : (process.terminationReason == .exit ? process.terminationStatus : 128 + process.terminationStatus)
  return ProcessOutcome(
    status: code,
    stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
    stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
    seconds: seconds, maximumResidentKB: peakKB)
}

/// A fresh, empty directory under the system's temporary directory.
public func makeTemporaryDirectory(prefix: String = "cellsim-test") throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// Every entry of a directory, hidden ones (temporary files) included, sorted.
public func directoryEntries(_ url: URL) -> [String] {
  ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
}
