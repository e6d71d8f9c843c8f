// CellSim — LithiumIon/BPXImport.swift
//
// Battery Parameter eXchange (BPX 0.x and 1.x) → a `cellsim.cell/1` lithium-ion cell file, as a
// `JSONValue`, so that everything downstream (validation, eSOH, models, sweeps) is the one mechanism of
// `LithiumIonParameters`. The conversions are the standard's, as PyBaMM 26.10 implements them
// (pybamm/parameters/bpx.py); docs/bpx.md lists them field by field.
//
//   BPX                                          cellsim.cell/1
//   Electrode area A_e, pairs n                   electrode_height_m = electrode_width_m = √A_e, electrodes_in_parallel = n
//   Surface area per unit volume a, radius R      active_material_volume_fraction ε_s = a·R/3
//   Transport efficiency τ, porosity ε            bruggeman_electrolyte b = ln τ / ln ε   (so ε^b = τ)
//   Conductivity σ_eff (already effective)        conductivity_S_m = σ_eff, bruggeman_electrode = 0
//   Reaction rate constant k [mol m⁻² s⁻¹]        j0 = k·F/(c_max·√c_e0) · √(ce·cs·(cmax − cs)) [· Arrhenius(E_a,k)]
//   Diffusivity D(x), activation energy E_a       {"value": D, "activation_energy_J_mol": E_a, "reference_temperature_K": T_ref}
//   Electrolyte functions of x = c_e              the same expression in `ce` (x renamed), Arrhenius as above
//   Min/max stoichiometry                          initial concentrations x_max·c_n,max, y_min·c_p,max (100 % SOC),
//                                                  ocv_at_soc_1_V = U_p(y_min) − U_n(x_max), ocv_at_soc_0_V = U_p(y_max) − U_n(x_min)
//                                                  (or the cut-offs: `BPXFullChargeDefinition.cutoffVoltages`, PyBaMM's default)
//
// Errors name the BPX field by its JSON Pointer (`/Parameterisation/Negative electrode/OCP [V]`).

import CellCore
import CellParameters
import Foundation

/// Which open-circuit voltages define 0 % and 100 % SOC of an imported BPX cell.
public enum BPXFullChargeDefinition: String, Sendable, CaseIterable {
  /// The file's stoichiometry limits (the BPX standard): 100 % SOC is x = x_max, y = y_min, i.e.
  /// `ocv_at_soc_1_V` = U_p(y_min) − U_n(x_max) and `ocv_at_soc_0_V` = U_p(y_max) − U_n(x_min).
  case stoichiometryLimits = "stoichiometry"
  /// The voltage cut-offs, as PyBaMM's `set_initial_state` does for a BPX cell: `ocv_at_soc_1_V` =
  /// upper cut-off, `ocv_at_soc_0_V` = lower cut-off (the lithium inventory still comes from x_max, y_min).
  case cutoffVoltages = "cutoff"
}

/// One measured experiment of a BPX file's `Validation` section, converted to CellSim's sign
/// convention (current > 0 on discharge; BPX writes discharge as negative).
public struct BPXExperiment: Sendable, Equatable {
  public var name: String
  /// Time [s], strictly increasing.
  public var time: [Double]
  /// Current [A], > 0 on discharge (the negative of the file's values).
  public var current: [Double]
  /// Measured terminal voltage [V].
  public var voltage: [Double]
  /// Measured temperature [K], if given.
  public var temperature: [Double]?

  public init(name: String, time: [Double], current: [Double], voltage: [Double], temperature: [Double]? = nil) {
    self.name = name
    self.time = time
    self.current = current
    self.voltage = voltage
    self.temperature = temperature
  }
}

/// A BPX file converted to CellSim's lithium-ion format.
public struct BPXConversion: Sendable {
  /// The `cellsim.cell/1` file, with the provenance in `description` and `sources`.
  public var cell: JSONValue
  /// `Header.Model` of the file ("SPM", "SPMe", "DFN" or "Partial").
  public var model: String
  /// `Header.BPX` (the version string).
  public var version: String
  /// What was dropped, defaulted or is only a placeholder (one line each).
  public var warnings: [String]
  /// The `Validation` experiments, in file order.
  public var validation: [BPXExperiment]
}

/// Reads BPX files (see the file header for the mapping).
public enum BPXImport {
  /// Expression functions the BPX standard's Python syntax may call (PyBaMM's preamble has exp, tanh,
  /// cosh; log and sqrt are NumPy's).
  public static let functions = ["exp", "log", "sqrt", "tanh", "cosh"]

  /// Whether a parsed JSON document is a BPX file: a top-level `Header` object with a `BPX` field.
  public static func isBPX(_ json: JSONValue) -> Bool {
    guard case .object = json, let header = json["Header"], case .object = header else { return false }
    return header["BPX"] != nil
  }

