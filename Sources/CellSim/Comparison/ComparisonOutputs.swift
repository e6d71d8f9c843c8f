// CellSim — CellSim/Comparison/ComparisonOutputs.swift
//
// What `cellsim compare` writes (every file atomically) and prints: one curve CSV per cell and rate
// (the `run` format), summary.csv, minerals.csv, ragone.csv, three SVG plots and a headline table.

import Foundation

extension ChemistryComparison {
  /// File names of the outputs besides the curves.
  public static let summaryFile = "summary.csv"
  public static let mineralsFile = "minerals.csv"
  public static let ragoneFile = "ragone.csv"
  public static let voltagePlotFile = "voltage_1C.svg"
  public static let retentionPlotFile = "rate_capability.svg"
  public static let ragonePlotFile = "ragone.svg"

  /// The curve file of a row: "<cell>_<rate>C.csv" (characters other than letters, digits, "-", "_", "."
  /// and "#" replaced by "_").
  public static func curveFileName(_ row: ComparisonRow) -> String {
    let safe = String(row.cell.map { $0.isLetter || $0.isNumber || "-_.#".contains($0) ? $0 : "_" })
    return "\(safe)_\(rateText(row.cRate))C.csv"
  }

  /// Writes every output into `directory` (which must exist); returns the files written.
  /// - Throws: `OutputError` for the first file that cannot be written.
  @discardableResult
  public func write(to directory: URL) throws(OutputError) -> [URL] {
    var written: [URL] = []
    for row in rows where !row.columns.isEmpty {
      let url = directory.appendingPathComponent(Self.curveFileName(row))
      try CurveCSVWriter.write(columns: row.columns, values: row.values, to: url)
      written.append(url)
    }
    let texts: [(String, String)] = [
      (Self.summaryFile, summaryCSV()), (Self.mineralsFile, mineralsCSV()), (Self.ragoneFile, ragoneCSV()),
      (Self.voltagePlotFile, voltagePlot().render()), (Self.retentionPlotFile, retentionPlot().render()),
      (Self.ragonePlotFile, ragonePlot().render()),
    ]
    for (name, text) in texts {
      let url = directory.appendingPathComponent(name)
      try AtomicFileWriter.write(text, to: url)
      written.append(url)
    }
    return written
  }

  // MARK: - CSV

  static func number(_ x: Double?) -> String {
    guard let x, x.isFinite else { return "" }
    return String(format: "%.7g", x)
  }

  static func field(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }

  /// summary.csv: one row per cell and rate.
  public func summaryCSV() -> String {
    var lines = [
      "cell,chemistry,model,c_rate,capacity_Ah,capacity_mAh_cm2,energy_Wh,mean_voltage_V,duration_s,Wh_kg,Wh_L,W_kg,completed,end_reason,curve_file"
    ]
    for r in rows {
      let n = Self.number
      lines.append(
        [
          Self.field(r.cell), r.chemistry, r.model, n(r.cRate), n(r.capacity), n(r.arealCapacity), n(r.energy),
          n(r.meanVoltage), n(r.duration), n(r.specificEnergy), n(r.energyDensity), n(r.specificPower),
          r.completed ? "true" : "false", Self.field(r.endReason), r.columns.isEmpty ? "" : Self.curveFileName(r),
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// minerals.csv: kg of each element per kWh delivered at the basis rate (C/10 when run).
  public func mineralsCSV() -> String {
    var lines = [
      "cell,chemistry,basis_c_rate,energy_Wh_m2," + MineralIntensity.elements.map { "\($0)_kg_per_kWh" }.joined(separator: ",")
    ]
    for m in minerals {
      lines.append(
        [Self.field(m.cell), m.chemistry, Self.number(m.basisRate), Self.number(m.energyPerArea)].joined(separator: ",")
          + "," + MineralIntensity.elements.map { Self.number(m.perKilowattHour[$0]) }.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// ragone.csv: specific energy against specific power, per cell and rate (completed runs with a stack).
  public func ragoneCSV() -> String {
    var lines = ["cell,chemistry,c_rate,specific_energy_Wh_kg,specific_power_W_kg,energy_density_Wh_L,energy_Wh,duration_s"]
    for r in rows {
      guard let s = r.stack else { continue }
      let n = Self.number
      lines.append(
        [Self.field(r.cell), r.chemistry, n(r.cRate), n(s.specificEnergy), n(s.specificPower), n(s.energyDensity), n(r.energy), n(r.duration)]
          .joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - Plots

  /// Index of the rate closest (in ratio) to `target`.
  func rateIndex(closestTo target: Double) -> Int {
    rates.indices.min { abs(log(rates[$0] / target)) < abs(log(rates[$1] / target)) } ?? 0
  }

  /// Voltage against capacity at the rate closest to 1C, one path per cell (areal capacity when every
  /// cell's electrode area is known, else A h).
  public func voltagePlot() -> SVGPlot {
    let k = rateIndex(closestTo: 1)
    let areal = cells.allSatisfy { $0.area != nil }
    var series: [SVGPlot.Series] = []
    for (i, c) in cells.enumerated() {
      let r = row(cell: i, rate: k)
      let q = r.columns.firstIndex(of: "capacity_Ah").map { r.values[$0] } ?? []
      let v = r.columns.firstIndex(of: "voltage_V").map { r.values[$0] } ?? []
      let x = areal ? q.map { $0 / c.area! * 0.1 } : q
      series.append(SVGPlot.Series(name: "\(c.label) (\(c.loaded.chemistry))", x: x, y: v))
    }
    return SVGPlot(
      title: "Discharge at \(Self.rateText(rates[k]))C", xLabel: areal ? "capacity [mA h cm⁻²]" : "capacity [A h]",
      yLabel: "voltage [V]", series: series)
  }

  /// Capacity retention (capacity over the lowest rate's) against C-rate, one path per cell.
  public func retentionPlot() -> SVGPlot {
    let low = rates.indices.min { rates[$0] < rates[$1] } ?? 0
    var series: [SVGPlot.Series] = []
    for (i, c) in cells.enumerated() {
      let base = row(cell: i, rate: low)
      var points: [(Double, Double)] = []
      if base.completed, base.capacity > 0 {
        for r in rows(cell: i) where r.completed { points.append((r.cRate, 100 * r.capacity / base.capacity)) }
      }
      points.sort { $0.0 < $1.0 }
      series.append(
        SVGPlot.Series(name: "\(c.label) (\(c.loaded.chemistry))", x: points.map(\.0), y: points.map(\.1), markers: true))
    }
    return SVGPlot(
      title: "Rate capability (relative to \(Self.rateText(rates[low]))C)", xLabel: "C-rate [h⁻¹]",
      yLabel: "capacity retention [%]", logX: true, series: series)
  }

  /// Ragone plot (log-log): stack specific energy against specific power, one path per cell with a stack.
  public func ragonePlot() -> SVGPlot {
    var series: [SVGPlot.Series] = []
    for (i, c) in cells.enumerated() where c.stack != nil && c.area != nil {
      let points = rows(cell: i).compactMap { r in r.stack.map { ($0.specificPower, $0.specificEnergy) } }
        .sorted { $0.0 < $1.0 }
      series.append(
        SVGPlot.Series(name: "\(c.label) (\(c.loaded.chemistry))", x: points.map(\.0), y: points.map(\.1), markers: true))
    }
    return SVGPlot(
      title: "Ragone plot (stack level)", xLabel: "specific power [W kg⁻¹]", yLabel: "specific energy [W h kg⁻¹]",
      logX: true, logY: true, series: series)
  }

  // MARK: - Headline table

  /// The figures printed on the terminal, one line per cell.
  public func headlineTable() -> String {
    let lo = rateIndex(closestTo: 0.1)
    let one = rateIndex(closestTo: 1)
    let hi = rates.indices.max { rates[$0] < rates[$1] } ?? 0
    let l = Self.rateText(rates[lo]) + "C"
    let o = Self.rateText(rates[one]) + "C"
    let h = Self.rateText(rates[hi]) + "C"
    func cell(_ s: String, _ w: Int) -> String { s.count >= w ? s : String(repeating: " ", count: w - s.count) + s }
    func fmt(_ x: Double?, _ d: Int) -> String {
      guard let x, x.isFinite else { return "–" }
      return String(format: "%.\(d)f", x)
    }
    let nameWidth = max(4, cells.map(\.label.count).max() ?? 4)
    let chemWidth = max(9, cells.map(\.loaded.chemistry.count).max() ?? 9)
    var lines: [String] = []
    lines.append(
      "cell".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
        + "chemistry".padding(toLength: chemWidth, withPad: " ", startingAt: 0)
        + cell("Ah", 8) + cell("mAh/cm2", 9) + cell("Wh/kg", 7) + cell("Wh/L", 7) + cell("Wh/kg", 7) + cell("Q \(h)/\(l)", 11)
        + cell("W/kg", 7) + cell("Li", 7) + cell("Ni", 7) + cell("Co", 7))
    lines.append(
      String(repeating: " ", count: nameWidth + 2 + chemWidth) + cell("@\(l)", 8) + cell("@\(l)", 9) + cell("@\(l)", 7)
        + cell("@\(l)", 7) + cell("@\(o)", 7) + cell("", 11) + cell("@\(h)", 7) + cell("kg/kWh", 21))
    for (i, c) in cells.enumerated() {
      let rl = row(cell: i, rate: lo)
      let ro = row(cell: i, rate: one)
      let rh = row(cell: i, rate: hi)
      let retention = rl.completed && rh.completed && rl.capacity > 0 ? 100 * rh.capacity / rl.capacity : nil
      let m = minerals.first { $0.cell == c.label }?.perKilowattHour
      lines.append(
        c.label.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
          + c.loaded.chemistry.padding(toLength: chemWidth, withPad: " ", startingAt: 0)
          + cell(fmt(rl.completed ? rl.capacity : nil, 3), 8) + cell(fmt(rl.completed ? rl.arealCapacity : nil, 2), 9)
          + cell(fmt(rl.specificEnergy, 0), 7) + cell(fmt(rl.energyDensity, 0), 7) + cell(fmt(ro.specificEnergy, 0), 7)
          + cell(retention.map { fmt($0, 1) + " %" } ?? "–", 11) + cell(fmt(rh.specificPower, 0), 7)
          + cell(fmt(m?["Li"], 3), 7) + cell(fmt(m?["Ni"], 3), 7) + cell(fmt(m?["Co"], 3), 7))
    }
    let failed = rows.filter { !$0.completed }
    for r in failed { lines.append("\(r.cell) at \(Self.rateText(r.cRate))C did not complete: \(r.endReason)") }
    return lines.joined(separator: "\n")
  }
}
