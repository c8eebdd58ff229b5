import Datasets
import FlowGeometry
import Flows
import Foundation
import Rendering

/// A `FlowObserver` that writes the states of a flow while it runs: a snapshot every
/// `interval` steps, at step 0 (the initial state) and at the last step of the budget,
/// each as one `.npz` file in `DIR/snapshots/` (`SnapshotLayout` documents the files);
/// with a `SnapshotClassifier`, the classifier's accuracy on every snapshot in
/// `DIR/accuracy.csv` and `DIR/accuracy.svg`, rewritten after each snapshot; when the flow
/// ends, pictures of all snapshots (`SnapshotPictures`: an image grid and a GIF for image
/// data, scatter plots for 2-D data).
///
/// States become samples through `samples`, which labels them as the final output is
/// labelled (`FlowedLabelling.samples` for a WoW flow, so a snapshot of the final step
/// is the run's `flowed.npz`).
///
/// **Resuming.** The recorder takes the first step it hears of as the start of the run:
/// step 0 clears earlier snapshot files and pictures from the directory; a later step (a
/// run resumed from a checkpoint at that step) keeps the snapshots written before it,
/// replaces those from that step on, evaluates the kept ones again with the classifier and
/// draws them with the rest. So a killed and resumed run (`Flow.run(from:observer:
/// generator:checkpointing:resume:)`) ends with the same snapshots, accuracies and
/// pictures as an uninterrupted one.
///
/// A flow ended early by a `StoppingRule` reaches `flowDidFinish` without a snapshot of
/// its last state; `record(_:step:)` it and call `finish()` again. After a divergence or
/// an interruption, `finish()` draws what was recorded.
///
/// ```swift
/// let labelling = FlowedLabelling(target: target, method: .ot, featureShape: shape, targetClassNames: names)
/// var recorder = try SnapshotRecorder<LabeledDataset>(directory: out, every: 500) { try labelling.samples($0).samples }
/// var observers = ObserverPair(ProgressBar(), recorder)
/// let result = try flow.run(from: source, observer: &observers, using: &rng)
/// // observers.second.records: one per snapshot, with the accuracy when a classifier is set
/// ```
public struct SnapshotRecorder<State>: FlowObserver {
    /// One snapshot written.
    public struct Record: Sendable, Equatable {
        /// Steps taken before it (0: the initial state).
        public let step: Int
        /// The classifier's accuracy on it, in `[0, 1]` (`nil` without a classifier).
        public let accuracy: Double?
    }

    /// Where the files go.
    public let layout: SnapshotLayout
    /// Steps between snapshots.
    public let interval: Int
    /// Scored on every snapshot, when set.
    public let classifier: SnapshotClassifier?
    /// What is drawn when the flow ends.
    public let pictures: SnapshotPictures
    /// Called after every snapshot written during the run (e.g. to print the accuracy).
    public var didRecord: ((Record) -> Void)?
    /// Every snapshot of the run by increasing step, those kept from before a resume
    /// included.
    public private(set) var records: [Record] = []
    /// The files the last `finish()` drew.
    public private(set) var pictureFiles: [URL] = []

    private let samples: (State) throws -> LabeledSamples
    private var started = false
    private var classNames: [String]?

    /// A recorder writing to `directory` (the run's output directory `DIR`) every
    /// `interval` steps.
    ///
    /// - Parameter samples: the state as labelled samples, e.g.
    ///   `{ try labelling.samples($0).samples }`.
    /// - Throws: `FlowRecordingError.invalidParameter` for `interval <= 0`.
    public init(directory: URL, every interval: Int, classifier: SnapshotClassifier? = nil,
                pictures: SnapshotPictures? = nil, samples: @escaping (State) throws -> LabeledSamples) throws {
        guard interval > 0 else { throw FlowRecordingError.invalidParameter("the snapshot interval must be positive, got \(interval)") }
        self.layout = SnapshotLayout(directory: directory)
        self.interval = interval
        self.classifier = classifier
        self.pictures = try pictures ?? SnapshotPictures()
        self.samples = samples
    }

