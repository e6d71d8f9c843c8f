// CellSim — LithiumSulfur/LithiumSulfurParameters.swift
//
// Typed, validated parameters of a lithium-sulfur cell as read from a `cellsim.cell/1` file with
// `"chemistry": "lithium-sulfur"` (field by field in docs/models/lithium-sulfur.md). The model is the
// zero-dimensional one of Marinescu et al. (2016, 2018): five sulfur species masses in grams, two
// electrochemical reactions, precipitation of S(2−) and a polysulfide shuttle.
//
// Units: the file is SI with the unit in each name (electrolyte volume in m³, precipitate density in
// kg m⁻³); the model works in the paper's units (grams, litres, g L⁻¹), converted once here.

import CellCore
import CellParameters
import Foundation

/// Everything the lithium-sulfur model needs. Built by `load(contentsOf:)`, which checks every field,
/// so a value in hand is valid.
public struct LithiumSulfurParameters: CellFileSchema {
  /// The `chemistry` string of lithium-sulfur cell files.
  public static let chemistry = "lithium-sulfur"
  /// Names of the five sulfur species, in state order.
  public static let speciesNames = ["S8", "S4", "S2", "S", "Sp"]
  /// Sulfur atoms per species S8, S4, S2, S (the precipitate Sp is counted in grams of sulfur).
  public static let atomsPerSpecies: (s8: Double, s4: Double, s2: Double, s: Double) = (8, 4, 2, 1)

  public var header: CellFileHeader
  public var cell: Cell
  public var reactions: Reactions
  public var electrolyte: Electrolyte
  public var precipitation: Precipitation
  public var shuttle: Shuttle
  public var initialState: InitialState
  /// The layer stack (section `stack`, optional; `CellParameters.LayerStack`): sulfur loading, carbon
  /// host, electrolyte, lithium foil and their densities. Not used by the model; gives the design
  /// quantities in `derivedQuantities` and the stack energy densities.
  public var stack: LayerStack?

  // MARK: - Sections

  /// Section `cell`: capacity, limits, temperature.
  public struct Cell: Sendable {
    /// Nominal capacity [A h]; defines 1C.
    public var nominalCapacity: Double
    /// Where the nominal capacity comes from.
    public var nominalCapacitySource: String
    /// Lower / upper voltage cut-off [V].
    public var lowerCutoff: Double
    public var upperCutoff: Double
    /// Default ambient (isothermal cell) temperature [K].
    public var ambientTemperature: Double
  }

  /// Section `reactions`: the high-plateau (S8 + 4e → 2 S4) and low-plateau (S4 + 4e → S2 + 2 S) reactions.
  public struct Reactions: Sendable {
    /// Electrons per reaction n_e [-].
    public var electronsPerReaction: Double
    /// Molar mass of sulfur M_S [g mol⁻¹].
    public var sulfurMolarMass: Double
    /// Active reaction area a_r [m²].
    public var reactionArea: Double
    /// Standard potentials E_H0, E_L0 [V] (for mass concentrations in g L⁻¹).
    public var highStandardPotential: Double
    public var lowStandardPotential: Double
    /// Exchange-current densities i_H0, i_L0 [A m⁻²].
    public var highExchangeCurrentDensity: Double
    public var lowExchangeCurrentDensity: Double
  }

  /// Section `electrolyte`.
  public struct Electrolyte: Sendable {
    /// Electrolyte volume v [m³].
    public var volume: Double
    /// v in litres (the unit of the Nernst concentrations).
    public var volumeLitres: Double { volume * 1000 }
  }

  /// Section `precipitation`: S(2−) ⇌ Sp at rate r = k_p·Sp·(S − S*)/(v·ρ_s).
  public struct Precipitation: Sendable {
    /// k_p [s⁻¹].
    public var rateConstant: Double
    /// Saturation mass S* [g].
    public var saturationMass: Double
    /// Density of precipitated sulfur ρ_s [kg m⁻³] (= g L⁻¹).
    public var precipitateDensity: Double
  }

