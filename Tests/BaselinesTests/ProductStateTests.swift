import XCTest
import FlowLaws
import WassersteinFlows

final class ProductStateTests: XCTestCase {
    func testEveryIntegratorPassesTheLawsOnTheProductState() throws {
        let state = try Fixture.productState(n: 4, d: 3, seed: 31)
        let zero = GaussianLabeledTangent(zerosLike: state)
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<GaussianLabeledSamples>(learningRate: 0.5) }, state: state, zero: zero), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<GaussianLabeledSamples>(learningRate: 0.5, momentum: 0.9) }, state: state, zero: zero), [])
        XCTAssertEqual(checkIntegratorLaws({ try! ProductSpaceMomentum(learningRate: 1, momentum: 0.9) }, state: state, zero: zero), [])
        XCTAssertEqual(checkIntegratorLaws({ try! AdamWStep<GaussianLabeledSamples>(learningRate: 1e-3, weightDecay: 0) }, state: state, zero: zero), [])
        let dataset = try Fixture.dataset(sizes: [3, 2], d: 2, seed: 32)
        XCTAssertEqual(checkIntegratorLaws({ try! AdamWStep<LabeledDataset>(learningRate: 0.1, weightDecay: 0) }, state: dataset,
                                           zero: ParticleField(zerosLike: dataset)), [])
    }

    /// From rest, one step along a small gradient is one geodesic descent step
    /// `exp_x(-tau grad_R F)`: `x - tau g` on features and means, `exp_Sigma(-2 tau G)` on
    /// covariances; AdamW's first step moves by about `-lr sign(g)` through the same map.
    func testFirstStepFromRestIsAGeodesicDescentStep() throws {
        let state = try Fixture.productState(n: 4, d: 3, seed: 31)
        let zero = GaussianLabeledTangent(zerosLike: state)
        var rng = SeededGenerator(seed: 34)
        var gradient = zero
        gradient.features = try Matrix(rows: state.count, columns: state.featureDimension,
                                       storage: (0..<(state.count * state.featureDimension)).map { _ in Float(0.05 * rng.nextStandardNormal()) })
        gradient.means = gradient.means.map { _ in 0.05 * rng.nextStandardNormal() }
        // Symmetric covariance blocks.
        let k = state.labelDimension
        for i in 0..<state.count {
            for r in 0..<k {
                for c in r..<k {
                    let value = 0.02 * rng.nextStandardNormal()
                    gradient.covariances[i * k * k + r * k + c] = value
                    gradient.covariances[i * k * k + c * k + r] = value
                }
            }
        }
        let descent = IntegratorFirstStep<GaussianLabeledSamples>.descent(gradient: gradient, learningRate: 0.5)
        XCTAssertEqual(checkIntegratorLaws({ try! GeodesicStep<GaussianLabeledSamples>(learningRate: 0.5) }, state: state, zero: zero, firstStep: descent), [])
        XCTAssertEqual(checkIntegratorLaws({ try! Momentum<GaussianLabeledSamples>(learningRate: 0.5, momentum: 0.9) }, state: state, zero: zero,
                                           firstStep: descent), [])
        XCTAssertEqual(checkIntegratorLaws({ try! ProductSpaceMomentum(learningRate: 0.5, momentum: 0.9) }, state: state, zero: zero,
                                           firstStep: descent), [])
        XCTAssertEqual(checkIntegratorLaws({ try! ProductSpaceMomentum(learningRate: 0.5, momentum: 0.9, covarianceMomentum: 0.5) }, state: state,
                                           zero: zero, firstStep: descent), [])
        let adamMove = gradient.mapComponents { $0 == 0 ? 0 : -0.01 * ($0 > 0 ? 1 : -1) }
        XCTAssertEqual(checkIntegratorLaws({ try! AdamWStep<GaussianLabeledSamples>(learningRate: 0.01, weightDecay: 0) }, state: state, zero: zero,
                                           firstStep: IntegratorFirstStep(gradient: gradient, expectedMove: adamMove, distance: largestCoordinateDifference)), [])
    }

    func testDecoupledWeightDecayShrinksTheStateWithoutAGradient() throws {
        // The one intended exception to the integrator law: x <- (1 - lr wd) x, and
        // Sigma <- (1 - lr wd / 2)^2 Sigma (lr and wd are Float parameters).
        let state = try Fixture.productState(n: 3, d: 2, seed: 33)
        var moved = state
        var adamw = try AdamWStep<GaussianLabeledSamples>(learningRate: 0.1, weightDecay: 0.5)
        try adamw.step(&moved, gradient: GaussianLabeledTangent(zerosLike: state))
        let shrink = 1 - Double(Float(0.1)) * Double(Float(0.5))
        for (x, y) in zip(moved.features.storage, state.features.storage) { XCTAssertEqual(Double(x), shrink * Double(y), accuracy: 1e-6) }
        for (x, y) in zip(moved.means, state.means) { XCTAssertEqual(x, shrink * y, accuracy: 1e-12) }
        let half = 1 - (1 - shrink) / 2
        for (x, y) in zip(moved.covariances, state.covariances) { XCTAssertEqual(x, half * half * y, accuracy: 1e-12) }
    }

    func testAdamWMatchesTheOptaxRecurrenceOnAFlatState() throws {
        // x0 = 1, gradients 1, 2, -1, lr 0.1, wd 0.01, optax defaults; the recurrence
        // written out independently here.
        var state = try LabeledDataset(classes: [EmpiricalMeasure([[1]])])
        var adamw = try AdamWStep<LabeledDataset>(learningRate: 0.1, weightDecay: 0.01)
        var x = 1.0, m = 0.0, v = 0.0
        for (t, g) in [1.0, 2.0, -1.0].enumerated() {
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            let u = (m / (1 - pow(0.9, Double(t + 1)))) / ((v / (1 - pow(0.999, Double(t + 1)))).squareRoot() + 1e-8)
            x -= 0.1 * (u + 0.01 * x)
            try adamw.step(&state, gradient: ParticleField(classes: [Matrix(rows: 1, columns: 1, repeating: Float(g))]))
            XCTAssertEqual(Double(state.classes[0].points[0, 0]), x, accuracy: 1e-6)
        }
        XCTAssertEqual(adamw.stepCount, 3)
        XCTAssertThrowsError(try AdamWStep<LabeledDataset>(learningRate: 0)) { XCTAssertTrue($0 is IntegratorError) }
        XCTAssertThrowsError(try AdamWStep<LabeledDataset>(beta1: 1)) { XCTAssertTrue($0 is IntegratorError) }
    }

    /// Three heavy-ball steps written out by hand (k = 1, so every part is a scalar):
    /// tau = 0.5, mu = 0.5, mu_S = 0.25, x0 = 1, m0 = 0, Sigma0 = 1, and gradients
    /// (g_x, g_m, G) = (1, 2, 0.1), (-1, 0, 0.2), (0.5, -1, -0.1).
    ///
    ///     v_x: 1, -1 + 0.5 * 1 = -0.5, 0.5 + 0.5 * -0.5 = 0.25     x: 0.5, 0.75, 0.625
    ///     v_m: 2, 0 + 0.5 * 2 = 1, -1 + 0.5 * 1 = -0.5             m: -1, -1.5, -1.25
    ///     v_S (from 2 G): 0.2, 0.4 + 0.25 * 0.2 = 0.45, -0.2 + 0.25 * 0.45 = -0.0875
    ///     Sigma <- (1 - tau v_S)^2 Sigma: 0.9^2 = 0.81, 0.775^2 * 0.81 = 0.48650625,
    ///            1.04375^2 * 0.48650625 = 0.530006750244140625
    ///
    /// and with the default mu_S = 0 the covariance steps forget the past:
    /// 0.81, 0.8^2 * 0.81 = 0.5184, 1.1^2 * 0.5184 = 0.627264.
    func testProductSpaceMomentumFollowsTheHeavyBallRecurrence() throws {
        let start = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 1, storage: [1]), means: [0], covariances: [1],
                                               labelDimension: 1, labels: [0])
        let gradients = [(1.0, 2.0, 0.1), (-1.0, 0.0, 0.2), (0.5, -1.0, -0.1)].map { gx, gm, g in
            GaussianLabeledTangent(features: Matrix(rows: 1, columns: 1, repeating: Float(gx)), means: [gm], covariances: [g])
        }
        let features: [Float] = [0.5, 0.75, 0.625], means = [-1, -1.5, -1.25]
        for (covarianceMomentum, covariances) in [(Float(0.25), [0.81, 0.48650625, 0.530006750244140625]), (0, [0.81, 0.5184, 0.627264])] {
            var state = start
            var stepper = try ProductSpaceMomentum(learningRate: 0.5, momentum: 0.5, covarianceMomentum: covarianceMomentum)
            for t in 0..<3 {
                try stepper.step(&state, gradient: gradients[t])
                XCTAssertEqual(state.features[0, 0], features[t], accuracy: 1e-7, "mu_S \(covarianceMomentum), step \(t + 1)")
                XCTAssertEqual(state.means[0], means[t], accuracy: 1e-12, "mu_S \(covarianceMomentum), step \(t + 1)")
                XCTAssertEqual(state.covariances[0], covariances[t], accuracy: 1e-12, "mu_S \(covarianceMomentum), step \(t + 1)")
            }
            let velocity = try XCTUnwrap(stepper.velocity)
            XCTAssertEqual(velocity.features[0, 0], 0.25, accuracy: 1e-7)
            XCTAssertEqual(velocity.means[0], -0.5, accuracy: 1e-12)
            XCTAssertEqual(velocity.covariances[0], covarianceMomentum == 0 ? -0.2 : -0.0875, accuracy: 1e-12)
        }
    }

    /// The reference bandwidths `h_x = 100`, `h_m = 50`, `h_S = 1000` are the defaults: for
    /// one sample against one target sample, `F = 1/2 (1 + 1 - 2 k) = 1 - k` with
    /// `k = exp(-|dx|^2 / 200 - |dm|^2 / 100 - |dSigma|_F^2 / 2000)`; here
    /// `|dx|^2 = 25`, `|dm|^2 = 5`, `|dSigma|_F^2 = 1.5`.
    func testProductMMDDefaultBandwidthsGiveTheReferenceKernel() throws {
        let state = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 2, storage: [0, 0]), means: [1, 0],
                                               covariances: [1, 0, 0, 1], labelDimension: 2, labels: [0])
        let target = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 2, storage: [3, 4]), means: [0, 2],
                                                covariances: [2, 0.5, 0.5, 1], labelDimension: 2, labels: [0])
        let defaults = try ProductSpaceMMD(target: target)
        XCTAssertEqual(defaults.featureBandwidth, 100)
        XCTAssertEqual(defaults.meanBandwidth, 50)
        XCTAssertEqual(defaults.covarianceBandwidth, 1000)
        XCTAssertEqual(defaults.noiseLevel, 0.01)
        let mmd = try ProductSpaceMMD(target: target, noiseLevel: 0)
        var rng = SeededGenerator(seed: 0)
        let kernel = exp(-25.0 / 200 - 5.0 / 100 - 1.5 / 2000)
        XCTAssertEqual(try mmd.value(at: state, using: &rng), 1 - kernel, accuracy: 1e-12)
    }

    func testMoveIsTheBuresWassersteinExponentialMap() throws {
        var state = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 1), means: [0, 0], covariances: [2, 0.5, 0.5, 1],
                                               labelDimension: 2, labels: [0])
        let v = [0.1, -0.2, -0.2, 0.3]
        state.move(along: GaussianLabeledTangent(features: Matrix(rows: 1, columns: 1, repeating: 0.5), means: [1, -1], covariances: v))
        // (I + V) S (I + V) with I + V = [[1.1, -0.2], [-0.2, 1.3]]:
        // S (I + V) = [[2.1, 0.25], [0.35, 1.2]], then (I + V) * that = [[2.24, 0.035], [0.035, 1.51]].
        XCTAssertEqual(state.covariances[0], 2.24, accuracy: 1e-12)
        XCTAssertEqual(state.covariances[1], 0.035, accuracy: 1e-12)
        XCTAssertEqual(state.covariances[2], 0.035, accuracy: 1e-12)
        XCTAssertEqual(state.covariances[3], 1.51, accuracy: 1e-12)
        XCTAssertEqual(state.means, [1, -1])
        XCTAssertEqual(state.features[0, 0], 0.5)
    }

    func testAGeodesicStepOfHalfLandsOnTheTarget() throws {
        // For one source and one target sample, F = |x - x'|^2 + BW^2: the gradient is
        // (2 (x - x'), 2 (m - m'), I - T), and exp(-1/2 grad_R F) is exactly the target
        // (x - (x - x') = x', m' likewise, (I - (I - T)) S (I - (I - T)) = T S T = S').
        let source = try Fixture.productState(n: 1, d: 3, seed: 34), target = try Fixture.productState(n: 1, d: 3, shift: 1, seed: 35)
        let objective = OTDDObjective(target: target)
        var state = source
        var rng = SeededGenerator(seed: 0)
        var step = try GeodesicStep<GaussianLabeledSamples>(learningRate: 0.5)
        try step.step(&state, gradient: try objective.valueAndGradient(at: state, using: &rng).gradient)
        for (x, y) in zip(state.features.storage, target.features.storage) { XCTAssertEqual(x, y, accuracy: 1e-5) }
        for (x, y) in zip(state.means, target.means) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        for (x, y) in zip(state.covariances, target.covariances) { XCTAssertEqual(x, y, accuracy: 1e-10) }
        XCTAssertEqual(try objective.valueAndGradient(at: state, using: &rng).value, 0, accuracy: 1e-9)
    }

    func testStatesRefuseBadInput() throws {
        assertThrows(BaselineError.empty("the sample features"),
                     try GaussianLabeledSamples(features: Matrix(rows: 0, columns: 2), means: [], covariances: [], labelDimension: 2, labels: []))
        assertThrows(BaselineError.dimensionMismatch(expected: 2, found: 3, context: "mean entries for 1 samples in 2 dimensions"),
                     try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 2), means: [0, 0, 0], covariances: [1, 0, 0, 1],
                                                labelDimension: 2, labels: [0]))
        XCTAssertThrowsError(try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 2), means: [0, 0], covariances: [1, 2, 2, 1],
                                                        labelDimension: 2, labels: [0])) { error in
            guard case let BaselineError.notPositiveDefinite(sample, smallest) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(sample, 0)
            XCTAssertEqual(smallest, -1, accuracy: 1e-12)
        }
        XCTAssertThrowsError(try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 2), means: [0, 0], covariances: [1, 0.5, 0, 1],
                                                        labelDimension: 2, labels: [0])) { XCTAssertTrue($0 is BaselineError) }
        let a = try Fixture.productState(n: 3, d: 2, seed: 36), b = try Fixture.productState(n: 3, d: 4, seed: 37)
        var rng = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try OTDDObjective(target: b).valueAndGradient(at: a, using: &rng)) { error in
            guard case BaselineError.dimensionMismatch(4, 2, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ProductSpaceMMD(target: b, featureBandwidth: 0)) { XCTAssertTrue($0 is BaselineError) }
        XCTAssertThrowsError(try ProductSpaceMMD(target: b, noiseLevel: -1)) { XCTAssertTrue($0 is BaselineError) }
        XCTAssertThrowsError(try ProductSpaceMomentum(learningRate: 1, momentum: 1)) { XCTAssertTrue($0 is IntegratorError) }
        let small = try Fixture.dataset(sizes: [3, 3], d: 2, seed: 38), wide = try Fixture.dataset(sizes: [3], d: 3, seed: 39)
        XCTAssertThrowsError(try ProductSpaceProblem(source: small, target: small, components: 3)) { XCTAssertTrue($0 is BaselineError) }
        XCTAssertThrowsError(try ProductSpaceProblem(source: small, target: wide)) { XCTAssertTrue($0 is BaselineError) }
    }

    func testEmbeddingGivesEverySampleItsClassGaussianAndLabellingRecoversTheClasses() throws {
        let source = try Fixture.dataset(sizes: [12, 9, 10], d: 5, separation: 1.5, seed: 40)
        let target = try Fixture.dataset(sizes: [8, 11, 10], d: 5, separation: 1.5, scale: 0.6, seed: 41)
        let problem = try ProductSpaceProblem(source: source, target: target)
        XCTAssertEqual(problem.source.count, 31)
        XCTAssertEqual(problem.source.labelDimension, 2)
        for i in 0..<problem.target.count {
            let c = problem.target.labels[i]
            XCTAssertEqual(problem.target.mean(i), problem.targetClasses[c].mean)
            XCTAssertEqual(try problem.target.covariance(i), problem.targetClasses[c].covariance)
        }
        // The Gaussians are the fits of the projected class points.
        let projected = try problem.embedding.principalComponents.project(target.classes[1].points)
        let fit = try GaussianSummary(fitting: EmpiricalMeasure(points: projected))
        XCTAssertLessThan(fit.covariance.maximumDifference(from: problem.targetClasses[1].covariance), 1e-6)
        // Every target sample sits exactly on its class Gaussian: labelling the target
        // itself returns its classes, and the labelled dataset has the target's classes.
        let assignment = try problem.assignLabels(problem.target)
        XCTAssertEqual(assignment.labels, problem.target.labels)
        let labelled = try problem.labeledDataset(problem.target, clippingTo: nil)
        XCTAssertEqual(labelled.labels, target.labels)
        XCTAssertEqual(labelled.classes.map(\.points), target.classes.map(\.points))
        let clipped = try problem.labeledDataset(problem.target)
        XCTAssertTrue(clipped.classes.allSatisfy { $0.points.storage.allSatisfy { (0...1).contains($0) } })
    }
}
