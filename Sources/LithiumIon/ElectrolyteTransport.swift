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
    diffusivity = p.electrolyte.diffusivity
    conductivity = p.electrolyte.conductivity
    concentrationFloor = 1e-6 * p.electrolyte.initialConcentration
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

  /// Plain x-average (1/L)∫c dx over the whole cell [mol m⁻³] (not porosity-weighted).
  public func average(_ c: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<cellCount { s += widths[i] * c[i] }
    return s / (negativeThickness + separatorThickness + positiveThickness)
  }

  /// x-averages of ln c over the negative and positive electrodes (uniform cells: plain means).
  @inline(__always)
  public func logarithmAverages(_ c: UnsafeBufferPointer<Double>) -> (negative: Double, positive: Double) {
    var sn = 0.0
    for i in negativeRange { sn += log(floored(c[i])) }
    var sp = 0.0
    for i in positiveRange { sp += log(floored(c[i])) }
    return (sn / Double(negativeCells), sp / Double(positiveCells))
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
