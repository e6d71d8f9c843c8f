// CellSim — LithiumIon/LithiumIonParameters.swift
//
// Typed, validated parameters of a lithium-ion cell (graphite/NMC, LCO, LFP …) as read from a
// `cellsim.cell/1` file with `"chemistry": "lithium-ion"`; field names and accepted ranges are listed in
// docs/parameter-schema.md. Conventions: SI units, current I > 0 on discharge, x = c_n/c_n,max and
// y = c_p/c_p,max the electrode stoichiometries.

import CellCore
import CellParameters
import Foundation

/// Everything a lithium-ion cell model needs: scalars as plain `Double`s, material functions as compiled
/// `ScalarFunction`s. Built by `load(contentsOf:)` (or `init(reading:)` + `ParameterReader.finish()`),
/// which checks every field, so a value in hand is valid.
public struct LithiumIonParameters: CellFileSchema {
  /// The `chemistry` string of lithium-ion cell files.
  public static let chemistry = "lithium-ion"

  /// Variables of the OCP, entropic-change and particle-diffusivity functions: stoichiometry [-], T [K].
  public static let electrodeFunctionVariables = ["x", "T"]
  /// Variables of the exchange-current density: stoichiometry [-], particle-surface concentration
  /// c_s [mol m⁻³], electrolyte concentration c_e [mol m⁻³], T [K], c_max [mol m⁻³].
  public static let exchangeCurrentVariables = ["x", "cs", "ce", "T", "cmax"]
  /// Variables of the electrolyte functions: c_e [mol m⁻³], T [K].
  public static let electrolyteFunctionVariables = ["ce", "T"]

  public var header: CellFileHeader
  public var cell: Cell
  public var negative: Electrode
  public var separator: Separator
  public var positive: Electrode
  /// The particle populations of a blended electrode (`populations` in its section; `nil`: one
  /// population, the electrode itself). Each is a full `Electrode` — the section's fields with the
  /// population's own radius, volume fraction, maximum concentration and functions — and the section
  /// describes the electrode as a whole (active material the populations' total; OCP and maximum
  /// concentration for the eSOH). Only the SPM (`BlendedSingleParticleModel`) reads them.
  public var negativePopulations: [Electrode]? = nil
  public var positivePopulations: [Electrode]? = nil
  /// Whether either electrode is blended.
  public var hasBlendedElectrode: Bool { negativePopulations != nil || positivePopulations != nil }
  public var electrolyte: Electrolyte
  /// The layer recipe (section `stack`, optional; `CellParameters.LayerStack`): mass and volume per
  /// electrode area for the stack energy densities of `cellsim compare`.
  public var stack: LayerStack?

  // MARK: - Sections

  /// Section `cell`: size, limits, temperatures.
  public struct Cell: Sendable {
    /// Nominal capacity [A h]; defines 1C: I_1C = nominalCapacity · 1 h⁻¹ [A] (as PyBaMM does; not the
    /// eSOH capacity).
    public var nominalCapacity: Double
    /// Electrode height L_z [m].
    public var electrodeHeight: Double
    /// Electrode width L_y [m].
    public var electrodeWidth: Double
    /// Electrode pairs connected in parallel n_par [-].
    public var electrodesInParallel: Int
    /// Lower / upper voltage cut-off [V]; every step ends on them.
    public var lowerCutoff: Double
    public var upperCutoff: Double
    /// Open-circuit voltages that define 0 % and 100 % SOC [V] (eSOH, see `ElectrodeBalance`).
    public var ocvAtSOC0: Double
    public var ocvAtSOC1: Double
    /// Reference temperature T_ref [K] of the entropic OCP correction and of the eSOH solve.
    public var referenceTemperature: Double
    /// Default ambient (and initial) temperature [K].
    public var ambientTemperature: Double
    /// Contact resistance [Ω], in series with the cell.
    public var contactResistance: Double
    /// Lumped thermal data, if the file has them.
    public var thermal: Thermal?

    /// Electrode area A = L_y · L_z · n_par [m²].
    public var area: Double { electrodeHeight * electrodeWidth * Double(electrodesInParallel) }
    /// The 1C current [A] (= nominal capacity in A h over one hour).
    public var oneCCurrent: Double { nominalCapacity }
  }

