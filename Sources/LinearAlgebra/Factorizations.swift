// CellSim — LinearAlgebra/Factorizations.swift
//
// Reusable LU factorisations for the Newton iterations of stiff integrators: the workspace is
// allocated once, then the caller repeatedly fills the matrix in place, factors it and solves
// any number of right-hand sides in place — with no heap allocation per fill, factor or solve.
//
// Typical use (the iteration matrix M = I − h·γ·J of an implicit method):
//
//     var lu = BandedLU(dimension: n, lower: 2, upper: 3)    // once, per integrator
//     …
//     try lu.factor { m in                                   // per Jacobian update
//       m.zero()
//       for (i, j, value) in entries { m[i, j] = value }
//     }
//     try lu.solve(&residual)                                // per Newton step, in place
//
// Each factorisation is a value type built from Swift arrays, so it is `Sendable` without any
// unchecked conformance. Its buffers are copy-on-write: keep one factorisation per integrator
// (copying one and mutating either copy allocates fresh storage for the mutated copy).
//
// NaN/Inf are not scanned for (LAPACKE's `_work` entry points are used, which skip LAPACKE's
// O(n²) NaN check); they propagate into the solution, which the integrator's error control sees.

internal import CLinearAlgebra

// MARK: - Views

/// A mutable window onto the `n × n` column-major matrix storage of a ``DenseLU``, with leading
/// dimension `n`: `A[i, j]` is `elements[i + j · n]`.
///
/// A view is only valid inside the closure it is passed to (``DenseLU/withMatrix(_:)`` or
/// ``DenseLU/factor(_:)``); do not let it escape.
public struct DenseMatrixView {
  /// The storage, column-major, `dimension²` values.
  public let elements: UnsafeMutableBufferPointer<Double>
  /// The order `n` of the matrix.
  public let dimension: Int
  /// The leading dimension (column stride) of ``elements``, equal to `n`.
  public var leadingDimension: Int { dimension }

  /// The entry `A[row, column]` (0-based). Indices are checked in debug builds only.
  @inline(__always)
  public subscript(row: Int, column: Int) -> Double {
    get {
      assert(row >= 0 && row < dimension && column >= 0 && column < dimension, "index out of range")
      return elements[row + column * dimension]
    }
    nonmutating set {
      assert(row >= 0 && row < dimension && column >= 0 && column < dimension, "index out of range")
      elements[row + column * dimension] = newValue
    }
  }

  /// Sets every entry to zero.
  public func zero() { elements.update(repeating: 0) }
}

/// A mutable window onto the band storage of a ``BandedLU`` (LAPACK `dgbtrf` layout, leading
/// dimension `ldab = 2·kl + ku + 1`, `A[i, j]` at `(kl + ku + i − j) + j · ldab`).
///
/// Only valid inside the closure it is passed to (``BandedLU/withMatrix(_:)`` or
/// ``BandedLU/factor(_:)``); do not let it escape.
public struct BandedMatrixView {
  /// The raw band storage, `ldab · n` values.
  public let storage: UnsafeMutableBufferPointer<Double>
  let layout: BandLayout

  /// The order `n` of the matrix.
  public var dimension: Int { layout.dimension }
  /// The number of sub-diagonals `kl`.
  public var lower: Int { layout.lower }
  /// The number of super-diagonals `ku`.
  public var upper: Int { layout.upper }
  /// The leading dimension `ldab = 2·kl + ku + 1` of ``storage``.
  public var leadingDimension: Int { layout.leadingDimension }

  /// Whether `A[row, column]` lies inside the matrix and the band.
  @inline(__always)
  public func isInBand(row: Int, column: Int) -> Bool { layout.contains(row: row, column: column) }

  /// The index of `A[row, column]` in ``storage``.
  ///
  /// - Precondition: the entry is inside the band.
  @inline(__always)
  public func index(row: Int, column: Int) -> Int { layout.index(row: row, column: column) }

  /// The entry `A[row, column]`. Reading outside the band returns `0`; writing outside the band
  /// traps (precondition failure) — it is a programmer error.
  @inline(__always)
  public subscript(row: Int, column: Int) -> Double {
    get {
      layout.contains(row: row, column: column)
        ? storage[layout.index(row: row, column: column)] : 0
    }
    nonmutating set { storage[layout.index(row: row, column: column)] = newValue }
  }

  /// Sets every stored value (band and fill-in workspace) to zero.
  public func zero() { storage.update(repeating: 0) }
}

/// A mutable window onto the three diagonals of a ``TridiagonalLU``.
///
/// Only valid inside the closure it is passed to (``TridiagonalLU/withMatrix(_:)`` or
/// ``TridiagonalLU/factor(_:)``); do not let it escape.
public struct TridiagonalMatrixView {
  /// The sub-diagonal, `n − 1` values: `lower[i] = A[i + 1, i]`.
  public let lower: UnsafeMutableBufferPointer<Double>
  /// The main diagonal, `n` values: `diagonal[i] = A[i, i]`.
  public let diagonal: UnsafeMutableBufferPointer<Double>
  /// The super-diagonal, `n − 1` values: `upper[i] = A[i, i + 1]`.
  public let upper: UnsafeMutableBufferPointer<Double>

  /// The order `n` of the matrix.
  public var dimension: Int { diagonal.count }

  /// The entry `A[row, column]`. Reading outside the three diagonals returns `0`; writing there
  /// traps (precondition failure) — it is a programmer error.
  public subscript(row: Int, column: Int) -> Double {
    get {
      switch column - row {
      case 0: diagonal[row]
      case 1: upper[row]
      case -1: lower[column]
      default: 0
      }
    }
    nonmutating set {
      switch column - row {
      case 0: diagonal[row] = newValue
      case 1: upper[row] = newValue
      case -1: lower[column] = newValue
      default: preconditionFailure("(\(row), \(column)) is outside the tridiagonal band")
      }
    }
  }

