// CellSim — LithiumIon/SingleParticleModelWithElectrolyte.swift
//
// The single particle model with electrolyte (SPMe) of a lithium-ion cell, as PyBaMM builds it with
// default options (Marquis et al. 2019; Brosa Planella et al. 2021): the SPM's x-averaged particles plus
// electrolyte transport across the cell, and the composite (leading + first order) electrolyte and
// solid potentials in the voltage.
//
// Particles: exactly the SPM's (see `SingleParticleModel`): one particle per electrode, surface flux
// j_k/F with j_n = I/(A·a_n·L_n), j_p = −I/(A·a_p·L_p).
//
// Electrolyte: see `ElectrolyteTransport` (finite volumes in the three regions, Bruggeman D_e,eff).
//
// Voltage, with i = I/A [A m⁻²], ⟨·⟩_k the x-average over electrode k and c̄_e the lithium-weighted
// mean Σε·c_e/Σε of the electrolyte (conserved, so = c_e0: the leading-order concentration of the
// asymptotic SPMe; PyBaMM's reference curves show a constant ohmic term, consistent with this):
//
//     V = U_p(y_surf) − U_n(x_surf)                                    OCV at the particle surfaces
//       + ⟨η_p⟩_p − ⟨η_n⟩_n                                             reaction overpotentials
//       + χ·(RT/F)·(⟨ln c_e⟩_p − ⟨ln c_e⟩_n)                             electrolyte concentration
//       − i·(L_n/(3κ_n) + L_s/κ_s + L_p/(3κ_p))                          electrolyte ohmic
//       − i·(L_n/(3σ_n) + L_p/(3σ_p))                                    solid ohmic
//       − I·R_contact
//
//   η_k(x) = (2RT/F)·asinh(j_k / (2·j0_k(x_surf,k, c_e(x), T)))   (symmetric Butler–Volmer; j0 at the
//            local electrolyte concentration, as PyBaMM's SPMe does, then x-averaged)
//   χ = 2(1 − t₊)·(1 + d ln f/d ln c),   κ_k = ε_k^b_e,k·κ_e(c̄_e, T),   σ_k,eff = (1 − ε_k)^b_s,k·σ_k
//
// (PyBaMM's Bruggeman factor of the solid uses the solid fraction 1 − ε, not the active-material one.)
//
// State: the SPM's particle states (eigenmodes, (c̄, v_1…v_M) per particle, when the diffusivities do
// not depend on the stoichiometry and the cell is isothermal, else N finite volumes each; see
// `SingleParticleModel`), then c_e (M_n + M_s + M_p cells; in spatial order, or folded with
// `electrolyteOrdering: .folded`, see `foldedOrder`), all differential; with the lumped thermal model
// (`thermal: .lumped`, finite-volume particles) the cell temperature sits between c_n and c_p, as in
// the SPM: c_n (N), T, c_p (N), c_e (M). Heat: `LumpedThermal` (I·(U_surf − V) − I·T·∂U/∂T, which here
// includes the electrolyte's ohmic and concentration parts).
// Lithium: particles and electrolyte are each conserved by construction.

import CellCore
import Foundation

/// How the SPMe stores its electrolyte cells in the state vector.
public enum ElectrolyteOrdering: Sendable, Equatable {
  /// Cell k (from the negative current collector) in slot k.
  case spatial
  /// Folded about the separator's middle and interleaved (`foldedOrder`), for the engine's banded
  /// finite-difference Jacobian; falls back to `.spatial` unless M_n = M_p and M_s is even, and with
  /// eigenmode particles (the current is then outside the band, see `currentCoupling`).
  case folded
}

/// PyBaMM-equivalent SPMe for a lithium-ion cell.
public final class SingleParticleModelWithElectrolyte: CellModel {
  /// The particle half of the model (same particles, same eSOH).
  public let particles: SingleParticleModel
  /// The electrolyte's finite-volume mesh: its equations when `modal` is nil, else the sample points
  /// (cell centres) at which the voltage, the outputs and the profiles read the modal profile.
  public let electrolyte: ElectrolyteTransport
  /// The electrolyte by eigenmodes (`ModalElectrolyte`), with eigenmode particles; nil: finite volumes.
  public let modal: ModalElectrolyte?
  /// φ_k at the cell centres, and at the modal quadrature points and both collectors (point-major).
  let sampleTable: ModeTable?
  let extremaTable: ModeTable?
  /// φ_k at the negative collector, the separator's middle and the positive collector.
  let outputTable: ModeTable?
  public var parameters: LithiumIonParameters { particles.parameters }
  public var balance: ElectrodeBalance { particles.balance }

  let n: Int  // states of the negative particle (finite volumes, or the average and the modes)
  let m: Int  // electrolyte states: cells, or modes
  let e: Int  // where c_e starts: 2N, or 2N + 1 with the temperature state
  /// Spatial cell of each c_e slot in the state (`nil`: slot k is cell k). See `foldedOrder`.
  let electrolyteOrder: [Int]?
  /// The state slots (within c_e) of the spatial cells 0, 1, M−2 and M−1, for the collector values
  /// of the depletion event without reordering the state.
  let collectorSlots: (Int, Int, Int, Int)
  let area: Double
  let initialElectrolyteConcentration: Double
  /// κ_e(c_e0, T₀) at the file's ambient temperature T₀.
  let referenceConductivity: (temperature: Double, value: Double)
  /// χ = 2(1 − t₊)·thermodynamic factor [-].
  let chi: Double
  /// L_n/(3ε_n^b), L_s/ε_s^b, L_p/(3ε_p^b) summed [m]: electrolyte resistance × κ_e per unit area.
  let electrolyteResistanceLength: Double
  /// L_n/(3σ_n,eff) + L_p/(3σ_p,eff) [Ω m²].
  let solidResistance: Double
  let contactResistance: Double
  /// α_k when j0_k(x, c_s, c_e, T) = j0_k(x, c_s, c_e0, T)·(c_e/c_e0)^α_k for the file's function (checked
  /// numerically at build time; Butler–Volmer j0 ∝ c_e^½ is the usual case): the voltage then evaluates
  /// the file's j0 once per electrode instead of once per electrolyte cell. `nil`: not of that form.
  let negativeExchangeExponent: Double?
  let positiveExchangeExponent: Double?
  /// The concentration at which the "electrolyte depleted" event fires [mol m⁻³].
  public let depletionThreshold: Double

