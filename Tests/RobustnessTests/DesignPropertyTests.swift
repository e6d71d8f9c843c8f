// CellSim — RobustnessTests/DesignPropertyTests.swift
//
// Random valid designs within physical ranges, for every chemistry: each gives a clean CellFileError
// / CellModelError, or a finite curve (complete, or ending on a typed reason) that conserves lithium
// (lithium-ion: particle inventory; solid-state: metal + cathode; lithium-sulfur: total sulfur).
//
// CI runs `ciCases` designs per chemistry (debug build); CELLSIM_FUZZ_CASES=10000 runs the long loop
// (see docs/robustness.md), CELLSIM_FUZZ_SEED another sequence.

import CellSim
import Foundation
import Testing

/// Tally of how random designs ended.
struct DesignTally: CustomStringConvertible {
  var rejected = 0
  var modelErrors = 0
  var completed = 0
  var cannotStart = 0
  var solverFailures = 0
  var worstDrift = 0.0
  var total: Int { rejected + modelErrors + completed + cannotStart + solverFailures }
  var description: String {
    "\(total) designs: \(completed) completed, \(cannotStart) could not start, \(solverFailures) solver failures, \(rejected) rejected by the reader, \(modelErrors) model errors; worst relative drift \(worstDrift)"
  }
}

@Suite("random valid designs")
struct DesignPropertyTests {
  static let ciCases = 30
  /// Largest relative change of the conserved quantity over a run.
  static let driftTolerance = 1e-6