  /// Sets every entry to zero.
  public func zero() {
    lower.update(repeating: 0)
    diagonal.update(repeating: 0)
    upper.update(repeating: 0)
  }
}

// MARK: - Dense

/// A reusable LU factorisation with partial pivoting, `P · A = L · U`, of a dense `n × n`
/// matrix, for repeated fill–factor–solve cycles without heap allocation.
///
/// Storage (`n²` values and `n` pivots) is allocated once in ``init(dimension:)``. The matrix
/// is written in place (``withMatrix(_:)``, ``factor(_:)``, the subscript, or
/// ``factor(copying:)``), factored in place by ``factor()``, after which ``solve(_:rightHandSides:)``
/// overwrites any number of right-hand sides with solutions. After factoring, the storage holds
/// `L` and `U`, not `A`: refill every entry (e.g. ``zero()`` then the nonzeros) before the next
/// factorisation.
///
/// The corresponding LAPACK routines are `dgetrf` (factor) and `dgetrs` (solve).
public struct DenseLU: Sendable {
  /// The order `n` of the matrix.
  public let dimension: Int
  /// `A` (column-major, leading dimension `n`) before ``factor()``, `L\U` after.
  private var matrix: [Double]
  /// LAPACK's 1-based row interchanges.
  private var pivots: [Int32]
  /// Whether the storage holds a successful factorisation, so that solves are allowed. Any
  /// write access to the matrix resets it.
  public private(set) var isFactored = false

  /// Allocates the workspace for an `n × n` matrix, initialised to zero.
  ///
  /// - Precondition: `dimension ≥ 0`.
  public init(dimension: Int) {
    precondition(dimension >= 0, "DenseLU: negative dimension")
    self.dimension = dimension
    matrix = Array(repeating: 0, count: dimension * dimension)
    pivots = Array(repeating: 0, count: dimension)
  }

  /// The leading dimension (column stride) of the matrix storage, equal to `n`.
  public var leadingDimension: Int { dimension }

  /// Gives `body` in-place, allocation-free write access to the column-major matrix storage.
  /// Marks the factorisation as stale.
  public mutating func withMatrix<R, E: Error>(
    _ body: (DenseMatrixView) throws(E) -> R
  ) throws(E) -> R {
    isFactored = false
    let n = dimension
    return try matrix.withUnsafeMutableBufferPointer { (p) throws(E) -> R in
      try body(DenseMatrixView(elements: p, dimension: n))
    }
  }

