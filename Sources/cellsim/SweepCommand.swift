// CellSim — cellsim/SweepCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Sweep any numeric field of a cell file (and C-rates) over all cores; shard it onto a cluster.",
      discussion: """
        Runs the Cartesian product of the --design rows, the --vary axes and the --c-rates, one row per
        case in --out (streamed as cases finish, rewritten in case order at the end; re-running resumes).
        Paths are the cell file's own fields: positive.thickness_m, stack.layers.1.thickness_m …
        Derived quantities follow (1C current, stack layers): docs/sweep.md. Cluster use: docs/cluster.md.

        Examples:
          cellsim sweep --cell CellParams/lithium-ion/Chen2020.json \\
            --vary positive.thickness_m=50e-6:120e-6:8 --vary positive.porosity=0.25,0.30,0.35 \\
            --c-rates 0.5,1,2 --protocol "Discharge at {C}C until 2.5 V" --out sweep.csv
          cellsim sweep --cell CellParams/lithium-ion/Chen2020.json --design designs.csv --c-rates 1
          cellsim sweep … --shard 0/4 --out part0.csv     (then: cellsim sweep merge part*.csv --out sweep.csv)
        """,
      subcommands: [Run.self, Merge.self],
      defaultSubcommand: Run.self)

    struct Run: ParsableCommand {
      static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a sweep (the default: `cellsim sweep …` is `cellsim sweep run …`).")

      @Option(name: .long, help: ArgumentHelp("Cell parameter file (JSON).", valueName: "file"))
      var cell: String

      @Option(
        name: .long,
        help: ArgumentHelp(
          "path=a:b:n (linear), path=log:a:b:n (geometric) or path=v1,v2,… ; repeat for more axes.", valueName: "spec"))
      var vary: [String] = []

      @Option(
        name: .long,
        help: ArgumentHelp("CSV of designs: a header of parameter paths (optionally c_rate), one design per row.", valueName: "file"))
      var design: String?

      @Option(name: .long, help: ArgumentHelp("C-rates: 0.5,1,2 or a range 0.1:5:50; put {C} in the protocol.", valueName: "rates"))
      var cRates: String?

      @Option(
        name: .long,
        help: ArgumentHelp(
          "Protocol text with {C} for the C-rate (default with C-rates: \"Discharge at {C}C until <lower cut-off> V\").",
          valueName: "text"))
      var `protocol`: String?

      @Option(name: .long, help: ArgumentHelp("Model: spm or spme for lithium-ion cells (default: the chemistry's first).", valueName: "name"))
      var model: String?

      @Option(name: .long, help: ArgumentHelp("Output CSV (default sweep.csv; sweep.shard-K-of-N.csv with --shard).", valueName: "file"))
      var out: String?

      @Option(name: .long, help: ArgumentHelp("Also write every case's curve to DIR/case-NNNNNN.csv.", valueName: "dir"))
      var curves: String?

      @Option(name: .long, help: ArgumentHelp("Parallel workers (default: every core).", valueName: "n"))
      var jobs: Int?

      @Option(
        name: .long,
        help: ArgumentHelp(
          "Run the K-th of N slices (K = 0…N−1: cases with index mod N = K); auto reads SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.",
          valueName: "K/N|auto|auto/N"))
      var shard: String?

      @Flag(name: .long, help: "Overwrite an existing output instead of resuming it.")
      var fresh = false

      @Option(name: .long, help: ArgumentHelp("Output interval of the curves [s].", valueName: "seconds"))
      var dt: Double = 10

      @Option(name: .long, help: ArgumentHelp("Relative tolerance of the integrator.", valueName: "rtol"))
      var rtol: Double = 1e-5

      @Flag(name: .long, help: "No progress and no summary; errors only.")
      var quiet = false

      func validate() throws {
        if vary.isEmpty && design == nil && cRates == nil {
          throw ValidationError("Nothing to sweep: give --vary, --design and/or --c-rates.")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be ≥ 1, got \(jobs).") }
        if !(dt > 0) || !dt.isFinite { throw ValidationError("--dt must be a positive number of seconds, got \(dt).") }
        if !(rtol > 0 && rtol < 0.1) { throw ValidationError("--rtol must be in (0, 0.1), got \(rtol).") }
      }

      func run() throws {
        // Everything is checked before any case runs.
        let base: SweepBase
        guard FileManager.default.fileExists(atPath: cell) else { throw UserInputError.badInput("\(cell): no such cell file") }
        do { base = try SweepBase(contentsOf: URL(fileURLWithPath: cell)) } catch {
          throw UserInputError.badInput(error.description)
        }
        var factors: [SweepFactor] = []
        var shardValue: SweepShard?
        let plan: SweepPlan
        do throws(SweepInputError) {
          if let design {
            guard let data = FileManager.default.contents(atPath: design) else {
              throw SweepInputError("\(design): cannot read the design file")
            }
            factors.append(try SweepFactor.design(csv: String(decoding: data, as: UTF8.self), fileName: design))
          }
          for spec in vary { factors.append(try SweepFactor.vary(spec)) }
          if let cRates { factors.append(try SweepFactor.cRates(cRates)) }
          let cases = try SweepCaseList(factors: factors)
          plan = try SweepPlan(
            base: base, cases: cases, protocolTemplate: `protocol`, model: model,
            options: SimulationOptions(outputInterval: dt, relativeTolerance: rtol))
          if let shard { shardValue = try SweepShard.parse(shard) }
        } catch {
          throw UserInputError.badInput(error.description)
        }
        let outPath = out ?? shardValue.map { "sweep.shard-\($0.index)-of-\($0.count).csv" } ?? "sweep.csv"
        let outURL = URL(fileURLWithPath: outPath)
        // The output first (an unwritable one is reported before anything is created), then the curves.
        let output: SweepOutput
        do { output = try SweepOutput(url: outURL, plan: plan, shard: shardValue, fresh: fresh) } catch {
          throw UserInputError.badInput(error.description)
        }
        var curvesURL: URL?
        if let curves {
          let url = URL(fileURLWithPath: curves, isDirectory: true)
          do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw UserInputError.badInput("\(curves): cannot create the curves directory (\(directoryProblem(url)))")
          }
          curvesURL = url
        }
        let indices = plan.cases.indices(shard: shardValue).filter { output.resumed[$0] == nil }
        let workers = jobs ?? SweepRunner.defaultWorkers
        let total = indices.count
        if !quiet {
          let shardText = shardValue.map { ", shard \($0) (\(plan.cases.indices(shard: $0).count) cases)" } ?? ""
          var line =
            "sweep: \(plan.base.cell.name) · \(plan.modelName) · \(plan.cases.count) cases\(shardText) · \"\(plan.protocolTemplate)\""
          if !output.resumed.isEmpty { line += "\nresuming \(outPath): \(output.resumed.count) cases already done, \(total) to run" }
          FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let progress = SweepProgress(total: total, quiet: quiet)
        let stats = SweepRunner.run(plan, indices: indices, workers: workers, curves: curvesURL) { row in
          output.append(row)
          progress.finished(row)
        }
        progress.end()
        let rows: Int
        do { rows = try output.finish() } catch { throw UserInputError.badInput(error.description) }
        if !quiet {
          let rate = stats.cases > 0 ? String(format: "%.1f", stats.throughput) : "–"
          var counts = SweepStatus.allCases.compactMap { s in stats.byStatus[s].map { "\($0) \(s.rawValue)" } }
          if counts.isEmpty { counts = ["nothing to run"] }
          print(
            "sweep: \(stats.cases) cases in \(String(format: "%.2f", stats.elapsed)) s on \(stats.workers) worker\(stats.workers == 1 ? "" : "s"): \(rate) cases/s · "
              + counts.joined(separator: ", "))
          print("wrote \(outPath) (\(rows) rows)" + (curves.map { " and the curves in \($0)" } ?? ""))
        }
      }
    }

    struct Merge: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Join the outputs of the shards of one sweep into one file, identical to an unsharded run.",
        discussion: """
          Each input needs its manifest (<file>.manifest.json) beside it. Every case must be present exactly
          once; a missing shard or an incomplete one is named (re-run it: it resumes).

          Example:
            cellsim sweep merge sweep.shard-*-of-4.csv --out sweep.csv
          """)

      @Argument(help: ArgumentHelp("Shard outputs.", valueName: "file"))
      var inputs: [String]

      @Option(name: .long, help: ArgumentHelp("Merged output CSV.", valueName: "file"))
      var out: String = "sweep.csv"

      @Flag(name: .long, help: "Print nothing but errors.")
      var quiet = false

      func run() throws {
        let n: Int
        do { n = try SweepOutput.merge(inputs.map { URL(fileURLWithPath: $0) }, into: URL(fileURLWithPath: out)) } catch {
          throw UserInputError.badInput(error.description)
        }
        if !quiet { print("merged \(inputs.count) files: wrote \(out) (\(n) cases)") }
      }
    }
  }
}

