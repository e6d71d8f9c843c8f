// CellSim — Benchmarks/SolverThroughput/SolverThroughput.swift
//
// The standard cases of `cellsim bench` (Sources/CellSim/StandardCases.swift) as ordo-one benchmarks:
// wall clock, throughput and allocations per solve. Each iteration checks its result against the
// accuracy-validated value, so a faster but wrong solver fails here.

import Benchmark
import CellSim
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

let benchmarks: @Sendable () -> Void = {
  Benchmark.defaultConfiguration = .init(
    metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2), maxIterations: 200)
  guard let cases = try? StandardCase.all(root: root) else {
    fatalError("cannot load the standard cells under \(root.path)/CellParams")
  }
  for standard in cases where standard.name != "sweep-1000" {
    Benchmark(standard.name) { benchmark in
      for _ in benchmark.scaledIterations {
        let figures = try standard.solve()
        guard standard.isValid(figures) else {
          fatalError("\(standard.name): end time \(figures.endTime) s differs from the validated value")
        }
        blackHole(figures)
      }
    }
  }
  Benchmark(
    "parse-cell-and-protocol",
    configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal])
  ) { benchmark in
    let url = root.appendingPathComponent("CellParams/lithium-ion/Chen2020.json")
    for _ in benchmark.scaledIterations {
      blackHole(try LithiumIonParameters.load(contentsOf: url))
      blackHole(
        try CellProtocol(
          parsing: "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"
        ))
    }
  }
}