  /// The stored entry `[row, column]`: `A` before ``factor()``, the packed `L\U` after.
  /// Setting marks the factorisation as stale.
  ///
  /// - Precondition: `0 ≤ row, column < n`.
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < dimension && column >= 0 && column < dimension)
      return matrix[row + column * dimension]
    }
    set {
      precondition(row >= 0 && row < dimension && column >= 0 && column < dimension)
      isFactored = false
      matrix[row + column * dimension] = newValue
    }
  }

  /// Sets every matrix entry to zero (marks the factorisation as stale).
  public mutating func zero() { withMatrix { $0.zero() } }

  /// Factors the matrix currently in storage, in place.
  ///
  /// The corresponding LAPACK routine is `dgetrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if `U` has an exactly zero pivot; the
  ///   factorisation is then unusable (``isFactored`` is `false`) and the matrix must be refilled.
  public mutating func factor() throws(LinearAlgebraError) {
    isFactored = false
    let n = Lapack.int(dimension)
    guard n > 0 else {
      isFactored = true
      return
    }
    if dimension <= Self.smallDimension {
      try factorSmall()
      isFactored = true
      return
    }
    let info = matrix.withUnsafeMutableBufferPointer { a in
      pivots.withUnsafeMutableBufferPointer { ip in
        LAPACKE_dgetrf_work(Lapack.columnMajor, n, n, a.baseAddress, n, ip.baseAddress)
      }
    }
    try Lapack.check(info)
    isFactored = true
  }

  /// Fills the matrix in place with `fill`, then factors it: the allocation-free
  /// `withMatrix(fill)` followed by ``factor()``. The view passed to `fill` still holds the
  /// previous contents (call `zero()` on it first when filling only nonzeros).
  ///
  /// The corresponding LAPACK routine is `dgetrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if the filled matrix is exactly singular.
  public mutating func factor(_ fill: (DenseMatrixView) -> Void) throws(LinearAlgebraError) {
    withMatrix(fill)
    try factor()
  }

  /// Copies `a` into the workspace (no allocation) and factors it.
  ///
  /// The corresponding LAPACK routine is `dgetrf`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `a` is not
  ///   `n × n`; ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
  public mutating func factor(copying a: DenseMatrix) throws(LinearAlgebraError) {
    try Lapack.require(a.rows, equals: dimension)
    try Lapack.require(a.columns, equals: dimension)
    withMatrix { view in
      a.elements.withUnsafeBufferPointer { source in
        _ = view.elements.update(fromContentsOf: source)
      }
    }
    try factor()
  }

  /// Solves `A · X = B` in place with the current factorisation: on entry `b` holds the
  /// right-hand sides (column-major, `n × rightHandSides`), on return the solutions.
  ///
  /// The corresponding LAPACK routine is `dgetrs`.
  ///
  /// - Parameters:
  ///   - b: `n · rightHandSides` values, overwritten with `X = A⁻¹ · B`.
  ///   - rightHandSides: the number of columns `k` of `B` (default 1).
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(
    _ b: UnsafeMutableBufferPointer<Double>, rightHandSides: Int = 1
  ) throws(LinearAlgebraError) {
    precondition(isFactored, "DenseLU.solve: no valid factorisation (call factor() first)")
    try Lapack.require(b.count, equals: dimension * rightHandSides)
    let n = Lapack.int(dimension)
    guard n > 0, rightHandSides > 0 else { return }
    if dimension <= Self.smallDimension {
      for column in 0..<rightHandSides { solveSmall(b.baseAddress! + column * dimension) }
      return
    }
    let info = matrix.withUnsafeBufferPointer { a in
      pivots.withUnsafeBufferPointer { ip in
        LAPACKE_dgetrs_work(
          Lapack.columnMajor, Lapack.noTranspose, n, Lapack.int(rightHandSides), a.baseAddress, n,
          ip.baseAddress, b.baseAddress, n)
      }
    }
    try Lapack.check(info)
  }

  // MARK: Small matrices

  /// Up to this order the factorisation and solves run here, not in LAPACK: the same algorithm as
  /// LAPACK's unblocked `dgetf2` (partial pivoting by the largest |entry| of each column, row
  /// interchanges recorded 1-based in `pivots`, L unit lower, U upper) and `dgetrs`, without the
  /// per-call and per-column overhead of the library, which dominates at this size (a Li-S cell's
  /// ~8 unknowns: ~6 k instructions per solve through OpenBLAS).
  static let smallDimension = 16

  /// `dgetf2`: right-looking elimination with partial pivoting.
  private mutating func factorSmall() throws(LinearAlgebraError) {
    let n = dimension
    var zeroPivot: Int?
    matrix.withUnsafeMutableBufferPointer { buffer in
      pivots.withUnsafeMutableBufferPointer { ip in
        let a = buffer.baseAddress!
        for k in 0..<n {
          var p = k
          var largest = abs(a[k + k * n])
          for i in (k + 1)..<n where abs(a[i + k * n]) > largest {
            largest = abs(a[i + k * n])
            p = i
          }
          ip[k] = Int32(p + 1)
          if largest == 0 {
            zeroPivot = k
            return
          }
          if p != k {
            for j in 0..<n { swap(&a[k + j * n], &a[p + j * n]) }
          }
          let inverse = 1 / a[k + k * n]
          for i in (k + 1)..<n { a[i + k * n] *= inverse }
          for j in (k + 1)..<n {
            let factor = a[k + j * n]
            if factor == 0 { continue }
            for i in (k + 1)..<n { a[i + j * n] -= a[i + k * n] * factor }
          }
        }
      }
    }
    if let zeroPivot { throw .singular(pivot: zeroPivot) }
  }

  /// `dgetrs` for one right-hand side: interchanges, L y = P b, U x = y.
  private func solveSmall(_ b: UnsafeMutablePointer<Double>) {
    let n = dimension
    matrix.withUnsafeBufferPointer { buffer in
      pivots.withUnsafeBufferPointer { ip in
        let a = buffer.baseAddress!
        for k in 0..<n {
          let p = Int(ip[k]) - 1
          if p != k { swap(&b[k], &b[p]) }
        }
        for j in 0..<n {
          let bj = b[j]
          if bj == 0 { continue }
          for i in (j + 1)..<n { b[i] -= a[i + j * n] * bj }
        }
        for j in stride(from: n - 1, through: 0, by: -1) {
          b[j] /= a[j + j * n]
          let bj = b[j]
          for i in 0..<j { b[i] -= a[i + j * n] * bj }
        }
      }
    }
  }

  /// Solves `A · X = B` in place for right-hand sides stored in an array (column-major,
  /// `n × rightHandSides`); allocation-free when `b` is uniquely referenced.
  ///
  /// The corresponding LAPACK routine is `dgetrs`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(_ b: inout [Double], rightHandSides: Int = 1) throws(LinearAlgebraError) {
    try b.withUnsafeMutableBufferPointer { (p) throws(LinearAlgebraError) in
      try solve(p, rightHandSides: rightHandSides)
    }
  }
}

// MARK: - Banded

/// A reusable LU factorisation with partial pivoting of an `n × n` band matrix with `lower`
/// (kl) sub-diagonals and `upper` (ku) super-diagonals, for repeated fill–factor–solve cycles
/// without heap allocation. `U` has bandwidth `kl + ku`; cost is `O(n · kl · (kl + ku))` per
/// factorisation and `O(n · (2·kl + ku))` per solve.
///
/// Storage is LAPACK's band layout (leading dimension `ldab = 2·kl + ku + 1`, `A[i, j]` at
/// ``index(row:column:)`` = `(kl + ku + i − j) + j · ldab`), allocated once. Write entries in
/// place through ``withMatrix(_:)``/``factor(_:)`` (a ``BandedMatrixView``), the subscript, or
/// ``factor(copying:)``; then ``factor()``; then ``solve(_:rightHandSides:)`` as often as
/// needed. Factoring overwrites the band with `L` and `U`: refill every band entry (e.g.
/// ``zero()`` first) before the next factorisation.
///
/// The corresponding LAPACK routines are `dgbtrf` (factor) and `dgbtrs` (solve).
public struct BandedLU: Sendable {
  let layout: BandLayout
  /// Band storage: `A` before ``factor()``, `L` and `U` after.
  private var storage: [Double]
  /// LAPACK's 1-based row interchanges.
  private var pivots: [Int32]
  /// Whether the storage holds a successful factorisation. Any write access resets it.
  public private(set) var isFactored = false

