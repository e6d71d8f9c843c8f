// CellSim — CellExperiments/ProtocolParser.swift
//
// Recursive-descent parser for the protocol language (grammar in docs/protocol-grammar.md). Repeats
// are parsed into a tree whose expanded size is checked before anything is expanded, then expanded
// into a flat step list in one linear pass.

import CellCore
import Foundation

/// A parsed protocol item before `repeat` expansion.
private indirect enum ProtocolItem {
  case step(ProtocolStep)
  /// `count` repetitions of `body`; `size` is the number of steps it expands to.
  case repeated(count: Int, body: [ProtocolItem], size: Int)
}

/// What kind of step is being parsed; decides which clauses are allowed or required.
private enum StepKind {
  case current, rest, hold, profile
}

struct ProtocolParser {
  private let tokens: [ProtocolToken]
  private var index = 0
  /// End of the last consumed token, for the step's source text.
  private var lastEnd: String.Index
  private let source: String
  private var depth = 0
  /// Base directory of relative profile paths (`nil`: the current directory).
  private let profileDirectory: URL?

  private static let stepKeywords = ["Discharge", "Charge", "Rest", "Hold", "Run", "repeat"]
  private static let stepExpected = "a step (Discharge, Charge, Rest, Hold, Run or repeat)"
  private static let magnitudeUnits = "a unit (C, A, mA, W, mW, kW)"
  private static let limitUnits = "a limit unit (V, mV, A, mA, C, Ah, mAh)"
  private static let durationUnits = "a time unit (s, min, h, day)"
  private static let temperatureUnits = "a temperature unit (°C, degC, C or K)"
  private static let durationFactors: [String: Double] = [
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "day": 86_400, "days": 86_400,
  ]
  private static let durationUnitNames = [
    "s", "sec", "second", "seconds", "min", "minute", "minutes", "h", "hr", "hour", "hours", "day",
    "days",
  ]

  init(source: String, profileDirectory: URL? = nil) {
    self.source = source
    self.profileDirectory = profileDirectory
    self.tokens = ProtocolLexer.tokenize(source)
    self.lastEnd = source.startIndex
  }

  // MARK: - Entry point

  mutating func parseProtocol() throws(ProtocolParseError) -> [ProtocolStep] {
    let (items, total) = try parseBlock(opener: nil)
    var steps: [ProtocolStep] = []
    steps.reserveCapacity(total)
    Self.expand(items, cycle: nil, into: &steps)
    return steps
  }

  private static func expand(_ items: [ProtocolItem], cycle: Int?, into steps: inout [ProtocolStep]) {
    for item in items {
      switch item {
      case .step(var step):
        step.cycle = cycle ?? 0
        steps.append(step)
      case .repeated(let count, let body, _):
        for iteration in 1...count {
          expand(body, cycle: cycle ?? iteration, into: &steps)
        }
      }
    }
  }

  // MARK: - Token access

  private var current: ProtocolToken { tokens[min(index, tokens.count - 1)] }

  private var next: ProtocolToken { tokens[min(index + 1, tokens.count - 1)] }

  @discardableResult
  private mutating func advance() -> ProtocolToken {
    let token = current
    if token.kind != .end {
      index += 1
      lastEnd = token.range.upperBound
    }
    return token
  }

  private var isSeparator: Bool { current.kind == .semicolon || current.kind == .newline }

  private mutating func skipSeparators() {
    while isSeparator { advance() }
  }

  private func text(from start: ProtocolToken) -> String {
    let scalars = source.unicodeScalars
    return String(scalars[start.range.lowerBound..<max(lastEnd, start.range.lowerBound)])
  }

  // MARK: - Errors

  /// Builds an error at `token`, saying what was expected there, with a spelling suggestion among
  /// `candidates` and an optional extra explanation.
  private func error(
    at token: ProtocolToken, expected: String, candidates: [String] = [], detail: String? = nil,
    found: String? = nil
  ) -> ProtocolParseError {
    let foundText: String
    let foundDescription: String
    switch token.kind {
    case .end:
      foundText = found ?? ""
      foundDescription = found.map { "'\($0)'" } ?? "end of input"
    case .newline:
      foundText = found ?? ""
      foundDescription = found.map { "'\($0)'" } ?? "end of line"
    default:
      foundText = found ?? token.text
      foundDescription = "'\(foundText)'"
    }
    var message = "expected \(expected) but found \(foundDescription)"
    if token.kind == .word, let suggestion = Self.suggestion(for: token.text, among: candidates) {
      message += "; did you mean '\(suggestion)'?"
    }
    if let detail { message += "; \(detail)" }
    return ProtocolParseError(
      line: token.line, column: token.column, found: foundText, expected: expected, message: message)
  }

