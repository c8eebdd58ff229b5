import FlowGeometry
import Functionals
import Integrators
import LabeledData
import WoWCompute

/// Where a checkpointed flow saves its checkpoint and from where it resumes: one
/// checkpoint, replaced atomically (`NPZCheckpointStore` in `FlowCheckpoints` writes an
/// `.npz` file). Conform to keep checkpoints elsewhere.
public protocol CheckpointStore {
    /// The stored checkpoint, or `nil` when there is none yet.
    ///
    /// - Throws: `CheckpointError.corrupt` for an unreadable, truncated or tampered one.
    func load() throws -> CheckpointArrays?
    /// Replaces the stored checkpoint with `arrays`; after a crash at any moment either the
    /// old or the new checkpoint is found whole.
    func save(_ arrays: CheckpointArrays) throws
    /// A short name for messages (a file path).
    var location: String { get }
}

/// How a flow checkpoints: where, how often, what identifies the run, and when to stop
/// early (a signal).
public struct Checkpointing<Store: CheckpointStore> {
    /// Where checkpoints go.
    public var store: Store
    /// Save after every this many moves (and at the end); `nil`: only at the end and on
    /// a stop request.
    public var interval: Int?
    /// What must match for a checkpoint to be resumed: option values and data checksums
    /// (`name -> value`). A checkpoint with other values is refused, naming each
    /// difference. Leave the step budget out to allow extending a run.
    public var identity: [String: String]
    /// Polled after every move; `true` saves a checkpoint and ends the run with
    /// `FlowInterrupted` (e.g. after SIGINT or SIGTERM: `StopSignals.requested`).
    public var stopRequested: () -> Bool

    public init(store: Store, interval: Int? = nil, identity: [String: String] = [:], stopRequested: @escaping () -> Bool = { false }) {
        self.store = store
        self.interval = interval
        self.identity = identity
        self.stopRequested = stopRequested
    }
}

/// A checkpointed flow stopped on request after saving its checkpoint.
public struct FlowInterrupted: Error, CustomStringConvertible, Sendable, Equatable {
    /// Moves done when the checkpoint was saved.
    public let step: Int
    /// Where it was saved.
    public let location: String

    public init(step: Int, location: String) {
        self.step = step
        self.location = location
    }

    public var description: String {
        "the flow stopped on request after \(step) steps; checkpoint saved to \(location) (resume to continue)"
    }
}

extension Flow where F: CheckpointableMemory, I: CheckpointableMemory, F.State: CheckpointCodable {
    /// Runs the flow with checkpoints: saves to `checkpointing.store` every
    /// `checkpointing.interval` moves, after the last move, and when `stopRequested()`
    /// turns true (then throws `FlowInterrupted`). With `resume`, continues from the
    /// stored checkpoint when there is one (refusing one from another run, naming the
    /// differences); the result is then bit for bit the uninterrupted run's, for the same
    /// options and seed, also when the step budget grew (`losses` complete; `snapshots`
    /// those after the resumed step). A checkpoint is taken after a move and before the
    /// loss at the new state, which a resumed run evaluates again. One exception: when
    /// that loss is not finite, the uninterrupted run's `FlowDivergence` ends one step
    /// earlier (the resumed run does not hold the state before the checkpoint's).
    ///
    /// A checkpoint holds the step, the loss history, the state, the integrator's and the
    /// functional's memory (`CheckpointableMemory`), the generator's state and the
    /// identity.
    ///
    /// - Throws: as `run(from:observer:using:)`; `CheckpointError` for a checkpoint that
    ///   cannot be resumed; `FlowInterrupted`; the store's errors.
    public mutating func run<Observer: FlowObserver, Store: CheckpointStore>(
        from initial: consuming F.State, observer: inout Observer, generator: inout SeededGenerator,
        checkpointing: Checkpointing<Store>, resume: Bool
    ) throws -> FlowResult<F.State> {
        try validateSettings()
        if let interval = checkpointing.interval, interval <= 0 {
            throw FlowError.invalidParameter("checkpoint interval must be positive, got \(interval)")
        }
        guard initial.isFinite else { throw FlowError.nonFiniteInitialState }
        var run = FlowRun(initial: consume initial, steps: steps, keepsSnapshots: keepsSnapshots)
        if resume, let stored = try checkpointing.store.load() {
            try restore(stored, into: &run, generator: &generator, checkpointing: checkpointing)
        }
        let store = checkpointing.store, interval = checkpointing.interval, budget = steps
        return try loop(&run, observer: &observer, using: &generator) { run, moves, generator, flow in
            let stop = moves < budget && checkpointing.stopRequested()
            guard stop || moves == budget || interval.map({ moves % $0 == 0 }) ?? false else { return }
            try store.save(flow.checkpointArrays(run, moves: moves, generator: generator, identity: checkpointing.identity))
            if stop { throw FlowInterrupted(step: moves, location: store.location) }
        }
    }