  /// The order `n` of the matrix.
  public var dimension: Int { layout.dimension }
  /// The number of sub-diagonals `kl`.
  public var lower: Int { layout.lower }
  /// The number of super-diagonals `ku`.
  public var upper: Int { layout.upper }
  /// The leading dimension `ldab = 2·kl + ku + 1` of the band storage.
  public var leadingDimension: Int { layout.leadingDimension }

  /// Allocates the band workspace for an `n × n` matrix with `lower` sub-diagonals and `upper`
  /// super-diagonals, initialised to zero.
  ///
  /// - Precondition: all arguments are non-negative.
  public init(dimension: Int, lower: Int, upper: Int) {
    layout = BandLayout(dimension: dimension, lower: lower, upper: upper)
    storage = Array(repeating: 0, count: layout.storageCount)
    pivots = Array(repeating: 0, count: dimension)
  }

  /// Whether `A[row, column]` lies inside the matrix and the band.
  public func isInBand(row: Int, column: Int) -> Bool { layout.contains(row: row, column: column) }

  /// The index of `A[row, column]` in the band storage handed out by ``withMatrix(_:)``:
  /// `(kl + ku + row − column) + column · ldab`.
  ///
  /// - Precondition: the entry is inside the band.
  public func index(row: Int, column: Int) -> Int { layout.index(row: row, column: column) }

  /// Gives `body` in-place, allocation-free write access to the band storage. Marks the
  /// factorisation as stale.
  public mutating func withMatrix<R, E: Error>(
    _ body: (BandedMatrixView) throws(E) -> R
  ) throws(E) -> R {
    isFactored = false
    let layout = layout
    return try storage.withUnsafeMutableBufferPointer { (p) throws(E) -> R in
      try body(BandedMatrixView(storage: p, layout: layout))
    }
  }

