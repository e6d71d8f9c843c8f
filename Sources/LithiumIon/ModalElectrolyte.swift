// CellSim — LithiumIon/ModalElectrolyte.swift
//
// The SPMe's electrolyte transport (`ElectrolyteTransport`'s equation) by a Galerkin expansion in the
// eigenmodes of its linearisation, instead of finite volumes:
//
//     ε ∂c/∂t = ∂/∂x (K(c) ∂c/∂x) + S(x)·i,   K(c) = ε^b·D_e(c, T),   K ∂c/∂x = 0 at x = 0, L
//
// (S = (1 − t₊)/(F·L_n) in the negative electrode, 0 in the separator, −(1 − t₊)/(F·L_p) in the
// positive one [mol m⁻³ s⁻¹ per A m⁻²]; ε, b constant in each region).
//
// Modes. With K₀ = ε^b·D_e(c_e0, T₀) (the cell file's ambient temperature), the Sturm–Liouville
// problem −(K₀ φ′)′ = λ ε φ, φ′ = 0 at both collectors, φ and K₀φ′ continuous at the two interfaces,
// has in region r the solutions φ = A_r cos(ω_r ξ) + B_r sin(ω_r ξ), ξ = x − x_r, ω_r = √(λ ε_r/K₀,r).
// Shooting from A₀ = 1, B₀ = 0 through the interfaces (A_{r+1} = φ(x_{r+1}), B_{r+1} = K₀,r φ′/(K₀,r+1 ω_{r+1}))
// leaves φ′(L) as a function of √λ whose roots are the eigenvalues 0 = λ₀ < λ₁ < λ₂ < …; they are
// bracketed on a grid 64 times finer than their spacing π/Σ L_r √(ε_r/K₀,r) and bisected to
// rounding. Each φ_k is scaled so that ∫ ε φ_j φ_k dx = δ_jk (the integrals in closed form).
//
// Expansion. c = c_e0 + Σ_{k=1..M} a_k φ_k: φ₀ (a constant) carries the mean, which the equation
// conserves (∫ S dx = 0, no flux at the collectors), so it stays c_e0 and is not a state; every
// other mode has ∫ ε φ_k dx = 0, so the electrolyte's lithium ∫ ε c dx = c_e0·∫ ε dx is constant by
// construction. Projecting the equation on φ_k (integrating the flux term by parts):
//
//     da_k/dt = −λ_k a_k − ∫ (K(c) − K₀)·∂c/∂x·φ_k′ dx + s_k·i,   s_k = ∫ S φ_k dx     [mol m⁻³ m^½ s⁻¹]
//
// (a_k in mol m⁻³ m^½: φ_k is in m^−½). The linear part is exact; the rest, the change of D_e with c
// (and with T away from T₀), by Gauss–Legendre quadrature in each region (Q_r points, default 10, 3,
// 10; the integrand is smooth inside a region). The profile the SPMe's voltage reads is c at sample points (`sample`).
//
// The quadrature needs more points per electrode than there are modes: as many alias the nonlinear
// term (its products of modes) and the 2C curve drifts (8 modes on 8 points: 0.26 mV; on 10: 0.12,
// on 12: 0.11 mV from the converged curve).
//
// Why: the modes are the natural basis of this operator. A smooth profile needs few of them: the
// steady profile's coefficients fall off as k⁻³ (the source jumps at the interfaces), so 8 modes
// follow a converged finite-volume solution (100/30/100 cells) to 0.12 mV at 2C, where 32/4/32 cells
// are 0.27 mV off; and the fast modes beyond M, which a BDF would step through after every change
// of current, are not there.

import CellCore
import Foundation