  @Test("lithium-ion: thickness, porosity, particle radius, C-rate; SPM and SPMe")
  func lithiumIon() throws {
    var rng = SeededGenerator(seed: fuzzSeed(11))
    var tally = DesignTally()
    let bases = try ShippedCell.all.filter { $0.chemistry == "lithium-ion" }.map { ($0.name, try $0.json()) }
    let start = Date()
    for k in 0..<fuzzCases(ci: Self.ciCases) {
      let (name, base) = bases[k % bases.count]
      var json = base.replacing(["stack"], with: nil)
      var changes: [String] = []
      func set(_ path: String, _ value: Double) {
        json = json.setting(path, to: .number(value)) ?? json
        changes.append("\(path)=\(value)")
      }
      for electrode in ["negative", "positive"] {
        set("\(electrode).thickness_m", rng.logUniform(20e-6, 150e-6))
        let porosity = Double.random(in: 0.15...0.5, using: &rng)
        set("\(electrode).porosity", porosity)
        if case .number(let active, _)? = json.value(at: [electrode, "active_material_volume_fraction"]),
          active + porosity > 0.98
        {
          set("\(electrode).active_material_volume_fraction", 0.98 - porosity)
        }
        set("\(electrode).particle_radius_m", rng.logUniform(1e-6, 20e-6))
      }
      let rate = rng.logUniform(0.05, 5)
      let model = k % 2 == 0 ? "spm" : "spme"
      let context = "\(name) #\(k) \(model) \(rate)C \(changes.joined(separator: " "))"
      let p: LithiumIonParameters
      do { p = try LithiumIonParameters.load(json: json, fileName: "\(name)-design-\(k).json") } catch {
        tally.rejected += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let built: any CellModel
      do {
        built = model == "spm" ? try SingleParticleModel(parameters: p) : try SingleParticleModelWithElectrolyte(parameters: p)
      } catch {
        tally.modelErrors += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let proto = try CellProtocol(parsing: "Discharge at \(rate)C until \(p.cell.lowerCutoff) V; Rest for 10 minutes")
      guard let result = run(built, proto, context, &tally) else { continue }
      // Lithium in the particles: ε_s·L·A·c_max·x̄ of both electrodes.
      let x = result.column("sto_n_avg") ?? []
      let y = result.column("sto_p_avg") ?? []
      let area = p.cell.area
      let n = p.negative.activeMaterialVolumeFraction * p.negative.thickness * area * p.negative.maxConcentration
      let q = p.positive.activeMaterialVolumeFraction * p.positive.thickness * area * p.positive.maxConcentration
      let inventory = zip(x, y).map { n * $0 + q * $1 }
      check(inventory, context, &tally)
    }
    print("lithium-ion \(tally) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
  }

  @Test("solid-state: cathode thickness, catholyte fraction, particle radius, separator, C-rate")
  func solidState() throws {
    var rng = SeededGenerator(seed: fuzzSeed(12))
    var tally = DesignTally()
    let bases = try ShippedCell.all.filter { $0.chemistry == "solid-state" }.map { ($0.name, try $0.json()) }
    let start = Date()
    for k in 0..<fuzzCases(ci: Self.ciCases) {
      let (name, base) = bases[k % bases.count]
      var json = base.replacing(["stack"], with: nil)
      var changes: [String] = []
      func set(_ path: String, _ value: Double) {
        json = json.setting(path, to: .number(value)) ?? json
        changes.append("\(path)=\(value)")
      }
      set("positive.thickness_m", rng.logUniform(30e-6, 150e-6))
      let catholyte = Double.random(in: 0.2...0.45, using: &rng)
      set("positive.electrolyte_volume_fraction", catholyte)
      if case .number(let additive, _)? = json.value(at: ["positive", "conductive_additive_volume_fraction"]),
        case .number(let active, _)? = json.value(at: ["positive", "active_material_volume_fraction"]),
        active + catholyte + additive > 0.98
      {
        set("positive.active_material_volume_fraction", 0.98 - catholyte - additive)
      }
      set("positive.particle_radius_m", rng.logUniform(0.5e-6, 10e-6))
      set("separator.thickness_m", rng.logUniform(10e-6, 100e-6))
      let rate = rng.logUniform(0.05, 5)
      let context = "\(name) #\(k) \(rate)C \(changes.joined(separator: " "))"
      let p: SolidStateParameters
      do { p = try SolidStateParameters.load(json: json, fileName: "\(name)-design-\(k).json") } catch {
        tally.rejected += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let built: SolidStateModel
      do { built = try SolidStateModel(parameters: p) } catch {
        tally.modelErrors += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let proto = try CellProtocol(parsing: "Discharge at \(rate)C until \(p.cell.lowerCutoff) V; Rest for 10 minutes")
      guard let result = run(built, proto, context, &tally) else { continue }
      let metal = result.column("li_metal_mol") ?? []
      let cathode = result.column("li_cathode_mol") ?? []
      check(zip(metal, cathode).map { $0 + $1 }, context, &tally)
    }
    print("solid-state \(tally) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
  }

  @Test("lithium-sulfur: electrolyte volume, reaction area, sulfur loading, C-rate")
  func lithiumSulfur() throws {
    var rng = SeededGenerator(seed: fuzzSeed(13))
    var tally = DesignTally()
    let base = try ShippedCell.marinescu2016.json().replacing(["stack"], with: nil)
    let start = Date()
    for k in 0..<fuzzCases(ci: Self.ciCases) {
      var json = base
      var changes: [String] = []
      func set(_ path: String, _ value: Double) {
        json = json.setting(path, to: .number(value)) ?? json
        changes.append("\(path)=\(value)")
      }
      set("electrolyte.volume_m3", rng.logUniform(5e-6, 2e-5))
      set("reactions.reaction_area_m2", rng.logUniform(0.5, 2))
      let loading = Double.random(in: 0.5...1.5, using: &rng)
      for species in ["S8_g", "S4_g", "S2_g", "S_g", "Sp_g"] {
        if case .number(let mass, _)? = json.value(at: ["initial_state", species]) {
          set("initial_state.\(species)", mass * loading)
        }
      }
      let rate = rng.logUniform(0.05, 5)
      let context = "Marinescu2016 #\(k) \(rate)C \(changes.joined(separator: " "))"
      let p: LithiumSulfurParameters
      do { p = try LithiumSulfurParameters.load(json: json, fileName: "lis-design-\(k).json") } catch {
        tally.rejected += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let built: LithiumSulfurModel
      do { built = try LithiumSulfurModel(parameters: p) } catch {
        tally.modelErrors += 1
        expectCleanMessage(error.description, context)
        continue
      }
      let proto = try CellProtocol(parsing: "Discharge at \(rate)C until \(p.cell.lowerCutoff) V; Rest for 10 minutes")
      guard let result = run(built, proto, context, &tally) else { continue }
      let species = ["S8_g", "S4_g", "S2_g", "S_g", "Sp_g"].map { result.column($0) ?? [] }
      let total = (0..<(species.first?.count ?? 0)).map { r in species.reduce(0) { $0 + $1[r] } }
      check(total, context, &tally)
    }
    print("lithium-sulfur \(tally) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
  }

  /// Runs one design; counts how it ended; the curve must be finite whatever the status.
  func run(_ model: any CellModel, _ proto: CellProtocol, _ context: String, _ tally: inout DesignTally) -> SimulationResult? {
    let result: SimulationResult
    do { result = try simulate(model, protocol: proto, options: SimulationOptions(outputInterval: 120)) } catch {
      tally.modelErrors += 1
      expectCleanMessage(error.description, context)
      return nil
    }
    expectFinite(result, context)
    switch result.status {
    case .completed: tally.completed += 1
    case .stepCannotStart: tally.cannotStart += 1
    case .solverFailure(_, let failure):
      tally.solverFailures += 1
      #expect(failure.time.isFinite, "\(context): \(failure)")
    }
    #expect(result.rowCount > 0 || !result.status.isSuccess, "\(context): no rows")
    return result
  }

  /// The conserved quantity stays within `driftTolerance` of its start.
  func check(_ series: [Double], _ context: String, _ tally: inout DesignTally) {
    guard let first = series.first, first != 0 else { return }
    let drift = series.map { abs($0 - first) / abs(first) }.max() ?? 0
    tally.worstDrift = max(tally.worstDrift, drift)
    #expect(drift <= Self.driftTolerance, "\(context): relative drift \(drift)")
  }
}
