// CellSim — cellsim/RunCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a protocol on a cell and write its curve as CSV and a summary as JSON.",
      discussion: """
        The CSV columns are time_s, current_A (> 0 on discharge), voltage_V, capacity_Ah (net charge
        discharged since the start), step, soc, then the model's own columns, then temperature_K. Rows
        come every --dt seconds within each step, plus each step's exact start and end. The summary
        (per step and total: duration, capacity, energy, mean voltage, why it ended) is printed and
        written next to the CSV as <out>.summary.json. Files are written atomically.

        Example:
          cellsim run --cell CellParams/lithium-ion/Chen2020.json --model spm \\
            --protocol "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20" \\
            --out chen.csv
        """)

    @Option(name: .long, help: ArgumentHelp("Cell parameter file (JSON).", valueName: "file"))
    var cell: String

    @Option(name: .long, help: ArgumentHelp("Model: spm or spme for lithium-ion cells (default: the chemistry's first).", valueName: "name"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Protocol text, e.g. \"Discharge at 1C until 2.5 V; Rest for 1 hour\".", valueName: "text"))
    var `protocol`: String?

    @Option(name: .long, help: ArgumentHelp("File holding the protocol text (one step per line allowed).", valueName: "file"))
    var protocolFile: String?

    @Option(name: .long, help: ArgumentHelp("Output CSV file (the summary goes to <out>.summary.json).", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Output interval within each step [s].", valueName: "seconds"))
    var dt: Double = 10

    @Option(
      name: .long,
      help: ArgumentHelp(
        "Voltage change between rows to aim for [V] (rows are added where the voltage moves faster; gaps stay within about twice this; 0: rows every --dt only).",
        valueName: "volts"))
    var dv: Double = 0.005

    @OptionGroup var conditions: ConditionOptions

    @Option(name: .long, help: ArgumentHelp("Also write the spatial profiles (electrolyte and particle concentrations) at the output times to this CSV: time_s,variable,domain,x_m|r_m,value.", valueName: "file"))
    var profiles: String?

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
      if (`protocol` == nil) == (protocolFile == nil) {
        throw ValidationError("Give exactly one of --protocol \"…\" or --protocol-file <file>.")
      }
      if !(dt > 0) || !dt.isFinite { throw ValidationError("--dt must be a positive number of seconds, got \(dt).") }
      if !(dv >= 0) || !dv.isFinite { throw ValidationError("--dv must be a voltage ≥ 0 (0 turns it off), got \(dv).") }
      if let profiles, profiles == out {
        throw ValidationError("--profiles and --out name the same file '\(profiles)'.")
      }
    }

    func run() throws {
      let loaded = try loadCell(cell)
      let text = try protocolText()
      let cellProtocol: CellProtocol
      do { cellProtocol = try CellProtocol(parsing: text) } catch {
        throw UserInputError.badInput((protocolFile.map { "\($0): " } ?? "") + error.description)
      }
      let model: any CellModel
      do {
        model = try loaded.makeModel(self.model, thermal: conditions.thermalOption)
      } catch { throw UserInputError.badInput("\(cell): \(error)") }

      var options = SimulationOptions(
        outputInterval: dt, outputVoltageStep: dv, keepsCurve: false)
      conditions.apply(to: &options)

      // Open the outputs before simulating, so an unwritable path is reported at once.
      var csv: CurveCSVWriter?
      var summaryURL: URL?
      if let out {
        let url = URL(fileURLWithPath: out)
        do {
          csv = try CurveCSVWriter(destination: url, columns: ProtocolEngine.columns(for: model))
          summaryURL = url.deletingPathExtension().appendingPathExtension("summary.json")
          _ = try AtomicFileWriter(destination: summaryURL!)
        } catch { throw UserInputError.badInput(error.description) }
      }

      var runModel = model
      var profileOutput: ProfilesOutput?
      if let profiles {
        do { (runModel, profileOutput) = try ProfilesOutput.prepare(model: model, path: profiles) } catch {
          csv?.abort()
          throw error
        }
      }

      let result: SimulationResult
      var times: [Double] = []
      var voltages: [Double] = []
      do {
        result = try simulate(runModel, protocol: cellProtocol, options: options) { row in
          csv?.append(row)
          profileOutput?.append(time: row[0])
          times.append(row[0])
          voltages.append(row[2])
        }
      } catch {
        csv?.abort()
        profileOutput?.abort()
        throw UserInputError.badInput("\(cell): \(error)")
      }
      if case .stepCannotStart(0, let reason) = result.status {
        csv?.abort()
        profileOutput?.abort()
        throw UserInputError.badInput("step 1 (\(cellProtocol.steps[0].text)) cannot start: \(reason)")
      }
      let summary = RunSummary(
        result: result, cell: loaded.name, chemistry: loaded.chemistry, model: model.name, protocolText: text,
        figures: curveFigures(model, time: times, voltage: voltages))
      do {
        try csv?.commit()
        if let summaryURL { try AtomicFileWriter.write(summary.json(), to: summaryURL) }
      } catch { throw UserInputError.badInput(error.description) }
      try profileOutput?.commit()

      if !quiet {
        print(summary.table())
        if let out, let csv {
          print("wrote \(out) (\(csv.rowCount) rows) and \(summaryURL?.lastPathComponent ?? "")")
        }
        if let profiles, let profileOutput {
          print("wrote \(profiles) (profiles at \(profileOutput.rowCount) output times)")
        }
      }
      switch result.status {
      case .completed: return
      case .stepCannotStart(let step, let reason):
        throw UserInputError.badInput("step \(step + 1) (\(cellProtocol.steps[step].text)) cannot start: \(reason)")
      case .solverFailure(let step, let failure):
        throw UserInputError.runFailed(
          "the run stopped in step \(step + 1) (\(cellProtocol.steps[step].text)): \(failure); the curve up to there was written")
      }
    }

    func protocolText() throws -> String {
      if let text = `protocol` { return text }
      let path = protocolFile ?? ""
      guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw UserInputError.badInput("\(path): cannot read the protocol file")
      }
      return text
    }
  }
}

