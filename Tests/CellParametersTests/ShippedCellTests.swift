// CellSim — CellParametersTests/ShippedCellTests.swift
//
// The three shipped lithium-ion cells against PyBaMM 26.10.1.1 (../shared/reference/liion/functions).

import CellCore
import CellParameters
import Foundation
import LithiumIon
import Testing

@Suite("Shipped lithium-ion cells")
struct ShippedCellTests {
  @Test("each shipped cell loads", arguments: ShippedCell.sets)
  func loads(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    #expect(p.header.name == set)
    #expect(p.header.chemistry == "lithium-ion")
    #expect(!p.header.sources.isEmpty)
    #expect(try readChemistry(of: ShippedCell.url(set)) == "lithium-ion")
    #expect(!p.derivedQuantities.isEmpty)
  }

  @Test("electrode capacities, area and surface areas match the facts", arguments: ShippedCell.sets)
  func capacities(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    let facts = try Fixture.facts(set)
    #expect(relativeError(p.cell.area, try Fixture.fact(facts, "electrode_area_A_cc_m2")) < 1e-12)
    let qn = try Fixture.fact(facts, "Q_n_Ah (eps_s,n * L_n * A * c_max,n * F / 3600)")
    #expect(relativeError(p.negativeCapacity, qn) < 1e-10)
    #expect(relativeError(p.positiveCapacity, try Fixture.fact(facts, "Q_p_Ah")) < 1e-10)
    let qLi = try Fixture.fact(facts, "Q_Li_particles_init_Ah (from paramset initial concentrations)")
    #expect(relativeError(p.lithiumInventory, qLi) < 1e-10)
    #expect(relativeError(p.negative.surfaceAreaPerVolume, try Fixture.fact(facts, "a_n_m-1 (3 eps_s,n / R_n)")) < 1e-12)
    #expect(relativeError(p.positive.surfaceAreaPerVolume, try Fixture.fact(facts, "a_p_m-1 (3 eps_s,p / R_p)")) < 1e-12)
    let scalars = try #require(facts["scalar_parameters"] as? [String: Any])
    let nominal = try Fixture.fact(scalars, "Nominal cell capacity [A.h]")
    #expect(p.cell.oneCCurrent == nominal)
    #expect(p.cell.referenceTemperature == (try Fixture.fact(scalars, "Reference temperature [K]")))
  }