/// Progress on standard error: a line rewritten in place on a terminal (count, rate, time left), plain
/// lines every 10 s otherwise, nothing with --quiet.
final class SweepProgress: @unchecked Sendable {
  let total: Int
  let quiet: Bool
  let terminal: Bool
  let start = Date()
  var done = 0
  var last = Date.distantPast
  var drewLine = false

  init(total: Int, quiet: Bool) {
    self.total = total
    self.quiet = quiet
    terminal = isatty(STDERR_FILENO) != 0
  }

  /// Called serialised by the runner.
  func finished(_ row: SweepRow) {
    done += 1
    guard !quiet else { return }
    let now = Date()
    let interval = terminal ? 0.1 : 10
    guard now.timeIntervalSince(last) >= interval || (terminal && done == total) else { return }
    last = now
    let elapsed = now.timeIntervalSince(start)
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let left = rate > 0 ? Double(total - done) / rate : .nan
    let text = "\(done)/\(total) cases · \(String(format: "%.1f", rate)) cases/s · \(Self.duration(left)) left"
    if terminal {
      let width = 24
      let filled = total > 0 ? width * done / total : width
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      FileHandle.standardError.write(Data("\r[\(bar)] \(text)\u{1B}[K".utf8))
      drewLine = true
    } else {
      FileHandle.standardError.write(Data("sweep: \(text)\n".utf8))
    }
  }

  func end() {
    if drewLine { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  static func duration(_ s: Double) -> String {
    guard s.isFinite else { return "?" }
    if s < 60 { return String(format: "%.0f s", s) }
    if s < 3600 { return String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60) }
    return String(format: "%d h %02d min", Int(s) / 3600, (Int(s) % 3600) / 60)
  }
}
