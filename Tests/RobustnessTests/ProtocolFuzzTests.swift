// CellSim — RobustnessTests/ProtocolFuzzTests.swift
//
// Seeded random and mutated protocol strings: the parser never traps; it either parses (and every
// step is finite and well-formed) or throws a ProtocolParseError whose line and column point into
// the text. CELLSIM_FUZZ_CASES raises the number of cases (CELLSIM_FUZZ_SEED changes the seed).

import CellSim
import Foundation
import Testing

@Suite("protocol fuzzing")
struct ProtocolFuzzTests {
  /// Valid protocols that mutations start from.
  static let seeds = [
    "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20",
    "repeat 3 times {\n  Discharge at 2 A until 3.0 V or 1.5 Ah\n  Rest for 1 hour or until 3.4 V\n}\n",
    "Discharge at 10 W for 5 min or until 2.8 V at 45 °C\nCharge at C/3 until 4.1 V at 298.15 K",
    "# formation\nCharge at C/20 for 2 h 30 min\nHold at 4.2 V for 1 day or until 50 mA\nRest for 10 s",
    "repeat 2 { repeat 3 { Discharge at 500 mA for 1 s; Charge at 0.5 A for 1 s } ; Rest for 1 min }",
  ]
  /// Words, numbers and symbols the random strings are built from.
  static let tokens = [
    "Discharge", "Charge", "Rest", "Hold", "repeat", "times", "at", "for", "until", "or", "C", "A", "mA", "W",
    "mW", "kW", "V", "mV", "Ah", "mAh", "s", "min", "minutes", "h", "hour", "day", "°C", "degC", "K", "C/20",
    "1C", "0.5C", "1", "2.5", "4.2", "-1", "0", "1e999", "1e-320", "NaN", "inf", "99999999999999999999", "{",
    "}", ";", "\n", "\r\n", "#", "/", "%", "°", "é", "🔋", "\u{0}", "\t", "  ", ".", "+", "e", "E5", "Dischrge",
  ]

