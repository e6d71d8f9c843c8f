// CellSim — LithiumIonTests/SPMeExperimentTests.swift
//
// The SPMe on the four-step CC–rest–CC–CV experiment against PyBaMM's converged curve, conservation of
// lithium (particles + electrolyte), the electrolyte-depletion event and bad electrolyte input.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPMe four-step experiment")
struct SPMeExperimentTests {
  static let protocolText =
    "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  static func run(
    _ text: String = protocolText, onRow: ((UnsafeBufferPointer<Double>) -> Void)? = nil
  ) throws -> (SimulationResult, SingleParticleModelWithElectrolyte) {
    let model = try SingleParticleModelWithElectrolyte(parameters: try LithiumIonParameters.load(contentsOf: chen))
    let result = try ProtocolEngine.run(model: model, protocol: try CellProtocol(parsing: text), onRow: onRow)
    return (result, model)
  }

  @Test("every step matches the reference curve and ends at the reference time")
  func matchesReference() throws {
    let (result, _) = try Self.run()
    #expect(result.status == .completed)
    #expect(result.steps.count == 4)
    let reference = try ReferenceCurve(contentsOf: fixtureURL("Chen2020_SPMe_cccv.csv"))
    let summary = try ReferenceCurve(contentsOf: fixtureURL("summary.csv"))
    // summary.csv: rows 4…7 are the SPMe steps (the model column is text, read as NaN).
    let tStart = Array(summary.column("t_start_s")[4..<8])
    let tEnd = Array(summary.column("t_end_s")[4..<8])
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let step = try #require(result.column("step"))
    let tRef = reference.column("time_s")
    let vRef = reference.column("voltage_V")
    let stepRef = reference.column("step")
    for k in 0..<4 {
      let ours = result.steps[k]
      let duration = tEnd[k] - tStart[k]
      let (whole, window) = stepVoltageDifference(
        step: k, times: t, voltages: v, steps: step, start: ours.startTime, duration: ours.duration,
        referenceTimes: tRef, referenceVoltages: vRef, referenceSteps: stepRef, referenceStart: tStart[k],
        referenceDuration: duration)
      print(
        "SPMe cccv step \(k): end \(ours.endTime) vs \(tEnd[k]) (duration error "
          + "\(String(format: "%.4f", (ours.duration - duration) / duration * 100)) %), max|ΔV| whole "
          + "\(String(format: "%.3f", whole * 1e3)) mV, window \(String(format: "%.3f", window * 1e3)) mV")
      #expect(
        abs(ours.duration - duration) <= 1e-3 * duration, "step \(k) lasts \(ours.duration) s, reference \(duration) s")
      #expect(abs(ours.endTime - tEnd[k]) <= 1e-3 * duration, "step \(k) ends at \(ours.endTime), reference \(tEnd[k])")
      #expect(window <= 1e-3, "step \(k): max |ΔV| \(window) V between 60 s and 95 %")
      #expect(whole <= 5e-3, "step \(k): max |ΔV| \(whole) V over the step")
    }
  }

  /// The SPMe at a set current as a plain ODE system, to integrate it and look at its full state.
  final class FixedCurrent: DAESystem {
    let model: SingleParticleModelWithElectrolyte
    var current: Double
    init(_ model: SingleParticleModelWithElectrolyte, current: Double) {
      self.model = model
      self.current = current
    }
    var dimension: Int { model.stateCount }
    var isDifferential: [Bool] { model.isDifferential }
    var jacobianStructure: JacobianStructure {
      let band = model.jacobianBandwidth ?? (1, 1)
      return .banded(lower: band.lower, upper: band.upper)
    }
    func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
      model.evaluate(y, OperatingPoint(current: current, ambientTemperature: 298.15), into: f)
    }
  }

  @Test(
    "lithium in particles + electrolyte is conserved to 1e-9 (2C discharge, rest, 1C charge), modal or finite-volume electrolyte",
    arguments: [true, false])
  func conservesLithium(_ modes: Bool) throws {
    let model = try SingleParticleModelWithElectrolyte(
      parameters: try LithiumIonParameters.load(contentsOf: Self.chen),
      electrolyteModes: modes ? SingleParticleModelWithElectrolyte.defaultElectrolyteModes : nil)
    #expect((model.modal != nil) == modes)
    let system = FixedCurrent(model, current: 10)
    let integrator = BDFIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: model.absoluteTolerances))
    try integrator.reset(time: 0, state: try model.initialState(.stateOfCharge(1), ambientTemperature: 298.15))
    func lithium() -> (particles: Double, electrolyte: Double) {
      (model.particleLithium(integrator.state), model.electrolyteLithium(integrator.state))
    }
    let start = lithium()
    let total = start.particles + start.electrolyte
    var worst = 0.0
    var worstParts = (0.0, 0.0)
    var minimum = Double.infinity
    for (current, until) in [(10.0, 1500.0), (0, 2500), (-5, 4500)] {
      system.current = current
      integrator.setStopTime(until)
      var outcome = StepOutcome.advanced
      while outcome == .advanced {
        outcome = integrator.step()
        let now = lithium()
        worst = max(worst, abs(now.particles + now.electrolyte - total) / total)
        worstParts.0 = max(worstParts.0, abs(now.particles - start.particles) / start.particles)
        worstParts.1 = max(worstParts.1, abs(now.electrolyte - start.electrolyte) / start.electrolyte)
        minimum = min(minimum, model.electrolyteMinimum(integrator.state))
      }
      #expect(outcome == .reachedStopTime, "stopped at \(integrator.t) s: \(outcome)")
    }
    print(
      "SPMe conservation over 4500 s: total lithium drift \(worst), particles \(worstParts.0), "
        + "electrolyte \(worstParts.1) (lowest c_e \(minimum) mol/m^3)")
    #expect(worst <= 1e-9)
    #expect(minimum < 900)  // the electrolyte did move
  }

  @Test("a run at high rate ends on the electrolyte-depletion event and keeps its curve")
  func depletion() throws {
    // Chen2020 at 10C: the positive side empties of salt (after ~7 s) before the voltage limit.
    let (result, _) = try Self.run("Discharge at 10C until 2.0 V")
    let step = try #require(result.steps.first)
    let cPos = try #require(result.column("c_e_pos_cc_mol_m3"))
    print("SPMe 10C: \(step.reason), end \(step.endTime) s, last c_e(pos cc) \(cPos.last ?? .nan)")
    #expect(step.reason == .modelEvent("electrolyte depleted"))
    #expect(result.rowCount >= 2 && step.endTime > 1)  // the curve up to the event is kept
    #expect((cPos.last ?? 1000) < 5)
  }

  @Test("electrolyte rates: the factored polynomial D_e path agrees with per-cell calls of the file's function")
  func factoredDiffusivity() throws {
    var p = try LithiumIonParameters.load(contentsOf: Self.chen)
    let polynomial = "8.794e-11 * (ce / 1000)^2 - 3.972e-10 * (ce / 1000) + 4.862e-10"
    // Same function times 1 + 1e-8·√(ce/1000): not a polynomial to 1e-12, so it takes the per-cell path.
    p.electrolyte.diffusivity = try FunctionSpec.expression(polynomial).compile(variables: ["ce", "T"])
    let fast = ElectrolyteTransport(parameters: p, cells: (8, 4, 8))
    p.electrolyte.diffusivity = try FunctionSpec.expression("(\(polynomial)) * (1 + 1e-8 * sqrt(ce / 1000))").compile(
      variables: ["ce", "T"])
    let plain = ElectrolyteTransport(parameters: p, cells: (8, 4, 8))
    #expect(fast.hasFactoredDiffusivity && !plain.hasFactoredDiffusivity)
    let c = (0..<20).map { 1000 + 600 * sin(Double($0)) }
    var a = [Double](repeating: 0, count: 20)
    var b = a
    c.withUnsafeBufferPointer { c in
      a.withUnsafeMutableBufferPointer { fast.rates(c, currentDensity: 30, temperature: 310, into: $0) }
      b.withUnsafeMutableBufferPointer { plain.rates(c, currentDensity: 30, temperature: 310, into: $0) }
    }
    let scale = b.map(abs).max() ?? 1
    for i in 0..<20 { #expect(abs(a[i] - b[i]) <= 1e-7 * scale, "cell \(i): \(a[i]) vs \(b[i])") }
  }

  @Test("unusable electrolyte input is a clear error, not a crash")
  func badInput() throws {
    let text = try String(contentsOf: Self.chen, encoding: .utf8)
    // A conductivity that is negative at the initial concentration is refused by the reader already;
    // an exponent below zero too. Check the model's own guard with a parameter value built in code.
    var p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.negative.bruggemanElectrolyte = -1
    #expect(throws: CellModelError.self) { try SingleParticleModelWithElectrolyte(parameters: p) }
    p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.separator.porosity = 0
    do {
      _ = try SingleParticleModelWithElectrolyte(parameters: p)
      Issue.record("a zero porosity was accepted")
    } catch {
      #expect(error.message.contains("porosity"))
    }
    let broken = text.replacingOccurrences(of: "\"porosity\": 0.47", with: "\"porosity\": 1.3")
    #expect(throws: CellFileError.self) { try LithiumIonParameters.load(text: broken, fileName: "broken.json") }
  }
}
