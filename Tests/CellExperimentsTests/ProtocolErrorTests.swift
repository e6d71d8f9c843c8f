// CellSim — CellExperimentsTests/ProtocolErrorTests.swift
//
// Malformed protocols are rejected with the location of the offending text (worked out by hand),
// what was found there and what is accepted instead.

import Testing

@testable import CellExperiments

/// One malformed input and where its error must point.
struct MalformedCase: Sendable, CustomTestStringConvertible {
  var text: String
  var line: Int
  var column: Int
  var found: String
  var testDescription: String { text.debugDescription }

  init(_ text: String, _ line: Int, _ column: Int, _ found: String) {
    self.text = text
    self.line = line
    self.column = column
    self.found = found
  }
}

@Suite("Protocol parser: malformed protocols")
struct ProtocolErrorTests {
  static let cases: [MalformedCase] = [
    // Misspelt or unknown keywords
    MalformedCase("Dischrge at 1C", 1, 1, "Dischrge"),
    MalformedCase("Discharge 1C until 2.5 V", 1, 11, "1"),
    MalformedCase("Discharge at 1C untill 2.5 V", 1, 17, "untill"),
    MalformedCase("Fly to the moon", 1, 1, "Fly"),
    // Magnitudes
    MalformedCase("Discharge at C until 2.5 V", 1, 14, "C"),
    MalformedCase("Discharge at -1C", 1, 14, "-1"),
    MalformedCase("Discharge at 0C until 2.5 V", 1, 14, "0"),
    MalformedCase("Discharge at 1 Amps", 1, 16, "Amps"),
    MalformedCase("Discharge at 1 MA until 3 V", 1, 16, "MA"),
    MalformedCase("Discharge at C/0 until 2.5 V", 1, 16, "0"),
    MalformedCase("Discharge at 1,5C", 1, 15, ","),
    MalformedCase("Charge at 1", 1, 12, ""),
    // Non-finite numbers
    MalformedCase("Discharge at nan C", 1, 14, "nan"),
    MalformedCase("Discharge at inf A", 1, 14, "inf"),
    MalformedCase("Discharge at 1e999 C", 1, 14, "1e999"),
    MalformedCase("Rest for NaN s", 1, 10, "NaN"),
    // Limits
    MalformedCase("Discharge at 1C until", 1, 22, ""),
    MalformedCase("Discharge at 1C until 2.5 Volts", 1, 27, "Volts"),
    MalformedCase("Discharge at 1C until 0 V", 1, 23, "0"),
    MalformedCase("Discharge at 1C until -2.5 V", 1, 23, "-2.5"),
    MalformedCase("Discharge at 1C until 2.5 V or", 1, 31, ""),
    MalformedCase("Discharge at 1C until 2.5 V until 3 V", 1, 29, "until"),
    MalformedCase("Discharge at 1C for 10 hours or 2.5 V", 1, 33, "2.5"),
    // Durations
    MalformedCase("Rest for ten minutes", 1, 10, "ten"),
    MalformedCase("Rest for 10", 1, 12, ""),
    MalformedCase("Rest for 10 fortnights", 1, 13, "fortnights"),
    MalformedCase("Rest for 0 s", 1, 10, "0"),
    MalformedCase("Charge at 1 A for 1 hour 30", 1, 28, ""),
    MalformedCase("Rest until 4.1 V", 1, 6, "until"),
    MalformedCase("Rest", 1, 5, ""),
    // Holds
    MalformedCase("Hold at 4.2 V", 1, 14, ""),
    MalformedCase("Hold at 4.2 A for 1 h", 1, 13, "A"),
    MalformedCase("Hold at 0 V for 1 h", 1, 9, "0"),
    // Temperatures
    MalformedCase("Discharge at 1C until 2.5 V at -300 °C", 1, 32, "-300 °C"),
    MalformedCase("Discharge at 1C until 2.5 V at 0 K", 1, 32, "0 K"),
    MalformedCase("Discharge at 1C until 2.5 V at 45", 1, 34, ""),
    MalformedCase("Rest for 5 minutes at 25 °F", 1, 26, "°F"),
    MalformedCase("Rest for 5 minutes at 25 °C for 1 h", 1, 29, "for"),
    // Repeats and braces
    MalformedCase("repeat 0 { Rest for 1 s }", 1, 8, "0"),
    MalformedCase("repeat -2 { Rest for 1 s }", 1, 8, "-2"),
    MalformedCase("repeat 2.5 { Rest for 1 s }", 1, 8, "2.5"),
    MalformedCase("repeat { Rest for 1 s }", 1, 8, "{"),
    MalformedCase("repeat 2 Rest for 1 s", 1, 10, "Rest"),
    MalformedCase("repeat 2 { Rest for 1 s", 1, 24, ""),
    MalformedCase("repeat 2 {\n  Rest for 1 s\n", 3, 1, ""),
    MalformedCase("Rest for 1 s }", 1, 14, "}"),
    MalformedCase("repeat 2 { }", 1, 12, "}"),
    MalformedCase("repeat 2 { Rest for 1 s } Rest for 1 s", 1, 27, "Rest"),
    MalformedCase("repeat 1000000 { repeat 1000000 { Rest for 1 s } }", 1, 1, "repeat 1000000"),
    MalformedCase("repeat 99999999999999999999999 { Rest for 1 s }", 1, 8, "99999999999999999999999"),
    // Empty input and trailing junk, on later lines
    MalformedCase("", 1, 1, ""),
    MalformedCase("   \n# only a comment\n\n", 4, 1, ""),
    MalformedCase(
      "Discharge at 1C until 2.5 V\nRest for 1 minute\nCharge at 1C until 4.2 V at", 3, 28, ""),
    MalformedCase(
      "Discharge at 1C until 2.5 V\n  Rest for 1 min\n  Charge at 1C until 4.2 V xyz", 3, 28, "xyz"),
    MalformedCase("Rest for 1 s\n\n   Discharge at 1C until 2.5 V at 25 °C;   Hold at 4.2 V", 3, 57, ""),
  ]

