// CellSim — cellsim/ParamsCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Params: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Work with cell parameter files.", subcommands: [Check.self, ImportBPX.self])

    struct Check: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Validate a cell file and print its derived quantities.",
        discussion: """
          Reports every problem of the file at once (missing, unknown, mistyped or impossible fields,
          functions that do not parse or are not finite over their range), then prints the derived
          quantities: electrode capacities, 1C current, initial stoichiometries, stack masses.
          """)

      @Argument(help: ArgumentHelp("Cell parameter file (JSON).", valueName: "file"))
      var file: String

      func run() throws {
        let loaded = try loadCell(file)
        print("\(file): \(loaded.chemistry) cell '\(loaded.name)' is valid")
        if !loaded.header.description.isEmpty { print(loaded.header.description) }
        let width = loaded.derivedQuantities.map(\.name.count).max() ?? 0
        for q in loaded.derivedQuantities {
          let name = q.name + String(repeating: " ", count: max(0, width - q.name.count))
          print("  \(name)  \(String(format: "%.6g", q.value))\(q.unit.isEmpty ? "" : " " + q.unit)")
        }
        let models = loaded.offeredModels
        if !models.isEmpty {
          print("models: \(models.joined(separator: ", ")) (default \(models.first ?? ""))")
        }
      }
    }
  }
}
