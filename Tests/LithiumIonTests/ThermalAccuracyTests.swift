// CellSim — LithiumIonTests/ThermalAccuracyTests.swift
//
// The lumped thermal model (SPMe and SPM) against PyBaMM 26.10.1.1 with {"thermal": "lumped"}, Chen2020
// (fixtures Chen2020_<model>_lumped_*.csv, made by Benchmarks/tools/make_thermal_reference.py: 200 cells per
// particle, 50 per x-region, IDAKLU rtol 1e-8), the energy balance, per-step ambient temperatures and
// bad input.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("Lumped thermal model")
struct ThermalAccuracyTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  /// PyBaMM's Chen2020 heat capacity, V·Σρ·c_p·L / ΣL over the copper collector, negative electrode,
  /// separator, positive electrode and aluminium collector (2.42e-5 m³ × 1.7676e6 J m⁻³ K⁻¹). The cell
  /// file has no current-collector layers, so from its own data C would be 38.48 J/K (no collectors).
  static let pybammHeatCapacity = 42.77529812749004

  /// Chen2020 as PyBaMM sees it for the lumped model.
  static func parameters() throws -> LithiumIonParameters {
    var p = try LithiumIonParameters.load(contentsOf: chen)
    p.cell.thermal?.heatCapacity = pybammHeatCapacity
    return p
  }

  static func format(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }

  @Test(
    "SPMe and SPM discharges: temperature within 0.05 K, voltage within 1 mV of PyBaMM",
    arguments: [("SPMe", "1C", 1.0), ("SPMe", "2C", 2.0), ("SPM", "1C", 1.0)])
  func constantCurrent(_ modelName: String, _ name: String, _ cRate: Double) throws {
    let p = try Self.parameters()
    let model: any CellModel =
      modelName == "SPMe"
      ? try SingleParticleModelWithElectrolyte(parameters: p, thermal: .lumped, electrolyteOrdering: .folded)
      : try SingleParticleModel(parameters: p, thermal: .lumped)
    let result = try simulate(model, protocol: try CellProtocol(parsing: "Discharge at \(cRate)C until 2.5 V"))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_\(modelName)_lumped_\(name).csv"))
    let t = try #require(result.column("time_s"))
    let tRef = reference.column("time_s")
    let endRef = try #require(tRef.last)
    let end = try #require(t.last)
    let temperature = try #require(result.column("temperature_K"))
    let dT = maximumDifference(
      times: t, values: temperature, referenceTimes: tRef, referenceValues: reference.column("temperature_K"))
    let v = try #require(result.column("voltage_V"))
    let vRef = reference.column("voltage_V")
    let whole = maximumDifference(times: t, values: v, referenceTimes: tRef, referenceValues: vRef)
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: vRef, from: 60, to: 0.95 * endRef)
    let rise = (reference.column("temperature_K").max() ?? 0) - 298.15
    print(
      "\(modelName) lumped \(name): end \(Self.format(end)) s vs \(Self.format(endRef)) s, "
        + "max|ΔT| \(Self.format(dT, 4)) K (rise \(Self.format(rise, 2)) K), max|ΔV| 60 s…95 % "
        + "\(Self.format(window * 1e3)) mV, whole \(Self.format(whole * 1e3)) mV, steps \(result.statistics.steps)")
    #expect(dT <= 0.05)
    #expect(window <= 1e-3)
    #expect(whole <= 5e-3)
    #expect(abs(end - endRef) / endRef < 1e-3)
    // The heat column against PyBaMM's "Total heating [W]".
    let heat = try #require(result.column("heat_generation_W"))
    let dQ = maximumDifference(
      times: t, values: heat, referenceTimes: tRef, referenceValues: reference.column("total_heating_W"), from: 60,
      to: 0.95 * endRef)
    #expect(dQ <= 0.01 * cRate, "heat generation differs by \(dQ) W")
  }

  @Test("per-step ambient temperature: 1C at 25 °C, rest and 1C at 45 °C, against PyBaMM")
  func ambientPerStep() throws {
    let model = try SingleParticleModelWithElectrolyte(
      parameters: try Self.parameters(), thermal: .lumped, electrolyteOrdering: .folded)
    let result = try ProtocolEngine.run(
      model: model,
      protocol: try CellProtocol(
        parsing: "Discharge at 1C for 20 minutes at 25C; Rest for 20 minutes at 45C; Discharge at 1C until 2.5 V at 45C"))
    #expect(result.status == .completed)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPMe_lumped_ambient_step.csv"))
    let t = try #require(result.column("time_s"))
    let temperature = try #require(result.column("temperature_K"))
    let tRef = reference.column("time_s")
    let dT = maximumDifference(
      times: t, values: temperature, referenceTimes: tRef, referenceValues: reference.column("temperature_K"))
    var report = "SPMe lumped, ambient 25 °C → 45 °C: max|ΔT| \(Self.format(dT, 4)) K"
    #expect(dT <= 0.05)
    let v = try #require(result.column("voltage_V"))
    let step = try #require(result.column("step"))
    let stepRef = reference.column("step")
    for k in 0..<3 {
      // A reference step's first row is its start (the previous step's last row is dropped there).
      func startOf(_ k: Int) -> Double { k == 0 ? 0 : tRef[stepRef.firstIndex(of: Double(k))!] }
      let start = startOf(k)
      let duration = (k == 2 ? tRef[tRef.count - 1] : startOf(k + 1)) - start
      let ours = result.steps[k]
      let (whole, window) = stepVoltageDifference(
        step: k, times: t, voltages: v, steps: step, start: ours.startTime, duration: ours.duration,
        referenceTimes: tRef, referenceVoltages: reference.column("voltage_V"), referenceSteps: stepRef,
        referenceStart: start, referenceDuration: duration)
      report += "; step \(k): max|ΔV| 60 s…95 % \(Self.format(window * 1e3)) mV, whole \(Self.format(whole * 1e3)) mV"
      #expect(window <= 1e-3, "step \(k): \(window) V")
      #expect(whole <= 5e-3, "step \(k): \(whole) V")
      #expect(abs(ours.duration - duration) <= 1e-3 * duration)
    }
    print(report)
  }

  /// Energy balance over a 2C discharge and a rest, from the curve and the engine's energy integral:
  ///
  ///     C·(T_end − T_0) + ∫ h·A·(T − T_amb) dt  =  ∫ I·(U_surf − T·∂U/∂T) dt − E_electrical
  ///
  /// heat stored + heat removed = chemical energy released − electrical energy delivered. E_electrical
  /// is the engine's own integral of I·V (a state of the DAE, independent of the curve); the other
  /// integrals are trapezoidal on the 1 s output grid. A file with a non-zero entropic change tests
  /// the reversible heat too.
  @Test("energy balance: heat stored + heat removed = chemical energy − electrical energy", arguments: [false, true])
  func energyBalance(_ entropic: Bool) throws {
    var p = try Self.parameters()
    if entropic {
      // A made-up but typical magnitude: ±0.2 mV/K across the stoichiometry range.
      p.negative.entropicChange = try FunctionSpec.expression("-2e-4 * (x - 0.5)").compile(
        variables: LithiumIonParameters.electrodeFunctionVariables)
      p.positive.entropicChange = try FunctionSpec.expression("1e-4 * (0.6 - x)").compile(
        variables: LithiumIonParameters.electrodeFunctionVariables)
    }
    let model = try SingleParticleModelWithElectrolyte(parameters: p, thermal: .lumped)
    let result = try ProtocolEngine.run(
      model: model, protocol: try CellProtocol(parsing: "Discharge at 2C until 2.5 V; Rest for 20 minutes"),
      options: SimulationOptions(outputInterval: 1, relativeTolerance: 1e-7))
    #expect(result.status == .completed)
    let t = try #require(result.column("time_s"))
    let current = try #require(result.column("current_A"))
    let ocv = try #require(result.column("ocv_surf_V"))
    let temperature = try #require(result.column("temperature_K"))
    let cooling = try #require(result.column("cooling_W"))
    let xs = try #require(result.column("sto_n_surf"))
    let ys = try #require(result.column("sto_p_surf"))
    func dUdT(_ k: Int) -> Double {
      p.positive.entropicChange(ys[k], temperature[k]) - p.negative.entropicChange(xs[k], temperature[k])
    }
    var chemical = 0.0
    var removed = 0.0
    var reversible = 0.0
    for k in 1..<t.count where t[k] > t[k - 1] {
      let h = t[k] - t[k - 1]
      func chem(_ i: Int) -> Double { current[i] * (ocv[i] - temperature[i] * dUdT(i)) }
      chemical += 0.5 * h * (chem(k) + chem(k - 1))
      removed += 0.5 * h * (cooling[k] + cooling[k - 1])
      reversible += 0.5 * h * (current[k] * temperature[k] * dUdT(k) + current[k - 1] * temperature[k - 1] * dUdT(k - 1))
    }
    let electrical = result.totalEnergy * 3600
    let stored = Self.pybammHeatCapacity * (temperature[temperature.count - 1] - temperature[0])
    let generated = chemical - electrical
    let imbalance = abs(stored + removed - generated)
    print(
      "energy balance (entropic \(entropic)): generated \(Self.format(generated, 2)) J (reversible "
        + "\(Self.format(-reversible, 2)) J), stored \(Self.format(stored, 2)) J + removed \(Self.format(removed, 2)) J, "
        + "imbalance \(String(format: "%.2e", imbalance)) J (\(String(format: "%.1e", imbalance / generated)) relative)")
    // Tolerance 1e-4 of the heat generated (0.4 J of ~4200 J). Measured: 0.02–0.05 J (5e-6–1.1e-5) with
    // a 1 s or 0.25 s grid and rtol 1e-7 or 1e-9, so neither the quadrature nor the integrator
    // dominates: the trapezoid rule's error is set by the √t transient of U_surf after the step
    // starts (≈ 0.2·I·a·Δt^1.5 ≈ 0.06 J for a ≈ 0.03 V s^-½ at 2C) and the energy integrals carry the
    // integrator's and the event location's errors (once 0.4 J, with tests running in parallel). The
    // bound is still 30× below the smallest heat term it must see: the reversible heat here (2 %) and
    // the electrolyte concentration part of the irreversible heat (~3 % at 2C).
    #expect(imbalance <= 1e-4 * generated)
    if entropic { #expect(abs(reversible) > 0.01 * generated) }
  }

  @Test(
    "the folded electrolyte order (what the CLI builds) gives the spatial order's curve and meets PyBaMM's",
    arguments: [("1C", 1.0), ("2C", 2.0)])
  func foldedOrder(_ name: String, _ cRate: Double) throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    // The fold applies with finite-volume particles (the current inside the band); with eigenmode
    // particles the order stays spatial.
    let spatial = try SingleParticleModelWithElectrolyte(parameters: p, particleModes: nil)
    let folded = try SingleParticleModelWithElectrolyte(parameters: p, particleModes: nil, electrolyteOrdering: .folded)
    #expect(folded.jacobianBandwidth! == (2, 2) && spatial.jacobianBandwidth! == (1, 1))
    // With eigenmode particles the electrolyte is modal too: a dense block of its modes, no fold.
    let modal = try SingleParticleModelWithElectrolyte(parameters: p, electrolyteOrdering: .folded)
    let modes = SingleParticleModelWithElectrolyte.defaultElectrolyteModes
    #expect(modal.modal != nil && modal.jacobianBandwidth! == (modes - 1, modes - 1))
    let text = try CellProtocol(parsing: "Discharge at \(cRate)C until 2.5 V")
    // Rows on the --dt grid only, so both curves are compared at the same times (voltage-driven
    // extra rows would fall at different times in the two runs and add interpolation error).
    let gridOnly = SimulationOptions(outputVoltageStep: 0)
    let a = try ProtocolEngine.run(model: spatial, protocol: text, options: gridOnly)
    let b = try ProtocolEngine.run(model: folded, protocol: text, options: gridOnly)
    let ta = try #require(a.column("time_s"))
    let tb = try #require(b.column("time_s"))
    for column in ["voltage_V", "c_e_neg_cc_mol_m3", "c_e_sep_mol_m3", "c_e_pos_cc_mol_m3", "eta_electrolyte_conc_V"] {
      let d = maximumDifference(
        times: tb, values: try #require(b.column(column)), referenceTimes: ta,
        referenceValues: try #require(a.column(column)), to: min(ta.last ?? 0, tb.last ?? 0))
      // The two orders take different Newton iterates and steps, so they agree to the integrator's
      // tolerance, not to round-off: c_e's absolute tolerance is 1e-4·c_e0 = 0.1 mol/m³ per step
      // (`absoluteTolerances`); allow 5× for the global error (and 20 µV on voltages).
      let scale = column.hasSuffix("_V") ? 2e-5 : 0.5
      #expect(d <= scale, "\(column): folded and spatial differ by \(d)")
    }
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPMe_\(name).csv"))
    let tRef = reference.column("time_s")
    let endRef = try #require(tRef.last)
    let window = maximumDifference(
      times: tb, values: try #require(b.column("voltage_V")), referenceTimes: tRef,
      referenceValues: reference.column("voltage_V"), from: 60, to: 0.95 * endRef)
    print(
      "SPMe folded \(name): end \(Self.format(tb.last ?? 0)) s (spatial \(Self.format(ta.last ?? 0)) s, PyBaMM "
        + "\(Self.format(endRef)) s), max|ΔV| vs PyBaMM 60 s…95 % \(Self.format(window * 1e3)) mV; "
        + "steps \(b.statistics.steps) vs \(a.statistics.steps), Newton failures \(b.statistics.newtonFailures) vs "
        + "\(a.statistics.newtonFailures)")
    #expect(window <= 1e-3)
    #expect(abs((tb.last ?? 0) - endRef) / endRef < 1e-3)
    let y0 = try folded.initialState(.stateOfCharge(1), ambientTemperature: 298.15)
    let y1 = try spatial.initialState(.stateOfCharge(1), ambientTemperature: 298.15)
    let lithium = (
      y0.withUnsafeBufferPointer { folded.electrolyteLithium($0) },
      y1.withUnsafeBufferPointer { spatial.electrolyteLithium($0) }
    )
    #expect(abs(lithium.0 - lithium.1) <= 1e-12 * lithium.1)
  }

  @Test("isothermal by default; a huge heat-transfer coefficient pins T to ambient and gives the isothermal curve")
  func isothermalLimit() throws {
    var p = try Self.parameters()
    // Isothermal by default, with eigenmode particles (16 modes, 9 bins, the average); the lumped
    // model keeps finite volumes, so the isothermal curve it must reproduce is the finite-volume one.
    let modal = try SingleParticleModelWithElectrolyte(parameters: p)
    #expect(modal.stateCount == 2 * 26 + SingleParticleModelWithElectrolyte.defaultElectrolyteModes)
    #expect(modal.thermal == nil)
    #expect(!modal.outputColumns.contains("heat_generation_W"))
    let plain = try SingleParticleModelWithElectrolyte(parameters: p, particleModes: nil)
    #expect(plain.stateCount == 2 * 40 + 68 && plain.thermal == nil)
    p.cell.thermal?.heatTransferCoefficient = 1e7
    let pinned = try SingleParticleModelWithElectrolyte(parameters: p, thermal: .lumped)
    #expect(pinned.stateCount == plain.stateCount + 1)
    // The run's ambient is the initial temperature too (a step's own "at …" is the chamber only).
    let text = try CellProtocol(parsing: "Discharge at 1C until 2.5 V")
    let options = SimulationOptions(ambientTemperature: 308.15)
    let a = try ProtocolEngine.run(model: plain, protocol: text, options: options)
    let b = try ProtocolEngine.run(model: pinned, protocol: text, options: options)
    let ta = try #require(a.column("time_s"))
    let tb = try #require(b.column("time_s"))
    let dV = maximumDifference(
      times: tb, values: try #require(b.column("voltage_V")), referenceTimes: ta,
      referenceValues: try #require(a.column("voltage_V")), from: 1, to: 0.95 * (ta.last ?? 0))
    let temperature = try #require(b.column("temperature_K"))
    #expect(temperature.allSatisfy { abs($0 - 308.15) < 1e-3 }, "T leaves 35 °C: \(temperature.max() ?? 0)")
    #expect(try #require(a.column("temperature_K")).allSatisfy { $0 == 308.15 })
    #expect(dV < 1e-4, "max|ΔV| \(dV) V")
  }

  @Test("bad input: no thermal data, a negative heat capacity, an ambient below 0 K")
  func badInput() throws {
    var p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.cell.thermal = nil
    do {
      _ = try SingleParticleModelWithElectrolyte(parameters: p, thermal: .lumped)
      Issue.record("a cell without thermal data was accepted for the lumped model")
    } catch {
      #expect(error.message.contains("cell.thermal"))
    }
    #expect(throws: Never.self) { try SingleParticleModel(parameters: p) }  // isothermal needs none
    p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.cell.thermal?.heatCapacity = -1
    #expect(throws: CellModelError.self) { try SingleParticleModel(parameters: p, thermal: .lumped) }
    #expect(throws: ProtocolParseError.self) { try CellProtocol(parsing: "Discharge at 1C until 2.5 V at -300C") }
    #expect(throws: ProtocolParseError.self) { try CellProtocol(parsing: "Discharge at 1C until 2.5 V at 45") }
  }
}
