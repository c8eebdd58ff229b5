import XCTest
import FlowLaws
import WassersteinFlows

/// Checkpoints: every stored value round-trips bit for bit; a flow stopped and resumed
/// from its checkpoint ends on the uninterrupted run's bits for every integrator, for
/// target minibatches and on the product state; corrupt, truncated and foreign
/// checkpoints are refused with typed errors naming the file.
final class CheckpointTests: XCTestCase {
    func temporaryFile(_ name: String = "checkpoint.npz") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("wow-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent(name)
    }

    func testValuesRoundTripThroughTheirArrays() throws {
        let weighted = try LabeledDataset(classes: Fixture.dataset(sizes: [3, 4], d: 2, seed: 1).classes + [
            EmpiricalMeasure(points: Matrix(rows: 2, columns: 2, storage: [1, 2, 3, 4]), weights: [0.25, 0.75]),
        ], classWeights: [0.2, 0.3, 0.5], labels: ["ankle boot", "T-shirt/top", "ü"])
        XCTAssertEqual(try LabeledDataset(checkpointArrays: weighted.checkpointArrays), weighted)
        let field = ParticleField(classes: weighted.classes.map(\.points))
        XCTAssertEqual(try ParticleField(checkpointArrays: field.checkpointArrays), field)
        let product = try Fixture.productState(n: 4, d: 3, seed: 2, weighted: true)
        XCTAssertEqual(try GaussianLabeledSamples(checkpointArrays: product.checkpointArrays), product)
        var rng = SeededGenerator(seed: 3)
        _ = rng.next()
        var restored = try SeededGenerator(checkpointArrays: rng.checkpointArrays)
        XCTAssertEqual(restored.next(), rng.next())
        XCTAssertThrowsError(try SeededGenerator(state: [0, 0, 0, 0]))
        XCTAssertThrowsError(try LabeledDataset(checkpointArrays: field.checkpointArrays))
    }

    /// Runs `makeFlow()` for `steps` straight, then again stopped after `stopAt` moves
    /// (checkpoints every `interval`) and resumed with a fresh flow; both must end on the
    /// same bits, with the same losses.
    func assertResumesBitwise<F: Functional & CheckpointableMemory, I: Integrator & CheckpointableMemory>(
        _ makeFlow: () throws -> Flow<F, I>, from source: F.State, stopAt: Int, interval: Int?,
        file: StaticString = #filePath, line: UInt = #line
    ) throws where F.State: CheckpointCodable & Equatable {
        var straight = try makeFlow()
        var rng = SeededGenerator(seed: 11)
        let expected = try straight.run(from: source, using: &rng)

        let store = NPZCheckpointStore(url: try temporaryFile())
        var moves = 0
        let stopping = Checkpointing(store: store, interval: interval, identity: ["seed": "11"]) {
            moves += 1
            return moves == stopAt
        }
        var first = try makeFlow()
        var silent = SilentObserver()
        var g1 = SeededGenerator(seed: 11)
        XCTAssertThrowsError(try first.run(from: source, observer: &silent, generator: &g1, checkpointing: stopping, resume: false),
                             file: file, line: line) { error in
            XCTAssertEqual(error as? FlowInterrupted, FlowInterrupted(step: stopAt, location: store.url.path), file: file, line: line)
        }
        var second = try makeFlow()
        var g2 = SeededGenerator(seed: 999)  // overwritten by the checkpoint's
        let resumed = try second.run(from: source, observer: &silent, generator: &g2,
                                     checkpointing: Checkpointing(store: store, interval: interval, identity: ["seed": "11"]), resume: true)
        XCTAssertEqual(resumed.state, expected.state, "final state", file: file, line: line)
        XCTAssertEqual(resumed.losses.map(\.bitPattern), expected.losses.map(\.bitPattern), "losses", file: file, line: line)
        XCTAssertEqual(resumed.termination, expected.termination, "termination", file: file, line: line)
        // The resumed run's snapshots are the straight run's after the checkpoint.
        let checkpointStep = stopAt
        XCTAssertEqual(resumed.snapshots.map(\.step), expected.snapshots.map(\.step).filter { $0 > checkpointStep }, "snapshot steps", file: file, line: line)
        for (r, e) in zip(resumed.snapshots, expected.snapshots.filter({ $0.step > checkpointStep })) {
            XCTAssertEqual(r.state, e.state, "snapshot at step \(r.step)", file: file, line: line)
        }
        // Resuming a finished run returns it without stepping.
        var third = try makeFlow()
        let again = try third.run(from: source, observer: &silent, generator: &g2,
                                  checkpointing: Checkpointing(store: store, identity: ["seed": "11"]), resume: true)
        XCTAssertEqual(again.state, expected.state, file: file, line: line)
    }