  /// Block `cell.thermal`: a lumped (0-D) thermal model, dT/dt·C = Q_gen − h·A_cool·(T − T_amb).
  public struct Thermal: Sendable {
    /// Total heat-transfer coefficient h [W m⁻² K⁻¹].
    public var heatTransferCoefficient: Double
    /// Cooling surface area A_cool [m²].
    public var coolingArea: Double
    /// Cell volume V [m³].
    public var volume: Double
    /// Cell heat capacity C [J K⁻¹], if given directly; otherwise see `lumpedHeatCapacity`.
    public var heatCapacity: Double?
  }

  /// Section `negative` or `positive`: one porous electrode of spherical particles.
  public struct Electrode: Sendable {
    /// Thickness L [m].
    public var thickness: Double
    /// Particle radius R [m].
    public var particleRadius: Double
    /// Active-material volume fraction ε_s [-].
    public var activeMaterialVolumeFraction: Double
    /// Porosity (electrolyte volume fraction) ε [-].
    public var porosity: Double
    /// Bruggeman exponent for the electrolyte, D_e,eff = ε^b_e·D_e, κ_eff = ε^b_e·κ_e [-].
    public var bruggemanElectrolyte: Double
    /// Bruggeman exponent for the solid, σ_eff = ε_s^b_s·σ [-].
    public var bruggemanElectrode: Double
    /// Electronic conductivity σ [S m⁻¹].
    public var conductivity: Double
    /// Maximum lithium concentration c_max [mol m⁻³].
    public var maxConcentration: Double
    /// Initial (stored) lithium concentration [mol m⁻³]; fixes the cell's lithium inventory.
    public var initialConcentration: Double
    /// Particle diffusivity D(x, T) [m² s⁻¹].
    public var diffusivity: ScalarFunction
    /// Reference open-circuit potential U_ref(x, T) [V vs Li/Li⁺] (as written; see `openCircuitPotential`).
    public var ocp: ScalarFunction
    /// Entropic change dU/dT(x, T) [V K⁻¹].
    public var entropicChange: ScalarFunction
    /// Exchange-current density j0(x, c_s, c_e, T, c_max) [A m⁻²].
    public var exchangeCurrentDensity: ScalarFunction
    /// Density ρ [kg m⁻³], specific heat c_p [J kg⁻¹ K⁻¹], thermal conductivity λ [W m⁻¹ K⁻¹] (thermal only).
    public var density: Double?
    public var specificHeat: Double?
    public var thermalConductivity: Double?

    /// Surface area per unit electrode volume a = 3ε_s/R [m⁻¹].
    public var surfaceAreaPerVolume: Double { 3 * activeMaterialVolumeFraction / particleRadius }
    /// Stoichiometry of the stored initial concentration, c_init/c_max [-].
    public var initialStoichiometry: Double { initialConcentration / maxConcentration }

    /// Electrode capacity Q = ε_s·L·A·c_max·F/3600 [A h] for electrode area A [m²].
    public func capacity(area: Double) -> Double {
      activeMaterialVolumeFraction * thickness * area * maxConcentration * PhysicalConstants.faraday / 3600
    }

    /// Exchange-current density [A m⁻²] at stoichiometry x (c_s = x·c_max), electrolyte concentration
    /// c_e [mol m⁻³] and T [K]: the file's function, unregularised.
    public func exchangeCurrent(x: Double, ce: Double, temperature: Double) -> Double {
      exchangeCurrentDensity(x, x * maxConcentration, ce, temperature, maxConcentration)
    }
  }

  /// Section `separator`.
  public struct Separator: Sendable {
    /// Thickness L_s [m].
    public var thickness: Double
    /// Porosity ε_s [-] (may be 1: Marquis2019).
    public var porosity: Double
    /// Bruggeman exponent b_e [-].
    public var bruggemanElectrolyte: Double
    public var density: Double?
    public var specificHeat: Double?
    public var thermalConductivity: Double?
  }

