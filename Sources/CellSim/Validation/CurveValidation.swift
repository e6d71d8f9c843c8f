// CellSim — CellSim/Validation/CurveValidation.swift
//
// `cellsim validate`: a model against a measured curve. The measured current is replayed as one
// profile step (`Run …`, linear interpolation, > 0 discharge) from the run's initial condition (100 %
// SOC unless told otherwise), ending at the end of the measurement or at the cell's own voltage
// cut-offs; the simulated voltage is then compared with the measured one at every measured time up to
// the end of the simulation:
//
//     RMSE = √(mean over those points of (V_sim − V_meas)²),   max |ΔV| over the same points.
//
// Points after an early end (the model reached a cut-off before the measurement did) are not compared;
// the report says how many were. Outputs: a CSV with the measured and simulated voltages side by side
// at the measured times (`ValidationReport.csv`) and one SVG overlay per curve (`overlay(for:)`).

import Foundation

/// One model run against one measured curve.
public struct CurveValidation: Sendable {
  /// The measured curve's name.
  public var curve: String
  /// The model's name as the user chose it (`spm`, `spme`, …).
  public var model: String
  /// The simulated voltage at each measured time [V]; NaN after the end of the simulation.
  public var simulatedVoltage: [Double]
  /// The simulated curve itself: time since the start of the measurement [s] and voltage [V].
  public var simulatedTime: [Double]
  public var simulatedCurve: [Double]
  /// How many measured points were compared (those up to the end of the simulation).
  public var comparedPoints: Int
  /// Root-mean-square of V_sim − V_meas over the compared points [V].
  public var rmse: Double
  /// Largest |V_sim − V_meas| over the compared points [V], and the measured time where it occurs [s].
  public var maximumDifference: Double
  public var timeOfMaximum: Double
  /// Mean of V_sim − V_meas [V] (> 0: the model's voltage is too high).
  public var meanDifference: Double
  /// End of the simulation, on the measurement's time axis [s].
  public var simulatedEnd: Double
  /// Why the replay ended ("duration reached" = the whole measurement was replayed).
  public var endReason: StepEndReason?
  public var status: RunStatus

  /// Whether the whole measurement was replayed.
  public var coversMeasurement: Bool { endReason == .duration }
}

/// Runs models against measured curves.
public enum Validation {
  /// The output interval used for a measured curve: the largest interval ≤ 10 s that divides the
  /// smallest measured time step, so that uniformly sampled data fall on output rows (no interpolation
  /// error), and finer-sampled data get a row at every measured point.
  public static func outputInterval(for curve: MeasuredCurve) -> Double {
    var smallest = Double.infinity
    for k in 1..<curve.time.count { smallest = min(smallest, curve.time[k] - curve.time[k - 1]) }
    guard smallest.isFinite, smallest > 0 else { return 10 }
    return smallest / max(1, (smallest / 10).rounded(.up))
  }

  /// The one-step protocol that replays a curve's current.
  public static func replayProtocol(for curve: MeasuredCurve) -> CellProtocol {
    let text = "Run \(curve.name)"
    let step = ProtocolStep(control: .profile(curve.profile), text: text)
    return CellProtocol(steps: [step], source: text)
  }

  /// Replays `curve`'s current on `model` and compares the voltages.
  /// - Parameters:
  ///   - modelName: the name reported (default: the model's own).
  ///   - options: initial condition, ambient temperature, tolerances; the output interval is replaced
  ///     by `outputInterval(for:)` unless `keepOutputInterval`.
  /// - Throws: `CellModelError` if the initial state cannot be built. A replay that cannot start or
  ///   fails in the solver is returned with its status (and the points up to the failure compared).
  public static func run(
    _ model: any CellModel, against curve: MeasuredCurve, modelName: String? = nil,
    options: SimulationOptions = SimulationOptions(), keepOutputInterval: Bool = false
  ) throws(CellModelError) -> CurveValidation {
    var options = options
    if !keepOutputInterval { options.outputInterval = outputInterval(for: curve) }
    options.keepsCurve = true
    let result = try simulate(model, protocol: replayProtocol(for: curve), options: options)
    let t0 = curve.time[0]
    let ts = (result.column("time_s") ?? []).map { $0 + t0 }
    let vs = result.column("voltage_V") ?? []
    let end = ts.last ?? -.infinity
    var simulated = [Double](repeating: .nan, count: curve.time.count)
    var sum = 0.0
    var sumSigned = 0.0
    var n = 0
    var worst = 0.0
    var worstTime = Double.nan
    for (k, t) in curve.time.enumerated() where !ts.isEmpty && t <= end + 1e-9 * max(1, abs(end)) {
      let v = interpolate(ts, vs, at: t)
      simulated[k] = v
      let d = v - curve.voltage[k]
      sum += d * d
      sumSigned += d
      n += 1
      if abs(d) > worst || worstTime.isNaN {
        worst = abs(d)
        worstTime = t
      }
    }
    return CurveValidation(
      curve: curve.name, model: modelName ?? model.name, simulatedVoltage: simulated, simulatedTime: ts,
      simulatedCurve: vs, comparedPoints: n, rmse: n > 0 ? (sum / Double(n)).squareRoot() : .nan,
      maximumDifference: n > 0 ? worst : .nan, timeOfMaximum: worstTime,
      meanDifference: n > 0 ? sumSigned / Double(n) : .nan, simulatedEnd: ts.isEmpty ? t0 : end,
      endReason: result.steps.first?.reason, status: result.status)
  }

