// CellSim — CellCoreTests/ModalParticleTests.swift
//
// `ModalParticle` against closed forms that do not come from it: the roots of tan λ = λ, and Carslaw &
// Jaeger's series for a sphere under a constant surface flux (summed to 4000 terms here).

import CellCore
import Foundation
import Testing

@Suite("Modal particle")
struct ModalParticleTests {
  @Test("eigenvalues are the roots of tan λ = λ, one in each (kπ, kπ + π/2)")
  func eigenvalues() {
    let particle = ModalParticle(radius: 1e-5, modeCount: 60, binCount: 0)
    for (index, lambda) in particle.eigenvalues.enumerated() {
      let k = Double(index + 1)
      #expect(lambda > k * .pi && lambda < (k + 0.5) * .pi)
      #expect(abs(tan(lambda) - lambda) <= 1e-9 * lambda, "λ_\(index + 1) = \(lambda)")
    }
    #expect(abs(particle.eigenvalues[0] - 4.493409457909064) < 1e-12)
  }

  /// c(R, t) − c0 for a constant flux N out of a sphere at rest (Carslaw & Jaeger §9.3):
  /// −(N·R/D)·[3τ + 1/5 − 2 Σ e^{−λ_k² τ}/λ_k²], τ = D·t/R².
  static func carslawJaegerSurface(flux: Double, radius: Double, diffusivity: Double, time: Double) -> Double {
    let tau = diffusivity * time / (radius * radius)
    var sum = 0.0
    for k in 1...4000 {
      // Roots of tan λ = λ by bisection on (kπ, kπ + π/2), independently of the model's Newton.
      var lo = Double(k) * .pi + 1e-12
      var hi = (Double(k) + 0.5) * .pi - 1e-12
      for _ in 0..<100 {
        let mid = 0.5 * (lo + hi)
        if tan(mid) - mid < 0 { lo = mid } else { hi = mid }
      }
      let lambda = 0.5 * (lo + hi)
      sum += exp(-lambda * lambda * tau) / (lambda * lambda)
    }
    return -(flux * radius / diffusivity) * (3 * tau + 0.2 - 2 * sum)
  }

  @Test("constant flux from rest: the surface concentration follows Carslaw & Jaeger's series")
  func constantFluxSurface() {
    let radius = 5.22e-6
    let d = 4e-15
    let flux = 2e-6  // mol m⁻² s⁻¹ out of the particle
    let c0 = 20_000.0
    let particle = ModalParticle(radius: radius, modeCount: 16)
    // Each state obeys dc/dt = −decay·c + forcing·N: at constant N, c(t) = c(0)e^{−kt} + (forcing·N/k)(1 − e^{−kt}).
    var decay = [Double](repeating: 0, count: particle.stateCount)
    var forcing = decay
    decay.withUnsafeMutableBufferPointer { dk in
      forcing.withUnsafeMutableBufferPointer { fk in particle.flow(diffusivity: d, decay: dk, forcingPerFlux: fk) }
    }
    let scale = flux * radius / d  // concentration scale of the surface drop
    for time in [0.01, 0.1, 1.0, 10, 60, 600, 3600] {
      var state = particle.uniformState(c0)
      for i in state.indices {
        state[i] = decay[i] == 0
          ? state[i] + forcing[i] * flux * time
          : state[i] * exp(-decay[i] * time) + forcing[i] * flux / decay[i] * (1 - exp(-decay[i] * time))
      }
      let surface = state.withUnsafeBufferPointer { particle.surfaceConcentration($0, surfaceGradient: -flux / d) }
      let expected = c0 + Self.carslawJaegerSurface(flux: flux, radius: radius, diffusivity: d, time: time)
      // 16 modes and 9 bins: exact to rounding once the bins have relaxed (gone by 60 s); before,
      // the bins' single rates leave 2.3e-4·s (measured, at 1 s).
      let tolerance = time <= 10 ? 1e-3 * scale : 1e-9 * scale
      #expect(abs(surface - expected) <= tolerance, "t = \(time) s: \(surface) vs \(expected)")
      // The average follows the flux exactly: c̄ = c0 − 3·N·t/R.
      #expect(abs(state[0] - (c0 - 3 * flux * time / radius)) <= 1e-9 * c0)
    }
  }

  @Test("the profile integrates to the average and meets the surface value")
  func profileConsistency() {
    let radius = 1e-5
    let particle = ModalParticle(radius: radius, modeCount: 16)
    var state = particle.uniformState(1000)
    for k in 1...16 { state[k] = 10 / Double(k * k) * (k % 2 == 0 ? 1 : -1) }
    let gradient = -3e8  // mol m⁻⁴
    state.withUnsafeBufferPointer { c in
      let surface = particle.surfaceConcentration(c, surfaceGradient: gradient)
      #expect(abs(particle.concentration(c, at: radius, surfaceGradient: gradient) - surface) < 1e-9 * 1000)
      // Volume average 3∫ρ²c dρ by the midpoint rule on 4000 shells.
      var integral = 0.0
      let shells = 4000
      for i in 0..<shells {
        let rho = (Double(i) + 0.5) / Double(shells)
        integral += 3 * rho * rho * particle.concentration(c, at: rho * radius, surfaceGradient: gradient) / Double(shells)
      }
      #expect(abs(integral - c[0]) < 1e-4, "∫ = \(integral), c̄ = \(c[0])")
    }
  }

  @Test("a particle at rest draws a uniform profile whatever the current (the series remainder is exact)")
  func restingProfileIsUniform() {
    let radius = 5.22e-6
    let particle = ModalParticle(radius: radius, modeCount: 16)
    let state = particle.uniformState(16_650)
    let gradient = -2e-6 / 4e-15  // −N/D for a 1C-like flux
    let s = -gradient * radius
    state.withUnsafeBufferPointer { c in
      for r in particle.profileRadii {
        let value = particle.concentration(c, at: r, surfaceGradient: gradient)
        #expect(abs(value - 16_650) <= 1e-3 * s, "r = \(r): \(value)")
      }
    }
  }
}