/// Eigenmode (Galerkin) discretisation of the SPMe's electrolyte.
public final class ModalElectrolyte: Sendable {
  /// Number of modes M (states).
  public let modeCount: Int
  /// λ_k [s⁻¹], k = 1…M.
  public let decayRates: [Double]
  /// s_k = ∫ S φ_k dx per unit current density [mol m⁻³ m^½ s⁻¹ per A m⁻²].
  let sourcePerCurrentDensity: [Double]
  /// ∫ ε φ_k dx [m^½] (zero but for rounding), for the lithium in the electrolyte.
  let porousMeans: [Double]
  /// Region starts x_r [m], and per mode and region (A, B, ω) of φ_k.
  let regionStarts: [Double]
  let coefficients: [(a: Double, b: Double, omega: Double)]
  /// Quadrature points (Q of them): φ_k and φ_k′ there, by mode, and by point ([q·M + k]), and
  /// w_q·ε_q^b_q [m].
  let pointCount: Int
  let modeValuesAtPoints: ModeTable
  let modeSlopesAtPoints: ModeTable
  let slopesByPoint: [Double]
  let valuesByPoint: [Double]
  let pointWeights: [Double]
  /// Where the quadrature points are [m].
  public let pointPositions: [Double]
  /// D_e(c_e0, T₀) [m² s⁻¹], c_e0 [mol m⁻³], and D_e as the file gives it (and its factored shape).
  let referenceDiffusivity: Double
  let referenceConcentration: Double
  let referenceTemperature: Double
  let diffusivity: ScalarFunction
  let diffusivityShape: DiffusivityShape?
  let concentrationFloor: Double
  /// Σ ε_r L_r [m].
  public let porousLength: Double

