// CellSim — CellSim/Sweep/SweepDesign.swift
//
// One design of a sweep: the base cell file with some numeric fields replaced, plus the quantities that
// must follow them (docs/sweep.md, "Derived quantities"):
//
//   1. Lithium-ion porosity ε of an electrode varied without its active fraction: the solid part follows,
//      ε_s = ε_s,file·(1 − ε)/(1 − ε_file) (a denser or looser coating of the same composite).
//   2. The layer stack follows the electrochemical geometry: a varied electrode / separator thickness
//      scales the matching stack layer's thickness by the same ratio, a varied volume fraction scales
//      the matching materials' volume fractions in that layer (the pore filler takes the rest).
//      A stack field the case sets itself is left as set.
//   3. 1C follows the capacity: lithium-ion `cell.nominal_capacity_Ah` (a file value) is scaled by the
//      ratio of the case's eSOH capacity to the file's (electrode thickness, fractions, area, c_max and
//      the lithium inventory all enter); lithium-sulfur by the ratio of total sulfur mass; solid-state
//      cells derive Q_nom from the geometry already. A case that sets `cell.nominal_capacity_Ah` keeps it.
//
// The modified tree is then read and validated like any cell file, so a value out of range for one
// case gives that case a clear status and the others still run.

import Foundation

/// The base cell file of a sweep, parsed once.
public struct SweepBase: Sendable {
  public let url: URL
  public let json: JSONValue
  public let cell: LoadedCell
  public let paths: SweepPaths
  /// eSOH capacity of the file (lithium-ion), total sulfur (lithium-sulfur): the reference of rule 3.
  let referenceCapacity: Double?

