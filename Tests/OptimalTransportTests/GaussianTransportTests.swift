import XCTest
import WassersteinFlows

final class GaussianTransportTests: XCTestCase {
    func randomSPD(_ d: Int, using rng: inout SeededGenerator) throws -> SymmetricMatrix {
        let q = EigendecompositionTests.randomOrthogonal(d, using: &rng)
        return try EigendecompositionTests.compose(q, (0..<d).map { _ in 0.3 + 2 * rng.nextUnitDouble() })
    }

    func testCommutingCovariancesMatchTheClosedForm() throws {
        let m1 = [0.5, -1, 2], m2 = [1.5, 0, 2.5]
        let s1: [Double] = [0.25, 4, 1], s2: [Double] = [1, 1, 9]
        let g1 = try GaussianSummary(mean: m1, covariance: .diagonal(s1))
        let g2 = try GaussianSummary(mean: m2, covariance: .diagonal(s2))
        var expected = 0.0
        for k in 0..<3 {
            expected += (m1[k] - m2[k]) * (m1[k] - m2[k])
            expected += (s1[k].squareRoot() - s2[k].squareRoot()) * (s1[k].squareRoot() - s2[k].squareRoot())
        }
        XCTAssertEqual(try BuresWasserstein.squaredDistance(g1, g2), expected, accuracy: 1e-12)
        XCTAssertEqual(try BuresWasserstein.squaredDistance(g2, g1), expected, accuracy: 1e-12)
        XCTAssertEqual(try BuresWasserstein.squaredDistance(g1, g1), 0, accuracy: 1e-12)
        // The map between commuting covariances is diag(sqrt(s2 / s1)).
        let output = try BuresWasserstein.evaluate(g1, g2)
        for k in 0..<3 { XCTAssertEqual(output.transportMap[k, k], (s2[k] / s1[k]).squareRoot(), accuracy: 1e-12) }
        XCTAssertFalse(output.isRegularized)
    }

    /// Golden value from POT 0.9.7.post1:
    ///
    ///     import numpy as np, ot
    ///     ms = np.array([0.5, -1.]); mt = np.array([0.2, 0.7])
    ///     Cs = np.array([[2., 0.6], [0.6, 1.]]); Ct = np.array([[1., -0.4], [-0.4, 3.]])
    ///     ot.gaussian.bures_wasserstein_distance(ms, mt, Cs, Ct) ** 2
    func testAgreesWithPOT() throws {
        let g1 = try GaussianSummary(mean: [0.5, -1], covariance: SymmetricMatrix([[2, 0.6], [0.6, 1]]))
        let g2 = try GaussianSummary(mean: [0.2, 0.7], covariance: SymmetricMatrix([[1, -0.4], [-0.4, 3]]))
        XCTAssertEqual(try BuresWasserstein.squaredDistance(g1, g2), 4.034818856495896, accuracy: 1e-12)
    }

    func testMapPushesTheFirstCovarianceOntoTheSecond() throws {
        var rng = SeededGenerator(seed: 41)
        for d in [1, 2, 4, 7] {
            let s1 = try randomSPD(d, using: &rng), s2 = try randomSPD(d, using: &rng)
            let g1 = try GaussianSummary(mean: [Double](repeating: 0, count: d), covariance: s1)
            let g2 = try GaussianSummary(mean: [Double](repeating: 1, count: d), covariance: s2)
            let t = try BuresWasserstein.evaluate(g1, g2).transportMap
            XCTAssertLessThan(try s1.congruence(by: t).maximumDifference(from: s2), 1e-10, "T S1 T = S2, d=\(d)")
            XCTAssertGreaterThan(try SymmetricEigendecomposition(t).eigenvalues.first!, 0, "T is positive definite")
            XCTAssertEqual(try BuresWasserstein.squaredDistance(g1, g2), try BuresWasserstein.squaredDistance(g2, g1), accuracy: 1e-10)
        }
    }

