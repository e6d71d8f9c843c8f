// CellSim — LithiumIon/LumpedThermal.swift
//
// PyBaMM's lumped (0-D) thermal model (`{"thermal": "lumped"}`; Timms et al. 2021), one cell
// temperature T [K] shared by every layer:
//
//     C · dT/dt = Q_gen − h·A_cool·(T − T_amb)
//
//     Q_gen = Q_ohm + Q_rxn + Q_rev                                        [W]
//           = I·(U_surf − V) − I·T·∂U_surf/∂T,     U_surf = U_p(y_s, T) − U_n(x_s, T)
//
// C is the cell heat capacity [J K⁻¹] (`LithiumIonParameters.lumpedHeatCapacity`), h the total
// heat-transfer coefficient, A_cool the cooling area and T_amb the ambient temperature of the step.
// The identity for Q_gen: PyBaMM integrates −i_s·∇φ_s − i_e·∇φ_e (ohmic, solid and electrolyte) and
// a·j·η (reaction) and a·j·T·∂U/∂T (reversible, entropic) over the cell; for the SPM/SPMe those
// integrals are exactly −I times the ohmic, electrolyte-concentration and reaction parts of the
// voltage, so the irreversible heat is I·(U_surf − V). With a contact resistance it adds I²·R_contact
// (PyBaMM: option "contact resistance"). The current-collector ohmic heat I²·(L_cc/σ_cc)/A of PyBaMM is
// left out (≈1e-10 W for Chen2020 at 1C). The identity holds in PyBaMM's solution to 5e-5 W at 1C
// (its mesh artefact in the ohmic terms), see `Benchmarks/tools/make_thermal_reference.py`.
//
// The temperature feeds back wherever a parameter function takes T: D_s(x, T), j0(…, T), D_e(c_e, T),
// κ_e(c_e, T), the OCPs (entropic term) and every RT/F. Arrhenius factors are written in the cell file
// (`{"value": …, "activation_energy_J_mol": …}`); Chen2020 has them on j0 only, as PyBaMM's Chen2020.

import CellCore
import Foundation

/// The thermal model a lithium-ion model carries.
public enum ThermalOption: String, Sendable, CaseIterable {
  /// The cell is at the ambient temperature of each step (no temperature state).
  case isothermal
  /// One lumped cell temperature with Newton cooling (`LumpedThermal`).
  case lumped
}

/// The numbers of the lumped energy balance, decoded from the cell file's `cell.thermal` block.
public struct LumpedThermal: Sendable {
  /// Cell heat capacity C [J K⁻¹].
  public let heatCapacity: Double
  /// Total heat-transfer coefficient h [W m⁻² K⁻¹].
  public let heatTransferCoefficient: Double
  /// Cooling surface area A_cool [m²].
  public let coolingArea: Double
  /// h·A_cool [W K⁻¹].
  public let coolingConductance: Double

  /// - Throws: `CellModelError` when the cell file has no usable thermal data.
  public init(parameters: LithiumIonParameters) throws(CellModelError) {
    guard let thermal = parameters.cell.thermal else {
      throw CellModelError(
        "the lumped thermal model needs the cell file's \"cell.thermal\" block (heat_transfer_coefficient_W_m2_K, "
          + "cooling_area_m2, volume_m3, and heat_capacity_J_K or density and specific heat of every layer)")
    }
    guard let c = parameters.lumpedHeatCapacity, c > 0, c.isFinite else {
      throw CellModelError(
        "the lumped thermal model needs a positive cell heat capacity: give cell.thermal.heat_capacity_J_K, or "
          + "density_kg_m3 and specific_heat_J_kg_K in the negative, separator and positive sections")
    }
    let h = thermal.heatTransferCoefficient
    let area = thermal.coolingArea
    guard h >= 0, h.isFinite, area >= 0, area.isFinite else {
      throw CellModelError(
        "the lumped thermal model needs a heat-transfer coefficient and cooling area ≥ 0, got h = \(h) W/(m^2 K), "
          + "A = \(area) m^2")
    }
    heatCapacity = c
    heatTransferCoefficient = h
    coolingArea = area
    coolingConductance = h * area
  }

  /// Heat removed by Newton cooling, h·A_cool·(T − T_amb) [W] (> 0 when the cell is warmer).
  @inline(__always) public func cooling(temperature: Double, ambient: Double) -> Double {
    coolingConductance * (temperature - ambient)
  }

  /// dT/dt [K s⁻¹] for a heat generation Q_gen [W].
  @inline(__always) public func rate(heat: Double, temperature: Double, ambient: Double) -> Double {
    (heat - cooling(temperature: temperature, ambient: ambient)) / heatCapacity
  }

  /// Heat generated in the cell [W]: I·(U_surf − V) − I·T·∂U_surf/∂T.
  /// - Parameters:
  ///   - current: I [A], > 0 on discharge.
  ///   - surfaceOCV: U_p(y_s) − U_n(x_s) [V].
  ///   - voltage: terminal voltage V [V] (with the contact-resistance drop, whose I²R it then counts).
  ///   - entropicCoefficient: ∂U_p/∂T(y_s) − ∂U_n/∂T(x_s) [V K⁻¹].
  @inline(__always)
  public static func heat(
    current: Double, surfaceOCV: Double, voltage: Double, temperature: Double, entropicCoefficient: Double
  ) -> Double {
    current * (surfaceOCV - voltage) - current * temperature * entropicCoefficient
  }
}
