import XCTest
import WassersteinFlows

final class FlowTests: XCTestCase {
    func smallRings() throws -> (source: LabeledDataset, target: LabeledDataset) {
        var rng = SeededGenerator(seed: 1)
        let target = try SyntheticData.rings(pointsPerRing: 20, centres: [(0, 0), (-1, 0)])
        let source = try SyntheticData.gaussianClasses(classes: 2, pointsPerClass: 20, mean: [-0.5, 0], std: 0.05, using: &rng)
        return (source, target)
    }

    func testFlowDecreasesTheLossAndRecordsSnapshots() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.1, slicing: Slicing(projections: 50)), target: target)
        var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: 40, snapshotInterval: 10)
        var rng = SeededGenerator(seed: 2)
        let result = try flow.run(from: source, using: &rng)
        XCTAssertEqual(result.losses.count, 41)
        XCTAssertEqual(result.steps, 40)
        XCTAssertEqual(result.snapshots.map(\.step), [0, 10, 20, 30, 40])
        XCTAssertEqual(result.snapshots.first?.state, source)
        XCTAssertEqual(result.snapshots.last?.state, result.state)
        XCTAssertLessThan(result.losses.last!, 0.5 * result.losses.first!)
        XCTAssertEqual(result.termination, .completedSteps)
    }

    /// Both observers of a pair hear every step in order and the end; an error of the first
    /// ends the run before the second hears of the step.
    func testObserverPairReportsToBoth() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.1, slicing: Slicing(projections: 8)), target: target)
        var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: 3)
        var pair = ObserverPair(ProgressLog(), ProgressLog())
        var rng = SeededGenerator(seed: 2)
        let result = try flow.run(from: source, observer: &pair, using: &rng)
        XCTAssertEqual(pair.first.records.map(\.step), [0, 1, 2, 3])
        XCTAssertEqual(pair.second.records.map(\.loss), result.losses)
        XCTAssertTrue(pair.first.finished && pair.second.finished)

        struct Refusing: FlowObserver {
            struct Refused: Error {}
            mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) throws {
                if progress.step == 1 { throw Refused() }
            }
        }
        var refusing = ObserverPair(Refusing(), ProgressLog())
        XCTAssertThrowsError(try flow.run(from: source, observer: &refusing, using: &rng)) { XCTAssertTrue($0 is Refusing.Refused) }
        XCTAssertEqual(refusing.second.records.map(\.step), [0])
        XCTAssertFalse(refusing.second.finished)
    }

    func testStoppingRuleEndsTheFlowEarly() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.1, slicing: Slicing(projections: 50)), target: target)
        var rng = SeededGenerator(seed: 2)
        var probe = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: 5)
        let initial = try probe.run(from: source, using: &rng).losses[0]
        var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: 200, stopping: .lossBelow(initial / 2))
        let result = try flow.run(from: source, using: &rng)
        guard case let .converged(step) = result.termination else { return XCTFail("did not stop early") }
        XCTAssertLessThan(step, 200)
        XCTAssertLessThanOrEqual(result.losses.last!, initial / 2)
        XCTAssertEqual(result.losses.count, step + 1)
    }

    func testDivergenceStopsWithTheLastGoodState() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 20)), target: target)
        var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 1e38), steps: 20)
        var rng = SeededGenerator(seed: 3)
        let huge = try ExplicitEuler<LabeledDataset>(learningRate: 1e38)
        XCTAssertThrowsError(try flow.run(from: source, using: &rng)) { error in
            guard let divergence = error as? FlowDivergence<LabeledDataset> else { return XCTFail("wrong error \(error)") }
            XCTAssertTrue(divergence.partial.state.isFinite)
            XCTAssertTrue("\(divergence)".contains("not finite"))
            XCTAssertEqual(divergence.partial.losses.count, divergence.partial.steps + 1)
            // The kept state is the one after `partial.steps` steps: rerun that many.
            var shorter = Flow(functional: mmd, integrator: huge, steps: divergence.partial.steps)
            var again = SeededGenerator(seed: 3)
            let rerun = try? shorter.run(from: source, using: &again)
            XCTAssertEqual(rerun?.state, divergence.partial.state, "\(divergence.quantity) \(divergence.step) \(divergence.partial.steps)")
        }
    }

    /// Without snapshots the run keeps no copy of the initial state, takes over the one it
    /// is handed, and ends bit for bit where the run with snapshots ends.
    func testFlowWithoutSnapshotsEndsAtTheSameState() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 30)), target: target)
        var withSnapshots = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 12)
        var rng = SeededGenerator(seed: 5)
        let expected = try withSnapshots.run(from: source, using: &rng)
        var without = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.2, momentum: 0.5), steps: 12)
        without.keepsSnapshots = false
        var handed = source
        handed.withUnsafeMutablePoints(ofClass: 0) { $0[0] += 0 }  // its own storage
        rng = SeededGenerator(seed: 5)
        let result = try without.run(from: consume handed, using: &rng)
        XCTAssertEqual(result.state, expected.state)
        XCTAssertEqual(result.losses, expected.losses)
        XCTAssertTrue(result.snapshots.isEmpty)
        XCTAssertEqual(expected.snapshots.map(\.step), [0, 12])
        var interval = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 4, snapshotInterval: 2)
        interval.keepsSnapshots = false
        XCTAssertThrowsError(try interval.run(from: source, using: &rng)) { error in
            XCTAssertTrue("\(error)".contains("keepsSnapshots"), "\(error)")
        }
    }

    func testInvalidSettingsAreRefused() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 20)), target: target)
        var rng = SeededGenerator(seed: 3)
        var negative = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: -1)
        XCTAssertThrowsError(try negative.run(from: source, using: &rng))
        var badSnapshots = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 3, snapshotInterval: 0)
        XCTAssertThrowsError(try badSnapshots.run(from: source, using: &rng))
        // Any step count is accepted with a stopping rule (no reservation for every step).
        var endless = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: .max, stopping: .lossBelow(.infinity))
        let stopped = try endless.run(from: source, using: &rng)
        XCTAssertEqual(stopped.termination, .converged(step: 0))
    }

    func testANonFiniteLossBeforeAnyStepBlamesTheInputNotTheStepSize() throws {
        struct Broken: Functional {
            func valueAndGradient(at state: LabeledDataset, into gradient: inout ParticleField?,
                                  using generator: inout some RandomNumberGenerator) throws -> Double {
                gradient = ParticleField(zerosLike: state)
                return .infinity
            }
        }
        let (source, _) = try smallRings()
        var flow = Flow(functional: Broken(), integrator: try ExplicitEuler(learningRate: 0.1), steps: 5)
        var rng = SeededGenerator(seed: 3)
        XCTAssertThrowsError(try flow.run(from: source, using: &rng)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("initial state"), text)
            XCTAssertFalse(text.contains("learning rate"), text)
        }
    }

    func testWholeFlowIsBitwiseIdenticalForOneAndTwoThreads() throws {
        let (source, target) = try smallRings()
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 64)), target: target, targetBatchSize: 12)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var finals = [[UInt32]]()
        for threads in [1, 2] {
            Parallel.threads = threads
            var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.1, momentum: 0.9), steps: 15)
            var rng = SeededGenerator(seed: 77)
            let result = try flow.run(from: source, using: &rng)
            finals.append(result.state.classes.flatMap { $0.points.storage.map(\.bitPattern) } + result.losses.map { UInt32(truncatingIfNeeded: $0.bitPattern) })
        }
        XCTAssertEqual(finals[0], finals[1])
    }

    func testProgressBarRendersStepLossAndRate() {
        let bar = ProgressBar(width: 10)
        let text = bar.render(FlowProgress(step: 50, totalSteps: 100, loss: 0.00314, seconds: 2))
        XCTAssertEqual(text, "[#####.....] step 50/100  loss 3.1400e-03  25.0 it/s")
    }

    /// A negative width, or a step outside `0...totalSteps` (both user values), draws an
    /// empty, clamped or full bar instead of trapping in `String(repeating:count:)`.
    func testProgressBarClampsNonsenseWidthsAndSteps() {
        XCTAssertEqual(ProgressBar(width: -3).render(FlowProgress(step: 5, totalSteps: 10, loss: 1, seconds: 1)),
                       "[] step 5/10  loss 1.0000e+00  5.0 it/s")
        let bar = ProgressBar(width: 4)
        XCTAssertTrue(bar.render(FlowProgress(step: -7, totalSteps: 10, loss: 1, seconds: 1)).hasPrefix("[....] step -7/10"))
        XCTAssertTrue(bar.render(FlowProgress(step: 70, totalSteps: 10, loss: 1, seconds: 1)).hasPrefix("[####] step 70/10"))
        XCTAssertTrue(bar.render(FlowProgress(step: Int.max, totalSteps: 1, loss: .nan, seconds: 0)).hasPrefix("[####]"))
    }
}
