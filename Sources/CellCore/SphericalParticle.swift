// CellSim — CellCore/SphericalParticle.swift
//
// Fickian diffusion in a sphere by finite volumes (method of lines), shared by every chemistry with
// intercalation particles:
//
//     ∂c/∂t = (1/r²) ∂/∂r (r² D(c, T) ∂c/∂r),   0 < r < R
//     ∂c/∂r = 0 at r = 0,     −D ∂c/∂r = N_R at r = R      (N_R [mol m⁻² s⁻¹], > 0 out of the particle)
//
// N cells with faces 0 = ρ_0 < ρ_1 < … < ρ_N = R, graded towards the surface where the gradients are
// steep (face k at R·((1−w)·s + w·(1 − (1−s)²)), s = k/N, so the surface cell is (1−w)·R/N wide and
// the centre cell (1+w)·R/N). Unknowns are cell averages c_i at centres r_i. With shell volumes
// V_i = (ρ_{i+1}³ − ρ_i³)/3 and face fluxes F_k = −D_k (c_k − c_{k−1})/(r_k − r_{k−1}):
//
//     V_i dc_i/dt = ρ_i² F_i − ρ_{i+1}² F_{i+1},     F_0 = 0,  F_N = N_R
//
// which conserves Σ V_i c_i exactly: d/dt Σ V_i c_i = −R² N_R. Face diffusivities are harmonic means
// of the centre values when D depends on c (stoichiometry clipped to [1e-10, 1 − 1e-10]).
//
// The surface concentration uses the boundary flux: the quadratic through (r_{N−2}, c_{N−2}) and
// (r_{N−1}, c_{N−1}) with slope −N_R/D at r = R, evaluated at R (second-order accurate, unlike a
// linear extrapolation from the last two centres).

/// Geometry and precomputed coefficients of one discretised spherical particle.
public struct SphericalParticle: Sendable {
  /// How the cell values are laid out in the state vector.
  public enum Ordering: Sendable, Equatable {
    /// c_0 (centre) first, c_{N−1} (surface) last.
    case centreToSurface
    /// c_{N−1} (surface) first: lets a model put the surface of one particle next to the unknowns
    /// it couples to (the current), which keeps the cell's Jacobian banded.
    case surfaceToCentre
  }
  /// Layout of the cell values in the buffers passed to this particle's methods.
  public let ordering: Ordering
  /// Particle radius R [m].
  public let radius: Double
  /// Number of cells N.
  public let cellCount: Int
  /// Face radii ρ_0…ρ_N [m].
  public let faces: [Double]
  /// Cell centres r_0…r_{N−1} [m] (midpoints of the faces).
  public let centres: [Double]
  /// Shell volumes V_i = (ρ_{i+1}³ − ρ_i³)/3 [m³ per steradian].
  public let volumes: [Double]
  /// ρ_k² / (r_k − r_{k−1}) for interior faces k = 1…N−1 (index k−1) [m].
  let faceConductance: [Double]
  // Surface extrapolation: c_R = a·c_{N−1} + b·c_{N−2} + g·(−N_R/D).
  let surfaceWeightLast: Double
  let surfaceWeightPrevious: Double
  let surfaceWeightSlope: Double

  /// - Parameters:
  ///   - radius: R [m], > 0.
  ///   - cellCount: N ≥ 2.
  ///   - grading: w in [0, 1): 0 is a uniform mesh.
  ///   - ordering: layout of the cell values in the state vector.
  public init(radius: Double, cellCount: Int, grading: Double = 0.8, ordering: Ordering = .centreToSurface) {
    let n = max(cellCount, 2)
    self.ordering = ordering
    self.radius = radius
    self.cellCount = n
    var faces = [Double](repeating: 0, count: n + 1)
    for k in 0...n {
      let s = Double(k) / Double(n)
      let uniform: Double = (1 - grading) * s
      let quadratic: Double = grading * (1 - (1 - s) * (1 - s))
      faces[k] = radius * (uniform + quadratic)
    }
    faces[n] = radius
    self.faces = faces
    var centres = [Double](repeating: 0, count: n)
    var volumes = [Double](repeating: 0, count: n)
    var conductance = [Double](repeating: 0, count: n - 1)
    for i in 0..<n {
      centres[i] = 0.5 * (faces[i] + faces[i + 1])
      volumes[i] = (pow3(faces[i + 1]) - pow3(faces[i])) / 3
    }
    for k in 1..<n {
      let spacing: Double = 0.5 * (faces[k + 1] - faces[k - 1])
      conductance[k - 1] = faces[k] * faces[k] / spacing
    }
    self.centres = centres
    self.volumes = volumes
    faceConductance = conductance
    // Quadratic p(s) = c_R + g·s + q·s², s = r − R, through s1 = r_{N−1} − R, s2 = r_{N−2} − R.
    let s1 = 0.5 * (faces[n - 1] + faces[n]) - radius
    let s2 = 0.5 * (faces[n - 2] + faces[n - 1]) - radius
    // c1 = cR + g s1 + q s1², c2 = cR + g s2 + q s2²  ⇒  eliminate q.
    let denominator = s2 * s2 - s1 * s1
    surfaceWeightLast = s2 * s2 / denominator
    surfaceWeightPrevious = -s1 * s1 / denominator
    let cross: Double = s1 * s2 * s2 - s2 * s1 * s1
    surfaceWeightSlope = -cross / denominator
  }

