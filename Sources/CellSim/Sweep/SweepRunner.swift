// CellSim — CellSim/Sweep/SweepRunner.swift
//
// `cellsim sweep` as a library: a plan (base cell, case list, protocol with `{C}`, model) validated
// before anything runs, and a runner that executes any subset of its cases with a bounded number of
// workers pulling the next chunk of consecutive cases from a shared counter (DispatchQueue.concurrentPerform,
// one iteration per worker). Each worker builds its models once per design and keeps them in its own
// small cache (consecutive cases share a design, and a chunk is a run of consecutive cases): workers
// that shared one model would share its arrays' reference counts, whose atomic updates then serialise
// the cores. Each case's row is handed to the caller as soon as it finishes, so memory stays bounded and a
// killed sweep keeps what it did. A case that fails gets its status and reason; it never stops the others.

import Dispatch
import Foundation

/// A validated sweep: what to run for each case.
public struct SweepPlan: Sendable {
  public let base: SweepBase
  public let cases: SweepCaseList
  /// Protocol text; `{C}` is replaced by each case's C-rate.
  public let protocolTemplate: String
  /// The template cut at each `{C}` (a case's protocol is these joined by its C-rate).
  let protocolPieces: [String]
  /// Model name (`nil`: the chemistry's default) and its resolved name.
  public let model: String?
  public let modelName: String
  public let options: SimulationOptions

  public static let placeholder = "{C}"

  /// Validates the plan: every path a numeric field of the cell file (nearest names otherwise), `{C}` in
  /// the protocol exactly when the cases have C-rates, the protocol parsing, the model existing.
  /// - Parameter protocolTemplate: `nil` with C-rates: "Discharge at {C}C until <the cell's lower cut-off> V".
  /// - Throws: `SweepInputError` with one message listing every bad path.
  public init(
    base: SweepBase, cases: SweepCaseList, protocolTemplate: String?, model: String? = nil,
    options: SimulationOptions = SimulationOptions()
  ) throws(SweepInputError) {
    var problems: [String] = []
    for p in cases.paths {
      do throws(SweepPathError) { try base.paths.validate(p) } catch { problems.append(error.description) }
    }
    if !problems.isEmpty {
      throw SweepInputError(
        "\(base.url.lastPathComponent): cannot vary " + problems.joined(separator: "\n  ")
          + "\n(the paths a sweep can vary are the numeric fields of the cell file, dotted, array elements by index, e.g. stack.layers.1.thickness_m)")
    }
    let builtModel: any CellModel
    do throws(CellModelError) { builtModel = try base.cell.makeModel(model) } catch {
      throw SweepInputError("\(base.url.lastPathComponent): \(error)")
    }
    let template: String
    if let protocolTemplate {
      template = protocolTemplate
    } else {
      guard cases.hasCRate else {
        throw SweepInputError("give --protocol (with {C} where the C-rate goes, if the sweep has C-rates) or --c-rates")
      }
      template = "Discharge at {C}C until \(SweepCSV.format(builtModel.voltageLimits.lowerBound)) V"
    }
    let hasPlaceholder = template.contains(Self.placeholder)
    if cases.hasCRate, !hasPlaceholder {
      throw SweepInputError(
        "the sweep has C-rates but the protocol has no {C} to put them in (write e.g. \"Discharge at {C}C until 2.5 V\")")
    }
    if !cases.hasCRate, hasPlaceholder {
      throw SweepInputError("the protocol has {C} but the sweep has no C-rates (give --c-rates or a c_rate column)")
    }
    let sample = template.replacingOccurrences(of: Self.placeholder, with: "1")
    do { _ = try CellProtocol(parsing: sample) } catch {
      throw SweepInputError("--protocol: \(error)")
    }
    self.base = base
    self.cases = cases
    self.protocolTemplate = template
    protocolPieces = template.components(separatedBy: Self.placeholder)
    self.model = model
    self.modelName = builtModel.name
    self.options = options
  }

  public var header: [String] { SweepCSV.header(paths: cases.paths, hasCRate: cases.hasCRate) }

  /// The protocol of one case.
  public func protocolText(for c: SweepCase) -> String {
    guard let r = c.cRate else { return protocolTemplate }
    // The pieces cut once, joined here (Foundation's replacingOccurrences cost ~30 k instructions a
    // case on Linux, a tenth of the solve).
    return protocolPieces.joined(separator: SweepCSV.format(r))
  }

