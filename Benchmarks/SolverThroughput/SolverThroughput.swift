// CellSim — Benchmarks/SolverThroughput/SolverThroughput.swift
//
// The standard cases of `cellsim bench` (Sources/CellSim/StandardCases.swift) as ordo-one benchmarks:
// wall clock, throughput and allocations per solve. Each iteration checks its result against the
// accuracy-validated value, so a faster but wrong solver fails here.
//
// Thresholds: `Benchmarks/Thresholds/*.p90.json` hold the committed p90 figures; `.ci/run` fails when
// a run exceeds them by more than the tolerances below (wide for wall clock — CI is a shared 2-core
// machine — and tight for allocations, which are deterministic). Update after an intended change:
//   swift package --package-path Benchmarks --allow-writing-to-package-directory benchmark thresholds update

import Benchmark
import CellSim
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal],
    maxDuration: .seconds(2), maxIterations: 200,
    thresholds: [
      .wallClock: .init(relative: [.p90: 200]),
      .throughput: .init(relative: [.p90: 70]),
      .mallocCountTotal: .init(relative: [.p90: 10]),
    ])
  let cases: [StandardCase]
  do { cases = try StandardCase.all(root: root) } catch {
    fatalError("cannot load the standard cells under \(root.path)/CellParams: \(error)")
  }
  // Single solves, and the 1000-case C-rate sweep on all cores (throughput = sweeps per second; one
  // iteration is 1000 solves). The one-core sweep is left to `cellsim bench` (same code, one worker).
  for standard in cases where standard.name != "sweep-1000-1core" {
    let sweep = standard.name.hasPrefix("sweep")
    let configuration = sweep
      ? Benchmark.Configuration(
        metrics: [.wallClock, .throughput], maxDuration: .seconds(3), maxIterations: 40,
        thresholds: [.wallClock: .init(relative: [.p90: 200]), .throughput: .init(relative: [.p90: 70])])
      : Benchmark.defaultConfiguration
    Benchmark(standard.name, configuration: configuration) { benchmark in
      for _ in benchmark.scaledIterations {
        let figures = try standard.solve()
        guard standard.isValid(figures) else {
          fatalError("\(standard.name): end time \(figures.endTime) s differs from the validated value")
        }
        blackHole(figures)
      }
    }
  }
  Benchmark("parse-cell-and-protocol") { benchmark in
    let url = root.appendingPathComponent("CellParams/lithium-ion/Chen2020.json")
    for _ in benchmark.scaledIterations {
      blackHole(try LithiumIonParameters.load(contentsOf: url))
      blackHole(
        try CellProtocol(
          parsing: "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"
        ))
    }
  }

  // A cold `cellsim run` process: start, load Chen2020, 1C SPM discharge, CSV and summary written
  // atomically, exit. Needs the release binary (`swift build -c release --product cellsim`, which
  // .ci/run does first); without it the benchmark is not registered.
  let cellsim = root.appendingPathComponent(".build/release/cellsim")
  if FileManager.default.isExecutableFile(atPath: cellsim.path) {
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("cellsim-cold-run.csv")
    Benchmark(
      "cold-cellsim-run",
      configuration: .init(
        metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 40,
        thresholds: [.wallClock: .init(relative: [.p90: 200])])
    ) { benchmark in
      for _ in benchmark.scaledIterations {
        let process = Process()
        process.executableURL = cellsim
        process.arguments = [
          "run", "--cell", root.appendingPathComponent("CellParams/lithium-ion/Chen2020.json").path,
          "--protocol", "Discharge at 1C until 2.5 V", "--out", output.path, "--quiet",
        ]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { fatalError("cellsim run exited with \(process.terminationStatus)") }
      }
    }
  }
}
