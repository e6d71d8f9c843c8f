// CellSim — LithiumSulfurTests/LiSJacobianTests.swift
//
// The model's analytic Jacobian (`LithiumSulfurModel.jacobian`) against central differences of
// `evaluate`, at states above and in the logarithmic tails, discharging and charging.

import CellSim
import Foundation
import Testing

@Suite("Li-S analytic Jacobian")
struct LiSJacobianTests {
  /// (u_S8, u_S4, u_S2, u_S, u_Sp, V) and the current: the charged state, the end of a discharge (u_S8
  /// in its tail), a charge with S below saturation, and every species in its tail.
  static let states: [([Double], Double)] = [
    ([2.673, 0.0128, 4.33e-6, 1.63e-6, 2.7e-6, 2.406], 1.7),
    ([-1.0e-10, 6.2e-5, 1.3429, 1.479e-4, 1.3427, 2.2245], 1.7),
    ([0.5, 0.9, 0.6, 1.0e-5, 0.3, 2.35], -1.7),
    ([-2e-11, -1e-13, 5e-15, -3e-14, 8e-15, 2.2], 0.3),
  ]

  @Test("agrees with central differences of the rates", arguments: states.indices)
  func againstDifferences(_ index: Int) throws {
    let model = try LiS.model()
    let (y, current) = Self.states[index]
    let point = OperatingPoint(current: current, ambientTemperature: model.defaultAmbientTemperature)
    let m = model.stateCount
    let ld = m + 1
    var analytic = [Double](repeating: 0, count: ld * (m + 1))
    let provided = analytic.withUnsafeMutableBufferPointer { j in
      y.withUnsafeBufferPointer { model.jacobian($0, point, into: j, leadingDimension: ld) }
    }
    #expect(provided)
    func rates(_ state: [Double], _ p: OperatingPoint) -> [Double] {
      var out = [Double](repeating: 0, count: m)
      out.withUnsafeMutableBufferPointer { o in state.withUnsafeBufferPointer { model.evaluate($0, p, into: o) } }
      return out
    }
    for j in 0...m {
      // Column j: a state, or (j = m) the current, which enters the V row only (the shuttle constant
      // switches at I = 0, far from the states above).
      let h = j < m ? 1e-6 * max(abs(y[j]), j == LithiumSulfurModel.voltageIndex ? 1 : 1e-14) : 1e-6
      var plus = y
      var minus = y
      var pointPlus = point
      var pointMinus = point
      if j < m {
        plus[j] += h
        minus[j] -= h
      } else {
        pointPlus.current += h
        pointMinus.current -= h
      }
      let (fp, fm) = (rates(plus, pointPlus), rates(minus, pointMinus))
      for i in 0..<m {
        let difference = (fp[i] - fm[i]) / (2 * h)
        let exact = analytic[i + j * ld]
        // Truncation (relative 1e-5) plus the differences' rounding, ~ε·|f|/h (with a margin).
        let rounding = 1e-13 * max(abs(fp[i]), abs(fm[i])) / h
        #expect(
          abs(exact - difference) <= 1e-5 * max(abs(exact), abs(difference)) + rounding,
          "∂f\(i)/∂y\(j): analytic \(exact), differences \(difference)")
      }
    }
  }
}