  /// Linear interpolation in an increasing `x` (clamped outside).
  static func interpolate(_ x: [Double], _ y: [Double], at t: Double) -> Double {
    let n = x.count
    if t <= x[0] { return y[0] }
    if t >= x[n - 1] { return y[n - 1] }
    var lo = 0
    var hi = n - 1
    while hi - lo > 1 {
      let mid = (lo + hi) >> 1
      if x[mid] <= t { lo = mid } else { hi = mid }
    }
    let w = x[hi] > x[lo] ? (t - x[lo]) / (x[hi] - x[lo]) : 0
    return y[lo] + w * (y[hi] - y[lo])
  }
}

/// Every model against every curve, with the report's table, CSV and SVG overlays.
public struct ValidationReport: Sendable {
  public var curves: [MeasuredCurve]
  /// The models' names, in column order.
  public var models: [String]
  /// `results[c][m]`: model `models[m]` against `curves[c]`.
  public var results: [[CurveValidation]]

  public init(curves: [MeasuredCurve], models: [String], results: [[CurveValidation]]) {
    self.curves = curves
    self.models = models
    self.results = results
  }

  /// The side-by-side CSV: one row per measured point of every curve,
  /// `experiment,time_s,current_A,measured_voltage_V,<model>_voltage_V…,<model>_difference_V…`, the
  /// simulated columns empty after the end of that simulation. The experiment is quoted.
  public var csv: String {
    var s = "experiment,time_s,current_A,measured_voltage_V"
    for m in models { s += ",\(m)_voltage_V" }
    for m in models { s += ",\(m)_difference_V" }
    s += "\n"
    func number(_ x: Double) -> String { x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)") : "" }
    for (c, curve) in curves.enumerated() {
      let name = "\"" + curve.name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      for k in curve.time.indices {
        s += "\(name),\(number(curve.time[k])),\(number(curve.current[k])),\(number(curve.voltage[k]))"
        for r in results[c] { s += "," + number(r.simulatedVoltage[k]) }
        for r in results[c] { s += "," + number(r.simulatedVoltage[k] - curve.voltage[k]) }
        s += "\n"
      }
    }
    return s
  }

  /// Writes the CSV atomically.
  public func writeCSV(to url: URL) throws(OutputError) { try AtomicFileWriter.write(csv, to: url) }

  /// The overlay of curve `c`: the measured voltage (with markers when sparse) and each model's curve.
  public func overlay(for c: Int) -> SVGPlot {
    let curve = curves[c]
    var series = [SVGPlot.Series(name: "measured", x: curve.time, y: curve.voltage, markers: curve.time.count <= 200)]
    for r in results[c] {
      series.append(
        SVGPlot.Series(name: "\(r.model) (RMSE \(String(format: "%.1f", r.rmse * 1e3)) mV)", x: r.simulatedTime, y: r.simulatedCurve))
    }
    return SVGPlot(title: "\(curve.name): measured and simulated voltage", xLabel: "time [s]", yLabel: "voltage [V]", series: series)
  }

  /// The report as a text table, RMSE and max |ΔV| in mV.
  public func table() -> String {
    let header = ["experiment", "model", "points", "RMSE [mV]", "max|ΔV| [mV]", "at [s]", "mean ΔV [mV]", "replayed to [s]", "ended by"]
    var rows: [[String]] = []
    func mv(_ x: Double) -> String { x.isFinite ? String(format: "%.2f", x * 1e3) : "–" }
    func s(_ x: Double) -> String { x.isFinite ? String(format: "%.0f", x) : "–" }
    for (c, curve) in curves.enumerated() {
      for r in results[c] {
        let ended: String
        switch r.status {
        case .completed: ended = r.coversMeasurement ? "end of data" : (r.endReason?.description ?? "")
        case .stepCannotStart(_, let why): ended = "cannot start: \(why)"
        case .solverFailure(_, let failure): ended = "solver failure: \(failure)"
        }
        rows.append([
          curve.name, r.model, "\(r.comparedPoints)/\(curve.time.count)", mv(r.rmse), mv(r.maximumDifference),
          s(r.timeOfMaximum), mv(r.meanDifference), s(r.simulatedEnd), ended,
        ])
      }
    }
    var widths = header.map(\.count)
    for row in rows { for (i, f) in row.enumerated() { widths[i] = max(widths[i], f.count) } }
    func line(_ fields: [String]) -> String {
      fields.enumerated().map { i, f in
        let pad = String(repeating: " ", count: widths[i] - f.count)
        return i >= 2 && i <= 7 ? pad + f : f + pad
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
  }

  /// A file-name-safe form of a curve's name ("1C discharge" → "1C_discharge").
  public static func slug(_ name: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
    var out = ""
    for ch in name { out.append(allowed.contains(ch) ? ch : "_") }
    while out.contains("__") { out = out.replacingOccurrences(of: "__", with: "_") }
    let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "_."))
    return trimmed.isEmpty ? "curve" : trimmed
  }
}
