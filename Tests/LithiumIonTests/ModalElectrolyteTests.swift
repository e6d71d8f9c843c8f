// CellSim — LithiumIonTests/ModalElectrolyteTests.swift
//
// The SPMe's modal electrolyte: its modes against their definition (checked by an independent fine
// quadrature), its steady state against the closed-form profile of the linear problem, and the
// SPMe's curve with it against the same model on a fine finite-volume mesh.

import CellCore
import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SPMe modal electrolyte")
struct ModalElectrolyteTests {
  static let chen = repositoryRoot().appendingPathComponent("CellParams/lithium-ion/Chen2020.json")

  /// ε, K₀ = ε^b·D_e(c_e0, T₀) and the thickness of the three regions, from the parameters.
  static func regions(_ p: LithiumIonParameters) -> [(porosity: Double, stiffness: Double, length: Double)] {
    let d0 = p.electrolyte.diffusivity(p.electrolyte.initialConcentration, p.cell.ambientTemperature)
    return [
      (p.negative.porosity, pow(p.negative.porosity, p.negative.bruggemanElectrolyte) * d0, p.negative.thickness),
      (p.separator.porosity, pow(p.separator.porosity, p.separator.bruggemanElectrolyte) * d0, p.separator.thickness),
      (p.positive.porosity, pow(p.positive.porosity, p.positive.bruggemanElectrolyte) * d0, p.positive.thickness),
    ]
  }