  @Test("each malformed input is rejected at the right place", arguments: cases)
  func rejected(_ c: MalformedCase) {
    do {
      let p = try CellProtocol(parsing: c.text)
      Issue.record("parsed \(c.text.debugDescription) into \(p.steps.count) steps; expected an error")
    } catch {
      #expect(error.line == c.line, "\(error)")
      #expect(error.column == c.column, "\(error)")
      #expect(error.found == c.found, "\(error)")
      #expect(!error.expected.isEmpty)
      #expect(error.message.contains(error.expected))
      #expect(error.description.hasPrefix("protocol line \(c.line), column \(c.column): expected "))
    }
  }

  @Test("at least 25 malformed cases are checked")
  func enoughCases() {
    #expect(Self.cases.count >= 25)
  }

  private func parseError(_ text: String) -> ProtocolParseError? {
    do {
      _ = try CellProtocol(parsing: text)
      return nil
    } catch {
      return error
    }
  }

  @Test("the error description reads as documented")
  func descriptionFormat() throws {
    let error = try #require(parseError("Discharge at 1 Amps"))
    #expect(error.expected == "a unit (C, A, mA, W, mW, kW)")
    #expect(
      error.description
        == "protocol line 1, column 16: expected a unit (C, A, mA, W, mW, kW) but found 'Amps'")
  }

  @Test("misspelt keywords get a suggestion", arguments: [
    ("Dischrge at 1C", "did you mean 'Discharge'?"),
    ("Discharge at 1C untill 2.5 V", "did you mean 'until'?"),
    ("Discharge at 1C until 2.5 V;\nRset for 1 h", "did you mean 'Rest'?"),
    ("Hodl at 4.2 V for 1 h", "did you mean 'Hold'?"),
    ("repaet 2 { Rest for 1 s }", "did you mean 'repeat'?"),
    ("Rest for 1 minuts", "did you mean 'minute'?"),
    ("Discharge at 1 mAA", "did you mean 'mA'?"),
    ("Discharge at 1 MA", "did you mean 'mA'?"),
    ("Hold at 4.2 MV for 1 h", "did you mean 'mV'?"),
    ("Discharge at 1C until 2.5 V at 25 kelvn", "did you mean 'kelvin'?"),
  ])
  func suggestion(text: String, hint: String) throws {
    let error = try #require(parseError(text))
    #expect(error.message.hasSuffix(hint) || error.message.contains(hint + ";"), "\(error)")
  }

  @Test("end of input and end of line are described as such")
  func endDescriptions() throws {
    let atEnd = try #require(parseError("Discharge at 1C until"))
    #expect(atEnd.message.hasSuffix("but found end of input"))
    let atEOL = try #require(parseError("Discharge at 1C until\nRest for 1 s"))
    #expect(atEOL.line == 1 && atEOL.column == 22)
    #expect(atEOL.message.hasSuffix("but found end of line"))
  }

  @Test("a negative magnitude says how to charge instead")
  func negativeHint() throws {
    let error = try #require(parseError("Discharge at -1C"))
    #expect(error.expected == "a positive number")
    #expect(error.message.contains("'Charge at …'"))
  }

  @Test("too large a repeat names the repeat")
  func hugeRepeat() throws {
    let error = try #require(parseError("Rest for 1 s\nrepeat 2000 { repeat 1000 { Rest for 1 s } }"))
    #expect(error.line == 2 && error.column == 1)
    #expect(error.found == "repeat 2000")
    #expect(error.message.contains("the repeat at line 2, column 1 would expand to 2000000 steps"))
  }

  @Test("siblings that together exceed the maximum are rejected at the one that crosses it")
  func siblingsExceed() throws {
    let error = try #require(
      parseError("repeat 1000000 { Rest for 1 s }\nRest for 1 s"))
    #expect(error.line == 2 && error.column == 1)
  }

  @Test("deeply nested repeats are rejected, not a stack overflow")
  func deepNesting() throws {
    let text = String(repeating: "repeat 1 { ", count: 200) + "Rest for 1 s" + String(repeating: " }", count: 200)
    let error = try #require(parseError(text))
    #expect(error.line == 1)
    #expect(error.column == 1 + 11 * CellProtocol.maximumRepeatNesting)
  }
}
