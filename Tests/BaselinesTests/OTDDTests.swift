import XCTest
import WassersteinFlows

final class OTDDTests: XCTestCase {
    func testSelfDistanceIsExactlyZeroInExactMode() throws {
        // 3 classes x 30 points in d = 40: large enough for the GEMM evaluation of the
        // feature costs (n m d > 2^18), whose rounding must not leak into the diagonal.
        let d = try Fixture.dataset(sizes: [30, 30, 30], d: 40, separation: 0.5, seed: 11)
        let pooled = try Matrix(rows: 90, columns: 40, storage: d.classes.flatMap(\.points.storage))
        let raw = try SquaredEuclidean.costMatrix(pooled, pooled)
        XCTAssertTrue((0..<90).contains { raw[$0, $0] != 0 }, "the fixture must leave GEMM rounding on the diagonal")
        for labels in [LabelDistance.exact, .gaussian(), .gaussian(components: 2)] {
            let output = try OTDD(labelDistance: labels).evaluate(d, d)
            XCTAssertEqual(output.squaredDistance, 0, "\(labels)")
            XCTAssertEqual(output.plan.totalMass, 1, accuracy: 1e-12)
        }
        // Entropic OT blurs the plan: positive self-distance (the original library's behaviour).
        let sinkhorn = try OTDD(outerSolver: .sinkhorn(Sinkhorn(epsilon: .relativeToMeanCost(0.05)))).evaluate(d, d)
        XCTAssertGreaterThan(sinkhorn.squaredDistance, 0)
    }

    func testPositiveForAPerturbedCopyAndSymmetric() throws {
        let d = try Fixture.dataset(sizes: [8, 10, 7], d: 3, classWeights: [0.3, 0.3, 0.4], seed: 12)
        let e = try Fixture.perturbed(d, scale: 0.05, seed: 13)
        let de = try OTDD().evaluate(d, e), ed = try OTDD().evaluate(e, d)
        XCTAssertGreaterThan(de.squaredDistance, 0)
        XCTAssertEqual(de.squaredDistance, ed.squaredDistance, accuracy: 1e-10 * de.squaredDistance)
        // Sinkhorn: symmetric up to its marginal tolerance (1e-6 in L1, times the cost scale).
        let sinkhorn = try OTDD(outerSolver: .sinkhorn(Sinkhorn(epsilon: .relativeToMeanCost(0.05), tolerance: 1e-6)))
        let s1 = try sinkhorn.evaluate(d, e), s2 = try sinkhorn.evaluate(e, d)
        XCTAssertTrue(s1.converged && s2.converged)
        XCTAssertEqual(s1.squaredDistance, s2.squaredDistance, accuracy: 1e-5 * s1.squaredDistance)
        // Labels matter: the same samples with one point moved to another class are apart,
        // and reordering the classes changes nothing.
        let uniform = try Fixture.dataset(sizes: [8, 10, 7], d: 3, classWeights: [8 / 25, 10 / 25, 7 / 25], seed: 12)
        let reordered = try LabeledDataset(classes: [uniform.classes[1], uniform.classes[0], uniform.classes[2]],
                                           classWeights: [10 / 25, 8 / 25, 7 / 25])
        XCTAssertEqual(try OTDD().evaluate(uniform, reordered).squaredDistance, 0)
        let first = uniform.classes[0].points
        let moved = try LabeledDataset(classes: [
            EmpiricalMeasure(points: Matrix(rows: 7, columns: 3, storage: Array(first.storage[3...]))),
            EmpiricalMeasure(points: Matrix(rows: 11, columns: 3, storage: first.row(0) + uniform.classes[1].points.storage)),
            uniform.classes[2],
        ], classWeights: [7 / 25, 11 / 25, 7 / 25])
        XCTAssertGreaterThan(try OTDD().evaluate(uniform, moved).squaredDistance, 0)
        XCTAssertEqual(try OTDD().evaluate(uniform, moved).labelCosts[2, 2], 0)
    }

