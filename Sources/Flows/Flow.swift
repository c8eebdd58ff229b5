import FlowGeometry
import Foundation
import Functionals
import Integrators
import LabeledData

/// When a flow may stop before its step budget.
public enum StoppingRule: Sendable, Equatable {
    /// Stop as soon as the loss is at most `threshold`.
    case lossBelow(Double)
    /// Stop when `|loss_k - loss_{k-patience}| <= tolerance * max(|loss_k|, 1e-12)`,
    /// i.e. the loss has stalled over `patience` steps.
    case relativeChangeBelow(Double, patience: Int)

    func isMet(_ losses: [Double]) -> Bool {
        guard let last = losses.last else { return false }
        switch self {
        case let .lossBelow(threshold):
            return last <= threshold
        case let .relativeChangeBelow(tolerance, patience):
            guard patience > 0, losses.count > patience else { return false }
            let earlier = losses[losses.count - 1 - patience]
            return abs(last - earlier) <= tolerance * max(abs(last), 1e-12)
        }
    }
}

/// Why a flow ended.
public enum FlowTermination: Sendable, Equatable {
    /// All requested steps were taken.
    case completedSteps
    /// The stopping rule was met after `step` steps.
    case converged(step: Int)
}

/// A state recorded during a flow.
public struct FlowSnapshot<State: Sendable>: Sendable {
    /// Number of steps taken before the snapshot (0 = initial state).
    public let step: Int
    public let state: State
}

/// What `Flow.run` returns.
public struct FlowResult<State: Sendable>: Sendable {
    /// The state after the last step.
    public var state: State
    /// `losses[k]` is `F` at the state after `k` steps; the last entry is the final
    /// state's loss.
    public var losses: [Double]
    /// States every `snapshotInterval` steps, and the initial and final states (none when
    /// the flow's `keepsSnapshots` is `false`).
    public var snapshots: [FlowSnapshot<State>]
    public var termination: FlowTermination
    /// Wall-clock seconds spent in the loop.
    public var seconds: Double
    /// Number of steps taken.
    public var steps: Int { losses.count - 1 }
}

/// A flow stopped because the loss, the gradient or the state became NaN or infinite.
/// `partial` holds everything up to the last good state.
public struct FlowDivergence<State: Sendable>: Error, CustomStringConvertible, Sendable {
    /// The step at which the non-finite value appeared.
    public let step: Int
    /// "loss", "gradient" or "state".
    public let quantity: String
    /// The flow up to the last finite state (`partial.state`).
    public let partial: FlowResult<State>
    /// What reported the non-finite value, when a conformer did (a kernel's
    /// `ConformerError.nonFinite`, naming the kernel and the value); `nil` when `Flow`
    /// found it in the loss, gradient or state.
    public let cause: ConformerError?

    public init(step: Int, quantity: String, partial: FlowResult<State>, cause: ConformerError? = nil) {
        self.step = step
        self.quantity = quantity
        self.partial = partial
        self.cause = cause
    }

    public var description: String {
        let reported = cause.map { " (\($0))" } ?? ""
        if partial.losses.isEmpty {
            // Nothing was moved yet: the initial state or the functional is at fault.
            return "the \(quantity) at the initial state is not finite (before any step)\(reported): check the input (values too large for Float?) and the functional's parameters"
        }
        if step == 0 {
            return "the \(quantity) at the initial state is not finite (before any step; the loss there was \(partial.losses[0]))\(reported): check the input and the functional's parameters"
        }
        return "the flow diverged at step \(step): the \(quantity) is not finite\(reported); stopped, last good state (after \(partial.steps) steps) kept. Try a smaller learning rate."
    }
}

/// Why a flow refused to start.
public enum FlowError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(String)
    case nonFiniteInitialState

    public var description: String {
        switch self {
        case let .invalidParameter(message): return "invalid flow parameter: \(message)"
        case .nonFiniteInitialState: return "the initial state contains NaN or infinite values"
        }
    }
}

/// A gradient flow: a functional minimised by an integrator from an initial state.
///
/// Configure once, then `run`. Each step evaluates `F` and its gradient at the current
/// state, records the loss, checks that loss and gradient are finite and that the
/// gradient fits the state, and lets the integrator move the state (checking that it kept
/// the state's shape). Progress goes to an observer.
///
/// Everything a conformer returns is checked where it enters the driver: a functional
/// that leaves no gradient or a gradient of the wrong shape, or an integrator that changes
/// the state's shape, ends the run with `ConformerError.malformed` naming the conformer's
/// type; NaN or infinity ends it with `FlowDivergence`, which keeps the last good state.
///
/// Memory: a run holds the state, the last finite state (a copy, refreshed in place
/// every step, which an exact rollback needs), the gradient (handed back to the functional
/// and rewritten in place) and the snapshots; `run(from:...)` takes the initial state
/// over, so a caller that passes its last reference (`run(from: consume state, ...)`)
/// and sets `keepsSnapshots = false` holds no further copy of a large state.
///
/// ```swift
/// let kernel = try RieszSW(exponent: 1)
/// let mmd = try MMD(kernel: kernel, target: target)
/// var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 500)
/// var rng = SeededGenerator(seed: 0)
/// let result = try flow.run(from: source, using: &rng)
/// ```
public struct Flow<F: Functional, I: Integrator> where F.State == I.State, F.State: Sendable {
    public var functional: F
    public var integrator: I
    /// Number of integrator steps.
    public var steps: Int
    /// Record the state every this many steps (`nil`: only initial and final).
    public var snapshotInterval: Int?
    /// Optional early stop.
    public var stopping: StoppingRule?
    /// Whether the result keeps snapshots (default `true`): the initial and final states
    /// and one every `snapshotInterval` steps. With `false`, `FlowResult.snapshots` is
    /// empty and the run keeps no copy of the initial state (for states too large to
    /// hold once more; an observer can record what it needs). `snapshotInterval` must
    /// then be `nil`.
    public var keepsSnapshots = true

