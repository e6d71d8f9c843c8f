// CellSim — SolidState/SolidStateModel.swift
//
// Single-particle model of an all-solid-state cell (SSB-SPM, ../shared/reference/ssb/model.md §2):
// Li metal | single-ion solid-electrolyte separator | composite cathode. Isothermal at the ambient T.
//
// Cathode particle (see `ParticleDiffusion`: eigenmodes, `ModalParticle`, when D does not depend on
// x — every shipped cell; finite volumes, `SphericalParticle`, otherwise):
//
//     ∂c/∂t = (1/r²) ∂/∂r (r² D(x, T) ∂c/∂r),   D ∂c/∂r |_R = J = i/(F S),   i = I/A,  S = a L_cat
//
// Li metal, tracked as a state (thickness L_Li [m]):  dL_Li/dt = −i V̄_Li / F
//
// so Li in the metal, L_Li/V̄_Li, plus Li in the cathode, ε_AM L_cat c̄, is conserved per area.
// Terminal voltage (U_Li = 0, symmetric Butler–Volmer, α = 0.5):
//
//     V = U_p(x_s, T) − η_p − η_Li − i R_Ω(T)
//     η_p  = (2RT/F) asinh( i / (2 S j0_p(x_s, T)) ),   η_Li = (2RT/F) asinh( i / (2 j0_Li(T)) )
//     R_Ω  = L_sep/σ_sep(T) + (L_cat/3)(1/σ_eff(T) + 1/σ_el,eff) + ASR_Li + ASR_cat,  σ_eff = σ_SE ε_SE/τ
//
// Model events (positive while a step may go on): x_s,max − x_s, x_s − x_s,min, and, on discharge, the
// Li-metal thickness (exhausted foil).
//
// State: the particle's states, then L_Li [m]; all differential. With finite volumes: c_0…c_{N−1}
// (cells, centre to surface) [mol m⁻³], a tridiagonal Jacobian. With eigenmodes: c̄, v_1…v_M, V_1…V_B
// [mol m⁻³] (`ModalParticle`), a dense (small) Jacobian; every state then obeys, at constant current I
// and ambient T, dy_i/dt = −decay_i·y_i + gain_i·I exactly (L_Li: decay 0, gain −V̄_Li/(A F)), so the
// engine solves constant-current steps in closed form (`linearDynamics`) and locates the events on that
// solution.

import CellCore
import CellParameters
import Foundation

/// The SSB single-particle model.
public struct SolidStateModel: CellModel {
  public let parameters: SolidStateParameters
  /// The cathode particle: eigenmodes or finite volumes.
  public let particle: ParticleDiffusion

  /// States of the particle (L_Li follows them).
  let n: Int
  let area: Double
  let cMax: Double
  let roughness: Double
  /// N_R / I: surface flux out of the particle per ampere [mol m⁻² s⁻¹ A⁻¹] (negative: discharge inserts).
  let fluxPerCurrent: Double
  /// dL_Li/dt per ampere [m s⁻¹ A⁻¹].
  let metalRatePerCurrent: Double
  let constantDiffusivity: Double?
  let x100: Double
  let x0: Double
  let xMin: Double
  let xMax: Double
  let eventNameList: [String]

  public var name: String { "SSB-SPM" }
  public var stateCount: Int { n + 1 }
  public var isDifferential: [Bool] { Array(repeating: true, count: n + 1) }
  /// Tridiagonal with finite volumes; dense with eigenmodes (the voltage depends on every mode).
  public var jacobianBandwidth: (lower: Int, upper: Int)? { particle.isModal ? nil : (1, 1) }
  public var nominalCapacity: Double { parameters.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { parameters.cell.lowerCutoff...parameters.cell.upperCutoff }
  public var defaultAmbientTemperature: Double { parameters.cell.ambientTemperature }
  public var absoluteTolerances: [Double] { Array(repeating: 1e-6 * cMax, count: n) + [1e-12] }

  /// - Parameters:
  ///   - cellsPerParticle: finite volumes in the particle when D depends on x; 40 graded 0.9 keeps the
  ///     1C reference within 0.1 mV after the first second (docs/models/solid-state.md).
  ///   - grading: mesh grading of `SphericalParticle`.
  ///   - particleModes: eigenmodes (plus 9 bins of faster modes, see `ModalParticle`) when D does not
  ///     depend on x; `nil` always uses finite volumes. The default 24 keeps the 1C reference within
  ///     0.004 mV from the first second on (16 modes: 0.046 mV at t = 1 s, from the first bin's single
  ///     rate; both below 1e-6 mV after 10 s).
  public init(
    parameters: SolidStateParameters, cellsPerParticle: Int = 40, grading: Double = 0.9,
    particleModes: Int? = Self.defaultModeCount
  ) throws(CellModelError) {
    let p = parameters.positive
    let values = [
      parameters.cell.area, p.thickness, p.particleRadius, p.activeMaterialVolumeFraction, p.maxConcentration,
      parameters.negative.molarVolume,
    ]
    // The only throw comes first, before any stored property is set.
    guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw CellModelError("solid-state parameters are not valid (load them with SolidStateParameters.load)")
    }
    let modes = particleModes ?? 0
    let diffusion: ParticleDiffusion = modes > 0 && !p.diffusivity.depends(on: "x")
      ? .modes(ModalParticle(radius: p.particleRadius, modeCount: modes))
      : .finiteVolumes(SphericalParticle(radius: p.particleRadius, cellCount: max(cellsPerParticle, 3), grading: grading))
    self.parameters = parameters
    particle = diffusion
    n = diffusion.stateCount
    area = parameters.cell.area
    cMax = p.maxConcentration
    roughness = p.roughness
    fluxPerCurrent = -1 / (area * roughness * PhysicalConstants.faraday)
    metalRatePerCurrent = -parameters.negative.molarVolume / (area * PhysicalConstants.faraday)
    constantDiffusivity = p.diffusivity.constantValue
    x100 = p.stoichiometryAtSOC1
    x0 = p.stoichiometryAtSOC0
    xMin = p.surfaceStoichiometryMin
    xMax = p.surfaceStoichiometryMax
    eventNameList = [
      "cathode stoichiometry window: surface stoichiometry reached x_s,max = \(xMax)",
      "cathode stoichiometry window: surface stoichiometry reached x_s,min = \(xMin)",
      "lithium metal exhausted",
    ]
  }

