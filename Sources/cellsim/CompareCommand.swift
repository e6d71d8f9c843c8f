// CellSim — cellsim/CompareCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Compare: ParsableCommand {
    static let defaultCells = [
      "CellParams/lithium-ion/Chen2020.json", "CellParams/solid-state/Li_LPSCl_NMC811.json",
      "CellParams/lithium-sulfur/Marinescu2016.json",
    ]

    static let configuration = CommandConfiguration(
      abstract: "Compare cells at the same protocol: rate capability, stack Wh/kg, Wh/L, W/kg, Ragone, minerals per kWh.",
      discussion: """
        Runs every cell from 100 % SOC through "Discharge at <x>C until <its own lower cut-off>" at every
        C-rate, in parallel, and writes to --out-dir: one curve CSV per cell and rate (the `run` format),
        summary.csv, minerals.csv, ragone.csv, voltage_1C.svg, rate_capability.svg and ragone.svg. Energy
        densities come from each cell file's "stack" section (docs/compare.md); a cell without one still
        runs, with the density columns empty. This is the default command: `cellsim` alone runs it.

        Example:
          cellsim compare --cells a.json b.json --c-rates 0.1,1,3 --out-dir results/
        """)

    @Option(
      name: .long, parsing: .upToNextOption,
      help: ArgumentHelp(
        "Cell files (default: the shipped Chen2020, Li_LPSCl_NMC811 and Marinescu2016 under ./CellParams).",
        valueName: "file"))
    var cells: [String] = []

    @Option(name: .long, help: ArgumentHelp("Comma-separated C-rates.", valueName: "rates"))
    var cRates: String = "0.1,0.2,0.5,1,2,3"

    @Option(name: .long, help: ArgumentHelp("Output directory (created if missing).", valueName: "dir"))
    var outDir: String = "cellsim-compare"

    @Option(name: .long, help: ArgumentHelp("Output interval of the curves [s].", valueName: "seconds"))
    var dt: Double = 10

    @Flag(name: .long, help: "No progress lines and no table; errors only.")
    var quiet = false

    func parsedRates() throws -> [Double] {
      var rates: [Double] = []
      for part in cRates.split(separator: ",", omittingEmptySubsequences: false) {
        let text = part.trimmingCharacters(in: .whitespaces)
        let stripped = text.hasSuffix("C") || text.hasSuffix("c") ? String(text.dropLast()) : text
        guard let r = Double(stripped), r.isFinite, r > 0 else {
          throw ValidationError("--c-rates: '\(text)' is not a positive C-rate (write e.g. 0.1,0.5,1,2).")
        }
        if !rates.contains(r) { rates.append(r) }
      }
      if rates.isEmpty { throw ValidationError("--c-rates must list at least one C-rate.") }
      return rates
    }

    func validate() throws {
      _ = try parsedRates()
      if !(dt > 0) || !dt.isFinite { throw ValidationError("--dt must be a positive number of seconds, got \(dt).") }
    }

    func run() throws {
      let rates = try parsedRates()
      let paths = cells.isEmpty ? Self.defaultCells : cells
      if cells.isEmpty, let missing = paths.first(where: { !FileManager.default.fileExists(atPath: $0) }) {
        throw UserInputError.badInput(
          "\(missing): no such cell file; run `cellsim compare` from the repository root (where CellParams/ is) or give --cells")
      }
      let loaded = try paths.map { try loadCell($0) }

      // The output directory first, so an unwritable one is reported before any work.
      let dir = URL(fileURLWithPath: outDir, isDirectory: true)
      do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
        throw UserInputError.badInput("\(outDir): cannot create the output directory (\(directoryProblem(dir)))")
      }
      do { _ = try AtomicFileWriter(destination: dir.appendingPathComponent(ChemistryComparison.summaryFile)) } catch {
        throw UserInputError.badInput(error.description)
      }

      let stderr = StderrLines()
      let total = loaded.count * rates.count
      if !quiet {
        stderr.write(
          "compare: \(loaded.count) cells × \(rates.count) C-rates = \(total) runs on \(ProcessInfo.processInfo.activeProcessorCount) cores"
        )
        for c in loaded {
          if let problem = StackRequirements.missing(for: c) { stderr.write("note: " + problem) }
        }
      }
      let quiet = self.quiet
      let start = Date()
      let comparison = ChemistryComparison.run(cells: loaded, rates: rates, outputInterval: dt) { row, done in
        guard !quiet else { return }
        let rate = ChemistryComparison.rateText(row.cRate) + "C"
        if done {
          let n = stderr.finished()
          let figures =
            row.capacity.isFinite
            ? String(format: "%.4f A h, %.3f W h", row.capacity, row.energy) + " · " + row.endReason
            : row.endReason
          stderr.write("[\(n)/\(total)] \(row.cell) at \(rate): \(figures)")
        } else {
          stderr.write("  running \(row.cell) at \(rate)…")
        }
      }
      let written: [URL]
      do { written = try comparison.write(to: dir) } catch { throw UserInputError.badInput(error.description) }
      if !quiet {
        print(comparison.headlineTable())
        let elapsed = String(format: "%.1f", Date().timeIntervalSince(start))
        print(
          "wrote \(written.count) files to \(outDir) in \(elapsed) s: summary.csv, minerals.csv, ragone.csv, "
            + "\(ChemistryComparison.voltagePlotFile), \(ChemistryComparison.retentionPlotFile), \(ChemistryComparison.ragonePlotFile) and the curves"
        )
      }
    }
  }
}

/// Progress lines on standard error from concurrent workers, one whole line at a time.
final class StderrLines: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  func write(_ line: String) {
    lock.lock()
    FileHandle.standardError.write(Data((line + "\n").utf8))
    lock.unlock()
  }
  /// Counts a finished run; returns how many have finished.
  func finished() -> Int {
    lock.lock()
    defer { lock.unlock() }
    count += 1
    return count
  }
}
