// CellSim — IntegratorsTests/JacobianTests.swift
//
// Banded finite differences (Curtis–Powell–Reid grouping) and the analytic-Jacobian path.

import Foundation
import Integrators
import Testing

@Suite("BDF Jacobians")
struct JacobianTests {
  static let nodes = 50
  static let endTime = 0.1

  struct HeatRun {
    var u: [Double]
    var outcome: StepOutcome
    /// Statistics accumulated by `step()` alone (after `reset`).
    var stepping: SolverStatistics
    var residualCalls: Int
    var analyticCalls: Int
    var totalResidualEvaluations: Int
  }

  func heat(_ structure: JacobianStructure, analytic: Bool = false) throws -> HeatRun {
    let counter = CallCounter()
    let system = HeatEquation(nodes: Self.nodes, structure: structure, providesJacobian: analytic, counter: counter)
    let integrator = BDFIntegrator(
      system: system, options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-10]))
    integrator.setStopTime(Self.endTime)
    try integrator.reset(time: 0, state: system.initialSineMode)
    let afterReset = integrator.statistics
    let result = run(integrator)
    var stepping = integrator.statistics
    stepping.residualEvaluations -= afterReset.residualEvaluations
    stepping.jacobianEvaluations -= afterReset.jacobianEvaluations
    stepping.newtonIterations -= afterReset.newtonIterations
    stepping.steps -= afterReset.steps
    return HeatRun(
      u: Array(integrator.state), outcome: result.outcome, stepping: stepping, residualCalls: counter.residuals,
      analyticCalls: counter.analyticJacobians, totalResidualEvaluations: integrator.statistics.residualEvaluations)
  }

  /// Largest |u_i − v_i| relative to the largest |v_i|.
  func maxRelativeDifference(_ u: [Double], _ v: [Double]) -> Double {
    let scale = v.map(abs).max()!
    return zip(u, v).map { abs($0 - $1) }.max()! / scale
  }

  @Test("Heat equation: banded and dense give the same answer, both match the sine-mode decay")
  func bandedMatchesDense() throws {
    let banded = try heat(.banded(lower: 1, upper: 1))
    let dense = try heat(.dense)
    #expect(banded.outcome == .reachedStopTime)
    #expect(dense.outcome == .reachedStopTime)
    #expect(maxRelativeDifference(banded.u, dense.u) <= 1e-8, "\(maxRelativeDifference(banded.u, dense.u))")

    let system = HeatEquation(nodes: Self.nodes, structure: .dense)
    let x = (0..<Self.nodes).map { Double($0 + 1) * system.spacing }
    // Semi-discrete exact solution: the discrete sine mode decays with λ = (2/Δx²)(1 − cos πΔx).
    let semiDiscrete = system.initialSineMode.map { $0 * exp(-system.discreteEigenvalue * Self.endTime) }
    #expect(maxRelativeDifference(banded.u, semiDiscrete) <= 1e-5, "\(maxRelativeDifference(banded.u, semiDiscrete))")
    #expect(maxRelativeDifference(dense.u, semiDiscrete) <= 1e-5)
    // Continuous exact solution sin(πx)·exp(−π²t): differs by the O(Δx²) discretisation error,
    // λ − π² ≈ π⁴Δx²/12 ≈ 3.1e-3, i.e. a relative amplitude error ≈ 3.1e-4 at t = 0.1.
    let continuous = x.map { sin(Double.pi * $0) * exp(-Double.pi * Double.pi * Self.endTime) }
    let discretisation = maxRelativeDifference(banded.u, continuous)
    #expect(discretisation <= 5e-4, "\(discretisation)")
    #expect(discretisation >= 2e-4, "the semi-discrete and continuous answers should differ by ≈ 3e-4")
  }

  @Test("Banded finite differences cost kl+ku+1 = 3 perturbed residuals (+1 base) per Jacobian")
  func bandedFiniteDifferenceCost() throws {
    let banded = try heat(.banded(lower: 1, upper: 1))
    let dense = try heat(.dense)
    for run in [banded, dense] {
      #expect(run.stepping.jacobianEvaluations > 0)
      // Statistics agree with an independent count of residual calls.
      #expect(run.totalResidualEvaluations == run.residualCalls)
    }
    // Residual evaluations in `step()` are Newton iterations plus those spent on Jacobians.
    let bandedPerJacobian =
      Double(banded.stepping.residualEvaluations - banded.stepping.newtonIterations)
      / Double(banded.stepping.jacobianEvaluations)
    let densePerJacobian =
      Double(dense.stepping.residualEvaluations - dense.stepping.newtonIterations)
      / Double(dense.stepping.jacobianEvaluations)
    #expect(bandedPerJacobian <= 4, "banded: \(bandedPerJacobian) residuals per Jacobian")
    #expect(densePerJacobian >= Double(Self.nodes), "dense: \(densePerJacobian) residuals per Jacobian")
  }

  @Test("Analytic banded Jacobian: same answer as finite differences, fewer residual evaluations")
  func analyticBandedJacobian() throws {
    let fd = try heat(.banded(lower: 1, upper: 1))
    let analytic = try heat(.banded(lower: 1, upper: 1), analytic: true)
    #expect(analytic.outcome == .reachedStopTime)
    #expect(maxRelativeDifference(analytic.u, fd.u) <= 1e-8, "\(maxRelativeDifference(analytic.u, fd.u))")
    #expect(analytic.stepping.jacobianEvaluations > 0)
    #expect(analytic.analyticCalls == analytic.stepping.jacobianEvaluations)
    #expect(analytic.residualCalls < fd.residualCalls)
    // With an analytic Jacobian, step() evaluates the residual only in Newton iterations.
    #expect(analytic.stepping.residualEvaluations == analytic.stepping.newtonIterations)
  }

  @Test("Heat equation as a bordered system (last nodes as the border): same answer as banded")
  func borderedHeat() throws {
    let banded = try heat(.banded(lower: 1, upper: 1))
    for border in [1, 2] {
      let fd = try heat(.bordered(lower: 1, upper: 1, border: border))
      let analytic = try heat(.bordered(lower: 1, upper: 1, border: border), analytic: true)
      #expect(fd.outcome == .reachedStopTime)
      #expect(analytic.outcome == .reachedStopTime)
      #expect(maxRelativeDifference(fd.u, banded.u) <= 1e-8, "\(maxRelativeDifference(fd.u, banded.u))")
      #expect(maxRelativeDifference(analytic.u, banded.u) <= 1e-8, "\(maxRelativeDifference(analytic.u, banded.u))")
      #expect(analytic.analyticCalls == analytic.stepping.jacobianEvaluations)
      #expect(analytic.stepping.residualEvaluations == analytic.stepping.newtonIterations)
      // Finite differences of a bordered Jacobian: one residual per column (+1 base).
      let perJacobian =
        Double(fd.stepping.residualEvaluations - fd.stepping.newtonIterations) / Double(fd.stepping.jacobianEvaluations)
      #expect(perJacobian >= Double(Self.nodes), "bordered: \(perJacobian) residuals per Jacobian")
    }
  }

  @Test("Analytic dense Jacobian (Robertson): same answer as finite differences, fewer residuals")
  func analyticDenseJacobian() throws {
    func solve(_ analytic: Bool) throws -> ([Double], SolverStatistics, CallCounter, StepOutcome) {
      let counter = CallCounter()
      let integrator = BDFIntegrator(
        system: Robertson(algebraicConservation: false, providesJacobian: analytic, counter: counter),
        options: IntegratorOptions(relativeTolerance: 1e-6, absoluteTolerance: [1e-8, 1e-14, 1e-8]))
      integrator.setStopTime(40)
      try integrator.reset(time: 0, state: [1, 0, 0])
      let result = run(integrator)
      return (Array(integrator.state), integrator.statistics, counter, result.outcome)
    }
    let (yFD, statsFD, counterFD, outcomeFD) = try solve(false)
    let (yA, statsA, counterA, outcomeA) = try solve(true)
    #expect(outcomeFD == .reachedStopTime)
    #expect(outcomeA == .reachedStopTime)
    #expect(counterFD.analyticJacobians == 0)
    #expect(counterA.analyticJacobians == statsA.jacobianEvaluations)
    #expect(statsA.jacobianEvaluations > 0)
    #expect(statsA.residualEvaluations < statsFD.residualEvaluations)
    #expect(statsA.residualEvaluations == counterA.residuals)
    // Both runs are held to rtol 1e-6, so they agree to about that (not bitwise: the Jacobians differ).
    for i in 0..<3 {
      #expect(relativeError(yA[i], yFD[i]) <= 1e-5, "component \(i): \(yA[i]) vs \(yFD[i])")
    }
    let (r1, _, r3) = AccuracyTests.roberReference
    #expect(relativeError(yA[0], r1) <= 1e-5)
    #expect(relativeError(yA[2], r3) <= 1e-5)
  }
}