  /// Section `electrolyte`: a binary electrolyte.
  public struct Electrolyte: Sendable {
    /// Initial (and SPM) concentration c_e0 [mol m⁻³].
    public var initialConcentration: Double
    /// Cation transference number t₊ [-].
    public var transferenceNumber: Double
    /// Thermodynamic factor 1 + d ln f/d ln c [-].
    public var thermodynamicFactor: Double
    /// Diffusivity D_e(c_e, T) [m² s⁻¹].
    public var diffusivity: ScalarFunction
    /// Ionic conductivity κ_e(c_e, T) [S m⁻¹].
    public var conductivity: ScalarFunction
  }

  // MARK: - Open-circuit potentials

  /// The open-circuit potential of the negative electrode [V] at stoichiometry x and temperature T [K].
  /// See `OpenCircuitPotential`; this is the one function every model and the eSOH use.
  public func negativeOCP(_ x: Double, _ temperature: Double) -> Double {
    OpenCircuitPotential.evaluate(negative.ocp, negative.entropicChange, cell.referenceTemperature, x, temperature)
  }

  /// The open-circuit potential of the positive electrode [V] at stoichiometry y and temperature T [K].
  public func positiveOCP(_ y: Double, _ temperature: Double) -> Double {
    OpenCircuitPotential.evaluate(positive.ocp, positive.entropicChange, cell.referenceTemperature, y, temperature)
  }

  /// Open-circuit voltage U_p(y, T) − U_n(x, T) [V].
  public func openCircuitVoltage(x: Double, y: Double, temperature: Double) -> Double {
    positiveOCP(y, temperature) - negativeOCP(x, temperature)
  }

  /// The negative electrode's OCP as a self-contained value (for code that needs it without the rest).
  public var negativeOpenCircuitPotential: OpenCircuitPotential {
    OpenCircuitPotential(
      reference: negative.ocp, entropicChange: negative.entropicChange,
      referenceTemperature: cell.referenceTemperature)
  }

  /// The positive electrode's OCP as a self-contained value.
  public var positiveOpenCircuitPotential: OpenCircuitPotential {
    OpenCircuitPotential(
      reference: positive.ocp, entropicChange: positive.entropicChange,
      referenceTemperature: cell.referenceTemperature)
  }

  // MARK: - Derived quantities

  /// Negative-electrode capacity Q_n = ε_s,n·L_n·A·c_n,max·F/3600 [A h].
  public var negativeCapacity: Double { negative.capacity(area: cell.area) }
  /// Positive-electrode capacity Q_p = ε_s,p·L_p·A·c_p,max·F/3600 [A h].
  public var positiveCapacity: Double { positive.capacity(area: cell.area) }

  /// Cyclable lithium in the particles, from the stored initial concentrations [A h]:
  ///
  ///     Q_Li = (ε_s,n·L_n·c_n,init + ε_s,p·L_p·c_p,init)·A·F/3600
  ///
  /// (electrolyte lithium excluded, as PyBaMM's eSOH does).
  public var lithiumInventory: Double {
    (negative.activeMaterialVolumeFraction * negative.thickness * negative.initialConcentration
      + positive.activeMaterialVolumeFraction * positive.thickness * positive.initialConcentration)
      * cell.area * PhysicalConstants.faraday / 3600
  }

  /// Lumped heat capacity [J K⁻¹]: `cell.thermal.heatCapacity` if given, else
  /// C = V·Σ_k ρ_k c_k L_k / Σ_k L_k over negative, separator and positive; `nil` without thermal data.
  public var lumpedHeatCapacity: Double? {
    guard let thermal = cell.thermal else { return nil }
    if let c = thermal.heatCapacity { return c }
    let layers: [(Double?, Double?, Double)] = [
      (negative.density, negative.specificHeat, negative.thickness),
      (separator.density, separator.specificHeat, separator.thickness),
      (positive.density, positive.specificHeat, positive.thickness),
    ]
    var sum = 0.0
    var length = 0.0
    for (rho, cp, l) in layers {
      guard let rho, let cp else { return nil }
      sum += rho * cp * l
      length += l
    }
    return thermal.volume * sum / length
  }

