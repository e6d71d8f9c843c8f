// CellSim — cellsim/BenchCommand.swift

import ArgumentParser
import CellSim
import Foundation

extension CellSimCommand {
  struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Time the standard cases in-process: median and p90 per solve, solver statistics, results.",
      discussion: "Build with -c release for meaningful figures: swift run -c release cellsim bench")

    @Option(name: .long, help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var `case`: [String] = []

    @Option(name: .long, help: ArgumentHelp("Timed repetitions per case.", valueName: "n"))
    var `repeat`: Int = 20

    @Flag(name: .long, help: "Print a JSON array instead of a table.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Directory holding CellParams/ (default: current directory).", valueName: "dir"))
    var root: String = "."

    func validate() throws {
      if `repeat` < 1 { throw ValidationError("--repeat must be at least 1, got \(`repeat`).") }
    }

    func run() throws {
      let all: [StandardCase]
      do { all = try StandardCase.all(root: URL(fileURLWithPath: root)) } catch {
        throw UserInputError.badInput("cannot load the standard cells under \(root)/CellParams: \(error)")
      }
      let names = all.map(\.name)
      for name in `case` where !names.contains(name) {
        throw UserInputError.badInput("unknown case '\(name)' (accepted: \(names.joined(separator: ", ")))")
      }
      let selected = `case`.isEmpty ? all : all.filter { `case`.contains($0.name) }
      var rows: [[String: Any]] = []
      for c in selected {
        let warm = try c.solve()
        var times: [Double] = []
        var last = warm
        for _ in 0..<`repeat` {
          let start = DispatchTime.now().uptimeNanoseconds
          last = try c.solve()
          let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
          times.append(elapsed / Double(max(last.solves, 1)))
        }
        times.sort()
        let median = times[times.count / 2]
        let p90 = times[min(times.count - 1, Int((0.9 * Double(times.count)).rounded(.up)) - 1)]
        rows.append([
          "case": c.name, "median_s": median, "p90_s": p90, "steps": last.statistics.steps,
          "jacobians": last.statistics.jacobianEvaluations, "residuals": last.statistics.residualEvaluations,
          "end_time_s": last.endTime, "capacity_Ah": last.capacity, "solves": last.solves,
          "valid": c.isValid(last), "solves_per_s": 1 / median,
        ])
        if !json {
          print(
            "\(c.name.padding(toLength: 12, withPad: " ", startingAt: 0)) median \(fmt(median)) p90 \(fmt(p90)) per solve · \(last.statistics.steps) steps, \(last.statistics.jacobianEvaluations) Jacobians · end \(String(format: "%.2f", last.endTime)) s, \(String(format: "%.4f", last.capacity)) A h\(c.isValid(last) ? "" : " · RESULT DIFFERS FROM VALIDATED VALUE")"
          )
        }
      }
      if json {
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
      }
    }

    func fmt(_ seconds: Double) -> String {
      seconds < 1e-3 ? String(format: "%.1f µs", seconds * 1e6) : String(format: "%.3f ms", seconds * 1e3)
    }
  }
}