  /// Surface concentration c(R) [mol m⁻³] from the last two cells and the surface flux gradient.
  /// - Parameters:
  ///   - c: cell averages (count N).
  ///   - surfaceGradient: ∂c/∂r at R = −N_R/D_surface [mol m⁻⁴].
  @inline(__always)
  public func surfaceConcentration(_ c: UnsafeBufferPointer<Double>, surfaceGradient: Double) -> Double {
    surfaceWeightLast * c[slot(cellCount - 1)] + surfaceWeightPrevious * c[slot(cellCount - 2)]
      + surfaceWeightSlope * surfaceGradient
  }

  /// Volume average c̄ = Σ V_i c_i / (R³/3) [mol m⁻³].
  public func averageConcentration(_ c: UnsafeBufferPointer<Double>) -> Double {
    var s = 0.0
    for i in 0..<cellCount { s += volumes[i] * c[slot(i)] }
    return s / (pow3(radius) / 3)
  }

  /// Writes dc_i/dt for a constant diffusivity D [m² s⁻¹] and surface flux N_R [mol m⁻² s⁻¹].
  public func rates(
    _ c: UnsafeBufferPointer<Double>, diffusivity: Double, surfaceFlux: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let n = cellCount
    guard let cells = c.baseAddress, let rates = out.baseAddress else { return }
    // Cell i sits at offset + stride·i in the buffers (the ordering, hoisted out of the loop).
    let (offset, stride) = ordering == .centreToSurface ? (0, 1) : (n - 1, -1)
    faceConductance.withUnsafeBufferPointer { conductances in
      volumes.withUnsafeBufferPointer { volumes in
        var inflow = 0.0  // ρ_i² F_i at the inner face of cell i (0 at the centre)
        var here = offset
        for i in 0..<(n &- 1) {
          let next = here &+ stride
          let outflow = -diffusivity * conductances[i] * (cells[next] - cells[here])
          rates[here] = (inflow - outflow) / volumes[i]
          inflow = outflow
          here = next
        }
        let outflow = radius * radius * surfaceFlux
        rates[here] = (inflow - outflow) / volumes[n &- 1]
      }
    }
  }

  /// Writes dc_i/dt for a diffusivity D(c_i) given per cell, in the particle's ordering [m² s⁻¹]
  /// (harmonic means at faces).
  public func rates(
    _ c: UnsafeBufferPointer<Double>, cellDiffusivities d: UnsafeBufferPointer<Double>, surfaceFlux: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let n = cellCount
    var inflow = 0.0
    for i in 0..<n {
      let outflow: Double
      if i == n - 1 {
        outflow = radius * radius * surfaceFlux
      } else {
        let di = d[slot(i)]
        let dNext = d[slot(i + 1)]
        let dFace = 2 * di * dNext / (di + dNext)
        outflow = -dFace * conductance(i + 1) * (c[slot(i + 1)] - c[slot(i)])
      }
      out[slot(i)] = (inflow - outflow) / volumes[i]
      inflow = outflow
    }
  }

  @inline(__always) func conductance(_ face: Int) -> Double { faceConductance[face - 1] }

  /// Position in the buffer of cell i (0 = centre).
  @inline(__always) public func slot(_ i: Int) -> Int {
    ordering == .centreToSurface ? i : cellCount - 1 - i
  }

  /// Position of the surface cell in the buffer.
  public var surfaceSlot: Int { slot(cellCount - 1) }
}

@inline(__always) func pow3(_ x: Double) -> Double { x * x * x }