  public var name: String { "SPMe" }
  /// Eigenmodes of the electrolyte with eigenmode particles (`ModalElectrolyte`).
  public static let defaultElectrolyteModes = 8
  /// The cells at whose centres the voltage, the outputs and the profiles read the modal electrolyte:
  /// its x-averages over an electrode are their plain means (midpoint rule, error ~(h²/24)·Δf′:
  /// ≈ 1e-5 of ⟨ln c_e⟩ at 2C, ≈ 0.3 µV).
  public static let modalSampleCells = (negative: 16, separator: 2, positive: 16)
  public var stateCount: Int { e + m }
  public var isDifferential: [Bool] { Array(repeating: true, count: e + m) }
  /// Particles and electrolyte are each tridiagonal and do not couple to each other (the temperature
  /// couples to the two cells on either side of it).
  /// With modal electrolyte its modes are coupled to each other (a dense block, band m − 1).
  public var jacobianBandwidth: (lower: Int, upper: Int)? {
    let particleBand = particles.jacobianBandwidth ?? (1, 1)
    let electrolyteBand = modal != nil ? max(m - 1, 1) : electrolyteOrder == nil ? 1 : 2
    return (max(particleBand.lower, electrolyteBand), max(particleBand.upper, electrolyteBand))
  }
  /// With eigenmode particles `nil` (as the SPM's): the voltage depends on every mode, so the engine keeps
  /// the current last, a bordered system (band block + the current's row and column), whose row it takes
  /// from `voltageDerivatives`. With finite volumes:
  /// the particle surfaces (and the temperature), as in the SPM, so the engine builds a banded system.
  /// Left out of the band: the voltage's dependence on every c_e cell (through ln c_e and j0) and the
  /// electrolyte source's dependence on the current. Both are weak next to the in-band terms (and the
  /// source one does not matter in current-controlled steps, where Newton never moves I), so the
  /// Newton iteration with the banded Jacobian still converges; the converged solution is the same
  /// (the residual is exact), only the iteration matrix is approximate. See `foldedOrder` for the
  /// one side effect that matters and the layout that removes it.
  public var currentCoupling: Range<Int>? { particles.currentCoupling }
  public var thermal: LumpedThermal? { particles.thermal }
  public var nominalCapacity: Double { particles.nominalCapacity }
  public var voltageLimits: ClosedRange<Double> { particles.voltageLimits }
  public var defaultAmbientTemperature: Double { particles.defaultAmbientTemperature }
  /// The particles' as in the SPM. Finite volumes: c_e to 1e-4·c_e0, the accuracy the voltage needs: an error δc in
  /// c_e moves V by about χ·(RT/F)·δc/c_e ≈ 0.05 V·δc/c_e ≈ 5 µV (the quadrature of V is held to
  /// rtol·V ≈ 36 µV at the default rtol 1e-5). Tighter (1e-6·c_e0) took 105 instead of 74 steps for the
  /// same curve: Chen2020 against PyBaMM's converged SPMe, max |ΔV| 60 s…95 % at 0.5C/1C/2C
  /// 0.019/0.031/0.081 mV with 1e-6, 0.020/0.029/0.086 mV with 1e-4.
  /// Modal amplitudes: 3e-4·c_e0 in c_e (|φ_k| ≈ 1/√(Σ ε L), so δa_k moves c_e by ≈ δa_k/√(Σ ε L)):
  /// ≈ 10 µV in V. Against the converged curve: 0.013 / 0.012 / 0.11 mV at 0.5C / 1C / 2C (1e-4·c_e0:
  /// 0.013 / 0.011 / 0.06 mV with 68 instead of 49 steps at 12 modes; 1e-3·c_e0: 0.05 / 0.04 / 0.18).
  public var absoluteTolerances: [Double] {
    let concentration = (modal == nil ? 1e-4 : 3e-4) * initialElectrolyteConcentration
    let scale = modal.map { $0.porousLength.squareRoot() } ?? 1
    return particles.absoluteTolerances + Array(repeating: concentration * scale, count: m)
  }

