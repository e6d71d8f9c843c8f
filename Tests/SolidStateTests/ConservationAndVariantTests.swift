// CellSim — SolidStateTests/ConservationAndVariantTests.swift
//
// Lithium conservation between foil and cathode, the LLZO and anode-free variants, temperature and
// concentration-dependent diffusivity through the function mechanism.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SSB lithium inventory and variants")
struct ConservationAndVariantTests {
  static let cycle = "Discharge at 1C until 3.0 V; Rest for 10 minutes; Charge at 0.5C until 4.3 V; Rest for 10 minutes; Discharge at 2C until 3.0 V"

  /// Largest |n(t) − n(0)| / n(0) of the metal + cathode lithium, and of the cathode lithium against the
  /// charge count n_cat(0) + Q·3600/F.
  static func drift(_ result: SimulationResult) throws -> (total: Double, coulomb: Double) {
    let metal = try #require(result.column("li_metal_mol"))
    let cathode = try #require(result.column("li_cathode_mol"))
    let charge = try #require(result.column("capacity_Ah"))
    let n0 = metal[0] + cathode[0]
    var total = 0.0
    var coulomb = 0.0
    for k in metal.indices {
      total = max(total, abs(metal[k] + cathode[k] - n0) / n0)
      coulomb = max(coulomb, abs(cathode[k] - cathode[0] - charge[k] * 3600 / 96485.33212331001) / n0)
    }
    return (total, coulomb)
  }

  @Test(
    "lithium is conserved between foil and cathode to 1e-9 over a cycle (eigenmodes, finite volumes)",
    arguments: [SSB.baseline, SSB.anodeFree], SSB.particleOptions)
  func conservation(_ name: String, _ modes: Int?) throws {
    let result = try SSB.run(try SSB.model(name, particleModes: modes), Self.cycle)
    #expect(result.status == .completed)
    #expect(result.steps.count == 5)
    let (total, coulomb) = try Self.drift(result)
    let thickness = try #require(result.column("li_metal_thickness_m"))
    print("SSB Li conservation \(name) (\(modes.map { "\($0) modes" } ?? "finite volumes")): max relative drift \(total), vs charge count \(coulomb), min Li thickness \(thickness.min()!) m, reasons \(result.steps.map(\.reason.description))")
    #expect(total <= 1e-9)
    #expect(coulomb <= 1e-9)
    #expect(thickness.allSatisfy { $0 >= -1e-12 })
  }

  @Test("the Li-metal thickness follows the charge passed (closed form)")
  func metalThickness() throws {
    let p = try SSB.reference()
    let result = try SSB.run(try SSB.model(), "Discharge at 1C until 3.0 V")
    let q = result.steps[0].capacity
    let l = try #require(result.column("li_metal_thickness_m"))
    let area = try #require(p["area_m2"])
    let vm = try #require(p["V_m_Li_m3_mol"])
    let start =
      try #require(p["L_Li_excess_m"]) + (try #require(p["x_0"]) - #require(p["x_100"])) * #require(p["eps_AM"])
      * #require(p["L_cat_m"]) * #require(p["c_max_mol_m3"]) * vm
    #expect(abs(l[0] - start) < 1e-15)
    #expect(abs(l.last! - (start - q * 3600 / 96485.33212331001 / area * vm)) < 1e-15)
  }

  @Test("the variants run and end with a named reason", arguments: [SSB.llzo, SSB.anodeFree])
  func variants(_ name: String) throws {
    let model = try SSB.model(name)
    for rate in ["C/10", "1C", "2C"] {
      let result = try SSB.run(model, "Discharge at \(rate) until 3.0 V; Rest for 5 minutes; Charge at C/2 until 4.3 V")
      #expect(result.status == .completed)
      let reasons = result.steps.map(\.reason)
      print("SSB \(name) \(rate): capacity \(result.steps[0].capacity) A h, end \(result.steps[0].endTime) s, V_end \(result.steps[0].endVoltage) V; ends: \(reasons.map(\.description))")
      for (k, reason) in reasons.enumerated() where k != 1 {
        switch reason {
        case .modelEvent(let why): #expect(why.hasPrefix("cathode stoichiometry window"))
        case .cellVoltageLimit, .voltageLimit: break
        default: Issue.record("\(name) \(rate) step \(k) ended on \(reason)")
        }
      }
      let v = try #require(result.column("voltage_V"))
      #expect(v.allSatisfy { $0.isFinite })
    }
  }

  @Test("the LLZO separator only adds its ohmic drop; the anode-free cell has no Li left at 0 % SOC")
  func variantPhysics() throws {
    let base = try SSB.model()
    let llzo = try SSB.model(SSB.llzo)
    let i = base.nominalCapacity / 0.1
    // Separator 30 µm: 0.2 S/m vs 0.05 S/m.
    let expectedExtra = i * (3e-5 / 0.05 - 3e-5 / 0.2)
    let rb = try SSB.run(base, "Discharge at 1C for 60 s")
    let rl = try SSB.run(llzo, "Discharge at 1C for 60 s")
    // Same initial state, so at t = 0 the voltages differ by the extra separator drop alone (later rows
    // carry each run's own integration error, ~1e-9 V).
    let dv = try #require(rb.column("voltage_V"))[0] - #require(rl.column("voltage_V"))[0]
    #expect(abs(dv - expectedExtra) < 1e-12)
    let dvEnd = try #require(rb.column("voltage_V")).last! - #require(rl.column("voltage_V")).last!
    #expect(abs(dvEnd - expectedExtra) < 1e-6)
    let free = try SSB.model(SSB.anodeFree)
    let y = try free.initialState(.stateOfCharge(0), ambientTemperature: 298.15)
    #expect(y.last! == 0)
    // A discharge of an empty anode-free cell cannot start.
    let blocked = try SSB.run(free, "Discharge at 1C until 3.0 V", options: SimulationOptions(initialCondition: .stateOfCharge(0)))
    #expect(!blocked.status.isSuccess)
  }

