// CellSim — CellSim/Comparison/MineralIntensity.swift
//
// Critical-mineral intensity of a cell: kilograms of each element per kWh delivered, from the layer
// stack's composition. For every component of every layer with a chemical formula:
//
//     m''_i   = k_l φ_i ρ_i L_l                         [kg m⁻²]   (component mass per electrode area)
//     w_{e,i} = n_e M_e / M_i                           [-]        (element mass fraction in the formula)
//     I_e     = Σ_layers Σ_i m''_i w_{e,i} / (E''/1000) [kg kWh⁻¹] (E'' the discharge energy, W h m⁻²)
//
// Components without a formula (binders, liquid electrolytes, separators, collectors) count for no element.
// "C" is the carbon of formula-bearing components: graphite anodes and carbon additives written as "C".

import Foundation

/// A chemical formula parsed into element counts, e.g. "LiNi0.8Mn0.1Co0.1O2", "Li6PS5Cl", "Li(Ni0.8Co0.2)O2".
public struct ChemicalFormula: Sendable, Equatable, CustomStringConvertible {
  /// Standard atomic weights [g mol⁻¹] (IUPAC 2021 abridged, conventional values).
  public static let atomicMasses: [String: Double] = [
    "H": 1.008, "He": 4.0026, "Li": 6.94, "Be": 9.0122, "B": 10.81, "C": 12.011, "N": 14.007, "O": 15.999,
    "F": 18.998, "Na": 22.990, "Mg": 24.305, "Al": 26.982, "Si": 28.085, "P": 30.974, "S": 32.06, "Cl": 35.45,
    "K": 39.098, "Ca": 40.078, "Ti": 47.867, "V": 50.942, "Cr": 51.996, "Mn": 54.938, "Fe": 55.845, "Co": 58.933,
    "Ni": 58.693, "Cu": 63.546, "Zn": 65.38, "Ga": 69.723, "Ge": 72.630, "Se": 78.971, "Br": 79.904, "Y": 88.906,
    "Zr": 91.224, "Nb": 92.906, "Mo": 95.95, "Ag": 107.87, "In": 114.82, "Sn": 118.71, "Sb": 121.76, "I": 126.90,
    "La": 138.91, "Ta": 180.95, "W": 183.84,
  ]

  /// The formula as written.
  public let text: String
  /// Element → number of atoms per formula unit, in order of first appearance.
  public let counts: [(element: String, count: Double)]

  public static func == (a: ChemicalFormula, b: ChemicalFormula) -> Bool {
    a.text == b.text && a.counts.map(\.element) == b.counts.map(\.element) && a.counts.map(\.count) == b.counts.map(\.count)
  }

  public var description: String { text }

  /// Why a formula could not be parsed.
  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var formula: String
    public var problem: String
    public var description: String { "formula \"\(formula)\": \(problem)" }
  }

  /// Parses element symbols with optional decimal counts and parenthesised groups with a multiplier.
  public init(_ text: String) throws(ParseError) {
    self.text = text
    let chars = Array(text.filter { !$0.isWhitespace })
    var position = 0
    func number() -> Double? {
      var digits = ""
      while position < chars.count, chars[position].isNumber || chars[position] == "." {
        digits.append(chars[position])
        position += 1
      }
      return digits.isEmpty ? nil : Double(digits)
    }
    func group(closing: Bool) throws(ParseError) -> [(String, Double)] {
      var result: [(String, Double)] = []
      while position < chars.count {
        let c = chars[position]
        if c == "(" || c == "[" {
          position += 1
          let inner = try group(closing: true)
          let multiplier = number() ?? 1
          result += inner.map { ($0.0, $0.1 * multiplier) }
        } else if c == ")" || c == "]" {
          guard closing else { throw ParseError(formula: text, problem: "unmatched '\(c)'") }
          position += 1
          return result
        } else if c.isUppercase {
          var symbol = String(c)
          position += 1
          while position < chars.count, chars[position].isLowercase {
            symbol.append(chars[position])
            position += 1
          }
          guard Self.atomicMasses[symbol] != nil else {
            throw ParseError(formula: text, problem: "unknown element '\(symbol)'")
          }
          let n = number() ?? 1
          guard n.isFinite, n >= 0 else { throw ParseError(formula: text, problem: "bad count after '\(symbol)'") }
          result.append((symbol, n))
        } else {
          throw ParseError(formula: text, problem: "unexpected character '\(c)'")
        }
      }
      if closing { throw ParseError(formula: text, problem: "missing ')'") }
      return result
    }
    let atoms = try group(closing: false)
    guard !atoms.isEmpty else { throw ParseError(formula: text, problem: "no elements") }
    var merged: [(element: String, count: Double)] = []
    for (e, n) in atoms {
      if let k = merged.firstIndex(where: { $0.element == e }) { merged[k].count += n } else { merged.append((e, n)) }
    }
    counts = merged
  }

  /// Molar mass M [g mol⁻¹].
  public var molarMass: Double { counts.reduce(0) { $0 + $1.count * (Self.atomicMasses[$1.element] ?? 0) } }

  /// Mass fraction of an element in the formula, n_e M_e / M [-] (0 if absent).
  public func massFraction(of element: String) -> Double {
    guard let n = counts.first(where: { $0.element == element })?.count, let m = Self.atomicMasses[element] else {
      return 0
    }
    return n * m / molarMass
  }
}

/// Element masses of a stack per area and per kWh delivered.
public enum MineralIntensity {
  /// The elements reported, in column order.
  public static let elements = ["Li", "Ni", "Co", "Mn", "C", "Si", "S", "P"]

  /// Mass of each reported element per electrode area in one repeat unit [kg m⁻²].
  /// - Throws: `ChemicalFormula.ParseError` for a formula that does not parse.
  public static func massPerArea(_ stack: LayerStack) throws(ChemicalFormula.ParseError) -> [String: Double] {
    var totals = Dictionary(uniqueKeysWithValues: elements.map { ($0, 0.0) })
    for layer in stack.layers {
      for component in layer.components {
        guard let text = component.material.formula, !text.isEmpty else { continue }
        let formula = try ChemicalFormula(text)
        let mass = layer.share * component.volumeFraction * component.material.density * layer.thickness
        for e in elements { totals[e]! += mass * formula.massFraction(of: e) }
      }
    }
    return totals
  }

  /// kg of each element per kWh for a discharge delivering E'' [W h m⁻²].
  public static func perKilowattHour(_ stack: LayerStack, energyPerArea: Double) throws(ChemicalFormula.ParseError)
    -> [String: Double]
  {
    let masses = try massPerArea(stack)
    return masses.mapValues { energyPerArea > 0 ? $0 / (energyPerArea / 1000) : .nan }
  }
}
