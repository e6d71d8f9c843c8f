// CellSim — CellExperimentsTests/ProtocolParserTests.swift
//
// Well-formed protocols parse into exactly the steps written by hand below.

import Testing

@testable import CellExperiments

@Suite("Protocol parser: well-formed protocols")
struct ProtocolParserTests {
  @Test("the four-step PyBaMM example")
  func fourStepExample() throws {
    let text =
      "Discharge at 1C until 2.5 V; Rest for 30 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"
    let p = try CellProtocol(parsing: text)
    #expect(p.source == text)
    #expect(p.steps.count == 4)
    #expect(
      p.steps[0]
        == ProtocolStep(
          control: .cRate(1), limits: [.voltage(2.5)], text: "Discharge at 1C until 2.5 V",
          location: SourceLocation(line: 1, column: 1)))
    #expect(
      p.steps[1]
        == ProtocolStep(
          control: .rest, duration: 1800, text: "Rest for 30 minutes",
          location: SourceLocation(line: 1, column: 30)))
    #expect(
      p.steps[2]
        == ProtocolStep(
          control: .cRate(-0.5), limits: [.voltage(4.2)], text: "Charge at 0.5C until 4.2 V",
          location: SourceLocation(line: 1, column: 51)))
    #expect(
      p.steps[3]
        == ProtocolStep(
          control: .voltage(4.2), limits: [.cRate(0.05)], text: "Hold at 4.2 V until C/20",
          location: SourceLocation(line: 1, column: 79)))
    #expect(p.steps.allSatisfy { $0.cycle == 0 && $0.ambientTemperature == nil })
  }

  @Test("PyBaMM's 'for … or until …' form")
  func forOrUntil() throws {
    let p = try CellProtocol(parsing: "Charge at 0.2 A for 10 hours or until 2.5 V")
    #expect(p.steps.count == 1)
    #expect(p.steps[0].control == .current(-0.2))
    #expect(p.steps[0].duration == 36_000)
    #expect(p.steps[0].limits == [.voltage(2.5)])
    #expect(p.steps[0].text == "Charge at 0.2 A for 10 hours or until 2.5 V")
  }

  @Test("constant-current discharge in amperes")
  func currentDischarge() throws {
    let p = try CellProtocol(parsing: "Discharge at 1.7 A until 2.15 V")
    #expect(p.steps == [
      ProtocolStep(
        control: .current(1.7), limits: [.voltage(2.15)], text: "Discharge at 1.7 A until 2.15 V")
    ])
  }

  @Test(
    "magnitudes and their units",
    arguments: [
      ("Discharge at 2 W until 3 V", ProtocolStep.Control.power(2)),
      ("Charge at 2 W until 4.1 V", .power(-2)),
      ("Discharge at 500 mW until 3 V", .power(0.5)),
      ("Charge at 1.5 kW until 4 V", .power(-1500)),
      ("discharge at 250 mA until 3 V", .current(0.25)),
      ("Discharge at 3 a until 3 V", .current(3)),
      ("Discharge at 2C until 3 V", .cRate(2)),
      ("Discharge at 2 C until 3 V", .cRate(2)),
      ("Discharge at C/5 until 3 V", .cRate(0.2)),
      ("Charge at C / 4 until 4 V", .cRate(-0.25)),
      ("DISCHARGE AT 1E-1C UNTIL 3 V", .cRate(0.1)),
      ("Discharge at .5C until 3 V", .cRate(0.5)),
      ("Hold at 4200 mV for 1 h", .voltage(4.2)),
      ("Hold at 4.2V for 1 h", .voltage(4.2)),
    ])
  func magnitudes(text: String, control: ProtocolStep.Control) throws {
    let p = try CellProtocol(parsing: text)
    #expect(p.steps.count == 1)
    #expect(p.steps.first?.control == control)
  }

  @Test(
    "limits and their units",
    arguments: [
      ("Discharge at 1C until 2500 mV", ProtocolStep.Limit.voltage(2.5)),
      ("Discharge at 1C until 3.0V", .voltage(3)),
      ("Hold at 4.2 V until 50 mA", .current(0.05)),
      ("Hold at 4.2 V until 0.1 A", .current(0.1)),
      ("Hold at 4.2 V until 0.05C", .cRate(0.05)),
      ("Hold at 4.2 V until C/50", .cRate(0.02)),
      ("Discharge at 1 A until 1.5 Ah", .capacity(1.5)),
      ("Discharge at 1 A until 250 mAh", .capacity(0.25)),
    ])
  func limits(text: String, limit: ProtocolStep.Limit) throws {
    let p = try CellProtocol(parsing: text)
    #expect(p.steps.first?.limits == [limit])
  }

  @Test("several limits joined by 'or'")
  func severalLimits() throws {
    let p = try CellProtocol(
      parsing: "Discharge at 2 A for 1 h until 2.5 V or 1 Ah or until 300 mAh")
    #expect(p.steps.first?.duration == 3600)
    #expect(p.steps.first?.limits == [.voltage(2.5), .capacity(1), .capacity(0.3)])
  }

  @Test(
    "durations",
    arguments: [
      ("Rest for 10 s", 10.0), ("Rest for 10 sec", 10), ("Rest for 1 second", 1),
      ("Rest for 2 seconds", 2), ("Rest for 5 min", 300), ("Rest for 1 minute", 60),
      ("Rest for 30 minutes", 1800), ("Rest for 2 h", 7200), ("Rest for 1 hr", 3600),
      ("Rest for 1.5 hours", 5400), ("Rest for 1 day", 86_400), ("Rest for 2 days", 172_800),
      ("Rest for 1 hour 30 minutes", 5400), ("Rest for 1 h 1 min 1 s", 3661), ("Rest for 90s", 90),
    ])
  func durations(text: String, seconds: Double) throws {
    let p = try CellProtocol(parsing: text)
    #expect(p.steps.first?.duration == seconds)
    #expect(p.steps.first?.control == .rest)
  }

  @Test(
    "ambient temperature",
    arguments: [
      ("Discharge at 1C until 2.5 V at 45C", 318.15),
      ("Discharge at 1C until 2.5 V at 45 °C", 318.15),
      ("Discharge at 1C until 2.5 V at 45°C", 318.15),
      ("Discharge at 1C until 2.5 V at 45 ° C", 318.15),
      ("Discharge at 1C until 2.5 V at 45 degC", 318.15),
      ("Discharge at 1C for 1 h at 318.15 K", 318.15),
      ("Rest for 1 h at -10 °C", 263.15),
      ("Rest for 1 h or until 3.5 V at 25 C", 298.15),
      ("Hold at 4.2 V until C/20 at 0 degC", 273.15),
      ("Discharge at 1C at 45C", 318.15),
    ])
  func temperature(text: String, kelvin: Double) throws {
    let p = try CellProtocol(parsing: text)
    let t = try #require(p.steps.first?.ambientTemperature)
    #expect(abs(t - kelvin) < 1e-9)
  }

  @Test("the 'at 45C' after a limit is a temperature, not a C-rate")
  func temperatureNotCRate() throws {
    let p = try CellProtocol(parsing: "Discharge at 1C until 2.5 V at 45C")
    #expect(p.steps.first?.control == .cRate(1))
    #expect(p.steps.first?.limits == [.voltage(2.5)])
    #expect(abs((p.steps.first?.ambientTemperature ?? 0) - 318.15) < 1e-9)
  }

  @Test("a discharge with no duration or limit runs to the cell's own cut-off")
  func unlimitedDischarge() throws {
    let p = try CellProtocol(parsing: "Discharge at 1C")
    #expect(p.steps == [ProtocolStep(control: .cRate(1), text: "Discharge at 1C")])
  }

  @Test("nested repeats expand, cycle numbered by the outermost repeat")
  func nestedRepeat() throws {
    let p = try CellProtocol(parsing: "repeat 2 { repeat 3 { Rest for 1 s } }")
    #expect(p.steps.count == 6)
    #expect(p.steps.map(\.cycle) == [1, 1, 1, 2, 2, 2])
    #expect(p.steps.allSatisfy { $0.control == .rest && $0.duration == 1 && $0.text == "Rest for 1 s" })
    #expect(p.steps.allSatisfy { $0.location == SourceLocation(line: 1, column: 23) })
  }

  @Test("repeat with 'times', steps before and after, newline-separated body")
  func repeatTimes() throws {
    let text = """
      Rest for 1 min
      repeat 2 times {
        Discharge at 1C until 2.5 V
        Charge at 1C until 4.2 V
      }
      Rest for 2 min
      """
    let p = try CellProtocol(parsing: text)
    #expect(
      p.steps.map(\.control) == [.rest, .cRate(1), .cRate(-1), .cRate(1), .cRate(-1), .rest])
    #expect(p.steps.map(\.cycle) == [0, 1, 1, 2, 2, 0])
    #expect(p.steps.map(\.location.line) == [1, 3, 4, 3, 4, 6])
    #expect(p.steps[1].location == SourceLocation(line: 3, column: 3))
  }

  @Test("repeat with the brace on the next line")
  func braceOnNextLine() throws {
    let p = try CellProtocol(parsing: "repeat 3\n{\nRest for 1 s\n}")
    #expect(p.steps.count == 3)
  }

  @Test("newline-separated protocol with comments and blank lines")
  func commentsAndNewlines() throws {
    let text = """
      # Capacity check
      Discharge at 1C until 2.5 V   # full discharge

      Rest for 30 minutes
        # recharge with CC-CV
      Charge at 0.5C until 4.2 V;Hold at 4.2 V until C/20 ;
      """
    let p = try CellProtocol(parsing: text)
    #expect(p.steps.count == 4)
    #expect(p.steps.map(\.text) == [
      "Discharge at 1C until 2.5 V", "Rest for 30 minutes", "Charge at 0.5C until 4.2 V",
      "Hold at 4.2 V until C/20",
    ])
    #expect(p.steps.map(\.location) == [
      SourceLocation(line: 2, column: 1), SourceLocation(line: 4, column: 1),
      SourceLocation(line: 6, column: 1), SourceLocation(line: 6, column: 28),
    ])
  }

  @Test("CRLF line endings count as one line break")
  func crlf() throws {
    let p = try CellProtocol(parsing: "Rest for 1 s\r\nRest for 2 s\r\n")
    #expect(p.steps.map(\.location.line) == [1, 2])
    #expect(p.steps.map(\.duration) == [1, 2])
  }

  @Test("Rest for … or until …")
  func restOrUntil() throws {
    let p = try CellProtocol(parsing: "Rest for 1 hour or until 4.1 V")
    #expect(p.steps == [
      ProtocolStep(control: .rest, duration: 3600, limits: [.voltage(4.1)], text: "Rest for 1 hour or until 4.1 V")
    ])
  }

  @Test("constantCurrentDischarge builds the step it says, and its source parses back to it")
  func convenience() throws {
    let p = CellProtocol.constantCurrentDischarge(cRate: 0.5, until: 2.7)
    #expect(p.steps.count == 1)
    #expect(p.steps[0].control == .cRate(0.5))
    #expect(p.steps[0].limits == [.voltage(2.7)])
    #expect(p.steps[0].duration == nil)
    #expect(try CellProtocol(parsing: p.source) == p)
  }

  @Test("10 000 expanded steps parse fast")
  func largeProtocol() throws {
    let cycle = "Discharge at 1C until 2.5 V; Rest for 10 minutes; Charge at 0.5C until 4.2 V; Hold at 4.2 V until C/20"
    let clock = ContinuousClock()
    var expanded: CellProtocol?
    let repeatTime = try clock.measure {
      expanded = try CellProtocol(parsing: "repeat 2500 { \(cycle) }")
    }
    #expect(expanded?.steps.count == 10_000)
    #expect(expanded?.steps.last?.cycle == 2500)

    let flat = Array(repeating: cycle.replacing("; ", with: "\n"), count: 2500).joined(separator: "\n")
    var parsed: CellProtocol?
    let flatTime = try clock.measure { parsed = try CellProtocol(parsing: flat) }
    #expect(parsed?.steps.count == 10_000)
    #expect(parsed?.steps.last?.location == SourceLocation(line: 10_000, column: 1))
    #expect(repeatTime < .seconds(2))
    #expect(flatTime < .seconds(5))
  }

  @Test("a repeat expanding to exactly the maximum is accepted")
  func maximumExpansion() throws {
    let p = try CellProtocol(parsing: "repeat 1000 { repeat 1000 { Rest for 1 s } }")
    #expect(p.steps.count == CellProtocol.maximumExpandedSteps)
  }

  @Test("spelling suggestions", arguments: [
    ("Dischrge", "Discharge"), ("chrge", "Charge"), ("rset", "Rest"), ("repeta", "repeat"),
  ])
  func suggestions(word: String, suggestion: String) {
    #expect(ProtocolParser.suggestion(for: word, among: ["Discharge", "Charge", "Rest", "Hold", "repeat"]) == suggestion)
  }

  @Test("no suggestion for far-off words or single-letter units")
  func noSuggestion() {
    #expect(ProtocolParser.suggestion(for: "Amps", among: ["C", "A", "mA"]) == nil)
    #expect(ProtocolParser.suggestion(for: "fly", among: ["Discharge", "Charge", "Rest", "Hold"]) == nil)
  }
}
