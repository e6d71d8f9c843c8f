// CellSim — cellsim/ValidateCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run a cell against measured curves: RMSE and max |ΔV| per curve and model, CSV and SVG overlay.",
      discussion: """
        The measured curves are the `Validation` experiments of a BPX cell file, or the CSV files given
        with --data (which replace them): columns time_s,current_A,voltage_V (other columns ignored),
        current > 0 on discharge (CellSim's sign; BPX's opposite sign is converted on import). Each
        measured current is replayed as a profile step from --soc (default 1, i.e. 100 %) to the end of
        the data or the cell's voltage cut-off, and the simulated voltage is compared with the measured
        one at every measured time up to the end of the simulation. By default every model of the
        chemistry runs (spm and spme for lithium-ion cells).

        --out writes the measured and simulated voltages side by side (one row per measured point:
        experiment,time_s,current_A,measured_voltage_V,<model>_voltage_V…,<model>_difference_V…);
        --svg writes the overlay (one file per curve when there are several: <stem>-<experiment>.svg).
        Files are written atomically. Exit status: 0 ok, 1 bad input, 2 usage error, 3 a replay ended in
        a solver failure (the outputs are still written).

        Examples:
          cellsim validate --cell nmc_pouch_cell_BPX.json --out validation.csv --svg validation.svg
          cellsim validate --cell CellParams/lithium-ion/Chen2020.json --data measured.csv --model spme
        """)

    @Option(name: .long, help: ArgumentHelp("Cell parameter file (JSON; a BPX file brings its measured curves).", valueName: "file"))
    var cell: String

    @Option(
      name: .long, parsing: .upToNextOption,
      help: ArgumentHelp("Measured-curve CSV files (time_s,current_A,voltage_V; > 0 discharge), instead of the BPX file's Validation section.", valueName: "file"))
    var data: [String] = []

    @Option(name: .long, help: ArgumentHelp("Comma-separated models (default: every model the cell offers).", valueName: "names"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Only the BPX experiments with these names (comma-separated).", valueName: "names"))
    var experiment: String?

    @Option(name: .long, help: ArgumentHelp("Output CSV: measured and simulated voltages side by side.", valueName: "file"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Output SVG overlay (<stem>-<experiment>.svg for each of several curves).", valueName: "file"))
    var svg: String?

    @OptionGroup var conditions: ConditionOptions

    @Flag(name: .long, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
      if let out, let svg, out == svg { throw ValidationError("--out and --svg name the same file '\(out)'.") }
      if let model, model.split(separator: ",").isEmpty { throw ValidationError("--model must name at least one model.") }
      if experiment != nil && !data.isEmpty { throw ValidationError("--experiment selects BPX experiments; it cannot be used with --data.") }
    }

    func run() throws {
      let loaded = try loadCell(cell)
      let curves = try measuredCurves(loaded)

      // Models, built before anything runs so a wrong name is reported at once.
      let offered = loaded.offeredModels
      let names = model.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } } ?? offered
      let thermalOption = conditions.thermalOption
      var models: [(name: String, model: any CellModel)] = []
      for name in names where !models.contains(where: { $0.name == name }) {
        do { models.append((name, try loaded.makeModel(name, thermal: thermalOption))) } catch {
          throw UserInputError.badInput("\(cell): \(error)")
        }
      }

      // Outputs opened before simulating, so an unwritable path is reported at once.
      let svgURLs = svgDestinations(curves)
      var writers: [AtomicFileWriter] = []
      do {
        if let out { writers.append(try AtomicFileWriter(destination: URL(fileURLWithPath: out))) }
        for url in svgURLs { writers.append(try AtomicFileWriter(destination: url)) }
      } catch {
        for w in writers { w.abort() }
        throw UserInputError.badInput(error.description)
      }

      var options = SimulationOptions()
      conditions.apply(to: &options)

      var results: [[CurveValidation]] = []
      for curve in curves {
        var row: [CurveValidation] = []
        for (name, m) in models {
          do { row.append(try Validation.run(m, against: curve, modelName: name, options: options)) } catch {
            for w in writers { w.abort() }
            throw UserInputError.badInput("\(cell): \(name) cannot replay \(curve.name): \(error)")
          }
        }
        results.append(row)
      }
      let report = ValidationReport(curves: curves, models: models.map(\.name), results: results)

      // A replay that cannot even start (e.g. a charge from above the upper cut-off) is bad input.
      for row in results {
        for r in row {
          if case .stepCannotStart(_, let why) = r.status {
            for w in writers { w.abort() }
            throw UserInputError.badInput("\(r.model) cannot replay \(r.curve): \(why)")
          }
        }
      }

      do {
        var k = 0
        if out != nil {
          writers[k].write(report.csv)
          try writers[k].commit()
          k += 1
        }
        for c in svgURLs.indices {
          writers[k].write(report.overlay(for: c).render())
          try writers[k].commit()
          k += 1
        }
      } catch {
        for w in writers { w.abort() }
        throw UserInputError.badInput(error.description)
      }

      if !quiet {
        print(report.table())
        let written = (out.map { [$0] } ?? []) + svgURLs.map(\.path)
        if !written.isEmpty { print("wrote " + written.joined(separator: ", ")) }
      }
      for row in results {
        for r in row {
          if case .solverFailure(_, let failure) = r.status {
            throw UserInputError.runFailed(
              "the \(r.model) replay of \(r.curve) stopped at \(String(format: "%.1f", r.simulatedEnd)) s: \(failure); "
                + "the points up to there were compared and written")
          }
        }
      }
    }

    /// The curves to validate against: --data files, else the BPX file's Validation section.
    func measuredCurves(_ loaded: LoadedCell) throws -> [MeasuredCurve] {
      if !data.isEmpty {
        return try data.map { path throws -> MeasuredCurve in
          do { return try MeasuredCurve(contentsOf: URL(fileURLWithPath: path), source: path) } catch {
            throw UserInputError.badInput("\(error)")
          }
        }
      }
      guard BPXImport.isBPX(contentsOf: loaded.url) else {
        throw UserInputError.badInput(
          "\(cell): no measured curves: only a BPX file carries them (its Validation section); give --data measured.csv "
            + "(columns time_s,current_A,voltage_V, current > 0 on discharge)")
      }
      let experiments: [BPXExperiment]
      do { experiments = try BPXImport.convert(contentsOf: loaded.url).validation } catch {
        throw UserInputError.badInput(error.description)
      }
      var chosen = experiments
      if let experiment {
        let wanted = experiment.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for name in wanted where !experiments.contains(where: { $0.name == name }) {
          throw UserInputError.badInput(
            "--experiment '\(name)': \(cell) has no such Validation experiment (it has: \(experiments.map { "'\($0.name)'" }.joined(separator: ", ")))")
        }
        chosen = experiments.filter { wanted.contains($0.name) }
      }
      guard !chosen.isEmpty else {
        throw UserInputError.badInput(
          "\(cell): the BPX file has no Validation experiments; give --data measured.csv (columns time_s,current_A,voltage_V)")
      }
      return try chosen.map { e throws -> MeasuredCurve in
        do { return try MeasuredCurve(e) } catch {
          throw UserInputError.badInput("\(cell): /Validation/\(e.name): \(error)")
        }
      }
    }

    /// Where the SVG overlays go: --svg itself for one curve, <stem>-<experiment>.svg for several.
    func svgDestinations(_ curves: [MeasuredCurve]) -> [URL] {
      guard let svg else { return [] }
      let url = URL(fileURLWithPath: svg)
      if curves.count == 1 { return [url] }
      let stem = url.deletingPathExtension().lastPathComponent
      let ext = url.pathExtension.isEmpty ? "svg" : url.pathExtension
      var used: Set<String> = []
      return curves.enumerated().map { k, curve in
        var name = "\(stem)-\(ValidationReport.slug(curve.name))"
        if used.contains(name) { name += "-\(k + 1)" }
        used.insert(name)
        return url.deletingLastPathComponent().appendingPathComponent(name).appendingPathExtension(ext)
      }
    }
  }
}