  /// The numbers `cellsim params check` prints: area, capacities, 1C, inventory, eSOH window.
  public var derivedQuantities: [DerivedQuantity] {
    var list: [DerivedQuantity] = [
      DerivedQuantity(name: "electrode area", value: cell.area, unit: "m^2"),
      DerivedQuantity(name: "1C current (nominal capacity / 1 h)", value: cell.oneCCurrent, unit: "A"),
      DerivedQuantity(name: "negative electrode capacity Q_n", value: negativeCapacity, unit: "A h"),
      DerivedQuantity(name: "positive electrode capacity Q_p", value: positiveCapacity, unit: "A h"),
      DerivedQuantity(name: "cyclable lithium inventory Q_Li", value: lithiumInventory, unit: "A h"),
      DerivedQuantity(
        name: "negative surface area per volume a_n", value: negative.surfaceAreaPerVolume, unit: "m^-1"),
      DerivedQuantity(
        name: "positive surface area per volume a_p", value: positive.surfaceAreaPerVolume, unit: "m^-1"),
      DerivedQuantity(name: "stored initial stoichiometry x_init", value: negative.initialStoichiometry, unit: ""),
      DerivedQuantity(name: "stored initial stoichiometry y_init", value: positive.initialStoichiometry, unit: ""),
      DerivedQuantity(
        name: "OCV at the stored concentrations",
        value: openCircuitVoltage(
          x: negative.initialStoichiometry, y: positive.initialStoichiometry, temperature: cell.referenceTemperature),
        unit: "V"),
    ]
    if let balance = try? electrodeBalance() {
      let full = balance.stoichiometries(atSOC: 1)
      list += [
        DerivedQuantity(name: "eSOH x_0", value: balance.x0, unit: ""),
        DerivedQuantity(name: "eSOH x_100", value: balance.x100, unit: ""),
        DerivedQuantity(name: "eSOH y_100", value: balance.y100, unit: ""),
        DerivedQuantity(name: "eSOH y_0", value: balance.y0, unit: ""),
        DerivedQuantity(name: "eSOH capacity Q", value: balance.capacity, unit: "A h"),
        DerivedQuantity(name: "initial stoichiometry x at SOC 1", value: full.x, unit: ""),
        DerivedQuantity(name: "initial stoichiometry y at SOC 1", value: full.y, unit: ""),
      ]
    }
    if let c = lumpedHeatCapacity {
      list.append(DerivedQuantity(name: "lumped heat capacity", value: c, unit: "J K^-1"))
    }
    if let stack { list += stack.derivedQuantities }
    return list
  }

  /// The electrode balance (eSOH window) of this cell at its reference temperature.
  /// - Throws: `CellModelError` if the OCV limits cannot be met with this lithium inventory.
  public func electrodeBalance() throws(CellModelError) -> ElectrodeBalance {
    try ElectrodeBalance(parameters: self)
  }

  // MARK: - Reading

  /// The eSOH window must exist: the electrodes must reach the cell's OCV limits.
  public func checkConsistency(reporting reader: ParameterReader) {
    do {
      _ = try electrodeBalance()
    } catch {
      reader.report(
        CellFileIssue(
          file: reader.fileName, path: "cell.ocv_at_soc_1_V", value: "\(cell.ocvAtSOC1)",
          problem: error.message, kind: .inconsistent))
    }
  }

  /// Reads every lithium-ion field through `reader`, recording problems in it. The result holds
  /// placeholders where fields are invalid: call `reader.finish()` before using it.
  public init(reading reader: ParameterReader) {
    header = reader.header(expectingChemistry: Self.chemistry)
    let cell = reader.section("cell", "cell size, limits and temperatures") { Self.readCell($0) }
    let tRef = cell.referenceTemperature.isFinite ? cell.referenceTemperature : 298.15
    let electrolyte = reader.section("electrolyte", "the electrolyte") { Self.readElectrolyte($0, tRef) }
    let ce0 = electrolyte.initialConcentration.isFinite ? electrolyte.initialConcentration : 1000
    (negative, negativePopulations) = reader.section("negative", "the negative electrode") {
      Self.readBlendedElectrode($0, tRef, ce0)
    }
    separator = reader.section("separator", "the separator") { Self.readSeparator($0) }
    (positive, positivePopulations) = reader.section("positive", "the positive electrode") {
      Self.readBlendedElectrode($0, tRef, ce0)
    }
    stack = reader.optionalSection("stack", "the layer recipe") { LayerStack.read(from: $0) }
    self.cell = cell
    self.electrolyte = electrolyte
    checkThermal(reader)
  }

