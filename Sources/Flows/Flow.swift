import Foundation
import Functionals
import Integrators

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
    /// States every `snapshotInterval` steps, and the initial and final states.
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

    public var description: String {
        if partial.losses.isEmpty {
            // Nothing was moved yet: the initial state or the functional is at fault.
            return "the \(quantity) at the initial state is not finite (before any step): check the input (values too large for Float?) and the functional's parameters"
        }
        if step == 0 {
            return "the \(quantity) at the initial state is not finite (before any step; the loss there was \(partial.losses[0])): check the input and the functional's parameters"
        }
        return "the flow diverged at step \(step): the \(quantity) is not finite; stopped, last good state (after \(partial.steps) steps) kept. Try a smaller learning rate."
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
/// state, records the loss, checks that loss and gradient are finite, and lets the
/// integrator move the state. Progress goes to an observer.
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

    public init(functional: F, integrator: I, steps: Int, snapshotInterval: Int? = nil, stopping: StoppingRule? = nil) {
        self.functional = functional
        self.integrator = integrator
        self.steps = steps
        self.snapshotInterval = snapshotInterval
        self.stopping = stopping
    }

    /// Runs the flow from `initial`. The integrator's memory (velocity) carries over
    /// between calls on the same `Flow` value.
    ///
    /// - Throws: `FlowError` for invalid settings or a non-finite initial state;
    ///   `FlowDivergence` (with the last good state) when the flow produces NaN/inf;
    ///   errors of the functional (shape mismatches).
    public mutating func run(
        from initial: F.State, observer: some FlowObserver = SilentObserver(),
        using generator: inout some RandomNumberGenerator
    ) throws -> FlowResult<F.State> {
        guard steps >= 0 else { throw FlowError.invalidParameter("steps must be >= 0, got \(steps)") }
        if let interval = snapshotInterval, interval <= 0 {
            throw FlowError.invalidParameter("snapshot interval must be positive, got \(interval)")
        }
        guard initial.isFinite else { throw FlowError.nonFiniteInitialState }
        var observer = observer
        var state = initial
        var losses = [Double]()
        // Grown on demand past a million steps (`steps` may be huge with a stopping rule).
        losses.reserveCapacity(min(steps, 1 << 20) + 1)
        var snapshots = [FlowSnapshot(step: 0, state: initial)]
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        func partial() -> FlowResult<F.State> {
            FlowResult(state: state, losses: losses, snapshots: snapshots, termination: .completedSteps, seconds: elapsed())
        }
        var termination = FlowTermination.completedSteps
        // The last finite state, refreshed in place every step (`assign`: no allocation
        // once its storage is its own), restored if a step produces NaN or infinity.
        var lastGood = state
        // The gradient is handed back every step and rewritten in place.
        var current: F.State.Tangent?
        for step in 0...steps {
            let value = try functional.valueAndGradient(at: state, into: &current, using: &generator)
            guard let gradient = current else { throw FlowError.invalidParameter("the functional returned no gradient") }
            guard value.isFinite else {
                // This state has no finite loss: the partial flow ends one move earlier,
                // at the state `losses.last` belongs to.
                if step > 0 {
                    state = lastGood
                    snapshots.removeAll { $0.step == step }
                }
                throw FlowDivergence(step: step, quantity: "loss", partial: partial())
            }
            losses.append(value)
            observer.flowDidStep(FlowProgress(step: step, totalSteps: steps, loss: value, seconds: elapsed()))
            if step == steps { break }
            if let stopping, stopping.isMet(losses) {
                termination = .converged(step: step)
                break
            }
            guard gradient.isFinite else {
                throw FlowDivergence(step: step, quantity: "gradient", partial: partial())
            }
            lastGood.assign(state)
            integrator.step(&state, gradient: gradient)
            guard state.isFinite else {
                state = lastGood
                throw FlowDivergence(step: step + 1, quantity: "state", partial: partial())
            }
            if let interval = snapshotInterval, (step + 1) % interval == 0, step + 1 < steps {
                snapshots.append(FlowSnapshot(step: step + 1, state: state))
            }
        }
        snapshots.append(FlowSnapshot(step: losses.count - 1, state: state))
        observer.flowDidFinish()
        return FlowResult(state: state, losses: losses, snapshots: snapshots, termination: termination, seconds: elapsed())
    }
}