    /// Writes a snapshot at step 0, every `interval` steps and at the last step of the
    /// budget.
    ///
    /// - Throws: `FlowRecordingError.unexpectedState` for a state that is not a `State`;
    ///   as `record(_:step:)`.
    public mutating func flowDidStep<S: FlowManifold>(_ progress: FlowProgress, state: S) throws {
        if !started { try start(at: progress.step) }
        guard progress.step % interval == 0 || progress.step == progress.totalSteps else { return }
        guard let state = state as? State else {
            throw FlowRecordingError.unexpectedState(expected: "\(State.self)", found: "\(S.self)")
        }
        try record(state, step: progress.step)
    }

    /// Draws the pictures.
    public mutating func flowDidFinish() throws {
        try finish()
    }

    /// Writes the snapshot of `state` after `step` steps (replacing one of that step),
    /// scores it with the classifier and rewrites the accuracy table and plot.
    ///
    /// - Throws: the errors of `samples`, `FlowRecordingError.unwritable`, the
    ///   classifier's errors.
    public mutating func record(_ state: State, step: Int) throws {
        let snapshot = try samples(state)
        classNames = snapshot.classNames
        try layout.write(snapshot, step: step)
        let record = Record(step: step, accuracy: try classifier?.accuracy(on: snapshot))
        insert(record)
        if classifier != nil { try writeAccuracy() }
        didRecord?(record)
    }

    /// Draws the pictures of every snapshot file in the directory (`SnapshotPictures`).
    ///
    /// - Throws: as `SnapshotPictures.write(_:classNames:)`.
    public mutating func finish() throws {
        pictureFiles = try pictures.write(layout, classNames: classNames)
    }

    /// The run starts at `step`: earlier snapshots stay (scored again), later ones and the
    /// pictures go.
    private mutating func start(at step: Int) throws {
        started = true
        let manager = FileManager.default
        for file in layout.existingSnapshots() where file.step >= step {
            try remove(file.url)
        }
        for url in [layout.gridPicture, layout.animation, layout.accuracyTable, layout.accuracyPlot] where manager.fileExists(atPath: url.path) {
            try remove(url)
        }
        for file in layout.existingSnapshots() {
            let accuracy = try classifier.map { try $0.accuracy(on: SnapshotLayout.readSnapshot(file.url)) }
            insert(Record(step: file.step, accuracy: accuracy))
        }
        if classifier != nil, !records.isEmpty { try writeAccuracy() }
    }

    private func remove(_ url: URL) throws {
        do { try FileManager.default.removeItem(at: url) } catch {
            throw FlowRecordingError.unwritable(path: url.path, reason: "cannot remove it: \(error.localizedDescription)")
        }
    }

    private mutating func insert(_ record: Record) {
        records.removeAll { $0.step == record.step }
        let position = records.firstIndex { $0.step > record.step } ?? records.count
        records.insert(record, at: position)
    }

    /// `accuracy.csv` and `accuracy.svg` from the records.
    private func writeAccuracy() throws {
        let scored = records.compactMap { r in r.accuracy.map { (step: r.step, accuracy: $0) } }
        guard !scored.isEmpty else { return }
        try writeText("step,accuracy\n" + scored.map { "\($0.step),\($0.accuracy)\n" }.joined(), to: layout.accuracyTable)
        var plot = SVGLinePlot(title: "accuracy of \(classifier?.name ?? "the classifier") on the flowed data",
                               xLabel: "step", yLabel: "accuracy")
        do {
            try plot.addSeries(name: "accuracy", x: scored.map { Double($0.step) }, y: scored.map(\.accuracy))
            try plot.write(to: layout.accuracyPlot)
        } catch {
            throw FlowRecordingError.unwritable(path: layout.accuracyPlot.path, reason: "\(error)")
        }
    }
}