  /// Identifies the sweep (cell file contents, model, protocol, options, every case) for resume and merge.
  public var fingerprint: String {
    var h = FNV1a()
    if let data = FileManager.default.contents(atPath: base.url.path) { h.add(Array(data)) }
    h.add(modelName)
    h.add(protocolTemplate)
    h.add("\(options.relativeTolerance) \(options.absoluteToleranceScale) \(options.initialCondition) \(String(describing: options.ambientTemperature))")
    h.add(header.joined(separator: ","))
    for f in cases.factors {
      h.add(f.name)
      for a in f.assignments {
        h.add(a.values.map { "\($0.path)=\(SweepCSV.format($0.value))" }.joined(separator: ";") + "|" + (a.cRate.map(SweepCSV.format) ?? ""))
      }
    }
    h.add("\(cases.count)")
    return h.hex
  }
}

/// 64-bit FNV-1a, for fingerprints (not security).
struct FNV1a {
  var state: UInt64 = 0xcbf2_9ce4_8422_2325
  mutating func add(_ bytes: [UInt8]) {
    for b in bytes + [0xff] {
      state ^= UInt64(b)
      state = state &* 0x0000_0100_0000_01b3
    }
  }
  mutating func add(_ text: String) { add(Array(text.utf8)) }
  var hex: String {
    let s = String(state, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }
}

/// A built design: its cell, model and stack, or why it cannot run.
struct PreparedDesign: Sendable {
  var cell: LoadedCell?
  var model: (any CellModel)?
  var stack: LayerStack?
  var area: Double?
  var failure: (SweepStatus, String)?
}

/// Designs by index, built once, at most `capacity` kept (the lowest indices are dropped first: cases
/// run in index order, so those are done).
final class DesignCache: @unchecked Sendable {
  private var entries: [Int: PreparedDesign] = [:]
  private let lock = NSLock()
  let capacity: Int
  /// The simulator of the design this cache's worker ran last (a worker takes consecutive cases,
  /// so a design's C-rates run one after another on one simulator).
  private var lastSimulator: (index: Int, simulator: AnySimulator)?
  init(capacity: Int) { self.capacity = max(4, capacity) }

  func simulator(_ index: Int, model: any CellModel) -> AnySimulator {
    lock.lock()
    defer { lock.unlock() }
    if let last = lastSimulator, last.index == index { return last.simulator }
    let simulator = AnySimulator(model)
    lastSimulator = (index, simulator)
    return simulator
  }

  func design(_ index: Int, build: () -> PreparedDesign) -> PreparedDesign {
    lock.lock()
    if let d = entries[index] {
      lock.unlock()
      return d
    }
    lock.unlock()
    let d = build()
    lock.lock()
    entries[index] = d
    if entries.count > capacity, let oldest = entries.keys.min() { entries[oldest] = nil }
    lock.unlock()
    return d
  }
}

/// What a run of a sweep did.
public struct SweepRunStatistics: Sendable {
  public var cases = 0
  public var byStatus: [SweepStatus: Int] = [:]
  public var elapsed: Double = 0
  public var workers = 1
  /// Cases per second of wall time.
  public var throughput: Double { elapsed > 0 ? Double(cases) / elapsed : .nan }
}

public enum SweepRunner {
  /// The default number of workers: every core.
  public static var defaultWorkers: Int { ProcessInfo.processInfo.activeProcessorCount }

  /// Runs the cases `indices` of `plan` with `workers` parallel workers.
  /// - Parameters:
  ///   - curves: a directory to write each case's curve to (`case-<index>.csv`, the `run` format), or nil.
  ///   - onRow: called once per case as it finishes, serialised (never two at once), in completion order.
  public static func run(
    _ plan: SweepPlan, indices: [Int], workers: Int = defaultWorkers, curves: URL? = nil,
    onRow: (SweepRow) -> Void
  ) -> SweepRunStatistics {
    let workers = max(1, min(workers, max(1, indices.count)))
    // Chunks of consecutive cases: long enough that a worker rarely builds a design another one built
    // too, short enough (≥ 16 chunks per worker) that the workers finish together.
    let chunk = max(1, min(64, indices.count / (16 * workers)))
    let next = Counter()
    let serial = NSLock()
    let start = DispatchTime.now().uptimeNanoseconds
    var stats = SweepRunStatistics()
    stats.workers = workers
    withoutActuallyEscaping(onRow) { onRow in
      let box = UncheckedBox(onRow)
      let statsBox = UncheckedBox(StatsAccumulator())
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        let cache = DesignCache(capacity: 16)
        while true {
          let first = next.take(chunk)
          guard first < indices.count else { return }
          for k in first..<min(first + chunk, indices.count) {
            let c = plan.cases.case(indices[k])
            let row = runCase(plan, c, cache: cache, curves: curves)
            serial.lock()
            statsBox.value.add(row.status)
            box.value(row)
            serial.unlock()
          }
        }
      }
      stats.byStatus = statsBox.value.counts
      stats.cases = statsBox.value.total
    }
    stats.elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return stats
  }