  /// Whether the file at `url` is a BPX file (false if it cannot be read or parsed).
  public static func isBPX(contentsOf url: URL) -> Bool {
    guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8),
      let json = try? JSONValue.parse(text)
    else { return false }
    return isBPX(json)
  }

  /// Reads, converts and validates a BPX file.
  /// - Throws: `CellFileError` naming every BPX field that violates the standard (JSON Pointer paths).
  public static func load(
    contentsOf url: URL, fullCharge: BPXFullChargeDefinition = .stoichiometryLimits
  ) throws(CellFileError) -> LithiumIonParameters {
    let conversion = try convert(contentsOf: url, fullCharge: fullCharge)
    return try LithiumIonParameters.load(json: conversion.cell, fileName: url.lastPathComponent)
  }

  /// Reads and converts a BPX file.
  public static func convert(
    contentsOf url: URL, fullCharge: BPXFullChargeDefinition = .stoichiometryLimits
  ) throws(CellFileError) -> BPXConversion {
    let reader = try ParameterReader(contentsOf: url)
    let name = url.deletingPathExtension().lastPathComponent.replacingOccurrences(of: ".bpx", with: "")
    return try convert(reader.root, fileName: url.lastPathComponent, cellName: name, fullCharge: fullCharge)
  }

  /// Converts a parsed BPX document.
  /// - Parameters:
  ///   - fileName: shown in messages and kept in the provenance.
  ///   - cellName: the `name` of the converted cell.
  /// - Throws: `CellFileError` listing every violation of the standard (paths are JSON Pointers into
  ///   the BPX file), or, if the converted file is itself invalid (e.g. an OCP that is not finite over
  ///   [0.001, 0.999]), its problems under CellSim's field names.
  public static func convert(
    _ json: JSONValue, fileName: String, cellName: String? = nil,
    fullCharge: BPXFullChargeDefinition = .stoichiometryLimits
  ) throws(CellFileError) -> BPXConversion {
    let r = BPXReader(fileName: fileName)
    var converted = r.convert(json, cellName: cellName ?? fileName, fullCharge: fullCharge)
    if !r.issues.isEmpty { throw CellFileError(file: fileName, issues: r.issues) }

    // 100 % / 0 % SOC: evaluate the OCPs of the converted cell at the stoichiometry limits.
    if fullCharge == .stoichiometryLimits, let limits = r.limits {
      let reader = ParameterReader(json: converted.cell, fileName: fileName)
      let p = LithiumIonParameters(reading: reader)
      try reader.finish()
      let t = p.cell.referenceTemperature
      let full = p.openCircuitVoltage(x: limits.xMax, y: limits.yMin, temperature: t)
      let empty = p.openCircuitVoltage(x: limits.xMin, y: limits.yMax, temperature: t)
      guard full > empty else {
        throw CellFileError(
          CellFileIssue(
            file: fileName, path: "/Parameterisation/Positive electrode/Minimum stoichiometry",
            value: "\(limits.yMin)",
            problem: "the OCV at the stoichiometry limits for 100 % SOC (\(full) V) must exceed the one for 0 % SOC "
              + "(\(empty) V); check the stoichiometry limits and the OCP functions", kind: .inconsistent))
      }
      converted.cell = converted.cell.setting("cell.ocv_at_soc_1_V", to: .number(full)) ?? converted.cell
      converted.cell = converted.cell.setting("cell.ocv_at_soc_0_V", to: .number(empty)) ?? converted.cell
      let upper = p.cell.upperCutoff
      if full > upper + 1e-3 {
        converted.warnings.append(
          "the OCV at the stoichiometry limits (\(format(full)) V) is above the upper cut-off (\(format(upper)) V): "
            + "a run from 100 % SOC starts above it")
      }
    }
    _ = try LithiumIonParameters.load(json: converted.cell, fileName: fileName)
    return converted
  }

  /// Pretty-printed JSON text of a converted cell file (2-space indent; number arrays on one line).
  public static func jsonText(_ value: JSONValue) -> String {
    var out = ""
    write(value, indent: 0, into: &out)
    return out + "\n"
  }

  private static func write(_ value: JSONValue, indent: Int, into out: inout String) {
    let pad = String(repeating: " ", count: indent)
    switch value {
    case .object(let members) where !members.isEmpty:
      out += "{\n"
      for (i, member) in members.enumerated() {
        out += pad + "  " + JSONValue.string(member.key).rendered(limit: .max) + ": "
        write(member.value, indent: indent + 2, into: &out)
        out += i + 1 < members.count ? ",\n" : "\n"
      }
      out += pad + "}"
    case .array(let items) where items.contains(where: { if case .object = $0 { return true } else { return false } }):
      out += "[\n"
      for (i, item) in items.enumerated() {
        out += pad + "  "
        write(item, indent: indent + 2, into: &out)
        out += i + 1 < items.count ? ",\n" : "\n"
      }
      out += pad + "]"
    default:
      out += value.rendered(limit: .max)
    }
  }

  static func format(_ x: Double) -> String { String(format: "%.5f", x) }
}

// MARK: - The reader

/// Walks a BPX document, collecting every violation of the standard with its JSON Pointer.
final class BPXReader {
  let fileName: String
  var issues: [CellFileIssue] = []
  var warnings: [String] = []
  /// The stoichiometry limits, when both electrodes gave valid ones.
  var limits: (xMin: Double, xMax: Double, yMin: Double, yMax: Double)?

  init(fileName: String) { self.fileName = fileName }

  // MARK: Issues

  func report(_ path: String, _ value: JSONValue?, _ problem: String, _ kind: CellFileIssue.Kind) {
    issues.append(
      CellFileIssue(file: fileName, path: path, value: value?.rendered(limit: 60), problem: problem, kind: kind))
  }

  static func pointer(_ parent: String, _ key: String) -> String {
    parent + "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
  }

  // MARK: Typed access

