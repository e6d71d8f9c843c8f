// CellSim — CellExport/RunSummary.swift
//
// The summary of a run, per step and in total, as JSON (next to the CSV) and as a text table.

import CellSimulation
import Foundation
import Integrators

/// A JSON-encodable summary of a simulation.
public struct RunSummary: Codable, Sendable, Equatable {
  public struct Step: Codable, Sendable, Equatable {
    public var index: Int
    public var text: String
    public var cycle: Int
    public var start_s: Double
    public var end_s: Double
    public var duration_s: Double
    public var capacity_Ah: Double
    public var energy_Wh: Double
    public var mean_voltage_V: Double
    public var end_voltage_V: Double
    public var end_current_A: Double
    public var ended_by: String

    /// As synthesised, but a non-finite number (a voltage of −∞ at a failed start) is written as null.
    public func encode(to encoder: any Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(index, forKey: .index)
      try c.encode(text, forKey: .text)
      try c.encode(cycle, forKey: .cycle)
      try c.encodeFinite(start_s, forKey: .start_s)
      try c.encodeFinite(end_s, forKey: .end_s)
      try c.encodeFinite(duration_s, forKey: .duration_s)
      try c.encodeFinite(capacity_Ah, forKey: .capacity_Ah)
      try c.encodeFinite(energy_Wh, forKey: .energy_Wh)
      try c.encodeFinite(mean_voltage_V, forKey: .mean_voltage_V)
      try c.encodeFinite(end_voltage_V, forKey: .end_voltage_V)
      try c.encodeFinite(end_current_A, forKey: .end_current_A)
      try c.encode(ended_by, forKey: .ended_by)
    }
  }
  public var cell: String
  public var chemistry: String
  public var model: String
  public var protocol_text: String
  public var status: String
  public var completed: Bool
  public var duration_s: Double
  /// Net charge discharged over the run [A h] (negative: net charge).
  public var capacity_Ah: Double
  public var energy_Wh: Double
  public var discharge_capacity_Ah: Double
  public var discharge_energy_Wh: Double
  public var steps: [Step]
  public var warnings: [String]
  public var figures: [String: Double]
  public var solver: SolverStatistics

  public init(
    result: SimulationResult, cell: String, chemistry: String, model: String, protocolText: String,
    figures: [String: Double] = [:]
  ) {
    self.cell = cell
    self.chemistry = chemistry
    self.model = model
    protocol_text = protocolText
    switch result.status {
    case .completed: status = "completed"
    case .stepCannotStart(let step, let reason): status = "step \(step + 1) cannot start: \(reason)"
    case .solverFailure(let step, let failure): status = "solver failure in step \(step + 1): \(failure)"
    }
    completed = result.status.isSuccess
    duration_s = result.endTime
    capacity_Ah = result.totalCapacity
    energy_Wh = result.totalEnergy
    discharge_capacity_Ah = result.steps.filter { $0.capacity > 0 }.reduce(0) { $0 + $1.capacity }
    discharge_energy_Wh = result.steps.filter { $0.energy > 0 }.reduce(0) { $0 + $1.energy }
    steps = result.steps.map {
      Step(
        index: $0.index + 1, text: $0.text, cycle: $0.cycle, start_s: $0.startTime, end_s: $0.endTime,
        duration_s: $0.duration, capacity_Ah: $0.capacity, energy_Wh: $0.energy, mean_voltage_V: $0.meanVoltage,
        end_voltage_V: $0.endVoltage, end_current_A: $0.endCurrent, ended_by: $0.reason.description)
    }
    warnings = result.warnings
    self.figures = figures
    solver = result.statistics
  }

  /// As synthesised, but non-finite numbers are written as null (JSON has no ±inf or NaN).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(cell, forKey: .cell)
    try c.encode(chemistry, forKey: .chemistry)
    try c.encode(model, forKey: .model)
    try c.encode(protocol_text, forKey: .protocol_text)
    try c.encode(status, forKey: .status)
    try c.encode(completed, forKey: .completed)
    try c.encodeFinite(duration_s, forKey: .duration_s)
    try c.encodeFinite(capacity_Ah, forKey: .capacity_Ah)
    try c.encodeFinite(energy_Wh, forKey: .energy_Wh)
    try c.encodeFinite(discharge_capacity_Ah, forKey: .discharge_capacity_Ah)
    try c.encodeFinite(discharge_energy_Wh, forKey: .discharge_energy_Wh)
    try c.encode(steps, forKey: .steps)
    try c.encode(warnings, forKey: .warnings)
    try c.encode(figures.mapValues { $0.isFinite ? $0 : nil }, forKey: .figures)
    try c.encode(solver, forKey: .solver)
  }

  /// Pretty-printed JSON.
  public func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else { return "{}" }
    return text + "\n"
  }

  /// A text table: one line per step (at most `maximumRows`, then totals).
  public func table(maximumRows: Int = 40) -> String {
    func f(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    var lines = ["\(cell) · \(model) · \(status)"]
    lines.append(
      "step  " + "duration_s".leftPad(11) + "capacity_Ah".leftPad(12) + "energy_Wh".leftPad(11)
        + "mean_V".leftPad(8) + "end_V".leftPad(8) + "  ended by")
    for s in steps.prefix(maximumRows) {
      lines.append(
        String(s.index).rightPad(4) + "  " + f(s.duration_s, 1).leftPad(11) + f(s.capacity_Ah, 4).leftPad(12)
          + f(s.energy_Wh, 3).leftPad(11) + f(s.mean_voltage_V, 3).leftPad(8) + f(s.end_voltage_V, 3).leftPad(8)
          + "  " + s.ended_by)
    }
    if steps.count > maximumRows { lines.append("… \(steps.count - maximumRows) more steps in the JSON summary") }
    lines.append(
      "total " + f(duration_s, 1).leftPad(11) + f(capacity_Ah, 4).leftPad(12) + f(energy_Wh, 3).leftPad(11)
        + "   (discharged \(f(discharge_capacity_Ah, 4)) A h, \(f(discharge_energy_Wh, 3)) W h)")
    for (name, value) in figures.sorted(by: { $0.key < $1.key }) { lines.append("\(name): \(f(value, 4))") }
    for w in warnings { lines.append("warning: \(w)") }
    lines.append(
      "solver: \(solver.steps) steps, \(solver.rejectedSteps) rejected, \(solver.jacobianEvaluations) Jacobians, \(solver.residualEvaluations) residual evaluations"
    )
    return lines.joined(separator: "\n")
  }
}

extension KeyedEncodingContainer {
  /// Encodes `value`, or null when it is NaN or ±∞.
  mutating func encodeFinite(_ value: Double, forKey key: Key) throws {
    if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
  }
}

extension String {
  func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
  func rightPad(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
