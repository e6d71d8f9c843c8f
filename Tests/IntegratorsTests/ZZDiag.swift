import Foundation
@testable import Integrators
import Testing

@Test func zzDiag() throws {
  let integrator = BDFIntegrator(
    system: NaNAfter(badAfter: 0.5), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
  integrator.setStopTime(2)
  try integrator.reset(time: 0, state: [1])
  var n = 0
  for _ in 0..<2000 {
    let o = integrator.step(); n += 1
    if case .failed = o { print("DIAG", n, o, integrator.t, integrator.statistics); break }
  }
  for (lam, rtol, atol) in [(1.0, 1e-6, 1e-8), (1.0, 1e-8, 1e-10)] {
    let i = BDFIntegrator(system: LinearDecay(lambda: lam), options: IntegratorOptions(relativeTolerance: rtol, absoluteTolerance: [atol]))
    i.setStopTime(1); try i.reset(time: 0, state: [1]); let r = run(i)
    print("DIAG decay", rtol, relativeError(i.state[0], exp(-1)), r.acceptedCalls)
  }
  do {
    let i = BDFIntegrator(system: LinearDecay(lambda: 1e4), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    i.setStopTime(1e-4); try i.reset(time: 0, state: [1]); let r = run(i)
    let e = relativeError(i.state[0], exp(-1))
    i.setStopTime(1); let r2 = run(i)
    print("DIAG stiff", e, i.state[0], r.acceptedCalls, r2.acceptedCalls)
  }
  for alg in [true, false] {
    let i = BDFIntegrator(system: Robertson(algebraicConservation: alg), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-14, 1e-8]))
    i.setStopTime(40); try i.reset(time: 0, state: [1, 0, 0]); var w = 0.0
    let r = run(i) { it, _ in w = max(w, abs(it.state[0] + it.state[1] + it.state[2] - 1)) }
    let (r1, r2, r3) = AccuracyTests.roberReference
    print("DIAG rober", alg, relativeError(i.state[0], r1), relativeError(i.state[1], r2), relativeError(i.state[2], r3), w, r.acceptedCalls, i.statistics)
  }
  do {
    let i = BDFIntegrator(system: IndexOneDAE(), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    i.setStopTime(2); try i.reset(time: 0, state: [1, 5]); var w = 0.0; var c = 0.0
    let y20 = i.state[1]
    _ = run(i) { it, _ in w = max(w, relativeError(it.state[0], exp(-it.t))); c = max(c, abs(it.state[0] + it.state[1])) }
    print("DIAG index1", y20 + 1, w, c)
  }
  do {
    let i = BDFIntegrator(system: Oscillator(), options: IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: [1e-10]))
    i.setStopTime(3); try i.reset(time: 0, state: [1, 0]); _ = run(i)
    print("DIAG osc", i.t - Double.pi / 2, i.state[0], i.state[1] + 1)
    let j = BDFIntegrator(system: Oscillator(), options: IntegratorOptions(relativeTolerance: 1e-8, absoluteTolerance: [1e-8]))
    j.setStopTime(3); try j.reset(time: 0, state: [1, 0]); _ = run(j)
    print("DIAG osc atol1e-8", j.t - Double.pi / 2)
  }
  do {
    let i = BDFIntegrator(system: CosineDriven(), options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8]))
    i.setStopTime(6); try i.reset(time: 0, state: [0]); var w = 0.0; var v = [0.0]; var wid = 0.0; var we = 0.0
    _ = run(i) { it, _ in let m = 0.5 * (it.previousTime + it.t); v.withUnsafeMutableBufferPointer { it.interpolate(at: m, into: $0) }; w = max(w, abs(v[0] - sin(m))); we = max(we, abs(it.state[0] - sin(it.t))); wid = max(wid, it.t - it.previousTime) }
    print("DIAG interp", w, we, wid)
  }
  do {
    let i = BDFIntegrator(system: ConstantDescent(levels: [0.25]), options: IntegratorOptions())
    i.setStopTime(2); try i.reset(time: 0, state: [1]); _ = run(i)
    print("DIAG event", i.t - 0.75, i.state[0] - 0.25, i.eventValues[0])
  }
}