  /// - Parameters:
  ///   - cellsPerParticle: finite volumes per particle (graded towards the surface), as the SPM.
  ///   - grading: mesh grading of the particles.
  ///   - particleModes: eigenmodes per particle, when the SPM would use them (both diffusivities
  ///     independent of the concentration, isothermal; see `SingleParticleModel`); `nil` always uses
  ///     finite volumes.
  ///   - electrolyteCells: finite volumes in the negative electrode, separator and positive electrode.
  ///     The scheme is second order; the default (32, 4, 32) is within 0.3 mV of a (100, 30, 100) mesh
  ///     for Chen2020 at 2C (16 cells per electrode: 1.2 mV, the electrolyte term being the slow one;
  ///     with eigenmode particles PyBaMM's 2C curve is met to 0.08 mV, to 0.31 / 0.98 mV with 24 / 16).
  ///     The separator's count does not matter there (its profile is nearly linear: 2, 4 or 16 cells
  ///     give PyBaMM's 2C curve to within 0.003 mV of each other); meshes graded towards the separator
  ///     or towards the collectors were worse than uniform at the same count (docs/models/lithium-ion.md).
  ///   - thermal: `.isothermal` (default) or `.lumped` (one cell temperature, see `LumpedThermal`).
  ///   - electrolyteModes: eigenmodes of the electrolyte (`ModalElectrolyte`) when the particles are
  ///     eigenmodes too (isothermal, diffusivities independent of the stoichiometry); `nil` always uses
  ///     the finite volumes of `electrolyteCells`. The default 8 (with 10 + 3 + 10 quadrature points)
  ///     follows a converged finite-volume solution (100/30/100 cells) of Chen2020 to 0.013 / 0.012 /
  ///     0.12 / 0.12 mV at 0.5C / 1C / 2C / 3C, where 32/4/32 cells are 0.27 mV off at 2C and 0.57 mV at
  ///     3C; fewer modes lose the high rates (6: 0.09 mV at 2C but 0.36 at 3C, 5: 0.53, 4: 1.2 mV at 2C),
  ///     and fewer quadrature points than modes alias the nonlinear term (8 on 8: 0.26 mV at 2C).
  ///     Where the electrolyte empties (high rates), the depletion event comes ~1 % later than on the
  ///     fine mesh (3C: 50.5 s instead of 49.8 s; 32/4/32 cells: 49.75 s).
  ///   - electrolyteOrdering: `.spatial` (default: c_e cell k in state slot k, tridiagonal) or
  ///     `.folded` (see `foldedOrder`; with finite-volume particles about twice as fast in the engine,
  ///     bandwidth 2; with eigenmode particles it stays spatial).
  /// - Throws: `CellModelError` if the electrodes cannot reach the cell's OCV limits (eSOH), the
  ///   electrolyte parameters are unusable, or for `.lumped` if the cell file has no thermal data.
  public init(
    parameters: LithiumIonParameters, cellsPerParticle: Int = 40, grading: Double = 0.9,
    electrolyteCells: (negative: Int, separator: Int, positive: Int) = (32, 4, 32),
    particleModes: Int? = SingleParticleModel.defaultModeCount, thermal: ThermalOption = .isothermal,
    electrolyteOrdering: ElectrolyteOrdering = .spatial, electrolyteModes: Int? = SingleParticleModelWithElectrolyte.defaultElectrolyteModes
  ) throws(CellModelError) {
    let p = parameters
    for (what, eps) in [
      ("negative electrode", p.negative.porosity), ("separator", p.separator.porosity),
      ("positive electrode", p.positive.porosity),
    ] where !(eps > 0 && eps <= 1) {
      throw CellModelError("SPMe: the \(what) porosity must be in (0, 1], got \(eps)")
    }
    for (what, b) in [
      ("negative electrode", p.negative.bruggemanElectrolyte), ("separator", p.separator.bruggemanElectrolyte),
      ("positive electrode", p.positive.bruggemanElectrolyte), ("negative electrode (solid)", p.negative.bruggemanElectrode),
      ("positive electrode (solid)", p.positive.bruggemanElectrode),
    ] where !(b >= 0 && b.isFinite) {
      throw CellModelError("SPMe: the \(what) Bruggeman exponent must be ≥ 0, got \(b)")
    }
    let ce0 = p.electrolyte.initialConcentration
    guard ce0 > 0, ce0.isFinite else {
      throw CellModelError("SPMe: the initial electrolyte concentration must be positive, got \(ce0)")
    }
    let t0 = p.cell.ambientTemperature
    let d0 = p.electrolyte.diffusivity(ce0, t0)
    let k0 = p.electrolyte.conductivity(ce0, t0)
    guard d0 > 0, d0.isFinite, k0 > 0, k0.isFinite else {
      throw CellModelError(
        "SPMe: the electrolyte diffusivity (\(d0) m^2/s) and conductivity (\(k0) S/m) must be positive "
          + "at the initial concentration \(ce0) mol/m^3")
    }
    particles = try SingleParticleModel(
      parameters: p, cellsPerParticle: cellsPerParticle, grading: grading, particleModes: particleModes,
      thermal: thermal)
    let modalParticles = particles.negativeParticle.isModal && particles.positiveParticle.isModal
    let modal = electrolyteModes.flatMap { modes in
      modalParticles && modes > 0 ? ModalElectrolyte(parameters: p, modes: modes) : nil  // (nil: finite volumes)
    }
    self.modal = modal
    electrolyte = ElectrolyteTransport(parameters: p, cells: modal == nil ? electrolyteCells : Self.modalSampleCells)
    let length = p.negative.thickness + p.separator.thickness + p.positive.thickness
    sampleTable = modal?.table(at: electrolyte.centres)
    extremaTable = modal.map { $0.table(at: $0.pointPositions + [0, length]) }
    outputTable = modal?.table(at: [0, p.negative.thickness + 0.5 * p.separator.thickness, length])
    n = particles.n
    e = particles.stateCount
    // The fold serves the banded system with the current inside the band (finite-volume particles);
    // with eigenmode particles the current is a border, differenced on its own: spatial order.
    electrolyteOrder =
      electrolyteOrdering == .folded && particles.currentCoupling != nil && modal == nil
      ? Self.foldedOrder(electrolyte) : nil
    m = modal?.modeCount ?? electrolyte.cellCount
    collectorSlots = Self.slots(of: (0, 1, m - 2, m - 1), order: electrolyteOrder)
    area = p.cell.area
    initialElectrolyteConcentration = ce0
    referenceConductivity = (t0, k0)
    chi = 2 * (1 - p.electrolyte.transferenceNumber) * p.electrolyte.thermodynamicFactor
    electrolyteResistanceLength =
      p.negative.thickness / (3 * pow(p.negative.porosity, p.negative.bruggemanElectrolyte))
      + p.separator.thickness / pow(p.separator.porosity, p.separator.bruggemanElectrolyte)
      + p.positive.thickness / (3 * pow(p.positive.porosity, p.positive.bruggemanElectrolyte))
    let sigmaN = p.negative.conductivity * pow(1 - p.negative.porosity, p.negative.bruggemanElectrode)
    let sigmaP = p.positive.conductivity * pow(1 - p.positive.porosity, p.positive.bruggemanElectrode)
    solidResistance = p.negative.thickness / (3 * sigmaN) + p.positive.thickness / (3 * sigmaP)
    contactResistance = p.cell.contactResistance
    depletionThreshold = 1e-3 * ce0
    negativeExchangeExponent = Self.electrolyteExponent(of: p.negative, referenceConcentration: ce0)
    positiveExchangeExponent = Self.electrolyteExponent(of: p.positive, referenceConcentration: ce0)
  }