  /// An object member of `parent` (nil, with an issue if `required`, when absent or not an object).
  func object(_ parent: JSONValue?, _ path: String, _ key: String, required: Bool, _ meaning: String) -> JSONValue? {
    let p = Self.pointer(path, key)
    guard let value = parent?[key] else {
      if required, parent != nil { report(p, nil, "missing (\(meaning)); the BPX standard requires it", .missing) }
      return nil
    }
    guard case .object = value else {
      report(p, value, "must be an object (\(meaning)), not \(value.kindDescription)", .wrongType)
      return nil
    }
    return value
  }

  enum Range {
    case positive, nonNegative, unit, openUnit, finite, wholeAtLeastOne
    var text: String {
      switch self {
      case .positive: return "> 0"
      case .nonNegative: return "≥ 0"
      case .unit: return "in [0, 1]"
      case .openUnit: return "in (0, 1)"
      case .finite: return "finite"
      case .wholeAtLeastOne: return "a whole number ≥ 1"
      }
    }
    func contains(_ x: Double) -> Bool {
      guard x.isFinite else { return false }
      switch self {
      case .positive: return x > 0
      case .nonNegative: return x >= 0
      case .unit: return x >= 0 && x <= 1
      case .openUnit: return x > 0 && x < 1
      case .finite: return true
      case .wholeAtLeastOne: return x >= 1 && x == x.rounded()
      }
    }
  }

  /// A number field; NaN if absent (with an issue when `required`) or invalid.
  func number(_ parent: JSONValue?, _ path: String, _ key: String, _ range: Range, _ meaning: String, required: Bool = true)
    -> Double
  {
    let p = Self.pointer(path, key)
    guard let parent else { return .nan }
    guard let value = parent[key] else {
      if required { report(p, nil, "missing (\(meaning)); the BPX standard requires it", .missing) }
      return .nan
    }
    guard case .number(let x, _) = value else {
      report(p, value, "must be a number (\(meaning)), not \(value.kindDescription)", .wrongType)
      return .nan
    }
    guard range.contains(x) else {
      report(p, value, "must be \(range.text) (\(meaning))", .outOfRange)
      return .nan
    }
    return x
  }

  func optionalNumber(_ parent: JSONValue?, _ path: String, _ key: String, _ range: Range, _ meaning: String) -> Double? {
    guard parent?[key] != nil else { return nil }
    let x = number(parent, path, key, range, meaning)
    return x.isNaN ? nil : x
  }

  /// A FloatFunctionTable field converted to CellSim's JSON function forms, with `x` renamed to
  /// `variable`. Checks: expressions use only `x` and `BPXImport.functions` and parse; tables have
  /// numeric x and y of equal length ≥ 2 with x strictly increasing.
  func function(
    _ parent: JSONValue?, _ path: String, _ key: String, variable: String, variables: [String], _ meaning: String,
    required: Bool = true
  ) -> JSONValue? {
    let p = Self.pointer(path, key)
    guard let parent else { return nil }
    guard let value = parent[key] else {
      if required { report(p, nil, "missing (\(meaning)); the BPX standard requires it", .missing) }
      return nil
    }
    let forms = "a number, an expression string in x or a table {\"x\": [...], \"y\": [...]}"
    switch value {
    case .number(let x, _):
      guard x.isFinite else {
        report(p, value, "must be finite (\(meaning))", .outOfRange)
        return nil
      }
      return value
    case .string(let text):
      guard let renamed = checkExpression(text, path: p, value: value, variable: variable) else { return nil }
      do {
        _ = try FunctionSpec.expression(renamed).compile(variables: variables)
      } catch {
        var problem = "invalid expression: \(error.message)"
        if error.column > 0 { problem += " (column \(error.column) of the converted \"\(renamed)\")" }
        report(p, value, problem + " (\(meaning), a function of x)", .invalidFunction)
        return nil
      }
      return .string(renamed)
    case .object(let members):
      let keys = Set(members.map(\.key))
      guard keys.contains("x"), keys.contains("y") else {
        report(p, value, "must be \(forms) (\(meaning)); a table needs both \"x\" and \"y\"", .invalidFunction)
        return nil
      }
      if let extra = keys.subtracting(["x", "y"]).sorted().first {
        report(Self.pointer(p, extra), nil, "unknown field of a table (a table has only \"x\" and \"y\")", .unknown)
        return nil
      }
      guard let x = numbers(value["x"], Self.pointer(p, "x")), let y = numbers(value["y"], Self.pointer(p, "y")) else {
        return nil
      }
      guard x.count == y.count else {
        report(p, nil, "table x and y have different lengths (\(x.count) and \(y.count))", .invalidFunction)
        return nil
      }
      guard x.count >= 2 else {
        report(p, nil, "a table needs at least 2 points", .invalidFunction)
        return nil
      }
      for i in 1..<x.count where !(x[i] > x[i - 1]) {
        let what = x[i] == x[i - 1] ? "duplicate x" : "unsorted x"
        report(
          Self.pointer(p, "x"), nil,
          "\(what): x[\(i)] = \(x[i]) after x[\(i - 1)] = \(x[i - 1]); the table's x must be strictly increasing "
            + "(linear interpolation between sorted, distinct points)", .invalidFunction)
        return nil
      }
      return .object([("x", .array(x.map { .number($0) })), ("y", .array(y.map { .number($0) }))])
    default:
      report(p, value, "must be \(forms) (\(meaning)), not \(value.kindDescription)", .wrongType)
      return nil
    }
  }