  /// The candidate closest to `word` if within edit distance 2 (ignoring case), and closer than
  /// rewriting the whole candidate. A candidate differing from `word` only in case (as `mA` from
  /// `MA`) is the best suggestion; one equal to `word` is none.
  static func suggestion(for word: String, among candidates: [String]) -> String? {
    let lower = word.lowercased()
    var best: (String, Int)?
    for candidate in candidates where candidate != word {
      let c = candidate.lowercased()
      let d = editDistance(lower, c)
      if d == 0 { return candidate }
      guard d <= min(2, c.unicodeScalars.count - 1) else { continue }
      if best == nil || d < (best?.1 ?? Int.max) { best = (candidate, d) }
    }
    return best?.0
  }

  // MARK: - Blocks and repeats

  /// Parses items up to the end of input (`opener == nil`) or the `}` matching `opener`.
  private mutating func parseBlock(
    opener: ProtocolToken?
  ) throws(ProtocolParseError) -> ([ProtocolItem], Int) {
    var items: [ProtocolItem] = []
    var total = 0
    while true {
      skipSeparators()
      let token = current
      switch token.kind {
      case .end:
        if let opener {
          throw error(
            at: token,
            expected:
              "'}' to close the repeat opened at line \(opener.line), column \(opener.column)")
        }
        if items.isEmpty {
          throw error(at: token, expected: "at least one step (Discharge, Charge, Rest, Hold, Run or repeat)")
        }
        return (items, total)
      case .closeBrace:
        guard opener != nil else {
          throw error(at: token, expected: Self.stepExpected, detail: "this '}' closes no repeat")
        }
        if items.isEmpty {
          throw error(at: token, expected: "at least one step inside the repeat")
        }
        advance()
        return (items, total)
      default:
        let (item, size) = try parseItem()
        let (sum, overflow) = total.addingReportingOverflow(size)
        if overflow || sum > CellProtocol.maximumExpandedSteps {
          throw error(
            at: token, expected: "at most \(CellProtocol.maximumExpandedSteps) expanded steps in total",
            detail: "the protocol would expand to more than \(CellProtocol.maximumExpandedSteps) steps")
        }
        total = sum
        items.append(item)
      }
    }
  }

  private mutating func parseItem() throws(ProtocolParseError) -> (ProtocolItem, Int) {
    let token = current
    guard token.kind == .word else {
      throw error(at: token, expected: Self.stepExpected)
    }
    switch token.text.lowercased() {
    case "discharge": return (.step(try parseStep(.current, sign: 1)), 1)
    case "charge": return (.step(try parseStep(.current, sign: -1)), 1)
    case "rest": return (.step(try parseStep(.rest, sign: 0)), 1)
    case "hold": return (.step(try parseStep(.hold, sign: 0)), 1)
    case "run": return (.step(try parseStep(.profile, sign: 0)), 1)
    case "repeat": return try parseRepeat()
    default:
      throw error(at: token, expected: Self.stepExpected, candidates: Self.stepKeywords)
    }
  }

