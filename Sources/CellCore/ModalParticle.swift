// CellSim — CellCore/ModalParticle.swift
//
// Fickian diffusion in a sphere with a diffusivity D(t) that is uniform in r (it may follow the
// temperature, not the concentration), solved by its eigenfunction expansion instead of a mesh:
//
//     ∂c/∂t = D(t) (1/r²) ∂/∂r (r² ∂c/∂r),   ∂c/∂r = 0 at r = 0,   −D ∂c/∂r = N_R(t) at r = R
//
// With ρ = r/R and s = N_R·R/D [mol m⁻³], split c = c̄ − s·P(ρ) + w, where P(ρ) = ρ²/2 − 3/10 is the
// quasi-steady profile (D∇²(−sP) = −3N_R/R = dc̄/dt, the flux condition, zero mean). The rest w has
// no flux through the surface and zero mean, so it is a sum of the Neumann eigenfunctions
// φ_k(ρ) = sin(λ_k ρ)/(ρ·sin λ_k) (φ_k(1) = 1), λ_k the positive roots of tan λ = λ. Projecting,
// P = Σ p_k φ_k with p_k = 2/λ_k² (so Σ_k 1/λ_k² = 1/10), and the amplitudes v_k = w_k − p_k·s obey
//
//     dc̄/dt  = −3 N_R / R                                  [mol m⁻³ s⁻¹]
//     dv_k/dt = −(D λ_k² / R²) · v_k − 2 N_R / R            k = 1…M
//
// (the forcing does not involve D, so a D that changes with temperature is exact too, and v_k is
// continuous when the current jumps). The concentration is
//
//     c(ρ) = c̄ − s·(P(ρ) − Σ_{k≤M} p_k φ_k(ρ)) + Σ_{k≤M} v_k φ_k(ρ),
//     c(R) = c̄ − s·(1/5 − 2 Σ_{k≤M} 1/λ_k²) + Σ_{k≤M} v_k.
//
// The fast modes beyond M are not dropped: they are aggregated in B bins of doubling width
// (k = M+1…2M, 2M+1…4M, …, up to M·2^B). A bin's modes are carried by one amplitude V_b = Σ_{k∈b} v_k
// with the bin's forcing summed and one rate μ_b chosen so that its quasi-steady value is exact:
//
//     dV_b/dt = −(D μ_b / R²)·V_b − 2·n_b·N_R / R,   μ_b = 2·n_b / w_b,   w_b = Σ_{k∈b} 2/λ_k²
//
// (n_b modes in the bin): the initial slope and the final value of every bin are exact, so the
// surface follows the √t start of a current step instead of jumping to the quasi-steady profile.
// The term s·(1/5 − Σ w) keeps the modes beyond the last bin quasi-steady (≈ 2/(π²·M·2^B): 2.4e-5·s
// for the defaults). c̄ is a state, so lithium is conserved exactly. Every state obeys a linear ODE
// with a diagonal matrix: at constant current and temperature the solution is known in closed form
// (`flow`), which the engine's exact integrator uses.
//
// Profiles: c(ρ) = c̄ − s·(P(ρ) − Σ_{k≤M} p_k φ_k(ρ)) + Σ_{k≤M} v_k φ_k(ρ) + B_tot·ψ(ρ), where the bins'
// departure from their quasi-steady value, B_tot = Σ_b (V_b + s·w_b) (zero once they have relaxed), is
// drawn with the shape of the modes beyond M at rest, ψ(ρ) = R(ρ)/R(1), R = P − Σ_{k≤M} p_k φ_k (the
// exact remainder of P's series): ψ(1) = 1 (the surface value is exact), ψ has zero mean (the profile
// integrates to c̄), and a particle at rest is uniform whatever the current.
//
// State layout: c̄ first, then v_1…v_M, then V_1…V_B.

import Foundation

/// Eigenfunction expansion of diffusion in one spherical particle with a diffusivity uniform in r.
public struct ModalParticle: Sendable {
  /// Particle radius R [m].
  public let radius: Double
  /// Number of amplitudes: M modes and B bins.
  public let modeCount: Int
  /// M, the modes kept one by one.
  let singleModeCount: Int
  /// λ_k of the modes, then the eigenvalue drawn for each bin in profiles.
  public let eigenvalues: [Double]
  /// λ_k² of the modes, then μ_b of the bins: the amplitudes' rates in units of D/R².
  let eigenvaluesSquared: [Double]
  /// Forcing of each amplitude in units of −N_R/R: 2 for a mode, 2·n_b for a bin.
  let forcingWeights: [Double]
  /// p_k = 2/λ_k² of a mode, w_b of a bin: its share of the quasi-steady profile.
  let profileWeights: [Double]
  /// 1/5 − Σ p: the surface value of the quasi-steady profile the amplitudes leave out.
  let surfaceTail: Double
  /// R(1) = 1/5 − Σ_{k≤M} p_k: the surface value of the series remainder (see `concentration`).
  let surfaceRemainder: Double
  /// The radii [m] at which profiles are reported: 21 points from the centre to the surface.
  public let profileRadii: [Double]

  /// States per particle: the average and the amplitudes.
  public var stateCount: Int { modeCount + 1 }