  @Test("the modes are the ε-orthonormal eigenfunctions: ∫εφ_jφ_k = δ_jk, ∫K₀φ_j′φ_k′ = λ_k δ_jk, no flux at the ends")
  func modesAreOrthonormalEigenfunctions() throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    let modal = try #require(ModalElectrolyte(parameters: p, modes: 8))
    let regions = Self.regions(p)
    // Midpoint rule with 20 000 points per region (error ~1e-9 for these smooth integrands).
    let m = modal.modeCount
    var mass = [Double](repeating: 0, count: m * m)
    var stiffness = mass
    var start = 0.0
    for region in regions {
      let count = 20_000
      let h = region.length / Double(count)
      for i in 0..<count {
        let (phi, slope) = modal.modeValues(at: start + (Double(i) + 0.5) * h)
        for j in 0..<m {
          for k in 0..<m {
            mass[j * m + k] += h * region.porosity * phi[j] * phi[k]
            stiffness[j * m + k] += h * region.stiffness * slope[j] * slope[k]
          }
        }
      }
      start += region.length
    }
    for j in 0..<m {
      #expect(modal.decayRates[j] > 0 && (j == 0 || modal.decayRates[j] > modal.decayRates[j - 1]))
      for k in 0..<m {
        let delta = j == k ? 1.0 : 0.0
        #expect(abs(mass[j * m + k] - delta) < 1e-6, "∫εφ_\(j)φ_\(k) = \(mass[j * m + k])")
        #expect(
          abs(stiffness[j * m + k] - delta * modal.decayRates[k]) < 1e-6 * modal.decayRates[m - 1],
          "∫K₀φ′_\(j)φ′_\(k) = \(stiffness[j * m + k]), λ_\(k) = \(modal.decayRates[k])")
      }
    }
    // No flux at the collectors; φ and K₀φ′ continuous at the two interfaces.
    let length = regions.reduce(0) { $0 + $1.length }
    let typicalSlope = modal.modeValues(at: 0.3 * length).slopes.map(abs).max() ?? 1
    for x in [0, length] {
      for slope in modal.modeValues(at: x).slopes { #expect(abs(slope) < 1e-9 * typicalSlope) }
    }
    for (r, x) in [(0, regions[0].length), (1, regions[0].length + regions[1].length)] {
      let left = modal.modeValues(at: x.nextDown.nextDown)
      let right = modal.modeValues(at: x.nextUp.nextUp)
      for k in 0..<m {
        #expect(abs(left.values[k] - right.values[k]) < 1e-9 * abs(left.values[k]).magnitude + 1e-6)
        let fluxLeft = regions[r].stiffness * left.slopes[k]
        let fluxRight = regions[r + 1].stiffness * right.slopes[k]
        #expect(abs(fluxLeft - fluxRight) <= 1e-9 * regions[r].stiffness * typicalSlope)
      }
    }
  }

  @Test("linear limit (constant D_e): the steady state is the closed-form piecewise-quadratic profile")
  func steadyStateOfTheLinearProblem() throws {
    var p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.electrolyte.diffusivity = try FunctionSpec.expression("2e-10").compile(variables: ["ce", "T"])
    let modal = try #require(ModalElectrolyte(parameters: p, modes: 8))
    let m = modal.modeCount
    let i = 30.0  // A/m², ~1.2C for Chen2020
    // With D_e constant the rates are −λ_k a_k + s_k·i: the steady amplitudes are rates(0)/λ_k.
    var rates = [Double](repeating: 0, count: m)
    let zero = [Double](repeating: 0, count: m)
    zero.withUnsafeBufferPointer { a in
      rates.withUnsafeMutableBufferPointer { modal.rates(a, currentDensity: i, temperature: 298.15, into: $0) }
    }
    let amplitudes = (0..<m).map { rates[$0] / modal.decayRates[$0] }
    // The closed form: K c′ = −i ∫₀ˣ S, S = (1 − t₊)/(F L_n) in the negative electrode, −(1 − t₊)/(F L_p) in
    // the positive one, 0 between; its constant fixed by ∫ ε c dx = c_e0 ∫ ε dx.
    let regions = Self.regions(p)
    let tPlus = p.electrolyte.transferenceNumber
    let faraday = 96485.33212
    let sn = (1 - tPlus) / (faraday * regions[0].length)
    let sp = -(1 - tPlus) / (faraday * regions[2].length)
    let (ln, ls) = (regions[0].length, regions[1].length)
    func shape(_ x: Double) -> Double {  // c(x) − c(0)
      if x <= ln { return -i * sn * x * x / (2 * regions[0].stiffness) }
      let atSeparator = -i * sn * ln * ln / (2 * regions[0].stiffness)
      if x <= ln + ls { return atSeparator - i * sn * ln * (x - ln) / regions[1].stiffness }
      let atPositive = atSeparator - i * sn * ln * ls / regions[1].stiffness
      let xi = x - ln - ls
      return atPositive - i * (sn * ln * xi + sp * xi * xi / 2) / regions[2].stiffness
    }
    var weighted = 0.0
    var porous = 0.0
    var start = 0.0
    for region in regions {
      let count = 20_000
      let h = region.length / Double(count)
      for k in 0..<count {
        weighted += h * region.porosity * shape(start + (Double(k) + 0.5) * h)
        porous += h * region.porosity
      }
      start += region.length
    }
    let ce0 = p.electrolyte.initialConcentration
    let offset = ce0 - weighted / porous
    let positions = (0...200).map { Double($0) / 200 * start }
    let table = modal.table(at: positions)
    var sampled = [Double](repeating: 0, count: positions.count)
    amplitudes.withUnsafeBufferPointer { a in
      sampled.withUnsafeMutableBufferPointer { modal.sample(a, table: table, into: $0) }
    }
    let exact = positions.map { offset + shape($0) }
    let range = (exact.max() ?? 0) - (exact.min() ?? 0)
    let worst = zip(sampled, exact).map { abs($0 - $1) }.max() ?? .infinity
    print("modal steady state, 8 modes: max |c − c_exact| \(worst) mol/m^3 over a profile range of \(range) mol/m^3")
    #expect(range > 100)  // a real profile
    #expect(worst < 0.01 * range)
    // Lithium: ∫ ε c dx of the modal profile is c_e0·Σ ε L (each mode has zero ε-weighted mean).
    let amount = amplitudes.withUnsafeBufferPointer { modal.amount($0) }
    #expect(abs(amount - ce0 * modal.porousLength) <= 1e-12 * ce0 * modal.porousLength)
  }

  @Test("parameters that are not finite give no modal electrolyte (nil), not an endless root scan")
  func badParameters() throws {
    var p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.separator.thickness = .nan
    #expect(ModalElectrolyte(parameters: p, modes: 8) == nil)
    p = try LithiumIonParameters.load(contentsOf: Self.chen)
    p.negative.porosity = .infinity
    #expect(ModalElectrolyte(parameters: p, modes: 8) == nil)
  }

  @Test("the analytic Jacobian of the modal rates matches central differences of the rates")
  func jacobianMatchesDifferences() throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)  // D_e(c_e) nonlinear (Chen2020)
    let modal = try #require(ModalElectrolyte(parameters: p, modes: 8))
    let m = modal.modeCount
    // A state far from c_e0: the linear steady state at 2C (c_e from ~380 to ~1600 mol/m³).
    let i = 50.0
    var rates = [Double](repeating: 0, count: m)
    let zero = [Double](repeating: 0, count: m)
    zero.withUnsafeBufferPointer { a in
      rates.withUnsafeMutableBufferPointer { modal.rates(a, currentDensity: i, temperature: 298.15, into: $0) }
    }
    var state = [Double](repeating: 0, count: m)
    for k in 0..<m {
      let steady: Double = rates[k] / modal.decayRates[k]
      state[k] = steady * (1 + 0.1 * Double(k))
    }
    var jacobian = [Double](repeating: 0, count: m * m)
    state.withUnsafeBufferPointer { a in
      jacobian.withUnsafeMutableBufferPointer {
        modal.jacobian(a, currentDensity: i, temperature: 298.15, into: $0, leadingDimension: m)
      }
    }
    func f(_ a: [Double]) -> [Double] {
      var out = [Double](repeating: 0, count: m)
      a.withUnsafeBufferPointer { a in
        out.withUnsafeMutableBufferPointer { modal.rates(a, currentDensity: i, temperature: 298.15, into: $0) }
      }
      return out
    }
    let largest = jacobian.map(abs).max() ?? 1
    var worst = 0.0
    for j in 0..<m {
      let h = 1e-4 * max(abs(state[j]), 1)
      var plus = state
      var minus = state
      plus[j] += h
      minus[j] -= h
      let (fp, fm) = (f(plus), f(minus))
      for k in 0..<m { worst = max(worst, abs((fp[k] - fm[k]) / (2 * h) - jacobian[k + j * m])) }
    }
    print("modal Jacobian against central differences: max |Δ| \(worst), largest entry \(largest)")
    #expect(worst <= 1e-6 * largest)
  }

  @Test("the SPMe's curve with modes follows the same model on a fine finite-volume mesh (2C, 3C)", arguments: [2.0, 3.0])
  func followsFineFiniteVolumes(_ cRate: Double) throws {
    let p = try LithiumIonParameters.load(contentsOf: Self.chen)
    let modal = try SingleParticleModelWithElectrolyte(parameters: p)
    #expect(modal.modal?.modeCount == SingleParticleModelWithElectrolyte.defaultElectrolyteModes)
    let fine = try SingleParticleModelWithElectrolyte(
      parameters: p, electrolyteCells: (100, 30, 100), electrolyteModes: nil)
    let coarse = try SingleParticleModelWithElectrolyte(parameters: p, electrolyteModes: nil)
    let text = try CellProtocol(parsing: "Discharge at \(cRate)C until 2.5 V")
    let options = SimulationOptions(outputInterval: 1, outputVoltageStep: 0)
    let a = try ProtocolEngine.run(model: fine, protocol: text, options: options)
    let b = try ProtocolEngine.run(model: modal, protocol: text, options: options)
    let c = try ProtocolEngine.run(model: coarse, protocol: text, options: options)
    let ta = try #require(a.column("time_s"))
    let va = try #require(a.column("voltage_V"))
    func difference(_ r: SimulationResult) throws -> Double {
      maximumDifference(
        times: try #require(r.column("time_s")), values: try #require(r.column("voltage_V")), referenceTimes: ta,
        referenceValues: va, from: 1, to: 0.95 * (ta.last ?? 0))
    }
    let (dModal, dCoarse) = (try difference(b), try difference(c))
    print(
      "SPMe \(cRate)C against 100/30/100 cells: modes max|ΔV| \(dModal * 1e3) mV, 32/4/32 cells \(dCoarse * 1e3) mV; "
        + "ends \(ta.last ?? 0) / \(b.column("time_s")?.last ?? 0) / \(c.column("time_s")?.last ?? 0) s")
    #expect(dModal <= 2.5e-4)
    #expect(dModal < dCoarse)
    if cRate == 2 {  // (at 3C the run ends on electrolyte depletion: ~1 % later with modes, see the model)
      let (endA, endB) = (ta.last ?? 0, b.column("time_s")?.last ?? 0)
      #expect(abs(endB - endA) / endA < 1e-4)
    }
  }
}
