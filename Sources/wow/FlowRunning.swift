import ArgumentParsing
import Foundation
import WassersteinFlows

/// Running a flow from `wow flow`, with or without checkpoints.
enum FlowRunning {
    /// The options that make `wow flow` checkpoint and resume.
    static let specs: [OptionSpec] = [
        .option("checkpoint-every", value: "k",
                help: "Save DIR/checkpoint.npz every k steps, after the last step, and on SIGINT/SIGTERM (then stop); see --resume."),
        .flag("resume", help: "Continue from DIR/checkpoint.npz when it exists (the same options and data; --steps may grow). The result equals the uninterrupted run's, bit for bit."),
    ]

    /// The options that record the run: snapshots, their pictures and a classifier's
    /// accuracy on them (`SnapshotRecorder`).
    static let recordingSpecs: [OptionSpec] = [
        .option("snapshot-every", value: "k",
                help: "Write the state every k steps, at step 0 and at the last step to DIR/snapshots/step-NNNNNN.npz (six-digit step; the members of flowed.npz, labelled as it is, so the last one equals flowed.npz), and when the flow ends draw them all: image data in DIR/snapshots.png (one row per class, the first 4 images with that label at each snapshot, one column block per snapshot, at most 12 snapshots evenly spaced) and DIR/snapshots.gif (a frame per snapshot); 2-D data as scatter plots over the faint target in the same two files. A resumed run (--resume) keeps the snapshots written before its checkpoint and writes the later ones."),
        .option("classifier", value: "file",
                help: "Weights written by `wow train --save` (a classifier of the target's classes): its accuracy on every snapshot, under the snapshot's labels (--assign-labels), goes to DIR/accuracy.csv (step,accuracy as a fraction) and DIR/accuracy.svg and is printed as the flow runs. Needs --snapshot-every and --arch; image data of the shape the classifier was trained on."),
        .choice("arch", as: ArchitectureChoice.self, value: "name", help: "The network of --classifier."),
    ]

    /// Options that do not change a run's result (or may change on resume).
    /// Paths are left out because the data's SHA-256 is in (moved data resumes), and so is
    /// the labelling of the output (`--assign-labels`), which does not change the flow.
    static let outsideIdentity: Set<String> = ["out", "steps", "checkpoint-every", "resume", "snapshot-every", "classifier", "arch",
                                               "source", "target", "source-labels", "target-labels", "assign-labels"]

    /// Refuses recording options that cannot work together, before any data is read.
    static func checkRecordingOptions(_ arguments: ParsedArguments) throws {
        _ = try arguments.optionalInt("snapshot-every", min: 1)
        if let arch = try arguments.optionalString("arch"), !arguments.isGiven("classifier") {
            throw ArgumentError.invalidValue(option: "--arch", value: arch, expected: "--classifier FILE as well (--arch names its network)")
        }
        guard let classifier = try arguments.optionalString("classifier") else { return }
        guard !classifier.isEmpty else { throw ArgumentError.invalidValue(option: "--classifier", value: "", expected: "a non-empty path") }
        guard arguments.isGiven("snapshot-every") else {
            throw ArgumentError.invalidValue(option: "--classifier", value: classifier,
                                             expected: "--snapshot-every k as well (the accuracy is measured at every snapshot)")
        }
        guard arguments.isGiven("arch") else {
            throw ArgumentError.invalidValue(option: "--classifier", value: classifier,
                                             expected: "--arch NAME as well (the network the weights belong to)")
        }
    }

