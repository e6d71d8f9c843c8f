// CellSim — Integrators/InterpolantHistory.swift
//
// The interpolating polynomials of a BDF's recent steps, so that its solution can be read anywhere
// from a few steps back up to its current time, not only within its last step. `ExactFlowIntegrator`
// needs that for the unknowns its inner BDF integrates: one of its own steps (five nodes, and the
// interpolation and event location inside it) spans many of the BDF's, and a rejected step retries
// with nodes the BDF has already passed.
//
// A ring of `capacity` entries, each a step's order q, step h, end t, start and D_0…D_q (as
// `BDFIntegrator.lastInterpolant`); appending to a full ring overwrites the oldest entry.

/// A ring of a BDF's last steps' interpolating polynomials. Preallocated: nothing is allocated after
/// `init`.
final class InterpolantHistory {
  /// Unknowns per entry and entries kept.
  let n: Int
  let capacity: Int
  /// D_0…D_5 of each entry (6·n numbers per entry).
  let differences: UnsafeMutablePointer<Double>
  let orders: UnsafeMutablePointer<Int>
  let steps: UnsafeMutablePointer<Double>
  let starts: UnsafeMutablePointer<Double>
  let ends: UnsafeMutablePointer<Double>
  /// Slot of the newest entry, and entries held.
  private(set) var newest = -1
  private(set) var count = 0

  init(unknowns n: Int, capacity: Int) {
    self.n = n
    self.capacity = capacity
    differences = .allocate(capacity: max(6 * n * capacity, 1))
    differences.initialize(repeating: 0, count: max(6 * n * capacity, 1))
    orders = .allocate(capacity: capacity)
    orders.initialize(repeating: 1, count: capacity)
    steps = .allocate(capacity: 3 * capacity)
    steps.initialize(repeating: 0, count: 3 * capacity)
    starts = steps + capacity
    ends = steps + 2 * capacity
  }

  deinit {
    differences.deallocate()
    orders.deallocate()
    steps.deallocate()
  }

  func clear() {
    newest = -1
    count = 0
  }

  var isFull: Bool { count == capacity }
  /// Where the oldest entry ends: while it is later than a time still needed, a full ring cannot
  /// take another entry.
  var oldestEnd: Double { ends[(newest - count + 1 + capacity) % capacity] }

  /// Keeps the interpolant of a step [start, end] (`BDFIntegrator.lastInterpolant`).
  func append(
    _ interpolant: (order: Int, step: Double, time: Double, differences: UnsafePointer<Double>), start: Double
  ) {
    newest = (newest + 1) % capacity
    count = min(count + 1, capacity)
    orders[newest] = interpolant.order
    steps[newest] = interpolant.step
    starts[newest] = start
    ends[newest] = interpolant.time
    let row = differences + newest * 6 * n
    for i in 0..<((interpolant.order + 1) * n) { row[i] = interpolant.differences[i] }
  }

  /// The solution at `time` from the newest entry that starts at or before it (the oldest entry
  /// when none does, the newest beyond the last end: extrapolation, which callers avoid).
  func evaluate(at time: Double, into out: UnsafeMutablePointer<Double>) {
    var slot = newest
    var k = 1
    while k < count && starts[slot] > time {
      slot = (slot - 1 + capacity) % capacity
      k += 1
    }
    evaluateInterpolant(
      order: orders[slot], step: steps[slot], time: ends[slot], differences: differences + slot * 6 * n, count: n,
      at: time, into: out)
  }
}
