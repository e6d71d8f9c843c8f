// CellSim — LithiumSulfurTests/LiSProtocolTests.swift
//
// Protocol semantics for Li-S: cycling with fade, shuttle-limited charges, bad protocols.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Li-S protocols")
struct LiSProtocolTests {
  @Test("three 1.7 A cycles finish with finite values; the first cycle loses capacity, later ones do not gain")
  func cycling() throws {
    let text = "repeat 3 { Discharge at 1.7 A until 2.15 V; Charge at 1.7 A until 2.5 V }"
    let result = try ProtocolEngine.run(
      model: try LiS.model(), protocol: try CellProtocol(parsing: text), options: SimulationOptions(outputInterval: 10))
    #expect(result.status == .completed)
    for values in result.values { #expect(values.allSatisfy { $0.isFinite }) }
    let discharges = result.steps.filter { $0.capacity > 0 }.map(\.capacity)
    let charges = result.steps.filter { $0.capacity < 0 }.map { -$0.capacity }
    print("Li-S cycling: discharge capacities \(discharges) A h, charge capacities \(charges) A h")
    #expect(discharges.count == 3)
    // Precipitate and S2 left at the end of the first charge cost ~5 % once; the model then cycles
    // periodically (cycles 2 and 3 agree to ~1e-7 relative, solver noise), so only "no gain" is asserted.
    #expect(discharges[1] < 0.99 * discharges[0])
    #expect(discharges[2] <= discharges[1] * (1 + 1e-5))
    let total = LiS.totalSulfur(result)
    #expect((total.max()! - total.min()!) / total[0] <= 1e-9)
  }

  @Test("a shuttle-limited charge without a limit ends on the default time limit with a warning")
  func chargeWithoutLimit() throws {
    let text = "Discharge at 1.7 A until 2.15 V; Charge at 0.34 A"
    let result = try ProtocolEngine.run(
      model: try LiS.model(), protocol: try CellProtocol(parsing: text), options: SimulationOptions(outputInterval: 60))
    #expect(result.status == .completed)
    #expect(!result.warnings.isEmpty)
    let charge = result.steps[1]
    print("Li-S 0.34 A charge: \(charge.reason), end voltage \(charge.endVoltage) V, warnings \(result.warnings)")
    guard case .defaultTimeLimit = charge.reason else {
      Issue.record("expected the default time limit, got \(charge.reason)")
      return
    }
    #expect(charge.endVoltage < 2.5 && charge.endVoltage > 2.3)
  }

  @Test("a charge with a time limit ends on it (the shuttle holds the voltage below 2.5 V)")
  func chargeForTime() throws {
    let text = "Discharge at 1.7 A until 2.15 V; Charge at 0.34 A for 10 hours or until 2.5 V"
    let result = try ProtocolEngine.run(
      model: try LiS.model(), protocol: try CellProtocol(parsing: text), options: SimulationOptions(outputInterval: 60))
    #expect(result.status == .completed)
    #expect(result.steps[1].reason == .duration)
    #expect(abs(result.steps[1].duration - 36000) < 1e-6)
    #expect(result.warnings.isEmpty)
  }

  @Test("charging the fully charged cell to its limit ends quickly on the limit, without NaN")
  func chargeFullCell() throws {
    let result = try ProtocolEngine.run(
      model: try LiS.model(), protocol: try CellProtocol(parsing: "Charge at 1.7 A until 2.5 V"))
    switch result.status {
    case .completed:
      #expect(result.steps[0].endVoltage <= 2.5 + 1e-9)
    case .stepCannotStart(let step, let reason):
      #expect(step == 0)
      #expect(!reason.isEmpty)
    case .solverFailure(let step, let failure):
      Issue.record("solver failure in step \(step): \(failure)")
    }
    for values in result.values { #expect(values.allSatisfy { $0.isFinite }) }
  }

  @Test("rests and a C-rate step from the nominal capacity")
  func restAndCRate() throws {
    let text = "Discharge at 0.5C for 30 minutes; Rest for 10 minutes; Discharge at 0.5C until 2.15 V"
    let model = try LiS.model()
    let result = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: text))
    #expect(result.status == .completed)
    #expect(abs(result.steps[0].endCurrent - 0.5 * model.nominalCapacity) < 1e-9)
    #expect(abs(result.steps[1].endCurrent) < 1e-12)
    let total = result.steps.map(\.capacity).reduce(0, +)
    print("Li-S 0.5C with a rest: \(total) A h")
    #expect(abs(total - 3.36886) < 2e-3)
  }

  @Test("initial conditions other than the file's state are refused with a message")
  func initialConditions() throws {
    let model = try LiS.model()
    #expect(throws: CellModelError.self) { try model.initialState(.stateOfCharge(0.5), ambientTemperature: 298) }
    #expect(throws: CellModelError.self) { try model.initialState(.openCircuitVoltage(2.3), ambientTemperature: 298) }
    let y = try model.initialState(.stateOfCharge(1), ambientTemperature: 298)
    let soc = y.withUnsafeBufferPointer { model.stateOfCharge($0) }
    #expect(soc > 0.99 && soc <= 1)
  }
}
