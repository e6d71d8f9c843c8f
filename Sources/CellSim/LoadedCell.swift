// CellSim — CellSim/LoadedCell.swift
//
// One entry point from a cell file to a runnable model: read the header's chemistry, decode and
// validate that chemistry's parameters, build the model the user asked for. Adding a chemistry adds
// one case here.

import Foundation

/// A cell file, decoded and validated, ready to build models from.
public struct LoadedCell: Sendable {
  /// The models each chemistry offers, the first being the default.
  public static let models: [String: [String]] = [
    "lithium-ion": ["spm", "spme"],
    "solid-state": ["ssb-spm"],
    "lithium-sulfur": ["zero-d"],
  ]

  public enum Parameters: Sendable {
    case lithiumIon(LithiumIonParameters)
    case solidState(SolidStateParameters)
    case lithiumSulfur(LithiumSulfurParameters)
  }

  public let url: URL
  public let header: CellFileHeader
  public let parameters: Parameters

  public var chemistry: String { header.chemistry }
  public var name: String { header.name }

  /// Reads and validates a cell file.
  /// - Throws: `CellFileError` naming the file and every problem found.
  public init(contentsOf url: URL) throws(CellFileError) {
    self.url = url
    // A BPX file (a "Header" with "BPX") is converted to a lithium-ion cell (LithiumIon/BPXImport.swift).
    if BPXImport.isBPX(contentsOf: url) {
      let p = try BPXImport.load(contentsOf: url)
      header = p.header
      parameters = .lithiumIon(p)
      return
    }
    let chemistry = try readChemistry(of: url)
    switch chemistry {
    case LithiumIonParameters.chemistry:
      let p = try LithiumIonParameters.load(contentsOf: url)
      header = p.header
      parameters = .lithiumIon(p)
    case SolidStateParameters.chemistry:
      let p = try SolidStateParameters.load(contentsOf: url)
      header = p.header
      parameters = .solidState(p)
    case LithiumSulfurParameters.chemistry:
      let p = try LithiumSulfurParameters.load(contentsOf: url)
      header = p.header
      parameters = .lithiumSulfur(p)
    default:
      let known = Self.models.keys.sorted().joined(separator: ", ")
      throw CellFileError(
        CellFileIssue(
          file: url.lastPathComponent, path: "chemistry", value: "\"\(chemistry)\"",
          problem: "unknown chemistry (accepted: \(known))", kind: .outOfRange))
    }
  }

  /// The models this cell can run, the first being the default: the chemistry's (a lithium-ion cell
  /// with a blended electrode, `populations`, runs in both, isothermal only).
  public var offeredModels: [String] {
    Self.models[chemistry] ?? []
  }

  /// Quantities derived from the parameters (capacities, 1C current, initial state, stack masses…).
  public var derivedQuantities: [DerivedQuantity] {
    switch parameters {
    case .lithiumIon(let p): return p.derivedQuantities
    case .solidState(let p): return p.derivedQuantities
    case .lithiumSulfur(let p): return p.derivedQuantities
    }
  }