  /// Runs one case (never throws: every failure becomes the row's status and reason).
  public static func run(_ plan: SweepPlan, case c: SweepCase, curves: URL? = nil) -> SweepRow {
    runCase(plan, c, cache: DesignCache(capacity: 4), curves: curves)
  }

  static func prepare(_ plan: SweepPlan, _ c: SweepCase) -> PreparedDesign {
    var d = PreparedDesign()
    let cell: LoadedCell
    do throws(SweepBase.DesignError) { cell = try plan.base.cell(with: c.values) } catch {
      d.failure = (.invalidDesign, error.description)
      return d
    }
    d.cell = cell
    do throws(CellModelError) { d.model = try cell.makeModel(plan.model) } catch {
      d.failure = (.modelError, "model cannot be built: \(error)")
      return d
    }
    d.stack = StackRequirements.stack(of: cell)
    d.area = StackRequirements.electrodeArea(of: cell)
    return d
  }

  static func runCase(_ plan: SweepPlan, _ c: SweepCase, cache: DesignCache, curves: URL?) -> SweepRow {
    var row = SweepRow(index: c.index, values: c.values.map(\.value), cRate: c.cRate, status: .ok, endReason: "")
    let design = cache.design(c.designIndex) { prepare(plan, c) }
    if let (status, reason) = design.failure {
      row.status = status
      row.endReason = reason
      return row
    }
    guard let model = design.model else { return row }
    row.oneCCurrent = model.nominalCapacity
    let text = plan.protocolText(for: c)
    let cellProtocol: CellProtocol
    do { cellProtocol = try CellProtocol(parsing: text) } catch {
      row.status = .modelError
      row.endReason = "protocol '\(text)' does not parse: \(error)"
      return row
    }
    var options = plan.options
    options.keepsCurve = curves != nil
    let result: SimulationResult
    let simulator = cache.simulator(c.designIndex, model: model)
    do throws(CellModelError) { result = try simulator.run(protocol: cellProtocol, options: options) } catch {
      row.status = .cannotStart
      row.endReason = "\(error)"
      return row
    }
    if let curves, result.rowCount > 0 {
      let url = curves.appendingPathComponent(curveFileName(c.index))
      try? CurveCSVWriter.write(columns: result.columns, values: result.values, to: url)
    }
    // Figures: what was discharged (also for an incomplete run).
    var q = 0.0
    var e = 0.0
    var vt = 0.0
    var t = 0.0
    for s in result.steps where s.capacity > 0 {
      q += s.capacity
      e += s.energy
      vt += s.meanVoltage * s.duration
      t += s.duration
    }
    if !result.steps.isEmpty {
      row.capacity = q
      row.energy = e
      row.meanVoltage = t > 0 ? vt / t : .nan
      row.endTime = result.endTime
    }
    switch result.status {
    case .completed:
      row.status = .ok
      row.endReason = result.steps.last?.reason.description ?? "no steps"
    case .stepCannotStart(let step, let reason):
      row.status = .cannotStart
      row.endReason = "step \(step + 1) (\(cellProtocol.steps[step].text)) cannot start: \(reason)"
    case .solverFailure(let step, let failure):
      row.status = .solverFailure
      row.endReason = "step \(step + 1) (\(cellProtocol.steps[step].text)): \(failure)"
    }
    if row.status == .ok, !(q.isFinite && e.isFinite) {
      row.status = .solverFailure
      row.endReason += "; but the charge or energy is not finite"
    }
    if row.status == .ok, let stack = design.stack, let area = design.area, e > 0, q > 0 {
      let f = StackFigures(stack: stack, area: area, energy: e, charge: q, duration: t)
      row.specificEnergy = f.specificEnergy
      row.energyDensity = f.energyDensity
    }
    return row
  }

  /// `case-000042.csv`.
  public static func curveFileName(_ index: Int) -> String {
    let s = String(index)
    return "case-" + String(repeating: "0", count: max(0, 6 - s.count)) + s + ".csv"
  }
}

final class Counter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()
  /// The first of the next `count` values.
  func take(_ count: Int = 1) -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += count
    return value - count
  }
}

final class UncheckedBox<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}

struct StatsAccumulator {
  var counts: [SweepStatus: Int] = [:]
  var total = 0
  mutating func add(_ s: SweepStatus) {
    counts[s, default: 0] += 1
    total += 1
  }
}
