// CellSim — Integrators/Jacobian.swift
//
// The Jacobian J = ∂f/∂y (analytic or by finite differences) and the Newton iteration matrix
// A = M − c·J with its LU factorisation (dense or banded LAPACK, through LinearAlgebra).

import LinearAlgebra

/// Storage for J in the layout of its structure, and its finite-difference evaluation.
///
/// Finite differences perturb a group of columns at once: for a banded J with half-bandwidths
/// (kl, ku), columns j and j + w (w = kl + ku + 1) touch disjoint rows, so w residual evaluations give
/// the whole Jacobian instead of n (Curtis–Powell–Reid grouping). Dense J uses w = n.
///
///     J_ij ≈ (f_i(y + δ_j e_j) − f_i(y)) / δ_j,   δ_j = √ε · max(|y_j|, atol_j)
struct JacobianWorkspace {
  let n: Int
  let total: Int
  let structure: JacobianStructure
  let lower: Int
  let upper: Int
  /// Bordered: the number of dense trailing rows and columns (0 otherwise).
  let border: Int
  /// Dense: column-major n×n. Banded: (kl+ku+1)×n, entry (i, j) at (ku + i − j) + j·(kl+ku+1).
  /// Bordered: the layout `DAESystem.analyticJacobian` describes.
  let storage: UnsafeMutablePointer<Double>
  let storageCount: Int
  let perturbed: UnsafeMutablePointer<Double>
  let fPerturbed: UnsafeMutablePointer<Double>
  let steps: UnsafeMutablePointer<Double>
  /// Whether the last evaluation was analytic and of a small dense system (≤ 16 unknowns, the order
  /// up to which `DenseLU` factors in Swift), i.e. about as cheap as one residual.
  var isSmallAnalytic = false

  /// - Parameters:
  ///   - dimension: unknowns in the Newton system (J is dimension × dimension).
  ///   - residualCount: length of the residual vector (≥ dimension; the rest are quadratures).
  init(dimension: Int, residualCount: Int, structure: JacobianStructure) {
    n = dimension
    total = residualCount
    self.structure = structure
    switch structure {
    case .dense:
      lower = max(dimension - 1, 0)
      upper = max(dimension - 1, 0)
      border = 0
      storageCount = max(dimension * dimension, 1)
    case .banded(let kl, let ku):
      lower = kl
      upper = ku
      border = 0
      storageCount = max((kl + ku + 1) * dimension, 1)
    case .bordered(let kl, let ku, let k):
      precondition(k >= 0 && k <= dimension, "bordered Jacobian: border outside 0…dimension")
      lower = kl
      upper = ku
      border = k
      storageCount = max((kl + ku + 1) * (dimension - k) + 2 * dimension * k - k * k, 1)
    }
    storage = .allocate(capacity: storageCount)
    storage.initialize(repeating: 0, count: storageCount)
    perturbed = .allocate(capacity: max(residualCount, 1))
    fPerturbed = .allocate(capacity: max(residualCount, 1))
    steps = .allocate(capacity: max(dimension, 1))
  }

  /// Bordered: the order nb = n − border of the band block.
  var blockDimension: Int { n - border }
  /// Bordered: where the border columns (n × border, column-major) start in `storage`.
  var borderColumnsOffset: Int { (lower + upper + 1) * (n - border) }
  /// Bordered: where the border rows' block part (border × nb, column-major) starts in `storage`.
  var borderRowsOffset: Int { borderColumnsOffset + n * border }

  /// J_ij (zero outside the band).
  @inline(__always) func entry(_ i: Int, _ j: Int) -> Double {
    switch structure {
    case .dense: return storage[i + j * n]
    case .banded:
      if j - i > upper || i - j > lower { return 0 }
      return storage[(upper + i - j) + j * (lower + upper + 1)]
    case .bordered:
      let nb = blockDimension
      if j >= nb { return storage[borderColumnsOffset + i + (j - nb) * n] }
      if i >= nb { return storage[borderRowsOffset + (i - nb) + j * border] }
      if j - i > upper || i - j > lower { return 0 }
      return storage[(upper + i - j) + j * (lower + upper + 1)]
    }
  }

  /// Evaluates J at (t, y): analytically if the system provides it, else by grouped finite differences.
  /// `f0` receives f(t, y).
  mutating func evaluate<System: DAESystem>(
    _ system: System, _ t: Double, _ y: UnsafeMutablePointer<Double>, atol: UnsafeMutablePointer<Double>,
    residualEvaluations: inout Int, f0: UnsafeMutablePointer<Double>
  ) {
    let jac = UnsafeMutableBufferPointer(start: storage, count: storageCount)
    for k in 0..<storageCount { storage[k] = 0 }
    let analytic = system.analyticJacobian(t, UnsafeBufferPointer(start: y, count: total), into: jac)
    isSmallAnalytic = analytic && structure == .dense && n <= 16
    if analytic { return }
    // Rows 0..<n only are read: the quadrature rows (n..<total) may be skipped (`mainResidual`).
    system.mainResidual(
      t, UnsafeBufferPointer(start: y, count: total), into: UnsafeMutableBufferPointer(start: f0, count: total))
    residualEvaluations += 1
    if border > 0 {
      evaluateBordered(system, t, y, atol: atol, residualEvaluations: &residualEvaluations, f0: f0)
      return
    }
    for i in 0..<total { perturbed[i] = y[i] }
    differenceBandColumns(system, t, y, atol: atol, f0: f0, count: n, residualEvaluations: &residualEvaluations) {
      i, j, value in
      switch structure {
      case .dense: storage[i + j * n] = value
      case .banded, .bordered: storage[(upper + i - j) + j * (lower + upper + 1)] = value
      }
    }
  }

