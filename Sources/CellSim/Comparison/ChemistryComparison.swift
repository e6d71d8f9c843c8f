// CellSim — CellSim/Comparison/ChemistryComparison.swift
//
// `cellsim compare`: every cell through the same protocol at every C-rate — from 100 % SOC,
// "Discharge at <x>C until <the cell's own lower cut-off>" — in parallel over the machine's cores
// (`DispatchQueue.concurrentPerform`), then stack energy densities, specific power and mineral
// intensities from each cell's layer stack. A run that fails (cannot start, solver failure, a model that
// cannot be built) is recorded in its row with the reason and never stops the others.

import Dispatch
import Foundation

/// One cell × C-rate run of a comparison.
public struct ComparisonRow: Sendable {
  /// Index of the cell in `ChemistryComparison.cells`.
  public var cellIndex: Int
  /// The cell's label (its name; made unique when two files share a name).
  public var cell: String
  public var chemistry: String
  public var model: String
  public var cRate: Double
  public var protocolText: String
  /// Discharged charge [A h] and energy [W h] (what was delivered, also for an incomplete run), the
  /// time-averaged voltage [V] and the discharge duration [s]; NaN when the run could not be made.
  public var capacity: Double = .nan
  public var energy: Double = .nan
  public var meanVoltage: Double = .nan
  public var duration: Double = .nan
  /// Why the discharge ended (or why the run could not be made).
  public var endReason: String
  /// The discharge ran to one of its own ends.
  public var completed: Bool
  /// Areal capacity [mA h cm⁻²] (nil without a known electrode area).
  public var arealCapacity: Double?
  /// Stack figures (only for completed runs of cells with a stack).
  public var stack: StackFigures?
  /// The curve: column names and column-major values (empty if nothing was simulated).
  public var columns: [String] = []
  public var values: [[Double]] = []

  /// Wh/kg, Wh/L, W/kg (nil without stack figures).
  public var specificEnergy: Double? { stack?.specificEnergy }
  public var energyDensity: Double? { stack?.energyDensity }
  public var specificPower: Double? { stack?.specificPower }
}

/// Element intensities of one cell, per kWh delivered in the basis discharge (C/10 when run).
public struct MineralRow: Sendable {
  public var cell: String
  public var chemistry: String
  /// C-rate of the discharge whose energy is the basis.
  public var basisRate: Double
  /// Energy per electrode area of that discharge [W h m⁻²].
  public var energyPerArea: Double
  /// Element → kg per kWh (keys: `MineralIntensity.elements`).
  public var perKilowattHour: [String: Double]
}

/// A finished comparison: its cells, rates, one row per cell × rate, minerals and notes.
public struct ChemistryComparison: Sendable {
  /// One cell of the comparison.
  public struct Cell: Sendable {
    public var loaded: LoadedCell
    /// Unique label (the cell's name, with "#2"… appended for repeated names).
    public var label: String
    public var stack: LayerStack?
    /// Electrode area the stack figures refer to [m²].
    public var area: Double?
    /// Why the density columns are empty (nil when they are not).
    public var stackProblem: String?
  }

  /// The default C-rates: C/10, C/5, C/2, 1C, 2C, 3C.
  public static let defaultRates = [0.1, 0.2, 0.5, 1, 2, 3]

  public var cells: [Cell]
  public var rates: [Double]
  /// Rows in cell-major order: `rows[cellIndex * rates.count + rateIndex]`.
  public var rows: [ComparisonRow]
  public var minerals: [MineralRow]
  /// Notes for the user (cells without a stack, formulas that do not parse).
  public var notes: [String]

  public func row(cell: Int, rate: Int) -> ComparisonRow { rows[cell * rates.count + rate] }
  public func rows(cell: Int) -> ArraySlice<ComparisonRow> { rows[(cell * rates.count)..<((cell + 1) * rates.count)] }

  /// "0.1", "2", "0.333" — the rate as written in protocols and file names.
  public static func rateText(_ rate: Double) -> String {
    if rate == rate.rounded(), abs(rate) < 1e6 { return String(Int(rate)) }
    var s = String(format: "%.4f", rate)
    while s.hasSuffix("0") { s.removeLast() }
    return s
  }

  /// The protocol of one run: "Discharge at <x>C until <cut-off> V".
  public static func protocolText(rate: Double, lowerCutoff: Double) -> String {
    "Discharge at \(rateText(rate))C until \(rateText(lowerCutoff)) V"
  }

