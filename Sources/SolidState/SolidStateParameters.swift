// CellSim — SolidState/SolidStateParameters.swift
//
// Typed, validated parameters of an all-solid-state cell, Li metal | solid-electrolyte separator |
// composite cathode, as read from a `cellsim.cell/1` file with `"chemistry": "solid-state"`. Fields, units
// and accepted ranges: docs/models/solid-state.md. Conventions: SI units, current I > 0 on discharge,
// x = c/c_max the cathode stoichiometry (lithiated: high x).

import CellCore
import CellParameters
import Foundation

/// Everything the solid-state model needs; built by `load(contentsOf:)`, which checks every field.
public struct SolidStateParameters: CellFileSchema {
  /// The `chemistry` string of solid-state cell files.
  public static let chemistry = "solid-state"
  /// Variables of the temperature-only functions (conductivities, Li exchange current): T [K].
  public static let temperatureVariables = ["T"]
  /// Variables of the cathode functions (OCP, diffusivity, exchange current): stoichiometry x [-], T [K].
  public static let cathodeFunctionVariables = ["x", "T"]

  public var header: CellFileHeader
  public var cell: Cell
  public var negative: Negative
  public var separator: Separator
  public var positive: Positive
  /// The layer recipe (mass and volume per area), if the file has one.
  public var stack: LayerStack?

  /// Section `cell`.
  public struct Cell: Sendable {
    /// Electrode area A [m²].
    public var area: Double
    /// Voltage limits [V]; every step ends on them.
    public var lowerCutoff: Double
    public var upperCutoff: Double
    /// Ambient (and cell: isothermal) temperature [K].
    public var ambientTemperature: Double
  }

  /// Section `negative`: the lithium-metal electrode (planar reservoir, U_Li = 0).
  public struct Negative: Sendable {
    /// Excess lithium foil L_Li,excess [m] left when the cathode is at x_0 (0: anode-free).
    public var excessThickness: Double
    /// Molar volume of Li metal V̄_Li [m³ mol⁻¹].
    public var molarVolume: Double
    /// Li|SE exchange-current density j0_Li(T) [A m⁻²].
    public var exchangeCurrentDensity: ScalarFunction
    /// Li|SE interfacial (contact) resistance ASR_Li [Ω m²].
    public var interfaceResistance: Double
  }

  /// Section `separator`: the dense solid-electrolyte separator.
  public struct Separator: Sendable {
    /// Thickness L_sep [m].
    public var thickness: Double
    /// Ionic conductivity σ_sep(T) [S m⁻¹].
    public var conductivity: ScalarFunction
  }

  /// Section `positive`: the composite cathode.
  public struct Positive: Sendable {
    /// Thickness L_cat [m].
    public var thickness: Double
    /// CAM particle radius R_p [m].
    public var particleRadius: Double
    /// Volume fractions ε_AM, ε_SE, ε_C [-]; the void is 1 − their sum.
    public var activeMaterialVolumeFraction: Double
    public var electrolyteVolumeFraction: Double
    public var conductiveAdditiveVolumeFraction: Double
    /// Ionic tortuosity factor τ [-]: σ_eff = σ_SE,cat·ε_SE/τ.
    public var tortuosity: Double
    /// Catholyte conductivity σ_SE,cat(T) [S m⁻¹].
    public var electrolyteConductivity: ScalarFunction
    /// Effective electronic conductivity σ_el,eff [S m⁻¹].
    public var electronicConductivity: Double
    /// c_max [mol m⁻³].
    public var maxConcentration: Double
    /// D(x, T) [m² s⁻¹].
    public var diffusivity: ScalarFunction
    /// U_p(x, T) [V vs Li/Li⁺].
    public var ocp: ScalarFunction
    /// j0_p(x, T) [A per m² CAM surface].
    public var exchangeCurrentDensity: ScalarFunction
    /// CAM|SE film resistance ASR_cat [Ω m², cell-area basis].
    public var interfaceResistance: Double
    /// Stoichiometry at 100 % and 0 % SOC, x_100 < x_0 [-].
    public var stoichiometryAtSOC1: Double
    public var stoichiometryAtSOC0: Double
    /// Window of the surface stoichiometry [x_s,min, x_s,max]: steps end when x_s leaves it.
    public var surfaceStoichiometryMin: Double
    public var surfaceStoichiometryMax: Double

