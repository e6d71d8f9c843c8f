// CellSim — CellParameters/LayerStack.swift
//
// The layer recipe of a cell: one repeat unit of the electrode stack, layer by layer, with the
// composition and density of each layer and the current collectors. Mass and volume per electrode
// area are derived from it, and with a simulated discharge energy E'' [Wh m⁻²] they give the stack's
// gravimetric and volumetric energy density (the recipe of ../shared/reference/ssb/model.md §4, the
// same for every chemistry):
//
//     ρ_layer = Σ_i φ_i ρ_i  (+ ε_void ρ_filler)      φ_i volume fractions (mass fractions are converted)
//     m''     = Σ_layers k_l ρ_l L_l                  [kg m⁻²]
//     L''     = Σ_layers k_l L_l  (+ L_plated)        [m³ m⁻²] = [m]
//     Wh/kg   = E''/m'' ,   Wh/L = E''/(1000 L'')
//
// k_l = 1/2 for current collectors of a double-sided stack (each collector serves two repeat units),
// 1 otherwise. A `plating` entry (lithium-metal anodes) adds the volume of the lithium plated on charge,
// L_plated = Q''·3600/F·V̄ for the areal charge Q'' [A h m⁻²] the discharge delivers; its mass is not added
// (it is already in the lithiated cathode). See docs/parameter-schema.md, section "stack".

import CellCore

/// One repeat unit of a cell's electrode stack, as written in a cell file's `stack` section.
public struct LayerStack: Sendable, Equatable {
  /// How many repeat units share each current collector.
  public enum Layout: String, Sendable, CaseIterable {
    /// Electrodes coated on both sides of their collectors: each collector is counted half.
    case doubleSided = "double-sided"
    /// One repeat unit with whole collectors.
    case singleSided = "single-sided"
  }

  /// What a layer is in the stack.
  public enum Role: String, Sendable, CaseIterable {
    case positiveCurrentCollector = "positive_current_collector"
    case positiveElectrode = "positive_electrode"
    case separator
    case negativeElectrode = "negative_electrode"
    case negativeCurrentCollector = "negative_current_collector"
    /// Coatings, buffer layers, interlayers (e.g. Ag–C).
    case interlayer
    case other

    public var isCurrentCollector: Bool {
      self == .positiveCurrentCollector || self == .negativeCurrentCollector
    }
  }

  /// What a material is for (active materials must give their chemical formula).
  public enum MaterialKind: String, Sendable, CaseIterable {
    case active
    case electrolyte
    case conductiveAdditive = "conductive_additive"
    case binder
    case collector
    case lithiumMetal = "lithium_metal"
    case other
  }

  /// A named material of the stack.
  public struct Material: Sendable, Equatable {
    public var name: String
    /// Density ρ [kg m⁻³].
    public var density: Double
    public var kind: MaterialKind
    /// Chemical formula, e.g. "LiNi0.8Mn0.1Co0.1O2" (required for active materials).
    public var formula: String?

    public init(name: String, density: Double, kind: MaterialKind, formula: String? = nil) {
      self.name = name
      self.density = density
      self.kind = kind
      self.formula = formula
    }
  }

  /// Whether a layer's composition was given by volume or by mass.
  public enum FractionBasis: String, Sendable {
    case volume
    case mass
  }

  /// One material in a layer, with both fractions (the one not given is derived).
  public struct Component: Sendable, Equatable {
    public var material: Material
    /// Volume fraction of the layer φ [-].
    public var volumeFraction: Double
    /// Mass fraction of the layer w [-].
    public var massFraction: Double
  }

  /// One layer of the repeat unit.
  public struct Layer: Sendable, Equatable {
    public var name: String
    public var role: Role
    /// Thickness L [m].
    public var thickness: Double
    /// How the file gave the composition.
    public var basis: FractionBasis
    /// Materials and their fractions (a pore filler, if any, is the last component).
    public var components: [Component]
    /// Volume fraction that is empty (massless) [-].
    public var voidFraction: Double
    /// Share of this layer in one repeat unit k (1/2 for collectors of a double-sided stack) [-].
    public var share: Double

    /// Layer density ρ = Σ φ_i ρ_i [kg m⁻³] (voids massless).
    public var density: Double { components.reduce(0) { $0 + $1.volumeFraction * $1.material.density } }
    /// Mass per electrode area counted in the repeat unit, k ρ L [kg m⁻²].
    public var massPerArea: Double { share * density * thickness }
    /// Volume per electrode area counted in the repeat unit, k L [m³ m⁻² = m].
    public var volumePerArea: Double { share * thickness }
  }