  @Test("random token strings: parse or a located error, never a trap")
  func randomTokens() {
    var rng = SeededGenerator(seed: fuzzSeed(1))
    let cases = fuzzCases(ci: 3000)
    var parsed = 0
    for k in 0..<cases {
      var text = ""
      if k % 2 == 0 {
        for _ in 0..<Int.random(in: 0...24, using: &rng) {
          text += Self.tokens.randomElement(using: &rng)!
          if Bool.random(using: &rng) { text += " " }
        }
      } else {
        // Step-shaped: keyword, magnitude, clauses, each slot sometimes replaced by any token.
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
          var slots = [
            ["Discharge", "Charge", "Rest", "Hold"].randomElement(using: &rng)!, "at",
            String(Double.random(in: 0.01...5, using: &rng)), ["C", "A", "mA", "W", "V"].randomElement(using: &rng)!,
            ["for", "until"].randomElement(using: &rng)!, String(Int.random(in: 1...100, using: &rng)),
            ["s", "min", "V", "mV", "A", "Ah", "C"].randomElement(using: &rng)!,
          ]
          for i in slots.indices where Int.random(in: 0..<8, using: &rng) == 0 {
            slots[i] = Self.tokens.randomElement(using: &rng)!
          }
          text += slots.joined(separator: " ") + [";", "\n", "; "].randomElement(using: &rng)!
        }
      }
      if check(text, "random #\(k)") { parsed += 1 }
    }
    print("protocol fuzzing: \(cases) random token strings, \(parsed) parsed")
  }

  @Test("mutated valid protocols: parse or a located error, never a trap")
  func mutations() {
    var rng = SeededGenerator(seed: fuzzSeed(2))
    let cases = fuzzCases(ci: 3000)
    var parsed = 0
    for k in 0..<cases {
      var scalars = Array(Self.seeds.randomElement(using: &rng)!.unicodeScalars)
      for _ in 0..<Int.random(in: 1...4, using: &rng) {
        let i = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !scalars.isEmpty: scalars.remove(at: i)
        case 1:
          let token = Self.tokens.randomElement(using: &rng)!
          scalars.insert(contentsOf: token.unicodeScalars, at: min(i, scalars.count))
        case 2 where !scalars.isEmpty:
          scalars[i] = Unicode.Scalar(UInt8.random(in: 0...127, using: &rng))
        case 3 where !scalars.isEmpty:
          let j = min(scalars.count, i + Int.random(in: 1...12, using: &rng))
          scalars.insert(contentsOf: scalars[i..<j], at: j)
        case 4 where !scalars.isEmpty:
          scalars.removeSubrange(i..<min(scalars.count, i + Int.random(in: 1...12, using: &rng)))
        default:
          scalars.insert(contentsOf: String(Double.random(in: -10...10, using: &rng)).unicodeScalars, at: min(i, scalars.count))
        }
      }
      var text = ""
      text.unicodeScalars.append(contentsOf: scalars)
      if check(text, "mutation #\(k)") { parsed += 1 }
    }
    print("protocol fuzzing: \(cases) mutated protocols, \(parsed) parsed")
  }

  @Test("pathological texts: very long, deeply nested, huge repeat counts")
  func pathological() {
    let texts = [
      String(repeating: "Rest for 1 s; ", count: 20_000),
      String(repeating: "repeat 2 { ", count: 64) + "Rest for 1 s" + String(repeating: " }", count: 64),
      String(repeating: "repeat 2 { ", count: 30) + "Rest for 1 s" + String(repeating: " }", count: 30),
      String(repeating: "{", count: 10_000),
      String(repeating: "}", count: 10_000),
      "repeat 1000000 { Rest for 1 s }",
      "repeat 1000001 { Rest for 1 s }",
      "repeat 9223372036854775807 { Rest for 1 s }",
      "repeat 9223372036854775808 { Rest for 1 s }",
      "Rest for " + String(repeating: "9", count: 400) + " s",
      "Rest for 0." + String(repeating: "0", count: 400) + "1 s",
      "Rest for 1 s" + String(repeating: "\n", count: 50_000) + "Rest for 1 x",
      String(repeating: "é", count: 10_000),
    ]
    for (k, text) in texts.enumerated() {
      let start = Date()
      check(text, "pathological #\(k)")
      #expect(Date().timeIntervalSince(start) < 10, "pathological #\(k) took \(Date().timeIntervalSince(start)) s")
    }
  }

  /// Parses `text`; checks the steps or the error's location. Returns whether it parsed.
  @discardableResult
  func check(_ text: String, _ context: String) -> Bool {
    do {
      let p = try CellProtocol(parsing: text)
      #expect(!p.steps.isEmpty && p.steps.count <= CellProtocol.maximumExpandedSteps, "\(context): \(p.steps.count) steps")
      for step in p.steps {
        if let d = step.duration { #expect(d.isFinite && d > 0, "\(context): duration \(d)\n\(text)") }
        switch step.control {
        case .current(let x), .cRate(let x), .power(let x): #expect(x.isFinite && x != 0, "\(context): \(step.control)\n\(text)")
        case .voltage(let v): #expect(v.isFinite && v > 0, "\(context): \(step.control)\n\(text)")
        default: break  // rest, and kinds added later (profiles) checked elsewhere
        }
        for limit in step.limits {
          switch limit {
          case .voltage(let x), .current(let x), .cRate(let x), .capacity(let x):
            #expect(x.isFinite && x > 0, "\(context): \(limit)\n\(text)")
          }
        }
        if let t = step.ambientTemperature { #expect(t.isFinite && t > 0, "\(context): \(t) K\n\(text)") }
      }
      return true
    } catch {
      expectValidLocation(error, in: text, "\(context) \(text.debugDescription.prefix(200))")
      #expect(!error.message.isEmpty && !error.expected.isEmpty, "\(context): \(error)")
      return false
    }
  }
}