/// Reads a cell file, turning its problems into one user-facing error.
func loadCell(_ path: String) throws -> LoadedCell {
  guard FileManager.default.fileExists(atPath: path) else {
    throw UserInputError.badInput("\(path): no such cell file")
  }
  do { return try LoadedCell(contentsOf: URL(fileURLWithPath: path)) } catch {
    throw UserInputError.badInput(error.description)
  }
}

/// "25C", "25 °C", "25degC", "298.15K" → kelvin; nil when not a temperature above 0 K.
func parseTemperature(_ text: String) -> Double? {
  var s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "")
  let celsius = ["°C", "degC", "C", "c"]
  let kelvin = ["K", "k"]
  var value: Double?
  for suffix in celsius where s.hasSuffix(suffix) {
    s.removeLast(suffix.count)
    value = Double(s).map { $0 + 273.15 }
    break
  }
  if value == nil {
    for suffix in kelvin where s.hasSuffix(suffix) {
      s.removeLast(suffix.count)
      value = Double(s)
      break
    }
  }
  guard let v = value, v.isFinite, v > 0 else { return nil }
  return v
}

/// Why a directory cannot be created, in words: the first existing ancestor is a file, or not writable.
func directoryProblem(_ url: URL) -> String {
  var ancestor = url.standardizedFileURL
  var isDirectory: ObjCBool = false
  while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
    let parent = ancestor.deletingLastPathComponent()
    if parent.path == ancestor.path { break }
    ancestor = parent
  }
  if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a directory" }
  if !FileManager.default.isWritableFile(atPath: ancestor.path) { return "\(ancestor.path) is not writable" }
  return "the file system refused it"
}
