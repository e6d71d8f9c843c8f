// CellSim — SolidStateTests/StartAtWindowEdgeTests.swift
//
// At 100 % SOC the cathode sits exactly on the lower edge of its stoichiometry window. A rest or a
// discharge moves away from that edge and must run; a charge moves beyond it and must end on a named
// reason right away.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Solid-state steps that start on the window edge")
struct StartAtWindowEdgeTests {
  @Test("rest, then discharge, from 100 % SOC")
  func restAtFullCharge() throws {
    let result = try ProtocolEngine.run(
      model: try SSB.model(), protocol: try CellProtocol(parsing: "Rest for 10 s; Discharge at 1C until 3.0 V"))
    #expect(result.status == .completed, "\(result.status)")
    #expect(result.steps.count == 2)
    #expect(result.steps[0].reason == .duration)
    #expect(abs(result.steps[1].duration - 3495.833) <= 1e-3 * 3495.833)
  }
}
