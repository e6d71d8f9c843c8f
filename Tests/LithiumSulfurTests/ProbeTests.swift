import CellSim
import Foundation
import Testing
import _TestSupport

final class Closed: DAESystem {
  let model: LithiumSulfurModel
  var current: Double
  init(_ m: LithiumSulfurModel, _ i: Double) { model = m; current = i }
  var dimension: Int { 6 }
  var isDifferential: [Bool] { model.isDifferential }
  var jacobianStructure: JacobianStructure { .dense }
  func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
    model.evaluate(y, OperatingPoint(current: current, ambientTemperature: 298), into: f)
  }
}

@Test func probe() throws {
  let p = try LithiumSulfurParameters.load(contentsOf: repositoryRoot().appendingPathComponent("CellParams/lithium-sulfur/Marinescu2016.json"))
  let model = try LithiumSulfurModel(parameters: p)
  let r = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: "Discharge at 1.7 A until 2.15 V"), options: SimulationOptions(outputInterval: 1, relativeTolerance: 1e-8))
  let names = ["S8_g","S4_g","S2_g","S_g","Sp_g"]
  var y = names.enumerated().map { LithiumSulfurModel.coordinate(r.column($1)!.last!, $0) }
  y.append(r.column("voltage_V")!.last!)
  let sys = Closed(model, -1.7)
  for h0 in [nil, 1e-9, 1e-10, 1e-11] as [Double?] {
    let integ = BDFIntegrator(system: sys, options: IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: model.absoluteTolerances, initialStep: h0))
    let t0 = 7134.06
    integ.setStopTime(t0 + 8000)
    try integ.reset(time: t0, state: y)
    var k = 0
    var last = StepOutcome.advanced
    while true { last = integ.step(); k += 1; if last != .advanced || integ.state[5] > 2.5 { break } }
    print("h0", h0 as Any, k, last, integ.t - t0, integ.state[5], integ.statistics)
  }
}