    /// a = 3 ε_AM / R_p [m⁻¹].
    public var surfaceAreaPerVolume: Double { 3 * activeMaterialVolumeFraction / particleRadius }
    /// S = a L_cat [-].
    public var roughness: Double { surfaceAreaPerVolume * thickness }
    /// Void fraction 1 − ε_AM − ε_SE − ε_C [-].
    public var voidFraction: Double {
      1 - activeMaterialVolumeFraction - electrolyteVolumeFraction - conductiveAdditiveVolumeFraction
    }
    /// CAM lithium sites per cell area ε_AM L_cat c_max [mol m⁻²].
    public var sitesPerArea: Double { activeMaterialVolumeFraction * thickness * maxConcentration }
  }

  // MARK: - Derived quantities

  /// Q_nom = A ε_AM L_cat c_max (x_0 − x_100) F / 3600 [A h]; defines 1C.
  public var nominalCapacity: Double {
    cell.area * positive.sitesPerArea * (positive.stoichiometryAtSOC0 - positive.stoichiometryAtSOC1)
      * PhysicalConstants.faraday / 3600
  }

  /// σ_eff = σ_SE,cat(T) ε_SE / τ [S m⁻¹].
  public func effectiveIonicConductivity(_ temperature: Double) -> Double {
    positive.electrolyteConductivity(temperature) * positive.electrolyteVolumeFraction / positive.tortuosity
  }

  /// The parts of R_Ω [Ω m²] at temperature T: separator, composite ionic, composite electronic, ASRs.
  public func resistances(_ temperature: Double) -> (
    separator: Double, compositeIonic: Double, compositeElectronic: Double, interfaces: Double
  ) {
    (
      separator.thickness / separator.conductivity(temperature),
      positive.thickness / (3 * effectiveIonicConductivity(temperature)),
      positive.thickness / (3 * positive.electronicConductivity),
      negative.interfaceResistance + positive.interfaceResistance
    )
  }

  /// R_Ω = L_sep/σ_sep + (L_cat/3)(1/σ_eff + 1/σ_el,eff) + ASR_Li + ASR_cat [Ω m²].
  public func ohmicResistance(_ temperature: Double) -> Double {
    let r = resistances(temperature)
    return r.separator + r.compositeIonic + r.compositeElectronic + r.interfaces
  }

  /// Li-metal thickness at cathode stoichiometry x̄: L_excess + (x_0 − x̄)·ε_AM L_cat c_max·V̄_Li [m].
  public func lithiumMetalThickness(atStoichiometry x: Double) -> Double {
    negative.excessThickness + (positive.stoichiometryAtSOC0 - x) * positive.sitesPerArea * negative.molarVolume
  }

  /// Cyclable lithium per cell area (metal + cathode), fixed by the file:
  /// L_excess/V̄_Li + x_0 ε_AM L_cat c_max [mol m⁻²].
  public var lithiumInventoryPerArea: Double {
    negative.excessThickness / negative.molarVolume + positive.stoichiometryAtSOC0 * positive.sitesPerArea
  }

