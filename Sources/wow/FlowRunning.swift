import ArgumentParsing
import Foundation
import WassersteinFlows

/// Running a flow from `wow flow`, with or without checkpoints.
enum FlowRunning {
    /// The options that make `wow flow` checkpoint and resume.
    static let specs: [OptionSpec] = [
        .option("checkpoint-every", value: "k",
                help: "Save DIR/checkpoint.npz every k steps, at the end, and on SIGINT/SIGTERM (then stop); see --resume."),
        .flag("resume", help: "Continue from DIR/checkpoint.npz when it exists (the same options and data; --steps may grow). The result equals the uninterrupted run's, bit for bit."),
    ]

    /// Options that do not change a run's result (or may change on resume).
    static let outsideIdentity: Set<String> = ["out", "steps", "checkpoint-every", "resume"]

    /// Where and how a run checkpoints, or `nil` without `--checkpoint-every`/`--resume`.
    struct Plan {
        var store: NPZCheckpointStore
        var interval: Int?
        var resume: Bool
        var identity: [String: String]
    }

    /// The checkpoint plan of `arguments` for a run writing to `out` from `source` toward
    /// `target` (their contents' SHA-256 join the identity).
    static func plan<S: CheckpointCodable>(_ arguments: ParsedArguments, out: URL, source: S, target: S) throws -> Plan? {
        let interval = try arguments.optionalInt("checkpoint-every", min: 1)
        let resume = try arguments.flag("resume")
        guard interval != nil || resume else { return nil }
        var identity = arguments.effectiveOptions(excluding: outsideIdentity)
        identity["source data sha256"] = CheckpointDigest.hex(source.checkpointArrays)
        identity["target data sha256"] = CheckpointDigest.hex(target.checkpointArrays)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        return Plan(store: NPZCheckpointStore(url: out.appendingPathComponent("checkpoint.npz")), interval: interval,
                    resume: resume, identity: identity)
    }

    /// Runs `flow` from `initial` with a progress bar; with a plan, checkpointed (SIGINT
    /// and SIGTERM save a checkpoint and stop).
    static func run<F: Functional & CheckpointableMemory, I: Integrator & CheckpointableMemory>(
        _ flow: inout Flow<F, I>, from initial: consuming F.State, seed: UInt64, plan: Plan?
    ) throws -> FlowResult<F.State> where F.State: CheckpointCodable {
        var generator = SeededGenerator(seed: seed)
        // Handed on without a copy (a closure capturing `initial` would keep a second
        // reference, and the flow's first move would copy the whole state).
        var handover: F.State? = consume initial
        guard let plan else {
            return try endingProgressLine { var bar = ProgressBar(); return try flow.run(from: handover.take()!, observer: &bar, using: &generator) }
        }
        StopSignals.install()
        let checkpointing = Checkpointing(store: plan.store, interval: plan.interval, identity: plan.identity) { StopSignals.requested }
        if plan.resume, FileManager.default.fileExists(atPath: plan.store.url.path) {
            print("resuming from \(plan.store.url.path)")
        }
        return try endingProgressLine {
            var bar = ProgressBar()
            return try flow.run(from: handover.take()!, observer: &bar, generator: &generator, checkpointing: checkpointing, resume: plan.resume)
        }
    }
}
