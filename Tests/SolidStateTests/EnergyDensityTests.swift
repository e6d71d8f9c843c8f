// CellSim — SolidStateTests/EnergyDensityTests.swift
//
// Stack energy density from the layer recipe (model.md §4): C/10 discharge energy over stack mass and
// volume per area. Reference values from model.md §4's table, written here.

import CellSim
import Foundation
import Testing
import _TestSupport

@Suite("SSB stack energy density")
struct EnergyDensityTests {
  @Test(
    "C/10 stack Wh/kg and Wh/L",
    arguments: [
      (SSB.baseline, 406.9, 973.6, 0.3544, 148.1e-6), (SSB.anodeFree, 419.5, 1125.6, 0.3437, 128.1e-6),
      (SSB.llzo, 314.7, 973.6, 0.4582, 148.1e-6),
    ])
  func energyDensity(_ name: String, _ whPerKg: Double, _ whPerL: Double, _ mass: Double, _ thickness: Double) throws {
    let parameters = try SolidStateParameters.load(contentsOf: SSB.cellURL(name))
    let stack = try #require(parameters.stack)
    let model = try SolidStateModel(parameters: parameters)
    let result = try SSB.run(model, "Discharge at C/10 until 3.0 V")
    #expect(result.status == .completed)
    let area = parameters.cell.area
    let e = result.steps[0].energy / area
    let q = result.steps[0].capacity / area
    let (gravimetric, volumetric) = stack.energyDensity(energyPerArea: e, chargePerArea: q)
    let volume = stack.chargedVolumePerArea(chargePerArea: q)
    print("SSB stack \(name) C/10: E'' \(e) Wh/m^2, m'' \(stack.massPerArea) kg/m^2, L'' \(volume * 1e6) µm, \(gravimetric) Wh/kg (ref \(whPerKg)), \(volumetric) Wh/L (ref \(whPerL))")
    #expect(abs(gravimetric - whPerKg) / whPerKg <= 0.02)
    #expect(abs(volumetric - whPerL) / whPerL <= 0.02)
    #expect(abs(stack.massPerArea - mass) / mass < 5e-4)
    #expect(abs(volume - thickness) / thickness < 5e-3)
  }

  @Test("stack arithmetic: layer densities, collectors halved, mass fractions")
  func recipe() throws {
    let parameters = try SolidStateParameters.load(contentsOf: SSB.cellURL(SSB.baseline))
    let stack = try #require(parameters.stack)
    let cathode = try #require(stack.layers(.positiveElectrode).first)
    #expect(abs(cathode.density - (0.6 * 4750 + 0.35 * 1640 + 0.02 * 2000)) < 1e-9)
    #expect(abs(cathode.voidFraction - 0.03) < 1e-12)
    #expect(abs(cathode.components[0].massFraction - 0.6 * 4750 / 3464) < 1e-12)
    let al = try #require(stack.layers(.positiveCurrentCollector).first)
    #expect(al.share == 0.5)
    #expect(abs(stack.volumePerArea - (6e-6 + 70e-6 + 30e-6 + 20e-6 + 4e-6)) < 1e-15)
    // Plated Li at the nominal capacity: Q''·3600/F·V̄_Li.
    let qArea = parameters.nominalCapacity / parameters.cell.area
    #expect(abs(stack.platedThickness(chargePerArea: qArea) - qArea * 3600 / 96485.33212331001 * 1.3e-5) < 1e-18)
    let names = parameters.derivedQuantities.map(\.name)
    #expect(names.contains { $0.hasPrefix("stack mass per area") })
    #expect(names.contains { $0.hasPrefix("stack volume per area") })
    // A mass-fraction layer gives the same density as its volume-fraction twin.
    let text = try editedBaseline([
      ("stack.layers[1].volume_fractions", nil),
      ("stack.layers[1].mass_fractions", ["NMC811": 0.6 * 4750 / 3464, "Li6PS5Cl": 0.35 * 1640 / 3464, "VGCF": 0.02 * 2000 / 3464]),
      ("stack.layers[1].porosity", 0.03),
    ])
    let byMass = try #require(try SolidStateParameters.load(text: text, fileName: "mass.json").stack)
    #expect(abs(byMass.massPerArea - stack.massPerArea) < 1e-12)
  }
}