  private mutating func parseRepeat() throws(ProtocolParseError) -> (ProtocolItem, Int) {
    let keyword = advance()
    let countToken = current
    let countExpected = "a whole number of repetitions (1 or more)"
    guard countToken.isNumber else {
      throw error(at: countToken, expected: countExpected)
    }
    guard countToken.text.unicodeScalars.allSatisfy({ $0 >= "0" && $0 <= "9" }) else {
      throw error(at: countToken, expected: countExpected)
    }
    guard let count = Int(countToken.text) else {
      throw error(
        at: countToken, expected: countExpected,
        detail: "at most \(CellProtocol.maximumExpandedSteps) expanded steps are allowed")
    }
    guard count >= 1 else {
      throw error(at: countToken, expected: countExpected)
    }
    advance()
    var sawTimes = false
    if current.isKeyword("times") {
      advance()
      sawTimes = true
    }
    while current.kind == .newline { advance() }
    guard current.kind == .openBrace else {
      throw error(
        at: current, expected: sawTimes ? "'{'" : "'times' or '{'",
        candidates: sawTimes ? [] : ["times"])
    }
    let opener = advance()
    depth += 1
    guard depth <= CellProtocol.maximumRepeatNesting else {
      throw error(
        at: keyword, expected: "repeats nested at most \(CellProtocol.maximumRepeatNesting) deep")
    }
    let (body, bodySize) = try parseBlock(opener: opener)
    depth -= 1
    let (size, overflow) = count.multipliedReportingOverflow(by: bodySize)
    if overflow || size > CellProtocol.maximumExpandedSteps {
      let amount = overflow ? "more than \(Int.max)" : "\(size)"
      throw error(
        at: keyword, expected: "at most \(CellProtocol.maximumExpandedSteps) expanded steps in total",
        detail:
          "the repeat at line \(keyword.line), column \(keyword.column) would expand to \(amount) steps",
        found: "repeat \(countToken.text)")
    }
    guard isSeparator || current.kind == .closeBrace || current.kind == .end else {
      throw error(at: current, expected: "';', a new line or end of input after '}'")
    }
    return (.repeated(count: count, body: body, size: size), size)
  }

  // MARK: - Steps

  private mutating func parseStep(_ kind: StepKind, sign: Double) throws(ProtocolParseError) -> ProtocolStep {
    let keyword = advance()
    var step = ProtocolStep(control: .rest, location: keyword.location)

    switch kind {
    case .current:
      try expectKeyword("at", "'at' and a current, C-rate or power, as in 'Discharge at 1C'")
      step.control = try parseMagnitude(sign: sign)
    case .hold:
      try expectKeyword("at", "'at' and a voltage, as in 'Hold at 4.2 V'")
      step.control = .voltage(try parseVoltage())
    case .rest:
      step.control = .rest
    case .profile:
      step.control = .profile(try parseProfile())
    }

    // [for <duration> [or]]
    if current.isKeyword("for") {
      advance()
      step.duration = try parseDuration()
      if current.isKeyword("or") {
        advance()
        guard current.isKeyword("until") else {
          throw error(at: current, expected: "'until' and a limit", candidates: ["until"])
        }
      }
    } else if kind == .rest {
      throw error(
        at: current, expected: "'for' and a duration", candidates: ["for"],
        detail: "a rest needs a duration, as in 'Rest for 1 hour or until 4.1 V'")
    }

    // [until <limit> {or [until] <limit>}]
    if current.isKeyword("until") {
      advance()
      step.limits.append(try parseLimit())
      while current.isKeyword("or") {
        advance()
        if current.isKeyword("until") { advance() }
        step.limits.append(try parseLimit())
      }
    }

    if kind == .hold, step.duration == nil, step.limits.isEmpty {
      throw error(
        at: current, expected: "'for' and a duration, or 'until' and a limit",
        candidates: ["for", "until"], detail: "a hold needs a duration or a limit")
    }

    // [at <temperature>]
    if current.isKeyword("at") {
      advance()
      step.ambientTemperature = try parseTemperature()
    }

    // The step must end here.
    guard isSeparator || current.kind == .closeBrace || current.kind == .end else {
      var options: [String] = []
      var candidates: [String] = []
      if step.ambientTemperature == nil {
        if step.duration == nil && step.limits.isEmpty {
          options += ["'for'", "'until'"]
          candidates += ["for", "until"]
        } else if step.limits.isEmpty {
          options += ["'or until'", "'until'"]
          candidates += ["or", "until"]
        } else {
          options.append("'or'")
          candidates.append("or")
        }
        options.append("'at' (ambient temperature)")
        candidates.append("at")
      }
      options += ["';'", "a new line"]
      let expected = options.dropLast().joined(separator: ", ") + " or " + (options.last ?? "")
      throw error(at: current, expected: expected, candidates: candidates)
    }
    step.text = text(from: keyword)
    return step
  }