  private func numbers(_ value: JSONValue?, _ path: String) -> [Double]? {
    guard case .array(let items) = value else {
      report(path, value, "must be an array of numbers", .wrongType)
      return nil
    }
    var out: [Double] = []
    for (i, item) in items.enumerated() {
      guard case .number(let x, _) = item, x.isFinite else {
        report(path + "/\(i)", item, "must be a finite number", .wrongType)
        return nil
      }
      out.append(x)
    }
    return out
  }

  /// Checks the names in a BPX expression and renames the variable `x` to `variable`.
  /// - Returns: the renamed expression, or nil (reported) for an unknown function or free variable.
  func checkExpression(_ text: String, path: String, value: JSONValue, variable: String) -> String? {
    let scalars = Array(text.unicodeScalars)
    var out = String.UnicodeScalarView()
    var i = 0
    func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
    while i < scalars.count {
      let c = scalars[i]
      if isDigit(c) || (c == "." && i + 1 < scalars.count && isDigit(scalars[i + 1])) {
        var j = i
        while j < scalars.count, isDigit(scalars[j]) || scalars[j] == "." { j += 1 }
        if j < scalars.count, scalars[j] == "e" || scalars[j] == "E" {
          var k = j + 1
          if k < scalars.count, scalars[k] == "+" || scalars[k] == "-" { k += 1 }
          if k < scalars.count, isDigit(scalars[k]) {
            j = k
            while j < scalars.count, isDigit(scalars[j]) { j += 1 }
          }
        }
        out.append(contentsOf: scalars[i..<j])
        i = j
      } else if isLetter(c) {
        var j = i
        while j < scalars.count, isLetter(scalars[j]) || isDigit(scalars[j]) { j += 1 }
        let name = String(String.UnicodeScalarView(scalars[i..<j]))
        var k = j
        while k < scalars.count, scalars[k].properties.isWhitespace { k += 1 }
        let isCall = k < scalars.count && scalars[k] == "("
        if isCall {
          guard BPXImport.functions.contains(name) else {
            report(
              path, value,
              "unknown function '\(name)' at column \(i + 1) (BPX expressions may call \(BPXImport.functions.joined(separator: ", ")))",
              .invalidFunction)
            return nil
          }
          out.append(contentsOf: name.unicodeScalars)
        } else {
          guard name == "x" else {
            report(
              path, value,
              "free variable '\(name)' at column \(i + 1): a BPX function may use only the variable x",
              .invalidFunction)
            return nil
          }
          out.append(contentsOf: variable.unicodeScalars)
        }
        i = j
      } else {
        out.append(c)
        i += 1
      }
    }
    return String(out)
  }

  // MARK: The conversion

