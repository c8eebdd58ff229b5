import Foundation
import WassersteinFlows
import XCTest

/// `SnapshotRecorder` on tiny data: the files, their steps and contents, the pictures, the
/// classifier's accuracy, a run stopped and resumed, and the errors.
final class SnapshotRecorderTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wow-recording-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// `sizes.count` classes of `1 x 4 x 4` "images" (values in [0, 1]) around a level per class.
    func images(sizes: [Int], levels: [Float], seed: UInt64) throws -> LabeledDataset {
        var rng = SeededGenerator(seed: seed)
        let classes = try zip(sizes, levels).map { n, level in
            try EmpiricalMeasure(points: Matrix(rows: n, columns: 16, storage: (0..<(n * 16)).map { _ in
                min(max(level + Float.random(in: -0.2...0.2, using: &rng), 0), 1)
            }))
        }
        return try LabeledDataset(classes: classes, labels: ["a", "b"].prefix(sizes.count).map { $0 })
    }

    static let shape = FeatureShape.image(channels: 1, height: 4, width: 4)
    static let targetNames = ["zero", "dark", "bright"]

    /// A flow of two image classes toward two classes named after the target's, labelled by
    /// OT between classes.
    func imageFlow(steps: Int) throws -> (Flow<MMD<RieszSW>, ExplicitEuler<LabeledDataset>>, LabeledDataset, FlowedLabelling) {
        let source = try images(sizes: [5, 6], levels: [0.5, 0.5], seed: 1)
        var target = try images(sizes: [4, 7], levels: [0.2, 0.8], seed: 2)
        target.labels = ["dark", "bright"]
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target)
        let flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: steps)
        return (flow, source, FlowedLabelling(target: target, method: .ot, featureShape: Self.shape, targetClassNames: Self.targetNames))
    }

    /// A small ConvNet for 1 x 4 x 4 images of the three target classes.
    func classifier() throws -> Network {
        var rng = SeededGenerator(seed: 3)
        return try Network(.convNet(width: 2, depth: 1), imageShape: [1, 4, 4], classCount: 3, using: &rng)
    }

    func testSnapshotsPicturesAndAccuracyOfAnImageFlow() throws {
        let dir = try temporaryDirectory()
        var (flow, source, labelling) = try imageFlow(steps: 5)
        let network = try classifier()
        let weights = dir.appendingPathComponent("net.weights")
        try network.save(to: weights)
        let classifier = try SnapshotClassifier(contentsOf: weights, architecture: .convNet(width: 2, depth: 1), featureShape: Self.shape)
        var heard = [Int]()
        var recorder = try SnapshotRecorder<LabeledDataset>(directory: dir, every: 2, classifier: classifier) { try labelling.samples($0).samples }
        recorder.didRecord = { heard.append($0.step) }
        var observers = ObserverPair(ProgressLog(), recorder)
        var rng = SeededGenerator(seed: 0)
        let result = try flow.run(from: source, observer: &observers, using: &rng)
        recorder = observers.second

        // Step 0, every 2 steps, and the last step.
        let layout = SnapshotLayout(directory: dir)
        XCTAssertEqual(layout.existingSnapshots().map(\.step), [0, 2, 4, 5])
        XCTAssertEqual(layout.existingSnapshots().map(\.url.lastPathComponent),
                       ["step-000000.npz", "step-000002.npz", "step-000004.npz", "step-000005.npz"])
        XCTAssertEqual(recorder.records.map(\.step), [0, 2, 4, 5])
        XCTAssertEqual(heard, [0, 2, 4, 5])
        XCTAssertEqual(observers.first.records.count, 6, "the first observer heard every step")

        // The members of flowed.npz, with the target's labels; the last is the final state.
        let archive = try NPZArchive(contentsOf: layout.snapshotFile(step: 5))
        XCTAssertEqual(archive.names, ["features", "labels"])
        XCTAssertEqual(archive["features"]?.shape, [11, 1, 4, 4])
        XCTAssertEqual(archive["labels"]?.shape, [11])
        let (final, mapping) = try labelling.samples(result.state)
        XCTAssertNotNil(mapping)
        XCTAssertEqual(try Data(contentsOf: layout.snapshotFile(step: 5)), try final.npzArchive().npzData())
        let labels = try XCTUnwrap(archive["labels"]).intValues()
        XCTAssertEqual(Set(labels), [1, 2], "labels are positions in the target's class names")
        XCTAssertEqual(try SnapshotLayout.readSnapshot(layout.snapshotFile(step: 0)).features.storage,
                       try LabeledSamples(source, featureShape: Self.shape).features.storage, "step 0 is the initial state")

        // The accuracy of every snapshot, as scored directly.
        let table = try String(contentsOf: layout.accuracyTable, encoding: .utf8)
        var expected = "step,accuracy\n"
        for step in [0, 2, 4, 5] {
            let samples = try SnapshotLayout.readSnapshot(layout.snapshotFile(step: step))
            let predicted = try network.predictions(for: Tensor(images: samples.features, channels: 1, height: 4, width: 4))
            let accuracy = Double(zip(predicted, samples.labels).filter { $0 == $1 }.count) / Double(samples.count)
            XCTAssertEqual(recorder.records.first { $0.step == step }?.accuracy, accuracy)
            expected += "\(step),\(accuracy)\n"
        }
        XCTAssertEqual(table, expected)
        XCTAssertTrue(try String(contentsOf: layout.accuracyPlot, encoding: .utf8).hasPrefix("<?xml"))

        // Pictures: a PNG and a GIF with one frame per snapshot.
        XCTAssertEqual(recorder.pictureFiles, [layout.gridPicture, layout.animation])
        let png = try Data(contentsOf: layout.gridPicture)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let gif = try Data(contentsOf: layout.animation)
        XCTAssertEqual(String(decoding: gif.prefix(6), as: UTF8.self), "GIF89a")
        XCTAssertEqual(gif.last, 0x3B)
        XCTAssertEqual(gif.filter { $0 == 0x2C }.count >= 4, true)
    }

    /// A run stopped on request after a checkpoint, with a later snapshot written before
    /// the stop (as a killed run leaves), resumes to the uninterrupted run's files.
    func testAStoppedAndResumedRunWritesTheSameSnapshots() throws {
        let straight = try temporaryDirectory(), stopped = try temporaryDirectory()
        let network = try classifier()
        func recorder(_ dir: URL, labelling: FlowedLabelling) throws -> SnapshotRecorder<LabeledDataset> {
            try SnapshotRecorder(directory: dir, every: 2,
                                 classifier: SnapshotClassifier(network: network, featureShape: Self.shape)) { try labelling.samples($0).samples }
        }
        do {
            var (flow, source, labelling) = try imageFlow(steps: 7)
            var observer = try recorder(straight, labelling: labelling)
            var rng = SeededGenerator(seed: 0)
            _ = try flow.run(from: source, observer: &observer, using: &rng)
        }
        let store = NPZCheckpointStore(url: stopped.appendingPathComponent("checkpoint.npz"))
        final class Counter { var moves = 0 }
        let counter = Counter()
        do {
            var (flow, source, labelling) = try imageFlow(steps: 7)
            var observer = try recorder(stopped, labelling: labelling)
            var rng = SeededGenerator(seed: 0)
            let checkpointing = Checkpointing(store: store, interval: 100) { counter.moves += 1; return counter.moves == 3 }
            XCTAssertThrowsError(try flow.run(from: source, observer: &observer, generator: &rng, checkpointing: checkpointing, resume: true)) {
                XCTAssertEqual($0 as? FlowInterrupted, FlowInterrupted(step: 3, location: store.location))
            }
        }
        let layout = SnapshotLayout(directory: stopped)
        XCTAssertEqual(layout.existingSnapshots().map(\.step), [0, 2])
        // A snapshot written after the checkpoint by a run killed before the next one.
        try Data("half written".utf8).write(to: layout.snapshotFile(step: 4))
        do {
            var (flow, source, labelling) = try imageFlow(steps: 7)
            var observer = try recorder(stopped, labelling: labelling)
            var rng = SeededGenerator(seed: 0)
            _ = try flow.run(from: source, observer: &observer, generator: &rng,
                             checkpointing: Checkpointing(store: store, interval: 100), resume: true)
            XCTAssertEqual(observer.records.map(\.step), [0, 2, 4, 6, 7], "the kept snapshots are among the records")
            XCTAssertTrue(observer.records.allSatisfy { $0.accuracy != nil })
        }
        let reference = SnapshotLayout(directory: straight)
        XCTAssertEqual(layout.existingSnapshots().map(\.step), [0, 2, 4, 6, 7])
        for file in reference.existingSnapshots() {
            XCTAssertEqual(try Data(contentsOf: layout.snapshotFile(step: file.step)), try Data(contentsOf: file.url), "step \(file.step)")
        }
        for (ours, theirs) in [(layout.accuracyTable, reference.accuracyTable), (layout.animation, reference.animation),
                               (layout.gridPicture, reference.gridPicture)] {
            XCTAssertEqual(try Data(contentsOf: ours), try Data(contentsOf: theirs), ours.lastPathComponent)
        }
    }

    func testAFreshRunClearsTheSnapshotsOfAnEarlierOne() throws {
        let dir = try temporaryDirectory()
        let layout = SnapshotLayout(directory: dir)
        try FileManager.default.createDirectory(at: layout.snapshotDirectory, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: layout.snapshotFile(step: 40))
        try Data("keep me".utf8).write(to: layout.snapshotDirectory.appendingPathComponent("notes.txt"))
        var (flow, source, labelling) = try imageFlow(steps: 3)
        var recorder = try SnapshotRecorder<LabeledDataset>(directory: dir, every: 10) { try labelling.samples($0).samples }
        var rng = SeededGenerator(seed: 0)
        _ = try flow.run(from: source, observer: &recorder, using: &rng)
        XCTAssertEqual(layout.existingSnapshots().map(\.step), [0, 3])
        XCTAssertTrue(FileManager.default.fileExists(atPath: layout.snapshotDirectory.appendingPathComponent("notes.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.accuracyTable.path), "no classifier, no accuracy table")
    }

    func testTwoDimensionalDataGetScatterPictures() throws {
        let dir = try temporaryDirectory()
        var rng = SeededGenerator(seed: 5)
        let target = try SyntheticData.rings(pointsPerRing: 12, radius: 0.3, centres: [(0, 0), (-0.75, 0)])
        let source = try SyntheticData.gaussianClasses(classes: 2, pointsPerClass: 10, mean: [-0.3, 0], std: 0.05, using: &rng)
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target)
        var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 4)
        let labelling = FlowedLabelling(target: target, method: .ot, featureShape: .vector(2), targetClassNames: target.labels)
        let pictures = try SnapshotPictures(backdrop: LabeledSamples(target, classNames: target.labels))
        var recorder = try SnapshotRecorder<LabeledDataset>(directory: dir, every: 3, pictures: pictures) { try labelling.samples($0).samples }
        _ = try flow.run(from: source, observer: &recorder, using: &rng)
        let layout = SnapshotLayout(directory: dir)
        XCTAssertEqual(layout.existingSnapshots().map(\.step), [0, 3, 4])
        XCTAssertEqual(try NPZArchive(contentsOf: layout.snapshotFile(step: 3))["features"]?.shape, [20, 2])
        XCTAssertEqual(recorder.pictureFiles, [layout.gridPicture, layout.animation])
        XCTAssertEqual(String(decoding: try Data(contentsOf: layout.animation).prefix(6), as: UTF8.self), "GIF89a")
        XCTAssertEqual(Array(try Data(contentsOf: layout.gridPicture).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
    }

    func testVectorsOfOtherDimensionsGetNoPictures() throws {
        let dir = try temporaryDirectory()
        var rng = SeededGenerator(seed: 6)
        let source = try SyntheticData.gaussianClasses(classes: 2, pointsPerClass: 4, mean: [0, 0, 0], std: 0.1, using: &rng)
        let target = try SyntheticData.gaussianClasses(classes: 2, pointsPerClass: 4, mean: [1, 0, 0], std: 0.1, using: &rng)
        var flow = Flow(functional: try MMD(kernel: RieszSW(slicing: Slicing(projections: 4)), target: target),
                        integrator: try ExplicitEuler(learningRate: 0.1), steps: 2)
        var recorder = try SnapshotRecorder<LabeledDataset>(directory: dir, every: 1) { try LabeledSamples($0) }
        _ = try flow.run(from: source, observer: &recorder, using: &rng)
        XCTAssertEqual(recorder.records.map(\.step), [0, 1, 2])
        XCTAssertEqual(recorder.pictureFiles, [])
    }

    func testBadSettingsAndClassifiersAreTypedErrors() throws {
        let dir = try temporaryDirectory()
        XCTAssertThrowsError(try SnapshotRecorder<LabeledDataset>(directory: dir, every: 0) { try LabeledSamples($0) }) {
            XCTAssertEqual($0 as? FlowRecordingError, .invalidParameter("the snapshot interval must be positive, got 0"))
        }
        XCTAssertThrowsError(try SnapshotPictures(imagesPerClass: 0))
        let network = try classifier()
        XCTAssertThrowsError(try SnapshotClassifier(network: network, featureShape: .vector(16))) {
            XCTAssertEqual($0 as? FlowRecordingError, .notImages(.vector(16)))
            XCTAssertTrue("\($0)".contains("vectors of 16 values"), "\($0)")
        }
        XCTAssertThrowsError(try SnapshotClassifier(network: network, featureShape: .image(channels: 1, height: 5, width: 5))) {
            XCTAssertEqual($0 as? FlowRecordingError, .shapeMismatch(classifier: [1, 4, 4], data: .image(channels: 1, height: 5, width: 5)))
            XCTAssertTrue("\($0)".contains("trained on 1x4x4 images"), "\($0)")
        }
        let missing = dir.appendingPathComponent("none.weights")
        XCTAssertThrowsError(try SnapshotClassifier(contentsOf: missing, architecture: .cnn, featureShape: Self.shape)) {
            XCTAssertEqual($0 as? FlowRecordingError, .missingWeights(path: missing.path))
        }
        let weights = dir.appendingPathComponent("net.weights")
        try network.save(to: weights)
        XCTAssertThrowsError(try SnapshotClassifier(contentsOf: weights, architecture: .cnn, featureShape: Self.shape)) {
            XCTAssertEqual($0 as? FlowRecordingError, .architectureMismatch(path: weights.path, found: "convnet", expected: "cnn"))
        }
        try Data([1, 2, 3]).write(to: weights)
        XCTAssertThrowsError(try SnapshotClassifier(contentsOf: weights, architecture: .cnn, featureShape: Self.shape)) {
            guard case .unreadableWeights? = $0 as? FlowRecordingError else { return XCTFail("\($0)") }
        }
        // Labels the classifier has no output for.
        let classifier = try SnapshotClassifier(network: network, featureShape: Self.shape)
        let samples = try LabeledSamples(features: Matrix(rows: 1, columns: 16, storage: Array(repeating: 0, count: 16)), labels: [3],
                                         featureShape: Self.shape)
        XCTAssertThrowsError(try classifier.accuracy(on: samples)) {
            XCTAssertEqual($0 as? FlowRecordingError, .labelOutsideClassifier(label: 3, classCount: 3))
        }
        // A recorder of another state type.
        var (flow, source, _) = try imageFlow(steps: 1)
        var wrong = try SnapshotRecorder<ParticleField>(directory: dir, every: 1) { _ in samples }
        var rng = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try flow.run(from: source, observer: &wrong, using: &rng)) {
            guard case .unexpectedState? = $0 as? FlowRecordingError else { return XCTFail("\($0)") }
        }
    }

    /// Finite but extreme pixel values (a blown-up flow) still give pictures, no trap.
    func testExtremePixelValuesAreDrawn() throws {
        let dir = try temporaryDirectory()
        let (_, _, labelling) = try imageFlow(steps: 1)
        let state = try LabeledDataset(classes: [
            EmpiricalMeasure(points: Matrix(rows: 2, columns: 16, storage: (0..<32).map { $0 % 2 == 0 ? 3e38 : -3e38 })),
            EmpiricalMeasure(points: Matrix(rows: 2, columns: 16, repeating: 1e30)),
        ], labels: ["a", "b"])
        var recorder = try SnapshotRecorder<LabeledDataset>(directory: dir, every: 1) { try labelling.samples($0).samples }
        try recorder.record(state, step: 0)
        try recorder.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("snapshots.png").path))
    }

    func testSnapshotFileNames() {
        XCTAssertEqual(SnapshotLayout.fileName(step: 500), "step-000500.npz")
        XCTAssertEqual(SnapshotLayout.fileName(step: 1_234_567), "step-1234567.npz")
        XCTAssertEqual(SnapshotLayout.step(ofFileName: "step-000500.npz"), 500)
        XCTAssertEqual(SnapshotLayout.step(ofFileName: "step-1234567.npz"), 1_234_567)
        XCTAssertNil(SnapshotLayout.step(ofFileName: "step-5.npz"))
        XCTAssertNil(SnapshotLayout.step(ofFileName: "step-00050x.npz"))
        XCTAssertNil(SnapshotLayout.step(ofFileName: "flowed.npz"))
    }
}