  /// The stored entry `[row, column]`: `A` before ``factor()``, the factors after. Reading
  /// outside the band returns `0`; setting outside the band traps (programmer error). Setting
  /// marks the factorisation as stale.
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < dimension && column >= 0 && column < dimension)
      return layout.contains(row: row, column: column)
        ? storage[layout.index(row: row, column: column)] : 0
    }
    set {
      isFactored = false
      storage[layout.index(row: row, column: column)] = newValue
    }
  }

  /// Sets the whole band storage to zero (marks the factorisation as stale).
  public mutating func zero() { withMatrix { $0.zero() } }

  /// Factors the band matrix currently in storage, in place.
  ///
  /// The corresponding LAPACK routine is `dgbtrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if `U` has an exactly zero pivot; the
  ///   factorisation is then unusable and the matrix must be refilled.
  public mutating func factor() throws(LinearAlgebraError) {
    isFactored = false
    let n = Lapack.int(dimension)
    guard n > 0 else {
      isFactored = true
      return
    }
    if lower < Self.unblockedLimit {
      let (count, kl, ku, ldab) = (dimension, lower, upper, leadingDimension)
      let info = storage.withUnsafeMutableBufferPointer { ab in
        pivots.withUnsafeMutableBufferPointer { ip in
          Self.unblockedFactor(ab.baseAddress!, ip.baseAddress!, count, kl, ku, ldab)
        }
      }
      try Lapack.check(info)
      isFactored = true
      return
    }
    let (kl, ku, ldab) = (Lapack.int(lower), Lapack.int(upper), Lapack.int(leadingDimension))
    let info = storage.withUnsafeMutableBufferPointer { ab in
      pivots.withUnsafeMutableBufferPointer { ip in
        LAPACKE_dgbtrf_work(Lapack.columnMajor, n, n, kl, ku, ab.baseAddress, ldab, ip.baseAddress)
      }
    }
    try Lapack.check(info)
    isFactored = true
  }

  /// Below this many sub-diagonals `factor()` runs `unblockedFactor` (LAPACK's `dgbtrf` itself runs
  /// its unblocked `dgbtf2` when its block size, 32, exceeds kl).
  static var unblockedLimit: Int { 32 }

  /// LAPACK's `dgbtf2` (unblocked band LU with partial pivoting: the same operations in the same
  /// order, so the same pivots and, up to OpenBLAS's fused multiply-adds, the same factors), written
  /// out: for the narrow bands of cell models (n ≈ 150, kl + ku ≈ 6) OpenBLAS spends most of
  /// `dgbtf2`'s time in the per-column calls of `idamax`, `dswap`, `dscal` and `dger` (~100 k
  /// instructions per factorisation against ~40 k here). 0-based, A[i, j] at kv + i − j + j·ldab
  /// (kv = kl + ku), pivots 1-based as LAPACK's. For each column j:
  ///
  ///     p = argmax_{j ≤ i ≤ j+km} |A[i, j]|   (the first one; km = min(kl, n−1−j)),  ipiv_j = p + 1
  ///     ju = max(ju, min(p + ku, n − 1));   swap rows j and p in columns j … ju
  ///     A[i, j] /= A[j, j]                                 (i = j+1 … j+km: the multipliers L_ij)
  ///     A[i, k] −= A[i, j]·A[j, k]                         (i = j+1 … j+km, k = j+1 … ju)
  ///
  /// Returns LAPACK's info: 0, or k + 1 for the first exactly zero pivot U_kk (the factorisation is
  /// then completed as far as it goes, as LAPACK does).
  @inline(never)
  static func unblockedFactor(
    _ ab: UnsafeMutablePointer<Double>, _ ipiv: UnsafeMutablePointer<Int32>, _ n: Int, _ kl: Int, _ ku: Int,
    _ ldab: Int
  ) -> Int32 {
    let kv = kl &+ ku
    var info: Int32 = 0
    // The fill-in rows (the top kl of the storage) start at zero in columns ku+1 … kv−1.
    if kv > ku &+ 1 {
      var j = ku &+ 1
      while j < min(kv, n) {
        var i = kv &- j
        while i < kl {
          ab[i &+ j &* ldab] = 0
          i &+= 1
        }
        j &+= 1
      }
    }
    // dgbtf2 zeroes the fill-in rows of column j + kv at step j; no earlier step reaches that column
    // (step j' updates columns up to j' + kv), so zeroing them all first is the same. By rows, with
    // stride ldab: a loop of kl stores per column becomes a call of memset each, ~150 instructions.
    for i in 0..<kl {
      var entry = ab + (i &+ kv &* ldab)
      for _ in min(kv, n)..<n {
        entry.pointee = 0
        entry += ldab
      }
    }
    var ju = 0
    let stride = ldab &- 1  // from A[i, k] to A[i, k+1]
    for j in 0..<n {
      let km = min(kl, n &- 1 &- j)
      let diagonal = ab + (kv &+ j &* ldab)  // diagonal[i] = A[j+i, j]
      var p = 0
      var largest = abs(diagonal[0])
      var i = 1
      while i <= km {
        let value = abs(diagonal[i])
        if value > largest {
          largest = value
          p = i
        }
        i &+= 1
      }
      ipiv[j] = Int32(truncatingIfNeeded: j &+ p &+ 1)
      if diagonal[p] != 0 {
        ju = max(ju, min(j &+ ku &+ p, n &- 1))
        if p != 0 {
          var a = diagonal + p
          var b = diagonal
          for _ in 0...(ju &- j) {
            let swap = a.pointee
            a.pointee = b.pointee
            b.pointee = swap
            a += stride
            b += stride
          }
        }
        if km > 0 {
          let inverse = 1 / diagonal[0]
          for i in 1...km { diagonal[i] *= inverse }
          if ju > j {
            var target = diagonal + stride  // target[i] = A[j+i, k] for column k = j+1, …
            for _ in (j &+ 1)...ju {
              let u = target[0]
              if u != 0 {
                for i in 1...km { target[i] -= diagonal[i] * u }
              }
              target += stride
            }
          }
        }
      } else if info == 0 {
        info = Int32(truncatingIfNeeded: j &+ 1)
      }
    }
    return info
  }

  /// Fills the band in place with `fill`, then factors it. The view passed to `fill` still
  /// holds the previous contents (call `zero()` on it first when filling only nonzeros).
  ///
  /// The corresponding LAPACK routine is `dgbtrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if the filled matrix is exactly singular.
  public mutating func factor(_ fill: (BandedMatrixView) -> Void) throws(LinearAlgebraError) {
    withMatrix(fill)
    try factor()
  }

  /// Copies `a` into the workspace (no allocation) and factors it. `a` may have a narrower band
  /// than this workspace.
  ///
  /// The corresponding LAPACK routine is `dgbtrf`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `a.dimension ≠ n`
  ///   (expected `n`), `a.lower > lower` (expected `lower`) or `a.upper > upper` (expected
  ///   `upper`); ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
  public mutating func factor(copying a: BandedMatrix) throws(LinearAlgebraError) {
    try Lapack.require(a.dimension, equals: dimension)
    if a.lower > lower { throw .dimensionMismatch(expected: lower, actual: a.lower) }
    if a.upper > upper { throw .dimensionMismatch(expected: upper, actual: a.upper) }
    withMatrix { view in
      a.storage.withUnsafeBufferPointer { source in
        if a.layout == view.layout {
          _ = view.storage.update(fromContentsOf: source)
        } else {
          view.zero()
          for j in 0..<a.dimension {
            for i in a.layout.rowRange(column: j) {
              view.storage[view.layout.index(row: i, column: j)] =
                source[a.layout.index(row: i, column: j)]
            }
          }
        }
      }
    }
    try factor()
  }

  /// Solves `A · X = B` in place with the current factorisation: on entry `b` holds the
  /// right-hand sides (column-major, `n × rightHandSides`), on return the solutions.
  ///
  /// The corresponding LAPACK routine is `dgbtrs` (one right-hand side: the same substitution
  /// written out, see `substitute`).
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(
    _ b: UnsafeMutableBufferPointer<Double>, rightHandSides: Int = 1
  ) throws(LinearAlgebraError) {
    precondition(isFactored, "BandedLU.solve: no valid factorisation (call factor() first)")
    try Lapack.require(b.count, equals: dimension * rightHandSides)
    let n = Lapack.int(dimension)
    guard n > 0, rightHandSides > 0 else { return }
    if rightHandSides == 1 {
      substitute(b)
      return
    }
    let (kl, ku, ldab) = (Lapack.int(lower), Lapack.int(upper), Lapack.int(leadingDimension))
    let info = storage.withUnsafeBufferPointer { ab in
      pivots.withUnsafeBufferPointer { ip in
        LAPACKE_dgbtrs_work(
          Lapack.columnMajor, Lapack.noTranspose, n, kl, ku, Lapack.int(rightHandSides),
          ab.baseAddress, ldab, ip.baseAddress, b.baseAddress, n)
      }
    }
    try Lapack.check(info)
  }

  /// Read access to the band storage (the factors, after ``factor()``), for `BorderedLU`.
  func withFactors<R>(_ body: (UnsafePointer<Double>) -> R) -> R {
    storage.withUnsafeBufferPointer { body($0.baseAddress!) }
  }

  /// One right-hand side: the forward and back substitution of `dgbtrs` on LAPACK's factors, written
  /// out. For the narrow bands of cell models (n ≈ 90, kl + ku ≈ 10) OpenBLAS's per-call overhead
  /// in `dgbtrs` (one BLAS call per column) costs about eight times the arithmetic.
  ///
  ///     for j = 0 … n−2:  swap b_j ↔ b_{p_j};  b_{j+i} −= L_{j+i, j}·b_j   (i = 1 … min(kl, n−1−j))
  ///     for j = n−1 … 0:  b_j /= U_jj;          b_i −= U_ij·b_j           (i = max(0, j−kl−ku) … j−1)
  func substitute(_ buffer: UnsafeMutableBufferPointer<Double>) {
    guard dimension > 0, let b = buffer.baseAddress else { return }
    let (n, kl, ku, ldab) = (dimension, lower, upper, leadingDimension)
    storage.withUnsafeBufferPointer { abBuffer in
      pivots.withUnsafeBufferPointer { ipBuffer in
        Self.substitute(b, abBuffer.baseAddress!, ipBuffer.baseAddress!, n, kl, ku, ldab)
      }
    }
  }

  /// `substitute` on raw pointers, with unchecked index arithmetic (every index stays inside the band
  /// storage by construction). The rows with a full band (all but the last kl of the forward sweep
  /// and the last kl + ku of the backward one) run in `forwardRows`/`backwardRows`, specialised for
  /// the band's widths (kl ≤ 6, kl + ku ≤ 12, `BandWidth`) so that their inner loops unroll: a generic inner loop
  /// of 3 to 6 iterations costs about as much again in loop and vectoriser set-up as in arithmetic
  /// (~150 instructions per row for kl = ku = 3, against ~60 specialised).
  @inline(never)
  static func substitute(
    _ b: UnsafeMutablePointer<Double>, _ ab: UnsafePointer<Double>, _ ip: UnsafePointer<Int32>, _ n: Int, _ kl: Int,
    _ ku: Int, _ ldab: Int
  ) {
    let kd = kl &+ ku
    if kl > 0 {
      // Forward: rows j < n − 1 − kl have all kl multipliers L_{j+1…j+kl, j}; the last ones fewer.
      let full = max(n &- 1 &- kl, 0)
      switch kl {
      case 1: forwardRows(BandWidth1.self, b, ab, ip, 0..<full, kd, ldab)
      case 2: forwardRows(BandWidth2.self, b, ab, ip, 0..<full, kd, ldab)
      case 3: forwardRows(BandWidth3.self, b, ab, ip, 0..<full, kd, ldab)
      case 4: forwardRows(BandWidth4.self, b, ab, ip, 0..<full, kd, ldab)
      case 5: forwardRows(BandWidth5.self, b, ab, ip, 0..<full, kd, ldab)
      case 6: forwardRows(BandWidth6.self, b, ab, ip, 0..<full, kd, ldab)
      default: forwardRows(b, ab, ip, 0..<full, kl, kd, ldab, n)
      }
      forwardRows(b, ab, ip, full..<(n &- 1), kl, kd, ldab, n)
    }
    // Backward: the last kd rows have fewer than kd entries of U right of the diagonal.
    let partial = max(n &- kd, 0)
    backwardRows(b, ab, (partial..<n).reversed(), kd, ldab, n)
    switch kd {
    case 1: backwardRows(BandWidth1.self, b, ab, partial, ldab)
    case 2: backwardRows(BandWidth2.self, b, ab, partial, ldab)
    case 3: backwardRows(BandWidth3.self, b, ab, partial, ldab)
    case 4: backwardRows(BandWidth4.self, b, ab, partial, ldab)
    case 5: backwardRows(BandWidth5.self, b, ab, partial, ldab)
    case 6: backwardRows(BandWidth6.self, b, ab, partial, ldab)
    case 7: backwardRows(BandWidth7.self, b, ab, partial, ldab)
    case 8: backwardRows(BandWidth8.self, b, ab, partial, ldab)
    case 9: backwardRows(BandWidth9.self, b, ab, partial, ldab)
    case 10: backwardRows(BandWidth10.self, b, ab, partial, ldab)
    case 11: backwardRows(BandWidth11.self, b, ab, partial, ldab)
    case 12: backwardRows(BandWidth12.self, b, ab, partial, ldab)
    default: backwardRows(b, ab, (0..<partial).reversed(), kd, ldab, n)
    }
  }

  /// Forward sweep over `rows` (any row, any kl): swap b_j ↔ b_{p_j}, then b_{j+i} −= L_{j+i, j}·b_j
  /// for i = 1 … min(kl, n−1−j).
  @inline(__always)
  static func forwardRows(
    _ b: UnsafeMutablePointer<Double>, _ ab: UnsafePointer<Double>, _ ip: UnsafePointer<Int32>, _ rows: Range<Int>,
    _ kl: Int, _ kd: Int, _ ldab: Int, _ n: Int
  ) {
    for j in rows {
      let l = Int(truncatingIfNeeded: ip[j]) &- 1
      let bj = b[l]
      if l != j {
        b[l] = b[j]
        b[j] = bj
      }
      let multipliers = ab + (kd &+ 1 &+ j &* ldab)  // multipliers[i] = L_{j+1+i, j}
      let count = min(kl, n &- 1 &- j)
      var i = 0
      while i < count {
        b[j &+ 1 &+ i] -= multipliers[i] * bj
        i &+= 1
      }
    }
  }

  /// Forward sweep over rows with all kl = `Width.value` multipliers (unrolled).
  @inline(__always)
  static func forwardRows<Width: BandWidth>(
    _ width: Width.Type, _ b: UnsafeMutablePointer<Double>, _ ab: UnsafePointer<Double>, _ ip: UnsafePointer<Int32>,
    _ rows: Range<Int>, _ kd: Int, _ ldab: Int
  ) {
    var multipliers = ab + (kd &+ 1 &+ rows.lowerBound &* ldab)
    for j in rows {
      let l = Int(truncatingIfNeeded: ip[j]) &- 1
      let bj = b[l]
      if l != j {
        b[l] = b[j]
        b[j] = bj
      }
      let target = b + (j &+ 1)
      for i in 0..<Width.value { target[i] -= multipliers[i] * bj }
      multipliers += ldab
    }
  }

  /// Back substitution by rows, b_j = (b_j − Σ_k U_{j,j+k}·b_{j+k}) / U_jj with k from high to low: the
  /// same operations in the same order as dgbtrs's column sweep (b_i −= U_ij·b_j for j = n−1, n−2, …),
  /// so the same result. U_{j,j+k} sits at kd + j·ldab + k·(ldab − 1). Any row, any kd.
  @inline(__always)
  static func backwardRows(
    _ b: UnsafeMutablePointer<Double>, _ ab: UnsafePointer<Double>, _ rows: ReversedCollection<Range<Int>>, _ kd: Int,
    _ ldab: Int, _ n: Int
  ) {
    let step = ldab &- 1
    for j in rows {
      let diagonal = ab + (kd &+ j &* ldab)
      var sum = b[j]
      var k = min(kd, n &- 1 &- j)
      while k > 0 {
        sum -= diagonal[k &* step] * b[j &+ k]
        k &-= 1
      }
      b[j] = sum / diagonal.pointee
    }
  }

  /// Back substitution of rows `below` − 1 down to 0, each with all kd = `Width.value` entries of U
  /// (unrolled).
  @inline(__always)
  static func backwardRows<Width: BandWidth>(
    _ width: Width.Type, _ b: UnsafeMutablePointer<Double>, _ ab: UnsafePointer<Double>, _ below: Int, _ ldab: Int
  ) {
    let kd = Width.value
    let step = ldab &- 1
    var j = below &- 1
    while j >= 0 {
      let diagonal = ab + (kd &+ j &* ldab)
      var sum = b[j]
      var u = diagonal + kd &* step
      var x = b + (j &+ kd)
      for _ in 0..<kd {
        sum -= u.pointee * x.pointee
        u -= step
        x -= 1
      }
      b[j] = sum / diagonal.pointee
      j &-= 1
    }
  }

  /// Solves `A · X = B` in place for right-hand sides stored in an array (column-major,
  /// `n × rightHandSides`); allocation-free when `b` is uniquely referenced.
  ///
  /// The corresponding LAPACK routine is `dgbtrs`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(_ b: inout [Double], rightHandSides: Int = 1) throws(LinearAlgebraError) {
    try b.withUnsafeMutableBufferPointer { (p) throws(LinearAlgebraError) in
      try solve(p, rightHandSides: rightHandSides)
    }
  }
}