  func convert(_ json: JSONValue, cellName: String, fullCharge: BPXFullChargeDefinition) -> BPXConversion {
    var conversion = BPXConversion(cell: .object([]), model: "", version: "", warnings: [], validation: [])
    guard case .object = json else {
      report("", json, "a BPX file must be a JSON object with \"Header\" and \"Parameterisation\"", .wrongType)
      return conversion
    }
    for member in json.objectMembers where !["Header", "Parameterisation", "State", "Validation"].contains(member.key) {
      report(Self.pointer("", member.key), nil, "unknown top-level field (BPX has Header, Parameterisation, State, Validation)", .unknown)
    }
    // Header
    let header = object(json, "", "Header", required: true, "the file header")
    var version = ""
    switch header?["BPX"] {
    case .string(let s)?: version = s
    case .number(_, let literal)?: version = literal
    case let v?: report("/Header/BPX", v, "must be a version string such as \"1.0.0\"", .wrongType)
    case nil: if header != nil { report("/Header/BPX", nil, "missing (the BPX version)", .missing) }
    }
    var model = ""
    switch header?["Model"] {
    case .string(let s)? where ["SPM", "SPMe", "DFN", "Partial"].contains(s): model = s
    case let v?: report("/Header/Model", v, "must be one of \"SPM\", \"SPMe\", \"DFN\", \"Partial\"", .outOfRange)
    case nil:
      // BPX 0.x files may omit it; they are full (DFN) parameterisations.
      if header != nil {
        if version.hasPrefix("0") { model = "DFN" } else {
          report("/Header/Model", nil, "missing (\"SPM\", \"SPMe\", \"DFN\" or \"Partial\"); the BPX standard requires it", .missing)
        }
      }
    }
    conversion.model = model
    conversion.version = version
    let spmOnly = model == "SPM"

    let par = object(json, "", "Parameterisation", required: true, "the cell's parameters")
    let pp = "/Parameterisation"
    let state = object(json, "", "State", required: false, "initial and thermal state (BPX 1.x)")
    let initial = object(state, "/State", "Initial conditions", required: false, "initial conditions")
    let thermalEnv = object(state, "/State", "Thermal environment", required: false, "thermal environment")
    if let deg = object(state, "/State", "Degradation", required: false, "degradation state"),
      deg.objectMembers.contains(where: { if case .number(let x, _) = $0.value { return x != 0 } else { return false } })
    {
      warnings.append("/State/Degradation (LLI, LAM) is not applied: the cell is imported as parameterised")
    }

    // Cell
    let cellPath = pp + "/Cell"
    let cell = object(par, pp, "Cell", required: true, "cell geometry and limits")
    let area = number(cell, cellPath, "Electrode area [m2]", .positive, "area of one electrode pair in m^2")
    let pairs = number(
      cell, cellPath, "Number of electrode pairs connected in parallel to make a cell", .wholeAtLeastOne,
      "electrode pairs in parallel")
    let lower = number(cell, cellPath, "Lower voltage cut-off [V]", .positive, "V")
    let upper = number(cell, cellPath, "Upper voltage cut-off [V]", .positive, "V")
    if lower.isFinite, upper.isFinite, !(lower < upper) {
      report(Self.pointer(cellPath, "Upper voltage cut-off [V]"), .number(upper), "must be greater than the lower cut-off \(lower) V", .inconsistent)
    }
    let capacity = number(cell, cellPath, "Nominal cell capacity [A.h]", .positive, "A h, defines 1C")
    let tRef = optionalNumber(cell, cellPath, "Reference temperature [K]", .positive, "K") ?? 298.15
    let ambient =
      optionalNumber(thermalEnv, "/State/Thermal environment", "Ambient temperature [K]", .positive, "K")
      ?? optionalNumber(cell, cellPath, "Ambient temperature [K]", .positive, "K") ?? tRef
    let surface = optionalNumber(cell, cellPath, "External surface area [m2]", .positive, "m^2")
    let volume = optionalNumber(cell, cellPath, "Volume [m3]", .positive, "m^3")
    let density = optionalNumber(cell, cellPath, "Density [kg.m-3]", .positive, "kg/m^3")
    let cp = optionalNumber(cell, cellPath, "Specific heat capacity [J.K-1.kg-1]", .positive, "J/(kg K)")
    let h = optionalNumber(
      thermalEnv, "/State/Thermal environment", "Heat transfer coefficient [W.m-2.K-1]", .nonNegative, "W/(m^2 K)")
    _ = optionalNumber(cell, cellPath, "Initial temperature [K]", .positive, "K")
    _ = optionalNumber(cell, cellPath, "Thermal conductivity [W.m-1.K-1]", .positive, "W/(m K)")
    if let soc = optionalNumber(initial, "/State/Initial conditions", "Initial state-of-charge", .unit, "initial SOC"), soc != 1 {
      warnings.append("/State/Initial conditions/Initial state-of-charge = \(soc): pass it to the run (--soc \(soc)); the cell file does not store an initial SOC")
    }

    // Electrolyte
    let ePath = pp + "/Electrolyte"
    let electrolyte = object(par, pp, "Electrolyte", required: !spmOnly && model != "Partial", "the electrolyte")
    let ce0 =
      optionalNumber(initial, "/State/Initial conditions", "Initial electrolyte concentration [mol.m-3]", .positive, "mol/m^3")
      ?? optionalNumber(electrolyte, ePath, "Initial concentration [mol.m-3]", .positive, "mol/m^3") ?? 1000
    let ceVars = LithiumIonParameters.electrolyteFunctionVariables
    var electrolyteJSON: [(key: String, value: JSONValue)]
    if let electrolyte {
      let tPlus = number(electrolyte, ePath, "Cation transference number", .openUnit, "t+")
      let dE = function(electrolyte, ePath, "Diffusivity [m2.s-1]", variable: "ce", variables: ceVars, "D_e(c_e) in m^2/s")
      let kE = function(electrolyte, ePath, "Conductivity [S.m-1]", variable: "ce", variables: ceVars, "kappa_e(c_e) in S/m")
      let eaD = optionalNumber(electrolyte, ePath, "Diffusivity activation energy [J.mol-1]", .finite, "J/mol")
      let eaK = optionalNumber(electrolyte, ePath, "Conductivity activation energy [J.mol-1]", .finite, "J/mol")
      electrolyteJSON = [
        ("initial_concentration_mol_m3", .number(ce0)),
        ("transference_number", .number(tPlus)),
        ("thermodynamic_factor", .number(1)),
        ("diffusivity_m2_s", Self.arrhenius(dE, eaD, tRef)),
        ("conductivity_S_m", Self.arrhenius(kE, eaK, tRef)),
      ]
    } else {
      warnings.append(
        "no Electrolyte (an SPM parameterisation): placeholder electrolyte and separator values are used; only the spm model is meaningful for this cell")
      electrolyteJSON = [
        ("initial_concentration_mol_m3", .number(ce0)), ("transference_number", .number(0.3)),
        ("thermodynamic_factor", .number(1)), ("diffusivity_m2_s", .number(3e-10)), ("conductivity_S_m", .number(1)),
      ]
    }

    // Electrodes
    let negative = electrode(par, "Negative electrode", spmOnly: spmOnly, tRef: tRef, ce0: ce0, fullAtMax: true)
    let positive = electrode(par, "Positive electrode", spmOnly: spmOnly, tRef: tRef, ce0: ce0, fullAtMax: false)
    if let n = negative.limits, let p = positive.limits { limits = (n.0, n.1, p.0, p.1) }

    // Separator
    let sPath = pp + "/Separator"
    let separator = object(par, pp, "Separator", required: !spmOnly && model != "Partial", "the separator")
    var separatorJSON: [(key: String, value: JSONValue)]
    if let separator {
      let thickness = number(separator, sPath, "Thickness [m]", .positive, "m")
      let eps = number(separator, sPath, "Porosity", .openUnit, "electrolyte volume fraction")
      let tau = number(separator, sPath, "Transport efficiency", .openUnit, "tau = eps^b (inverse MacMullin number)")
      separatorJSON = [
        ("thickness_m", .number(thickness)), ("porosity", .number(eps)),
        ("bruggeman_electrolyte", .number(Self.bruggeman(tau, eps))),
      ]
    } else {
      separatorJSON = [("thickness_m", .number(2e-5)), ("porosity", .number(0.5)), ("bruggeman_electrolyte", .number(1.5))]
    }

    if let user = par?["User-defined"], case .object(let members) = user, !members.isEmpty {
      warnings.append("/Parameterisation/User-defined: \(members.count) field(s) kept out of the cell file (no CellSim equivalent): "
        + members.map(\.key).joined(separator: ", "))
    }

    // Validation
    if let validation = object(json, "", "Validation", required: false, "measured experiments") {
      for member in validation.objectMembers {
        if let experiment = self.experiment(member.key, member.value) { conversion.validation.append(experiment) }
      }
    }

    // Cell section
    let side = sqrt(area)
    var cellJSON: [(key: String, value: JSONValue)] = [
      ("nominal_capacity_Ah", .number(capacity)),
      ("electrode_height_m", .number(side)),
      ("electrode_width_m", .number(side)),
      ("electrodes_in_parallel", .number(pairs)),
      ("lower_cutoff_V", .number(lower)),
      ("upper_cutoff_V", .number(upper)),
      // Stoichiometry definition: placeholders, replaced by the OCVs at the limits after a first read.
      ("ocv_at_soc_0_V", .number(fullCharge == .cutoffVoltages ? lower : 1)),
      ("ocv_at_soc_1_V", .number(fullCharge == .cutoffVoltages ? upper : 2)),
      ("reference_temperature_K", .number(tRef)),
      ("ambient_temperature_K", .number(ambient)),
      ("contact_resistance_Ohm", .number(0)),
    ]
    if let surface, let volume, let density, let cp {
      cellJSON.append(
        (
          "thermal",
          .object([
            ("heat_transfer_coefficient_W_m2_K", .number(h ?? 0)), ("cooling_area_m2", .number(surface)),
            ("volume_m3", .number(volume)), ("heat_capacity_J_K", .number(density * cp * volume)),
          ])
        ))
    }

    // Provenance
    let title = header?["Title"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? ""
    let text = header?["Description"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? ""
    var sources: [JSONValue] = []
    switch header?["References"] {
    case .string(let s)?: sources.append(.string(s))
    case .array(let items)?: sources += items.compactMap { if case .string = $0 { return $0 } else { return nil } }
    default: break
    }
    let soc: String
    switch fullCharge {
    case .stoichiometryLimits:
      soc = "100 % SOC at the file's stoichiometry limits (x_max, y_min), 0 % SOC at the OCV of (x_min, y_max)"
    case .cutoffVoltages:
      soc = "0 % and 100 % SOC at OCV = the lower and upper cut-off (PyBaMM's set_initial_state), lithium inventory from x_max, y_min"
    }
    sources.append(
      .string(
        "Imported by cellsim from BPX \(version) file \(fileName) (Header.Model \(model)); conversions as PyBaMM 26.10 "
          + "create_from_bpx: eps_s = a R/3, Bruggeman b = ln(tau)/ln(eps), bruggeman_electrode 0 (effective conductivity), "
          + "j0 = k F/(c_max sqrt(c_e0)) sqrt(ce cs (cmax - cs)) with c_e0 = \(ce0) mol/m^3, Arrhenius factors from the activation energies at T_ref = \(tRef) K; "
          + soc))
    let description = ([title, text].filter { !$0.isEmpty }.joined(separator: " — "))
      + (spmOnly ? " [SPM-only BPX: electrolyte, separator and electrode transport values are placeholders]" : "")

    conversion.cell = .object([
      ("schema", .string(CellFileHeader.currentSchema)),
      ("chemistry", .string(LithiumIonParameters.chemistry)),
      ("name", .string(cellName)),
      ("description", .string(description.isEmpty ? "BPX cell \(fileName)" : description)),
      ("sources", .array(sources)),
      ("cell", .object(cellJSON)),
      ("negative", .object(negative.json)),
      ("separator", .object(separatorJSON)),
      ("positive", .object(positive.json)),
      ("electrolyte", .object(electrolyteJSON)),
    ])
    conversion.warnings = warnings
    return conversion
  }

  static func bruggeman(_ tau: Double, _ eps: Double) -> Double {
    guard tau.isFinite, eps.isFinite, eps > 0, eps < 1, tau > 0 else { return .nan }
    return log(tau) / log(eps)
  }

  static func arrhenius(_ base: JSONValue?, _ ea: Double?, _ tRef: Double) -> JSONValue {
    guard let base else { return .null }
    guard let ea, ea != 0 else { return base }
    return .object([
      ("value", base), ("activation_energy_J_mol", .number(ea)), ("reference_temperature_K", .number(tRef)),
    ])
  }

  /// One electrode: its cellsim fields, and its stoichiometry limits (min, max).
  func electrode(
    _ par: JSONValue?, _ name: String, spmOnly: Bool, tRef: Double, ce0: Double, fullAtMax: Bool
  ) -> (json: [(key: String, value: JSONValue)], limits: (Double, Double)?) {
    let path = "/Parameterisation/" + name
    guard let e = object(par, "/Parameterisation", name, required: true, "the \(name.lowercased())") else {
      return ([], nil)
    }
    // A blended electrode ("Particle": one object per population): every population becomes an
    // entry of the electrode's `populations`, and the electrode section is the first population with
    // the populations' total active material. The eSOH works on the electrode as a whole, so the
    // populations must share the OCP, maximum concentration and stoichiometry limits.
    var particles: [(path: String, value: JSONValue)] = [(path, e)]
    if let populations = object(e, path, "Particle", required: false, "particle populations (blended electrode)") {
      let members = populations.objectMembers
      guard !members.isEmpty else {
        report(Self.pointer(path, "Particle"), nil, "must hold at least one particle population", .inconsistent)
        return ([], nil)
      }
      particles = members.map { (Self.pointer(Self.pointer(path, "Particle"), $0.key), $0.value) }
    }
    let xVars = LithiumIonParameters.electrodeFunctionVariables
    let thickness = number(e, path, "Thickness [m]", .positive, "m")
    let hasTransport = e["Porosity"] != nil || !spmOnly
    let porosity = hasTransport ? number(e, path, "Porosity", .openUnit, "electrolyte volume fraction") : .nan
    let tau = hasTransport ? number(e, path, "Transport efficiency", .openUnit, "tau = eps^b (inverse MacMullin number)") : .nan
    let sigma = hasTransport ? number(e, path, "Conductivity [S.m-1]", .positive, "effective electronic conductivity") : .nan

    struct Particle {
      var fields: [(key: String, value: JSONValue)]
      var limits: (Double, Double)?
      var epsS: Double
      var cMax: Double
      var ocp: JSONValue?
      var path: String
    }
    func read(_ particle: JSONValue, _ particlePath: String) -> Particle {
      let xMin = number(particle, particlePath, "Minimum stoichiometry", .unit, "stoichiometry at 0 % / 100 % SOC")
      let xMax = number(particle, particlePath, "Maximum stoichiometry", .unit, "stoichiometry at 100 % / 0 % SOC")
      var limits: (Double, Double)?
      if xMin.isFinite, xMax.isFinite {
        if xMin < xMax { limits = (xMin, xMax) } else {
          report(
            Self.pointer(particlePath, "Minimum stoichiometry"), .number(xMin),
            "must be less than Maximum stoichiometry = \(xMax) (the limits are reversed or equal)", .inconsistent)
        }
      }
      let cMax = number(particle, particlePath, "Maximum concentration [mol.m-3]", .positive, "mol/m^3")
      let radius = number(particle, particlePath, "Particle radius [m]", .positive, "m")
      let a = number(particle, particlePath, "Surface area per unit volume [m-1]", .positive, "m^-1")
      let d = function(particle, particlePath, "Diffusivity [m2.s-1]", variable: "x", variables: xVars, "D_s(x) in m^2/s")
      let eaD = optionalNumber(particle, particlePath, "Diffusivity activation energy [J.mol-1]", .finite, "J/mol")
      var ocp = function(particle, particlePath, "OCP [V]", variable: "x", variables: xVars, "U(x) in V", required: false)
      if particle["OCP [V]"] == nil {
        if particle["OCP (lithiation) [V]"] != nil || particle["OCP (delithiation) [V]"] != nil {
          report(
            Self.pointer(particlePath, "OCP [V]"), nil,
            "missing: OCP hysteresis (lithiation/delithiation branches) without a mean 'OCP [V]' is not supported by CellSim's models",
            .missing)
        } else {
          report(Self.pointer(particlePath, "OCP [V]"), nil, "missing (U(x) in V); the BPX standard requires it", .missing)
        }
        ocp = nil
      } else if particle["OCP (lithiation) [V]"] != nil || particle["OCP (delithiation) [V]"] != nil {
        warnings.append("\(particlePath): OCP hysteresis branches ignored; 'OCP [V]' is used")
      }
      let dUdT =
        function(
          particle, particlePath, "Entropic change coefficient [V.K-1]", variable: "x", variables: xVars, "dU/dT(x) in V/K",
          required: false) ?? .number(0)
      let k = number(particle, particlePath, "Reaction rate constant [mol.m-2.s-1]", .positive, "normalised k")
      let eaK = optionalNumber(particle, particlePath, "Reaction rate constant activation energy [J.mol-1]", .finite, "J/mol")
      let epsS = a * radius / 3
      if epsS.isFinite, !(epsS > 0 && epsS < 1) {
        report(
          Self.pointer(particlePath, "Surface area per unit volume [m-1]"), .number(a),
          "gives an active-material volume fraction a·R/3 = \(epsS), which must be in (0, 1)", .inconsistent)
      }
      // j0 = k·F/(c_max·√c_e0)·√(ce·cs·(cmax − cs)) (PyBaMM: k_pb = k_norm·F/(c_max·√c_e0)).
      let kPyBaMM = k * PhysicalConstants.faraday / (cMax * ce0.squareRoot())
      let j0: JSONValue = Self.arrhenius(.string("\(kPyBaMM) * ce^0.5 * cs^0.5 * (cmax - cs)^0.5"), eaK, tRef)
      return Particle(
        fields: [
          ("particle_radius_m", .number(radius)),
          ("active_material_volume_fraction", .number(epsS)),
          ("max_concentration_mol_m3", .number(cMax)),
          ("diffusivity_m2_s", Self.arrhenius(d, eaD, tRef)),
          ("ocp_V", ocp ?? .null),
          ("entropic_change_V_K", dUdT),
          ("exchange_current_density_A_m2", j0),
        ], limits: limits, epsS: epsS, cMax: cMax, ocp: ocp, path: particlePath)
    }
    let populationsRead = particles.map { read($0.value, $0.path) }
    let first = populationsRead[0]
    let epsS = populationsRead.map(\.epsS).reduce(0, +)
    if populationsRead.count > 1 {
      if epsS.isFinite, !(epsS > 0 && epsS < 1) {
        report(
          Self.pointer(path, "Particle"), nil,
          "the populations' active-material volume fractions a·R/3 add up to \(epsS), which must be in (0, 1)", .inconsistent)
      }
      for p in populationsRead.dropFirst() {
        let sameLimits = p.limits.map { l in first.limits.map { $0 == l } ?? true } ?? true
        if p.ocp != first.ocp || !(p.cMax == first.cMax || !p.cMax.isFinite || !first.cMax.isFinite) || !sameLimits {
          report(
            p.path, nil,
            "blended-electrode populations with different OCPs, maximum concentrations or stoichiometry limits are not "
              + "supported by CellSim yet (the eSOH treats the electrode as one material; \(first.path) differs)",
            .outOfRange)
        }
      }
    }
    if epsS.isFinite, porosity.isFinite, epsS + porosity > 1 + 1e-12 {
      report(
        Self.pointer(path, "Porosity"), .number(porosity),
        "porosity + active-material fraction a·R/3 (\(epsS)) = \(porosity + epsS) must be ≤ 1", .inconsistent)
    }
    let limits = first.limits
    let stoichiometry = fullAtMax ? (limits?.1 ?? .nan) : (limits?.0 ?? .nan)
    let placeholderPorosity = epsS.isFinite ? min(0.3, max(1e-3, (1 - epsS) / 2)) : 0.3
    var particleFields = first.fields
    if let i = particleFields.firstIndex(where: { $0.key == "active_material_volume_fraction" }) {
      particleFields[i].value = .number(epsS)
    }
    func field(_ key: String) -> JSONValue { particleFields.first { $0.key == key }?.value ?? .null }
    var json: [(key: String, value: JSONValue)] = [
      ("thickness_m", .number(thickness)),
      ("particle_radius_m", field("particle_radius_m")),
      ("active_material_volume_fraction", .number(epsS)),
      ("porosity", .number(hasTransport ? porosity : placeholderPorosity)),
      ("bruggeman_electrolyte", .number(hasTransport ? Self.bruggeman(tau, porosity) : 1.5)),
      ("bruggeman_electrode", .number(0)),
      ("conductivity_S_m", .number(hasTransport ? sigma : 100)),
      ("max_concentration_mol_m3", field("max_concentration_mol_m3")),
      ("initial_concentration_mol_m3", .number(stoichiometry * first.cMax)),
      ("diffusivity_m2_s", field("diffusivity_m2_s")),
      ("ocp_V", field("ocp_V")),
      ("entropic_change_V_K", field("entropic_change_V_K")),
      ("exchange_current_density_A_m2", field("exchange_current_density_A_m2")),
    ]
    if populationsRead.count > 1 {
      json.append(("populations", .array(populationsRead.map { .object($0.fields) })))
    }
    return (json, limits)
  }

  /// One `Validation` experiment: time, current, voltage (and temperature) arrays of one length,
  /// time strictly increasing; current negated to CellSim's convention (> 0 discharge).
  func experiment(_ name: String, _ value: JSONValue) -> BPXExperiment? {
    let path = Self.pointer("/Validation", name)
    guard case .object = value else {
      report(path, value, "must be an object with \"Time [s]\", \"Current [A]\", \"Voltage [V]\"", .wrongType)
      return nil
    }
    func column(_ key: String, required: Bool = true) -> [Double]? {
      guard let v = value[key] else {
        if required { report(Self.pointer(path, key), nil, "missing (a measured column)", .missing) }
        return nil
      }
      return numbers(v, Self.pointer(path, key))
    }
    let t = column("Time [s]")
    let i = column("Current [A]")
    let v = column("Voltage [V]")
    let temperature = column("Temperature [K]", required: false)
    guard let t, let i, let v else { return nil }
    guard t.count == i.count, t.count == v.count, temperature.map({ $0.count == t.count }) ?? true else {
      report(path, nil, "the columns have different lengths (\(t.count), \(i.count), \(v.count))", .inconsistent)
      return nil
    }
    guard t.count >= 2 else {
      report(path, nil, "needs at least 2 rows", .inconsistent)
      return nil
    }
    for k in 1..<t.count where !(t[k] > t[k - 1]) {
      report(Self.pointer(Self.pointer(path, "Time [s]"), "\(k)"), .number(t[k]), "time must increase (previous \(t[k - 1]) s)", .inconsistent)
      return nil
    }
    return BPXExperiment(name: name, time: t, current: i.map { -$0 }, voltage: v, temperature: temperature)
  }
}

extension JSONValue {
  /// The members of an object (empty for anything else).
  var objectMembers: [(key: String, value: JSONValue)] {
    if case .object(let members) = self { return members }
    return []
  }
}
