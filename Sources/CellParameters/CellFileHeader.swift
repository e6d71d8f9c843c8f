// CellSim — CellParameters/CellFileHeader.swift

import Foundation

/// The fields every cell file starts with, whatever its chemistry:
///
///     "schema": "cellsim.cell/1",
///     "chemistry": "lithium-ion",            // or "solid-state", "lithium-sulfur"
///     "name": "Chen2020",
///     "description": "LG M50 21700 …",
///     "sources": ["C.-H. Chen et al., J. Electrochem. Soc. 167 (2020) 080534, doi:…"]
public struct CellFileHeader: Sendable, Equatable {
  /// The schema identifier this reader understands.
  public static let currentSchema = "cellsim.cell/1"
  /// Chemistries a cell file may declare.
  public static let knownChemistries = ["lithium-ion", "solid-state", "lithium-sulfur"]
  /// Header field names.
  public static let fieldNames = ["schema", "chemistry", "name", "description", "sources"]

  public var schema: String
  public var chemistry: String
  public var name: String
  public var description: String
  /// Literature the values come from.
  public var sources: [String]

  public init(schema: String, chemistry: String, name: String, description: String, sources: [String]) {
    self.schema = schema
    self.chemistry = chemistry
    self.name = name
    self.description = description
    self.sources = sources
  }
}

/// The chemistry a cell file declares (`"chemistry"`), after checking its schema, so a registry can hand
/// the file to the right chemistry module.
/// - Throws: `CellFileError` if the file cannot be read, is not JSON, or has a missing/invalid header.
public func readChemistry(of url: URL) throws(CellFileError) -> String {
  let reader = try ParameterReader(contentsOf: url)
  let header = reader.header()
  reader.top.flushMissing()
  if !reader.issues.isEmpty { throw CellFileError(file: reader.fileName, issues: reader.issues) }
  return header.chemistry
}
