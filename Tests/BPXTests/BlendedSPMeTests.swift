// CellSim — BPXTests/BlendedSPMeTests.swift
//
// The SPMe with blended electrodes (`BlendedSingleParticleModelWithElectrolyte`): identical populations
// give the single-population curve of the same model; the BPX blended example matches PyBaMM's SPMe with
// "particle phases" ("1", "2") (Fixtures/make_pybamm_blended_reference.py); lithium is conserved; the
// lumped thermal model is refused with a clear message.

import CellSim
import Foundation
import Integrators
import Testing
import _TestSupport

@Suite("Blended electrodes (SPMe)")
struct BlendedSPMeTests {
  static let blended = fixtureURL("nmc_pouch_cell_BPX_blended_electrode.json")

  // PyBaMM's SPMe with phases uses the "algebraic" surface form (the reaction follows the potentials
  // along x), so one population per electrode is not `SingleParticleModelWithElectrolyte` (0.6 mV
  // apart at 1C, as in PyBaMM): the reference is the blended model with single populations.
  @Test("two identical populations (30 % / 70 % of the active material) give the single-population curve to 1e-6 V")
  func identicalPopulations() throws {
    let p = try LithiumIonParameters.load(contentsOf: BlendedElectrodeTests.chen)
    let text = "Discharge at 1C until 2.5 V; Rest for 10 minutes; Charge at 0.5C until 4.1 V"
    let options = SimulationOptions(
      outputInterval: 10, outputVoltageStep: 0, relativeTolerance: 1e-8, absoluteToleranceScale: 1e-2)
    let single = try ProtocolEngine.run(
      model: BlendedSingleParticleModelWithElectrolyte(parameters: p), protocol: CellProtocol(parsing: text), options: options)
    #expect(single.status == .completed)
    let spme = try ProtocolEngine.run(
      model: SingleParticleModelWithElectrolyte(parameters: p), protocol: CellProtocol(parsing: text), options: options)
    print("blended SPMe, one population each vs the SPMe (surface form algebraic vs explicit): max|ΔV| "
      + "\(try BlendedElectrodeTests.stepwiseDifference(single, spme)) V")
    for electrode in ["negative", "positive"] {
      let pair = BlendedElectrodeTests.identicalPair(electrode == "negative" ? p.negative : p.positive)
      let blended = electrode == "negative"
        ? try BlendedSingleParticleModelWithElectrolyte(parameters: p, negativePopulations: pair)
        : try BlendedSingleParticleModelWithElectrolyte(parameters: p, positivePopulations: pair)
      // P algebraic unknowns per electrode: Δφ̄ of each, and ⟨j_2⟩ of the split one.
      #expect(blended.isDifferential.filter { !$0 }.count == 3)
      let two = try ProtocolEngine.run(model: blended, protocol: CellProtocol(parsing: text), options: options)
      #expect(two.status == .completed)
      let diff = try BlendedElectrodeTests.stepwiseDifference(two, single)
      print("blended SPMe \(electrode), identical populations: max|ΔV| \(diff) V, end \(two.endTime) s vs \(single.endTime) s")
      #expect(diff < 1e-6)
      #expect(abs(two.endTime - single.endTime) < 1e-3)
    }
  }

  @Test("the BPX blended example (8 µm and 1 µm positive particles) matches PyBaMM's SPMe to 1 mV (60 s to 95 %)")
  func bpxBlendedExample() throws {
    let loaded = try LoadedCell(contentsOf: Self.blended)
    #expect(loaded.offeredModels == ["spm", "spme"])
    let model = try loaded.makeModel("spme")
    #expect(model is BlendedSingleParticleModelWithElectrolyte)
    let result = try simulate(
      model, protocol: CellProtocol(parsing: "Discharge at 1C until 2.7 V"),
      options: SimulationOptions(outputInterval: 10, relativeTolerance: 1e-8))
    #expect(result.status == .completed)
    let t = try #require(result.column("time_s"))
    let v = try #require(result.column("voltage_V"))
    let reference = try ReferenceCurve(contentsOf: fixtureURL("nmc_pouch_blended_SPMe_1C.csv"))
    let tRef = reference.column("time_s")
    let endRef = try #require(tRef.last)
    let window = maximumDifference(
      times: t, values: v, referenceTimes: tRef, referenceValues: reference.column("voltage_V"), from: 60, to: 0.95 * endRef)
    print("BPX blended SPMe 1C: max|ΔV| (60 s–95 %) \(window * 1e3) mV, end \(result.endTime) s vs PyBaMM \(endRef) s")
    #expect(window <= 1e-3)
    #expect(abs(result.endTime - endRef) / endRef < 1e-3)
  }