  private static let length = "a length in metres"
  private static let concentration = "a concentration in mol/m^3"
  private static let temperature = "a temperature in kelvin"
  private static let stoichiometryGrid = FunctionSample.linspace(0.001, 0.999, count: 999)

  private static func readCell(_ s: ParameterSection) -> Cell {
    let nominal = s.number("nominal_capacity_Ah", .positive, "the capacity defining 1C, in A h")
    let height = s.number("electrode_height_m", .positive, length)
    let width = s.number("electrode_width_m", .positive, length)
    let parallel = s.integer("electrodes_in_parallel", .atLeast(1), "electrode pairs in parallel")
    let lower = s.number("lower_cutoff_V", .positive, "a voltage in volts")
    let upper = s.number("upper_cutoff_V", .positive, "a voltage in volts")
    let ocv0 = s.number("ocv_at_soc_0_V", .positive, "the open-circuit voltage defining 0 % SOC, in volts")
    let ocv1 = s.number("ocv_at_soc_1_V", .positive, "the open-circuit voltage defining 100 % SOC, in volts")
    let tRef = s.number("reference_temperature_K", .positive, temperature)
    let tAmb = s.number("ambient_temperature_K", .positive, temperature)
    let contact = s.number("contact_resistance_Ohm", .nonNegative, "a resistance in ohms")
    if lower.isFinite, upper.isFinite {
      s.require(lower < upper, "upper_cutoff_V", "must be greater than lower_cutoff_V = \(lower)")
    }
    if ocv0.isFinite, ocv1.isFinite {
      s.require(ocv0 < ocv1, "ocv_at_soc_1_V", "must be greater than ocv_at_soc_0_V = \(ocv0)")
    }
    let thermal = s.optionalSection("thermal", "lumped thermal data") { t in
      Thermal(
        heatTransferCoefficient: t.number(
          "heat_transfer_coefficient_W_m2_K", .nonNegative, "a heat-transfer coefficient in W/(m^2 K)"),
        coolingArea: t.number("cooling_area_m2", .positive, "an area in m^2"),
        volume: t.number("volume_m3", .positive, "the cell volume in m^3"),
        heatCapacity: t.optionalNumber("heat_capacity_J_K", .positive, "the cell heat capacity in J/K"))
    }
    return Cell(
      nominalCapacity: nominal, electrodeHeight: height, electrodeWidth: width, electrodesInParallel: parallel,
      lowerCutoff: lower, upperCutoff: upper, ocvAtSOC0: ocv0, ocvAtSOC1: ocv1, referenceTemperature: tRef,
      ambientTemperature: tAmb, contactResistance: contact, thermal: thermal)
  }

  /// An electrode section and its optional `populations` (at least two; each gives its share of the
  /// active material as `fraction_of_active_material` or `active_material_volume_fraction`, adding
  /// up to the section's, and its own `particle_radius_m`, `max_concentration_mol_m3`,
  /// `diffusivity_m2_s`, `ocp_V`, `exchange_current_density_A_m2`, optionally `entropic_change_V_K`).
  private static func readBlendedElectrode(_ s: ParameterSection, _ tRef: Double, _ ce0: Double) -> (
    Electrode, [Electrode]?
  ) {
    let electrode = readElectrode(s, tRef, ce0)
    guard
      let populations = s.optionalSectionArray(
        "populations", "a particle population", { readPopulation($0, electrode, tRef, ce0) })
    else { return (electrode, nil) }
    guard populations.count >= 2 else {
      s.report("populations", problem: "a blended electrode needs at least two populations (found \(populations.count))")
      return (electrode, nil)
    }
    let total = populations.map(\.activeMaterialVolumeFraction).reduce(0, +)
    if total.isFinite, electrode.activeMaterialVolumeFraction.isFinite {
      s.require(
        abs(total - electrode.activeMaterialVolumeFraction) <= 1e-6 * electrode.activeMaterialVolumeFraction,
        "populations",
        "the populations' active material adds up to \(total), not the electrode's active_material_volume_fraction "
          + "\(electrode.activeMaterialVolumeFraction) (fractions of active material must add up to 1)")
    }
    return (electrode, populations)
  }