    public init(functional: F, integrator: I, steps: Int, snapshotInterval: Int? = nil, stopping: StoppingRule? = nil) {
        self.functional = functional
        self.integrator = integrator
        self.steps = steps
        self.snapshotInterval = snapshotInterval
        self.stopping = stopping
    }

    /// Runs the flow from `initial` with no observer. The integrator's memory (velocity)
    /// carries over between calls on the same `Flow` value.
    ///
    /// - Throws: see `run(from:observer:using:)`.
    public mutating func run(from initial: consuming F.State, using generator: inout some RandomNumberGenerator) throws -> FlowResult<F.State> {
        var silent = SilentObserver()
        return try run(from: initial, observer: &silent, using: &generator)
    }

    /// Runs the flow from `initial`, reporting to `observer` after every loss evaluation
    /// (a struct observer's records stay in the caller's variable). The integrator's
    /// memory (velocity) carries over between calls on the same `Flow` value. The run
    /// takes `initial` over: when the caller passes its last reference, the state moves
    /// in place (no copy of its storage on the first move).
    ///
    /// - Throws: `FlowError` for invalid settings or a non-finite initial state;
    ///   `FlowDivergence` (with the last good state) when the flow produces NaN/inf;
    ///   `ConformerError.malformed` when the functional or the integrator returns
    ///   something that does not fit the state; errors of the functional (shape
    ///   mismatches with its target), the integrator and the observer.
    public mutating func run<Observer: FlowObserver>(
        from initial: consuming F.State, observer: inout Observer, using generator: inout some RandomNumberGenerator
    ) throws -> FlowResult<F.State> {
        try validateSettings()
        guard initial.isFinite else { throw FlowError.nonFiniteInitialState }
        var run = FlowRun(initial: consume initial, steps: steps, keepsSnapshots: keepsSnapshots)
        return try loop(&run, observer: &observer, using: &generator) { _, _, _, _ in }
    }

    /// Throws `FlowError.invalidParameter` for a negative step budget, a non-positive
    /// snapshot interval, or one without `keepsSnapshots`.
    package func validateSettings() throws {
        guard steps >= 0 else { throw FlowError.invalidParameter("steps must be >= 0, got \(steps)") }
        if let interval = snapshotInterval, interval <= 0 {
            throw FlowError.invalidParameter("snapshot interval must be positive, got \(interval)")
        }
        if let interval = snapshotInterval, !keepsSnapshots {
            throw FlowError.invalidParameter("a snapshot interval (\(interval)) needs keepsSnapshots")
        }
    }

    /// The step loop, from the run's current step (`run.losses.count`: 0 for a fresh run,
    /// the checkpoint's step for a resumed one) to the step budget. `afterMove(run,
    /// movesDone, generator, flow)` runs after every move (before the loss at the new
    /// state is evaluated), for checkpoints; it sees the flow as it is then (integrator
    /// memory).
    package mutating func loop<Observer: FlowObserver, G: RandomNumberGenerator>(
        _ run: inout FlowRun<F.State>, observer: inout Observer, using generator: inout G,
        afterMove: (inout FlowRun<F.State>, Int, inout G, Self) throws -> Void
    ) throws -> FlowResult<F.State> {
        let first = run.losses.count
        if first <= steps {
            for step in first...steps {
                let gradient = try evaluate(&run, step: step, using: &generator)
                try observer.flowDidStep(FlowProgress(step: step, totalSteps: steps, loss: run.losses[step], seconds: run.elapsed(),
                                                      firstStep: first), state: run.state)
                if step == steps { break }
                if let stopping, stopping.isMet(run.losses) {
                    run.termination = .converged(step: step)
                    break
                }
                try move(&run, step: step, along: gradient)
                try afterMove(&run, step + 1, &generator, self)
            }
        }
        if run.keepsSnapshots && run.snapshots.last?.step != run.losses.count - 1 {
            run.snapshots.append(FlowSnapshot(step: run.losses.count - 1, state: run.state))
        }
        try observer.flowDidFinish()
        return run.result()
    }

