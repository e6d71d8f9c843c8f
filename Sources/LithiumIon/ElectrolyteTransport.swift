// CellSim — LithiumIon/ElectrolyteTransport.swift
//
// Lithium-ion transport in the electrolyte across the cell thickness (negative electrode | separator |
// positive electrode), 0 < x < L = L_n + L_s + L_p, by finite volumes, as the SPMe (and a DFN) needs
// it. Concentrated-solution theory for a binary electrolyte, no convection:
//
//     ε ∂c_e/∂t = −∂N/∂x + a·j/F,     N = −ε^b·D_e(c_e, T) ∂c_e/∂x + t₊·i_e/F
//     N = 0 at x = 0 and x = L (current collectors)
//
// ε is the porosity and b the Bruggeman exponent of each region (D_e,eff = ε^b·D_e). With the
// x-averaged reaction of the SPMe the volumetric current a·j and the electrolyte current i_e are
// explicit in the current density i = I/A [A m⁻²]:
//
//     a·j = i/L_n,  i_e = i·x/L_n                 (negative)
//     a·j = 0,      i_e = i                       (separator)
//     a·j = −i/L_p, i_e = i·(L − x)/L_p           (positive)
//
// and, t₊ being constant, −∂(t₊ i_e/F)/∂x + a·j/F = (1 − t₊)·a·j/F: a source (1 − t₊)·i/(F·L_n) in the
// negative electrode and the opposite sink in the positive one.
//
// Mesh: a uniform mesh in each region (M_n, M_s, M_p cells), unknowns c_i at the cell centres. The
// diffusive flux across the face between cells i and i+1 uses the series resistance of the two half
// cells, N = −(c_{i+1} − c_i) / (h_i/(2K_i) + h_{i+1}/(2K_{i+1})), K_i = ε_i^b_i·D_e(c_i, T), which keeps
// the flux continuous where ε and b jump at the separator. Then
//
//     ε_i h_i dc_i/dt = N_{i−½} − N_{i+½} + h_i·S_i
//
// so Σ ε_i h_i c_i changes by Σ h_i S_i = 0: the electrolyte's lithium is conserved to round-off.
//
// Speed: when D_e(c, T) = D_e(c_e0, T)·q(c/c_e0) with q a polynomial of degree ≤ 3 (Chen2020's quadratic;
// checked numerically when built, `DiffusivityShape`), `rates` calls the file's D_e once per evaluation
// and q per cell; otherwise once per cell. Sums of logarithms go through `sumOfLogarithms` (one log
// per 8 cells).

import CellCore
import Foundation

/// The three-region finite-volume mesh of the electrolyte and the discrete transport equations.
public struct ElectrolyteTransport: Sendable {
  /// Cells in the negative electrode, separator and positive electrode.
  public let negativeCells: Int
  public let separatorCells: Int
  public let positiveCells: Int
  /// Total number of cells M = M_n + M_s + M_p.
  public let cellCount: Int
  /// Region thicknesses L_n, L_s, L_p [m].
  public let negativeThickness: Double
  public let separatorThickness: Double
  public let positiveThickness: Double
  /// Cell widths h_i [m], porosities ε_i [-] and transport efficiencies ε_i^b_i [-].
  public let widths: [Double]
  public let porosities: [Double]
  public let transportEfficiencies: [Double]
  /// Cell centres x_i [m] from the negative current collector.
  public let centres: [Double]
  /// Source (1 − t₊)·a·j/F per unit current density i [mol m⁻³ s⁻¹ per A m⁻²], per cell.
  let sourcePerCurrentDensity: [Double]
  /// D_e(c_e, T) [m² s⁻¹] and κ_e(c_e, T) [S m⁻¹].
  let diffusivity: ScalarFunction
  let conductivity: ScalarFunction
  /// Floor of the concentration at which D_e, κ_e and logarithms are evaluated [mol m⁻³].
  let concentrationFloor: Double
  /// h_i/(2 ε_i^b_i) [m], 1/(ε_i h_i) [m⁻¹] and S_i/ε_i per cell, so `rates` divides twice per cell.
  let halfResistances: [Double]
  let storageFactors: [Double]
  let scaledSources: [Double]
  /// When D_e(c, T) = D_e(c_e0, T)·q(c/c_e0) with q a polynomial of degree ≤ 3 (checked numerically at
  /// build time, see `DiffusivityShape`): `rates` calls the file's D_e once instead of once per cell.
  let diffusivityShape: DiffusivityShape?
  /// c_e0 [mol m⁻³], the reference concentration of `diffusivityShape`.
  let referenceConcentration: Double
  /// Whether `rates` uses the factored D_e (one call of the file's function per evaluation).
  public var hasFactoredDiffusivity: Bool { diffusivityShape != nil }

