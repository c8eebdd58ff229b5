import XCTest
import FlowLaws
import WassersteinFlows

/// A curved toy manifold: positive reals with the exponential map x -> x e^(v / x)
/// (metric dx^2 / x^2 ... scaled) and Riemannian gradient x^2 g. Used to show that a
/// curved state plugs into the integrators and the driver by conformance alone.
struct PositiveReal: FlowManifold, Equatable {
    struct Tangent: TangentVector, Equatable {
        var value: Float
        mutating func scale(by factor: Float) { value *= factor }
        mutating func add(_ other: Tangent, scaledBy factor: Float) { value += factor * other.value }
        var isFinite: Bool { value.isFinite }
    }
    var x: Float
    mutating func move(along tangent: Tangent) { x *= Float(exp(Double(tangent.value / x))) }
    func riemannianGradient(_ gradient: Tangent) -> Tangent { Tangent(value: x * x * gradient.value) }
    var isFinite: Bool { x.isFinite && x > 0 }
}

final class IntegratorTests: XCTestCase {
    func dataset() throws -> LabeledDataset {
        try LabeledDataset(classes: [EmpiricalMeasure([[1, 2], [3, 4]]), EmpiricalMeasure([[-1, 0]])])
    }

    func testZeroGradientLeavesTheStateAloneForEveryIntegrator() throws {
        let state = try dataset()
        let zero = ParticleField(zerosLike: state)
        XCTAssertEqual(checkIntegratorLaws({ try! ExplicitEuler<LabeledDataset>(learningRate: 0.5) }, state: state, zero: zero), [])
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<LabeledDataset>(learningRate: 0.5) }, state: state, zero: zero), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<LabeledDataset>(learningRate: 0.5, momentum: 0.9) }, state: state, zero: zero), [])
        let p = PositiveReal(x: 2), z = PositiveReal.Tangent(value: 0)
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<PositiveReal>(learningRate: 0.5) }, state: p, zero: z), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<PositiveReal>(learningRate: 0.5, momentum: 0.5) }, state: p, zero: z), [])
    }

    /// From rest, one step along a small gradient moves a flat state by `-tau g` (the
    /// gradient-descent steppers), and AdamW's bias-corrected first step by about
    /// `-lr sign(g)`; on the curved toy state by `exp_x(-tau x^2 g)`.
    func testFirstStepFromRestFollowsTheGradient() throws {
        var rng = SeededGenerator(seed: 9)
        let state = try dataset()
        let gradient = ParticleField(classes: state.classes.map { measure in
            try! Matrix(rows: measure.count, columns: measure.dimension,
                        storage: (0..<(measure.count * measure.dimension)).map { _ in Float(0.05 * rng.nextStandardNormal()) })
        })
        let descent = IntegratorFirstStep<LabeledDataset>.descent(gradient: gradient, learningRate: 0.5)
        XCTAssertEqual(checkIntegratorLaws({ try! ExplicitEuler<LabeledDataset>(learningRate: 0.5) }, state: state, zero: ParticleField(zerosLike: state),
                                           firstStep: descent), [])
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<LabeledDataset>(learningRate: 0.5) }, state: state, zero: ParticleField(zerosLike: state),
                                           firstStep: descent), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<LabeledDataset>(learningRate: 0.5, momentum: 0.9) }, state: state,
                                           zero: ParticleField(zerosLike: state), firstStep: descent), [])
        let adamMove = gradient.mapComponents { -0.01 * ($0 > 0 ? 1 : -1) }
        XCTAssertEqual(checkIntegratorLaws({ try! AdamWStep<LabeledDataset>(learningRate: 0.01, weightDecay: 0) }, state: state,
                                           zero: ParticleField(zerosLike: state),
                                           firstStep: IntegratorFirstStep(gradient: gradient, expectedMove: adamMove, distance: largestCoordinateDifference)), [])
        let p = PositiveReal(x: 2), z = PositiveReal.Tangent(value: 0)
        let curved = IntegratorFirstStep<PositiveReal>.descent(gradient: PositiveReal.Tangent(value: 0.02), learningRate: 0.5) {
            abs(Double($0.x) - Double($1.x))
        }
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<PositiveReal>(learningRate: 0.5) }, state: p, zero: z, firstStep: curved), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<PositiveReal>(learningRate: 0.5, momentum: 0.5) }, state: p, zero: z, firstStep: curved), [])
    }

    /// The first-step law is not vacuous: a stepper that ascends, one that takes twice the
    /// step, and one that does not move are each caught.
    func testFirstStepLawCatchesWrongSteppers() throws {
        struct Scaled: Integrator {
            var factor: Float
            mutating func step(_ state: inout LabeledDataset, gradient: ParticleField) {
                state.move(along: gradient, scaledBy: -0.5 * factor)
            }
        }
        let state = try dataset()
        var gradient = ParticleField(zerosLike: state)
        gradient.classes[0][1, 0] = 0.03
        gradient.classes[1][0, 1] = -0.02
        let law = IntegratorFirstStep<LabeledDataset>.descent(gradient: gradient, learningRate: 0.5)
        XCTAssertEqual(checkIntegratorLaws({ Scaled(factor: 1) }, state: state, zero: ParticleField(zerosLike: state), firstStep: law), [])
        for factor: Float in [-1, 2, 0] {
            XCTAssertEqual(checkIntegratorLaws({ Scaled(factor: factor) }, state: state, zero: ParticleField(zerosLike: state), firstStep: law).count, 1,
                           "factor \(factor)")
        }
        // A zero expected move makes the law vacuous, which is reported too.
        let vacuous = IntegratorFirstStep<LabeledDataset>.descent(gradient: ParticleField(zerosLike: state), learningRate: 0.5)
        XCTAssertEqual(checkIntegratorLaws({ Scaled(factor: 1) }, state: state, zero: ParticleField(zerosLike: state), firstStep: vacuous).count, 1)
    }

    func testEulerMovesEveryParticleAgainstTheGradient() throws {
        var state = try dataset()
        var gradient = ParticleField(zerosLike: state)
        gradient.classes[0][1, 0] = 2
        gradient.classes[1][0, 1] = -4
        var euler = try ExplicitEuler<LabeledDataset>(learningRate: 0.25)
        try euler.step(&state, gradient: gradient)
        XCTAssertEqual(state.classes[0].points.storage, [1, 2, 2.5, 4])
        XCTAssertEqual(state.classes[1].points.storage, [-1, 1])
    }

    func testFusedScaledMoveHasTheBitsOfScaleThenMove() throws {
        var rng = SeededGenerator(seed: 5)
        func random(_ rows: Int) -> Matrix {
            try! Matrix(rows: rows, columns: 3, storage: (0..<(rows * 3)).map { _ in Float(rng.nextStandardNormal()) })
        }
        let state = try LabeledDataset(classes: [EmpiricalMeasure(points: random(7)), EmpiricalMeasure(points: random(4))])
        let tangent = ParticleField(classes: [random(7), random(4)])
        var fused = state, reference = state
        fused.move(along: tangent, scaledBy: -0.37)
        var scaled = tangent
        scaled.scale(by: -0.37)
        reference.move(along: scaled)
        XCTAssertEqual(fused.classes.map { $0.points.storage.map(\.bitPattern) }, reference.classes.map { $0.points.storage.map(\.bitPattern) })
        // Momentum updates its velocity in place: the same bits as g + m v.
        var integrator = try Momentum<LabeledDataset>(learningRate: 0.1, momentum: 0.9)
        var moved = state
        let g1 = ParticleField(classes: [random(7), random(4)]), g2 = ParticleField(classes: [random(7), random(4)])
        let g1Bits = g1.classes.map { $0.storage.map(\.bitPattern) }
        try integrator.step(&moved, gradient: g1)
        try integrator.step(&moved, gradient: g2)
        var expected = g2
        expected.add(g1, scaledBy: 0.9)
        XCTAssertEqual(integrator.velocity!.classes.map { $0.storage.map(\.bitPattern) }, expected.classes.map { $0.storage.map(\.bitPattern) })
        // The first velocity shared g1's storage; updating it in place must not write into g1.
        XCTAssertEqual(g1.classes.map { $0.storage.map(\.bitPattern) }, g1Bits, "the caller's gradient is untouched")
        // The fused momentum update has the bits of the two passes it replaces.
        var fusedUpdate = g1, twoPasses = g1
        fusedUpdate.scale(by: 0.73, adding: g2)
        twoPasses.scale(by: 0.73)
        twoPasses.add(g2, scaledBy: 1)
        XCTAssertEqual(fusedUpdate.classes.map { $0.storage.map(\.bitPattern) }, twoPasses.classes.map { $0.storage.map(\.bitPattern) })
        XCTAssertNotEqual(fusedUpdate.classes.map { $0.storage.map(\.bitPattern) }, g1Bits)
    }

    func testMomentumMatchesAHandComputedHeavyBallSequence() throws {
        // x0 = 1, tau = 0.1, m = 0.5, gradients 1, 2, -1:
        // v1 = 1,    x1 = 1 - 0.1 = 0.9
        // v2 = 2.5,  x2 = 0.9 - 0.25 = 0.65
        // v3 = 0.25, x3 = 0.65 - 0.025 = 0.625
        var state = try LabeledDataset(classes: [EmpiricalMeasure([[1]])])
        var integrator = try Momentum<LabeledDataset>(learningRate: 0.1, momentum: 0.5)
        var xs = [Float]()
        for g: Float in [1, 2, -1] {
            try integrator.step(&state, gradient: ParticleField(classes: [Matrix(rows: 1, columns: 1, repeating: g)]))
            xs.append(state.classes[0].points[0, 0])
        }
        XCTAssertEqual(xs[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(xs[1], 0.65, accuracy: 1e-6)
        XCTAssertEqual(xs[2], 0.625, accuracy: 1e-6)
        XCTAssertEqual(integrator.velocity?.classes[0][0, 0] ?? .nan, 0.25, accuracy: 1e-6)
    }

    func testGeodesicStepUsesTheStatesExponentialMapAndRiemannianGradient() throws {
        // F(x) = (log x)^2 / 2 on the positive reals, g = log(x) / x, grad_R = x log x,
        // step: x <- x exp(-tau log x) = x^(1 - tau): stays positive, converges to 1.
        var state = PositiveReal(x: 8)
        var step = try GeodesicStep<PositiveReal>(learningRate: 0.5)
        try step.step(&state, gradient: .init(value: Float(log(8.0) / 8)))
        XCTAssertEqual(state.x, Float(pow(8.0, 0.5)), accuracy: 1e-5)
        for _ in 0..<40 { try step.step(&state, gradient: .init(value: Float(log(Double(state.x)) / Double(state.x)))) }
        XCTAssertEqual(state.x, 1, accuracy: 1e-4)
    }

    func testInvalidStepSizesAndMomentaAreTypedErrors() {
        for rate: Float in [0, -0.5, .nan, .infinity, -.infinity] {
            XCTAssertThrowsError(try ExplicitEuler<LabeledDataset>(learningRate: rate)) { XCTAssertTrue($0 is IntegratorError, "\(rate)") }
            XCTAssertThrowsError(try GeodesicStep<LabeledDataset>(learningRate: rate)) { XCTAssertTrue($0 is IntegratorError, "\(rate)") }
            XCTAssertThrowsError(try Momentum<LabeledDataset>(learningRate: rate, momentum: 0.5)) { XCTAssertTrue($0 is IntegratorError, "\(rate)") }
        }
        for momentum: Float in [-0.1, 1, 5, .nan] {
            XCTAssertThrowsError(try Momentum<LabeledDataset>(learningRate: 0.1, momentum: momentum)) {
                XCTAssertEqual($0 as? IntegratorError, .invalidParameter("momentum must lie in [0, 1), got \(momentum)"))
            }
        }
        XCTAssertNoThrow(try Momentum<LabeledDataset>(learningRate: 1e-6, momentum: 0))
        XCTAssertNoThrow(try Momentum<LabeledDataset>(learningRate: 100, momentum: 0.999))
    }
}
