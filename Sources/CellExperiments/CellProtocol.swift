// CellSim — CellExperiments/CellProtocol.swift
//
// A whole test protocol: the steps in execution order, with every `repeat` expanded. The grammar is
// described in docs/protocol-grammar.md.

import Foundation

/// A test protocol: a flat list of steps in execution order (repeats expanded) and the text it came
/// from.
///
/// ```swift
/// let p = try CellProtocol(parsing: "Discharge at 1C until 2.5 V; Rest for 30 minutes")
/// ```
public struct CellProtocol: Sendable, Equatable {
  /// The most steps a protocol may expand to; a `repeat` that would exceed it is rejected.
  public static let maximumExpandedSteps = 1_000_000

  /// The most deeply `repeat` blocks may be nested.
  public static let maximumRepeatNesting = 64

  /// The steps, repeats expanded, in execution order.
  public var steps: [ProtocolStep]
  /// The protocol's source text.
  public var source: String

  /// Parses a protocol written in the protocol language (see docs/protocol-grammar.md).
  ///
  /// Parsing takes time linear in the length of the text plus the number of expanded steps.
  /// - Throws: `ProtocolParseError` locating the first problem in the text.
  /// - Parameter profileDirectory: where the CSV files of `Run <file.csv>` steps are looked up when
  ///   their path is relative (`nil`: the current directory). Profiles are read while parsing; a
  ///   malformed one is reported at the step, with the CSV's own file and line.
  public init(parsing text: String, profileDirectory: URL? = nil) throws(ProtocolParseError) {
    var parser = ProtocolParser(source: text, profileDirectory: profileDirectory)
    self.steps = try parser.parseProtocol()
    self.source = text
  }

  /// Creates a protocol from steps built in code. The steps are taken as given.
  public init(steps: [ProtocolStep], source: String) {
    self.steps = steps
    self.source = source
  }

  /// Convenience: a constant-current discharge at `cRate` until the terminal voltage falls to
  /// `cutoff` [V]. A negative `cRate` gives a charge at `|cRate|` until the voltage rises to `cutoff`.
  public static func constantCurrentDischarge(cRate: Double, until cutoff: Double) -> CellProtocol {
    let text =
      cRate < 0
      ? "Charge at \(-cRate)C until \(cutoff) V" : "Discharge at \(cRate)C until \(cutoff) V"
    let step = ProtocolStep(
      control: .cRate(cRate), limits: [.voltage(cutoff)], text: text,
      location: SourceLocation(line: 1, column: 1), cycle: 0)
    return CellProtocol(steps: [step], source: text)
  }
}
