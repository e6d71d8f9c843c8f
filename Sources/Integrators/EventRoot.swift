// CellSim — Integrators/EventRoot.swift
//
// The root of one event function over a bracket, shared by the integrators: the Illinois variant of
// regula falsi (the secant through the bracket's ends; an end kept twice in a row has its value
// halved, which restores superlinear convergence). When the secant falls on an end — one value is
// ~0 next to the other — the root is next to the end with the smaller |g|, so the next point is taken
// 1 % in from it instead of bisecting. Stops when the bracket is below 1e-13 of |t| (or 1e-13).

/// The root of g over (ta, tb], g(ta) = ga > 0 ≥ g(tb) = gb: the final t on the non-positive side.
/// - Parameter g: the event function at a time inside the bracket.
@inline(__always)
func eventRoot(from ta: Double, _ ga: Double, to tb: Double, _ gb: Double, _ g: (Double) -> Double) -> Double {
  var (ta, ga, tb, gb) = (ta, ga, tb, gb)
  var side = 0
  for _ in 0..<200 {
    if tb - ta <= 1e-13 * max(abs(tb), 1) { break }
    var tm = tb - gb * (tb - ta) / (gb - ga)
    if !(tm > ta && tm < tb) {
      tm = abs(ga) < abs(gb) ? ta + 0.01 * (tb - ta) : tb - 0.01 * (tb - ta)
    }
    let gm = g(tm)
    if gm <= 0 {
      tb = tm
      gb = gm
      if side == -1 { ga *= 0.5 }
      side = -1
    } else {
      ta = tm
      ga = gm
      if side == 1 { gb *= 0.5 }
      side = 1
    }
    if gm == 0 { break }
  }
  return tb
}
