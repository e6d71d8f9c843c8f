// CellSim — CellExport/CurveCSVWriter.swift
//
// The curve as CSV: a header of column names with units, then one row per output time, streamed to
// disk as the simulation produces it (bounded memory for long runs), written atomically.

import Foundation

/// Streams rows of numbers to a CSV file.
public final class CurveCSVWriter {
  let writer: AtomicFileWriter
  public private(set) var rowCount = 0

  /// Creates the (temporary) file and writes the header.
  /// - Throws: `OutputError` if the destination cannot be written.
  public init(destination: URL, columns: [String]) throws(OutputError) {
    writer = try AtomicFileWriter(destination: destination)
    writer.write(columns.joined(separator: ",") + "\n")
  }

  /// Appends one row. Integral columns (the step number) are written without a decimal point.
  public func append(_ row: UnsafeBufferPointer<Double>) {
    var line = ""
    line.reserveCapacity(row.count * 20)
    for (k, value) in row.enumerated() {
      if k > 0 { line += "," }
      line += Self.format(value)
    }
    line += "\n"
    writer.write(line)
    rowCount += 1
  }

  /// Shortest round-tripping decimal representation; integers without ".0".
  @inline(__always) static func format(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return x.description
  }

  /// Completes the file (rename into place).
  public func commit() throws(OutputError) { try writer.commit() }
  /// Drops the partial file.
  public func abort() { writer.abort() }

  /// Writes a whole in-memory curve (column-major) at once.
  public static func write(columns: [String], values: [[Double]], to url: URL) throws(OutputError) {
    let csv = try CurveCSVWriter(destination: url, columns: columns)
    let rows = values.first?.count ?? 0
    var row = [Double](repeating: 0, count: columns.count)
    for r in 0..<rows {
      for c in 0..<columns.count { row[c] = values[c][r] }
      row.withUnsafeBufferPointer { csv.append($0) }
    }
    try csv.commit()
  }
}
