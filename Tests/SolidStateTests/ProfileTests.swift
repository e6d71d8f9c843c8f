// CellSim — SolidStateTests/ProfileTests.swift
//
// The cathode particle's profile (`--profiles`): uniform at rest whatever the current, and under a
// discharge its surface end equals the surface stoichiometry the voltage uses (`sto_p_surf`) and it
// rises towards the surface (lithium enters there).

import CellSim
import Foundation
import Testing

@Suite("Solid-state spatial profiles")
struct SolidStateProfileTests {
  static let temperature = 298.15

  func profile(_ model: SolidStateModel, _ y: [Double], current: Double) -> [Double] {
    var values = [Double](repeating: 0, count: model.profileValueCount)
    let point = OperatingPoint(current: current, ambientTemperature: Self.temperature)
    y.withUnsafeBufferPointer { state in
      values.withUnsafeMutableBufferPointer { model.profileValues(state, point, into: $0) }
    }
    return values
  }

  @Test("a particle at rest draws a uniform profile, with either representation", arguments: SSB.particleOptions)
  func uniformAtRest(particleModes: Int?) throws {
    let model = try SSB.model(particleModes: particleModes)
    let layout = try #require(model.profileLayout.first)
    #expect(layout.domain == "positive_particle" && layout.coordinate == .r)
    #expect(layout.positions.count >= 10 && layout.positions.last! <= model.parameters.positive.particleRadius * (1 + 1e-12))
    let start = try model.initialState(.stateOfCharge(1), ambientTemperature: Self.temperature)
    let values = profile(model, start, current: model.nominalCapacity)
    // Eigenmodes leave the modes beyond the last bin quasi-steady: 0.2 mol/m³ here (1.4e-5 of c), against
    // a surface-to-centre difference of thousands of mol/m³ under a 1C discharge.
    let spread = (values.max() ?? 0) - (values.min() ?? 0)
    #expect(spread <= 1e-4 * values[0], "spread \(spread): \(values)")
  }

  @Test("after 10 minutes at 1C (closed form): surface end = sto_p_surf·c_max, rising towards the surface")
  func underCurrent() throws {
    let model = try SSB.model()
    let current = model.nominalCapacity
    var y = try model.initialState(.stateOfCharge(1), ambientTemperature: Self.temperature)
    // Each state obeys dy/dt = −k·y + g·I at constant current: y(t) = y0·e^{−kt} + (g·I/k)(1 − e^{−kt}).
    var decay = [Double](repeating: 0, count: y.count)
    var gain = decay
    let linear = decay.withUnsafeMutableBufferPointer { k in
      gain.withUnsafeMutableBufferPointer { g in
        model.linearDynamics(ambientTemperature: Self.temperature, decay: k, gain: g)
      }
    }
    try #require(linear)
    let t = 600.0
    for i in y.indices {
      y[i] = decay[i] == 0
        ? y[i] + gain[i] * current * t
        : y[i] * exp(-decay[i] * t) + gain[i] * current / decay[i] * (1 - exp(-decay[i] * t))
    }
    let values = profile(model, y, current: current)
    var outputs = [Double](repeating: 0, count: model.outputColumns.count)
    let point = OperatingPoint(current: current, ambientTemperature: Self.temperature)
    y.withUnsafeBufferPointer { state in outputs.withUnsafeMutableBufferPointer { model.outputs(state, point, into: $0) } }
    let surface = outputs[try #require(model.outputColumns.firstIndex(of: "sto_p_surf"))]
    let cMax = model.parameters.positive.maxConcentration
    #expect(abs(values.last! - surface * cMax) <= 1e-9 * cMax, "\(values.last!) vs \(surface * cMax)")
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 * cMax }, "\(values)")
    #expect(values.last! - values.first! > 1e-3 * cMax)
  }
}