  /// `Run <path>`: the path runs to the next whitespace, ';' or '#' (or is written in double quotes);
  /// the CSV is read here, relative to `profileDirectory`.
  private mutating func parseProfile() throws(ProtocolParseError) -> CurrentProfile {
    let start = current
    let expected = "a profile CSV file (as in 'Run drive_cycle.csv until 2.5 V')"
    guard start.kind != .end, start.kind != .newline, start.kind != .semicolon else {
      throw error(at: start, expected: expected)
    }
    let scalars = source.unicodeScalars
    var i = start.range.lowerBound
    var path = String.UnicodeScalarView()
    var end: String.Index
    if scalars[i] == "\"" {
      i = scalars.index(after: i)
      while i < scalars.endIndex, scalars[i] != "\"", scalars[i] != "\n", scalars[i] != "\r" {
        path.append(scalars[i])
        i = scalars.index(after: i)
      }
      guard i < scalars.endIndex, scalars[i] == "\"" else {
        throw error(at: start, expected: "a closing '\"' after the profile path", found: String(path))
      }
      end = scalars.index(after: i)
    } else {
      while i < scalars.endIndex, !scalars[i].properties.isWhitespace, scalars[i] != ";", scalars[i] != "#" {
        path.append(scalars[i])
        i = scalars.index(after: i)
      }
      end = i
    }
    let text = String(path)
    guard !text.isEmpty else { throw error(at: start, expected: expected) }
    while current.kind != .end, current.range.lowerBound < end { advance() }
    lastEnd = end
    let url: URL
    if text.hasPrefix("/") {
      url = URL(fileURLWithPath: text)
    } else if let base = profileDirectory {
      url = base.appendingPathComponent(text)
    } else {
      url = URL(fileURLWithPath: text)
    }
    do {
      return try CurrentProfile(contentsOf: url, source: text)
    } catch {
      throw ProtocolParseError(
        line: start.line, column: start.column, found: text, expected: "a valid profile CSV",
        message: error.description)
    }
  }

  private mutating func expectKeyword(_ keyword: String, _ expected: String) throws(ProtocolParseError) {
    guard current.isKeyword(keyword) else {
      throw error(at: current, expected: expected, candidates: [keyword])
    }
    advance()
  }

  // MARK: - Values

  /// A finite number, positive unless `allowNonPositive`.
  private mutating func parseNumber(
    expected: String, allowNonPositive: Bool = false, detail: String? = nil
  ) throws(ProtocolParseError) -> (Double, ProtocolToken) {
    let token = current
    guard case .number(let value) = token.kind else {
      let lower = token.text.lowercased()
      if token.kind == .word, ["nan", "inf", "infinity"].contains(lower) {
        throw error(at: token, expected: expected, detail: "NaN and infinity are not allowed")
      }
      throw error(at: token, expected: expected)
    }
    guard value.isFinite else {
      throw error(at: token, expected: "a finite number", detail: "the number is too large")
    }
    if !allowNonPositive && value <= 0 {
      throw error(at: token, expected: "a positive number", detail: detail)
    }
    advance()
    return (value, token)
  }

  /// An electrical unit normalised to lower case, or `nil` if `text` starts with an upper-case `M`
  /// (mega is not supported; milli is a lower-case `m`).
  private static func electricalUnit(_ token: ProtocolToken) -> String? {
    guard token.kind == .word else { return nil }
    if token.text.count > 1, token.text.hasPrefix("M") { return nil }
    return token.text.lowercased()
  }

  /// Whether the current token starts a `C/<n>` C-rate.
  private var atCOverN: Bool { current.kind == .word && current.text.lowercased() == "c" }

  /// `C/<n>`, returning 1/n.
  private mutating func parseCOverN() throws(ProtocolParseError) -> Double {
    let c = advance()
    guard current.kind == .slash else {
      throw error(
        at: c, expected: "a number before 'C' (as in 1C) or C/<n> (as in C/20)",
        detail: "a C-rate needs a number")
    }
    advance()
    let (n, _) = try parseNumber(expected: "a number after 'C/' (as in C/20)")
    return 1 / n
  }