  /// Finite differences of the first `count` columns of a band of half-widths (lower, upper), rows
  /// `0..<count`: the columns j, j + w, j + 2w, … (w = lower + upper + 1) touch disjoint rows, so they
  /// are perturbed together, one residual per group; `store(i, j, ∂f_i/∂y_j)` for each entry in the
  /// band. `perturbed` must hold y on entry and holds it again on return.
  @inline(__always)
  func differenceBandColumns<System: DAESystem>(
    _ system: System, _ t: Double, _ y: UnsafeMutablePointer<Double>, atol: UnsafeMutablePointer<Double>,
    f0: UnsafeMutablePointer<Double>, count: Int, residualEvaluations: inout Int, store: (Int, Int, Double) -> Void
  ) {
    let width = lower + upper + 1
    for group in 0..<min(width, count) {
      var j = group
      while j < count {
        let step = 1.4901161193847656e-8 * max(abs(y[j]), atol[j], 1e-300)
        perturbed[j] = y[j] + step
        steps[j] = perturbed[j] - y[j]
        j += width
      }
      system.mainResidual(
        t, UnsafeBufferPointer(start: perturbed, count: total),
        into: UnsafeMutableBufferPointer(start: fPerturbed, count: total))
      residualEvaluations += 1
      j = group
      while j < count {
        let rowStart = max(0, j - upper)
        let rowEnd = min(count - 1, j + lower)
        if rowStart <= rowEnd {
          for i in rowStart...rowEnd { store(i, j, (fPerturbed[i] - f0[i]) / steps[j]) }
        }
        perturbed[j] = y[j]
        j += width
      }
    }
  }

  /// Finite differences of a bordered J. With the border rows from the system (`DAESystem.borderRows`):
  /// the block's columns in groups of every (kl+ku+1)-th, as for a band, then the border columns one
  /// by one. Without: one column at a time (a column of the block, perturbed with others, would mix
  /// their entries in the border rows).
  func evaluateBordered<System: DAESystem>(
    _ system: System, _ t: Double, _ y: UnsafeMutablePointer<Double>, atol: UnsafeMutablePointer<Double>,
    residualEvaluations: inout Int, f0: UnsafeMutablePointer<Double>
  ) {
    let nb = blockDimension
    let width = lower + upper + 1
    let columns = storage + borderColumnsOffset
    let rows = storage + borderRowsOffset
    for i in 0..<total { perturbed[i] = y[i] }
    let grouped = system.borderRows(
      t, UnsafeBufferPointer(start: y, count: total), into: UnsafeMutableBufferPointer(start: rows, count: border * nb))
    if grouped {
      differenceBandColumns(system, t, y, atol: atol, f0: f0, count: nb, residualEvaluations: &residualEvaluations) {
        i, j, value in storage[(upper + i - j) + j * width] = value
      }
    }
    for j in (grouped ? nb : 0)..<n {
      let step = 1.4901161193847656e-8 * max(abs(y[j]), atol[j], 1e-300)
      perturbed[j] = y[j] + step
      let h = perturbed[j] - y[j]
      system.mainResidual(
        t, UnsafeBufferPointer(start: perturbed, count: total),
        into: UnsafeMutableBufferPointer(start: fPerturbed, count: total))
      residualEvaluations += 1
      perturbed[j] = y[j]
      if j >= nb {
        let column = columns + (j - nb) * n
        for i in 0..<n { column[i] = (fPerturbed[i] - f0[i]) / h }
        continue
      }
      let rowStart = max(0, j - upper)
      let rowEnd = min(nb - 1, j + lower)
      if rowStart <= rowEnd {
        for i in rowStart...rowEnd { storage[(upper + i - j) + j * width] = (fPerturbed[i] - f0[i]) / h }
      }
      for r in 0..<border { rows[r + j * border] = (fPerturbed[nb + r] - f0[nb + r]) / h }
    }
  }
}

/// The Newton iteration matrix A = M − c·J, factorised as its structure says (dense `dgetrf`, band
/// LU, or bordered block elimination). All workspaces are stored inline (the unused ones empty) so
/// that filling and factoring mutate them in place, without copy-on-write allocations.
struct IterationMatrix {
  enum Kind { case dense, banded, bordered }
  let n: Int
  let kind: Kind
  var dense: DenseLU
  var banded: BandedLU
  var bordered: BorderedLU