  @Test(
    "an anode-free cell with a wider window ends on the exhausted lithium metal (eigenmodes, finite volumes)",
    arguments: SSB.particleOptions)
  func lithiumExhausted(_ modes: Int?) throws {
    let text = try editedBaseline([("positive.surface_stoichiometry_max", 0.95)], file: SSB.anodeFree)
    let model = try SolidStateModel(
      parameters: try SolidStateParameters.load(text: text, fileName: "wide.json"), particleModes: modes)
    let result = try SSB.run(model, "Discharge at C/10 until 3.0 V")
    #expect(result.status == .completed)
    #expect(result.steps[0].reason == .modelEvent("lithium metal exhausted"))
    let l = try #require(result.column("li_metal_thickness_m"))
    #expect(abs(l.last!) < 1e-12)
    // All cyclable lithium went back to the cathode: Q = Q_nom.
    #expect(abs(result.steps[0].capacity - model.nominalCapacity) / model.nominalCapacity < 1e-6)
  }

  @Test("Arrhenius conductivity, diffusivity and j0 through the function mechanism")
  func arrhenius() throws {
    let ea = 30_000.0
    func arr(_ v: Any) -> [String: Any] { ["value": v, "activation_energy_J_mol": ea, "reference_temperature_K": 298.15] }
    let text = try editedBaseline([
      ("separator.conductivity_S_m", arr(0.2)), ("positive.electrolyte_conductivity_S_m", arr(0.2)),
      ("positive.diffusivity_m2_s", arr("4e-15 * (1 + 0.5 * (x - 0.5)^2)")),
      ("positive.exchange_current_density_A_m2", arr("1.0 * sqrt(x * (1 - x))")),
      ("negative.exchange_current_density_A_m2", arr(100.0)),
    ])
    let parameters = try SolidStateParameters.load(text: text, fileName: "arrhenius.json")
    let model = try SolidStateModel(parameters: parameters)
    // D depends on x: finite volumes.
    #expect(!model.particle.isModal)
    for celsius in [0.0, 25.0, 60.0] {
      let t = 273.15 + celsius
      let factor = exp(ea / 8.31446261815324 * (1 / 298.15 - 1 / t))
      let result = try SSB.run(model, "Discharge at 1C until 3.0 V", options: SimulationOptions(ambientTemperature: t))
      #expect(result.status == .completed)
      let ohmicSE = try #require(result.column("ohmic_se_V"))[0]
      let i = model.nominalCapacity / 0.1
      let expected = i * (3e-5 / (0.2 * factor) + 7e-5 / (3 * 0.2 * factor * 0.35 / 5))
      print("SSB Arrhenius \(celsius) °C: capacity \(result.steps[0].capacity) A h, ohmic SE \(ohmicSE) V, ends: \(result.steps[0].reason)")
      #expect(abs(ohmicSE - expected) < 1e-12)
      let (total, _) = try ConservationAndVariantTests.drift(result)
      #expect(total <= 1e-9)
      #expect(try #require(result.column("temperature_K")).allSatisfy { $0 == t })
    }
  }

  @Test("a D(T) without x dependence runs with eigenmodes, in closed form, and agrees with finite volumes")
  func temperatureDependentModes() throws {
    let text = try editedBaseline([
      ("positive.diffusivity_m2_s", ["value": 4e-15, "activation_energy_J_mol": 30_000.0, "reference_temperature_K": 298.15])
    ])
    let parameters = try SolidStateParameters.load(text: text, fileName: "arrhenius-d.json")
    let modal = try SolidStateModel(parameters: parameters)
    let cells = try SolidStateModel(parameters: parameters, cellsPerParticle: 80, particleModes: nil)
    #expect(modal.particle.isModal)
    #expect(!cells.particle.isModal)
    let protocolText = "Discharge at 1C until 3.0 V; Rest for 10 minutes; Charge at 0.5C until 4.3 V"
    for celsius in [0.0, 25.0, 45.0] {
      let options = SimulationOptions(ambientTemperature: 273.15 + celsius)
      let a = try SSB.run(modal, protocolText, options: options)
      let b = try SSB.run(cells, protocolText, options: options)
      #expect(a.status == .completed)
      #expect(b.status == .completed)
      #expect(a.steps.map(\.reason) == b.steps.map(\.reason))
      let dq = zip(a.steps, b.steps).map { abs($0.capacity - $1.capacity) / modal.nominalCapacity }.max() ?? 0
      print("SSB D(T) \(celsius) °C: capacities \(a.steps.map(\.capacity)) (modes) vs \(b.steps.map(\.capacity)) (80 cells), max |ΔQ|/Q_nom \(dq)")
      #expect(dq < 1e-3)
    }
  }

  @Test("initial state from an open-circuit voltage")
  func ocvStart() throws {
    let model = try SSB.model()
    let y = try model.initialState(.openCircuitVoltage(3.9), ambientTemperature: 298.15)
    let x = y[0] / 51765
    let u = -0.8090 * x + 4.4875 - 0.0428 * tanh(18.5138 * (x - 0.5542)) - 17.7326 * tanh(15.7890 * (x - 0.3117))
      + 17.5842 * tanh(15.9308 * (x - 0.3120))
    #expect(abs(u - 3.9) < 1e-9)
    #expect(throws: CellModelError.self) { try model.initialState(.openCircuitVoltage(4.4), ambientTemperature: 298.15) }
  }
}
