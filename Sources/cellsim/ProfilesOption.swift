// CellSim — cellsim/ProfilesOption.swift
//
// `cellsim run --profiles <file>`: the model's spatial profiles (`SpatialProfiles`) at every output
// time, as a tidy long CSV:
//
//     time_s,variable,domain,x_m|r_m,value
//     0,c_e_mol_m3,negative_electrode,1.33125e-06,1000
//     …
//     0,c_s_mol_m3,negative_particle,5.86e-08,29866.4
//
// The fourth column is the position [m]: x through the cell (from the negative current collector) for
// electrolyte rows, r from the particle centre for particle rows; `domain` says which. Rows come at
// the same times as the curve's (every --dt within each step, plus each step's start and end).
//
// How the states reach us: the engine hands the curve rows to a callback but not the states, so the
// model is wrapped in `ProfileRecordingModel`, which forwards everything to the real model and, when
// the engine asks it for a row's temperature (once per row, right before the row is handed out),
// records the profile values at that state. The callback then writes them with the row's time.

import CellSim
import Foundation

/// Collects the profile values of the row being built (one row at a time, on the engine's thread).
final class ProfileSink: @unchecked Sendable {
  var values: [Double]
  init(count: Int) { values = Array(repeating: .nan, count: count) }
}

/// A model with profiles, recording them for every output row; otherwise exactly the wrapped model.
struct ProfileRecordingModel<Model: CellModel & SpatialProfiles>: CellModel {
  let model: Model
  let sink: ProfileSink

  var name: String { model.name }
  var stateCount: Int { model.stateCount }
  var isDifferential: [Bool] { model.isDifferential }
  var jacobianBandwidth: (lower: Int, upper: Int)? { model.jacobianBandwidth }
  var currentCoupling: Range<Int>? { model.currentCoupling }
  var nominalCapacity: Double { model.nominalCapacity }
  var voltageLimits: ClosedRange<Double> { model.voltageLimits }
  var defaultAmbientTemperature: Double { model.defaultAmbientTemperature }
  var absoluteTolerances: [Double] { model.absoluteTolerances }
  var outputColumns: [String] { model.outputColumns }
  var eventNames: [String] { model.eventNames }

  func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError) -> [Double] {
    try model.initialState(condition, ambientTemperature: ambientTemperature)
  }
  func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    model.evaluate(y, point, into: out)
  }
  func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    model.terminalVoltage(y, point)
  }
  func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double { model.stateOfCharge(y) }
  func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    model.outputs(y, point, into: out)
  }
  func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    model.events(y, point, into: out)
  }
  func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    model.linearDynamics(ambientTemperature: ambientTemperature, decay: decay, gain: gain)
  }
  func evaluateStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {
    model.evaluateStatesWithoutLinearDynamics(y, point, into: out)
  }
  var statesWithoutLinearDynamicsReadLinearStates: Bool { model.statesWithoutLinearDynamicsReadLinearStates }
  func jacobianOfStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool {
    model.jacobianOfStatesWithoutLinearDynamics(y, point, into: entries, leadingDimension: leadingDimension)
  }
  func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? {
    model.voltageDerivatives(y, point, gradient: gradient)
  }
  func jacobian(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool {
    model.jacobian(y, point, into: entries, leadingDimension: leadingDimension)
  }
  /// Called by the engine once per output row (and nowhere else): the moment to record the profiles.
  func temperature(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    sink.values.withUnsafeMutableBufferPointer { model.profileValues(y, point, into: $0) }
    return model.temperature(y, point)
  }
}

/// The `--profiles` file being written during a run.
final class ProfilesOutput {
  let writer: AtomicFileWriter
  let sink: ProfileSink
  /// "variable,domain,position" prefix of each value's line, in `profileValues` order.
  let labels: [String]
  private(set) var rowCount = 0

  static let header = "time_s,variable,domain,x_m|r_m,value\n"

  /// Wraps `model` so that it records its profiles, and opens `path`.
  /// - Throws: `UserInputError` if the model has no profiles or the file cannot be written.
  static func prepare(model: any CellModel, path: String) throws -> (any CellModel, ProfilesOutput) {
    guard let profiled = model as? any CellModel & SpatialProfiles else {
      throw UserInputError.badInput(
        "--profiles: the \(model.name) model has no spatial profiles (lithium-ion spm and spme, and solid-state cells, have)")
    }
    func wrap<M: CellModel & SpatialProfiles>(_ m: M) throws -> (any CellModel, ProfilesOutput) {
      let sink = ProfileSink(count: m.profileValueCount)
      let output = try ProfilesOutput(path: path, layout: m.profileLayout, sink: sink)
      return (ProfileRecordingModel(model: m, sink: sink), output)
    }
    return try wrap(profiled)
  }

  init(path: String, layout: [ProfileSegment], sink: ProfileSink) throws {
    do { writer = try AtomicFileWriter(destination: URL(fileURLWithPath: path)) } catch {
      throw UserInputError.badInput(error.description)
    }
    self.sink = sink
    var labels: [String] = []
    for segment in layout {
      for x in segment.positions { labels.append("\(segment.variable),\(segment.domain),\(Self.format(x))") }
    }
    self.labels = labels
    writer.write(Self.header)
  }

  /// Writes the recorded profiles with the time of the row just produced.
  func append(time: Double) {
    let t = Self.format(time)
    var text = ""
    text.reserveCapacity(labels.count * 48)
    for (k, label) in labels.enumerated() {
      text += t + "," + label + "," + Self.format(sink.values[k]) + "\n"
    }
    writer.write(text)
    rowCount += 1
  }

  func commit() throws {
    do { try writer.commit() } catch { throw UserInputError.badInput(error.description) }
  }

  func abort() { writer.abort() }

  /// Shortest round-tripping decimal; integers without ".0" (as the curve CSV).
  static func format(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return x.description
  }
}
