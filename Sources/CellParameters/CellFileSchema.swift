// CellSim — CellParameters/CellFileSchema.swift
//
// One way every chemistry's parameters are read from a cell file: read all fields through a
// `ParameterReader` (collecting every problem), finish, then run the chemistry's whole-cell checks.

import Foundation

/// A chemistry's typed, validated parameters, readable from a cell file.
public protocol CellFileSchema: Sendable {
  /// The `chemistry` value in the file header, e.g. "lithium-ion".
  static var chemistry: String { get }
  /// Reads every field through `reader`, recording problems in it; the result holds placeholders
  /// where fields are invalid until `reader.finish()` has passed.
  init(reading reader: ParameterReader)
  /// Checks that need the whole, valid parameter set (e.g. a lithium-ion eSOH window); report
  /// problems to `reader`. The default checks nothing.
  func checkConsistency(reporting reader: ParameterReader)
}

extension CellFileSchema {
  public func checkConsistency(reporting reader: ParameterReader) {}

  /// Reads, validates and checks a cell file.
  /// - Throws: `CellFileError` listing every problem found (field paths, values, accepted ranges).
  public static func load(contentsOf url: URL) throws(CellFileError) -> Self {
    try load(ParameterReader(contentsOf: url))
  }

  /// Reads a parsed cell file (e.g. after a sweep overrode one field).
  public static func load(json: JSONValue, fileName: String) throws(CellFileError) -> Self {
    try load(ParameterReader(json: json, fileName: fileName))
  }

  /// Reads cell-file text.
  public static func load(text: String, fileName: String) throws(CellFileError) -> Self {
    try load(ParameterReader(text: text, fileName: fileName))
  }

  static func load(_ reader: ParameterReader) throws(CellFileError) -> Self {
    let parameters = Self(reading: reader)
    try reader.finish()
    parameters.checkConsistency(reporting: reader)
    try reader.finish()
    return parameters
  }
}
