// CellSim — ComparisonTests/ComparisonTests.swift
//
// `cellsim compare` as a library: stack energy density against model.md §4, outputs that agree with
// the curves they came from, mineral intensities by hand, SVGs that parse, cells without a stack and
// runs that fail without stopping the others. Few rates, so the suite stays fast in a debug build.

import CellSim
import Foundation
import Testing
import _TestSupport

#if canImport(FoundationXML)
  import FoundationXML
#endif

enum Cells {
  static let chen = "CellParams/lithium-ion/Chen2020.json"
  static let ssb = "CellParams/solid-state/Li_LPSCl_NMC811.json"
  static let lis = "CellParams/lithium-sulfur/Marinescu2016.json"

  static func load(_ path: String) throws -> LoadedCell {
    try LoadedCell(contentsOf: repositoryRoot().appendingPathComponent(path))
  }

  /// A shipped cell file with edits (path components → new value, nil removes), written to a temporary file.
  static func edited(_ path: String, name: String, _ edit: (inout [String: Any]) -> Void) throws -> URL {
    let data = try Data(contentsOf: repositoryRoot().appendingPathComponent(path))
    var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    edit(&json)
    let dir = try temporaryDirectory()
    let url = dir.appendingPathComponent(name)
    try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted]).write(to: url)
    return url
  }

  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cellsim-compare-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// A CSV file as header → column of strings.
struct CSVTable {
  var header: [String]
  var rows: [[String]]

  init(contentsOf url: URL) throws {
    let text = try String(contentsOf: url, encoding: .utf8)
    var lines = text.split(whereSeparator: \.isNewline).map(String.init)
    header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    rows = lines.map(CSVTable.fields)
  }

  /// Splits a line at commas outside double quotes.
  static func fields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    for c in line {
      if c == "\"" {
        quoted.toggle()
      } else if c == ",", !quoted {
        fields.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    fields.append(current)
    return fields
  }

  func value(_ row: [String], _ column: String) -> String { row[header.firstIndex(of: column)!] }
  func number(_ row: [String], _ column: String) -> Double? { Double(value(row, column)) }
}

@Suite("chemistry comparison")
struct ComparisonTests {
  @Test("SSB baseline C/10 stack energy density within 2 % of model.md §4 (406.9 Wh/kg, 973.6 Wh/L)")
  func ssbEnergyDensity() throws {
    let comparison = ChemistryComparison.run(cells: [try Cells.load(Cells.ssb)], rates: [0.1])
    let row = comparison.rows[0]
    #expect(row.completed)
    let whPerKg = try #require(row.specificEnergy)
    let whPerL = try #require(row.energyDensity)
    #expect(abs(whPerKg - 406.9) / 406.9 <= 0.02, "Wh/kg \(whPerKg)")
    #expect(abs(whPerL - 973.6) / 973.6 <= 0.02, "Wh/L \(whPerL)")
    // W/kg is the mean power over the discharge per stack mass: (Wh/kg)/(hours).
    let wPerKg = try #require(row.specificPower)
    #expect(abs(wPerKg - whPerKg / (row.duration / 3600)) < 1e-9 * wPerKg)
  }

