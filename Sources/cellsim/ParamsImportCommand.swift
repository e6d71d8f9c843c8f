// CellSim — cellsim/ParamsImportCommand.swift
//
// `cellsim params import-bpx in.json --out CellParams/lithium-ion/Name.json`: a BPX file converted to
// CellSim's own lithium-ion format (LithiumIon/BPXImport.swift; docs/bpx.md), provenance kept.

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand.Params {
  struct ImportBPX: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import-bpx",
      abstract: "Convert a BPX (Battery Parameter eXchange) file into a CellSim lithium-ion cell file.",
      discussion: """
        Reads BPX 0.x and 1.x files (SPM, SPMe, DFN and Partial headers). Conversions as the standard
        defines them and PyBaMM applies them (docs/bpx.md): active-material fraction a·R/3, Bruggeman
        exponent ln(transport efficiency)/ln(porosity), effective electronic conductivity, the normalised
        reaction-rate constant turned into an exchange-current density, Arrhenius factors from the
        activation energies. 100 % SOC is at the file's stoichiometry limits (--soc-definition
        stoichiometry, the default) or at the upper cut-off voltage (--soc-definition cutoff, PyBaMM's
        set_initial_state). The file's title, description, references and the conversion are kept in
        the cell file's description and sources. A BPX file can also be given directly to
        `cellsim run --cell`.

        Example:
          cellsim params import-bpx nmc_pouch_cell_BPX.json --out CellParams/lithium-ion/NMCPouchBPX.json
        """)

    @Argument(help: ArgumentHelp("BPX file (JSON).", valueName: "in.json"))
    var input: String

    @Option(name: .long, help: ArgumentHelp("Cell file to write (cellsim.cell/1).", valueName: "file"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("Name of the cell (default: the output file's name).", valueName: "name"))
    var name: String?

    @Option(name: .long, help: ArgumentHelp("What defines 100 % SOC: stoichiometry (the file's limits, default) or cutoff (the voltage cut-offs, as PyBaMM).", valueName: "definition"))
    var socDefinition: String = BPXFullChargeDefinition.stoichiometryLimits.rawValue

    func validate() throws {
      if BPXFullChargeDefinition(rawValue: socDefinition.lowercased()) == nil {
        throw ValidationError(
          "--soc-definition '\(socDefinition)' is not accepted (accepted: \(BPXFullChargeDefinition.allCases.map(\.rawValue).joined(separator: ", "))).")
      }
    }

    func run() throws {
      let url = URL(fileURLWithPath: input)
      guard FileManager.default.fileExists(atPath: input) else {
        throw UserInputError.badInput("\(input): no such file")
      }
      guard BPXImport.isBPX(contentsOf: url) else {
        throw UserInputError.badInput("\(input): not a BPX file (expected a JSON object with \"Header\": {\"BPX\": …})")
      }
      let definition = BPXFullChargeDefinition(rawValue: socDefinition.lowercased()) ?? .stoichiometryLimits
      let cellName = name ?? URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent
      let conversion: BPXConversion
      do {
        let reader = try ParameterReader(contentsOf: url)
        conversion = try BPXImport.convert(
          reader.root, fileName: url.lastPathComponent, cellName: cellName, fullCharge: definition)
      } catch { throw UserInputError.badInput(error.description) }
      do {
        try AtomicFileWriter.write(BPXImport.jsonText(conversion.cell), to: URL(fileURLWithPath: out))
      } catch { throw UserInputError.badInput(error.description) }
      for warning in conversion.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
      print("wrote \(out): lithium-ion cell '\(cellName)' from BPX \(conversion.version) (\(conversion.model)), \(conversion.validation.count) validation experiment(s) in the BPX file")
    }
  }
}
