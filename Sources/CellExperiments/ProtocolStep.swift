// CellSim — CellExperiments/ProtocolStep.swift
//
// The typed form of one step of a test protocol, as produced by `CellProtocol(parsing:)` and executed
// by the protocol engine. Sign convention throughout CellSim: a current (or power) is positive on
// discharge and negative on charge.

/// A position in the protocol text; both numbers are 1-based. Columns count Unicode scalars, so a tab
/// or a `°` counts as one column.
public struct SourceLocation: Sendable, Equatable {
  /// Line number, starting at 1.
  public var line: Int
  /// Column number within the line, starting at 1.
  public var column: Int

  /// Creates a location from a 1-based line and column.
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
}

/// One step of a test protocol: what the cell is driven with, and when the step ends.
///
/// A step ends at whichever comes first: its `duration` elapsing or any of its `limits` being reached.
/// The engine additionally always enforces the cell's own voltage limits, so a step with neither a
/// duration nor a limit (e.g. `Discharge at 1C`) runs until the cell reaches its cut-off.
public struct ProtocolStep: Sendable, Equatable {
  /// How the cell is driven during the step.
  public enum Control: Sendable, Equatable {
    /// Constant current [A], signed: > 0 discharge, < 0 charge.
    case current(Double)
    /// Constant C-rate, signed: > 0 discharge, < 0 charge (`C/20` is 0.05).
    case cRate(Double)
    /// Constant power [W], signed: > 0 discharge, < 0 charge.
    case power(Double)
    /// Constant terminal voltage [V] (a potentiostatic hold).
    case voltage(Double)
    /// No current.
    case rest
    /// Follow a time series of current, power or C-rate (linear interpolation; > 0 discharge), from
    /// `Run <file.csv>`; the step ends at the end of the profile at the latest.
    case profile(CurrentProfile)
  }

  /// A condition that ends a step.
  public enum Limit: Sendable, Equatable {
    /// Terminal voltage [V]: the step ends when the voltage reaches this value — falling to it on a
    /// discharge, rising to it on a charge.
    case voltage(Double)
    /// Current magnitude [A]: the step ends when |I| falls to this value.
    case current(Double)
    /// C-rate magnitude: the step ends when |I| falls to this C-rate.
    case cRate(Double)
    /// Charge [A h]: the step ends when the magnitude of the charge passed within the step reaches
    /// this value.
    case capacity(Double)
  }

  /// How the cell is driven.
  public var control: Control
  /// Maximum duration of the step [s]; `nil` if the step is ended only by its limits.
  public var duration: Double?
  /// Conditions ending the step (any one suffices), in the order written.
  public var limits: [Limit]
  /// Ambient temperature during the step [K]; `nil` keeps the simulation's ambient temperature.
  public var ambientTemperature: Double?
  /// The step's source text, trimmed (without comments or separators).
  public var text: String
  /// Where the step starts in the protocol text (its first keyword).
  public var location: SourceLocation
  /// 0 for a step outside any `repeat`; otherwise the 1-based iteration number of the *outermost*
  /// enclosing `repeat`, so every step of one outer cycle shares the same number.
  public var cycle: Int

  /// Creates a step. Values are taken as given (no validation); use `CellProtocol(parsing:)` to get
  /// validated steps from text.
  public init(
    control: Control, duration: Double? = nil, limits: [Limit] = [],
    ambientTemperature: Double? = nil, text: String = "",
    location: SourceLocation = SourceLocation(line: 1, column: 1), cycle: Int = 0
  ) {
    self.control = control
    self.duration = duration
    self.limits = limits
    self.ambientTemperature = ambientTemperature
    self.text = text
    self.location = location
    self.cycle = cycle
  }
}