  /// Section `shuttle`: S8 → S4 at rate k_s·S8.
  public struct Shuttle: Sendable {
    /// k_s while charging (I < 0) [s⁻¹].
    public var chargeRateConstant: Double
    /// k_s while discharging or resting (I ≥ 0) [s⁻¹].
    public var dischargeRateConstant: Double
  }

  /// Section `initial_state`: the species masses of the charged cell (SOC 1) [g].
  public struct InitialState: Sendable {
    public var s8: Double
    public var s4: Double
    public var s2: Double
    public var s: Double
    public var sp: Double
    /// The masses in state order S8, S4, S2, S, Sp.
    public var masses: [Double] { [s8, s4, s2, s, sp] }
  }

  // MARK: - Derived quantities

  /// Total sulfur in the initial state [g].
  public var totalSulfur: Double { initialState.masses.reduce(0, +) }

  /// Charge [A h] that one gram of sulfur passes per electron per atom: F / (M_S · 3600).
  public var ampereHoursPerGramPerElectron: Double {
    PhysicalConstants.faraday / (reactions.sulfurMolarMass * 3600)
  }

  /// Charge the model can deliver from a state [A h]: S8 takes 1.5 e per atom to S2 + 2 S (4 e per S8 in
  /// H, then 4 e per S4 in L), S4 takes 1 e per atom. This is the 12-electron capacity of the paper.
  public func deliverableCharge(s8: Double, s4: Double) -> Double {
    (1.5 * s8 + s4) * ampereHoursPerGramPerElectron
  }

  /// 12-electron capacity of all the cell's sulfur (every atom in S8) [A h]; SOC 1 would be this.
  public var fullCapacity: Double { 1.5 * totalSulfur * ampereHoursPerGramPerElectron }

  /// Electrolyte-to-sulfur ratio [µL mg⁻¹].
  public var electrolyteToSulfurRatio: Double { electrolyte.volume * 1e9 / (totalSulfur * 1e3) }

  /// The numbers `cellsim params check` prints.
  public var derivedQuantities: [DerivedQuantity] {
    let t = cell.ambientTemperature
    let k = PhysicalConstants.gas * t / (reactions.electronsPerReaction * PhysicalConstants.faraday)
    var list = [
      DerivedQuantity(name: "1C current (nominal capacity / 1 h)", value: cell.nominalCapacity, unit: "A"),
      DerivedQuantity(name: "total sulfur in the initial state", value: totalSulfur, unit: "g"),
      DerivedQuantity(
        name: "deliverable (12-electron) capacity of the initial state",
        value: deliverableCharge(s8: initialState.s8, s4: initialState.s4), unit: "A h"),
      DerivedQuantity(name: "12-electron capacity of all sulfur as S8 (SOC 1)", value: fullCapacity, unit: "A h"),
      DerivedQuantity(
        name: "theoretical capacity to Li2S (16 electrons per S8)",
        value: 2 * totalSulfur * ampereHoursPerGramPerElectron, unit: "A h"),
      DerivedQuantity(name: "initial state of charge", value: initialStateOfCharge, unit: ""),
      DerivedQuantity(name: "electrolyte-to-sulfur ratio E/S", value: electrolyteToSulfurRatio, unit: "uL/mg"),
      DerivedQuantity(name: "Nernst slope RT/(n_e F) at the ambient temperature", value: k, unit: "V"),
      DerivedQuantity(
        name: "precipitation rate scale k_p/(v rho_s)",
        value: precipitation.rateConstant / (electrolyte.volumeLitres * precipitation.precipitateDensity),
        unit: "g^-1 s^-1"),
    ]
    let (eh, el) = nernstPotentials(initialState.masses, temperature: t)
    list.append(DerivedQuantity(name: "E_H at the initial state", value: eh, unit: "V"))
    list.append(DerivedQuantity(name: "E_L at the initial state", value: el, unit: "V"))
    if let stack { list += designQuantities(stack) + stack.derivedQuantities }
    return list
  }