  /// - Parameters:
  ///   - cells: finite volumes in the negative electrode, separator and positive electrode (each ≥ 2).
  public init(parameters p: LithiumIonParameters, cells: (negative: Int, separator: Int, positive: Int)) {
    negativeCells = max(cells.negative, 2)
    separatorCells = max(cells.separator, 2)
    positiveCells = max(cells.positive, 2)
    cellCount = negativeCells + separatorCells + positiveCells
    negativeThickness = p.negative.thickness
    separatorThickness = p.separator.thickness
    positiveThickness = p.positive.thickness
    let tPlus = p.electrolyte.transferenceNumber
    let faraday = PhysicalConstants.faraday
    var widths: [Double] = []
    var porosities: [Double] = []
    var efficiencies: [Double] = []
    var sources: [Double] = []
    let regions: [(Int, Double, Double, Double, Double)] = [
      (
        negativeCells, p.negative.thickness, p.negative.porosity, p.negative.bruggemanElectrolyte,
        (1 - tPlus) / (faraday * p.negative.thickness)
      ),
      (separatorCells, p.separator.thickness, p.separator.porosity, p.separator.bruggemanElectrolyte, 0),
      (
        positiveCells, p.positive.thickness, p.positive.porosity, p.positive.bruggemanElectrolyte,
        -(1 - tPlus) / (faraday * p.positive.thickness)
      ),
    ]
    for (count, length, eps, b, source) in regions {
      for _ in 0..<count {
        widths.append(length / Double(count))
        porosities.append(eps)
        efficiencies.append(pow(eps, b))
        sources.append(source)
      }
    }
    var centres: [Double] = []
    var left = 0.0
    for h in widths {
      centres.append(left + 0.5 * h)
      left += h
    }
    self.widths = widths
    self.porosities = porosities
    porousLength = zip(porosities, widths).reduce(0) { $0 + $1.0 * $1.1 }
    transportEfficiencies = efficiencies
    self.centres = centres
    sourcePerCurrentDensity = sources
    halfResistances = widths.indices.map { 0.5 * widths[$0] / efficiencies[$0] }
    storageFactors = widths.indices.map { 1 / (porosities[$0] * widths[$0]) }
    scaledSources = widths.indices.map { sources[$0] / porosities[$0] }
    diffusivity = p.electrolyte.diffusivity
    conductivity = p.electrolyte.conductivity
    concentrationFloor = 1e-6 * p.electrolyte.initialConcentration
    referenceConcentration = p.electrolyte.initialConcentration
    diffusivityShape = DiffusivityShape(p.electrolyte.diffusivity, referenceConcentration: referenceConcentration)
  }

  /// Range of the negative-electrode, separator and positive-electrode cells.
  public var negativeRange: Range<Int> { 0..<negativeCells }
  public var separatorRange: Range<Int> { negativeCells..<(negativeCells + separatorCells) }
  public var positiveRange: Range<Int> { (negativeCells + separatorCells)..<cellCount }

  @inline(__always) func floored(_ c: Double) -> Double { max(c, concentrationFloor) }

  /// D_e(c, T) [m² s⁻¹] at the concentration floored at a tiny positive value.
  @inline(__always) public func diffusivity(_ c: Double, _ temperature: Double) -> Double {
    diffusivity(floored(c), temperature)
  }

  /// κ_e(c, T) [S m⁻¹] at the concentration floored at a tiny positive value.
  @inline(__always) public func conductivity(_ c: Double, _ temperature: Double) -> Double {
    conductivity(floored(c), temperature)
  }