  @Test("summary.csv and ragone.csv agree with the written curves (∫V·I dt by trapezoid, 0.1 %)")
  func outputsAgreeWithCurves() throws {
    let cells = try [Cells.chen, Cells.ssb, Cells.lis].map(Cells.load)
    let comparison = ChemistryComparison.run(cells: cells, rates: [0.5, 2])
    let dir = try Cells.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try comparison.write(to: dir)
    let summary = try CSVTable(contentsOf: dir.appendingPathComponent("summary.csv"))
    let ragone = try CSVTable(contentsOf: dir.appendingPathComponent("ragone.csv"))
    #expect(summary.rows.count == 6)
    #expect(ragone.rows.count == 6)
    for row in summary.rows {
      let cell = summary.value(row, "cell")
      let rate = try #require(summary.number(row, "c_rate"))
      let curve = try ReferenceCurve(contentsOf: dir.appendingPathComponent(summary.value(row, "curve_file")))
      let t = curve.column("time_s")
      let i = curve.column("current_A")
      let v = curve.column("voltage_V")
      var energy = 0.0
      var charge = 0.0
      for k in 1..<t.count {
        let dt = t[k] - t[k - 1]
        energy += 0.5 * dt * (v[k] * i[k] + v[k - 1] * i[k - 1]) / 3600
        charge += 0.5 * dt * (i[k] + i[k - 1]) / 3600
      }
      let hours = (t.last! - t.first!) / 3600
      let summaryEnergy = try #require(summary.number(row, "energy_Wh"))
      let summaryCharge = try #require(summary.number(row, "capacity_Ah"))
      #expect(abs(summaryEnergy - energy) / energy <= 1e-3, "\(cell) \(rate)C energy \(summaryEnergy) vs curve \(energy)")
      #expect(abs(summaryCharge - charge) / charge <= 1e-3, "\(cell) \(rate)C charge")
      #expect(abs(summaryCharge - curve.column("capacity_Ah").last!) <= 1e-6 * summaryCharge)
      // Ragone: same energy; specific energy and power from the curve's energy over the stack mass.
      let r = try #require(ragone.rows.first { ragone.value($0, "cell") == cell && ragone.number($0, "c_rate") == rate })
      let c = try #require(comparison.cells.first { $0.label == cell })
      let mass = try #require(c.stack).massPerArea * (try #require(c.area))  // kg of stack for the cell's area
      let specificEnergy = try #require(ragone.number(r, "specific_energy_Wh_kg"))
      let specificPower = try #require(ragone.number(r, "specific_power_W_kg"))
      #expect(abs(try #require(ragone.number(r, "energy_Wh")) - energy) / energy <= 1e-3)
      #expect(abs(specificEnergy - energy / mass) / specificEnergy <= 1e-3, "\(cell) \(rate)C Wh/kg")
      #expect(abs(specificPower - energy / mass / hours) / specificPower <= 1e-3, "\(cell) \(rate)C W/kg")
      #expect(summary.number(row, "Wh_kg") == specificEnergy)
    }
  }

  @Test("Li and Ni per kWh of the SSB baseline by hand: NMC811 formula, mass fraction, loading")
  func mineralsByHand() throws {
    let comparison = ChemistryComparison.run(cells: [try Cells.load(Cells.ssb)], rates: [0.1])
    let m = try #require(comparison.minerals.first)
    let area = try #require(comparison.cells[0].area)  // 0.1 m²
    let ePerArea = comparison.rows[0].energy / area  // W h m⁻² at C/10 (≈ 144.2)
    #expect(abs(m.energyPerArea - ePerArea) < 1e-9 * ePerArea)
    // Formula masses (g/mol): Li 6.94, Ni 58.693, Mn 54.938, Co 58.933, O 15.999, P 30.974, S 32.06, Cl 35.45.
    let mNMC = 6.94 + 0.8 * 58.693 + 0.1 * 54.938 + 0.1 * 58.933 + 2 * 15.999  // 97.2795
    #expect(abs(try ChemicalFormula("LiNi0.8Mn0.1Co0.1O2").molarMass - mNMC) < 1e-9)
    let wLi = 6.94 / mNMC  // 0.07134
    let wNi = 0.8 * 58.693 / mNMC  // 0.48268
    // NMC811 loading: ε_AM ρ L = 0.6 × 4750 kg/m³ × 70 µm = 0.1995 kg/m² (a single-sided layer: share 1).
    let nmc = 0.6 * 4750 * 70e-6
    let ni = nmc * wNi / (ePerArea / 1000)  // kg per kWh
    #expect(abs(m.perKilowattHour["Ni"]! - ni) < 1e-9 * ni, "Ni \(m.perKilowattHour["Ni"]!) vs \(ni)")
    // Li: NMC811 + Li6PS5Cl (cathode 0.35 × 1640 × 70 µm, separator 1640 × 30 µm; w = 6 × 6.94/268.364)
    // + the 20 µm excess Li foil (534 kg/m³).
    let mLPSCl = 6 * 6.94 + 30.974 + 5 * 32.06 + 35.45  // 268.364
    let lpscl = 0.35 * 1640 * 70e-6 + 1640 * 30e-6
    let li = (nmc * wLi + lpscl * 6 * 6.94 / mLPSCl + 534 * 20e-6) / (ePerArea / 1000)
    #expect(abs(m.perKilowattHour["Li"]! - li) < 1e-9 * li, "Li \(m.perKilowattHour["Li"]!) vs \(li)")
    #expect(m.perKilowattHour["Ni"]! > 0.6 && m.perKilowattHour["Ni"]! < 0.75)  // ≈ 0.668 kg/kWh
    // Formula parsing: groups and unknown elements.
    #expect(abs(try ChemicalFormula("Li(Ni0.8Co0.2)O2").massFraction(of: "Co") - 0.2 * 58.933 / (6.94 + 0.8 * 58.693 + 0.2 * 58.933 + 2 * 15.999)) < 1e-12)
    #expect(throws: ChemicalFormula.ParseError.self) { try ChemicalFormula("LiXx2") }
  }