  /// - Parameters:
  ///   - radius: R [m], > 0.
  ///   - modeCount: M ≥ 1 modes kept one by one.
  ///   - binCount: B ≥ 0 bins of doubling width beyond them.
  public init(radius: Double, modeCount: Int, binCount: Int = 9) {
    let m = max(modeCount, 1)
    let bins = max(binCount, 0)
    self.radius = radius
    self.modeCount = m + bins
    singleModeCount = m
    var lambdas = (1...m).map(Self.root)
    var rates = lambdas.map { $0 * $0 }
    var forcing = Array(repeating: 2.0, count: m)
    var weights = rates.map { 2 / $0 }
    var first = m + 1
    for _ in 0..<bins {
      let last = 2 * first - 1
      var w = 0.0
      for k in first...last {
        let lambda = Self.asymptoticRoot(k)
        w += 2 / (lambda * lambda)
      }
      let count = Double(last - first + 1)
      let mu = 2 * count / w
      // The root nearest √μ: λ_k ≈ (k + ½)π.
      let k = max(first, min(last, Int((mu.squareRoot() / Double.pi - 0.5).rounded())))
      lambdas.append(Self.asymptoticRoot(k))
      rates.append(mu)
      forcing.append(2 * count)
      weights.append(w)
      first = last + 1
    }
    eigenvalues = lambdas
    eigenvaluesSquared = rates
    forcingWeights = forcing
    profileWeights = weights
    surfaceTail = 0.2 - weights.reduce(0, +)
    surfaceRemainder = 0.2 - weights[0..<m].reduce(0, +)
    profileRadii = (0..<21).map { radius * Double($0) / 20 }
  }

  /// λ_k for large k from the expansion μ − 1/μ − 2/(3μ³) − 13/(15μ⁵), μ = (k + ½)π (error O(μ⁻⁷):
  /// below 1e-12 relative for k > 16; used for the bins, whose roots are many).
  static func asymptoticRoot(_ k: Int) -> Double {
    if k <= 16 { return root(k) }
    let mu = (Double(k) + 0.5) * Double.pi
    let inverse = 1 / mu
    let i2 = inverse * inverse
    return mu - inverse * (1 + i2 * (2.0 / 3 + i2 * 13.0 / 15))
  }

  /// The k-th positive root of tan λ = λ (k ≥ 1), in (kπ, kπ + π/2): Newton on λ·cos λ − sin λ from
  /// the asymptotic expansion μ − 1/μ, μ = (k + ½)π.
  static func root(_ k: Int) -> Double {
    let mu = (Double(k) + 0.5) * Double.pi
    var x = mu - 1 / mu - 2 / (3 * mu * mu * mu)
    for _ in 0..<50 {
      let f = x * cos(x) - sin(x)
      let step = f / (-x * sin(x))
      x -= step
      if abs(step) < 1e-15 * x { break }
    }
    return x
  }

  /// The state of a particle at a uniform concentration c0 [mol m⁻³].
  public func uniformState(_ c0: Double) -> [Double] {
    [c0] + Array(repeating: 0, count: modeCount)
  }

  /// Volume-average concentration c̄ [mol m⁻³].
  @inline(__always) public func averageConcentration(_ c: UnsafeBufferPointer<Double>) -> Double { c[0] }

  /// Surface concentration c(R) [mol m⁻³].
  /// - Parameter surfaceGradient: ∂c/∂r at R = −N_R/D [mol m⁻⁴].
  @inline(__always)
  public func surfaceConcentration(_ c: UnsafeBufferPointer<Double>, surfaceGradient: Double) -> Double {
    var sum = c[0] + surfaceGradient * radius * surfaceTail
    for k in 1...modeCount { sum += c[k] }
    return sum
  }

  /// Writes dc̄/dt and dv_k/dt for diffusivity D [m² s⁻¹] and surface flux N_R [mol m⁻² s⁻¹].
  @inline(__always)
  public func rates(
    _ c: UnsafeBufferPointer<Double>, diffusivity: Double, surfaceFlux: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let inverseRadius = 1 / radius
    let rate = diffusivity * inverseRadius * inverseRadius
    out[0] = -3 * surfaceFlux * inverseRadius
    let forcing = -surfaceFlux * inverseRadius
    for k in 1...modeCount { out[k] = forcing * forcingWeights[k - 1] - rate * eigenvaluesSquared[k - 1] * c[k] }
  }

  /// The states' linear dynamics dc_i/dt = −decay_i·c_i + forcing_i·N_R at diffusivity D: decay
  /// [s⁻¹] and forcing per unit surface flux [m⁻¹].
  public func flow(
    diffusivity: Double, decay: UnsafeMutableBufferPointer<Double>, forcingPerFlux: UnsafeMutableBufferPointer<Double>
  ) {
    let rate = diffusivity / (radius * radius)
    decay[0] = 0
    forcingPerFlux[0] = -3 / radius
    for k in 1...modeCount {
      decay[k] = rate * eigenvaluesSquared[k - 1]
      forcingPerFlux[k] = -forcingWeights[k - 1] / radius
    }
  }

  /// c(r) [mol m⁻³] at radius r (see the header).
  public func concentration(
    _ c: UnsafeBufferPointer<Double>, at r: Double, surfaceGradient: Double
  ) -> Double {
    let rho = min(max(r / radius, 0), 1)
    let gR = surfaceGradient * radius  // −s
    let quasiSteady = rho * rho / 2 - 0.3  // P(ρ)
    var value = c[0] + gR * quasiSteady
    var series = 0.0  // Σ_{k≤M} p_k φ_k(ρ)
    for k in 1...singleModeCount {
      let lambda = eigenvalues[k - 1]
      let phi = rho < 1e-8 ? lambda / sin(lambda) : sin(lambda * rho) / (rho * sin(lambda))
      value += (c[k] - gR * profileWeights[k - 1]) * phi
      series += profileWeights[k - 1] * phi
    }
    guard modeCount > singleModeCount else { return value }
    var departure = 0.0
    for k in (singleModeCount + 1)...modeCount { departure += c[k] - gR * profileWeights[k - 1] }
    // ψ(ρ) = R(ρ)/R(1), R = P − Σ_{k≤M} p_k φ_k.
    return value + departure * (quasiSteady - series) / surfaceRemainder
  }

}