  private static func readPopulation(_ s: ParameterSection, _ electrode: Electrode, _ tRef: Double, _ ce0: Double)
    -> Electrode
  {
    var e = electrode
    let share = s.optionalNumber("fraction_of_active_material", .unitExcludingZero, "the population's share of the electrode's active material")
    let own = s.optionalNumber("active_material_volume_fraction", .openUnit, "the population's volume fraction")
    switch (share, own) {
    case (let f?, nil): e.activeMaterialVolumeFraction = f * electrode.activeMaterialVolumeFraction
    case (nil, let v?): e.activeMaterialVolumeFraction = v
    case (nil, nil):
      s.report(
        "fraction_of_active_material", problem: "missing (give fraction_of_active_material or active_material_volume_fraction)",
        kind: .missing)
      e.activeMaterialVolumeFraction = .nan
    default:
      s.report("active_material_volume_fraction", problem: "give either fraction_of_active_material or active_material_volume_fraction, not both")
      e.activeMaterialVolumeFraction = .nan
    }
    e.particleRadius = s.number("particle_radius_m", .positive, length)
    e.maxConcentration = s.number("max_concentration_mol_m3", .positive, concentration)
    let xVars = LithiumIonParameters.electrodeFunctionVariables
    let xSample = FunctionSample.grid([stoichiometryGrid, [tRef]], description: "x in [0.001, 0.999] at T = \(tRef) K")
    e.diffusivity = s.function(
      "diffusivity_m2_s", variables: xVars, sample: xSample, .positive, "particle diffusivity D(x, T) in m^2/s")
    // Tabulated on x ∈ [0, 1] when U does not depend on T (see ScalarFunction.tabulated(over:)).
    e.ocp = s.function("ocp_V", variables: xVars, sample: xSample, .finite, "open-circuit potential U(x, T) in volts")
      .tabulated(over: 0...1)
    if let dUdT = s.optionalFunction(
      "entropic_change_V_K", variables: xVars, sample: xSample, .finite, "entropic change dU/dT(x, T) in V/K")
    {
      e.entropicChange = dUdT
    }
    let cMaxSample = e.maxConcentration.isFinite ? e.maxConcentration : 1e4
    let j0Sample = FunctionSample(
      points: stoichiometryGrid.map { [$0, $0 * cMaxSample, ce0, tRef, cMaxSample] },
      description: "x in [0.001, 0.999], cs = x·cmax, ce = \(ce0) mol/m^3, T = \(tRef) K")
    e.exchangeCurrentDensity = s.function(
      "exchange_current_density_A_m2", variables: LithiumIonParameters.exchangeCurrentVariables,
      sample: j0Sample, .positive, "exchange-current density j0(x, cs, ce, T, cmax) in A/m^2")
    return e
  }