  /// Stack energy-density inputs at C/10 (mass, volume per area with plated Li of the nominal capacity).
  public var derivedQuantities: [DerivedQuantity] {
    let t = cell.ambientTemperature
    let r = resistances(t)
    let faraday = PhysicalConstants.faraday
    let gasRT = PhysicalConstants.gas * t / faraday
    var list: [DerivedQuantity] = [
      DerivedQuantity(name: "electrode area A", value: cell.area, unit: "m^2"),
      DerivedQuantity(name: "nominal capacity Q_nom (defines 1C)", value: nominalCapacity, unit: "A h"),
      DerivedQuantity(name: "areal capacity Q_nom/A", value: nominalCapacity / cell.area, unit: "A h m^-2"),
      DerivedQuantity(name: "1C current", value: nominalCapacity, unit: "A"),
      DerivedQuantity(name: "C/10 current", value: nominalCapacity / 10, unit: "A"),
      DerivedQuantity(name: "cathode void fraction", value: positive.voidFraction, unit: ""),
      DerivedQuantity(name: "CAM surface per volume a", value: positive.surfaceAreaPerVolume, unit: "m^-1"),
      DerivedQuantity(name: "CAM surface per cell area S", value: positive.roughness, unit: ""),
      DerivedQuantity(name: "effective catholyte conductivity sigma_eff", value: effectiveIonicConductivity(t), unit: "S m^-1"),
      DerivedQuantity(name: "separator resistance L_sep/sigma_sep", value: r.separator, unit: "Ohm m^2"),
      DerivedQuantity(name: "composite ionic resistance L_cat/(3 sigma_eff)", value: r.compositeIonic, unit: "Ohm m^2"),
      DerivedQuantity(
        name: "composite electronic resistance L_cat/(3 sigma_el,eff)", value: r.compositeElectronic, unit: "Ohm m^2"),
      DerivedQuantity(name: "ohmic resistance R_Omega", value: ohmicResistance(t), unit: "Ohm m^2"),
      DerivedQuantity(
        name: "Li charge-transfer resistance RT/(F j0_Li)", value: gasRT / negative.exchangeCurrentDensity(t),
        unit: "Ohm m^2"),
      DerivedQuantity(
        name: "cathode charge-transfer resistance RT/(F j0_p(0.5) S)",
        value: gasRT / (positive.exchangeCurrentDensity(0.5, t) * positive.roughness), unit: "Ohm m^2"),
      DerivedQuantity(
        name: "diffusion time R_p^2/D(x_100)",
        value: positive.particleRadius * positive.particleRadius
          / positive.diffusivity(positive.stoichiometryAtSOC1, t), unit: "s"),
      DerivedQuantity(
        name: "Li metal thickness at SOC 1", value: lithiumMetalThickness(atStoichiometry: positive.stoichiometryAtSOC1),
        unit: "m"),
      DerivedQuantity(
        name: "Li metal thickness at SOC 0", value: lithiumMetalThickness(atStoichiometry: positive.stoichiometryAtSOC0),
        unit: "m"),
      DerivedQuantity(name: "lithium inventory (metal + cathode)", value: lithiumInventoryPerArea * cell.area, unit: "mol"),
    ]
    if let stack {
      list += stack.derivedQuantities
      let qArea = nominalCapacity / cell.area
      list.append(
        DerivedQuantity(
          name: "stack volume per area incl. Li plated for Q_nom (C/10 energy-density input)",
          value: stack.chargedVolumePerArea(chargePerArea: qArea), unit: "m^3 m^-2"))
      list.append(
        DerivedQuantity(
          name: "stack mass per area (C/10 energy-density input)", value: stack.massPerArea, unit: "kg m^-2"))
    }
    return list
  }

  // MARK: - Reading

  /// Reads every solid-state field through `reader`, recording problems in it; call `reader.finish()`
  /// before using the result.
  public init(reading reader: ParameterReader) {
    header = reader.header(expectingChemistry: Self.chemistry)
    let cell = reader.section("cell", "cell area, voltage limits, temperature") { Self.readCell($0) }
    let t = cell.ambientTemperature.isFinite ? cell.ambientTemperature : 298.15
    negative = reader.section("negative", "the lithium-metal electrode") { Self.readNegative($0, t) }
    separator = reader.section("separator", "the solid-electrolyte separator") { Self.readSeparator($0, t) }
    positive = reader.section("positive", "the composite cathode") { Self.readPositive($0, t) }
    stack = reader.optionalSection("stack", "the layer recipe") { LayerStack.read(from: $0) }
    self.cell = cell
    checkStack(reader)
  }

  private static let length = "a length in metres"
  /// Temperatures at which T-functions are checked: −40 °C to 100 °C.
  private static let temperatureGrid = FunctionSample.linspace(233.15, 373.15, count: 15)
  private static let stoichiometryGrid = FunctionSample.linspace(0.001, 0.999, count: 999)

  private static func readCell(_ s: ParameterSection) -> Cell {
    let area = s.number("electrode_area_m2", .positive, "the electrode area in m^2")
    let lower = s.number("lower_cutoff_V", .positive, "a voltage in volts")
    let upper = s.number("upper_cutoff_V", .positive, "a voltage in volts")
    let t = s.number("ambient_temperature_K", .positive, "a temperature in kelvin")
    if lower.isFinite, upper.isFinite {
      s.require(lower < upper, "upper_cutoff_V", "must be greater than lower_cutoff_V = \(lower)")
    }
    return Cell(area: area, lowerCutoff: lower, upperCutoff: upper, ambientTemperature: t)
  }