  /// The model at a set current as a plain DAE system, to integrate it and look at its full state.
  final class FixedCurrent: DAESystem {
    let model: BlendedSingleParticleModelWithElectrolyte
    var current: Double
    init(_ model: BlendedSingleParticleModelWithElectrolyte, current: Double) {
      self.model = model
      self.current = current
    }
    var dimension: Int { model.stateCount }
    var isDifferential: [Bool] { model.isDifferential }
    var jacobianStructure: JacobianStructure { .dense }
    func residual(_ t: Double, _ y: UnsafeBufferPointer<Double>, into f: UnsafeMutableBufferPointer<Double>) {
      model.evaluate(y, OperatingPoint(current: current, ambientTemperature: 298.15), into: f)
    }
  }

  @Test("lithium in particles + electrolyte is conserved to 1e-9 (2C discharge, rest, 1C charge)")
  func conservesLithium() throws {
    let model = try #require(try LoadedCell(contentsOf: Self.blended).makeModel("spme") as? BlendedSingleParticleModelWithElectrolyte)
    let system = FixedCurrent(model, current: 25)
    let integrator = BDFIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: model.absoluteTolerances))
    func lithium() -> (particles: Double, electrolyte: Double) {
      (model.particleLithium(integrator.state), model.electrolyteLithium(integrator.state))
    }
    var state = try model.initialState(.stateOfCharge(1), ambientTemperature: 298.15)
    var time = 0.0
    var start: (particles: Double, electrolyte: Double)?
    var worst = 0.0
    var minimum = Double.infinity
    for (current, until) in [(25.0, 1200.0), (0, 2000), (-12.5, 3000)] {
      // A new current: the algebraic unknowns (Δφ̄, ⟨j_i⟩) are made consistent again.
      system.current = current
      try integrator.reset(time: time, state: state)
      if start == nil { start = lithium() }
      let total = start!.particles + start!.electrolyte
      integrator.setStopTime(until)
      var outcome = StepOutcome.advanced
      while outcome == .advanced {
        outcome = integrator.step()
        let now = lithium()
        worst = max(worst, abs(now.particles + now.electrolyte - total) / total)
        let electrolyte = integrator.state[(model.stateCount - model.electrolyte.cellCount)...]
        minimum = min(minimum, model.electrolyte.minimum(UnsafeBufferPointer(rebasing: electrolyte)))
      }
      #expect(outcome == .reachedStopTime, "stopped at \(integrator.t) s: \(outcome)")
      time = integrator.t
      state = Array(integrator.state)
    }
    print("blended SPMe conservation over 3000 s: total lithium drift \(worst) (lowest c_e \(minimum) mol/m^3)")
    #expect(worst <= 1e-9)
    #expect(minimum < 950)  // the electrolyte did move
  }

  @Test("the lumped thermal model is refused for a blended cell with a clear message (spm and spme)")
  func lumpedRefused() throws {
    let loaded = try LoadedCell(contentsOf: Self.blended)
    for name in ["spm", "spme"] {
      #expect {
        _ = try loaded.makeModel(name, thermal: .lumped)
      } throws: { error in
        let message = "\(error)"
        return message.contains("blended electrode") && message.contains("isothermal only")
          && message.contains("--thermal lumped") && message.contains(name == "spm" ? "SPM " : "SPMe")
      }
    }
  }
}