  private static func readElectrode(_ s: ParameterSection, _ tRef: Double, _ ce0: Double) -> Electrode {
    let thickness = s.number("thickness_m", .positive, length)
    let radius = s.number("particle_radius_m", .positive, length)
    let epsS = s.number("active_material_volume_fraction", .openUnit, "a volume fraction")
    let eps = s.number("porosity", .openUnit, "the electrolyte volume fraction")
    if eps.isFinite, epsS.isFinite {
      s.require(
        eps + epsS <= 1 + 1e-12, "active_material_volume_fraction",
        "porosity + active_material_volume_fraction = \(eps + epsS); must be ≤ 1")
    }
    let bE = s.number("bruggeman_electrolyte", .nonNegative, "a Bruggeman exponent")
    let bS = s.number("bruggeman_electrode", .nonNegative, "a Bruggeman exponent")
    let sigma = s.number("conductivity_S_m", .positive, "an electronic conductivity in S/m")
    let cMax = s.number("max_concentration_mol_m3", .positive, concentration)
    let c0 = s.number("initial_concentration_mol_m3", .nonNegative, concentration)
    if c0.isFinite, cMax.isFinite {
      s.require(
        c0 <= cMax, "initial_concentration_mol_m3",
        "stoichiometry \(c0 / cMax) = initial_concentration_mol_m3 / max_concentration_mol_m3 must be in [0, 1]")
    }
    let xVars = LithiumIonParameters.electrodeFunctionVariables
    let xSample = FunctionSample.grid(
      [stoichiometryGrid, [tRef]], description: "x in [0.001, 0.999] at T = \(tRef) K")
    let diffusivity = s.function(
      "diffusivity_m2_s", variables: xVars, sample: xSample, .positive, "particle diffusivity D(x, T) in m^2/s")
    let ocp = s.function(
      "ocp_V", variables: xVars, sample: xSample, .finite, "open-circuit potential U(x, T) in volts")
      .tabulated(over: 0...1)
    let dUdT = s.function(
      "entropic_change_V_K", variables: xVars, sample: xSample, .finite, "entropic change dU/dT(x, T) in V/K")
    let cMaxSample = cMax.isFinite ? cMax : 1e4
    let j0Sample = FunctionSample(
      points: stoichiometryGrid.map { [$0, $0 * cMaxSample, ce0, tRef, cMaxSample] },
      description: "x in [0.001, 0.999], cs = x·cmax, ce = \(ce0) mol/m^3, T = \(tRef) K")
    let j0 = s.function(
      "exchange_current_density_A_m2", variables: LithiumIonParameters.exchangeCurrentVariables,
      sample: j0Sample, .positive, "exchange-current density j0(x, cs, ce, T, cmax) in A/m^2")
    let density = s.optionalNumber("density_kg_m3", .positive, "a density in kg/m^3")
    let cp = s.optionalNumber("specific_heat_J_kg_K", .positive, "a specific heat in J/(kg K)")
    let lambda = s.optionalNumber("thermal_conductivity_W_m_K", .positive, "a thermal conductivity in W/(m K)")
    return Electrode(
      thickness: thickness, particleRadius: radius, activeMaterialVolumeFraction: epsS, porosity: eps,
      bruggemanElectrolyte: bE, bruggemanElectrode: bS, conductivity: sigma, maxConcentration: cMax,
      initialConcentration: c0, diffusivity: diffusivity, ocp: ocp, entropicChange: dUdT,
      exchangeCurrentDensity: j0, density: density, specificHeat: cp, thermalConductivity: lambda)
  }

  private static func readSeparator(_ s: ParameterSection) -> Separator {
    Separator(
      thickness: s.number("thickness_m", .positive, length),
      porosity: s.number("porosity", .unitExcludingZero, "the electrolyte volume fraction"),
      bruggemanElectrolyte: s.number("bruggeman_electrolyte", .nonNegative, "a Bruggeman exponent"),
      density: s.optionalNumber("density_kg_m3", .positive, "a density in kg/m^3"),
      specificHeat: s.optionalNumber("specific_heat_J_kg_K", .positive, "a specific heat in J/(kg K)"),
      thermalConductivity: s.optionalNumber(
        "thermal_conductivity_W_m_K", .positive, "a thermal conductivity in W/(m K)"))
  }

  private static func readElectrolyte(_ s: ParameterSection, _ tRef: Double) -> Electrolyte {
    let vars = LithiumIonParameters.electrolyteFunctionVariables
    let sample = FunctionSample.grid(
      [FunctionSample.linspace(100, 3000, count: 291), [tRef]],
      description: "ce in [100, 3000] mol/m^3 at T = \(tRef) K")
    return Electrolyte(
      initialConcentration: s.number("initial_concentration_mol_m3", .positive, concentration),
      transferenceNumber: s.number("transference_number", .openUnit, "the cation transference number t+"),
      thermodynamicFactor: s.number("thermodynamic_factor", .positive, "1 + dln f/dln c"),
      diffusivity: s.function(
        "diffusivity_m2_s", variables: vars, sample: sample, .positive, "electrolyte diffusivity De(ce, T) in m^2/s"),
      conductivity: s.function(
        "conductivity_S_m", variables: vars, sample: sample, .positive, "ionic conductivity kappa(ce, T) in S/m"))
  }