    /// The arrays of a checkpoint after `moves` moves, before the loss at the new state
    /// is evaluated (so a resumed run, even one given more steps, draws what the
    /// uninterrupted run draws).
    func checkpointArrays(_ run: FlowRun<F.State>, moves: Int, generator: SeededGenerator,
                          identity: [String: String]) -> CheckpointArrays {
        var arrays: CheckpointArrays = [
            "flow/moves": .int64([Int64(moves)], shape: [1]),
            "flow/losses": .float64(run.losses, shape: [run.losses.count]),
        ]
        arrays.merge(generator.checkpointArrays.prefixed("generator/")) { $1 }
        arrays.merge(run.state.checkpointArrays.prefixed("state/")) { $1 }
        arrays.merge(integrator.memoryArrays.prefixed("integrator/")) { $1 }
        arrays.merge(functional.memoryArrays.prefixed("functional/")) { $1 }
        arrays.merge(CheckpointIdentity.encode(identity)) { $1 }
        return arrays
    }

    /// Restores a stored checkpoint into `run`, the integrator, the functional and the
    /// generator.
    mutating func restore<Store: CheckpointStore>(
        _ stored: CheckpointArrays, into run: inout FlowRun<F.State>, generator: inout SeededGenerator,
        checkpointing: Checkpointing<Store>
    ) throws {
        let location = checkpointing.store.location
        let differences = try CheckpointIdentity.differences(stored, expected: checkpointing.identity)
        guard differences.isEmpty else { throw CheckpointError.mismatch(file: location, differences: differences) }
        let moves = try stored.integer("flow/moves")
        let losses = try stored.doubles("flow/losses")
        guard moves >= 0, losses.count == moves, moves <= steps else {
            let reason = moves > steps ? "it is at step \(moves), past this run's \(steps) steps" : "its step \(moves) and \(losses.count) losses disagree"
            throw CheckpointError.mismatch(file: location, differences: [reason])
        }
        let state = try F.State(checkpointArrays: stored.strippingPrefix("state/"))
        if let reason = run.state.shapeMismatch(state) {
            throw CheckpointError.mismatch(file: location, differences: ["its state has another shape: \(reason)"])
        }
        guard state.isFinite else { throw CheckpointError.corrupt(file: location, reason: "the stored state is not finite") }
        // Into copies first, so that a checkpoint refused halfway leaves the flow as it was.
        var integrator = self.integrator, functional = self.functional
        try integrator.restoreMemory(from: stored.strippingPrefix("integrator/"))
        try functional.restoreMemory(from: stored.strippingPrefix("functional/"))
        generator = try SeededGenerator(checkpointArrays: stored.strippingPrefix("generator/"))
        self.integrator = integrator
        self.functional = functional
        run.restore(state: state, losses: losses)
    }
}

extension FlowRun {
    /// Continues from a checkpoint: `state` after `losses.count` moves. Snapshots start
    /// afresh (those of the steps before the checkpoint were the interrupted run's).
    package mutating func restore(state: State, losses: [Double]) {
        self.state = state
        lastGood = state
        self.losses = losses
        snapshots = []
        resumedStep = losses.count
    }
}

/// The identity of a checkpointed run, stored as `identity/keys` and `identity/values`
/// (UTF-8 bytes, one row per entry, padded with -1).
public enum CheckpointIdentity {
    public static func encode(_ identity: [String: String]) -> CheckpointArrays {
        let keys = identity.keys.sorted()
        return ["identity/keys": .textRows(keys), "identity/values": .textRows(keys.map { identity[$0] ?? "" })]
    }

    public static func decode(_ arrays: CheckpointArrays) throws -> [String: String] {
        let keys = try arrays.textRows("identity/keys"), values = try arrays.textRows("identity/values")
        guard keys.count == values.count, Set(keys).count == keys.count else { throw CheckpointError.malformed("identity") }
        return Dictionary(uniqueKeysWithValues: zip(keys, values))
    }

    /// Each entry of `expected` the stored identity lacks or holds another value for,
    /// and each stored entry `expected` lacks, as a sentence.
    public static func differences(_ arrays: CheckpointArrays, expected: [String: String]) throws -> [String] {
        let stored = try decode(arrays)
        var differences = [String]()
        for key in Set(stored.keys).union(expected.keys).sorted() {
            switch (stored[key], expected[key]) {
            case let (s?, e?) where s != e: differences.append("\(key) is \(s) there, \(e) here")
            case let (s?, nil): differences.append("\(key) is \(s) there, not set here")
            case let (nil, e?): differences.append("\(key) is not set there, \(e) here")
            default: break
            }
        }
        return differences
    }

}