  /// Lithium (or another metal) plated on charge: adds volume, not mass.
  public struct Plating: Sendable, Equatable {
    /// Name of the plated material (a material of the stack).
    public var material: String
    /// Molar volume V̄ [m³ mol⁻¹].
    public var molarVolume: Double
  }

  public var layout: Layout
  /// Materials by name, in file order.
  public var materials: [Material]
  /// Layers in stack order (positive collector to negative collector by convention).
  public var layers: [Layer]
  public var plating: Plating?

  /// Mass per electrode area of one repeat unit m'' [kg m⁻²].
  public var massPerArea: Double { layers.reduce(0) { $0 + $1.massPerArea } }
  /// Volume per electrode area of one repeat unit without plated metal L'' [m³ m⁻²].
  public var volumePerArea: Double { layers.reduce(0) { $0 + $1.volumePerArea } }

  /// The layers with a given role.
  public func layers(_ role: Role) -> [Layer] { layers.filter { $0.role == role } }

  /// Thickness of metal plated for an areal charge Q'' [A h m⁻²]: Q''·3600/F·V̄ [m] (0 without plating).
  public func platedThickness(chargePerArea: Double) -> Double {
    guard let plating else { return 0 }
    return chargePerArea * 3600 / PhysicalConstants.faraday * plating.molarVolume
  }

  /// Volume per area in the charged state for a discharge of areal charge Q'' [A h m⁻²] [m³ m⁻²].
  public func chargedVolumePerArea(chargePerArea: Double) -> Double {
    volumePerArea + platedThickness(chargePerArea: chargePerArea)
  }

  /// Stack energy densities for a discharge delivering E'' [W h m⁻²] and Q'' [A h m⁻²]:
  /// gravimetric E''/m'' [W h kg⁻¹] and volumetric E''/(1000 L'') [W h L⁻¹].
  public func energyDensity(energyPerArea: Double, chargePerArea: Double) -> (
    gravimetric: Double, volumetric: Double
  ) {
    (energyPerArea / massPerArea, energyPerArea / (1000 * chargedVolumePerArea(chargePerArea: chargePerArea)))
  }

  /// What `params check` prints for the stack.
  public var derivedQuantities: [DerivedQuantity] {
    var list: [DerivedQuantity] = []
    for layer in layers {
      list.append(DerivedQuantity(name: "stack layer '\(layer.name)' density", value: layer.density, unit: "kg m^-3"))
      list.append(
        DerivedQuantity(name: "stack layer '\(layer.name)' mass per area", value: layer.massPerArea, unit: "kg m^-2"))
    }
    list.append(DerivedQuantity(name: "stack mass per area m'' (\(layout.rawValue))", value: massPerArea, unit: "kg m^-2"))
    list.append(
      DerivedQuantity(
        name: "stack volume per area L'' without plated metal (\(layout.rawValue))", value: volumePerArea,
        unit: "m^3 m^-2"))
    if plating != nil {
      list.append(
        DerivedQuantity(
          name: "plated metal thickness per areal charge", value: platedThickness(chargePerArea: 1),
          unit: "m per A h m^-2"))
    }
    return list
  }

  public init(layout: Layout, materials: [Material], layers: [Layer], plating: Plating?) {
    self.layout = layout
    self.materials = materials
    self.layers = layers
    self.plating = plating
  }

  // MARK: - Reading

  static let fractionTolerance = 1e-9

