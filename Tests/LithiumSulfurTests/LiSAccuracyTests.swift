// CellSim — LithiumSulfurTests/LiSAccuracyTests.swift
//
// The Marinescu model against the independent reference curves of ../shared/reference/lis/ (log-mass
// formulation, Radau IIA, rtol 1e-9), copied to Fixtures/: the 1.7 A discharge from the paper's charged
// state and the 1.7 A charge that follows it.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Li-S accuracy against the reference curves")
struct LiSAccuracyTests {
  static let protocolText = "Discharge at 1.7 A until 2.15 V; Charge at 1.7 A until 2.5 V"
  /// rtol 1e-7; the output interval is fine enough for linear interpolation of our curve in the window.
  static let options = SimulationOptions(outputInterval: 0.5, relativeTolerance: 1e-7)

  static func run() throws -> SimulationResult {
    try ProtocolEngine.run(model: try LiS.model(), protocol: try CellProtocol(parsing: protocolText), options: options)
  }

  @Test("1.7 A discharge, then 1.7 A charge: voltage, end times and species", arguments: [
    (0, "discharge_1p7A.csv"), (1, "charge_1p7A_after_discharge.csv"),
  ])
  func curve(_ step: Int, _ file: String) throws {
    let result = try Self.run()
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL(file))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let names = ["voltage_V"] + LiS.species
    let (t, columns) = LiS.stepRows(result, step: step, names)
    let v = columns[0]
    let end = try #require(t.last)
    let endRef = try #require(tRef.last)
    // Window: our curve interpolated at the reference times from 60 s to 95 % of the step.
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 60, to: 0.95 * endRef)
    // Whole step: the reference (dense where the voltage is steep) interpolated at every row we output
    // up to the reference's end. (A row in the ~2e-6 s between the two end times would meet the
    // reference's clamped end value: the end-time difference, checked below, times a near-vertical
    // slope — mV or not depending only on whether a row happens to fall there.)
    let whole = maximumDifference(times: tRef, values: vRef, referenceTimes: t, referenceValues: v, to: endRef)
    // For the record: our curve at every reference time over the whole step (our rows are 0.5 s apart,
    // so this also measures our linear interpolation across the near-vertical start and end).
    let wholeAtReference = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef)
    var worstSpecies = 0.0
    for (k, name) in LiS.species.enumerated() {
      let ref = reference.column(name)
      for (i, time) in t.enumerated() {
        let r = interpolate(tRef, ref, at: time)
        if r > 1e-6 { worstSpecies = max(worstSpecies, abs(columns[k + 1][i] - r) / r) }
      }
    }
    print(
      "Li-S \(file): end \(end) s vs \(endRef) s (\(end - endRef) s, \((end - endRef) / endRef) rel), "
        + "max|dV| window \(window * 1e3) mV, whole (at our rows) \(whole * 1e3) mV, "
        + "whole (at reference times) \(wholeAtReference * 1e3) mV, species max rel \(worstSpecies), "
        + "steps \(result.statistics.steps)")
    #expect(abs(end - endRef) / endRef < 1e-3)
    #expect(window <= 1e-3)
    #expect(whole <= 5e-3)
    #expect(worstSpecies <= 1e-3)
    let capacityRef = try #require(reference.column("capacity_Ah").last)
    #expect(abs(abs(result.steps[step].capacity) - capacityRef) / capacityRef < 1e-3)
  }

  @Test("total sulfur is conserved to 1e-9 and every species stays positive")
  func conservationAndPositivity() throws {
    let clock = ContinuousClock()
    var measured: SimulationResult?
    let elapsed = try clock.measure { measured = try Self.run() }
    let defaultOptions = try clock.measure {
      _ = try ProtocolEngine.run(
        model: try LiS.model(), protocol: try CellProtocol(parsing: Self.protocolText),
        options: SimulationOptions(keepsCurve: false))
    }
    print("Li-S solve time, discharge + charge: \(elapsed) (rtol 1e-7, 0.5 s rows), \(defaultOptions) (defaults)")
    let result = try #require(measured)
    #expect(result.status == .completed)
    let total = LiS.totalSulfur(result)
    let drift = (total.max()! - total.min()!) / total[0]
    print("Li-S total sulfur drift over discharge + charge: \(drift) relative (\(total[0]) g)")
    #expect(drift <= 1e-9)
    for name in LiS.species {
      let column = try #require(result.column(name))
      #expect(column.allSatisfy { $0 > 0 && $0.isFinite }, "\(name) not positive everywhere")
    }
    let s8 = result.column("S8_g")!
    print("Li-S smallest S8: \(s8.min()!) g")
    #expect(s8.min()! < 1e-25)  // the curve really reaches the tiny masses of the end of discharge
  }

  @Test("plateau figures of the reference discharge and of ours agree")
  func plateaus() throws {
    let model = try LiS.model()
    let result = try Self.run()
    let (t, columns) = LiS.stepRows(result, step: 0, ["voltage_V"])
    let ours = try #require(model.plateauFigures(time: t, voltage: columns[0]))
    let reference = try ReferenceCurve(contentsOf: fixtureURL("discharge_1p7A.csv"))
    let theirs = try #require(
      model.plateauFigures(time: reference.column("time_s"), voltage: reference.column("voltage_V")))
    print("Li-S plateaus: high \(ours.high) V, low \(ours.low) V, dip \(ours.dip) V (reference \(theirs))")
    #expect(abs(ours.high - theirs.high) < 1e-3)
    #expect(abs(ours.low - theirs.low) < 1e-3)
    #expect(abs(ours.dip - theirs.dip) < 1e-3)
    #expect(ours.high > ours.low && ours.low > ours.dip)
    // A charge has no dip.
    let (tc, vc) = LiS.stepRows(result, step: 1, ["voltage_V"])
    #expect(model.plateauFigures(time: tc, voltage: vc[0]) == nil)
  }
}