  /// Design quantities of a layer stack: sulfur loading (active material with formula "S8" in the
  /// positive electrode), carbon host, electrolyte-to-sulfur ratio of the stack, lithium-foil excess.
  public func designQuantities(_ stack: LayerStack) -> [DerivedQuantity] {
    var sulfur = 0.0  // kg m⁻²
    var electrolyteVolume = 0.0  // m³ m⁻²
    var lithium = 0.0  // kg m⁻²
    var hosts: [String] = []
    for layer in stack.layers {
      for c in layer.components {
        let mass = layer.share * c.volumeFraction * c.material.density * layer.thickness
        switch c.material.kind {
        case .active where layer.role == .positiveElectrode && c.material.formula == "S8": sulfur += mass
        case .electrolyte: electrolyteVolume += layer.share * c.volumeFraction * layer.thickness
        case .lithiumMetal: lithium += mass
        case .conductiveAdditive where layer.role == .positiveElectrode: hosts.append(c.material.name)
        default: break
        }
      }
    }
    var list: [DerivedQuantity] = []
    guard sulfur > 0 else { return list }
    list.append(DerivedQuantity(name: "stack sulfur loading", value: sulfur * 100, unit: "mg cm^-2"))
    list.append(
      DerivedQuantity(
        name: "stack electrode area for the cell's sulfur", value: totalSulfur * 1e-3 / sulfur, unit: "m^2"))
    list.append(
      DerivedQuantity(name: "stack electrolyte-to-sulfur ratio E/S", value: electrolyteVolume * 1e9 / (sulfur * 1e6), unit: "uL/mg"))
    if !hosts.isEmpty {
      let hostMass = stack.layers.filter { $0.role == .positiveElectrode }.flatMap(\.components)
        .filter { hosts.contains($0.material.name) }
        .reduce(0.0) { $0 + $1.massFraction }
      let sulfurFraction = stack.layers.filter { $0.role == .positiveElectrode }.flatMap(\.components)
        .filter { $0.material.formula == "S8" }.reduce(0.0) { $0 + $1.massFraction }
      if sulfurFraction > 0 {
        list.append(
          DerivedQuantity(
            name: "carbon host (\(hosts.joined(separator: ", "))) per sulfur mass", value: hostMass / sulfurFraction,
            unit: ""))
      }
    }
    if lithium > 0 {
      // Lithium capacity over the sulfur's theoretical capacity to Li2S (2 electrons per S atom).
      let lithiumCapacity = lithium * 1e3 / 6.941  // mol m⁻²
      let sulfurCapacity = 2 * sulfur * 1e3 / reactions.sulfurMolarMass
      list.append(DerivedQuantity(name: "lithium-foil excess (N/P - 1)", value: lithiumCapacity / sulfurCapacity - 1, unit: ""))
    }
    return list
  }

  /// SOC of the file's initial state (see `LithiumSulfurModel.stateOfCharge`).
  public var initialStateOfCharge: Double {
    deliverableCharge(s8: initialState.s8, s4: initialState.s4) / fullCapacity
  }

  /// Nernst potentials (E_H, E_L) [V] at masses S8, S4, S2, S (Sp not used) and temperature T [K].
  public func nernstPotentials(_ m: [Double], temperature: Double) -> (Double, Double) {
    let k = PhysicalConstants.gas * temperature / (reactions.electronsPerReaction * PhysicalConstants.faraday)
    let v = electrolyte.volumeLitres
    let ms = reactions.sulfurMolarMass
    let fh = 4 * 4 * ms * v / 8
    let fl = 1 * 1 * 2 * ms * ms * v * v / 4
    let eh = reactions.highStandardPotential + k * log(fh * m[0] / (m[1] * m[1]))
    let el = reactions.lowStandardPotential + k * log(fl * m[1] / (m[2] * m[3] * m[3]))
    return (eh, el)
  }

  // MARK: - Reading