// MARK: - Tridiagonal

/// A reusable LU factorisation with partial pivoting of an `n × n` tridiagonal matrix, for
/// repeated fill–factor–solve cycles without heap allocation; `O(n)` per factor and per solve.
///
/// The three diagonals (and LAPACK's second super-diagonal of `U` and pivots) are allocated
/// once. Write them in place through ``withMatrix(_:)``/``factor(_:)`` (a
/// ``TridiagonalMatrixView``), the subscript, or ``factor(copying:)``; then ``factor()``; then
/// ``solve(_:rightHandSides:)`` as often as needed. Factoring overwrites the diagonals with the
/// factors: refill all three before the next factorisation.
///
/// The corresponding LAPACK routines are `dgttrf` (factor) and `dgttrs` (solve).
public struct TridiagonalLU: Sendable {
  /// The order `n` of the matrix.
  public let dimension: Int
  private var lower: [Double]
  private var diagonal: [Double]
  private var upper: [Double]
  /// The second super-diagonal of `U` created by pivoting (`n − 2` values).
  private var upper2: [Double]
  private var pivots: [Int32]
  /// Whether the storage holds a successful factorisation. Any write access resets it.
  public private(set) var isFactored = false

  /// Allocates the workspace for an `n × n` tridiagonal matrix, initialised to zero.
  ///
  /// - Precondition: `dimension ≥ 0`.
  public init(dimension: Int) {
    precondition(dimension >= 0, "TridiagonalLU: negative dimension")
    self.dimension = dimension
    lower = Array(repeating: 0, count: max(dimension - 1, 0))
    diagonal = Array(repeating: 0, count: dimension)
    upper = Array(repeating: 0, count: max(dimension - 1, 0))
    upper2 = Array(repeating: 0, count: max(dimension - 2, 0))
    pivots = Array(repeating: 0, count: dimension)
  }

