// CellSim — LithiumSulfurTests/Support.swift

import CellSim
import Foundation
import _TestSupport

enum LiS {
  static let cellURL = repositoryRoot().appendingPathComponent("CellParams/lithium-sulfur/Marinescu2016.json")
  static let species = ["S8_g", "S4_g", "S2_g", "S_g", "Sp_g"]

  static func model() throws -> LithiumSulfurModel {
    try LithiumSulfurModel(parameters: try LithiumSulfurParameters.load(contentsOf: cellURL))
  }

  /// Rows of `result` belonging to protocol step `step`, as (time since the step's start, column values).
  static func stepRows(_ result: SimulationResult, step: Int, _ names: [String]) -> (t: [Double], columns: [[Double]]) {
    let steps = result.column("step") ?? []
    let time = result.column("time_s") ?? []
    let rows = steps.indices.filter { Int(steps[$0]) == step }
    guard let first = rows.first else { return ([], names.map { _ in [] }) }
    let t0 = time[first]
    return (rows.map { time[$0] - t0 }, names.map { n in rows.map { result.column(n)![$0] } })
  }

  /// Total sulfur of every row.
  static func totalSulfur(_ result: SimulationResult) -> [Double] {
    let columns = species.map { result.column($0)! }
    return (0..<result.rowCount).map { i in columns.reduce(0) { $0 + $1[i] } }
  }
}