  private static func temperatureSample(_ t: Double) -> FunctionSample {
    FunctionSample.grid([Array(Set(temperatureGrid + [t])).sorted()], description: "T in [233.15, 373.15] K")
  }

  private static func readNegative(_ s: ParameterSection, _ t: Double) -> Negative {
    Negative(
      excessThickness: s.number(
        "excess_lithium_thickness_m", .nonNegative, "Li foil left at 0 % SOC in metres (0: anode-free)"),
      molarVolume: s.number("molar_volume_m3_mol", .positive, "the molar volume of Li metal in m^3/mol"),
      exchangeCurrentDensity: s.function(
        "exchange_current_density_A_m2", variables: temperatureVariables, sample: temperatureSample(t), .positive,
        "Li|SE exchange-current density j0_Li(T) in A/m^2"),
      interfaceResistance: s.number(
        "interface_resistance_Ohm_m2", .nonNegative, "Li|SE area-specific resistance in Ohm m^2"))
  }

  private static func readSeparator(_ s: ParameterSection, _ t: Double) -> Separator {
    Separator(
      thickness: s.number("thickness_m", .positive, length),
      conductivity: s.function(
        "conductivity_S_m", variables: temperatureVariables, sample: temperatureSample(t), .positive,
        "ionic conductivity sigma_SE(T) of the separator in S/m"))
  }

  private static func readPositive(_ s: ParameterSection, _ t: Double) -> Positive {
    let thickness = s.number("thickness_m", .positive, length)
    let radius = s.number("particle_radius_m", .positive, length)
    let epsAM = s.number("active_material_volume_fraction", .openUnit, "the CAM volume fraction")
    let epsSE = s.number("electrolyte_volume_fraction", .openUnit, "the catholyte (SE) volume fraction")
    let epsC = s.number(
      "conductive_additive_volume_fraction", .closed(0, 1), "the conductive-additive volume fraction")
    if epsAM.isFinite, epsSE.isFinite, epsC.isFinite {
      let sum = epsAM + epsSE + epsC
      s.require(
        sum <= 1 + 1e-12, "active_material_volume_fraction",
        "active_material_volume_fraction + electrolyte_volume_fraction + conductive_additive_volume_fraction = \(sum); must be ≤ 1")
    }
    let tau = s.number("tortuosity", .atLeast(1), "the ionic tortuosity factor tau (sigma_eff = sigma eps/tau)")
    let sigmaSE = s.function(
      "electrolyte_conductivity_S_m", variables: temperatureVariables, sample: temperatureSample(t), .positive,
      "catholyte ionic conductivity sigma_SE(T) in S/m")
    let sigmaEl = s.number("electronic_conductivity_S_m", .positive, "the effective electronic conductivity in S/m")
    let cMax = s.number("max_concentration_mol_m3", .positive, "a concentration in mol/m^3")
    let xVars = cathodeFunctionVariables
    let xSample = FunctionSample.grid([stoichiometryGrid, [t]], description: "x in [0.001, 0.999] at T = \(t) K")
    let d = s.function("diffusivity_m2_s", variables: xVars, sample: xSample, .positive, "CAM diffusivity D(x, T) in m^2/s")
    let ocp = s.function("ocp_V", variables: xVars, sample: xSample, .finite, "open-circuit potential U_p(x, T) in V vs Li")
      .tabulated(over: 0...1)
    let j0 = s.function(
      "exchange_current_density_A_m2", variables: xVars, sample: xSample, .positive,
      "CAM|SE exchange-current density j0_p(x, T) in A per m^2 of CAM surface")
    let asr = s.number("interface_resistance_Ohm_m2", .nonNegative, "CAM|SE film resistance in Ohm m^2 (cell area)")
    let x100 = s.number("stoichiometry_at_soc_1", .closedUnit, "the cathode stoichiometry x_100 at 100 % SOC")
    let x0 = s.number("stoichiometry_at_soc_0", .closedUnit, "the cathode stoichiometry x_0 at 0 % SOC")
    let xMin = s.number("surface_stoichiometry_min", .closedUnit, "the lower end of the surface-stoichiometry window")
    let xMax = s.number("surface_stoichiometry_max", .closedUnit, "the upper end of the surface-stoichiometry window")
    if x100.isFinite, x0.isFinite {
      s.require(x100 < x0, "stoichiometry_at_soc_0", "must be greater than stoichiometry_at_soc_1 = \(x100)")
    }
    if xMin.isFinite, xMax.isFinite {
      s.require(xMin < xMax, "surface_stoichiometry_max", "must be greater than surface_stoichiometry_min = \(xMin)")
    }
    if x100.isFinite, xMin.isFinite {
      s.require(
        xMin <= x100, "surface_stoichiometry_min",
        "must be ≤ stoichiometry_at_soc_1 = \(x100) (the window must contain [x_100, x_0])")
    }
    if x0.isFinite, xMax.isFinite {
      s.require(
        x0 <= xMax, "surface_stoichiometry_max",
        "must be ≥ stoichiometry_at_soc_0 = \(x0) (the window must contain [x_100, x_0])")
    }
    return Positive(
      thickness: thickness, particleRadius: radius, activeMaterialVolumeFraction: epsAM,
      electrolyteVolumeFraction: epsSE, conductiveAdditiveVolumeFraction: epsC, tortuosity: tau,
      electrolyteConductivity: sigmaSE, electronicConductivity: sigmaEl, maxConcentration: cMax, diffusivity: d,
      ocp: ocp, exchangeCurrentDensity: j0, interfaceResistance: asr, stoichiometryAtSOC1: x100,
      stoichiometryAtSOC0: x0, surfaceStoichiometryMin: xMin, surfaceStoichiometryMax: xMax)
  }

