// CellSim — CellSim/Comparison/StackEnergy.swift
//
// Stack-level figures of one discharge (../shared/reference/ssb/model.md §4, the same recipe for every
// chemistry; `LayerStack.energyDensity`):
//
//     E'' = E/A,  Q'' = Q/A              [W h m⁻², A h m⁻²]  (A the electrode area the stack describes)
//     Wh/kg = E''/m'',  Wh/L = E''/(1000 L''(Q''))          (L'' with plated metal for Q'', if any)
//     W/kg  = (E''/t_h)/m''                                  (mean power over the discharge of t_h hours)
//
// Exclusions (all chemistries): tabs, pouch or can, stack pressure hardware. Included: both coatings,
// separator, halved collectors (double-sided), the liquid electrolyte in pores and separator (lithium-ion)
// or from the E/S ratio with its reservoir (lithium-sulfur), lithium foil and plated lithium volume.

import Foundation

/// Stack energy and power densities of one discharge.
public struct StackFigures: Sendable, Equatable {
  /// Discharge energy and charge per electrode area [W h m⁻², A h m⁻²].
  public var energyPerArea: Double
  public var chargePerArea: Double
  /// Stack mass and charged-state volume per area [kg m⁻², m³ m⁻²].
  public var massPerArea: Double
  public var volumePerArea: Double
  /// Gravimetric and volumetric energy [W h kg⁻¹, W h L⁻¹] and mean specific power [W kg⁻¹].
  public var specificEnergy: Double
  public var energyDensity: Double
  public var specificPower: Double

  /// Figures for a discharge of energy E [W h] and charge Q [A h] over `duration` seconds from a cell of
  /// electrode area `area` [m²] described by `stack`.
  public init(stack: LayerStack, area: Double, energy: Double, charge: Double, duration: Double) {
    energyPerArea = energy / area
    chargePerArea = charge / area
    massPerArea = stack.massPerArea
    volumePerArea = stack.chargedVolumePerArea(chargePerArea: chargePerArea)
    let (gravimetric, volumetric) = stack.energyDensity(energyPerArea: energyPerArea, chargePerArea: chargePerArea)
    specificEnergy = gravimetric
    energyDensity = volumetric
    specificPower = duration > 0 ? gravimetric / (duration / 3600) : .nan
  }
}

/// What `compare` needs from a cell file for the stack figures, and where it gets the electrode area.
public enum StackRequirements {
  /// The fields a cell file needs for Wh/kg, Wh/L, W/kg and the mineral intensities.
  public static let fields = """
    a "stack" section: stack.layout ("double-sided" or "single-sided"), stack.materials (each with \
    density_kg_m3, kind and, for active materials, formula), stack.layers (each with name, role, thickness_m and \
    volume_fractions, or mass_fractions with porosity; pore_filler for a liquid electrolyte); lithium-sulfur \
    files need the S8 active material in the positive_electrode layer (its loading gives the electrode area); \
    see docs/parameter-schema.md, section "stack"
    """

  /// The layer stack of a loaded cell, if its file has one.
  public static func stack(of cell: LoadedCell) -> LayerStack? {
    switch cell.parameters {
    case .lithiumIon(let p): return p.stack
    case .solidState(let p): return p.stack
    case .lithiumSulfur(let p): return p.stack
    }
  }

  /// The electrode area the stack's per-area figures refer to [m²]: the cell's electrode area
  /// (lithium-ion L_y·L_z·n_par, solid-state `cell.electrode_area_m2`); for lithium-sulfur, the cell's
  /// sulfur mass over the stack's sulfur loading. `nil` when it cannot be found.
  public static func electrodeArea(of cell: LoadedCell) -> Double? {
    switch cell.parameters {
    case .lithiumIon(let p): return p.cell.area
    case .solidState(let p): return p.cell.area
    case .lithiumSulfur(let p):
      guard let stack = p.stack else { return nil }
      var loading = 0.0  // kg m⁻² of S8 in the positive electrode
      for layer in stack.layers(.positiveElectrode) {
        for c in layer.components where c.material.kind == .active && c.material.formula == "S8" {
          loading += layer.share * c.volumeFraction * c.material.density * layer.thickness
        }
      }
      guard loading > 0 else { return nil }
      return p.totalSulfur * 1e-3 / loading
    }
  }

  /// Why the stack figures of a cell cannot be computed (nil when they can).
  public static func missing(for cell: LoadedCell) -> String? {
    let file = cell.url.lastPathComponent
    if stack(of: cell) == nil {
      return "\(file): no layer stack, so Wh/kg, Wh/L, W/kg and mineral intensities are left empty; compare needs "
        + fields
    }
    if electrodeArea(of: cell) == nil {
      return "\(file): the stack has no S8 active material in its positive_electrode layer, so the electrode area "
        + "(sulfur mass / sulfur loading) is unknown and the density columns are left empty; compare needs " + fields
    }
    return nil
  }
}