  /// - Parameters:
  ///   - modes: M, the eigenmodes kept (≥ 1).
  ///   - points: Gauss–Legendre points in the negative electrode, separator and positive electrode.
  /// `nil` if the first `modes` eigenvalues are not found where they must lie (within 4(M + 2) spacings
  /// π/Σ L_r √(ε_r/K₀,r)): parameters that are not finite and positive (the SPMe checks them first).
  public init?(parameters p: LithiumIonParameters, modes: Int, points: (Int, Int, Int) = (10, 3, 10)) {
    let ce0 = p.electrolyte.initialConcentration
    let t0 = p.cell.ambientTemperature
    let d0 = p.electrolyte.diffusivity(ce0, t0)
    referenceDiffusivity = d0
    referenceConcentration = ce0
    referenceTemperature = t0
    diffusivity = p.electrolyte.diffusivity
    diffusivityShape = DiffusivityShape(p.electrolyte.diffusivity, referenceConcentration: ce0)
    concentrationFloor = 1e-6 * ce0
    let tPlus = p.electrolyte.transferenceNumber
    let faraday = PhysicalConstants.faraday
    let lengths = [p.negative.thickness, p.separator.thickness, p.positive.thickness]
    let porosities = [p.negative.porosity, p.separator.porosity, p.positive.porosity]
    let efficiencies = [
      pow(p.negative.porosity, p.negative.bruggemanElectrolyte), pow(p.separator.porosity, p.separator.bruggemanElectrolyte),
      pow(p.positive.porosity, p.positive.bruggemanElectrolyte),
    ]
    let sources = [(1 - tPlus) / (faraday * lengths[0]), 0, -(1 - tPlus) / (faraday * lengths[2])]
    let stiffness = efficiencies.map { $0 * d0 }
    let starts = [0, lengths[0], lengths[0] + lengths[1]]
    regionStarts = starts
    porousLength = zip(porosities, lengths).reduce(0) { $0 + $1.0 * $1.1 }
    let m = max(modes, 1)
    modeCount = m

    // ω_r per unit √λ, and the shooting function φ′(L)/ω_2 (same sign as the flux at x = L).
    let speeds = (0..<3).map { (porosities[$0] / stiffness[$0]).squareRoot() }
    func shoot(_ sigma: Double) -> [(a: Double, b: Double, omega: Double)] {
      var a = 1.0
      var b = 0.0
      var out: [(a: Double, b: Double, omega: Double)] = []
      for r in 0..<3 {
        let omega = sigma * speeds[r]
        out.append((a, b, omega))
        let (s, c) = (sin(omega * lengths[r]), cos(omega * lengths[r]))
        let value = a * c + b * s
        let flux = stiffness[r] * omega * (-a * s + b * c)
        if r < 2 {
          a = value
          b = flux / (stiffness[r + 1] * sigma * speeds[r + 1])
        }
      }
      return out
    }
    func endSlope(_ sigma: Double) -> Double {
      let last = shoot(sigma)[2]
      let x = last.omega * lengths[2]
      return -last.a * sin(x) + last.b * cos(x)
    }
    let travel = (0..<3).reduce(0.0) { $0 + lengths[$1] * speeds[$1] }
    let spacing = Double.pi / travel
    let gridStep = spacing / 64
    var roots: [Double] = []
    var low = 0.5 * gridStep
    var gLow = endSlope(low)
    // The k-th root lies near k spacings (the phase √λ·travel grows by π per root, the two interfaces
    // shift it by less than π each): 4(M + 2) spacings bound the scan generously for any finite,
    // positive parameters, and end it for others.
    let scanLimit = 4 * Double(m + 2) * spacing
    guard spacing.isFinite, spacing > 0 else { return nil }
    while roots.count < m {
      if low > scanLimit { return nil }
      let high = low + gridStep
      let gHigh = endSlope(high)
      if gLow == 0 {
        roots.append(low)
      } else if gLow * gHigh < 0 {
        var (a, b, ga) = (low, high, gLow)
        for _ in 0..<200 {
          let mid = 0.5 * (a + b)
          if mid <= a || mid >= b { break }
          let gm = endSlope(mid)
          if gm == 0 {
            (a, b) = (mid, mid)
            break
          }
          if (gm < 0) == (ga < 0) {
            (a, ga) = (mid, gm)
          } else {
            b = mid
          }
        }
        roots.append(0.5 * (a + b))
      }
      (low, gLow) = (high, gHigh)
    }

    var coefficients: [(a: Double, b: Double, omega: Double)] = []
    var decay: [Double] = []
    var sourceProjections: [Double] = []
    var means: [Double] = []
    for sigma in roots {
      let raw = shoot(sigma)
      // ∫ ε (A cos ωξ + B sin ωξ)² dξ and ∫ (A cos ωξ + B sin ωξ) dξ over each region, in closed form.
      var norm = 0.0
      for r in 0..<3 {
        let (a, b, w) = raw[r]
        let l = lengths[r]
        let s2 = sin(2 * w * l) / (4 * w)
        let sinSquared = sin(w * l) * sin(w * l) / (2 * w)
        norm += porosities[r] * (a * a * (l / 2 + s2) + 2 * a * b * sinSquared + b * b * (l / 2 - s2))
      }
      let scale = 1 / norm.squareRoot()
      let mode = raw.map { (a: $0.a * scale, b: $0.b * scale, omega: $0.omega) }
      var projection = 0.0
      var mean = 0.0
      for r in 0..<3 {
        let (a, b, w) = mode[r]
        let l = lengths[r]
        let integral = (a * sin(w * l) + b * (1 - cos(w * l))) / w
        projection += sources[r] * integral
        mean += porosities[r] * integral
      }
      coefficients.append(contentsOf: mode)
      decay.append(sigma * sigma)
      sourceProjections.append(projection)
      means.append(mean)
    }
    self.coefficients = coefficients
    decayRates = decay
    sourcePerCurrentDensity = sourceProjections
    porousMeans = means

    // Gauss–Legendre points of each region.
    var values: [[Double]] = []
    var slopes: [[Double]] = []
    var weights: [Double] = []
    var positions: [Double] = []
    for (r, count) in [points.0, points.1, points.2].enumerated() {
      for (node, weight) in Self.gaussLegendre(max(count, 1)) {
        let xi = 0.5 * (node + 1) * lengths[r]
        weights.append(0.5 * weight * lengths[r] * efficiencies[r])
        positions.append(starts[r] + xi)
        let point = Self.modeValues(coefficients, modes: m, region: r, offset: xi)
        values.append(point.values)
        slopes.append(point.slopes)
      }
    }
    pointCount = weights.count
    modeValuesAtPoints = ModeTable(modes: m, values: values)
    modeSlopesAtPoints = ModeTable(modes: m, values: slopes)
    slopesByPoint = slopes.flatMap { $0 }
    valuesByPoint = values.flatMap { $0 }
    pointWeights = weights
    pointPositions = positions
  }

