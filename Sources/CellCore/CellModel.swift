// CellSim — CellCore/CellModel.swift
//
// The contract between a chemistry and the engine. A cell model is a semi-explicit DAE in its own
// unknowns y:
//
//     dy_i/dt = f_i(y; I, T_amb)     for differential states (isDifferential[i] == true)
//           0 = g_i(y; I, T_amb)     for algebraic states    (isDifferential[i] == false)
//
// The cell current I [A] (> 0 on discharge) is *not* one of the model's states: the engine appends it
// as one more algebraic unknown, whose equation is set by the operating mode of the protocol step
// (I = I_set, V(y, I) = V_set or I·V(y, I) = P_set). That is how every operating mode enters every
// model, and why a model only has to say how its voltage depends on its state and current.

/// What the engine passes to a model besides its state.
public struct OperatingPoint: Sendable, Equatable {
  /// Cell current [A]; positive on discharge.
  public var current: Double
  /// Ambient (surrounding) temperature [K].
  public var ambientTemperature: Double

  public init(current: Double, ambientTemperature: Double) {
    self.current = current
    self.ambientTemperature = ambientTemperature
  }
}

/// How the initial state of a run is chosen.
public enum InitialCondition: Sendable, Equatable {
  /// State of charge in [0, 1] (1 = full).
  case stateOfCharge(Double)
  /// Open-circuit voltage [V] to start at.
  case openCircuitVoltage(Double)
}

/// A chemistry's cell model, ready to integrate. Parameters are decoded and validated before a model
/// is built; the methods below see plain numbers and must not allocate.
public protocol CellModel: Sendable {
  /// Short name of the model, e.g. "SPM".
  var name: String { get }
  /// Number of the model's own unknowns (the engine appends the current).
  var stateCount: Int { get }
  /// `true` for differential states (mass-matrix diagonal 1), `false` for algebraic ones (0).
  var isDifferential: [Bool] { get }
  /// Half-bandwidths of ∂(f, g)/∂y among the model's own states, or `nil` for a dense Jacobian.
  var jacobianBandwidth: (lower: Int, upper: Int)? { get }
  /// The states the terminal voltage depends on and whose equations depend on the current (for the
  /// SPM: the surface cells of both particles, stored next to each other). The engine inserts its own
  /// unknowns (current, charge, energy) in the middle of this range, so a banded model stays banded.
  /// `nil` (the default) puts them last, with a dense Jacobian — right for small models.
  var currentCoupling: Range<Int>? { get }

  /// Capacity that defines 1C [A h].
  var nominalCapacity: Double { get }
  /// The cell's own voltage limits [V]; every step ends on them even if the protocol does not say so.
  var voltageLimits: ClosedRange<Double> { get }
  /// Ambient temperature [K] of the cell file, used when neither the run nor the step sets one.
  var defaultAmbientTemperature: Double { get }
  /// Absolute error tolerance of each state, in the state's own unit (the integrator's error test is
  /// |e_i| ≤ atol_i + rtol·|y_i|). Species spanning many decades need small values here.
  var absoluteTolerances: [Double] { get }

  /// The state at the start of a run.
  /// - Throws: `CellModelError` when the condition cannot be met (e.g. a voltage outside the OCV range).
  func initialState(_ condition: InitialCondition, ambientTemperature: Double) throws(CellModelError)
    -> [Double]

  /// Writes f (differential rows) and g (algebraic rows) into `out` (count `stateCount`).
  func evaluate(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>)