  /// The stack must describe the same cell as the electrochemical sections: the positive-electrode,
  /// separator and (if present) negative-electrode layers have the sections' thicknesses, and the
  /// active material of the positive layer has ε_AM.
  private func checkStack(_ reader: ParameterReader) {
    guard let stack else { return }
    func check(_ role: LayerStack.Role, _ expected: Double, _ field: String, required: Bool) {
      guard expected.isFinite else { return }
      let matches = stack.layers.enumerated().filter { $0.element.role == role }
      if matches.isEmpty {
        if required {
          reader.report(
            CellFileIssue(
              file: reader.fileName, path: "stack.layers",
              problem: "no layer with role \"\(role.rawValue)\" (\(field) = \(expected) needs one)", kind: .inconsistent))
        }
        return
      }
      let total = matches.reduce(0) { $0 + $1.element.thickness }
      if abs(total - expected) > 1e-9 * max(expected, 1e-6) {
        let i = matches[0].offset
        reader.report(
          CellFileIssue(
            file: reader.fileName, path: "stack.layers[\(i)].thickness_m", value: "\(total)",
            problem: "\"\(role.rawValue)\" layer thickness differs from \(field) = \(expected)", kind: .inconsistent))
      }
    }
    check(.positiveElectrode, positive.thickness, "positive.thickness_m", required: true)
    check(.separator, separator.thickness, "separator.thickness_m", required: true)
    check(.negativeElectrode, negative.excessThickness, "negative.excess_lithium_thickness_m",
      required: negative.excessThickness > 0)
    if let (i, layer) = stack.layers.enumerated().first(where: { $0.element.role == .positiveElectrode }),
      positive.activeMaterialVolumeFraction.isFinite
    {
      let active = layer.components.filter { $0.material.kind == .active }.reduce(0) { $0 + $1.volumeFraction }
      if abs(active - positive.activeMaterialVolumeFraction) > 1e-6 {
        reader.report(
          CellFileIssue(
            file: reader.fileName, path: "stack.layers[\(i)]", value: "\(active)",
            problem: "active-material volume fraction differs from positive.active_material_volume_fraction = \(positive.activeMaterialVolumeFraction)",
            kind: .inconsistent))
      }
    }
    if stack.plating == nil {
      reader.report(
        CellFileIssue(
          file: reader.fileName, path: "stack.plating",
          problem: "missing (a lithium-metal cell plates Li on charge: give its material and molar_volume_m3_mol)",
          kind: .missing))
    }
  }
}