  /// Runs every cell at every rate in parallel.
  /// - Parameters:
  ///   - outputInterval: curve output interval [s] (as `run --dt`).
  ///   - progress: called from worker threads when a run starts (`done == false`) and ends.
  public static func run(
    cells loaded: [LoadedCell], rates: [Double], outputInterval: Double = 10,
    progress: (@Sendable (_ row: ComparisonRow, _ done: Bool) -> Void)? = nil
  ) -> ChemistryComparison {
    // Cells, labels, stacks.
    var cells: [Cell] = []
    var notes: [String] = []
    var seen: [String: Int] = [:]
    for c in loaded {
      seen[c.name, default: 0] += 1
      let label = seen[c.name]! > 1 ? "\(c.name)#\(seen[c.name]!)" : c.name
      let problem = StackRequirements.missing(for: c)
      if let problem { notes.append(problem) }
      cells.append(
        Cell(
          loaded: c, label: label, stack: StackRequirements.stack(of: c),
          area: StackRequirements.electrodeArea(of: c), stackProblem: problem))
    }
    // Models: built once per cell (a failure is recorded in every row of that cell).
    var models: [Result<any CellModel, CellModelError>] = []
    for c in cells {
      do throws(CellModelError) { models.append(.success(try c.loaded.makeModel())) } catch {
        models.append(.failure(error))
      }
    }
    let count = cells.count * rates.count
    let store = RowStore(count: count)
    let frozenCells = cells
    let frozenModels = models
    DispatchQueue.concurrentPerform(iterations: count) { k in
      let i = k / rates.count
      let rate = rates[k % rates.count]
      let row = runOne(cell: frozenCells[i], index: i, model: frozenModels[i], rate: rate, dt: outputInterval) {
        progress?($0, false)
      }
      store.set(k, row)
      progress?(row, true)
    }
    let rows = store.rows
    // Minerals per kWh at C/10 (or the completed run closest to it).
    var minerals: [MineralRow] = []
    for (i, c) in cells.enumerated() {
      guard let stack = c.stack, let area = c.area else { continue }
      let done = rows[(i * rates.count)..<((i + 1) * rates.count)].filter { $0.completed && $0.energy > 0 }
      guard let basis = done.min(by: { abs(log($0.cRate / 0.1)) < abs(log($1.cRate / 0.1)) }) else { continue }
      let e = basis.energy / area
      do throws(ChemicalFormula.ParseError) {
        let intensity = try MineralIntensity.perKilowattHour(stack, energyPerArea: e)
        minerals.append(
          MineralRow(cell: c.label, chemistry: c.loaded.chemistry, basisRate: basis.cRate, energyPerArea: e, perKilowattHour: intensity))
      } catch {
        notes.append("\(c.loaded.url.lastPathComponent): \(error); no mineral intensities for this cell")
      }
    }
    return ChemistryComparison(cells: cells, rates: rates, rows: rows, minerals: minerals, notes: notes)
  }

  static func runOne(
    cell: Cell, index: Int, model: Result<any CellModel, CellModelError>, rate: Double, dt: Double,
    started: (ComparisonRow) -> Void
  ) -> ComparisonRow {
    var row = ComparisonRow(
      cellIndex: index, cell: cell.label, chemistry: cell.loaded.chemistry, model: "", cRate: rate, protocolText: "",
      endReason: "", completed: false)
    let m: any CellModel
    switch model {
    case .failure(let error):
      row.endReason = "model cannot be built: \(error)"
      started(row)
      return row
    case .success(let built): m = built
    }
    row.model = m.name
    row.protocolText = protocolText(rate: rate, lowerCutoff: m.voltageLimits.lowerBound)
    started(row)
    let cellProtocol: CellProtocol
    do { cellProtocol = try CellProtocol(parsing: row.protocolText) } catch {
      row.endReason = "protocol does not parse: \(error)"
      return row
    }
    let result: SimulationResult
    do throws(CellModelError) {
      result = try simulate(m, protocol: cellProtocol, options: SimulationOptions(outputInterval: dt))
    } catch {
      row.endReason = "cannot start: \(error)"
      return row
    }
    row.columns = result.columns
    row.values = result.values
    guard let step = result.steps.first else {
      row.endReason = "no step was run"
      return row
    }
    row.capacity = step.capacity
    row.energy = step.energy
    row.meanVoltage = step.meanVoltage
    row.duration = step.duration
    row.endReason = step.reason.description
    row.completed = result.status.isSuccess
    if row.completed, !(step.capacity.isFinite && step.energy.isFinite && step.meanVoltage.isFinite) {
      row.completed = false
      row.endReason += "; but the run's charge, energy or mean voltage is not finite (solver trouble), so it is not used"
    }
    if let area = cell.area { row.arealCapacity = step.capacity / area * 0.1 }  // A h m⁻² → mA h cm⁻²
    if row.completed, let stack = cell.stack, let area = cell.area, step.energy > 0 {
      row.stack = StackFigures(stack: stack, area: area, energy: step.energy, charge: step.capacity, duration: step.duration)
    }
    return row
  }
}

/// Rows filled by concurrent workers, each at its own index.
final class RowStore: @unchecked Sendable {
  private var storage: [ComparisonRow?]
  private let lock = NSLock()
  init(count: Int) { storage = Array(repeating: nil, count: count) }
  func set(_ index: Int, _ row: ComparisonRow) {
    lock.lock()
    storage[index] = row
    lock.unlock()
  }
  var rows: [ComparisonRow] {
    lock.lock()
    defer { lock.unlock() }
    return storage.map { $0! }
  }
}