  /// The state order of the electrolyte cells: folded about the middle of the separator and
  /// interleaved, s_{k−1}, s_k, s_{k−2}, s_{k+1}, …, n_0', p_0', … (each cell from the left half next to
  /// its mirror cell from the right half), so spatial neighbours are two slots apart. Why: the engine's
  /// banded finite-difference Jacobian perturbs the current together with every (kl+ku+1)-th state,
  /// and the electrolyte source term depends on the current; the perturbation then leaks into the
  /// c_e entries read for those states. In spatial order a band window holds cells of one electrode
  /// only, all with a source of the same sign, and the leak breaks the lithium balance of the Newton
  /// matrix (whose electrolyte block is singular but for the mass matrix): Newton failed ~15 times per
  /// 1C discharge. Folded, every window holds negative and positive cells in equal numbers (±1),
  /// whose sources cancel. Needs M_n = M_p and an even M_s; `nil` (spatial order) otherwise.
  static func foldedOrder(_ electrolyte: ElectrolyteTransport) -> [Int]? {
    let mn = electrolyte.negativeCells
    let ms = electrolyte.separatorCells
    guard mn == electrolyte.positiveCells, ms % 2 == 0 else { return nil }
    let middle = mn + ms / 2
    var order: [Int] = []
    for k in 0..<middle {
      order.append(middle - 1 - k)
      order.append(middle + k)
    }
    return order
  }

  /// The state slots of four spatial cells (`order[slot]` = cell; `nil`: the identity).
  static func slots(of cells: (Int, Int, Int, Int), order: [Int]?) -> (Int, Int, Int, Int) {
    guard let order else { return cells }
    func slot(_ cell: Int) -> Int { order.firstIndex(of: cell) ?? cell }
    return (slot(cells.0), slot(cells.1), slot(cells.2), slot(cells.3))
  }

  /// The c_e cells in spatial order (negative collector to positive collector), for `body`; with the
  /// modal electrolyte, its profile at the cell centres.
  @inline(__always)
  func withSpatialElectrolyte<R>(_ y: UnsafeBufferPointer<Double>, _ body: (UnsafeBufferPointer<Double>) -> R) -> R {
    let slots = electrolyteState(y)
    if let modal, let table = sampleTable {
      return withUnsafeTemporaryAllocation(of: Double.self, capacity: electrolyte.cellCount) { c in
        modal.sample(slots, table: table, into: c)
        return body(UnsafeBufferPointer(c))
      }
    }
    guard let order = electrolyteOrder else { return body(slots) }
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { c in
      for k in 0..<m { c[order[k]] = slots[k] }
      return body(UnsafeBufferPointer(c))
    }
  }

  /// α if j0(x, c_s, c_e, T) = j0(x, c_s, c_e0, T)·(c_e/c_e0)^α to 1e-13 on a grid of x, c_e and T
  /// (a pure power of c_e, any dependence on the rest); `nil` otherwise.
  static func electrolyteExponent(of electrode: LithiumIonParameters.Electrode, referenceConcentration ce0: Double)
    -> Double?
  {
    let cMax = electrode.maxConcentration
    func j0(_ x: Double, _ ce: Double, _ t: Double) -> Double {
      electrode.exchangeCurrentDensity(x, x * cMax, ce, t, cMax)
    }
    let probe = 2 * ce0
    let base = j0(0.5, ce0, 298.15)
    guard base > 0, base.isFinite, j0(0.5, probe, 298.15) > 0 else { return nil }
    var alpha = log(j0(0.5, probe, 298.15) / base) / log(2.0)
    guard alpha.isFinite else { return nil }
    // The probe gives α to rounding (0.49999999999999994): snap to a nearby simple fraction.
    let snapped = (alpha * 100).rounded() / 100
    if abs(snapped - alpha) < 1e-9 { alpha = snapped }
    for x in [0.02, 0.3, 0.5, 0.7, 0.98] {
      for t in [253.15, 298.15, 343.15] {
        let reference = j0(x, ce0, t)
        guard reference > 0, reference.isFinite else { return nil }
        for ratio in [1e-3, 0.1, 0.37, 0.9, 1.6, 3.0] {
          let direct = j0(x, ratio * ce0, t)
          let factored = reference * pow(ratio, alpha)
          if !(abs(direct - factored) <= 1e-13 * abs(direct)) { return nil }
        }
      }
    }
    return alpha
  }