  init(dimension: Int, structure: JacobianStructure) {
    n = dimension
    switch structure {
    case .dense:
      kind = .dense
      dense = DenseLU(dimension: dimension)
      banded = BandedLU(dimension: 0, lower: 0, upper: 0)
      bordered = BorderedLU(dimension: 0, lower: 0, upper: 0, border: 0)
    case .banded(let kl, let ku):
      kind = .banded
      dense = DenseLU(dimension: 0)
      banded = BandedLU(dimension: dimension, lower: kl, upper: ku)
      bordered = BorderedLU(dimension: 0, lower: 0, upper: 0, border: 0)
    case .bordered(let kl, let ku, let k):
      kind = .bordered
      dense = DenseLU(dimension: 0)
      banded = BandedLU(dimension: 0, lower: 0, upper: 0)
      bordered = BorderedLU(dimension: dimension, lower: kl, upper: ku, border: k)
    }
  }

  /// Writes the band of M − c·J (J in `source`, band layout of width kl + ku + 1, order n) into LAPACK
  /// band storage (leading dimension `ldab`).
  ///
  /// dgbtrf reads rows kl … 2kl+ku of the storage and sets the top kl (fill-in) itself, so each
  /// column's window of kl + ku + 1 rows is written here (zero outside the matrix) instead of zeroing
  /// the whole storage first.
  @inline(__always)
  static func fillBand(
    _ storage: UnsafeMutablePointer<Double>, ldab: Int, n: Int, kl: Int, ku: Int, c: Double,
    mass: UnsafeMutablePointer<Double>, source: UnsafeMutablePointer<Double>
  ) {
    // LAPACK band storage: A[i, j] at (kl + ku + i − j) + j·ldab; J[i, j] at (ku + i − j) + j·(kl+ku+1).
    let width = kl + ku + 1
    for j in 0..<n {
      let target = storage + (kl &+ j &* ldab)  // target[ku + i − j] = A[i, j]
      let origin = source + j &* width  // origin[ku + i − j] = J[i, j]
      let first = ku &+ max(0, j &- ku) &- j
      let last = ku &+ min(n &- 1, j &+ kl) &- j
      for r in 0..<width { target[r] = r < first || r > last ? 0 : -c * origin[r] }
      target[ku] += mass[j]
    }
  }

  /// Forms A = M − c·J from `jacobian` and factors it.
  mutating func factor(c: Double, mass: UnsafeMutablePointer<Double>, jacobian: JacobianWorkspace)
    throws(LinearAlgebraError)
  {
    let n = self.n
    let source = jacobian.storage
    switch kind {
    case .banded:
      let kl = jacobian.lower
      let ku = jacobian.upper
      try banded.factor { a in
        guard let storage = a.storage.baseAddress else { return }
        Self.fillBand(storage, ldab: a.leadingDimension, n: n, kl: kl, ku: ku, c: c, mass: mass, source: source)
      }
    case .bordered:
      let kl = jacobian.lower
      let ku = jacobian.upper
      let k = jacobian.border
      let nb = n - k
      let jColumns = source + jacobian.borderColumnsOffset
      let jRows = source + jacobian.borderRowsOffset
      try bordered.factor { a in
        if let storage = a.block.storage.baseAddress {
          Self.fillBand(
            storage, ldab: a.block.leadingDimension, n: nb, kl: kl, ku: ku, c: c, mass: mass, source: source)
        }
        for col in 0..<k {
          let jc = jColumns + col * n
          for i in 0..<nb { a.columns[i + col * nb] = -c * jc[i] }
          for r in 0..<k { a.corner[r + col * k] = -c * jc[nb + r] }
          a.corner[col + col * k] += mass[nb + col]
        }
        for index in 0..<(k * nb) { a.rows[index] = -c * jRows[index] }
      }
    case .dense:
      try dense.factor { a in
        let ld = a.leadingDimension
        for j in 0..<n {
          for i in 0..<n { a.elements[i + j * ld] = -c * source[i + j * n] }
          a.elements[j + j * ld] += mass[j]
        }
      }
    }
  }

  /// Fills the dense matrix entry by entry (column-major, leading dimension given) before `factorDense`.
  mutating func fillDense(_ body: (UnsafeMutableBufferPointer<Double>, Int) -> Void) {
    dense.withMatrix { view in body(view.elements, view.leadingDimension) }
  }

  mutating func factorDense() throws(LinearAlgebraError) { try dense.factor() }

  /// Solves A·x = b in place (b of length n). `mutating` although it changes nothing: the caller's
  /// matrix is then accessed in place, where a non-mutating call on a class's stored property copies
  /// the struct (a retain and release of each of its workspaces' buffers per Newton iteration).
  mutating func solve(_ b: UnsafeMutablePointer<Double>) {
    let buffer = UnsafeMutableBufferPointer(start: b, count: n)
    switch kind {
    case .banded: try? banded.solve(buffer)
    case .bordered: try? bordered.solve(buffer)
    case .dense: try? dense.solve(buffer)
    }
  }
}
