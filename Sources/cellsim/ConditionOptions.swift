// CellSim — cellsim/ConditionOptions.swift
//
// The flags that set up a simulation's starting state, temperature and tolerance, shared by every
// command that simulates (`run`, `validate`) through `@OptionGroup`.

import ArgumentParser
import CellSim

struct ConditionOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Initial state of charge in [0, 1] (default 1).", valueName: "fraction"))
  var soc: Double?

  @Option(name: .long, help: ArgumentHelp("Initial open-circuit voltage [V] instead of --soc.", valueName: "volts"))
  var initialVoltage: Double?

  @Option(name: .long, help: ArgumentHelp("Ambient temperature with its unit: 25C, 298.15K.", valueName: "temperature"))
  var ambient: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Thermal model: isothermal (default) or lumped (lithium-ion spm, spme; needs the cell file's cell.thermal block). Adds heat_generation_W and cooling_W columns; temperature_K is then the cell's.",
      valueName: "model"))
  var thermal: String = "isothermal"

  @Option(name: .long, help: ArgumentHelp("Relative tolerance of the integrator.", valueName: "rtol"))
  var rtol: Double = 1e-5

  func validate() throws {
    if let soc, !(0...1).contains(soc) { throw ValidationError("--soc must be in [0, 1], got \(soc).") }
    if soc != nil && initialVoltage != nil { throw ValidationError("Give --soc or --initial-voltage, not both.") }
    if let v = initialVoltage, !(v > 0) || !v.isFinite {
      throw ValidationError("--initial-voltage must be a positive voltage, got \(v).")
    }
    if !(rtol > 0 && rtol < 0.1) { throw ValidationError("--rtol must be in (0, 0.1), got \(rtol).") }
    if ThermalOption(rawValue: thermal.lowercased()) == nil {
      throw ValidationError(
        "--thermal '\(thermal)' is not a thermal model (accepted: \(ThermalOption.allCases.map(\.rawValue).joined(separator: ", "))).")
    }
    if let ambient, parseTemperature(ambient) == nil {
      throw ValidationError("--ambient '\(ambient)' is not a temperature: write it with a unit, e.g. 25C or 298.15K (above 0 K).")
    }
  }

  /// The thermal option chosen (validated).
  var thermalOption: ThermalOption { ThermalOption(rawValue: thermal.lowercased()) ?? .isothermal }

  /// Sets the initial condition, ambient temperature and tolerance of `options`.
  func apply(to options: inout SimulationOptions) {
    options.relativeTolerance = rtol
    if let soc { options.initialCondition = .stateOfCharge(soc) }
    if let initialVoltage { options.initialCondition = .openCircuitVoltage(initialVoltage) }
    if let ambient { options.ambientTemperature = parseTemperature(ambient) }
  }
}