  /// Reads a `stack` section (see docs/parameter-schema.md), reporting every problem through the
  /// section's reader; the result holds placeholders where fields are invalid (call `finish()`).
  ///
  ///     "stack": {
  ///       "layout": "double-sided",
  ///       "materials": { "Al": { "density_kg_m3": 2700, "kind": "collector" }, … },
  ///       "layers": [ { "name": "Al foil", "role": "positive_current_collector", "thickness_m": 1.2e-5,
  ///                     "volume_fractions": { "Al": 1 } }, … ],
  ///       "plating": { "material": "Li", "molar_volume_m3_mol": 1.3e-5 }      // optional
  ///     }
  public static func read(from s: ParameterSection) -> LayerStack {
    let layoutText = s.string("layout", "\"double-sided\" or \"single-sided\"")
    var layout = Layout.doubleSided
    if !layoutText.isEmpty {
      if let l = Layout(rawValue: layoutText) {
        layout = l
      } else {
        s.report(
          "layout", problem: "must be \"double-sided\" or \"single-sided\"",
          suggestion: closestName(to: layoutText, among: Layout.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" },
          kind: .outOfRange)
      }
    }
    let materials = s.section("materials", "the stack's materials by name") { readMaterials($0) }
    let layers = readLayers(s, materials: materials, layout: layout)
    let plating = s.optionalSection("plating", "metal plated on charge (volume only)") { p -> Plating in
      let name = p.string("material", "the plated material, one of the stack's materials")
      if !name.isEmpty, !materials.isEmpty, !materials.contains(where: { $0.name == name }) {
        p.report(
          "material", problem: "not a material of stack.materials",
          suggestion: closestName(to: name, among: materials.map(\.name)).map { "did you mean '\($0)'?" },
          kind: .inconsistent)
      }
      let v = p.number("molar_volume_m3_mol", .positive, "the molar volume of the plated metal in m^3/mol")
      return Plating(material: name, molarVolume: v)
    }
    return LayerStack(layout: layout, materials: materials, layers: layers, plating: plating)
  }

  private static func readMaterials(_ s: ParameterSection) -> [Material] {
    var result: [Material] = []
    for member in s.members {
      let name = member.key
      let material = s.section(name, "a material: density_kg_m3, kind and (for active materials) formula") {
        m -> Material in
        let density = m.number("density_kg_m3", .positive, "a density in kg/m^3")
        let kindText = m.string("kind", "one of " + MaterialKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        var kind = MaterialKind.other
        if !kindText.isEmpty {
          if let k = MaterialKind(rawValue: kindText) {
            kind = k
          } else {
            m.report(
              "kind", problem: "unknown material kind; must be one of "
                + MaterialKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
              suggestion: closestName(to: kindText, among: MaterialKind.allCases.map(\.rawValue)).map {
                "did you mean '\($0)'?"
              }, kind: .outOfRange)
          }
        }
        let formula = m.optionalString("formula", "the chemical formula, e.g. \"LiNi0.8Mn0.1Co0.1O2\"")
        if kind == .active, formula?.isEmpty ?? true, m.contains("kind") {
          if formula == nil, !m.contains("formula") {
            m.report("formula", problem: "missing (an active material needs its chemical formula)", kind: .missing)
          } else if formula?.isEmpty == true {
            m.report("formula", problem: "must not be empty (the chemical formula of the active material)", kind: .outOfRange)
          }
        }
        return Material(name: name, density: density, kind: kind, formula: formula)
      }
      result.append(material)
    }
    if result.isEmpty, !s.muted {
      s.reader.report(
        CellFileIssue(file: s.reader.fileName, path: s.path, problem: "must name at least one material", kind: .missing))
    }
    return result
  }

  private static func readLayers(_ s: ParameterSection, materials: [Material], layout: Layout) -> [Layer] {
    guard let value = s.value("layers") else {
      if !s.muted {
        s.reader.report(
          CellFileIssue(
            file: s.reader.fileName, path: s.fieldPath("layers"),
            problem: "missing (the layers of one repeat unit, an array of objects)", kind: .missing))
      }
      return []
    }
    guard case .array(let items) = value else {
      s.report("layers", problem: "must be an array of layer objects, not \(value.kindDescription)", kind: .wrongType)
      return []
    }
    if items.isEmpty { s.report("layers", problem: "must hold at least one layer", kind: .outOfRange) }
    var layers: [Layer] = []
    for (i, item) in items.enumerated() {
      let path = s.fieldPath("layers") + "[\(i)]"
      guard case .object(let members) = item else {
        s.reader.report(
          CellFileIssue(
            file: s.reader.fileName, path: path, value: item.rendered(limit: 40),
            problem: "must be a layer object, not \(item.kindDescription)", kind: .wrongType))
        continue
      }
      let l = ParameterSection(reader: s.reader, path: path, members: members, muted: s.muted)
      layers.append(readLayer(l, materials: materials, layout: layout))
      l.close()
    }
    return layers
  }

  private static func readLayer(_ l: ParameterSection, materials: [Material], layout: Layout) -> Layer {
    let name = l.string("name", "the layer's name")
    let roleText = l.string("role", "one of " + Role.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
    var role = Role.other
    if !roleText.isEmpty {
      if let r = Role(rawValue: roleText) {
        role = r
      } else {
        l.report(
          "role", problem: "unknown layer role; must be one of " + Role.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
          suggestion: closestName(to: roleText, among: Role.allCases.map(\.rawValue)).map { "did you mean '\($0)'?" },
          kind: .outOfRange)
      }
    }
    let thickness = l.number("thickness_m", .nonNegative, "the layer thickness in metres")
    let hasVolume = l.contains("volume_fractions")
    let hasMass = l.contains("mass_fractions")
    var basis = FractionBasis.volume
    var fractions: [(Material, Double)] = []
    if hasVolume && hasMass {
      _ = l.value("mass_fractions")
      l.report("mass_fractions", problem: "give either volume_fractions or mass_fractions, not both", kind: .inconsistent)
    }
    if hasMass && !hasVolume {
      basis = .mass
      fractions = readFractions(l, "mass_fractions", materials)
    } else {
      fractions = readFractions(l, "volume_fractions", materials)
    }
    // The pore filler (e.g. a liquid electrolyte) occupies what the listed materials leave free.
    let fillerName = l.optionalString("pore_filler", "a material of stack.materials filling the pores")
    var filler: Material?
    if let fillerName {
      filler = materials.first { $0.name == fillerName }
      if filler == nil, !materials.isEmpty {
        l.report(
          "pore_filler", problem: "not a material of stack.materials",
          suggestion: closestName(to: fillerName, among: materials.map(\.name)).map { "did you mean '\($0)'?" },
          kind: .inconsistent)
      }
    }
    var components: [Component] = []
    var voidFraction = 0.0
    switch basis {
    case .volume:
      let sum = fractions.reduce(0) { $0 + $1.1 }
      if sum > 1 + fractionTolerance {
        l.report(
          "volume_fractions", problem: "volume fractions sum to \(sum); must be at most 1 (the rest is void or pore filler)",
          kind: .inconsistent)
      }
      voidFraction = max(0, 1 - sum)
      components = fractions.map { Component(material: $0.0, volumeFraction: $0.1, massFraction: 0) }
    case .mass:
      let sum = fractions.reduce(0) { $0 + $1.1 }
      if sum.isFinite, abs(sum - 1) > 1e-6, !fractions.isEmpty {
        l.report("mass_fractions", problem: "mass fractions sum to \(sum); must sum to 1", kind: .inconsistent)
      }
      let porosity = l.number(
        "porosity", .closed(0, 1), "the volume fraction not taken by the listed solids (void or pore filler)")
      // Solids' specific volume Σ w_i/ρ_i; the solids fill (1 − ε) of the layer.
      let specificVolume = fractions.reduce(0) { $0 + $1.1 / $1.0.density }
      let solid = porosity.isFinite ? 1 - porosity : 1
      components = fractions.map {
        Component(material: $0.0, volumeFraction: solid * ($0.1 / $0.0.density) / specificVolume, massFraction: $0.1)
      }
      voidFraction = porosity.isFinite ? porosity : 0
    }
    if let filler {
      components.append(Component(material: filler, volumeFraction: voidFraction, massFraction: 0))
      voidFraction = 0
    }
    // Mass fractions of every component from the volume fractions.
    let density = components.reduce(0) { $0 + $1.volumeFraction * $1.material.density }
    if density > 0 {
      for k in components.indices {
        components[k].massFraction = components[k].volumeFraction * components[k].material.density / density
      }
    }
    let share = layout == .doubleSided && role.isCurrentCollector ? 0.5 : 1
    return Layer(
      name: name, role: role, thickness: thickness, basis: basis, components: components, voidFraction: voidFraction,
      share: share)
  }

  private static func readFractions(_ l: ParameterSection, _ key: String, _ materials: [Material]) -> [(Material, Double)] {
    let what = key == "mass_fractions" ? "a mass fraction" : "a volume fraction"
    return l.section(key, "material name → \(what) in [0, 1]") { f -> [(Material, Double)] in
      var result: [(Material, Double)] = []
      for member in f.members {
        let x = f.number(member.key, .closedUnit, what)
        guard let material = materials.first(where: { $0.name == member.key }) else {
          if !materials.isEmpty {
            f.report(
              member.key, problem: "not a material of stack.materials",
              suggestion: closestName(to: member.key, among: materials.map(\.name)).map { "did you mean '\($0)'?" },
              kind: .inconsistent)
          }
          continue
        }
        if x.isFinite { result.append((material, x)) }
      }
      if f.members.isEmpty, !f.muted {
        l.report(key, problem: "must list at least one material", kind: .outOfRange)
      }
      return result
    }
  }
}
