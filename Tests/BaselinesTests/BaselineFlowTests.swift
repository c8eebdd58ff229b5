import XCTest
import WassersteinFlows

/// Finite differences, positive definiteness and descent for the two baseline objectives.
final class BaselineFlowTests: XCTestCase {
    /// Checks `a_i * gradient` against central differences of `value` in a few features,
    /// every mean coordinate and every covariance entry (symmetric perturbations) of the
    /// first samples.
    func checkFiniteDifferences(_ value: (GaussianLabeledSamples) throws -> Double,
                                gradient: GaussianLabeledTangent, at state: GaussianLabeledSamples,
                                tolerance: Double, context: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let k = state.labelDimension, d = state.featureDimension
        func rebuilt(features: Matrix? = nil, means: [Double]? = nil, covariances: [Double]? = nil) throws -> GaussianLabeledSamples {
            try GaussianLabeledSamples(features: features ?? state.features, means: means ?? state.means,
                                       covariances: covariances ?? state.covariances, labelDimension: k,
                                       labels: state.labels, weights: state.weights)
        }
        let scale = max(1e-6, sqrt(gradient.squaredNorm / Double(state.count)))
        func compare(_ numeric: Double, _ analytic: Double, _ what: String) {
            XCTAssertEqual(numeric, analytic, accuracy: tolerance * scale, "\(context): \(what)", file: file, line: line)
        }
        for i in 0..<min(state.count, 3) {
            let a = state.weights[i]
            for e in 0..<min(d, 3) {
                let h: Float = 1e-2
                var plus = state.features, minus = state.features
                plus[i, e] += h
                minus[i, e] -= h
                let step = Double(plus[i, e] - minus[i, e])
                let numeric = (try value(rebuilt(features: plus)) - value(rebuilt(features: minus))) / step
                compare(numeric, a * Double(gradient.features[i, e]), "feature (\(i), \(e))")
            }
            for e in 0..<k {
                let h = 1e-5
                var plus = state.means, minus = state.means
                plus[i * k + e] += h
                minus[i * k + e] -= h
                let numeric = (try value(rebuilt(means: plus)) - value(rebuilt(means: minus))) / (2 * h)
                compare(numeric, a * gradient.means[i * k + e], "mean (\(i), \(e))")
            }
            for r in 0..<k {
                for c in r..<k {
                    // Symmetric direction E = e_r e_c^T + e_c e_r^T (or e_r e_r^T): dF = tr(G E).
                    let h = 1e-5
                    var plus = state.covariances, minus = state.covariances
                    for (p, q) in Set([[r, c], [c, r]]).map({ ($0[0], $0[1]) }) {
                        plus[i * k * k + p * k + q] += h
                        minus[i * k * k + p * k + q] -= h
                    }
                    let numeric = (try value(rebuilt(covariances: plus)) - value(rebuilt(covariances: minus))) / (2 * h)
                    let g = gradient.covariances
                    let analytic = r == c ? g[i * k * k + r * k + r] : g[i * k * k + r * k + c] + g[i * k * k + c * k + r]
                    compare(numeric, a * analytic, "covariance (\(i); \(r), \(c))")
                }
            }
        }
    }