  /// Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] (Newton on P_n from the
  /// Chebyshev-like first guesses).
  static func gaussLegendre(_ n: Int) -> [(Double, Double)] {
    var out: [(Double, Double)] = []
    for i in 0..<n {
      var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
      var derivative = 1.0
      for _ in 0..<100 {
        var (p0, p1) = (1.0, x)
        if n == 0 { p1 = 1 }
        for k in stride(from: 2, through: n, by: 1) {
          (p0, p1) = (p1, ((2 * Double(k) - 1) * x * p1 - (Double(k) - 1) * p0) / Double(k))
        }
        derivative = Double(n) * (x * p1 - p0) / (x * x - 1)
        let dx = p1 / derivative
        x -= dx
        if abs(dx) < 1e-16 { break }
      }
      out.append((x, 2 / ((1 - x * x) * derivative * derivative)))
    }
    return out.reversed()
  }

  /// φ_k(x) and φ_k′(x) for k = 1…M at x [m] (for sample tables, built once).
  public func modeValues(at x: Double) -> (values: [Double], slopes: [Double]) {
    var r = 2
    while r > 0 && x < regionStarts[r] { r -= 1 }
    return Self.modeValues(coefficients, modes: modeCount, region: r, offset: x - regionStarts[r])
  }

  /// φ_k = A cos(ωξ) + B sin(ωξ) and φ_k′ at ξ [m] into region r.
  static func modeValues(
    _ coefficients: [(a: Double, b: Double, omega: Double)], modes: Int, region r: Int, offset xi: Double
  ) -> (values: [Double], slopes: [Double]) {
    var values: [Double] = []
    var slopes: [Double] = []
    for k in 0..<modes {
      let (a, b, w) = coefficients[3 * k + r]
      values.append(a * cos(w * xi) + b * sin(w * xi))
      slopes.append(w * (-a * sin(w * xi) + b * cos(w * xi)))
    }
    return (values, slopes)
  }

  @inline(__always) func floored(_ c: Double) -> Double { max(c, concentrationFloor) }

  /// D_e(c_e0, T) when D_e is the factored polynomial (taken from the build at T₀), else 0.
  @inline(__always) func diffusivityFactor(_ temperature: Double) -> Double {
    diffusivityShape == nil ? 0 : temperature == referenceTemperature ? referenceDiffusivity
      : diffusivity(referenceConcentration, temperature)
  }

  /// D_e at c floored [m² s⁻¹] and, if asked, dD_e/dc (0 below the floor; from the factored polynomial,
  /// else by a forward difference). `factor`: `diffusivityFactor(T)`.
  @inline(__always)
  func diffusivity(_ c: Double, factor: Double, temperature: Double, withSlope: Bool) -> (value: Double, slope: Double) {
    let scale = 1 / referenceConcentration
    let x = floored(c)
    if let shape = diffusivityShape {
      let slope = withSlope && c >= concentrationFloor ? factor * shape.slope(x * scale) * scale : 0
      return (factor * shape(x * scale), slope)
    }
    let value = diffusivity(x, temperature)
    guard withSlope, c >= concentrationFloor else { return (value, 0) }
    let h = 1e-6 * referenceConcentration
    return (value, (diffusivity(x + h, temperature) - value) / h)
  }