  /// Reads every lithium-sulfur field through `reader`, recording problems in it. The result holds
  /// placeholders where fields are invalid: call `reader.finish()` before using it.
  public init(reading reader: ParameterReader) {
    header = reader.header(expectingChemistry: Self.chemistry)
    cell = reader.section("cell", "capacity, voltage limits and temperature") { Self.readCell($0) }
    reactions = reader.section("reactions", "the high- and low-plateau reactions") { Self.readReactions($0) }
    electrolyte = reader.section("electrolyte", "the electrolyte") { s in
      Electrolyte(volume: s.number("volume_m3", .positive, "the electrolyte volume in m^3"))
    }
    precipitation = reader.section("precipitation", "precipitation and dissolution of S(2-)") { s in
      Precipitation(
        rateConstant: s.number("rate_constant_per_s", .nonNegative, "the precipitation rate constant k_p in 1/s"),
        saturationMass: s.number("saturation_mass_g", .positive, "the saturation mass S* of S(2-) in g"),
        precipitateDensity: s.number(
          "precipitate_density_kg_m3", .positive, "the density of precipitated sulfur in kg/m^3 (= g/L)"))
    }
    shuttle = reader.section("shuttle", "the polysulfide shuttle S8 -> S4") { s in
      Shuttle(
        chargeRateConstant: s.number(
          "rate_constant_charge_per_s", .nonNegative, "the shuttle constant k_s during charge in 1/s"),
        dischargeRateConstant: s.number(
          "rate_constant_discharge_per_s", .nonNegative, "the shuttle constant k_s during discharge and rest in 1/s"))
    }
    initialState = reader.section("initial_state", "the species masses of the charged cell") { s in
      let meaning = "a species mass in grams (positive: the Nernst potentials take its logarithm)"
      return InitialState(
        s8: s.number("S8_g", .positive, meaning), s4: s.number("S4_g", .positive, meaning),
        s2: s.number("S2_g", .positive, meaning), s: s.number("S_g", .positive, meaning),
        sp: s.number("Sp_g", .positive, meaning))
    }
    stack = reader.optionalSection("stack", "the layer stack (design quantities)") { LayerStack.read(from: $0) }
  }

  private static let voltage = "a voltage in volts"

  private static func readCell(_ s: ParameterSection) -> Cell {
    let nominal = s.number("nominal_capacity_Ah", .positive, "the capacity defining 1C, in A h")
    let source = s.string("nominal_capacity_source", "where the nominal capacity comes from")
    let lower = s.number("lower_cutoff_V", .positive, voltage)
    let upper = s.number("upper_cutoff_V", .positive, voltage)
    let t = s.number("ambient_temperature_K", .positive, "a temperature in kelvin")
    if lower.isFinite, upper.isFinite {
      s.require(lower < upper, "upper_cutoff_V", "must be greater than lower_cutoff_V = \(lower)")
    }
    return Cell(
      nominalCapacity: nominal, nominalCapacitySource: source, lowerCutoff: lower, upperCutoff: upper,
      ambientTemperature: t)
  }

  private static func readReactions(_ s: ParameterSection) -> Reactions {
    Reactions(
      electronsPerReaction: s.number("electrons_per_reaction", .positive, "electrons n_e per reaction"),
      sulfurMolarMass: s.number("sulfur_molar_mass_g_mol", .positive, "the molar mass of sulfur in g/mol"),
      reactionArea: s.number("reaction_area_m2", .positive, "the active reaction area a_r in m^2"),
      highStandardPotential: s.number("high_standard_potential_V", .positive, voltage),
      lowStandardPotential: s.number("low_standard_potential_V", .positive, voltage),
      highExchangeCurrentDensity: s.number(
        "high_exchange_current_density_A_m2", .positive, "the exchange-current density i_H0 in A/m^2"),
      lowExchangeCurrentDensity: s.number(
        "low_exchange_current_density_A_m2", .positive, "the exchange-current density i_L0 in A/m^2"))
  }

}