  /// Gives `body` in-place, allocation-free write access to the three diagonals. Marks the
  /// factorisation as stale.
  public mutating func withMatrix<R, E: Error>(
    _ body: (TridiagonalMatrixView) throws(E) -> R
  ) throws(E) -> R {
    isFactored = false
    return try lower.withUnsafeMutableBufferPointer { (l) throws(E) -> R in
      try diagonal.withUnsafeMutableBufferPointer { (d) throws(E) -> R in
        try upper.withUnsafeMutableBufferPointer { (u) throws(E) -> R in
          try body(TridiagonalMatrixView(lower: l, diagonal: d, upper: u))
        }
      }
    }
  }

  /// The stored entry `[row, column]`: `A` before ``factor()``, the factors after. Reading
  /// outside the three diagonals returns `0`; setting there traps (programmer error). Setting
  /// marks the factorisation as stale.
  public subscript(row: Int, column: Int) -> Double {
    get {
      precondition(row >= 0 && row < dimension && column >= 0 && column < dimension)
      switch column - row {
      case 0: return diagonal[row]
      case 1: return upper[row]
      case -1: return lower[column]
      default: return 0
      }
    }
    set {
      precondition(row >= 0 && row < dimension && column >= 0 && column < dimension)
      isFactored = false
      switch column - row {
      case 0: diagonal[row] = newValue
      case 1: upper[row] = newValue
      case -1: lower[column] = newValue
      default: preconditionFailure("(\(row), \(column)) is outside the tridiagonal band")
      }
    }
  }