  /// Reads and validates the base cell file.
  /// - Throws: `CellFileError` for an unreadable or invalid file.
  public init(contentsOf url: URL) throws(CellFileError) {
    let cell = try LoadedCell(contentsOf: url)
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
      throw CellFileError(
        CellFileIssue(
          file: url.lastPathComponent, path: "", value: "", problem: "cannot read: \(error.localizedDescription)",
          kind: .outOfRange))
    }
    let json: JSONValue
    do { json = try JSONValue.parse(text) } catch {
      throw CellFileError(
        CellFileIssue(file: url.lastPathComponent, path: "", value: "", problem: error.description, kind: .outOfRange))
    }
    self.url = url
    self.json = json
    self.cell = cell
    paths = SweepPaths(json: json, fileName: url.lastPathComponent)
    referenceCapacity = SweepBase.capacityMeasure(cell.parameters)
  }

  static func capacityMeasure(_ p: LoadedCell.Parameters) -> Double? {
    switch p {
    case .lithiumIon(let li): return (try? ElectrodeBalance(parameters: li))?.capacity
    case .lithiumSulfur(let lis): return lis.totalSulfur
    case .solidState: return nil
    }
  }

  /// Why a design cannot be built (its cell file is invalid, its eSOH window does not exist).
  public struct DesignError: Error, Sendable, CustomStringConvertible {
    public var description: String
  }

  /// The cell of a design: the file with `values` replaced and the derived quantities following.
  /// - Throws: `DesignError` with the reader's message (every problem of the modified file).
  public func cell(with values: [(path: String, value: Double)]) throws(DesignError) -> LoadedCell {
    if values.isEmpty { return cell }
    var explicit: [String: Double] = [:]
    for v in values { explicit[v.path] = v.value }
    let all = effectiveValues(explicit)
    var tree = json
    for (path, value) in all.sorted(by: { $0.key < $1.key }) {
      guard let t = tree.replacing(atPath: path, with: .number(value)) else {
        throw DesignError(description: "'\(path)' is not a field of \(url.lastPathComponent)")
      }
      tree = t
    }
    var parameters: LoadedCell.Parameters
    let file = url.lastPathComponent
    do throws(CellFileError) {
      switch cell.parameters {
      case .lithiumIon: parameters = .lithiumIon(try LithiumIonParameters.load(json: tree, fileName: file))
      case .solidState: parameters = .solidState(try SolidStateParameters.load(json: tree, fileName: file))
      case .lithiumSulfur: parameters = .lithiumSulfur(try LithiumSulfurParameters.load(json: tree, fileName: file))
      }
    } catch {
      throw DesignError(description: "invalid parameters: " + error.description.replacingOccurrences(of: "\n", with: "; "))
    }
    // Rule 3: 1C follows the capacity.
    if explicit["cell.nominal_capacity_Ah"] == nil, let reference = referenceCapacity, reference > 0 {
      switch parameters {
      case .lithiumIon(var li):
        let balance: ElectrodeBalance
        do throws(CellModelError) { balance = try ElectrodeBalance(parameters: li) } catch {
          throw DesignError(description: "no electrode balance: \(error)")
        }
        li.cell.nominalCapacity *= balance.capacity / reference
        parameters = .lithiumIon(li)
      case .lithiumSulfur(var lis):
        lis.cell.nominalCapacity *= lis.totalSulfur / reference
        parameters = .lithiumSulfur(lis)
      case .solidState: break
      }
    }
    return LoadedCell(url: url, header: cell.header, parameters: parameters)
  }

  /// The explicit values plus those that follow them (rules 1 and 2), by path.
  public func effectiveValues(_ explicit: [String: Double]) -> [String: Double] {
    var all = explicit
    let chemistry = cell.chemistry
    func base(_ path: String) -> Double? { paths.baseValue(path) }
    // Rule 1 (lithium-ion): solids follow the porosity.
    if chemistry == LithiumIonParameters.chemistry {
      for section in ["negative", "positive"] {
        let porosity = section + ".porosity"
        let solid = section + ".active_material_volume_fraction"
        if let e = explicit[porosity], explicit[solid] == nil, let e0 = base(porosity), let s0 = base(solid), e0 < 1 {
          all[solid] = s0 * (1 - e) / (1 - e0)
        }
      }
    }
    // Rule 2: the stack follows.
    guard case .array(let layers)? = json.value(atPath: "stack.layers") else { return all }
    typealias Link = (field: String, role: String, kind: String?, complement: Bool)
    var links: [Link] = []
    switch chemistry {
    case LithiumIonParameters.chemistry:
      links = [
        ("positive.thickness_m", "positive_electrode", nil, false),
        ("negative.thickness_m", "negative_electrode", nil, false),
        ("separator.thickness_m", "separator", nil, false),
        ("positive.active_material_volume_fraction", "positive_electrode", "active", false),
        ("negative.active_material_volume_fraction", "negative_electrode", "active", false),
        ("separator.porosity", "separator", "*", true),
      ]
    case SolidStateParameters.chemistry:
      links = [
        ("positive.thickness_m", "positive_electrode", nil, false),
        ("separator.thickness_m", "separator", nil, false),
        ("negative.excess_lithium_thickness_m", "negative_electrode", nil, false),
        ("positive.active_material_volume_fraction", "positive_electrode", "active", false),
        ("positive.electrolyte_volume_fraction", "positive_electrode", "electrolyte", false),
        ("positive.conductive_additive_volume_fraction", "positive_electrode", "conductive_additive", false),
      ]
    default: break
    }
    for link in links {
      guard let new = all[link.field], let old = base(link.field) else { continue }
      let ratio = link.complement ? (old < 1 ? (1 - new) / (1 - old) : 1) : (old != 0 ? new / old : 1)
      if ratio == 1 { continue }
      for (i, layer) in layers.enumerated() {
        guard case .string(link.role)? = layer["role"] else { continue }
        let prefix = "stack.layers.\(i)."
        if link.kind == nil {
          let path = prefix + "thickness_m"
          if explicit[path] == nil, let t = base(path) { all[path] = t * ratio }
          continue
        }
        guard case .object(let fractions)? = layer["volume_fractions"] else { continue }
        for f in fractions {
          let path = prefix + "volume_fractions." + f.key
          guard explicit[path] == nil, let v = base(path) else { continue }
          let kind: String? = {
            if case .string(let k)? = json.value(atPath: "stack.materials.\(f.key).kind") { return k }
            return nil
          }()
          if link.kind == "*" || kind == link.kind { all[path] = v * ratio }
        }
      }
    }
    return all
  }
}

extension LoadedCell {
  /// A cell from parameters already read (a sweep's modified file).
  init(url: URL, header: CellFileHeader, parameters: Parameters) {
    self.url = url
    self.header = header
    self.parameters = parameters
  }
}
