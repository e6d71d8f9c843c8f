// CellSim — CellCore/ParticleDiffusion.swift
//
// The two ways a model can represent diffusion in a spherical particle, behind one interface:
//
// * `finiteVolumes` (`SphericalParticle`): any D(c, T); states are cell averages.
// * `modes` (`ModalParticle`): D uniform in r (constant, or a function of temperature only); states
//   are the average and the eigenmode amplitudes — exact in space, linear in time, so a step at
//   constant current and temperature has a closed-form solution.

/// Diffusion in one spherical particle, by finite volumes or by eigenmodes.
public indirect enum ParticleDiffusion: Sendable {
  case finiteVolumes(SphericalParticle)
  case modes(ModalParticle)

  /// Number of states.
  public var stateCount: Int {
    switch self {
    case .finiteVolumes(let p): p.cellCount
    case .modes(let p): p.stateCount
    }
  }

  /// Whether the states are eigenmode amplitudes.
  public var isModal: Bool {
    if case .modes = self { return true }
    return false
  }

  /// Where in the particle's states to read a concentration for a concentration-dependent D
  /// (the surface cell; finite volumes only — with modes D does not depend on c).
  public var surfaceSlot: Int {
    switch self {
    case .finiteVolumes(let p): p.surfaceSlot
    case .modes: 0
    }
  }

  /// The states of a particle at a uniform concentration c0 [mol m⁻³].
  public func uniformState(_ c0: Double) -> [Double] {
    switch self {
    case .finiteVolumes(let p): Array(repeating: c0, count: p.cellCount)
    case .modes(let p): p.uniformState(c0)
    }
  }

  /// Volume-average concentration [mol m⁻³].
  @inline(__always) public func averageConcentration(_ c: UnsafeBufferPointer<Double>) -> Double {
    switch self {
    case .finiteVolumes(let p): p.averageConcentration(c)
    case .modes(let p): p.averageConcentration(c)
    }
  }

  /// Surface concentration [mol m⁻³]; `surfaceGradient` = ∂c/∂r at R = −N_R/D [mol m⁻⁴].
  @inline(__always)
  public func surfaceConcentration(_ c: UnsafeBufferPointer<Double>, surfaceGradient: Double) -> Double {
    switch self {
    case .finiteVolumes(let p): p.surfaceConcentration(c, surfaceGradient: surfaceGradient)
    case .modes(let p): p.surfaceConcentration(c, surfaceGradient: surfaceGradient)
    }
  }

  /// Rates of the states for a diffusivity D [m² s⁻¹] uniform in the particle and surface flux N_R
  /// [mol m⁻² s⁻¹].
  @inline(__always)
  public func rates(
    _ c: UnsafeBufferPointer<Double>, diffusivity: Double, surfaceFlux: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    switch self {
    case .finiteVolumes(let p): p.rates(c, diffusivity: diffusivity, surfaceFlux: surfaceFlux, into: out)
    case .modes(let p): p.rates(c, diffusivity: diffusivity, surfaceFlux: surfaceFlux, into: out)
    }
  }

  /// The linear dynamics dc_i/dt = −decay_i·c_i + forcing_i·N_R at diffusivity D, or `false` for
  /// finite volumes (whose dynamics are linear too, but not diagonal).
  public func flow(
    diffusivity: Double, decay: UnsafeMutableBufferPointer<Double>, forcingPerFlux: UnsafeMutableBufferPointer<Double>
  ) -> Bool {
    guard case .modes(let p) = self else { return false }
    p.flow(diffusivity: diffusivity, decay: decay, forcingPerFlux: forcingPerFlux)
    return true
  }

  /// Positions [m] of `profile`'s values, centre to surface.
  public var profilePositions: [Double] {
    switch self {
    case .finiteVolumes(let p): p.centres
    case .modes(let p): p.profileRadii
    }
  }

  /// Concentrations [mol m⁻³] at `profilePositions`, written to `out`.
  public func profile(
    _ c: UnsafeBufferPointer<Double>, surfaceGradient: Double, into out: UnsafeMutableBufferPointer<Double>
  ) {
    switch self {
    case .finiteVolumes(let p):
      for i in 0..<p.cellCount { out[i] = c[p.slot(i)] }
    case .modes(let p):
      for (i, r) in p.profileRadii.enumerated() {
        out[i] = p.concentration(c, at: r, surfaceGradient: surfaceGradient)
      }
    }
  }
}