    func testGaussianAndExactLabelDistancesAgreeOnGaussianClasses() throws {
        // Classes drawn from Gaussians in d = 2: the empirical W_2^2 between classes and
        // the Bures-Wasserstein distance between their Gaussian fits agree up to sampling
        // effects (a few percent at 150 points per class).
        var rng = SeededGenerator(seed: 14)
        func gaussianClass(_ mean: [Float], _ scale: Float) throws -> EmpiricalMeasure {
            try EmpiricalMeasure(points: Fixture.cloud(150, 2, scale: scale, shift: mean, using: &rng))
        }
        let a = try LabeledDataset(classes: [gaussianClass([0, 0], 0.5), gaussianClass([3, 0], 1.0)])
        let b = try LabeledDataset(classes: [gaussianClass([0, 2], 0.8), gaussianClass([3, 3], 0.4)])
        let exact = try LabelDistance.exact.squaredDistances(from: a.classes, to: b.classes)
        let gaussian = try LabelDistance.gaussian().squaredDistances(from: a.classes, to: b.classes)
        for (e, g) in zip(exact.values, gaussian.values) {
            XCTAssertEqual(g, e, accuracy: 0.05 * e)
            XCTAssertLessThanOrEqual(g, e * (1 + 1e-9), "Gelbrich: the Gaussian fit distance is a lower bound")
        }
        let viaExact = try OTDD(labelDistance: .exact).evaluate(a, b).squaredDistance
        let viaGaussian = try OTDD(labelDistance: .gaussian()).evaluate(a, b).squaredDistance
        XCTAssertEqual(viaGaussian, viaExact, accuracy: 0.05 * viaExact)
    }

    func testSinkhornApproachesExactAsEpsilonShrinks() throws {
        let d = try Fixture.dataset(sizes: [10, 12], d: 2, separation: 0.5, seed: 15)
        let e = try Fixture.dataset(sizes: [11, 9], d: 2, separation: 0.5, scale: 0.7, seed: 16)
        let exact = try OTDD().evaluate(d, e).squaredDistance
        var errors = [Double]()
        for factor in [0.5, 0.2, 0.05, 0.02] {
            let solver = try Sinkhorn(epsilon: .relativeToMeanCost(factor), tolerance: 1e-7, maxIterations: 100_000)
            let output = try OTDD(outerSolver: .sinkhorn(solver)).evaluate(d, e)
            XCTAssertTrue(output.converged)
            XCTAssertGreaterThanOrEqual(output.squaredDistance, exact * (1 - 1e-9), "the entropic plan is feasible, so it costs at least the optimum")
            errors.append(output.squaredDistance - exact)
        }
        for (larger, smaller) in zip(errors, errors.dropFirst()) { XCTAssertLessThan(smaller, larger) }
        XCTAssertLessThan(errors.last!, 0.02 * exact)
    }

    func testTypedErrorsForBadInput() throws {
        let d2 = try Fixture.dataset(sizes: [3, 3], d: 2, seed: 17), d3 = try Fixture.dataset(sizes: [3, 3], d: 3, seed: 18)
        assertThrows(DatasetDistanceError.dimensionMismatch(source: 2, target: 3), try OTDD().evaluate(d2, d3))
        assertThrows(DatasetDistanceError.dimensionMismatch(source: 2, target: 3), try WoWDistance().evaluate(d2, d3))
        assertThrows(DatasetDistanceError.dimensionMismatch(source: 2, target: 3), try LabelAssignment(flowed: d2, target: d3))
        assertThrows(DatasetDistanceError.dimensionMismatch(source: 2, target: 3), try NearestNeighborVote(flowed: d2, target: d3))
        XCTAssertThrowsError(try OTDD(labelDistance: .gaussian(components: 0))) { error in
            guard case DatasetDistanceError.invalidParameter = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try OTDD(labelDistance: .gaussian(components: 3)).evaluate(d2, d2)) { error in
            guard case DatasetDistanceError.invalidParameter = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try WoWDistance(labelDistance: .gaussian(ridge: 0))) { error in
            guard case DatasetDistanceError.invalidParameter = error else { return XCTFail("\(error)") }
        }
        // Bad epsilons are refused when the solver is configured.
        for epsilon in [Sinkhorn.Epsilon.relativeToMeanCost(0), .relativeToMeanCost(-0.1), .absolute(.nan)] {
            XCTAssertThrowsError(try Sinkhorn(epsilon: epsilon)) { error in
                guard case OptimalTransportError.invalidParameter = error else { return XCTFail("\(error)") }
            }
        }
        // Empty classes cannot enter a dataset.
        assertThrows(DataError.emptyMeasure(context: "measure"), try EmpiricalMeasure(points: Matrix(rows: 0, columns: 2)))
    }
}