  @Test("the SVGs parse as XML and hold one <path> per series")
  func svgs() throws {
    let cells = try [Cells.chen, Cells.ssb, Cells.lis].map(Cells.load)
    let comparison = ChemistryComparison.run(cells: cells, rates: [0.5, 1])
    let dir = try Cells.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try comparison.write(to: dir)
    for (file, plot) in [
      ("voltage_1C.svg", comparison.voltagePlot()), ("rate_capability.svg", comparison.retentionPlot()),
      ("ragone.svg", comparison.ragonePlot()),
    ] {
      #expect(plot.series.count == 3, "\(file)")
      let data = try Data(contentsOf: dir.appendingPathComponent(file))
      let counter = ElementCounter()
      let parser = XMLParser(data: data)
      parser.delegate = counter
      #expect(parser.parse(), "\(file): \(parser.parserError.map { "\($0)" } ?? "")")
      #expect(counter.counts["svg"] == 1)
      #expect(counter.counts["path"] == plot.series.count, "\(file): \(counter.counts["path"] ?? 0) paths")
      #expect((counter.counts["text"] ?? 0) >= 2 + 3)  // title, axis labels, legend entries
    }
  }

  @Test("a cell file without a stack: a message naming the fields, capacity and energy still there")
  func cellWithoutStack() throws {
    let url = try Cells.edited(Cells.chen, name: "NoStack.json") { $0["stack"] = nil }
    let cell = try LoadedCell(contentsOf: url)
    let message = try #require(StackRequirements.missing(for: cell))
    for field in ["NoStack.json", "stack.layout", "stack.materials", "density_kg_m3", "formula", "stack.layers", "thickness_m", "volume_fractions"] {
      #expect(message.contains(field), "message lacks \(field): \(message)")
    }
    let comparison = ChemistryComparison.run(cells: [cell, try Cells.load(Cells.ssb)], rates: [1])
    #expect(comparison.notes.contains(message))
    let row = comparison.rows[0]
    #expect(row.completed)
    #expect(abs(row.capacity - 5.0088) < 2e-3)  // the 1C figure of the README's `run`
    #expect(row.energy > 17)
    #expect(row.specificEnergy == nil && row.energyDensity == nil && row.specificPower == nil)
    #expect(row.arealCapacity != nil)  // the electrode area is in the cell section
    #expect(comparison.minerals.map(\.cell) == ["Li_LPSCl_NMC811"])
    let line = try #require(comparison.summaryCSV().split(separator: "\n").dropFirst().first)
    let fields = CSVTable.fields(String(line))
    #expect(fields[9] == "" && fields[10] == "" && fields[11] == "")  // Wh_kg, Wh_L, W_kg
    #expect(fields[6] != "")  // energy_Wh
  }

  @Test("a rate that cannot start keeps its reason; the other runs complete")
  func failingRate() throws {
    // Lower cut-off 4.1 V: at C/10 the cell starts above it (≈ 4.19 V), at 1C below (≈ 4.08 V).
    let url = try Cells.edited(Cells.chen, name: "HighCutoff.json") {
      var cell = $0["cell"] as! [String: Any]
      cell["lower_cutoff_V"] = 4.1
      $0["cell"] = cell
      $0["name"] = "HighCutoff"
    }
    let cells = [try LoadedCell(contentsOf: url), try Cells.load(Cells.ssb)]
    let comparison = ChemistryComparison.run(cells: cells, rates: [0.1, 1])
    let slow = comparison.row(cell: 0, rate: 0)
    let fast = comparison.row(cell: 0, rate: 1)
    #expect(slow.completed && slow.capacity > 0)
    #expect(!fast.completed)
    #expect(fast.endReason.contains("cannot start"), "\(fast.endReason)")
    #expect(fast.stack == nil)
    for row in comparison.rows(cell: 1) { #expect(row.completed && row.specificEnergy != nil) }
    let summary = comparison.summaryCSV()
    #expect(summary.contains("HighCutoff,lithium-ion,SPM,1,"))
    #expect(summary.contains("cannot start"))
    #expect(comparison.headlineTable().contains("HighCutoff at 1C did not complete"))
  }
}

/// Counts XML elements by name.
final class ElementCounter: NSObject, XMLParserDelegate {
  var counts: [String: Int] = [:]
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    counts[elementName, default: 0] += 1
  }
}