    func testWoWFlowsResumeBitwiseForEveryIntegrator() throws {
        let source = try Fixture.dataset(sizes: [6, 8], d: 3, seed: 21)
        let target = try Fixture.dataset(sizes: [7, 9], d: 3, separation: 1, seed: 22)
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 16)), target: target, targetBatchSize: 4)
        try assertResumesBitwise({ Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 12) },
                                 from: source, stopAt: 5, interval: 3)
        try assertResumesBitwise({ Flow(functional: mmd, integrator: try Momentum(learningRate: 0.1, momentum: 0.9), steps: 12) },
                                 from: source, stopAt: 7, interval: nil)
        try assertResumesBitwise({ Flow(functional: mmd, integrator: try AdamWStep<LabeledDataset>(learningRate: 0.01), steps: 12) },
                                 from: source, stopAt: 4, interval: 2)
    }

    /// Snapshots, a stopping rule that ends the run, and a budget grown on resume.
    func testResumingKeepsSnapshotsStoppingRulesAndLongerBudgets() throws {
        let source = try Fixture.dataset(sizes: [6, 8], d: 3, seed: 23)
        let target = try Fixture.dataset(sizes: [7, 9], d: 3, separation: 1, seed: 24)
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 1, slicing: Slicing(projections: 16)), target: target)
        try assertResumesBitwise({ Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 10, snapshotInterval: 3) },
                                 from: source, stopAt: 4, interval: 2)
        // A loose stopping rule that fires mid-run.
        var probe = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 40)
        var rng = SeededGenerator(seed: 11)
        let losses = try probe.run(from: source, using: &rng).losses
        let threshold = losses[12]
        try assertResumesBitwise({ Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 40,
                                        stopping: .lossBelow(threshold)) },
                                 from: source, stopAt: 5, interval: 2)
        // Six steps checkpointed, then resumed with a budget of ten: the ten-step run.
        let store = NPZCheckpointStore(url: try temporaryFile())
        var silent = SilentObserver()
        var short = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 6)
        var g1 = SeededGenerator(seed: 11)
        _ = try short.run(from: source, observer: &silent, generator: &g1, checkpointing: Checkpointing(store: store), resume: false)
        var longer = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 10)
        var g2 = SeededGenerator(seed: 0)
        let extended = try longer.run(from: source, observer: &silent, generator: &g2, checkpointing: Checkpointing(store: store), resume: true)
        var straight = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 10)
        var g3 = SeededGenerator(seed: 11)
        let expected = try straight.run(from: source, using: &g3)
        XCTAssertEqual(extended.state, expected.state)
        XCTAssertEqual(extended.losses.map(\.bitPattern), expected.losses.map(\.bitPattern))
    }

    func testBaselineFlowsResumeBitwise() throws {
        let source = try Fixture.productState(n: 6, d: 2, seed: 31)
        let target = try Fixture.productState(n: 5, d: 2, shift: 1, seed: 32)
        try assertResumesBitwise({ Flow(functional: OTDDObjective(target: target), integrator: try AdamWStep<GaussianLabeledSamples>(learningRate: 0.01), steps: 8) },
                                 from: source, stopAt: 3, interval: 2)
        let product = try ProductSpaceMMD(target: target, noiseLevel: 0.1)
        try assertResumesBitwise({ Flow(functional: product, integrator: try ProductSpaceMomentum(learningRate: 0.1, momentum: 0.9), steps: 8) },
                                 from: source, stopAt: 5, interval: 2)
    }

    /// A checkpoint of one run, and the files and runs that must not resume from it.
    func checkpointOfAShortRun() throws -> (NPZCheckpointStore, LabeledDataset, MMD<RieszSW>) {
        let source = try Fixture.dataset(sizes: [6, 8], d: 3, seed: 41)
        let target = try Fixture.dataset(sizes: [7, 9], d: 3, seed: 42)
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target)
        let store = NPZCheckpointStore(url: try temporaryFile())
        var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.1, momentum: 0.5), steps: 4)
        var silent = SilentObserver()
        var rng = SeededGenerator(seed: 1)
        _ = try flow.run(from: source, observer: &silent, generator: &rng,
                         checkpointing: Checkpointing(store: store, interval: 2, identity: ["lr": "0.1", "data": "abc"]), resume: false)
        return (store, source, mmd)
    }

    func resume(_ store: NPZCheckpointStore, _ source: LabeledDataset, _ mmd: MMD<RieszSW>, identity: [String: String]) throws {
        var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.1, momentum: 0.5), steps: 4)
        var silent = SilentObserver()
        var rng = SeededGenerator(seed: 1)
        _ = try flow.run(from: source, observer: &silent, generator: &rng,
                         checkpointing: Checkpointing(store: store, identity: identity), resume: true)
    }

    func testForeignCheckpointsAreRefusedNamingTheDifference() throws {
        let (store, source, mmd) = try checkpointOfAShortRun()
        XCTAssertNoThrow(try resume(store, source, mmd, identity: ["lr": "0.1", "data": "abc"]))
        XCTAssertThrowsError(try resume(store, source, mmd, identity: ["lr": "0.2", "data": "abc"])) { error in
            guard case let .mismatch(file, differences)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, store.url.path)
            XCTAssertEqual(differences, ["lr is 0.1 there, 0.2 here"])
        }
        let other = try Fixture.dataset(sizes: [6, 9], d: 3, seed: 41)
        XCTAssertThrowsError(try resume(store, other, mmd, identity: ["lr": "0.1", "data": "abc"])) { error in
            XCTAssertTrue("\(error)".contains("another shape"), "\(error)")
        }
    }

    func testCorruptAndTruncatedCheckpointsAreRefusedNamingTheFile() throws {
        let (store, source, mmd) = try checkpointOfAShortRun()
        let bytes = try Data(contentsOf: store.url)
        let identity = ["lr": "0.1", "data": "abc"]
        let original = try XCTUnwrap(try store.load())
        // Every single flipped byte is refused or harmless (a zip header field such as a
        // time stamp): never a checkpoint with other contents.
        var refused = 0
        for position in 0..<bytes.count {
            try flipping(bytes, at: position).write(to: store.url)
            do {
                if try store.load() != original { XCTFail("a flipped byte at \(position) changed the contents unnoticed") }
            } catch let error as CheckpointError {
                guard case .corrupt = error else { return XCTFail("\(error)") }
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, bytes.count * 3 / 4)  // 87% here: the rest are zip header fields
        for (label, damaged) in [("truncated", bytes.prefix(bytes.count / 2)), ("empty", Data()),
                                 ("garbage", Data(repeating: 7, count: 300))] {
            try damaged.write(to: store.url)
            XCTAssertThrowsError(try resume(store, source, mmd, identity: identity), label) { error in
                guard case let .corrupt(file, _)? = error as? CheckpointError else { return XCTFail("\(label): \(error)") }
                XCTAssertEqual(file, store.url.path, label)
            }
        }
        // Valid archive, tampered value: the SHA-256 catches it.
        try bytes.write(to: store.url)
        var archive = try NPZArchive(contentsOf: store.url)
        archive.set(try NumPyArray([1, 2, 3] as [Double], shape: [3]), named: "flow/losses")
        try archive.write(to: store.url)
        XCTAssertThrowsError(try store.load()) { XCTAssertTrue("\($0)".contains("SHA-256"), "\($0)") }
    }

    func flipping(_ data: Data, at index: Int) -> Data {
        var copy = data
        copy[copy.startIndex + index] ^= 0xff
        return copy
    }

    /// Writes never leave a partial file: the store's folder holds only the checkpoint.
    func testSavingLeavesNoTemporaryFiles() throws {
        let (store, _, _) = try checkpointOfAShortRun()
        let files = try FileManager.default.contentsOfDirectory(atPath: store.url.deletingLastPathComponent().path)
        XCTAssertEqual(files, ["checkpoint.npz"])
    }
}
