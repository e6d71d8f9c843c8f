// CellSim — CellSim/StandardCases.swift
//
// The standard performance cases, shared by `cellsim bench` and the `Benchmarks/` package, each with
// the figure it must reproduce (validated against the reference curves by the accuracy tests), so
// speed is never bought with accuracy.

import Dispatch
import Foundation
import Synchronization

/// One standard case: builds its inputs once, then solves on demand.
public struct StandardCase: Sendable {
  /// Case name, e.g. "spm-1c".
  public let name: String
  /// What the case runs.
  public let summary: String
  /// End time [s] of the reference curve the accuracy tests compare against; a run must be within
  /// 0.1 % of it. `nil` for cases without a reference (cycling, sweeps): they must end finite.
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
  /// The standard cases with the shipped cell files under `root` (the directory holding `CellParams/`).
  public static func all(root: URL) throws -> [StandardCase] {
    func model(_ file: String, _ name: String? = nil) throws -> any CellModel {
      try LoadedCell(contentsOf: root.appendingPathComponent("CellParams/\(file)")).makeModel(name)
    }
    let spm = try model("lithium-ion/Chen2020.json", "spm")
    let spme = try model("lithium-ion/Chen2020.json", "spme")
    let ssb = try model("solid-state/Li_LPSCl_NMC811.json")
    let lis = try model("lithium-sulfur/Marinescu2016.json")
    let quiet = SimulationOptions(keepsCurve: false)

    // Warm solves: each case keeps its simulator (the bench runs a case's solves one after another;
    // the lock only makes that checkable).
    @Sendable func single(_ model: any CellModel, _ text: String) throws -> @Sendable () throws -> Figures {
      let parsed = try CellProtocol(parsing: text)
      let simulator = SharedSimulator(model)
      return {
        let r = try simulator.run(protocol: parsed, options: quiet)
        return Figures(endTime: r.endTime, capacity: r.steps.first?.capacity ?? 0, statistics: r.statistics, solves: 1)
      }
    }
    let rates = (0..<1000).map { 0.1 + 4.9 * Double($0) / 999 }
    // Each worker parses its own protocols: a protocol shared between workers would share the
    // reference counts of its arrays, which every run touches (see the models below).
    func sweepProtocols() throws -> [CellProtocol] {
      try rates.map { try CellProtocol(parsing: "Discharge at \($0)C until 2.5 V") }
    }
    let cores = max(ProcessInfo.processInfo.activeProcessorCount, 1)
    // One model per worker, built separately: workers that shared one model would share its arrays'
    // reference counts, and the atomic increments on the same cache lines serialise the cores.
    let workerModels = try (0..<cores).map { _ in try model("lithium-ion/Chen2020.json", "spm") }
    let workerProtocols = try (0..<cores).map { _ in try sweepProtocols() }
    @Sendable func sweep(workers: Int) -> Figures {
      let ends = ParallelResults(count: rates.count)
      // Workers take chunks of 8 cases as they finish (as `cellsim sweep` does): the two cores of a
      // shared VM do not run at the same speed, and a fixed split waits for the slower.
      let next = Atomic<Int>(0)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        let simulator = AnySimulator(workerModels[w % workerModels.count])
        let protocols = workerProtocols[w % workerProtocols.count]
        while true {
          let first = next.wrappingAdd(8, ordering: .relaxed).oldValue
          guard first < rates.count else { break }
          for k in first..<min(first + 8, rates.count) {
            let r = try? simulator.run(protocol: protocols[k], options: quiet)
            ends.set(k, r.map(\.endTime) ?? .nan)
          }
        }
      }
      let values = ends.values
      return Figures(
        endTime: values.max() ?? .nan, capacity: 0, statistics: SolverStatistics(),
        solves: values.filter(\.isFinite).count)
    }
    return [
      StandardCase(
        name: "spm-1c", summary: "Chen2020 SPM, 1C discharge from 100 % SOC to 2.5 V",
        expectedEndTime: 3606.38354835, solve: try single(spm, "Discharge at 1C until 2.5 V")),
      StandardCase(
        name: "spme-1c", summary: "Chen2020 SPMe, 1C discharge from 100 % SOC to 2.5 V",
        expectedEndTime: 3594.43745597, solve: try single(spme, "Discharge at 1C until 2.5 V")),
      StandardCase(
        name: "ssb-1c", summary: "Li | Li6PS5Cl | NMC811 solid-state cell, 1C discharge from 100 % SOC",
        expectedEndTime: 3495.833, solve: try single(ssb, "Discharge at 1C until 3.0 V")),
      StandardCase(
        name: "lis-discharge", summary: "Marinescu2016 lithium-sulfur cell, 1.7 A discharge to 2.15 V",
        expectedEndTime: 7134.061605, solve: try single(lis, "Discharge at 1.7 A until 2.15 V")),
      StandardCase(
        name: "spm-cccv-10", summary: "Chen2020 SPM, 10 × (1C discharge, 30 min rest, C/2 charge, CV hold to C/20)",
        expectedEndTime: nil,
        solve: try single(
          spm,
          "repeat 10 { Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20 }"
        )),
      StandardCase(
        name: "sweep-1000", summary: "Chen2020 SPM, 1000 discharges from C/10 to 5C, on all \(cores) cores",
        expectedEndTime: nil, solve: { sweep(workers: cores) }),
      StandardCase(
        name: "sweep-1000-1core", summary: "the same 1000 discharges on one core (the scaling baseline)",
        expectedEndTime: nil, solve: { sweep(workers: 1) }),
    ]
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

/// An `AnySimulator` behind a lock, so a `@Sendable` closure can keep one between calls.
final class SharedSimulator: Sendable {
  private let simulator: Mutex<AnySimulator>
  init(_ model: any CellModel) { simulator = Mutex(AnySimulator(model)) }

  func run(protocol cellProtocol: CellProtocol, options: SimulationOptions) throws(CellModelError) -> SimulationResult {
    try simulator.withLock { (s: inout AnySimulator) throws(CellModelError) -> SimulationResult in
      try s.run(protocol: cellProtocol, options: options)
    }
  }
}