    /// `k = 2` and `k = 1` label embeddings (both closed forms of the Bures-Wasserstein cost).
    func testOTDDObjectiveGradientMatchesFiniteDifferences() throws {
        for k in [2, 1] {
            let state = try Fixture.productState(n: 5, d: 3, k: k, seed: 51, weighted: true)
            let target = try Fixture.productState(n: 6, d: 3, k: k, shift: 0.5, seed: 52)
            let solvers: [(String, OTDD.OuterSolver)] = [
                ("exact", .exact()),
                ("sinkhorn, absolute epsilon", .sinkhorn(try Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-13))),
                ("sinkhorn, relative epsilon", .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(0.05), tolerance: 1e-13))),
            ]
            for (name, solver) in solvers {
                let objective = OTDDObjective(target: target, outerSolver: solver)
                var rng = SeededGenerator(seed: 0)
                let (value, gradient) = try objective.valueAndGradient(at: state, using: &rng)
                XCTAssertGreaterThan(value, 0, "\(name), k = \(k)")
                // The covariance gradient is not vacuous (the check below would pass on zeros
                // only if the cost did not depend on the covariances).
                XCTAssertGreaterThan(gradient.covariances.map(abs).max()!, 1e-2, "\(name), k = \(k)")
                try checkFiniteDifferences({ var r = SeededGenerator(seed: 0); return try objective.value(at: $0, using: &r) },
                                           gradient: gradient, at: state, tolerance: 1e-3, context: "\(name), k = \(k)")
            }
        }
    }

    /// With one-dimensional label embeddings the label part of the OTDD ground cost is
    /// `W_2^2(N(m, a), N(m', b)) = (m - m')^2 + (sqrt a - sqrt b)^2`.
    func testOTDDGroundCostWithOneDimensionalLabelsIsTheGaussianClosedForm() throws {
        let state = try Fixture.productState(n: 4, d: 2, k: 1, seed: 61)
        let target = try Fixture.productState(n: 3, d: 2, k: 1, shift: 0.7, seed: 62)
        let cost = try OTDDObjective(target: target).groundCost(at: state)
        for i in 0..<state.count {
            for j in 0..<target.count {
                var features = 0.0
                for e in 0..<2 {
                    let delta = Double(state.features[i, e]) - Double(target.features[j, e])
                    features += delta * delta
                }
                let (m1, m2) = (state.means[i], target.means[j])
                let (a, b) = (state.covariances[i], target.covariances[j])
                let expected = features + (m1 - m2) * (m1 - m2) + (a.squareRoot() - b.squareRoot()) * (a.squareRoot() - b.squareRoot())
                XCTAssertEqual(cost[i, j], expected, accuracy: 1e-6 * max(1, expected), "(\(i), \(j))")
            }
        }
        // Hand-made pair: N(1, 4) to N(-2, 9): 9 + 1 = 10 (plus the features, here equal).
        let one = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 1, storage: [0.5]), means: [1], covariances: [4],
                                             labelDimension: 1, labels: [0])
        let other = try GaussianLabeledSamples(features: Matrix(rows: 1, columns: 1, storage: [0.5]), means: [-2], covariances: [9],
                                               labelDimension: 1, labels: [0])
        XCTAssertEqual(try OTDDObjective(target: other).groundCost(at: one)[0, 0], 10, accuracy: 1e-12)
    }

    func testOTDDObjectiveWithThreeDimensionalLabelEmbeddings() throws {
        // k = 3 takes the general Bures-Wasserstein path (eigendecompositions).
        let state = try Fixture.productState(n: 4, d: 2, k: 3, seed: 53)
        let target = try Fixture.productState(n: 4, d: 2, k: 3, shift: 0.5, seed: 54)
        let objective = OTDDObjective(target: target, outerSolver: .sinkhorn(try Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-13)))
        var rng = SeededGenerator(seed: 0)
        let gradient = try objective.valueAndGradient(at: state, using: &rng).gradient
        try checkFiniteDifferences({ var r = SeededGenerator(seed: 0); return try objective.value(at: $0, using: &r) },
                                   gradient: gradient, at: state, tolerance: 1e-3)
    }

    func testProductMMDGradientMatchesFiniteDifferences() throws {
        let state = try Fixture.productState(n: 5, d: 3, seed: 55, weighted: true)
        let target = try Fixture.productState(n: 4, d: 3, shift: 0.5, seed: 56)
        let mmd = try ProductSpaceMMD(target: target, featureBandwidth: 2, meanBandwidth: 1.5, covarianceBandwidth: 1, noiseLevel: 0)
        var rng = SeededGenerator(seed: 0)
        let (value, gradient) = try mmd.valueAndGradient(at: state, using: &rng)
        XCTAssertGreaterThan(value, 0)
        try checkFiniteDifferences({ try mmd.value(at: $0, using: &rng) }, gradient: gradient, at: state, tolerance: 1e-3)
        // The MMD of the target with itself vanishes.
        XCTAssertEqual(try mmd.value(at: target, using: &rng), 0, accuracy: 1e-12)
    }

    func testNoiseInjectionIsSeededAndSymmetric() throws {
        let state = try Fixture.productState(n: 4, d: 3, seed: 57)
        let mmd = try ProductSpaceMMD(target: try Fixture.productState(n: 4, d: 3, shift: 1, seed: 58), featureBandwidth: 2,
                                      meanBandwidth: 2, covarianceBandwidth: 2, noiseLevel: 0.01)
        var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9), r3 = SeededGenerator(seed: 10)
        let g1 = try mmd.valueAndGradient(at: state, using: &r1), g2 = try mmd.valueAndGradient(at: state, using: &r2)
        let g3 = try mmd.valueAndGradient(at: state, using: &r3)
        XCTAssertEqual(g1.value, g2.value)
        XCTAssertEqual(g1.gradient, g2.gradient)
        XCTAssertNotEqual(g1.value, g3.value)
        for i in 0..<4 { XCTAssertEqual(g1.gradient.covariances[i * 4 + 1], g1.gradient.covariances[i * 4 + 2]) }
    }

    /// Runs `steps` integrator steps by hand, checking every covariance after each one.
    func assertCovariancesStayPositiveDefinite<F: Functional, I: Integrator>(_ functional: F, _ integrator: I, from state: GaussianLabeledSamples,
                                                                              steps: Int, file: StaticString = #filePath, line: UInt = #line) throws
    where F.State == GaussianLabeledSamples, I.State == GaussianLabeledSamples {
        var state = state, integrator = integrator
        var rng = SeededGenerator(seed: 3)
        let k = state.labelDimension
        for step in 0..<steps {
            try integrator.step(&state, gradient: try functional.valueAndGradient(at: state, using: &rng).gradient)
            XCTAssertTrue(state.isFinite, "step \(step)", file: file, line: line)
            XCTAssertGreaterThan(state.smallestCovarianceEigenvalue, 0, "step \(step)", file: file, line: line)
            for i in 0..<state.count {
                for r in 0..<k { for c in 0..<k { XCTAssertEqual(state.covariances[i * k * k + r * k + c], state.covariances[i * k * k + c * k + r]) } }
            }
        }
    }

    func testCovariancesStaySymmetricPositiveDefiniteOverManySteps() throws {
        let source = try Fixture.productState(n: 6, d: 3, seed: 59), target = try Fixture.productState(n: 5, d: 3, shift: 2, seed: 60)
        let otdd = OTDDObjective(target: target, outerSolver: .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(0.05))))
        try assertCovariancesStayPositiveDefinite(otdd, try AdamWStep<GaussianLabeledSamples>(learningRate: 0.05), from: source, steps: 150)
        try assertCovariancesStayPositiveDefinite(otdd, try GeodesicStep<GaussianLabeledSamples>(learningRate: 0.4), from: source, steps: 60)
        let mmd = try ProductSpaceMMD(target: target, featureBandwidth: 2, meanBandwidth: 2, covarianceBandwidth: 2, noiseLevel: 0.01)
        try assertCovariancesStayPositiveDefinite(mmd, try ProductSpaceMomentum(learningRate: 2, momentum: 0.9), from: source, steps: 150)
    }

    func testShortFlowsDecreaseTheObjective() throws {
        let source = try Fixture.dataset(sizes: [6, 6, 6], d: 4, separation: 0.3, scale: 0.2, seed: 61)
        let target = try Fixture.dataset(sizes: [5, 7, 6], d: 4, separation: 1, scale: 0.3, seed: 62)
        let problem = try ProductSpaceProblem(source: source, target: target)
        var rng = SeededGenerator(seed: 4)

        // A flow needs no 1e-9 marginals (the default of a distance computation); 1e-6 keeps
        // Sinkhorn well within its iteration cap once classes contract.
        let otdd = OTDDObjective(target: problem.target, outerSolver: .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(0.05), tolerance: 1e-6)))
        var flow = Flow(functional: otdd, integrator: try AdamWStep<GaussianLabeledSamples>(learningRate: 0.05), steps: 12)
        let otddResult = try flow.run(from: problem.source, using: &rng)
        XCTAssertLessThan(otddResult.losses.last!, 0.7 * otddResult.losses.first!)

        let mmd = try ProductSpaceMMD(target: problem.target, featureBandwidth: 1, meanBandwidth: 1, covarianceBandwidth: 1)
        var product = Flow(functional: mmd, integrator: try ProductSpaceMomentum(learningRate: 0.5, momentum: 0.9), steps: 40)
        let productResult = try product.run(from: problem.source, using: &rng)
        XCTAssertLessThan(productResult.losses.suffix(5).reduce(0, +) / 5, 0.7 * productResult.losses.first!)

        // The flowed samples come back as a labelled dataset with the target's classes.
        let flowed = try problem.labeledDataset(otddResult.state, clippingTo: nil)
        XCTAssertEqual(flowed.pointCount, source.pointCount)
        XCTAssertTrue(Set(flowed.labels).isSubset(of: Set(target.labels)))
    }

    func testResultsDoNotDependOnTheThreadCount() throws {
        // Sizes above the parallel chunk sizes (16 rows), so that work is really split.
        let source = try Fixture.productState(n: 40, d: 12, seed: 63), target = try Fixture.productState(n: 35, d: 12, shift: 1, seed: 64)
        let otdd = OTDDObjective(target: target, outerSolver: .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(0.05))))
        let mmd = try ProductSpaceMMD(target: target, featureBandwidth: 5, meanBandwidth: 2, covarianceBandwidth: 2)
        let p = try Fixture.dataset(sizes: [9, 20, 17], d: 3, seed: 65), q = try Fixture.dataset(sizes: [19, 18], d: 3, seed: 66)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var outputs = [(Double, GaussianLabeledTangent, Double, GaussianLabeledTangent, Double, CostMatrix)]()
        for threads in [1, 2, 3] {
            Parallel.threads = threads
            var r1 = SeededGenerator(seed: 5), r2 = SeededGenerator(seed: 5)
            let a = try otdd.valueAndGradient(at: source, using: &r1), b = try mmd.valueAndGradient(at: source, using: &r2)
            let distance = try OTDD(labelDistance: .gaussian(components: 2)).evaluate(p, q).squaredDistance
            outputs.append((a.value, a.gradient, b.value, b.gradient, distance, try LabelDistance.exact.squaredDistances(from: p.classes, to: q.classes)))
        }
        for o in outputs.dropFirst() {
            XCTAssertEqual(o.0, outputs[0].0)
            XCTAssertEqual(o.1, outputs[0].1)
            XCTAssertEqual(o.2, outputs[0].2)
            XCTAssertEqual(o.3, outputs[0].3)
            XCTAssertEqual(o.4, outputs[0].4)
            XCTAssertEqual(o.5, outputs[0].5)
        }
    }
}