  private mutating func parseMagnitude(sign: Double) throws(ProtocolParseError) -> ProtocolStep.Control {
    if atCOverN { return .cRate(sign * (try parseCOverN())) }
    let (value, _) = try parseNumber(
      expected: "a current, C-rate or power (<x>C, C/<n>, <x> A, <x> mA, <x> W, <x> mW or <x> kW)",
      detail: sign > 0
        ? "the magnitude must be positive; write 'Charge at …' to charge"
        : "the magnitude must be positive; write 'Discharge at …' to discharge")
    let unit = current
    switch Self.electricalUnit(unit) {
    case "c": advance(); return .cRate(sign * value)
    case "a": advance(); return .current(sign * value)
    case "ma": advance(); return .current(sign * value / 1000)
    case "w": advance(); return .power(sign * value)
    case "mw": advance(); return .power(sign * value / 1000)
    case "kw": advance(); return .power(sign * value * 1000)
    default:
      throw error(
        at: unit, expected: Self.magnitudeUnits, candidates: ["C", "A", "mA", "W", "mW", "kW"])
    }
  }

  private mutating func parseVoltage() throws(ProtocolParseError) -> Double {
    let (value, _) = try parseNumber(expected: "a voltage (<x> V or <x> mV)")
    let unit = current
    switch Self.electricalUnit(unit) {
    case "v": advance(); return value
    case "mv": advance(); return value / 1000
    default:
      throw error(at: unit, expected: "a voltage unit (V or mV)", candidates: ["V", "mV"])
    }
  }

  /// `<x> unit {<x> unit}` in seconds.
  private mutating func parseDuration() throws(ProtocolParseError) -> Double {
    var total = 0.0
    repeat {
      let (value, _) = try parseNumber(expected: "a duration (as in 30 minutes)")
      let unit = current
      guard unit.kind == .word, let factor = Self.durationFactors[unit.text.lowercased()] else {
        throw error(
          at: unit, expected: Self.durationUnits,
          candidates: Self.durationUnitNames)
      }
      advance()
      total += value * factor
    } while current.isNumber
    guard total.isFinite else {
      throw error(at: current, expected: "a finite duration")
    }
    return total
  }

  private mutating func parseLimit() throws(ProtocolParseError) -> ProtocolStep.Limit {
    if atCOverN { return .cRate(try parseCOverN()) }
    let (value, _) = try parseNumber(
      expected: "a limit (<x> V, <x> mV, <x> A, <x> mA, <x>C, C/<n>, <x> Ah or <x> mAh)")
    let unit = current
    switch Self.electricalUnit(unit) {
    case "v": advance(); return .voltage(value)
    case "mv": advance(); return .voltage(value / 1000)
    case "a": advance(); return .current(value)
    case "ma": advance(); return .current(value / 1000)
    case "c": advance(); return .cRate(value)
    case "ah": advance(); return .capacity(value)
    case "mah": advance(); return .capacity(value / 1000)
    default:
      throw error(
        at: unit, expected: Self.limitUnits, candidates: ["V", "mV", "A", "mA", "C", "Ah", "mAh"])
    }
  }

  /// `<x> (°C | degC | C | celsius | ° C | deg C | K | kelvin)`, in kelvin.
  private mutating func parseTemperature() throws(ProtocolParseError) -> Double {
    let (value, numberToken) = try parseNumber(
      expected: "an ambient temperature (as in 25 °C, 25 degC, 25C or 298.15 K)",
      allowNonPositive: true)
    let unit = current
    guard unit.kind == .word else {
      throw error(at: unit, expected: Self.temperatureUnits)
    }
    let kelvin: Double
    switch unit.text.lowercased() {
    case "°c", "℃", "degc", "c", "celsius":
      advance()
      kelvin = value + 273.15
    case "°" where next.isKeyword("c"), "deg" where next.isKeyword("c"):
      advance()
      advance()
      kelvin = value + 273.15
    case "k", "kelvin":
      advance()
      kelvin = value
    default:
      throw error(
        at: unit, expected: Self.temperatureUnits, candidates: ["°C", "degC", "C", "K", "celsius", "kelvin"])
    }
    guard kelvin > 0 else {
      throw error(
        at: numberToken, expected: "a temperature above absolute zero (0 K = -273.15 °C)",
        found: "\(numberToken.text) \(unit.text)")
    }
    return kelvin
  }
}