  public func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]
  {
    try particles.initialState(condition, ambientTemperature: ambientTemperature)
      + Array(repeating: modal == nil ? initialElectrolyteConcentration : 0, count: m)
  }

  // MARK: - Equations

  @inline(__always) func particleState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[0..<e])
  }
  @inline(__always) func electrolyteState(_ y: UnsafeBufferPointer<Double>) -> UnsafeBufferPointer<Double> {
    UnsafeBufferPointer(rebasing: y[e..<(e + m)])
  }

  /// Cell temperature [K]: the state's with the lumped thermal model, else the ambient one.
  @inline(__always)
  public func temperature(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    particles.temperature(y, point)
  }

  public func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = self.temperature(y, point)
    particles.particleRates(
      particleState(y), current: point.current, temperature: temperature,
      into: UnsafeMutableBufferPointer(rebasing: out[0..<e]))
    let ratesOut = UnsafeMutableBufferPointer(rebasing: out[e..<(e + m)])
    let slots = electrolyteState(y)
    let density = point.current / area
    if let modal {
      modal.rates(slots, currentDensity: density, temperature: temperature, into: ratesOut)
    } else if let order = electrolyteOrder {
      // Gather to spatial order, evaluate, scatter back (no closure captures the model: that costs
      // retains of its arrays on every call).
      let count = m
      let transport = electrolyte
      // Two buffers of ≤ 1 kB each stay on the stack; one of 2·M doubles (> 1 kB) went to the heap.
      withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { c in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { rates in
          for k in 0..<count { c[order[k]] = slots[k] }
          transport.rates(UnsafeBufferPointer(c), currentDensity: density, temperature: temperature, into: rates)
          for k in 0..<count { ratesOut[k] = rates[order[k]] }
        }
      }
    } else {
      electrolyte.rates(slots, currentDensity: density, temperature: temperature, into: ratesOut)
    }
    if let thermal {
      out[n] = thermal.rate(heat: heat(y, point, temperature), temperature: temperature, ambient: point.ambientTemperature)
    }
  }

  /// The electrolyte's rates read the electrolyte alone (isothermal, spatial order; else `evaluate`).
  public var statesWithoutLinearDynamicsReadLinearStates: Bool { thermal != nil || electrolyteOrder != nil }

  /// With modes (isothermal): their Jacobian (`ModalElectrolyte.jacobian`).
  public func jacobianOfStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool {
    guard thermal == nil, let modal else { return false }
    modal.jacobian(
      electrolyteState(y), currentDensity: point.current / area, temperature: point.ambientTemperature,
      into: entries, leadingDimension: leadingDimension)
    return true
  }

  /// The electrolyte's rates only (the particles' are linear, see `linearDynamics`).
  public func evaluateStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    guard thermal == nil, electrolyteOrder == nil else { return evaluate(y, point, into: out) }
    if let modal {  // (isothermal: the ambient temperature)
      return modal.rates(
        electrolyteState(y), currentDensity: point.current / area, temperature: point.ambientTemperature,
        into: UnsafeMutableBufferPointer(rebasing: out[e..<(e + m)]))
    }
    electrolyte.rates(
      electrolyteState(y), currentDensity: point.current / area, temperature: temperature(y, point),
      into: UnsafeMutableBufferPointer(rebasing: out[e..<(e + m)]))
  }

  /// Heat generated [W] (see `LumpedThermal.heat`).
  func heat(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, _ temperature: Double) -> Double {
    let parts = voltageParts(y, current: point.current, temperature: temperature)
    return LumpedThermal.heat(
      current: point.current, surfaceOCV: parts.ocv, voltage: parts.total - point.current * contactResistance,
      temperature: temperature, entropicCoefficient: particles.entropicCoefficient(parts.xs, parts.ys, temperature))
  }

  /// The voltage and its parts at a state.
  struct VoltageParts {
    var xs: Double, ys: Double
    var ocv: Double
    var reaction: Double
    var concentration: Double
    var electrolyteOhmic: Double
    var solidOhmic: Double
    var total: Double { ocv + reaction + concentration + electrolyteOhmic + solidOhmic }
  }

  /// x-average over an electrode's cells of η = (2RT/F)·asinh(j/(2·j0(x_surf, c_e,i, T))).
  @inline(__always)
  func averageOverpotential(
    _ electrode: LithiumIonParameters.Electrode, _ exponent: Double?, _ cells: Range<Int>,
    _ ce: UnsafeBufferPointer<Double>, stoichiometry x: Double, interfacialCurrent j: Double, _ temperature: Double
  ) -> Double {
    let xc = min(max(x, 0), 1)
    let cMax = electrode.maxConcentration
    let cs = xc * cMax
    var sum = 0.0
    if let alpha = exponent {
      // j0_i = j0(c_e0)·(c_e,i/c_e0)^α: one call of the file's function per electrode.
      let ce0 = initialElectrolyteConcentration
      let scaled = j / (2 * electrode.exchangeCurrentDensity(xc, cs, ce0, temperature, cMax))
      if alpha == 0.5 {
        for i in cells { sum += asinh(scaled / (max(ce[i], 0) / ce0).squareRoot()) }
      } else {
        for i in cells { sum += asinh(scaled / pow(max(ce[i], 0) / ce0, alpha)) }
      }
      return 2 * PhysicalConstants.gas * temperature / PhysicalConstants.faraday * sum / Double(cells.count)
    }
    for i in cells {
      let j0 = electrode.exchangeCurrentDensity(xc, cs, max(ce[i], 0), temperature, cMax)
      sum += asinh(j / (2 * j0))
    }
    return 2 * PhysicalConstants.gas * temperature / PhysicalConstants.faraday * sum / Double(cells.count)
  }

  func voltageParts(_ y: UnsafeBufferPointer<Double>, current: Double, temperature: Double) -> VoltageParts {
    withSpatialElectrolyte(y) { voltageParts(y, $0, current: current, temperature: temperature) }
  }

  /// For j0 = j0(c_e0)·(c_e/c_e0)^½: the electrode's x-averaged η and ⟨ln c_e⟩ with one square root per
  /// cell and two logarithms per 8 cells (of products, `ElectrolyteTransport.sumOfLogarithms`) instead
  /// of a logarithm, an asinh and a call of the file's j0 per cell:
  ///
  ///     asinh(a/√r) = ln(a + √(a² + r)) − ½·ln r,   a = j/(2·j0(c_e0)),  r = c_e/c_e0   (a ≥ 0; odd in a)
  ///
  /// c_e is floored at 1e-6·c_e0 here as in the logarithms (the direct path clamps j0's c_e at 0 only;
  /// the two differ below 1e-3 mol/m³, past the depletion event).
  @inline(__always)
  func fusedTerms(
    _ cells: Range<Int>, _ ce: UnsafeBufferPointer<Double>, _ x: Double, _ j: Double, _ temperature: Double,
    exchange: ScalarFunction, exchangeTable: ChebyshevTable, maxConcentration: Double
  ) -> (eta: Double, logAverage: Double) {
    let ce0 = initialElectrolyteConcentration
    // j0(x_surf, c_e0, T): the SPM's (tabulated along x at the file's ambient temperature).
    let a = j / (2 * particles.exchangeCurrent(exchange, exchangeTable, maxConcentration, x, temperature))
    let magnitude = abs(a)
    let square = magnitude * magnitude
    let inverseReference = 1 / ce0
    // Σ ln r_i and Σ ln(|a| + √(a² + r_i)), r_i = c_i/c_e0, as logarithms of products of 8 factors.
    let logSum = ElectrolyteTransport.sumOfLogarithms(cells) { electrolyte.floored(ce[$0]) * inverseReference }
    let rootSum = ElectrolyteTransport.sumOfLogarithms(cells) {
      magnitude + (square + electrolyte.floored(ce[$0]) * inverseReference).squareRoot()
    }
    let count = Double(cells.count)
    let eta = 2 * PhysicalConstants.gas * temperature / PhysicalConstants.faraday * (rootSum - 0.5 * logSum) / count
    return (a < 0 ? -eta : eta, logSum / count + log(ce0))
  }

  /// The voltage parts with the c_e cells `ce` in spatial order.
  func voltageParts(
    _ y: UnsafeBufferPointer<Double>, _ ce: UnsafeBufferPointer<Double>, current: Double, temperature: Double
  ) -> VoltageParts {
    let (xs, ys) = particles.surfaceStoichiometries(particleState(y), current: current, temperature: temperature)
    return voltageParts(xs: xs, ys: ys, ce, current: current, temperature: temperature)
  }

  /// The voltage parts at surface stoichiometries (x_surf, y_surf) and the c_e cells `ce` in spatial order.
  @inline(__always)
  func voltageParts(
    xs: Double, ys: Double, _ ce: UnsafeBufferPointer<Double>, current: Double, temperature: Double
  ) -> VoltageParts {
    let faraday = PhysicalConstants.faraday
    let jn = current * particles.negativeFluxPerCurrent * faraday
    let jp = current * particles.positiveFluxPerCurrent * faraday
    let etaN: Double
    let etaP: Double
    let logs: (negative: Double, positive: Double)
    if negativeExchangeExponent == 0.5 && positiveExchangeExponent == 0.5 {
      // j0 ∝ c_e^½ in both electrodes: η and ln c_e from one square root per cell and two logarithms
      // per 8 cells (`fusedTerms`).
      let negative = fusedTerms(
        electrolyte.negativeRange, ce, xs, jn, temperature, exchange: particles.negativeExchange,
        exchangeTable: particles.negativeExchangeTable, maxConcentration: particles.negativeMaxConcentration)
      let positive = fusedTerms(
        electrolyte.positiveRange, ce, ys, jp, temperature, exchange: particles.positiveExchange,
        exchangeTable: particles.positiveExchangeTable, maxConcentration: particles.positiveMaxConcentration)
      etaN = negative.eta
      etaP = positive.eta
      logs = (negative.logAverage, positive.logAverage)
    } else {
      etaN = averageOverpotential(
        parameters.negative, negativeExchangeExponent, electrolyte.negativeRange, ce, stoichiometry: xs,
        interfacialCurrent: jn, temperature)
      etaP = averageOverpotential(
        parameters.positive, positiveExchangeExponent, electrolyte.positiveRange, ce, stoichiometry: ys,
        interfacialCurrent: jp, temperature)
      logs = electrolyte.logarithmAverages(ce)
    }
    let ocv = particles.positiveOCP(ys, temperature) - particles.negativeOCP(xs, temperature)
    let thermal = PhysicalConstants.gas * temperature / faraday
    let concentration = chi * thermal * (logs.positive - logs.negative)
    let i = current / area
    // κ_e at c̄_e, the conserved mean: c_e0 exactly with modes; at the file's ambient temperature the
    // value taken when built (no call of the file's function).
    let mean = modal == nil ? electrolyte.meanConcentration(ce) : initialElectrolyteConcentration
    let kappa =
      mean == initialElectrolyteConcentration && temperature == referenceConductivity.temperature
      ? referenceConductivity.value : electrolyte.conductivity(mean, temperature)
    return VoltageParts(
      xs: xs, ys: ys, ocv: ocv, reaction: etaP - etaN, concentration: concentration,
      electrolyteOhmic: -i * electrolyteResistanceLength / kappa, solidOhmic: -i * solidResistance)
  }

  public func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    voltageParts(y, current: point.current, temperature: self.temperature(y, point)).total
      - point.current * contactResistance
  }

  public func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double {
    particles.stateOfCharge(particleState(y))
  }

  /// With eigenmode particles (isothermal), the particle states are linear in themselves and the current,
  /// as in the SPM (`SingleParticleModel.linearDynamics`), and independent of the electrolyte; the
  /// electrolyte's are not (D_e(c_e)): NaN decay. In constant-current steps the engine then solves the
  /// particles in closed form and the electrolyte by the exact integrator's inner BDF
  /// (`evaluateStatesWithoutLinearDynamics`).
  public func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard
      particles.linearDynamics(
        ambientTemperature: ambientTemperature, decay: UnsafeMutableBufferPointer(rebasing: decay[0..<e]),
        gain: UnsafeMutableBufferPointer(rebasing: gain[0..<e]))
    else { return false }
    for k in e..<(e + m) {
      decay[k] = .nan
      gain[k] = .nan
    }
    return true
  }

  /// ∂V/∂y and ∂V/∂I with eigenmode particles (isothermal) and j0 ∝ c_e^α in both electrodes; `nil`
  /// otherwise. Particles as in the SPM (`SingleParticleModel.voltageDerivatives`): V depends on them
  /// through x_surf and y_surf only, ∂c_surf/∂c_i = 1 for every state of a particle, so one forward
  /// difference in each stoichiometry. The electrolyte cells analytically, with r_i = c_i/c_e0,
  /// a_k = j_k/(2·j0_k(c_e0)) and M_k the cells of electrode k (sign s = −1 for n, +1 for p):
  ///
  ///     ∂V/∂c_i = s·(2RT/F)/M_k · (−α_k·a_k·r_i^−α_k / c_i) / √(1 + a_k²·r_i^−2α_k)   ⟨η_k⟩
  ///             + s·χ·(RT/F) / (M_k·c_i)                                          ⟨ln c_e⟩_k
  ///             + i·L_κ·κ_e′(c̄_e)/κ_e(c̄_e)² · ε_i·h_i / Σ ε·h                        ohmic, κ at c̄_e
  ///
  /// [V m³ mol⁻¹] (the first two in electrode cells only; κ_e′ by a forward difference). ∂V/∂I by a
  /// forward difference of the whole voltage.
  public func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? {
    guard thermal == nil, particles.negativeParticle.isModal, particles.positiveParticle.isModal,
      let alphaN = negativeExchangeExponent, let alphaP = positiveExchangeExponent
    else { return nil }
    let current = point.current
    let temperature = point.ambientTemperature
    let (xs, ys) = particles.surfaceStoichiometries(particleState(y), current: current, temperature: temperature)
    let root = 1.4901161193847656e-8
    let hx = (xs + root * max(abs(xs), 1e-3)) - xs
    let hy = (ys + root * max(abs(ys), 1e-3)) - ys
    let (dx, dy) = withSpatialElectrolyte(y) { ce in
      let v0 = voltageParts(xs: xs, ys: ys, ce, current: current, temperature: temperature).total
      let vx = voltageParts(xs: xs + hx, ys: ys, ce, current: current, temperature: temperature).total
      let vy = voltageParts(xs: xs, ys: ys + hy, ce, current: current, temperature: temperature).total
      return ((vx - v0) / hx, (vy - v0) / hy)
    }
    for i in 0..<particles.n { gradient[i] = dx / particles.negativeMaxConcentration }
    for i in particles.positiveStart..<(particles.positiveStart + particles.nPositive) {
      gradient[i] = dy / particles.positiveMaxConcentration
    }
    // ∂V/∂c_i per cell in spatial order (as `withSpatialElectrolyte` gives them), then per state: the
    // cell's slot (finite volumes), or ∂V/∂a_k = Σ_i ∂V/∂c_i·φ_k(x_i) (modes, whose κ at c̄_e = c_e0 does
    // not move).
    let faraday = PhysicalConstants.faraday
    let thermalVoltage = PhysicalConstants.gas * temperature / faraday
    let ce0 = initialElectrolyteConcentration
    let i = current / area
    let cells = electrolyte
    let count = cells.cellCount
    // c̄_e is order-free: read the slots as they are (with modes: c_e0, conserved exactly).
    let mean = modal == nil ? cells.meanConcentration(electrolyteState(y), order: electrolyteOrder) : ce0
    let kappa = cells.conductivity(mean, temperature)
    let hc = (mean + root * max(abs(mean), 1)) - mean
    let kappaSlope = (cells.conductivity(mean + hc, temperature) - kappa) / hc
    let ohmicPerAmount =
      modal == nil ? i * electrolyteResistanceLength * kappaSlope / (kappa * kappa) / cells.porousLength : 0
    let jn = current * particles.negativeFluxPerCurrent * faraday
    let jp = current * particles.positiveFluxPerCurrent * faraday
    let an = jn / (2 * particles.exchangeCurrent(
      particles.negativeExchange, particles.negativeExchangeTable, particles.negativeMaxConcentration, xs, temperature))
    let ap = jp / (2 * particles.exchangeCurrent(
      particles.positiveExchange, particles.positiveExchangeTable, particles.positiveMaxConcentration, ys, temperature))
    let negativeCount = Double(cells.negativeCells)
    let positiveCount = Double(cells.positiveCells)
    withSpatialElectrolyte(y) { ce in
      withUnsafeTemporaryAllocation(of: Double.self, capacity: count) { cellGradient in
        for cell in 0..<count {
          let c = cells.floored(ce[cell])
          var value = ohmicPerAmount * cells.porosities[cell] * cells.widths[cell]
          let electrode: (sign: Double, alpha: Double, a: Double, count: Double)?
          if cells.negativeRange.contains(cell) {
            electrode = (-1, alphaN, an, negativeCount)
          } else if cells.positiveRange.contains(cell) {
            electrode = (1, alphaP, ap, positiveCount)
          } else {
            electrode = nil
          }
          if let (sign, alpha, a, count) = electrode {
            let scaled = a * pow(c / ce0, -alpha)
            let eta = 2 * thermalVoltage * (-alpha * scaled / c) / (1 + scaled * scaled).squareRoot()
            value += sign * (eta + chi * thermalVoltage / c) / count
          }
          cellGradient[cell] = value
        }
        if let table = sampleTable {
          for k in 0..<m {
            var sum = 0.0
            for cell in 0..<count { sum += cellGradient[cell] * table.byMode[k * count + cell] }
            gradient[e + k] = sum
          }
        } else {
          for slot in 0..<m { gradient[e + slot] = cellGradient[electrolyteOrder?[slot] ?? slot] }
        }
      }
    }
    let hI = (current + root * max(abs(current), 1e-3)) - current
    let shifted = OperatingPoint(current: current + hI, ambientTemperature: point.ambientTemperature)
    return (terminalVoltage(y, shifted) - terminalVoltage(y, point)) / hI
  }

  // MARK: - Outputs

  /// The electrolyte columns written after the particle columns.
  public static let electrolyteColumns = [
    "eta_electrolyte_conc_V", "ohmic_electrolyte_V", "ohmic_solid_V", "c_e_neg_cc_mol_m3", "c_e_sep_mol_m3",
    "c_e_pos_cc_mol_m3",
  ]

  public var outputColumns: [String] {
    SingleParticleModel.particleColumns + Self.electrolyteColumns
      + (thermal == nil ? [] : SingleParticleModel.thermalColumns)
  }

  public func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let temperature = self.temperature(y, point)
    let parts = voltageParts(y, current: point.current, temperature: temperature)
    let cn = particles.negative(y)
    let cp = particles.positive(y)
    let xAvg = particles.negativeParticle.averageConcentration(cn) / particles.negativeMaxConcentration
    let yAvg = particles.positiveParticle.averageConcentration(cp) / particles.positiveMaxConcentration
    let (negativeValue, separatorValue, positiveValue) = outputTable.map { table in
      var values = (0.0, 0.0, 0.0)
      withUnsafeMutableBytes(of: &values) { raw in
        let out = raw.bindMemory(to: Double.self)
        modal?.sample(electrolyteState(y), table: table, into: out)
      }
      return values
    } ?? withSpatialElectrolyte(y) { ce in
      (
        electrolyte.negativeCollectorValue(ce), electrolyte.separatorMiddleValue(ce),
        electrolyte.positiveCollectorValue(ce)
      )
    }
    out[0] = parts.xs
    out[1] = parts.ys
    out[2] = xAvg
    out[3] = yAvg
    out[4] = parts.ocv
    out[5] = parameters.positiveOCP(yAvg, temperature) - parameters.negativeOCP(xAvg, temperature)
    out[6] = parts.reaction
    out[7] = parts.concentration
    out[8] = parts.electrolyteOhmic
    out[9] = parts.solidOhmic
    out[10] = negativeValue
    out[11] = separatorValue
    out[12] = positiveValue
    if let thermal {
      let voltage = parts.total - point.current * contactResistance
      out[13] = LumpedThermal.heat(
        current: point.current, surfaceOCV: parts.ocv, voltage: voltage, temperature: temperature,
        entropicCoefficient: particles.entropicCoefficient(parts.xs, parts.ys, temperature))
      out[14] = thermal.cooling(temperature: temperature, ambient: point.ambientTemperature)
    }
  }

  // MARK: - Events

  public var eventNames: [String] { ["electrolyte depleted"] }

  /// Positive while the electrolyte concentration stays above `depletionThreshold` everywhere.
  public func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    // `ElectrolyteTransport.minimum` read in state order: min over the cells is order-free, and the
    // collector values (9c_0 − c_1)/8, (9c_{M−1} − c_{M−2})/8 read their cells' slots (no gather into
    // spatial order, no closure: this runs after every step).
    out[0] = (electrolyteMinimum(y) - depletionThreshold) / initialElectrolyteConcentration
  }

  /// The lowest electrolyte concentration [mol m⁻³]: over the cells and the two collector values, or
  /// with modes over the quadrature points and the collectors.
  public func electrolyteMinimum(_ y: UnsafeBufferPointer<Double>) -> Double {
    let c = electrolyteState(y)
    if let modal, let table = extremaTable {
      return withUnsafeTemporaryAllocation(of: Double.self, capacity: modal.pointCount + 2) { values in
        modal.sample(c, table: table, into: values)
        var low = Double.infinity
        for v in values { low = min(low, v) }
        return low
      }
    }
    let (first, second, penultimate, last) = collectorSlots
    var low = min((9 * c[first] - c[second]) / 8, (9 * c[last] - c[penultimate]) / 8)
    for k in 0..<m { low = min(low, c[k]) }
    return low
  }

  // MARK: - Conservation

  /// Lithium in the particles [mol] (as `SingleParticleModel.lithiumInventory`).
  public func particleLithium(_ y: UnsafeBufferPointer<Double>) -> Double {
    particles.lithiumInventory(particleState(y))
  }

  /// Lithium in the electrolyte [mol]: A·Σ ε_i h_i c_e,i.
  public func electrolyteLithium(_ y: UnsafeBufferPointer<Double>) -> Double {
    if let modal { return area * modal.amount(electrolyteState(y)) }
    return area * withSpatialElectrolyte(y) { electrolyte.amount($0) }
  }
}

// MARK: - Spatial profiles

extension SingleParticleModelWithElectrolyte: SpatialProfiles {
  /// c_e [mol m⁻³] at the cell centres in each region (x from the negative current collector), then
  /// the SPM's particle profiles.
  public var profileLayout: [ProfileSegment] {
    let x = electrolyte.centres
    return [
      ProfileSegment(
        variable: "c_e_mol_m3", domain: "negative_electrode", coordinate: .x,
        positions: Array(x[electrolyte.negativeRange])),
      ProfileSegment(
        variable: "c_e_mol_m3", domain: "separator", coordinate: .x, positions: Array(x[electrolyte.separatorRange])),
      ProfileSegment(
        variable: "c_e_mol_m3", domain: "positive_electrode", coordinate: .x,
        positions: Array(x[electrolyte.positiveRange])),
    ] + particles.profileLayout
  }

  public func profileValues(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    let cells = electrolyte.cellCount
    withSpatialElectrolyte(y) { ce in
      for i in 0..<cells { out[i] = ce[i] }
    }
    particles.profileValues(particleState(y), point, into: UnsafeMutableBufferPointer(rebasing: out[cells...]))
  }
}
