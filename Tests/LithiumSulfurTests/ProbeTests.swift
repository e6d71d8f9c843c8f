import CellSim
import Foundation
import Testing
import _TestSupport

@Test func probe() throws {
  let p = try LithiumSulfurParameters.load(contentsOf: repositoryRoot().appendingPathComponent("CellParams/lithium-sulfur/Marinescu2016.json"))
  let model = try LithiumSulfurModel(parameters: p)
  for rtol in [1e-6, 1e-7, 1e-8, 1e-9] {
    let r = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: "Discharge at 1.7 A until 2.15 V; Charge at 1.7 A until 2.5 V"), options: SimulationOptions(outputInterval: 1, relativeTolerance: rtol))
    let tot = (0..<r.rowCount).map { i in ["S8_g","S4_g","S2_g","S_g","Sp_g"].reduce(0.0) { $0 + r.column($1)![i] } }
    print("rtol", rtol, r.status.isSuccess, r.steps.map { "\($0.duration)" }, "cons", (tot.max()! - tot.min()!) / tot[0], r.statistics.steps)
  }
}