  /// Writes dc_i/dt [mol m⁻³ s⁻¹] at current density i = I/A [A m⁻²] and temperature T [K].
  public func rates(
    _ c: UnsafeBufferPointer<Double>, currentDensity: Double, temperature: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let m = cellCount
    if let shape = diffusivityShape {
      // D_e(c_i, T) = D_e(c_e0, T)·q(c_i/c_e0): one call of the file's function per evaluation.
      let scale = 1 / referenceConcentration
      let reference = diffusivity(referenceConcentration, temperature)
      let inverseReference = 1 / reference
      halfResistances.withUnsafeBufferPointer { r in
        storageFactors.withUnsafeBufferPointer { storage in
          scaledSources.withUnsafeBufferPointer { source in
            // Half-cell resistance h_i/(2 ε_i^b D_e(c_i)) = r_i/(D_e(c_e0)·q(c_i/c_e0)).
            var previousResistance = r[0] * inverseReference / shape(floored(c[0]) * scale)
            var inflow = 0.0
            for i in 0..<(m - 1) {
              let resistance = r[i + 1] * inverseReference / shape(floored(c[i + 1]) * scale)
              let outflow = (c[i] - c[i + 1]) / (previousResistance + resistance)
              previousResistance = resistance
              out[i] = (inflow - outflow) * storage[i] + source[i] * currentDensity
              inflow = outflow
            }
            out[m - 1] = inflow * storage[m - 1] + source[m - 1] * currentDensity
          }
        }
      }
      return
    }
    // Half-cell resistance h_i / (2 K_i) of cell i, carried from one face to the next.
    var previousResistance = 0.5 * widths[0] / (transportEfficiencies[0] * diffusivity(c[0], temperature))
    var inflow = 0.0  // N at the left face of cell i (0 at the current collector)
    for i in 0..<m {
      var outflow = 0.0
      if i < m - 1 {
        let resistance = 0.5 * widths[i + 1] / (transportEfficiencies[i + 1] * diffusivity(c[i + 1], temperature))
        outflow = -(c[i + 1] - c[i]) / (previousResistance + resistance)
        previousResistance = resistance
      }
      out[i] = ((inflow - outflow) / widths[i] + sourcePerCurrentDensity[i] * currentDensity) / porosities[i]
      inflow = outflow
    }
  }

  /// Lithium in the electrolyte per unit electrode area, Σ ε_i h_i c_i [mol m⁻²].
  public func amount(_ c: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<cellCount { s += porosities[i] * widths[i] * c[i] }
    return s
  }

  /// Σ ε_i h_i [m], the electrolyte volume per unit electrode area.
  public let porousLength: Double

  /// Lithium-weighted mean concentration Σ ε_i h_i c_i / Σ ε_i h_i [mol m⁻³]. It is conserved, so it
  /// stays at c_e0: the leading-order electrolyte concentration at which the SPMe's first-order terms
  /// (κ_e and χ in the electrolyte potential) are evaluated.
  public func meanConcentration(_ c: UnsafeBufferPointer<Double>) -> Double {
    amount(c) / porousLength
  }

  /// `meanConcentration` of cells stored in the slots of `order` (`order[slot]` = cell; `nil`: slot k
  /// is cell k).
  func meanConcentration(_ c: UnsafeBufferPointer<Double>, order: [Int]?) -> Double {
    guard let order else { return meanConcentration(c) }
    var s = 0.0
    for k in 0..<cellCount { s += porosities[order[k]] * widths[order[k]] * c[k] }
    return s / porousLength
  }

  /// Plain x-average (1/L)∫c dx over the whole cell [mol m⁻³] (not porosity-weighted).
  public func average(_ c: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<cellCount { s += widths[i] * c[i] }
    return s / (negativeThickness + separatorThickness + positiveThickness)
  }

  /// x-averages of ln c over the negative and positive electrodes (uniform cells: plain means), as
  /// logarithms of products (`sumOfLogarithms`).
  @inline(__always)
  public func logarithmAverages(_ c: UnsafeBufferPointer<Double>) -> (negative: Double, positive: Double) {
    let sn = Self.sumOfLogarithms(negativeRange) { floored(c[$0]) }
    let sp = Self.sumOfLogarithms(positiveRange) { floored(c[$0]) }
    return (sn / Double(negativeCells), sp / Double(positiveCells))
  }

  /// Σ ln f(i) over `cells` as one logarithm per block of 8 factors (their product), falling back to one
  /// logarithm per factor for a block whose product leaves the normal range of Double. ~8× fewer
  /// logarithms; the product's rounding (≤ 8 ulp) changes the sum by ≤ 2e-15.
  @inline(__always)
  static func sumOfLogarithms(_ cells: Range<Int>, _ f: (Int) -> Double) -> Double {
    var sum = 0.0
    var i = cells.lowerBound
    while i < cells.upperBound {
      let end = min(i + 8, cells.upperBound)
      var product = 1.0
      for k in i..<end { product *= f(k) }
      if product.isNormal && product > 0 {
        sum += log(product)
      } else {
        for k in i..<end { sum += log(f(k)) }
      }
      i = end
    }
    return sum
  }

