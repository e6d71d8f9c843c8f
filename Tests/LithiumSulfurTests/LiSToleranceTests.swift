// CellSim — LithiumSulfurTests/LiSToleranceTests.swift
//
// The discharge-then-charge run must not depend on the tolerance being loose: tightening rtol may
// only make it more accurate. (It used to fail at rtol ≤ 1e-8, when the first steps of the charge
// needed to be shorter than floating point can resolve at t ≈ 7134 s; the engine now integrates each
// step in time since its start.)

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Li-S across tolerances")
struct LiSToleranceTests {
  @Test("discharge then charge completes and agrees at rtol 1e-5, 1e-7 and 1e-9", arguments: [1e-5, 1e-7, 1e-9])
  func tolerance(_ rtol: Double) throws {
    let text = "Discharge at 1.7 A until 2.15 V; Charge at 1.7 A until 2.5 V"
    let result = try ProtocolEngine.run(
      model: try LiS.model(), protocol: try CellProtocol(parsing: text),
      options: SimulationOptions(relativeTolerance: rtol, keepsCurve: false))
    #expect(result.status == .completed, "\(result.status)")
    #expect(result.steps.count == 2)
    // Reference end times from ../shared/reference/lis (model.md): 7134.06 s and 7895.18 s.
    #expect(abs(result.steps[0].duration - 7134.061605) <= 1e-3 * 7134.061605)
    #expect(abs(result.steps[1].duration - 7895.176396) <= 1e-3 * 7895.176396)
  }
}