  /// Terminal voltage [V] at state `y` and current `point.current`.
  func terminalVoltage(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double

  /// Cell temperature [K] (the ambient one for isothermal models).
  func temperature(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double

  /// State of charge in [0, 1] as the chemistry defines it.
  func stateOfCharge(_ y: UnsafeBufferPointer<Double>) -> Double

  /// Names (with units) of the model's own CSV columns, written after the common ones.
  var outputColumns: [String] { get }
  /// Values of `outputColumns` at a state.
  func outputs(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>)

  /// Names of model-specific termination events (e.g. "cathode stoichiometry window").
  var eventNames: [String] { get }

  /// For a model whose states, at a constant current I and the ambient temperature T_amb, obey the
  /// linear, diagonal system
  ///
  ///     dy_i/dt = −decay_i·y_i + gain_i·I      (decay_i ≥ 0 [s⁻¹], gain_i [state unit A⁻¹ s⁻¹])
  ///
  /// exactly: writes decay and gain (count `stateCount`) and returns `true`; the engine then solves
  /// constant-current steps in closed form. A model only some of whose states are linear (their rates
  /// depending on themselves and I only) writes NaN as the decay of the others and returns `true`: in
  /// constant-current steps the engine then solves the linear ones in closed form and the others by
  /// the exact integrator's inner BDF (`ExactFlowIntegrator`, `evaluateStatesWithoutLinearDynamics`).
  /// The default returns `false`.
  func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool
  /// `evaluate` for the states without linear dynamics only (NaN decay in `linearDynamics`): the
  /// entries of the others may be left unwritten. The engine's inner BDF, which integrates just those
  /// in constant-current steps, calls it for each of its residuals. Default: `evaluate`.
  func evaluateStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>)
  /// Whether `evaluateStatesWithoutLinearDynamics` reads the states with linear dynamics (the engine
  /// then keeps them current for it). Default: `true`.
  var statesWithoutLinearDynamicsReadLinearStates: Bool { get }
  /// The Jacobian of `evaluateStatesWithoutLinearDynamics` with respect to those states (the ones with
  /// NaN decay, in state order): writes ∂rate_i/∂y_j of the i-th and j-th of them at
  /// `entries[i + j·leadingDimension]` and returns `true`; the entries arrive zeroed. Default `false`:
  /// the engine differentiates numerically.
  func jacobianOfStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool
  /// The terminal voltage's derivatives at state `y` and current `point.current`: writes ∂V/∂y
  /// (count `stateCount`) into `gradient` and returns ∂V/∂I [V A⁻¹]; `nil` (the default) when the
  /// model does not provide them. With `linearDynamics` or `jacobian` they give the engine an analytic
  /// Newton matrix for voltage and power steps instead of one residual evaluation per state.
  func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double?
  /// The Jacobian of `evaluate` at state `y` and current `point.current`, for a small model with a
  /// dense Newton matrix: writes ∂out_i/∂y_j at `entries[i + j·leadingDimension]` (j < `stateCount`)
  /// and ∂out_i/∂I in column j = `stateCount`, rows i < `stateCount`, and returns `true`. The
  /// entries arrive zeroed. The default returns `false`: the engine differentiates numerically (one
  /// residual evaluation per state).
  func jacobian(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool
  /// Event functions, positive while the run may go on; a step ends where one reaches zero.
  func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>)
}

extension CellModel {
  public var currentCoupling: Range<Int>? { nil }
  public var eventNames: [String] { [] }
  public func events(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) {}
  public func temperature(_ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint) -> Double {
    point.ambientTemperature
  }
  public func linearDynamics(
    ambientTemperature: Double, decay: UnsafeMutableBufferPointer<Double>, gain: UnsafeMutableBufferPointer<Double>
  ) -> Bool { false }
  public func evaluateStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into out: UnsafeMutableBufferPointer<Double>
  ) { evaluate(y, point, into: out) }
  public var statesWithoutLinearDynamicsReadLinearStates: Bool { true }
  public func jacobianOfStatesWithoutLinearDynamics(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool { false }
  public func voltageDerivatives(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double? { nil }
  public func jacobian(
    _ y: UnsafeBufferPointer<Double>, _ point: OperatingPoint, into entries: UnsafeMutableBufferPointer<Double>,
    leadingDimension: Int
  ) -> Bool { false }
}

/// Why a model could not produce what was asked of it.
public struct CellModelError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
