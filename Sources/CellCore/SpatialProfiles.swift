// CellSim — CellCore/SpatialProfiles.swift
//
// Spatial profiles of a model's state (electrolyte concentration through the cell, concentration
// along a particle radius…), for users who want more than the curve's scalar columns. A model that
// has profiles adopts `SpatialProfiles`: it lists its profiles once (`profileLayout`: variable,
// domain, coordinate and the positions of the values) and writes their values at a state without
// allocating (`profileValues`). Output formats (e.g. the `--profiles` long CSV of `cellsim run`) are
// built on these two members only.

/// Which coordinate a profile's positions are on.
public enum ProfileCoordinate: String, Sendable, Equatable {
  /// Through the cell thickness, from the negative current collector [m].
  case x
  /// Along a particle radius, from its centre [m].
  case r
}

/// One profile of a model: a variable over a domain, sampled at fixed positions.
public struct ProfileSegment: Sendable, Equatable {
  /// Variable name with its unit, as in curve columns, e.g. "c_e_mol_m3".
  public var variable: String
  /// Domain name, e.g. "negative_electrode", "separator", "positive_particle".
  public var domain: String
  public var coordinate: ProfileCoordinate
  /// Positions of the values [m], increasing.
  public var positions: [Double]

  public init(variable: String, domain: String, coordinate: ProfileCoordinate, positions: [Double]) {
    self.variable = variable
    self.domain = domain
    self.coordinate = coordinate
    self.positions = positions
  }
}

/// A model that can report spatial profiles of its state.
public protocol SpatialProfiles {
  /// The model's profiles, in the order `profileValues` writes them.
  var profileLayout: [ProfileSegment] { get }
  /// Writes every segment's values, segment after segment, position by position, into `out`
  /// (count = total number of positions in `profileLayout`).
  func profileValues(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>)
}

extension SpatialProfiles {
  /// Total number of values `profileValues` writes.
  public var profileValueCount: Int { profileLayout.reduce(0) { $0 + $1.positions.count } }
}
