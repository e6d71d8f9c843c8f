// CellSim — LinearAlgebra/BorderedLU.swift
//
// LU by block elimination of a bordered ("arrow") matrix: a band matrix B with a few dense
// trailing rows and columns,
//
//         ⎡ B  C ⎤   B: nb × nb, band (kl, ku)      C: nb × k  (border columns)
//     A = ⎣ R  D ⎦   R: k × nb  (border rows)       D: k × k   (corner),   n = nb + k.
//
// Factor:  B = L_B U_B (band LU with partial pivoting, `BandedLU`),  Z = B⁻¹ C,
//          S = D − R Z (the k × k Schur complement), S = L_S U_S (`DenseLU`, partial pivoting).
// Solve:   x₁' = B⁻¹ b₁,   x₂ = S⁻¹ (b₂ − R x₁'),   x₁ = x₁' − Z x₂.
//
// Cost: O(nb·kl·(kl+ku) + k·nb·(kl+ku) + k²·nb + k³) per factorisation and O(nb·(2kl+ku) + 2k·nb + k²)
// per solve, against O(n³) and O(n²) for dense LU. Pivoting stays within B and within S, so B must
// be regular (the elimination order is fixed: B first); any regular A with a regular B is solved.

/// A mutable window onto the four blocks of a ``BorderedLU``. Only valid inside the closure it is
/// passed to (``BorderedLU/withMatrix(_:)`` or ``BorderedLU/factor(_:)``); do not let it escape.
public struct BorderedMatrixView {
  /// B, in band storage (see ``BandedMatrixView``).
  public let block: BandedMatrixView
  /// C, column-major nb × k (leading dimension nb): `C[i, c]` at `i + c·nb`.
  public let columns: UnsafeMutableBufferPointer<Double>
  /// R, column-major k × nb (leading dimension k): `R[r, j]` at `r + j·k`.
  public let rows: UnsafeMutableBufferPointer<Double>
  /// D, column-major k × k: `D[r, c]` at `r + c·k`.
  public let corner: UnsafeMutableBufferPointer<Double>
  /// nb, the order of B.
  public let blockDimension: Int
  /// k, the number of border rows and columns.
  public let border: Int

  /// The order n = nb + k of the whole matrix.
  public var dimension: Int { blockDimension + border }

  /// The entry `A[row, column]`. Reading inside B but outside its band returns 0; setting there traps.
  public subscript(row: Int, column: Int) -> Double {
    get {
      let nb = blockDimension
      if column >= nb { return row >= nb ? corner[(row - nb) + (column - nb) * border] : columns[row + (column - nb) * nb] }
      if row >= nb { return rows[(row - nb) + column * border] }
      return block.isInBand(row: row, column: column) ? block[row, column] : 0
    }
    nonmutating set {
      let nb = blockDimension
      if column >= nb {
        if row >= nb { corner[(row - nb) + (column - nb) * border] = newValue } else {
          columns[row + (column - nb) * nb] = newValue
        }
      } else if row >= nb {
        rows[(row - nb) + column * border] = newValue
      } else {
        block[row, column] = newValue
      }
    }
  }

  /// Sets every entry to zero.
  public func zero() {
    block.zero()
    columns.update(repeating: 0)
    rows.update(repeating: 0)
    corner.update(repeating: 0)
  }
}

/// A reusable factorisation of a bordered matrix (a band block with `border` dense trailing rows and
/// columns) by block elimination, for repeated fill–factor–solve cycles without heap allocation.
/// See the file's header for the method. Write the matrix through ``withMatrix(_:)`` or
/// ``factor(_:)`` (a ``BorderedMatrixView``), then ``factor()``, then ``solve(_:)`` as often as
/// needed; factoring overwrites the storage, so refill every entry before the next factorisation.
public struct BorderedLU: Sendable {
  /// nb, the order of the band block.
  public let blockDimension: Int
  /// k, the number of dense trailing rows and columns.
  public let border: Int
  /// B before ``factor()``, its band LU after.
  private var block: BandedLU
  /// C (nb × k), then Z = B⁻¹C; R (k × nb). One array: [C | R].
  private var dense: [Double]
  /// D (k × k), then S = D − R Z and its LU.
  private var schur: DenseLU
  /// Whether the storage holds a successful factorisation. Any write access resets it.
  public private(set) var isFactored = false

  /// The order n = nb + k.
  public var dimension: Int { blockDimension + border }
  /// Sub-diagonals of the band block.
  public var lower: Int { block.lower }
  /// Super-diagonals of the band block.
  public var upper: Int { block.upper }

  /// Allocates the workspace for an `n × n` matrix whose leading `n − border` rows and columns form a
  /// band block with `lower` sub- and `upper` super-diagonals, initialised to zero.
  ///
  /// - Precondition: `0 ≤ border ≤ dimension`, `lower, upper ≥ 0`.
  public init(dimension: Int, lower: Int, upper: Int, border: Int) {
    precondition(border >= 0 && border <= dimension, "BorderedLU: border outside 0…dimension")
    blockDimension = dimension - border
    self.border = border
    block = BandedLU(dimension: dimension - border, lower: lower, upper: upper)
    let nb = dimension - border
    dense = Array(repeating: 0, count: 2 * nb * border)
    schur = DenseLU(dimension: border)
  }