  /// Concentration at the negative current collector (x = 0) [mol m⁻³]: the quadratic with zero slope
  /// there (no-flux condition) through the first two cell centres, (9c_0 − c_1)/8.
  public func negativeCollectorValue(_ c: UnsafeBufferPointer<Double>) -> Double {
    (9 * c[0] - c[1]) / 8
  }

  /// Concentration at the positive current collector (x = L) [mol m⁻³], as at x = 0.
  public func positiveCollectorValue(_ c: UnsafeBufferPointer<Double>) -> Double {
    (9 * c[cellCount - 1] - c[cellCount - 2]) / 8
  }

  /// Concentration at the middle of the separator [mol m⁻³]: the middle cell, or the mean of the two
  /// middle cells (uniform separator mesh).
  public func separatorMiddleValue(_ c: UnsafeBufferPointer<Double>) -> Double {
    let mid = separatorRange.lowerBound + separatorCells / 2
    return separatorCells % 2 == 1 ? c[mid] : 0.5 * (c[mid - 1] + c[mid])
  }

  /// Smallest concentration anywhere: over the cells and the two current-collector values [mol m⁻³].
  public func minimum(_ c: UnsafeBufferPointer<Double>) -> Double {
    var low = min(negativeCollectorValue(c), positiveCollectorValue(c))
    for i in 0..<cellCount { low = min(low, c[i]) }
    return low
  }
}

/// q(s) with D_e(c, T) = D_e(c_e0, T)·q(c/c_e0), q a polynomial of degree ≤ 3 (Newton form through
/// s = ¼, 1, 2, 3 at 298.15 K), accepted only if it reproduces the file's D_e to 1e-12 (relative) on a
/// grid of c from 1e-3·c_e0 to 4·c_e0 and T from 253 K to 343 K: a polynomial in c_e times any factor of
/// T (Arrhenius) passes, anything else keeps the per-cell calls. Chen2020's D_e is a quadratic.
struct DiffusivityShape: Sendable {
  let nodes: (Double, Double, Double)
  let coefficients: (Double, Double, Double, Double)

  @inline(__always) func callAsFunction(_ s: Double) -> Double {
    coefficients.0 + (s - nodes.0) * (coefficients.1 + (s - nodes.1) * (coefficients.2 + (s - nodes.2) * coefficients.3))
  }

  /// q′(s), the nested form differentiated.
  @inline(__always) func slope(_ s: Double) -> Double {
    let p2 = coefficients.2 + (s - nodes.2) * coefficients.3
    let p1 = coefficients.1 + (s - nodes.1) * p2
    let d1 = p2 + (s - nodes.1) * coefficients.3
    return p1 + (s - nodes.0) * d1
  }

  init?(_ d: ScalarFunction, referenceConcentration ce0: Double) {
    let t0 = 298.15
    let base = d(ce0, t0)
    guard base > 0, base.isFinite else { return nil }
    let s = [0.25, 1.0, 2.0, 3.0]
    let f = s.map { d($0 * ce0, t0) / base }
    guard f.allSatisfy({ $0.isFinite }) else { return nil }
    // Divided differences.
    let d01 = (f[1] - f[0]) / (s[1] - s[0])
    let d12 = (f[2] - f[1]) / (s[2] - s[1])
    let d23 = (f[3] - f[2]) / (s[3] - s[2])
    let d012 = (d12 - d01) / (s[2] - s[0])
    let d123 = (d23 - d12) / (s[3] - s[1])
    let d0123 = (d123 - d012) / (s[3] - s[0])
    nodes = (s[0], s[1], s[2])
    coefficients = (f[0], d01, d012, d0123)
    for t in [253.15, 298.15, 343.15] {
      let reference = d(ce0, t)
      guard reference > 0, reference.isFinite else { return nil }
      for ratio in [1e-3, 0.1, 0.37, 0.9, 1.3, 1.6, 2.5, 3.0, 4.0] {
        let direct = d(ratio * ce0, t)
        let shaped = reference * self(ratio)
        if !(abs(direct - shaped) <= 1e-12 * abs(direct)) { return nil }
      }
    }
  }
}