  /// A thermal block without a heat capacity needs density and specific heat in every layer.
  private func checkThermal(_ reader: ParameterReader) {
    guard let thermal = cell.thermal, thermal.heatCapacity == nil else { return }
    var absent: [String] = []
    for (name, rho, cp) in [
      ("negative", negative.density, negative.specificHeat),
      ("separator", separator.density, separator.specificHeat),
      ("positive", positive.density, positive.specificHeat),
    ] {
      if rho == nil { absent.append("\(name).density_kg_m3") }
      if cp == nil { absent.append("\(name).specific_heat_J_kg_K") }
    }
    guard !absent.isEmpty else { return }
    reader.report(
      CellFileIssue(
        file: reader.fileName, path: "cell.thermal.heat_capacity_J_K",
        problem: "missing (the cell heat capacity in J/K); needed because "
          + absent.joined(separator: ", ") + " \(absent.count == 1 ? "is" : "are") not given",
        kind: .missing))
  }
}

/// An electrode's open-circuit potential as PyBaMM evaluates it, used by the eSOH and every model:
///
///     U(s, T) = U_ref(ŝ, T) + (T − T_ref)·dU/dT(ŝ, T) + U_asym(s),   ŝ = clip(s, 1e-10, 1 − 1e-10)
///     U_asym(s) = g(s) − g(1 − s),   g(s) = a·ln(1 + exp(−b·(s − c)))
///
/// with a = 205.0568621937484 V, b = 6910.192179565431, c = −7.7e-4: a barrier that pushes the
/// stoichiometry back into (0, 1) (1 mV at s = 0.001, < 1e-11 V for 0.004 ≤ s ≤ 0.996).
/// U_ref is evaluated at the actual temperature, so a file may give a temperature-dependent OCP and set
/// `entropic_change_V_K` to 0 instead.
public struct OpenCircuitPotential: Sendable {
  /// U_ref(x, T) [V].
  public var reference: ScalarFunction
  /// dU/dT(x, T) [V K⁻¹].
  public var entropicChange: ScalarFunction
  /// T_ref [K].
  public var referenceTemperature: Double

  public init(reference: ScalarFunction, entropicChange: ScalarFunction, referenceTemperature: Double) {
    self.reference = reference
    self.entropicChange = entropicChange
    self.referenceTemperature = referenceTemperature
  }

  /// U(s, T) [V].
  @inline(__always)
  public func callAsFunction(_ stoichiometry: Double, _ temperature: Double) -> Double {
    Self.evaluate(reference, entropicChange, referenceTemperature, stoichiometry, temperature)
  }

  /// Lower and upper clip of the stoichiometry inside U_ref and dU/dT.
  public static let clipLimit = 1e-10
  static let barrierA = 205.0568621937484
  static let barrierB = 6910.192179565431
  static let barrierC = -7.7e-4

  /// PyBaMM's barrier term U_asym(s) = g(s) − g(1 − s) [V].
  @inline(__always)
  public static func barrier(_ s: Double) -> Double {
    softplusBarrier(s) - softplusBarrier(1 - s)
  }

  /// g(s) = a·ln(1 + exp(−b(s − c))), evaluated without overflow; 0 where it is below a·e^{−40} ≈
  /// 9e-16 V (s > 0.0050), under the rounding of U itself, so most calls cost no logarithm.
  @inline(__always)
  static func softplusBarrier(_ s: Double) -> Double {
    let z = -barrierB * (s - barrierC)
    if z < -40 { return 0 }
    let softplus = z > 30 ? z + log1p(exp(-z)) : log1p(exp(z))
    return barrierA * softplus
  }

  @inline(__always)
  static func evaluate(
    _ reference: ScalarFunction, _ entropic: ScalarFunction, _ tRef: Double, _ s: Double, _ t: Double
  ) -> Double {
    let clipped = min(max(s, clipLimit), 1 - clipLimit)
    var u = reference(clipped, t) + barrier(s)
    if t != tRef { u += (t - tRef) * entropic(clipped, t) }
    return u
  }
}
