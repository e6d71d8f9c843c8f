// CellSim — CellSim/StandardCases.swift
//
// The standard performance cases, shared by `cellsim bench` and the `Benchmarks/` package, each with
// the figure it must reproduce (validated against the reference curves), so speed is never bought
// with accuracy.

import Dispatch
import Foundation

/// One standard case: builds its inputs once, then solves on demand.
public struct StandardCase: Sendable {
  /// Case name, e.g. "spm-1c".
  public let name: String
  /// What the case runs.
  public let summary: String
  /// End time [s] the accuracy tests validated, and the relative tolerance a run must meet.
  public let expectedEndTime: Double?
  /// Solves once; returns the figures of the solve.
  public let solve: @Sendable () throws -> Figures

  public struct Figures: Sendable {
    public var endTime: Double
    public var capacity: Double
    public var statistics: SolverStatistics
    /// Number of solves the call performed (1 except for sweeps).
    public var solves: Int
  }

  /// Whether `figures` agrees with the validated end time (0.1 %).
  public func isValid(_ figures: Figures) -> Bool {
    guard let expected = expectedEndTime else { return figures.endTime.isFinite && figures.endTime > 0 }
    return abs(figures.endTime - expected) <= 1e-3 * expected
  }
}

extension StandardCase {
  /// The standard cases available with the shipped cell files under `root` (the repository's
  /// `CellParams/` parent directory).
  public static func all(root: URL) throws -> [StandardCase] {
    let chen = try LithiumIonParameters.load(
      contentsOf: root.appendingPathComponent("CellParams/lithium-ion/Chen2020.json"))
    let spm = try SingleParticleModel(parameters: chen)
    let discharge = try CellProtocol(parsing: "Discharge at 1C until 2.5 V")
    let cccv = try CellProtocol(
      parsing:
        "repeat 10 { Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20 }"
    )
    let quiet = SimulationOptions(keepsCurve: false)
    @Sendable func figures(_ r: SimulationResult, solves: Int = 1) -> Figures {
      Figures(endTime: r.endTime, capacity: r.steps.first?.capacity ?? 0, statistics: r.statistics, solves: solves)
    }
    var cases: [StandardCase] = [
      StandardCase(
        name: "spm-1c", summary: "Chen2020 SPM, 1C discharge from 100 % SOC to 2.5 V",
        expectedEndTime: 3606.38354835,
        solve: { figures(try ProtocolEngine.run(model: spm, protocol: discharge, options: quiet)) }),
      StandardCase(
        name: "spm-cccv-10", summary: "Chen2020 SPM, 10 cycles of 1C discharge, rest, C/2 charge, CV hold to C/20",
        expectedEndTime: nil,
        solve: { figures(try ProtocolEngine.run(model: spm, protocol: cccv, options: quiet)) }),
      StandardCase(
        name: "sweep-1000", summary: "Chen2020 SPM, 1000 discharges from C/10 to 5C, in parallel over all cores",
        expectedEndTime: nil,
        solve: {
          let rates = (0..<1000).map { 0.1 + 4.9 * Double($0) / 999 }
          let protocols = try rates.map { try CellProtocol(parsing: "Discharge at \($0)C until 2.5 V") }
          let results = ParallelResults(count: rates.count)
          DispatchQueue.concurrentPerform(iterations: rates.count) { k in
            let r = try? ProtocolEngine.run(model: spm, protocol: protocols[k], options: quiet)
            results.set(k, r.map { $0.endTime } ?? .nan)
          }
          let ends = results.values
          return Figures(
            endTime: ends.max() ?? .nan, capacity: 0, statistics: SolverStatistics(),
            solves: ends.filter(\.isFinite).count)
        }),
    ]
    cases.sort { $0.name < $1.name }
    return cases
  }
}

/// A fixed-size array that concurrent workers fill, each at its own index.
final class ParallelResults: @unchecked Sendable {
  private var storage: [Double]
  private let lock = NSLock()
  init(count: Int) { storage = Array(repeating: .nan, count: count) }
  func set(_ index: Int, _ value: Double) {
    lock.lock()
    storage[index] = value
    lock.unlock()
  }
  var values: [Double] {
    lock.lock()
    defer { lock.unlock() }
    return storage
  }
}