  /// Writes da_k/dt at current density i = I/A [A m⁻²] and temperature T [K].
  ///
  /// The loops run over points for each mode (c, ∂c/∂x: `axpy`s over the points) and over modes for
  /// each point (the projection), so that every inner loop is a vectorisable update, not a sum.
  public func rates(
    _ a: UnsafeBufferPointer<Double>, currentDensity: Double, temperature: Double,
    into out: UnsafeMutableBufferPointer<Double>
  ) {
    let m = modeCount
    let count = pointCount
    let d0 = referenceDiffusivity
    let factor = diffusivityFactor(temperature)
    guard let a = a.baseAddress, let out = out.baseAddress else { return }
    decayRates.withUnsafeBufferPointer { decay in
      sourcePerCurrentDensity.withUnsafeBufferPointer { source in
        for k in 0..<m { out[k] = source[k] * currentDensity - decay[k] * a[k] }
      }
    }
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { buffer in
      guard let c = buffer.baseAddress else { return }
      let gradient = c + count
      modeValuesAtPoints.sample(a, into: c, offset: referenceConcentration)
      modeSlopesAtPoints.sample(a, into: gradient, offset: 0)
      pointWeights.withUnsafeBufferPointer { weights in
        for q in 0..<count {
          let d = diffusivity(c[q], factor: factor, temperature: temperature, withSlope: false).value
          // −∫ (K(c) − K₀) ∂c/∂x φ_k′ dx, this point's weight: kept in `gradient`.
          gradient[q] = weights[q] * (d - d0) * gradient[q]
        }
      }
      // out_k −= Σ_q flux_q·φ_k′(x_q): four modes at a time in registers, the rest one by one.
      slopesByPoint.withUnsafeBufferPointer { slopes in
        guard let base = slopes.baseAddress else { return }
        var k = 0
        while k &+ 4 <= m {
          var sum = SIMD4<Double>(repeating: 0)
          var row = UnsafeRawPointer(base + k)
          for q in 0..<count {
            sum += gradient[q] * row.loadUnaligned(as: SIMD4<Double>.self)
            row += m &* MemoryLayout<Double>.stride
          }
          out[k] -= sum[0]
          out[k &+ 1] -= sum[1]
          out[k &+ 2] -= sum[2]
          out[k &+ 3] -= sum[3]
          k &+= 4
        }
        while k < m {
          var sum = 0.0
          for q in 0..<count { sum += gradient[q] * base[q &* m &+ k] }
          out[k] -= sum
          k &+= 1
        }
      }
    }
  }