    /// `F` and its gradient at the run's state, checked: a finite loss (else
    /// `FlowDivergence`, the state rolled back to the last good one), a gradient that
    /// exists and fits the state. Appends the loss.
    private func evaluate(_ run: inout FlowRun<F.State>, step: Int,
                          using generator: inout some RandomNumberGenerator) throws -> F.State.Tangent {
        let value: Double
        do {
            value = try functional.valueAndGradient(at: run.state, into: &run.gradient, using: &generator)
        } catch let error as ConformerError {
            guard case .nonFinite = error else { throw error }
            throw divergence(&run, step: step, cause: error)
        }
        guard value.isFinite else { throw divergence(&run, step: step, cause: nil) }
        let name = ConformerError.name(of: F.self)
        guard let gradient = run.gradient else {
            throw ConformerError.malformed(conformer: name, reason: "no gradient (valueAndGradient(at:into:using:) left it nil)")
        }
        if let reason = run.state.tangentMismatch(gradient) {
            throw ConformerError.malformed(conformer: name, reason: "the gradient does not fit the state: \(reason)")
        }
        run.losses.append(value)
        return gradient
    }

    /// The state at `step` has no finite loss: the partial flow ends one move earlier, at
    /// the state `losses.last` belongs to.
    private func divergence(_ run: inout FlowRun<F.State>, step: Int, cause: ConformerError?) -> FlowDivergence<F.State> {
        // A resumed run does not hold the state before its checkpoint's: a non-finite loss
        // at the checkpoint's own state ends there.
        if step > 0 && step != run.resumedStep {
            run.state = run.lastGood
            run.snapshots.removeAll { $0.step == step }
        }
        return FlowDivergence(step: step, quantity: "loss", partial: run.partial(), cause: cause)
    }

    /// One integrator step along `gradient` (finite, else `FlowDivergence`); the new state
    /// must be finite (else `FlowDivergence`, rolled back) and of the old shape (else
    /// `ConformerError.malformed` naming the integrator).
    private mutating func move(_ run: inout FlowRun<F.State>, step: Int, along gradient: F.State.Tangent) throws {
        guard gradient.isFinite else {
            throw FlowDivergence(step: step, quantity: "gradient", partial: run.partial())
        }
        run.lastGood.assign(run.state)
        try integrator.step(&run.state, gradient: gradient)
        if let reason = run.lastGood.shapeMismatch(run.state) {
            throw ConformerError.malformed(conformer: ConformerError.name(of: I.self), reason: "the step changed the state's shape: \(reason)")
        }
        guard run.state.isFinite else {
            run.state = run.lastGood
            throw FlowDivergence(step: step + 1, quantity: "state", partial: run.partial())
        }
        if run.keepsSnapshots, let interval = snapshotInterval, (step + 1) % interval == 0, step + 1 < steps {
            run.snapshots.append(FlowSnapshot(step: step + 1, state: run.state))
        }
    }
}

extension Flow: Sendable where F: Sendable, I: Sendable {}

/// The mutable record of one `Flow.run`: the state, the last finite state, the gradient
/// handed back to the functional every step, losses, snapshots and the clock.
package struct FlowRun<State: FlowManifold> {
    package var state: State
    /// The last finite state, refreshed in place every step (`assign`: no allocation
    /// once its storage is its own), restored if a step produces NaN or infinity. One
    /// copy of the state: an exact rollback needs the previous state whole (moving back
    /// along the step would round), and it must outlive the next evaluation, whose loss
    /// may be the one that is not finite.
    var lastGood: State
    /// The gradient, handed back every step and rewritten in place.
    var gradient: State.Tangent?
    package var losses: [Double] = []
    package var snapshots: [FlowSnapshot<State>]
    /// The checkpoint's step when the run was resumed.
    package var resumedStep: Int?
    /// Whether snapshots are recorded (`Flow.keepsSnapshots`).
    let keepsSnapshots: Bool
    var termination = FlowTermination.completedSteps
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant

    package init(initial: consuming State, steps: Int, keepsSnapshots: Bool = true) {
        self.keepsSnapshots = keepsSnapshots
        snapshots = keepsSnapshots ? [FlowSnapshot(step: 0, state: copy initial)] : []
        // Shares the storage until the first move refreshes it (copy on write).
        lastGood = copy initial
        state = initial
        // Grown on demand past a million steps (`steps` may be huge with a stopping rule).
        losses.reserveCapacity(min(steps, 1 << 20) + 1)
        start = clock.now
    }

    func elapsed() -> Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The flow so far, as a completed result (for `FlowDivergence`).
    func partial() -> FlowResult<State> {
        FlowResult(state: state, losses: losses, snapshots: snapshots, termination: .completedSteps, seconds: elapsed())
    }

    func result() -> FlowResult<State> {
        FlowResult(state: state, losses: losses, snapshots: snapshots, termination: termination, seconds: elapsed())
    }
}