    /// The recorder of `--snapshot-every` (with `--classifier`), or `nil`. `samples` labels a
    /// state as the final output is labelled; `backdrop` (the target) is drawn behind 2-D
    /// snapshots.
    static func recorder<State>(_ arguments: ParsedArguments, out: URL, featureShape: FeatureShape, backdrop: LabeledSamples?,
                                samples: @escaping (State) throws -> LabeledSamples) throws -> SnapshotRecorder<State>? {
        try checkRecordingOptions(arguments)
        guard let interval = try arguments.optionalInt("snapshot-every", min: 1) else { return nil }
        var classifier: SnapshotClassifier?
        if let path = try arguments.optionalString("classifier"), let arch = try arguments.optionalChoice("arch", as: ArchitectureChoice.self) {
            classifier = try SnapshotClassifier(contentsOf: URL(fileURLWithPath: path), architecture: arch.architecture, featureShape: featureShape)
        }
        let pictures = try SnapshotPictures(backdrop: backdrop.flatMap { $0.dimension == 2 ? $0 : nil })
        var recorder = try SnapshotRecorder(directory: out, every: interval, classifier: classifier, pictures: pictures, samples: samples)
        recorder.didRecord = { record in
            guard let accuracy = record.accuracy else { return }
            let line = String(format: "step %d: accuracy %.2f%%", record.step, 100 * accuracy)
            // Over the progress bar's line, which the bar redraws below.
            FileHandle.standardError.write(Data(("\r" + line.padding(toLength: 78, withPad: " ", startingAt: 0) + "\n").utf8))
        }
        let what = classifier.map { " and the accuracy of \($0.name)" } ?? ""
        print("recording the state every \(interval) steps\(what) in \(out.path)/snapshots")
        return recorder
    }

    /// Prints what the recorder wrote.
    static func report<State>(_ recorder: SnapshotRecorder<State>?) {
        guard let recorder, let first = recorder.records.first, let last = recorder.records.last else { return }
        let layout = recorder.layout
        print("wrote \(recorder.records.count) snapshots to \(layout.snapshotDirectory.path)/ (\(SnapshotLayout.fileName(step: first.step)) ... \(SnapshotLayout.fileName(step: last.step)))"
              + recorder.pictureFiles.map { ", " + $0.lastPathComponent }.joined())
        let scored = recorder.records.compactMap { r in r.accuracy.map { (r.step, $0) } }
        guard !scored.isEmpty else { return }
        print("accuracy on the snapshots (\(layout.accuracyTable.lastPathComponent), \(layout.accuracyPlot.lastPathComponent)): "
              + scored.map { String(format: "step %d %.2f%%", $0.0, 100 * $0.1) }.joined(separator: ", "))
    }

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

    /// Runs `flow` from `initial` with a progress bar and, when given, the recorder (which
    /// still draws what it recorded when the flow diverges or stops on request); with a
    /// plan, checkpointed (SIGINT and SIGTERM save a checkpoint and stop).
    static func run<F: Functional & CheckpointableMemory, I: Integrator & CheckpointableMemory>(
        _ flow: inout Flow<F, I>, from initial: consuming F.State, seed: UInt64, plan: Plan?, recorder: inout SnapshotRecorder<F.State>?
    ) throws -> FlowResult<F.State> where F.State: CheckpointCodable {
        guard let recording = recorder else {
            var bar = ProgressBar()
            return try run(&flow, from: initial, seed: seed, plan: plan, observer: &bar)
        }
        var observers = ObserverPair(ProgressBar(), recording)
        defer { recorder = observers.second }
        do {
            return try run(&flow, from: initial, seed: seed, plan: plan, observer: &observers)
        } catch {
            if error is FlowInterrupted || error is FlowDivergence<F.State> { try? observers.second.finish() }
            throw error
        }
    }

    static func run<F: Functional & CheckpointableMemory, I: Integrator & CheckpointableMemory, Observer: FlowObserver>(
        _ flow: inout Flow<F, I>, from initial: consuming F.State, seed: UInt64, plan: Plan?, observer: inout Observer
    ) throws -> FlowResult<F.State> where F.State: CheckpointCodable {
        var generator = SeededGenerator(seed: seed)
        // Handed on without a copy (a closure capturing `initial` would keep a second
        // reference, and the flow's first move would copy the whole state).
        var handover: F.State? = consume initial
        guard let plan else {
            return try endingProgressLine { try flow.run(from: handover.take()!, observer: &observer, using: &generator) }
        }
        StopSignals.install()
        defer { StopSignals.uninstall() }
        let checkpointing = Checkpointing(store: plan.store, interval: plan.interval, identity: plan.identity) { StopSignals.requested }
        if plan.resume, FileManager.default.fileExists(atPath: plan.store.url.path) {
            print("resuming from \(plan.store.url.path)")
        }
        return try endingProgressLine {
            try flow.run(from: handover.take()!, observer: &observer, generator: &generator, checkpointing: checkpointing, resume: plan.resume)
        }
    }
}