  // MARK: - Initial state

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    let x: Double
    switch condition {
    case .stateOfCharge(let s):
      guard s.isFinite, s >= 0, s <= 1 else { throw CellModelError("state of charge \(s) is outside [0, 1]") }
      x = x0 - s * (x0 - x100)
    case .openCircuitVoltage(let v):
      let t = ambientTemperature
      let uFull = ocp(x100, t)
      let uEmpty = ocp(x0, t)
      guard v.isFinite, v <= max(uFull, uEmpty), v >= min(uFull, uEmpty) else {
        throw CellModelError(
          "open-circuit voltage \(v) V is outside the cell's range [\(min(uFull, uEmpty)), \(max(uFull, uEmpty))] V")
      }
      // Bisection on U_p(x) = V over [x_100, x_0] (U_p decreasing).
      var lo = x100
      var hi = x0
      let rising = uEmpty > uFull
      for _ in 0..<200 {
        let mid = 0.5 * (lo + hi)
        if (ocp(mid, t) > v) != rising { lo = mid } else { hi = mid }
        if hi - lo < 1e-15 { break }
      }
      x = 0.5 * (lo + hi)
    }
    return particle.uniformState(x * cMax) + [parameters.lithiumMetalThickness(atStoichiometry: x)]
  }

  // MARK: - Equations

  @inline(__always) func cathode(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[0..<n])
  }

  @inline(__always) func clipped(_ x: Double) -> Double { min(max(x, 1e-10), 1 - 1e-10) }

  @inline(__always) func ocp(_ x: Double, _ t: Double) -> Double { parameters.positive.ocp(clipped(x), t) }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let current = point.current
    let t = point.ambientTemperature
    let c = cathode(y)
    let rates = UnsafeMutableBufferPointer(rebasing: out[0..<n])
    let flux = current * fluxPerCurrent
    if constantDiffusivity == nil, case .finiteVolumes(let cells) = particle {
      let f = parameters.positive.diffusivity
      withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { d in
        for i in 0..<n { d[i] = f(clipped(c[i] / cMax), t) }
        cells.rates(c, cellDiffusivities: UnsafeBufferPointer(d), surfaceFlux: flux, into: rates)
      }
    } else {
      // Constant D, or eigenmodes (D independent of x: evaluate it anywhere).
      particle.rates(c, diffusivity: diffusivity(c, t), surfaceFlux: flux, into: rates)
    }
    out[n] = current * metalRatePerCurrent
  }

  /// D at the surface [m² s⁻¹]: the constant, else D(x, T) at the surface cell (finite volumes) or at
  /// c̄ (eigenmodes, where D does not depend on x).
  @inline(__always) func diffusivity(_ c: UnsafeBufferPointer<Double>, _ t: Double) -> Double {
    constantDiffusivity ?? parameters.positive.diffusivity(clipped(c[particle.surfaceSlot] / cMax), t)
  }

  /// Surface stoichiometry x_s at current I.
  @inline(__always) func surfaceStoichiometry(_ y: UnsafeBufferPointer<Double>, _ current: Double, _ t: Double) -> Double {
    let c = cathode(y)
    return particle.surfaceConcentration(c, surfaceGradient: -current * fluxPerCurrent / diffusivity(c, t)) / cMax
  }

  /// Eigenmodes in the particle by default (see `init`; the SPM's 16 leave 0.046 mV at t = 1 s here).
  public static let defaultModeCount = 24

  /// The voltage and its parts: OCP at the surface, overpotentials, ohmic drop [V].
  func voltageParts(_ y: UnsafeBufferPointer<Double>, current: Double, temperature t: Double) -> (
    xs: Double, ocp: Double, etaCathode: Double, etaAnode: Double, ohmic: Double
  ) {
    let xs = surfaceStoichiometry(y, current, t)
    let i = current / area
    let thermal = 2 * PhysicalConstants.gas * t / PhysicalConstants.faraday
    let j0p = parameters.positive.exchangeCurrentDensity(clipped(xs), t)
    let j0Li = parameters.negative.exchangeCurrentDensity(t)
    let etaP = thermal * asinh(i / (2 * roughness * j0p))
    let etaLi = thermal * asinh(i / (2 * j0Li))
    return (xs, ocp(xs, t), etaP, etaLi, i * parameters.ohmicResistance(t))
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    let p = voltageParts(y, current: point.current, temperature: point.ambientTemperature)
    return p.ocp - p.etaCathode - p.etaAnode - p.ohmic
  }

  /// Volume-averaged cathode stoichiometry x̄.
  public func averageStoichiometry(_ y: UnsafeBufferPointer<Double>) -> Double {
    particle.averageConcentration(cathode(y)) / cMax
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    (x0 - averageStoichiometry(y)) / (x0 - x100)
  }

  // MARK: - Lithium inventory

  /// Lithium in the metal electrode, L_Li·A/V̄_Li [mol].
  public func lithiumInMetal(_ y: UnsafeBufferPointer<Double>) -> Double {
    y[n] * area / parameters.negative.molarVolume
  }

  /// Lithium in the cathode, ε_AM L_cat A c̄ [mol].
  public func lithiumInCathode(_ y: UnsafeBufferPointer<Double>) -> Double {
    parameters.positive.activeMaterialVolumeFraction * parameters.positive.thickness * area
      * particle.averageConcentration(cathode(y))
  }

  // MARK: - Outputs

  public var outputColumns: [String] {
    [
      "sto_p_surf", "sto_p_avg", "ocp_p_surf_V", "eta_cathode_V", "eta_anode_V", "ohmic_V", "ohmic_se_V",
      "li_metal_thickness_m", "li_metal_mol", "li_cathode_mol",
    ]
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let t = point.ambientTemperature
    let p = voltageParts(y, current: point.current, temperature: t)
    let r = parameters.resistances(t)
    out[0] = p.xs
    out[1] = averageStoichiometry(y)
    out[2] = p.ocp
    out[3] = p.etaCathode
    out[4] = p.etaAnode
    out[5] = p.ohmic
    out[6] = point.current / area * (r.separator + r.compositeIonic)
    out[7] = y[n]
    out[8] = lithiumInMetal(y)
    out[9] = lithiumInCathode(y)
  }

  // MARK: - Events

  public var eventNames: [String] { eventNameList }

  public func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let xs = surfaceStoichiometry(y, point.current, point.ambientTemperature)
    out[0] = xMax - xs
    out[1] = xs - xMin
    // Only a discharge strips lithium; in µm so the event tolerance is meaningful.
    out[2] = point.current > 0 ? y[n] * 1e6 : 1
  }
}

