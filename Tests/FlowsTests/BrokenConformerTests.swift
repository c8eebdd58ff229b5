import XCTest
import FlowLaws
import WassersteinFlows

/// Deliberately broken outside conformers end in typed errors from `Flow.run` (never a
/// trap, never a silent "finished" with loss 0), and the law checkers report them.
final class BrokenConformerTests: XCTestCase {
    enum Fault: CaseIterable { case tooFewValues, missingGradient, wrongGradientShape, nanValue, nanGradient }

    /// A Gaussian sliced kernel with one fault injected into its answers.
    struct BrokenKernel: MeasureKernel {
        let fault: Fault
        func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                      using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
            var result = try GaussianSW(bandwidth: 0.5, slicing: Slicing(projections: 8)).evaluate(batch, using: &generator)
            let asked = batch.measures.indices.first { batch.needsGradient($0) } ?? 0
            switch fault {
            case .tooFewValues: result.values.removeLast()
            case .missingGradient: result.gradients[asked] = nil
            case .wrongGradientShape: result.gradients[asked] = Matrix(rows: 1, columns: 1)
            case .nanValue: result.values[0] = .nan
            case .nanGradient: result.gradients[asked]?[0, 0] = .nan
            }
            return result
        }
    }

    /// A functional with one fault injected into an honest MMD's answers.
    struct BrokenFunctional: Functional {
        let mmd: MMD<GaussianSW>
        let fault: Fault
        func valueAndGradient(at state: LabeledDataset, into gradient: inout ParticleField?,
                              using generator: inout some RandomNumberGenerator) throws -> Double {
            var value = try mmd.valueAndGradient(at: state, into: &gradient, using: &generator)
            switch fault {
            case .tooFewValues: gradient?.classes.removeLast()
            case .missingGradient: gradient = nil
            case .wrongGradientShape: gradient?.classes[0] = Matrix(rows: 2, columns: 5)
            case .nanValue: value = .nan
            case .nanGradient: gradient?.classes[0][0, 0] = .infinity
            }
            return value
        }
    }

    /// An integrator that drops the last class after stepping.
    struct ShrinkingIntegrator: Integrator {
        func step(_ state: inout LabeledDataset, gradient: ParticleField) throws {
            state = try LabeledDataset(classes: Array(state.classes.dropLast()))
        }
    }

    func rings() throws -> (LabeledDataset, LabeledDataset) {
        var rng = SeededGenerator(seed: 1)
        let target = try SyntheticData.rings(pointsPerRing: 12)
        let source = try SyntheticData.gaussianClasses(classes: 3, pointsPerClass: 10, using: &rng)
        return (source, target)
    }

    func run<F: Functional, I: Integrator>(_ functional: F, _ integrator: I, from source: LabeledDataset) throws
    where F.State == LabeledDataset, I.State == LabeledDataset {
        var flow = Flow(functional: functional, integrator: integrator, steps: 3)
        var rng = SeededGenerator(seed: 2)
        _ = try flow.run(from: source, using: &rng)
    }

    func testBrokenKernelsEndInTypedErrors() throws {
        let (source, target) = try rings()
        for fault in Fault.allCases {
            let mmd = try MMD(kernel: BrokenKernel(fault: fault), target: target)
            XCTAssertThrowsError(try run(mmd, try ExplicitEuler(learningRate: 0.1), from: source), "\(fault)") { error in
                switch (fault, error) {
                case (.nanValue, let divergence as FlowDivergence<LabeledDataset>),
                     (.nanGradient, let divergence as FlowDivergence<LabeledDataset>):
                    guard case .nonFinite(let conformer, _) = divergence.cause else { return XCTFail("\(fault): \(divergence)") }
                    XCTAssertTrue(conformer.contains("BrokenKernel"), conformer)
                    XCTAssertEqual(divergence.partial.state, source)
                case (_, ConformerError.malformed(let conformer, let reason)):
                    XCTAssertTrue(conformer.contains("BrokenKernel"), "\(fault): \(conformer)")
                    XCTAssertFalse(reason.isEmpty)
                default:
                    XCTFail("\(fault): unexpected \(error)")
                }
            }
        }
    }

    func testBrokenFunctionalsEndInTypedErrors() throws {
        let (source, target) = try rings()
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.5, slicing: Slicing(projections: 8)), target: target)
        for fault in Fault.allCases {
            let functional = BrokenFunctional(mmd: mmd, fault: fault)
            XCTAssertThrowsError(try run(functional, try Momentum(learningRate: 0.1, momentum: 0.5), from: source), "\(fault)") { error in
                switch (fault, error) {
                case (.nanValue, let divergence as FlowDivergence<LabeledDataset>):
                    XCTAssertEqual(divergence.quantity, "loss")
                case (.nanGradient, let divergence as FlowDivergence<LabeledDataset>):
                    XCTAssertEqual(divergence.quantity, "gradient")
                    XCTAssertEqual(divergence.partial.state, source)
                case (_, ConformerError.malformed(let conformer, _)):
                    XCTAssertTrue(conformer.contains("BrokenFunctional"), "\(fault): \(conformer)")
                default:
                    XCTFail("\(fault): unexpected \(error)")
                }
            }
        }
    }

    func testAnIntegratorThatChangesTheShapeIsRefused() throws {
        let (source, target) = try rings()
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.5, slicing: Slicing(projections: 8)), target: target)
        XCTAssertThrowsError(try run(mmd, ShrinkingIntegrator(), from: source)) { error in
            guard case ConformerError.malformed(let conformer, let reason)? = error as? ConformerError else { return XCTFail("\(error)") }
            XCTAssertTrue(conformer.contains("ShrinkingIntegrator"), conformer)
            XCTAssertTrue(reason.contains("3 classes against 2"), reason)
        }
    }

    /// The shipped integrators refuse a gradient that does not fit the state, or a
    /// velocity kept from a state of another shape, instead of trapping.
    func testIntegratorsRefuseMisshapenTangents() throws {
        let (source, _) = try rings()
        var state = source
        var wrong = ParticleField(zerosLike: source)
        wrong.classes.removeLast()
        var euler = try ExplicitEuler<LabeledDataset>(learningRate: 0.1)
        XCTAssertThrowsError(try euler.step(&state, gradient: wrong)) { XCTAssertTrue("\($0)".contains("does not fit"), "\($0)") }
        var momentum = try Momentum<LabeledDataset>(learningRate: 0.1, momentum: 0.5)
        try momentum.step(&state, gradient: ParticleField(zerosLike: source))
        var smaller = try LabeledDataset(classes: Array(source.classes.dropLast()))
        XCTAssertThrowsError(try momentum.step(&smaller, gradient: ParticleField(zerosLike: smaller))) {
            XCTAssertTrue("\($0)".contains("velocity"), "\($0)")
        }
        var adam = try AdamWStep<LabeledDataset>(learningRate: 0.1)
        XCTAssertThrowsError(try adam.step(&state, gradient: wrong))
        XCTAssertEqual(state, source)
    }

    /// The law checker reports every broken kernel as violations and never traps.
    func testTheKernelLawCheckerReportsBrokenKernels() throws {
        var rng = SeededGenerator(seed: 3)
        let measures = try (0..<3).map { _ in
            try EmpiricalMeasure(points: Matrix(rows: 6, columns: 2, storage: (0..<12).map { _ in Float(rng.nextStandardNormal()) }))
        }
        for fault in Fault.allCases {
            XCTAssertFalse(try checkMeasureKernelLaws(BrokenKernel(fault: fault), measures: measures).isEmpty, "\(fault)")
        }
    }

    /// A struct observer records into the caller's variable and sees each state.
    func testAStructObserverRecordsEveryStep() throws {
        struct Recorder: FlowObserver {
            var steps: [Int] = []
            var means: [Float] = []
            var finished = false
            mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {
                steps.append(progress.step)
                if let dataset = state as? LabeledDataset { means.append(dataset.classes[0].points[0, 0]) }
            }
            mutating func flowDidFinish() { finished = true }
        }
        let (source, target) = try rings()
        var flow = Flow(functional: try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target),
                        integrator: try ExplicitEuler(learningRate: 0.1), steps: 4)
        var recorder = Recorder()
        var rng = SeededGenerator(seed: 4)
        let result = try flow.run(from: source, observer: &recorder, using: &rng)
        XCTAssertEqual(recorder.steps, [0, 1, 2, 3, 4])
        XCTAssertTrue(recorder.finished)
        XCTAssertEqual(recorder.means.first, source.classes[0].points[0, 0])
        XCTAssertEqual(recorder.means.last, result.state.classes[0].points[0, 0])
        XCTAssertNotEqual(recorder.means[0], recorder.means[4])
        var log = ProgressLog()
        _ = try flow.run(from: source, observer: &log, using: &rng)
        XCTAssertEqual(log.records.map(\.step), [0, 1, 2, 3, 4])
    }

    /// An observer that throws ends the run with its error.
    func testAThrowingObserverStopsTheRun() throws {
        struct Stop: Error {}
        struct Quitter: FlowObserver {
            mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) throws {
                if progress.step == 2 { throw Stop() }
            }
        }
        let (source, target) = try rings()
        var flow = Flow(functional: try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target),
                        integrator: try ExplicitEuler(learningRate: 0.1), steps: 4)
        var quitter = Quitter()
        var rng = SeededGenerator(seed: 4)
        XCTAssertThrowsError(try flow.run(from: source, observer: &quitter, using: &rng)) { XCTAssertTrue($0 is Stop) }
    }

    /// A flow of Sendable parts can be handed to a task.
    func testAFlowCrossesIntoATask() async throws {
        let (source, target) = try rings()
        let flow = Flow(functional: try MMD(kernel: RieszSW(slicing: Slicing(projections: 8)), target: target),
                        integrator: try Momentum(learningRate: 0.1, momentum: 0.5), steps: 3)
        let losses = try await Task.detached {
            var flow = flow
            var rng = SeededGenerator(seed: 5)
            return try flow.run(from: source, using: &rng).losses
        }.value
        XCTAssertEqual(losses.count, 4)
    }
}