  @Test("eSOH window matches PyBaMM to 1e-6", arguments: ShippedCell.sets)
  func electrodeBalance(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    let facts = try Fixture.facts(set)
    let b = try p.electrodeBalance()
    #expect(abs(b.x0 - (try Fixture.fact(facts, "eSOH_x_0"))) < 1e-6)
    #expect(abs(b.x100 - (try Fixture.fact(facts, "eSOH_x_100"))) < 1e-6)
    #expect(abs(b.y0 - (try Fixture.fact(facts, "eSOH_y_0"))) < 1e-6)
    #expect(abs(b.y100 - (try Fixture.fact(facts, "eSOH_y_100"))) < 1e-6)
    #expect(relativeError(b.capacity, try Fixture.fact(facts, "eSOH_capacity_Q_Ah")) < 1e-6)
    let full = b.stoichiometries(atSOC: 1)
    let expectedFull = try #require(facts["initial_soc_1.0 -> x, y"] as? [Double])
    #expect(abs(full.x - expectedFull[0]) < 1e-6 && abs(full.y - expectedFull[1]) < 1e-6)
    let empty = b.stoichiometries(atSOC: 0)
    let expectedEmpty = try #require(facts["initial_soc_0.0 -> x, y"] as? [Double])
    #expect(abs(empty.x - expectedEmpty[0]) < 1e-6 && abs(empty.y - expectedEmpty[1]) < 1e-6)
    // OCV at SOC 1 is the 100 % limit (facts: OCV_at_soc1_V), and the inverse map returns SOC 1.
    #expect(abs(b.openCircuitVoltage(atSOC: 1) - (try Fixture.fact(facts, "OCV_at_soc1_V"))) < 1e-9)
    // OCV at the stored concentrations (facts: OCV_at_paramic_V) and its SOC round trip.
    let paramic = try #require(facts["paramic x, y"] as? [Double])
    let ocvParamic = try Fixture.fact(facts, "OCV_at_paramic_V")
    #expect(
      abs(p.openCircuitVoltage(x: paramic[0], y: paramic[1], temperature: p.cell.referenceTemperature) - ocvParamic)
        < 1e-9)
    let s = try b.stateOfCharge(forOpenCircuitVoltage: ocvParamic)
    #expect(abs(b.openCircuitVoltage(atSOC: s) - ocvParamic) < 1e-9)
    #expect(throws: CellModelError.self) { try b.stateOfCharge(forOpenCircuitVoltage: p.cell.ocvAtSOC1 + 0.1) }
  }

  /// OCPs (with PyBaMM's barrier term), raw OCPs and particle diffusivities to 1e-6 relative on
  /// sto ∈ [0.01, 0.99], at the set's reference temperature.
  @Test("OCPs and diffusivities match functions_<set>.csv", arguments: ShippedCell.sets)
  func electrodeFunctions(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    let t = p.cell.referenceTemperature
    let table = try Fixture.csv("functions_\(set).csv")
    let sto = try #require(table["sto"])
    var checked = 0
    for (i, s) in sto.enumerated() where s >= 0.01 - 1e-12 && s <= 0.99 + 1e-12 {
      let cases: [(String, Double, String)] = [
        ("U_n", p.negativeOCP(s, t), "U_n_V"),
        ("U_p", p.positiveOCP(s, t), "U_p_V"),
        ("U_n raw", p.negative.ocp(s, t), "U_n_raw_V"),
        ("U_p raw", p.positive.ocp(s, t), "U_p_raw_V"),
        ("D_n", p.negative.diffusivity(s, t), "D_n_m2s"),
        ("D_p", p.positive.diffusivity(s, t), "D_p_m2s"),
      ]
      for (name, value, column) in cases {
        let reference = try #require(table[column])[i]
        #expect(relativeError(value, reference) < 1e-6, "\(set) \(name)(\(s)) = \(value), PyBaMM \(reference)")
      }
      checked += 1
    }
    #expect(checked == 981)
  }

  /// Exchange-current densities at c_e = c_e0 and T = T_ref to 1e-6 relative on sto ∈ [0.01, 0.99].
  ///
  /// The CSV holds the parameter functions themselves, i.e. the plain law m·c_e^0.5·c_s^0.5·(c_max − c_s)^0.5
  /// (checked: it agrees with the plain law to ~1e-12 even at sto = 1e-6). PyBaMM's RegPower
  /// regularisation of the square roots (README § "PyBaMM details", 0.25 % at sto 0.01/0.99) is applied
  /// by its models, not by these functions, so no looser tolerance is needed here; a model that wants to
  /// match PyBaMM's curves near the stoichiometry ends must apply it itself.
  @Test("exchange-current densities match functions_<set>.csv", arguments: ShippedCell.sets)
  func exchangeCurrents(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    let t = p.cell.referenceTemperature
    let ce0 = p.electrolyte.initialConcentration
    let table = try Fixture.csv("functions_\(set).csv")
    let sto = try #require(table["sto"])
    var checked = 0
    for (i, s) in sto.enumerated() where s >= 0.01 - 1e-12 && s <= 0.99 + 1e-12 {
      for (name, electrode, column) in [
        ("j0_n", p.negative, "j0_n_Am2_at_ce0"), ("j0_p", p.positive, "j0_p_Am2_at_ce0"),
      ] {
        let reference = try #require(table[column])[i]
        let value = electrode.exchangeCurrent(x: s, ce: ce0, temperature: t)
        #expect(relativeError(value, reference) < 1e-6, "\(set) \(name)(\(s)) = \(value), PyBaMM \(reference)")
        // Same through the raw function of (x, cs, ce, T, cmax).
        let cMax = electrode.maxConcentration
        #expect(relativeError(electrode.exchangeCurrentDensity(s, s * cMax, ce0, t, cMax), reference) < 1e-6)
      }
      checked += 1
    }
    #expect(checked == 981)
  }

  /// Electrolyte diffusivity and conductivity to 1e-6 relative on c_e ∈ [100, 3000] mol m⁻³.
  @Test("electrolyte functions match electrolyte_<set>.csv", arguments: ShippedCell.sets)
  func electrolyteFunctions(set: String) throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url(set))
    let t = p.cell.referenceTemperature
    let table = try Fixture.csv("electrolyte_\(set).csv")
    let ce = try #require(table["c_e_molm3"])
    for (i, c) in ce.enumerated() where c >= 100 && c <= 3000 {
      let d = try #require(table["D_e_m2s"])[i]
      let k = try #require(table["kappa_e_Sm"])[i]
      #expect(relativeError(p.electrolyte.diffusivity(c, t), d) < 1e-6, "\(set) D_e(\(c))")
      #expect(relativeError(p.electrolyte.conductivity(c, t), k) < 1e-6, "\(set) kappa_e(\(c))")
    }
  }

  @Test("Prada2013 j0 keeps its 298.15 K Arrhenius reference while T_ref = 298 K")
  func pradaArrhenius() throws {
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url("Prada2013"))
    // params_Prada2013.md §4: at c_e = 1200, sto = 0.5, T = 298: j0_n = 0.340511, j0_p = 0.235110 A m⁻².
    #expect(abs(p.negative.exchangeCurrent(x: 0.5, ce: 1200, temperature: 298) - 0.340511) < 1e-6)
    #expect(abs(p.positive.exchangeCurrent(x: 0.5, ce: 1200, temperature: 298) - 0.235110) < 1e-6)
  }

  @Test("the OCP barrier and the entropic term")
  func ocpTerms() throws {
    // README: 1 mV at s = 0.001, < 1e-11 V for 0.004 ≤ s ≤ 0.996, antisymmetric.
    #expect(abs(OpenCircuitPotential.barrier(0.001) - 1e-3) < 1e-4)
    #expect(abs(OpenCircuitPotential.barrier(0.004)) < 1e-11)
    #expect(abs(OpenCircuitPotential.barrier(0.996)) < 1e-11)
    #expect(abs(OpenCircuitPotential.barrier(0.2) + OpenCircuitPotential.barrier(0.8)) < 1e-15)
    let p = try LithiumIonParameters.load(contentsOf: ShippedCell.url("Marquis2019"))
    // Marquis2019 has a non-zero dU/dT: U(x, T) = U(x, T_ref) + (T − T_ref)·dU/dT(x).
    let x = 0.5
    let dUdT = p.negative.entropicChange(x, 308.15)
    #expect(dUdT != 0)
    #expect(abs(p.negativeOCP(x, 308.15) - (p.negativeOCP(x, 298.15) + 10 * dUdT)) < 1e-12)
  }

  @Test("a sweep override is read and validated like the file")
  func override() throws {
    let json = try JSONValue.parse(ShippedCell.text("Chen2020"))
    let thinner = try #require(json.setting("positive.thickness_m", to: .number(80e-6)))
    let p = try LithiumIonParameters.load(json: thinner, fileName: "Chen2020.json")
    #expect(p.positive.thickness == 80e-6)
    let broken = try #require(json.setting("positive.thickness_m", to: .number(-1)))
    #expect(throws: CellFileError.self) { try LithiumIonParameters.load(json: broken, fileName: "Chen2020.json") }
  }
}