// MARK: - Closed-form dynamics

extension SolidStateModel {
  /// With an eigenmode particle every state is linear in itself and the current: the particle's
  /// decay_i and gain_i = forcing_i·(N_R per ampere) of `ModalParticle.flow`, and L_Li with decay 0 and
  /// gain dL_Li/dt per ampere. Finite volumes: `false` (the BDF integrates them).
  public func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard particle.isModal else { return false }
    // D does not depend on x here: evaluate it at any stoichiometry.
    let d = constantDiffusivity ?? parameters.positive.diffusivity(0.5, ambientTemperature)
    _ = particle.flow(
      diffusivity: d, decay: UnsafeMutableBufferPointer(rebasing: decay[0..<n]),
      forcingPerFlux: UnsafeMutableBufferPointer(rebasing: gain[0..<n]))
    for i in 0..<n { gain[i] *= fluxPerCurrent }
    decay[n] = 0
    gain[n] = metalRatePerCurrent
    return true
  }
}

// MARK: - Spatial profiles

extension SolidStateModel: SpatialProfiles {
  /// c_s [mol m⁻³] along the cathode particle's radius, centre to surface (cell centres with finite
  /// volumes).
  public var profileLayout: [ProfileSegment] {
    [
      ProfileSegment(
        variable: "c_s_mol_m3", domain: "positive_particle", coordinate: .r, positions: particle.profilePositions)
    ]
  }

  public func profileValues(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let c = cathode(y)
    let gradient = -point.current * fluxPerCurrent / diffusivity(c, point.ambientTemperature)
    particle.profile(c, surfaceGradient: gradient, into: out)
  }
}