  /// Gives `body` in-place, allocation-free write access to the four blocks. Marks the
  /// factorisation as stale.
  public mutating func withMatrix<R>(_ body: (BorderedMatrixView) -> R) -> R {
    isFactored = false
    let (nb, k) = (blockDimension, border)
    // `dense` is moved out for the duration (no copy, no allocation), so that the band view and the
    // dense blocks can be handed out together.
    var parts = dense
    dense = []
    defer { dense = parts }
    return block.withMatrix { view in
      parts.withUnsafeMutableBufferPointer { p in
        schur.withMatrix { corner in
          body(
            BorderedMatrixView(
              block: view, columns: UnsafeMutableBufferPointer(rebasing: p[0..<(nb * k)]),
              rows: UnsafeMutableBufferPointer(rebasing: p[(nb * k)..<(2 * nb * k)]),
              corner: corner.elements, blockDimension: nb, border: k))
        }
      }
    }
  }

  /// Sets every entry to zero (marks the factorisation as stale).
  public mutating func zero() { withMatrix { $0.zero() } }

  /// Fills the matrix in place with `fill`, then factors it. The view still holds the previous
  /// contents (the factors, after a factorisation): `fill` must write every entry.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if B or S is exactly singular.
  public mutating func factor(_ fill: (BorderedMatrixView) -> Void) throws(LinearAlgebraError) {
    withMatrix(fill)
    try factor()
  }

  /// Factors the matrix in storage, in place.
  ///
  /// - Throws: ``LinearAlgebraError/singular(pivot:)`` if the band block B has an exactly zero pivot
  ///   (its 0-based index), or the Schur complement S does (nb + its 0-based index).
  public mutating func factor() throws(LinearAlgebraError) {
    isFactored = false
    try block.factor()
    let (nb, k) = (blockDimension, border)
    guard k > 0 else {
      isFactored = true
      return
    }
    let blockLU = block
    dense.withUnsafeMutableBufferPointer { p in
      let z = p.baseAddress!
      let r = z + nb &* k
      // Z = B⁻¹ C, column by column.
      for c in 0..<k { try? blockLU.solve(UnsafeMutableBufferPointer(start: z + c &* nb, count: nb)) }
      // S = D − R Z.
      schur.withMatrix { s in
        for c in 0..<k {
          let zc = z + c &* nb
          for row in 0..<k {
            var sum = 0.0
            for j in 0..<nb { sum += r[row &+ j &* k] * zc[j] }
            s.elements[row &+ c &* k] -= sum
          }
        }
      }
    }
    do { try schur.factor() } catch {
      if case .singular(let pivot) = error { throw .singular(pivot: nb + pivot) }
      throw error
    }
    isFactored = true
  }

  /// Solves `A · x = b` in place (one right-hand side of length n).
  ///
  /// - Throws: ``LinearAlgebraError/dimensionMismatch(expected:actual:)`` if `b.count ≠ n`.
  /// - Precondition: the last ``factor()`` succeeded and the matrix was not written since.
  public func solve(_ b: UnsafeMutableBufferPointer<Double>) throws(LinearAlgebraError) {
    precondition(isFactored, "BorderedLU.solve: no valid factorisation (call factor() first)")
    try Lapack.require(b.count, equals: dimension)
    let (nb, k) = (blockDimension, border)
    guard let x = b.baseAddress else { return }
    if block.lower == 0 && block.upper == 0 {
      // A diagonal block (no pivoting, ldab = 1): its factors are its diagonal.
      if nb > 0 { block.withFactors { d in for j in 0..<nb { x[j] /= d[j] } } }
    } else {
      try block.solve(UnsafeMutableBufferPointer(start: x, count: nb))
    }
    guard k > 0 else { return }
    let x2 = UnsafeMutableBufferPointer(start: x + nb, count: k)
    dense.withUnsafeBufferPointer { p in
      let r = p.baseAddress! + nb &* k
      // b₂ − R x₁'.
      for row in 0..<k {
        var sum = 0.0
        for j in 0..<nb { sum += r[row &+ j &* k] * x[j] }
        x2[row] -= sum
      }
    }
    // S x₂ = b₂ − R x₁'.
    try schur.solve(x2)
    dense.withUnsafeBufferPointer { p in
      let z = p.baseAddress!
      // x₁ = x₁' − Z x₂.
      for c in 0..<k {
        let v = x2[c]
        let zc = z + c &* nb
        for j in 0..<nb { x[j] -= zc[j] * v }
      }
    }
  }

  /// Solves `A · x = b` in place for a right-hand side in an array.
  public func solve(_ b: inout [Double]) throws(LinearAlgebraError) {
    try b.withUnsafeMutableBufferPointer { (p) throws(LinearAlgebraError) in try solve(p) }
  }
}