  /// Sets the three diagonals to zero (marks the factorisation as stale).
  public mutating func zero() { withMatrix { $0.zero() } }

  /// Factors the tridiagonal matrix currently in storage, in place.
  ///
  /// The corresponding LAPACK routine is `dgttrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if `U` has an exactly zero pivot; the
  ///   factorisation is then unusable and the matrix must be refilled.
  public mutating func factor() throws(LinearAlgebraError) {
    isFactored = false
    let n = Lapack.int(dimension)
    guard n > 0 else {
      isFactored = true
      return
    }
    let info = lower.withUnsafeMutableBufferPointer { l in
      diagonal.withUnsafeMutableBufferPointer { d in
        upper.withUnsafeMutableBufferPointer { u in
          upper2.withUnsafeMutableBufferPointer { u2 in
            pivots.withUnsafeMutableBufferPointer { ip in
              LAPACKE_dgttrf_work(
                n, l.baseAddress, d.baseAddress, u.baseAddress, u2.baseAddress, ip.baseAddress)
            }
          }
        }
      }
    }
    try Lapack.check(info)
    isFactored = true
  }

  /// Fills the diagonals in place with `fill`, then factors. The view passed to `fill` still
  /// holds the previous contents.
  ///
  /// The corresponding LAPACK routine is `dgttrf`.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if the filled matrix is exactly singular.
  public mutating func factor(_ fill: (TridiagonalMatrixView) -> Void) throws(LinearAlgebraError) {
    withMatrix(fill)
    try factor()
  }

  /// Copies `a` into the workspace (no allocation) and factors it.
  ///
  /// The corresponding LAPACK routine is `dgttrf`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `a.dimension ≠ n`
  ///   or an off-diagonal of `a` does not have `n − 1` entries;
  ///   ``LinearAlgebraError/singular(pivot:)`` if `a` is exactly singular.
  public mutating func factor(copying a: TridiagonalMatrix) throws(LinearAlgebraError) {
    try Lapack.require(a.dimension, equals: dimension)
    try a.validate()
    withMatrix { view in
      a.lower.withUnsafeBufferPointer { _ = view.lower.update(fromContentsOf: $0) }
      a.diagonal.withUnsafeBufferPointer { _ = view.diagonal.update(fromContentsOf: $0) }
      a.upper.withUnsafeBufferPointer { _ = view.upper.update(fromContentsOf: $0) }
    }
    try factor()
  }

  /// Solves `A · X = B` in place with the current factorisation: on entry `b` holds the
  /// right-hand sides (column-major, `n × rightHandSides`), on return the solutions.
  ///
  /// The corresponding LAPACK routine is `dgttrs`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(
    _ b: UnsafeMutableBufferPointer<Double>, rightHandSides: Int = 1
  ) throws(LinearAlgebraError) {
    precondition(isFactored, "TridiagonalLU.solve: no valid factorisation (call factor() first)")
    try Lapack.require(b.count, equals: dimension * rightHandSides)
    let n = Lapack.int(dimension)
    guard n > 0, rightHandSides > 0 else { return }
    let info = lower.withUnsafeBufferPointer { l in
      diagonal.withUnsafeBufferPointer { d in
        upper.withUnsafeBufferPointer { u in
          upper2.withUnsafeBufferPointer { u2 in
            pivots.withUnsafeBufferPointer { ip in
              LAPACKE_dgttrs_work(
                Lapack.columnMajor, Lapack.noTranspose, n, Lapack.int(rightHandSides),
                l.baseAddress, d.baseAddress, u.baseAddress, u2.baseAddress, ip.baseAddress,
                b.baseAddress, n)
            }
          }
        }
      }
    }
    try Lapack.check(info)
  }

  /// Solves `A · X = B` in place for right-hand sides stored in an array (column-major,
  /// `n × rightHandSides`); allocation-free when `b` is uniquely referenced.
  ///
  /// The corresponding LAPACK routine is `dgttrs`.
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if
  ///   `b.count ≠ n · rightHandSides`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(_ b: inout [Double], rightHandSides: Int = 1) throws(LinearAlgebraError) {
    try b.withUnsafeMutableBufferPointer { (p) throws(LinearAlgebraError) in
      try solve(p, rightHandSides: rightHandSides)
    }
  }
}

// MARK: - Band widths as types

/// A band width known at compile time, so that loops over it unroll in the specialised code
/// (`BandedLU.substitute`).
protocol BandWidth { static var value: Int { get } }
enum BandWidth1: BandWidth { static var value: Int { 1 } }
enum BandWidth2: BandWidth { static var value: Int { 2 } }
enum BandWidth3: BandWidth { static var value: Int { 3 } }
enum BandWidth4: BandWidth { static var value: Int { 4 } }
enum BandWidth5: BandWidth { static var value: Int { 5 } }
enum BandWidth6: BandWidth { static var value: Int { 6 } }
enum BandWidth7: BandWidth { static var value: Int { 7 } }
enum BandWidth8: BandWidth { static var value: Int { 8 } }
enum BandWidth9: BandWidth { static var value: Int { 9 } }
enum BandWidth10: BandWidth { static var value: Int { 10 } }
enum BandWidth11: BandWidth { static var value: Int { 11 } }
enum BandWidth12: BandWidth { static var value: Int { 12 } }
