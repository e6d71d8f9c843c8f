// CellSim — cellsim/CellSimCommand.swift
//
// The command-line tool. It knows flags and files, not equations.
//
// Exit status: 0 success · 1 bad input (cell file, protocol, values, output path, or a step that cannot
// start; a later step that cannot start still writes the curve so far) · 2 usage error (flags) ·
// 3 a run that ended in a solver failure (the curve so far is written).

import ArgumentParser
import CellSim
import Foundation

@main
struct CellSimCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cellsim",
    abstract: "Simulate battery cells — lithium-ion, all-solid-state and lithium-sulfur — on one engine.",
    discussion: """
      Examples:
        cellsim run --cell CellParams/lithium-ion/Chen2020.json \\
                    --protocol "Discharge at 1C until 2.5 V; Rest for 30 minutes" --out chen.csv
        cellsim params check CellParams/lithium-ion/Chen2020.json

      The protocol language is documented in docs/protocol-grammar.md, the cell-file format in
      docs/parameter-schema.md. Exit status: 0 ok, 1 bad input, 2 usage error, 3 solver failure.
      """,
    version: "0.1.0",
    subcommands: [Compare.self, Run.self, Validate.self, Sweep.self, Params.self, Bench.self],
    defaultSubcommand: Compare.self)

  /// Parses, runs, and maps every error to one message and the documented exit status.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as UserInputError {
      FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
      Foundation.exit(error.exitStatus)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        exit(withError: error)
      }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      Foundation.exit(2)
    }
  }
}

/// A problem with the user's input or a run that did not complete, as one message and an exit status.
struct UserInputError: Error, CustomStringConvertible {
  var description: String
  var exitStatus: Int32

  static func badInput(_ message: String) -> UserInputError { UserInputError(description: message, exitStatus: 1) }
  static func runFailed(_ message: String) -> UserInputError { UserInputError(description: message, exitStatus: 3) }
}