    /// Samples related by a symmetric positive definite linear map: that map is the
    /// gradient of a convex function, hence the optimal (Brenier) map between the two
    /// empirical measures, so their exact W_2^2 equals the Bures-Wasserstein distance of
    /// their Gaussian fits for any sample.
    func testEqualsExactW2ForAffinelyRelatedSamples() throws {
        var rng = SeededGenerator(seed: 42)
        let d = 3, n = 40
        let x = Fixture.gaussianPoints(n, d, using: &rng)
        let t = try randomSPD(d, using: &rng), shift = [0.5, -1.0, 0.25]
        var y = Matrix(rows: n, columns: d)
        for i in 0..<n {
            let image = try t.apply((0..<d).map { Double(x[i, $0]) })
            for k in 0..<d { y[i, k] = Float(image[k] + shift[k]) }
        }
        let mu = try EmpiricalMeasure(points: x), nu = try EmpiricalMeasure(points: y)
        let exact = try ExactSolver().solve(TransportProblem(source: mu, target: nu)).cost
        let bures = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: mu), GaussianSummary(fitting: nu))
        XCTAssertLessThan(relativeError(bures, exact), 1e-5, "BW \(bures) vs exact \(exact)")
    }

    /// Large samples: exact W_2^2 between two Gaussian samples is at least the Bures-
    /// Wasserstein distance of their fits (Gelbrich's bound) and within a small margin
    /// of it, and both approach the closed form between the true Gaussians.
    func testApproachesExactW2ForLargeGaussianSamples() throws {
        var rng = SeededGenerator(seed: 43)
        // d = 1, 4000 points (exact 1-D OT by sorting).
        let n = 4000
        let mu = try EmpiricalMeasure(points: Fixture.gaussianPoints(n, 1, scale: 0.7, shift: 0.5, using: &rng))
        let nu = try EmpiricalMeasure(points: Fixture.gaussianPoints(n, 1, scale: 1.3, shift: -0.3, using: &rng))
        let exact1 = try ExactWasserstein.squaredDistance(mu, nu)
        let bures1 = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: mu), GaussianSummary(fitting: nu))
        XCTAssertGreaterThanOrEqual(exact1, bures1 * (1 - 1e-6))
        XCTAssertLessThan((exact1 - bures1) / bures1, 0.01, "exact \(exact1), BW \(bures1)")
        XCTAssertEqual(exact1, 0.64 + 0.36, accuracy: 0.08, "true W_2^2 = (0.5 + 0.3)^2 + (1.3 - 0.7)^2")
        // d = 2, 300 points (network simplex).
        let x = Fixture.gaussianPoints(300, 2, using: &rng)
        var y = Fixture.gaussianPoints(300, 2, using: &rng)
        y.withUnsafeMutableBufferPointer { p in for i in 0..<300 { p[2 * i] = 2 * p[2 * i] + 1; p[2 * i + 1] = 0.5 * p[2 * i + 1] + 0.3 * p[2 * i] } }
        let mu2 = try EmpiricalMeasure(points: x), nu2 = try EmpiricalMeasure(points: y)
        let exact2 = try ExactWasserstein.squaredDistance(mu2, nu2)
        let bures2 = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: mu2), GaussianSummary(fitting: nu2))
        XCTAssertGreaterThanOrEqual(exact2, bures2 * (1 - 1e-6))
        XCTAssertLessThan((exact2 - bures2) / bures2, 0.1, "exact \(exact2), BW \(bures2)")
    }

    func testGradientsMatchFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 44)
        let d = 3
        let s1 = try randomSPD(d, using: &rng), s2 = try randomSPD(d, using: &rng)
        let m1 = [0.1, 0.2, -0.3], m2 = [1.0, -0.5, 0.4]
        let g2 = try GaussianSummary(mean: m2, covariance: s2)
        let output = try BuresWasserstein.evaluate(GaussianSummary(mean: m1, covariance: s1), g2)
        let h = 1e-6
        // Covariance: dW = tr((I - T) E) along symmetric directions E = e_i e_j^T + e_j e_i^T.
        for i in 0..<d {
            for j in i..<d {
                var e = [Double](repeating: 0, count: d * d)
                e[i * d + j] = 1; e[j * d + i] = 1
                let direction = try SymmetricMatrix(dimension: d, storage: e)
                let plus = try BuresWasserstein.squaredDistance(GaussianSummary(mean: m1, covariance: s1.adding(direction, scaledBy: h)), g2)
                let minus = try BuresWasserstein.squaredDistance(GaussianSummary(mean: m1, covariance: s1.adding(direction, scaledBy: -h)), g2)
                let analytic = (i == j ? 1 : 2) * output.covarianceGradient[i, j]
                XCTAssertEqual((plus - minus) / (2 * h), analytic, accuracy: 1e-6, "dS(\(i),\(j))")
            }
            var mp = m1, mm = m1
            mp[i] += h; mm[i] -= h
            let plus = try BuresWasserstein.squaredDistance(GaussianSummary(mean: mp, covariance: s1), g2)
            let minus = try BuresWasserstein.squaredDistance(GaussianSummary(mean: mm, covariance: s1), g2)
            XCTAssertEqual((plus - minus) / (2 * h), output.meanGradient[i], accuracy: 1e-6, "dm(\(i))")
        }
        // Points, through the fitted mean and covariance: dW/dx_i = b_i g_i.
        let points = Fixture.gaussianPoints(9, d, using: &rng)
        let weights = (0..<9).map { _ in Float(0.5 + rng.nextUnitDouble()) }
        let mu = try EmpiricalMeasure(points: points, normalizing: weights)
        let fit = try GaussianSummary(fitting: mu)
        XCTAssertFalse(fit.isRegularized)
        let gradient = try BuresWasserstein.pointGradient(of: mu, fit: fit, toward: g2, output: BuresWasserstein.evaluate(fit, g2))
        for i in [0, 4, 8] {
            for k in 0..<d {
                var plus = points, minus = points
                plus[i, k] += 1e-3; minus[i, k] -= 1e-3
                let step = Double(plus[i, k]) - Double(minus[i, k])
                let fp = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: EmpiricalMeasure(points: plus, weights: mu.weights)), g2)
                let fm = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: EmpiricalMeasure(points: minus, weights: mu.weights)), g2)
                XCTAssertEqual((fp - fm) / step, Double(mu.weight(i)) * Double(gradient[i, k]), accuracy: 1e-4, "point \(i) coordinate \(k)")
            }
        }
    }

    func testExponentialMapFlowKeepsCovariancesPositiveDefinite() throws {
        var rng = SeededGenerator(seed: 45)
        let d = 3
        let target = try GaussianSummary(mean: [0, 0, 0], covariance: randomSPD(d, using: &rng))
        var s = try SymmetricMatrix([[4, 1.9, 0], [1.9, 1, 0], [0, 0, 0.05]])   // badly conditioned start
        let start = try BuresWasserstein.squaredDistance(GaussianSummary(mean: [0, 0, 0], covariance: s), target)
        let tau = 0.005
        for step in 0..<1000 {
            let g = try BuresWasserstein.evaluate(GaussianSummary(mean: [0, 0, 0], covariance: s), target)
            s = try BuresWasserstein.exponentialMap(at: s, direction: g.covarianceGradient.scaled(by: -2 * tau))
            for i in 0..<d { for j in 0..<d { XCTAssertEqual(s[i, j], s[j, i], "step \(step): not symmetric") } }
            let smallest = try SymmetricEigendecomposition(s).eigenvalues.first!
            XCTAssertGreaterThan(smallest, 0, "step \(step): not positive definite")
            if smallest <= 0 { break }
        }
        let end = try BuresWasserstein.squaredDistance(GaussianSummary(mean: [0, 0, 0], covariance: s), target)
        XCTAssertLessThan(end, 1e-6 * start, "the flow converges: \(start) -> \(end)")
        // One step with tau = 1/2 lands on T S T = S2 exactly.
        let g = try BuresWasserstein.evaluate(GaussianSummary(mean: [0, 0, 0], covariance: s), target)
        let landed = try BuresWasserstein.exponentialMap(at: s, direction: g.covarianceGradient.scaled(by: -1))
        XCTAssertLessThan(landed.maximumDifference(from: target.covariance), 1e-10)
    }

    func testSingularCovariancesAreRegularisedAndFlagged() throws {
        // Two points in d = 3: rank-one covariance.
        let mu = try EmpiricalMeasure([[0, 0, 0], [1, 2, 3]])
        let nu = try EmpiricalMeasure([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]])
        let fit = try GaussianSummary(fitting: mu)
        XCTAssertTrue(fit.isRegularized)
        XCTAssertEqual(fit.addedRidge, GaussianSummary.defaultRidge)
        XCTAssertGreaterThan(fit.spectrum.eigenvalues.first!, 0)
        let other = try GaussianSummary(fitting: nu)
        let output = try BuresWasserstein.evaluate(fit, other)
        XCTAssertTrue(output.isRegularized)
        XCTAssertTrue(output.squaredDistance.isFinite)
        let gradient = try BuresWasserstein.pointGradient(of: mu, fit: fit, toward: other, output: output)
        XCTAssertTrue(gradient.isFinite)
        // A single point: zero covariance, ridge only.
        let single = try GaussianSummary(fitting: EmpiricalMeasure([[1, 2]]), ridge: 1e-4)
        XCTAssertEqual(single.covariance[0, 0], 1e-4)
        XCTAssertEqual(single.covariance[0, 1], 0)
    }

    func testPrincipalComponents() throws {
        var rng = SeededGenerator(seed: 46)
        // Points stretched along (1, 1, 0)/sqrt 2 (sd 3), then (0, 0, 1) (sd 1), then (1, -1, 0) (sd 0.2).
        let n = 2000
        var storage = [Float]()
        for _ in 0..<n {
            let a = rng.nextStandardNormal() * 3, b = rng.nextStandardNormal(), c = rng.nextStandardNormal() * 0.2
            storage += [Float((a + c) / 2.squareRoot() + 5), Float((a - c) / 2.squareRoot() - 1), Float(b)]
        }
        let points = try Matrix(rows: n, columns: 3, storage: storage)
        let pca = try PrincipalComponents(fitting: points, components: 2)
        XCTAssertEqual(Double(pca.components[0, 0]), 0.5.squareRoot(), accuracy: 0.02)
        XCTAssertEqual(Double(pca.components[0, 1]), 0.5.squareRoot(), accuracy: 0.02)
        XCTAssertEqual(Double(pca.components[1, 2]), 1, accuracy: 0.02)
        XCTAssertEqual(pca.variances[0], 9, accuracy: 0.6)
        XCTAssertEqual(pca.variances[1], 1, accuracy: 0.1)
        XCTAssertEqual(Double(pca.mean[0]), 5, accuracy: 0.15)
        // Orthonormal rows; projected coordinates have the component variances.
        var dot = 0.0
        for k in 0..<3 { dot += Double(pca.components[0, k] * pca.components[1, k]) }
        XCTAssertEqual(dot, 0, accuracy: 1e-6)
        let z = try pca.project(points)
        XCTAssertEqual(z.rows, n); XCTAssertEqual(z.columns, 2)
        let variance0 = (0..<n).reduce(0.0) { $0 + Double(z[$1, 0] * z[$1, 0]) } / Double(n)
        XCTAssertEqual(variance0, pca.variances[0], accuracy: 1e-3 * pca.variances[0])
        // With every component, projection then reconstruction is the identity.
        let full = try PrincipalComponents(fitting: points, components: 3)
        let back = try full.reconstruct(full.project(points))
        XCTAssertLessThan(zip(back.storage, points.storage).map { abs($0 - $1) }.max()!, 1e-4)
        XCTAssertEqual(full.variances.reduce(0, +), full.totalVariance, accuracy: 1e-6 * full.totalVariance)
    }
}