  /// ∂(da_k/dt)/∂a_j into `entries[k + j·leadingDimension]` (zeroed on entry):
  ///
  ///     −λ_k δ_kj − Σ_q w_q ε_q^b [(D_e(c_q) − D₀)·φ_j′(x_q) + D_e′(c_q)·∂_x c(x_q)·φ_j(x_q)]·φ_k′(x_q)
  ///
  /// (D_e′ from the factored polynomial, else by a forward difference; 0 below the floor).
  public func jacobian(
    _ a: UnsafeBufferPointer<Double>, currentDensity: Double, temperature: Double,
    into entries: UnsafeMutableBufferPointer<Double>, leadingDimension ld: Int
  ) {
    let m = modeCount
    let count = pointCount
    let d0 = referenceDiffusivity
    let factor = diffusivityFactor(temperature)
    guard let a = a.baseAddress, let out = entries.baseAddress else { return }
    for k in 0..<m { out[k &+ k &* ld] = -decayRates[k] }
    // J = −Φ′ᵀ·W with W_qj = u_q φ_j′(x_q) + v_q φ_j(x_q), u = w ε^b (D_e − D₀), v = w ε^b D_e′ ∂_x c:
    // u and v per point first (in place of c and ∂_x c), then W for a block of points and its share
    // of the product, four columns at a time in registers. Blocks of ≤ 64 numbers keep the scratch
    // under 1 kB, on the stack (a larger temporary allocation goes to the heap).
    let block = max(1, 64 / m)
    withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count + block * m) { buffer in
      guard let u = buffer.baseAddress else { return }
      let v = u + count
      let w = v + count
      modeValuesAtPoints.sample(a, into: u, offset: referenceConcentration)
      modeSlopesAtPoints.sample(a, into: v, offset: 0)
      for q in 0..<count {
        let (d, dd) = diffusivity(u[q], factor: factor, temperature: temperature, withSlope: true)
        u[q] = pointWeights[q] * (d - d0)
        v[q] = pointWeights[q] * dd * v[q]
      }
      valuesByPoint.withUnsafeBufferPointer { values in
        slopesByPoint.withUnsafeBufferPointer { slopes in
          guard let phi = values.baseAddress, let slopeRows = slopes.baseAddress else { return }
          var first = 0
          while first < count {
            let last = min(first &+ block, count)
            for q in first..<last {
              let target = w + (q &- first) &* m
              let row = q &* m
              for j in 0..<m { target[j] = u[q] * slopeRows[row &+ j] + v[q] * phi[row &+ j] }
            }
            for k in 0..<m {
              var j = 0
              while j &+ 4 <= m {
                var sum = SIMD4<Double>(repeating: 0)
                for q in first..<last {
                  let offset = (q &- first) &* m &+ j
                  let weights = UnsafeRawPointer(w + offset).loadUnaligned(as: SIMD4<Double>.self)
                  let slope: Double = slopeRows[q &* m &+ k]
                  sum += slope * weights
                }
                for i in 0..<4 { out[k &+ (j &+ i) &* ld] -= sum[i] }
                j &+= 4
              }
              while j < m {
                var sum = 0.0
                for q in first..<last {
                  let slope: Double = slopeRows[q &* m &+ k]
                  sum += slope * w[(q &- first) &* m &+ j]
                }
                out[k &+ j &* ld] -= sum
                j &+= 1
              }
            }
            first = last
          }
        }
      }
    }
  }

  /// c = c_e0 + Σ a_k φ_k at the points of `table` (built by `table(at:)`).
  @inline(__always)
  public func sample(_ a: UnsafeBufferPointer<Double>, table: ModeTable, into out: UnsafeMutableBufferPointer<Double>) {
    guard let a = a.baseAddress, let out = out.baseAddress else { return }
    table.sample(a, into: out, offset: referenceConcentration)
  }

  /// φ_k at each of `positions` [m], for `sample`.
  public func table(at positions: [Double]) -> ModeTable {
    ModeTable(modes: modeCount, values: positions.map { modeValues(at: $0).values })
  }

  /// Lithium in the electrolyte per unit electrode area, ∫ ε c dx = c_e0·Σ ε_r L_r + Σ a_k ∫ ε φ_k dx [mol m⁻²].
  public func amount(_ a: UnsafeBufferPointer<Double>) -> Double {
    var s = referenceConcentration * porousLength
    for k in 0..<modeCount { s += a[k] * porousMeans[k] }
    return s
  }
}

/// Values of the M modes at N points, stored by mode (the N values of φ_1, then of φ_2, …), for
/// Σ_k a_k φ_k at every point as M vectorisable updates over the points.
public struct ModeTable: Sendable {
  public let modes: Int
  public let count: Int
  let byMode: [Double]

  /// - Parameter values: per point, the M mode values there.
  init(modes: Int, values: [[Double]]) {
    self.modes = modes
    count = values.count
    var byMode = [Double](repeating: 0, count: modes * values.count)
    for (i, point) in values.enumerated() {
      for k in 0..<modes { byMode[k * values.count + i] = point[k] }
    }
    self.byMode = byMode
  }

  /// out_i = offset + Σ_k a_k·φ_k(x_i), i < count: four points at a time in registers (the table is
  /// read once, the output written once), the rest one by one.
  @inline(__always)
  func sample(_ a: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, offset: Double) {
    let n = count
    let m = modes
    byMode.withUnsafeBufferPointer { table in
      guard let base = table.baseAddress else { return }
      var i = 0
      while i &+ 4 <= n {
        var sum = SIMD4<Double>(repeating: offset)
        var row = UnsafeRawPointer(base + i)
        for k in 0..<m {
          sum += a[k] * row.loadUnaligned(as: SIMD4<Double>.self)
          row += n &* MemoryLayout<Double>.stride
        }
        out[i] = sum[0]
        out[i &+ 1] = sum[1]
        out[i &+ 2] = sum[2]
        out[i &+ 3] = sum[3]
        i &+= 4
      }
      while i < n {
        var sum = offset
        for k in 0..<m { sum += a[k] * base[k &* n &+ i] }
        out[i] = sum
        i &+= 1
      }
    }
  }
}