  /// Builds the named model (`nil`: the chemistry's default).
  /// - Parameter thermal: `.lumped` adds the lumped thermal model (lithium-ion SPM and SPMe only).
  /// - Throws: `CellModelError` for a model the chemistry does not offer, a thermal model it does not
  ///   have, or a cell the model cannot build.
  public func makeModel(_ name: String? = nil, thermal: ThermalOption = .isothermal) throws(CellModelError)
    -> any CellModel
  {
    let offered = Self.models[chemistry] ?? []
    let chosen = (name ?? offered.first ?? "").lowercased()
    guard offered.contains(chosen) else {
      throw CellModelError(
        "model '\(name ?? "")' is not available for \(chemistry) cells (accepted: \(offered.joined(separator: ", ")))")
    }
    if thermal != .isothermal {
      guard case .lithiumIon = parameters else {
        throw CellModelError(
          "the \(thermal.rawValue) thermal model is available for lithium-ion cells only (models spm, spme)")
      }
    }
    switch parameters {
    case .lithiumIon(let p) where p.hasBlendedElectrode:
      // Blended electrodes (`populations`): the blended SPM and SPMe, isothermal.
      guard thermal == .isothermal else {
        let model = chosen == "spme" ? "SPMe" : "SPM"
        throw CellModelError(
          "this cell has a blended electrode (populations): the blended \(model) is isothermal only "
            + "(drop --thermal \(thermal.rawValue))")
      }
      return chosen == "spme"
        ? try BlendedSingleParticleModelWithElectrolyte(
          parameters: p, negativePopulations: p.negativePopulations, positivePopulations: p.positivePopulations)
        : try BlendedSingleParticleModel(
          parameters: p, negativePopulations: p.negativePopulations, positivePopulations: p.positivePopulations)
    case .lithiumIon(let p):
      return chosen == "spme"
        ? try SingleParticleModelWithElectrolyte(parameters: p, thermal: thermal, electrolyteOrdering: .folded)
        : try SingleParticleModel(parameters: p, thermal: thermal)
    case .solidState(let p): return try SolidStateModel(parameters: p)
    case .lithiumSulfur(let p): return try LithiumSulfurModel(parameters: p)
    }
  }
}

/// Chemistry-specific figures of a curve for the summary (the Li-S plateaus and the dip between them).
public func curveFigures(_ model: any CellModel, time: [Double], voltage: [Double]) -> [String: Double] {
  guard let lis = model as? LithiumSulfurModel, let p = lis.plateauFigures(time: time, voltage: voltage) else {
    return [:]
  }
  return ["high_plateau_V": p.high, "low_plateau_V": p.low, "dip_V": p.dip]
}

/// Runs a protocol on any model (an `AnySimulator` used once).
public func simulate(
  _ model: any CellModel, protocol cellProtocol: CellProtocol, options: SimulationOptions = SimulationOptions(),
  onRow: ((UnsafeBufferPointer<Double>) -> Void)? = nil
) throws(CellModelError) -> SimulationResult {
  try AnySimulator(model).run(protocol: cellProtocol, options: options, onRow: onRow)
}

/// A `Simulator` for a model known as `any CellModel` (a loaded cell): keep one to run the same model
/// many times. The shipped models are dispatched by their concrete type, so the compiler specialises
/// the engine and integrators for each (a generic call through an opened existential runs
/// unspecialised, about 1.5× slower); other models go through the existential. One per thread.
public final class AnySimulator {
  public typealias Run = (CellProtocol, SimulationOptions, ((UnsafeBufferPointer<Double>) -> Void)?) throws(
    CellModelError
  ) -> SimulationResult
  private let body: Run

  public init(_ model: any CellModel) {
    func make<M: CellModel>(_ m: M) -> Run {
      let simulator = Simulator(model: m)
      return { p, o, r throws(CellModelError) in try simulator.run(protocol: p, options: o, onRow: r) }
    }
    switch model {
    case let m as SingleParticleModel: body = make(m)
    case let m as SingleParticleModelWithElectrolyte: body = make(m)
    case let m as BlendedSingleParticleModel: body = make(m)
    case let m as BlendedSingleParticleModelWithElectrolyte: body = make(m)
    case let m as SolidStateModel: body = make(m)
    case let m as LithiumSulfurModel: body = make(m)
    default: body = make(model)
    }
  }

  /// Runs `protocol` (see `Simulator.run`).
  public func run(
    protocol cellProtocol: CellProtocol, options: SimulationOptions = SimulationOptions(),
    onRow: ((UnsafeBufferPointer<Double>) -> Void)? = nil
  ) throws(CellModelError) -> SimulationResult {
    try body(cellProtocol, options, onRow)
  }
}
