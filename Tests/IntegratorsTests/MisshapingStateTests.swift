import XCTest
import WassersteinFlows

/// A state conformer from outside the toolkit: a labeled dataset (its tangents are the
/// toolkit's `ParticleField`s) whose `riemannianGradient(_:)` or `weightDecayDirection`
/// returns a field of the wrong shape. The integrators must refuse it with a typed error
/// instead of reaching the preconditions of `move(along:)` or `ParticleField.add`.
struct MisshapingState: ElementwiseFlowManifold, Equatable {
    enum Fault { case none, riemannianGradient, weightDecayDirection }
    var dataset: LabeledDataset
    var fault: Fault

    mutating func move(along tangent: ParticleField) { dataset.move(along: tangent) }
    func riemannianGradient(_ gradient: ParticleField) -> ParticleField {
        fault == .riemannianGradient ? ParticleField(classes: Array(gradient.classes.dropLast())) : gradient
    }
    var weightDecayDirection: ParticleField {
        fault == .weightDecayDirection ? ParticleField(classes: [Matrix(rows: 1, columns: 1)]) : dataset.weightDecayDirection
    }
    func tangentMismatch(_ tangent: ParticleField) -> String? { dataset.tangentMismatch(tangent) }
    func shapeMismatch(_ other: MisshapingState) -> String? { dataset.shapeMismatch(other.dataset) }
    var isFinite: Bool { dataset.isFinite }
}

final class MisshapingStateTests: XCTestCase {
    func state(_ fault: MisshapingState.Fault) throws -> MisshapingState {
        let dataset = try LabeledDataset(classes: [EmpiricalMeasure([[1, 2], [3, 4]]), EmpiricalMeasure([[-1, 0]]),
                                                   EmpiricalMeasure([[0, 5], [2, 2], [1, 1]])])
        return MisshapingState(dataset: dataset, fault: fault)
    }

    /// Steps `integrator` twice from `fault`'s state with a gradient that fits; returns the
    /// error of the first refused step (the state must then be unchanged).
    func refusal<I: Integrator>(_ integrator: I, _ fault: MisshapingState.Fault,
                                file: StaticString = #filePath, line: UInt = #line) throws -> IntegratorError?
    where I.State == MisshapingState {
        var integrator = integrator
        var state = try state(fault)
        let gradient = ParticleField(classes: state.dataset.classes.map { Matrix(rows: $0.count, columns: 2, repeating: 0.5) })
        for _ in 0..<2 {
            let before = state
            do {
                try integrator.step(&state, gradient: gradient)
            } catch let error as IntegratorError {
                XCTAssertEqual(state, before, "a refused step moved the state", file: file, line: line)
                return error
            }
        }
        return nil
    }

    func assertShapeMismatch(_ error: IntegratorError?, naming what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .shapeMismatch(_, let reason)? = error else {
            return XCTFail("expected IntegratorError.shapeMismatch, got \(String(describing: error))", file: file, line: line)
        }
        XCTAssertTrue(reason.contains(what), reason, file: file, line: line)
        XCTAssertTrue(reason.contains("the dataset has 3"), reason, file: file, line: line)
    }

    func testAMisshapenRiemannianGradientIsATypedErrorForEveryIntegrator() throws {
        assertShapeMismatch(try refusal(try GeodesicStep<MisshapingState>(learningRate: 0.1), .riemannianGradient),
                            naming: "riemannianGradient")
        assertShapeMismatch(try refusal(try Momentum<MisshapingState>(learningRate: 0.1, momentum: 0.5), .riemannianGradient),
                            naming: "riemannianGradient")
        assertShapeMismatch(try refusal(try AdamWStep<MisshapingState>(learningRate: 0.1), .riemannianGradient),
                            naming: "riemannianGradient")
        assertShapeMismatch(try refusal(try AdamWStep<MisshapingState>(learningRate: 0.1, weightDecay: 0), .riemannianGradient),
                            naming: "riemannianGradient")
    }

    func testAMisshapenWeightDecayDirectionIsATypedError() throws {
        assertShapeMismatch(try refusal(try AdamWStep<MisshapingState>(learningRate: 0.1), .weightDecayDirection),
                            naming: "weightDecayDirection")
        // Without decay the direction is never used.
        XCTAssertNil(try refusal(try AdamWStep<MisshapingState>(learningRate: 0.1, weightDecay: 0), .weightDecayDirection))
    }

    func testHonestStatesStillStep() throws {
        XCTAssertNil(try refusal(try GeodesicStep<MisshapingState>(learningRate: 0.1), .none))
        XCTAssertNil(try refusal(try Momentum<MisshapingState>(learningRate: 0.1, momentum: 0.5), .none))
        XCTAssertNil(try refusal(try AdamWStep<MisshapingState>(learningRate: 0.1), .none))
    }

    /// The refusal reaches `Flow.run`'s caller as the integrator's typed error.
    struct HalfSquaredNorm: Functional {
        func valueAndGradient(at state: MisshapingState, into gradient: inout ParticleField?,
                              using generator: inout some RandomNumberGenerator) throws -> Double {
            let field = ParticleField(classes: state.dataset.classes.map(\.points))
            gradient = field
            return field.squaredNorm / 2
        }
    }

    func testFlowRunEndsWithTheIntegratorsTypedError() throws {
        var flow = Flow(functional: HalfSquaredNorm(), integrator: try Momentum<MisshapingState>(learningRate: 0.1, momentum: 0.9), steps: 5)
        var rng = SeededGenerator(seed: 3)
        XCTAssertThrowsError(try flow.run(from: try state(.riemannianGradient), using: &rng)) { error in
            guard case IntegratorError.shapeMismatch(let integrator, let reason)? = error as? IntegratorError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(integrator.contains("Momentum"), integrator)
            XCTAssertTrue(reason.contains("riemannianGradient"), reason)
        }
        var honest = Flow(functional: HalfSquaredNorm(), integrator: try Momentum<MisshapingState>(learningRate: 0.1, momentum: 0.9), steps: 5)
        XCTAssertEqual(try honest.run(from: try state(.none), using: &rng).steps, 5)
    }
}
