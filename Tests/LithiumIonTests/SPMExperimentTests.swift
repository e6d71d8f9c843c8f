// CellSim — LithiumIonTests/SPMExperimentTests.swift
//
// The four-step CC–rest–CC–CV experiment against PyBaMM's converged curve, and conservation of the
// lithium inventory over it.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPM four-step experiment")
struct SPMExperimentTests {
  static let protocolText =
    "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"

  static func run() throws -> (SimulationResult, SingleParticleModel) {
    let url = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")
    let model = try SingleParticleModel(parameters: try LithiumIonParameters.load(contentsOf: url))
    let result = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: protocolText))
    return (result, model)
  }

  @Test("every step matches the reference curve and ends at the reference time")
  func matchesReference() throws {
    let (result, _) = try Self.run()
    #expect(result.status == .completed)
    #expect(result.steps.count == 4)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPM_cccv.csv"))
    let summary = try ReferenceCurve(contentsOf: fixtureURL("summary.csv"))
    // summary.csv: the first four rows are the SPM steps (the model column is text, read as NaN).
    let tStart = Array(summary.column("t_start_s").prefix(4))
    let tEnd = Array(summary.column("t_end_s").prefix(4))
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let step = try #require(result.column("step"))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let stepRef = reference.column("step")
    for k in 0..<4 {
      let ours = result.steps[k]
      let duration = tEnd[k] - tStart[k]
      #expect(abs(ours.endTime - tEnd[k]) <= 1e-3 * duration, "step \(k) ends at \(ours.endTime), reference \(tEnd[k])")
      let (whole, window) = stepVoltageDifference(
        step: k, times: t, voltages: v, steps: step, start: ours.startTime, duration: ours.duration,
        referenceTimes: tRef, referenceVoltages: vRef, referenceSteps: stepRef, referenceStart: tStart[k],
        referenceDuration: duration)
      #expect(window <= 1e-3, "step \(k): max |ΔV| \(window) V between 60 s and 95 %")
      #expect(whole <= 5e-3, "step \(k): max |ΔV| \(whole) V over the step")
    }
    let capacityRef = try #require(reference.column("discharge_capacity_Ah").last)
    let capacity = try #require(result.column("capacity_Ah")?.last)
    #expect(abs(capacity - capacityRef) < 1e-3 * 5.0)
  }

  @Test("the lithium inventory is conserved to 1e-9 over the experiment")
  func conservesLithium() throws {
    let (result, model) = try Self.run()
    let neg = model.parameters.negative
    let pos = model.parameters.positive
    let area = model.parameters.cell.area
    let xAvg = try #require(result.column("sto_n_avg"))
    let yAvg = try #require(result.column("sto_p_avg"))
    // n_Li = (ε_s,n L_n c_n,max x̄ + ε_s,p L_p c_p,max ȳ)·A, written out here independently of the model.
    let inventory = zip(xAvg, yAvg).map {
      (neg.activeMaterialVolumeFraction * neg.thickness * neg.maxConcentration * $0.0
        + pos.activeMaterialVolumeFraction * pos.thickness * pos.maxConcentration * $0.1) * area
    }
    let first = try #require(inventory.first)
    let worst = inventory.map { abs($0 - first) / first }.max() ?? .infinity
    #expect(worst <= 1e-9, "relative change of the lithium inventory: \(worst)")
    #expect(xAvg.count > 100)
  }

  @Test("charge counting: capacity_Ah is ∫I dt/3600 and returns near zero after a full cycle")
  func chargeCounting() throws {
    let (result, _) = try Self.run()
    let t = try #require(result.column("time_s"))
    let i = try #require(result.column("current_A"))
    let q = try #require(result.column("capacity_Ah"))
    // Trapezoid of the output rows (10 s spacing) vs the integrated capacity column, at the end of step 0.
    let end0 = result.steps[0].endTime
    var integral = 0.0
    for k in 1..<t.count where t[k] <= end0 {
      integral += 0.5 * (i[k] + i[k - 1]) * (t[k] - t[k - 1]) / 3600
    }
    let qEnd0 = interpolate(t, q, at: end0 - 1e-9)
    #expect(abs(integral - qEnd0) < 1e-6)
    #expect(abs(result.steps[0].capacity - 5.00886603938) < 5e-3)
  }

  @Test("a Simulator reused after other runs gives a fresh run's result bit for bit")
  func reusedSimulator() throws {
    let (fresh, model) = try Self.run()
    let simulator = Simulator(model: model)
    // Other work first: another protocol, another ambient temperature, other tolerances.
    _ = try simulator.run(
      protocol: try CellProtocol(parsing: "Charge at 2C until 4.1 V; Rest for 10 minutes"),
      options: SimulationOptions(initialCondition: .stateOfCharge(0.2), ambientTemperature: 308.15))
    _ = try simulator.run(
      protocol: try CellProtocol(parsing: "Discharge at 3C until 3.0 V"), options: SimulationOptions(relativeTolerance: 1e-7))
    let reused = try simulator.run(protocol: try CellProtocol(parsing: Self.protocolText))
    #expect(reused.values == fresh.values)
    #expect(reused.steps.map(\.endTime) == fresh.steps.map(\.endTime))
    #expect(reused.steps.map(\.energy) == fresh.steps.map(\.energy))
    #expect(reused.statistics == fresh.statistics)
    #expect(reused.status == fresh.status)
  }
}
