// CellSim — CellCoreTests/ChebyshevTableTests.swift
//
// Tabulated functions of one variable: the piecewise Chebyshev interpolant matches the function to
// rounding where it is smooth, is continuous at the ends of its pieces, and gives way to the
// function itself at kinks, singularities and outside its range. Expected values come from
// Foundation's exp/tanh/log written out here, not from the code under test.

import Foundation
import Testing

import CellCore

/// Chen2020's graphite OCP [V], written with Foundation's functions.
private func graphite(_ x: Double) -> Double {
  1.9793 * exp(-39.3631 * x) + 0.2482 - 0.0909 * tanh(29.8538 * (x - 0.1234))
    - 0.04478 * tanh(14.9159 * (x - 0.2769)) - 0.0205 * tanh(30.4444 * (x - 0.6103))
}

/// Chen2020's NMC811 OCP [V] (two large tanh terms that nearly cancel).
private func nmc811(_ x: Double) -> Double {
  -0.8090 * x + 4.4875 - 0.0428 * tanh(18.5138 * (x - 0.5542)) - 17.7326 * tanh(15.7890 * (x - 0.3117))
    + 17.5842 * tanh(15.9308 * (x - 0.3120))
}

private let graphiteSource =
  "1.9793 * exp(-39.3631 * x) + 0.2482 - 0.0909 * tanh(29.8538 * (x - 0.1234)) - 0.04478 * tanh(14.9159 * (x - 0.2769)) - 0.0205 * tanh(30.4444 * (x - 0.6103))"

/// 20 001 points spread over [0, 1], with the ends.
private let fineGrid = (0...20_000).map { Double($0) / 20_000 }

@Suite("Chebyshev tables")
struct ChebyshevTableTests {
  @Test("Chen2020's OCPs are tabulated on every piece and match within 1e-11 V")
  func chen2020() {
    for f in [graphite, nmc811] {
      let table = ChebyshevTable(lower: 0, upper: 1, intervalCount: 128, f)
      #expect(table.tabulatedCount == 128)
      var worst = 0.0
      for x in fineGrid {
        guard let value = table.value(at: x) else {
          Issue.record("no tabulated value at \(x)")
          return
        }
        worst = max(worst, abs(value - f(x)))
      }
      #expect(worst < 1e-11, "max |table − U| = \(worst) V")
    }
  }

  @Test("Pieces meet: the value at a common end is the same from both sides")
  func continuity() {
    let table = ChebyshevTable(lower: 0, upper: 1, intervalCount: 128, graphite)
    for piece in 1..<128 {
      let end = Double(piece) / 128
      guard let below = table.value(at: end.nextDown), let at = table.value(at: end) else {
        Issue.record("missing value at \(end)")
        return
      }
      #expect(abs(below - at) < 1e-13)
    }
  }

  @Test("A kink is not tabulated: its piece returns nil, the others match")
  func kink() {
    // |x − 0.3| has its kink inside piece 9 of 32 on [0, 1] (0.28125…0.3125).
    let f = { (x: Double) in abs(x - 0.3) }
    let table = ChebyshevTable(lower: 0, upper: 1, intervalCount: 32, f)
    #expect(table.tabulatedCount == 31)
    #expect(table.value(at: 0.3) == nil)
    #expect(table.value(at: 0.29) == nil)
    #expect(abs((table.value(at: 0.7) ?? .nan) - 0.4) < 1e-14)
    #expect(abs((table.value(at: 0.1) ?? .nan) - 0.2) < 1e-14)
  }

  @Test("Outside the range, at NaN and where f is not finite, there is no value")
  func outside() {
    let table = ChebyshevTable(lower: 0, upper: 1, intervalCount: 64) { x in log(x) }
    #expect(table.value(at: -0.1) == nil)
    #expect(table.value(at: 1.1) == nil)
    #expect(table.value(at: .nan) == nil)
    #expect(table.value(at: 0.01) == nil)  // log(0) = −∞ at a node of the first piece
    #expect(abs((table.value(at: 0.5) ?? .nan) - log(0.5)) < 1e-10)
  }

  @Test("A tabulated ScalarFunction equals the expression everywhere, table or not")
  func scalarFunction() throws {
    let exact = try FunctionSpec.expression(graphiteSource).compile(variables: ["x", "T"])
    let fast = exact.tabulated(over: 0...1)
    var worst = 0.0
    for x in fineGrid + [-0.5, 1.5] {
      worst = max(worst, abs(fast(x, 298.15) - graphite(x)))
    }
    #expect(worst < 1e-11, "max |tabulated − U| = \(worst) V")
    // Outside [0, 1] the expression itself runs: bit-identical to the untabulated function.
    #expect(fast(-0.5, 298.15) == exact(-0.5, 298.15))

    // log(x) on [0, 1]: the pieces next to 0 fail the check and use the expression.
    let log = try FunctionSpec.expression("log(x)").compile(variables: ["x", "T"])
    let tabulatedLog = log.tabulated(over: 0...1)
    for x in [1e-9, 1e-4, 0.003, 0.2, 0.9] {
      #expect(abs(tabulatedLog(x, 300) - Foundation.log(x)) <= 1e-10, "at x = \(x)")
    }
  }

  @Test("A function of temperature too is left as it is")
  func temperatureDependent() throws {
    let f = try FunctionSpec.expression("0.1 * x + 1e-3 * (T - 298.15)").compile(variables: ["x", "T"])
    let g = f.tabulated(over: 0...1)
    for (x, t) in [(0.2, 298.15), (0.2, 318.15), (0.7, 250.0)] {
      #expect(abs(g(x, t) - (0.1 * x + 1e-3 * (t - 298.15))) < 1e-15)
    }
  }

  @Test("Along a line: j0(x, x·c_max, c_e, T, c_max) matches, and gives way next to the √ singularities")
  func alongLine() throws {
    let j0 = try FunctionSpec.expression("6.48e-7 * ce^0.5 * cs^0.5 * (cmax - cs)^0.5")
      .compile(variables: ["x", "cs", "ce", "T", "cmax"])
    let (ce, cMax) = (1000.0, 33133.0)
    guard let table = j0.table(along: [0, 0, ce, 298.15, cMax], [1, cMax], over: 0...1) else {
      Issue.record("no table")
      return
    }
    #expect(table.value(at: 0) == nil)
    #expect(table.value(at: 1) == nil)
    var worst = 0.0
    var tabulated = 0
    for x in fineGrid {
      let exact = 6.48e-7 * ce.squareRoot() * (x * cMax).squareRoot() * (cMax - x * cMax).squareRoot()
      if let value = table.value(at: x) {
        tabulated += 1
        worst = max(worst, abs(value - exact))
      }
    }
    // j0 peaks at 6.48e-7·√1000·c_max/2 ≈ 0.34 A/m²; the table holds within 1e-11 of that.
    #expect(worst < 0.34 * 1e-11, "max |table − j0| = \(worst)")
    #expect(tabulated > fineGrid.count * 8 / 10, "tabulated at \(tabulated) of \(fineGrid.count) points")
  }
}
