import XCTest
import WassersteinFlows

final class SinkhornTests: XCTestCase {
    func weightedProblem() throws -> TransportProblem {
        try TransportProblem(cost: SquaredEuclidean.costMatrix(Fixture.points(7, 3, phase: 0.1), Fixture.points(5, 3, phase: 1.9)),
                             sourceWeights: Fixture.sourceWeights(7), targetWeights: Fixture.targetWeights(5))
    }

    /// Golden values from POT 0.9.7.post1, `ot.sinkhorn2(a, b, M, 0.1 * M.mean(), stopThr=1e-13,
    /// numItermax=100000)` on the inputs of `ExactSolverTests.testAgreesWithPOT` (same script).
    /// POT's entropy `-H(P)` and this module's `KL(P | a b^T)` differ by a constant on the
    /// transport polytope, so the plans and `<P, C>` agree.
    func testAgreesWithPOT() throws {
        let cases: [(Int, Int, Int, (Double, Double), Bool, Double)] = [
            (7, 5, 3, (0.1, 1.9), true, 1.3851101619835393),
            (10, 10, 2, (0.1, 1.9), false, 0.24100164617755571),
            (12, 8, 4, (0.1, 1.9), false, 0.63347480964312752),
            (9, 13, 5, (0.3, 2.2), true, 1.1525237852649701),
        ]
        for (n, m, d, phases, weighted, pot) in cases {
            let problem = try TransportProblem(
                cost: SquaredEuclidean.costMatrix(Fixture.points(n, d, phase: phases.0), Fixture.points(m, d, phase: phases.1)),
                sourceWeights: weighted ? Fixture.sourceWeights(n) : nil, targetWeights: weighted ? Fixture.targetWeights(m) : nil)
            for domain in [Sinkhorn.Domain.scaling, .logarithmic] {
                let output = try Sinkhorn(epsilon: .relativeToMeanCost(0.1), tolerance: 1e-13, domain: domain).solve(problem)
                XCTAssertTrue(output.converged)
                XCTAssertEqual(output.domain, domain)
                XCTAssertLessThan(relativeError(output.transportCost, pot), 1e-9, "\(n)x\(m) \(domain): \(output.transportCost) vs POT \(pot)")
            }
        }
    }

    func testConvergesToTheExactCostAsEpsilonShrinks() throws {
        let problem = try weightedProblem()
        let exact = try ExactSolver().solve(problem).cost
        var gaps = [Double]()
        for factor in [0.3, 0.1, 0.03, 0.01, 0.003, 0.001] {
            let output = try Sinkhorn(epsilon: .relativeToMeanCost(factor), tolerance: 1e-10, maxIterations: 200_000).solve(problem)
            XCTAssertTrue(output.converged, "factor \(factor)")
            // An entropic plan cannot beat the exact optimum (up to its marginal error).
            XCTAssertGreaterThanOrEqual(output.transportCost, exact - 1e-8)
            gaps.append(output.transportCost - exact)
        }
        // Strictly decreasing until the gap reaches the marginal tolerance, then stays there.
        for k in gaps.indices.dropFirst() {
            if gaps[k - 1] > 1e-8 { XCTAssertLessThan(gaps[k], gaps[k - 1], "gaps \(gaps)") }
            else { XCTAssertLessThan(abs(gaps[k]), 1e-8, "gaps \(gaps)") }
        }
        XCTAssertGreaterThan(gaps[0], 0.1, "eps = 0.3 * mean is far from exact")
        XCTAssertLessThan(abs(gaps.last!) / exact, 1e-8, "gaps \(gaps)")
    }

    func testLogDomainStaysFiniteAtTinyEpsilon() throws {
        var rng = SeededGenerator(seed: 21)
        let x = Fixture.gaussianPoints(12, 2, using: &rng), y = Fixture.gaussianPoints(9, 2, scale: 2, using: &rng)
        let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y), sourceWeights: Fixture.randomWeights(12, using: &rng))
        let exact = try ExactSolver().solve(problem).cost
        let solver = try Sinkhorn(epsilon: .relativeToMeanCost(1e-3), tolerance: 1e-6, maxIterations: 100_000)
        let output = try solver.solve(problem)
        XCTAssertEqual(output.domain, .logarithmic, "the automatic domain must avoid the scaling form here")
        XCTAssertTrue(output.sourcePotentials.allSatisfy(\.isFinite))
        XCTAssertTrue(output.targetPotentials.allSatisfy(\.isFinite))
        XCTAssertTrue(output.plan.denseMasses().allSatisfy { $0.isFinite && $0 >= 0 })
        XCTAssertTrue(output.converged, "\(output.iterations) iterations, marginal error \(output.marginalError)")
        XCTAssertLessThanOrEqual(output.marginalError, 1e-6)
        for (c, b) in zip(output.plan.targetMarginal, problem.targetWeights) { XCTAssertEqual(c, b, accuracy: 1e-12) }
        XCTAssertEqual(output.transportCost, exact, accuracy: 1e-3 * exact)
        XCTAssertEqual(output.epsilon, 1e-3 * problem.cost.mean, accuracy: 1e-15)
        // The scaling form's Gibbs kernel would span exp(-range) with range far beyond 300.
        XCTAssertGreaterThan(problem.cost.values.max()! / output.epsilon, 300)
    }

    func testDomainsAgreeAndPotentialsDescribeThePlan() throws {
        let problem = try weightedProblem()
        let log = try Sinkhorn(epsilon: .absolute(0.2), tolerance: 1e-12, domain: .logarithmic).solve(problem)
        let scaling = try Sinkhorn(epsilon: .absolute(0.2), tolerance: 1e-12, domain: .scaling).solve(problem)
        XCTAssertEqual(log.transportCost, scaling.transportCost, accuracy: 1e-10)
        XCTAssertEqual(log.regularizedCost, scaling.regularizedCost, accuracy: 1e-10)
        for (p, q) in zip(log.plan.denseMasses(), scaling.plan.denseMasses()) { XCTAssertEqual(p, q, accuracy: 1e-11) }
        // P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps), and at convergence the regularised cost
        // equals the dual objective <a, f> + <b, g>.
        for output in [log, scaling] {
            let f = output.sourcePotentials, g = output.targetPotentials
            for i in 0..<7 {
                for j in 0..<5 {
                    let expected = problem.sourceWeights[i] * problem.targetWeights[j] * exp((f[i] + g[j] - problem.cost[i, j]) / 0.2)
                    XCTAssertEqual(output.plan.mass(source: i, target: j), expected, accuracy: 1e-12)
                }
            }
            XCTAssertEqual(output.regularizedCost, problem.dualObjective(source: f, target: g), accuracy: 1e-10)
            XCTAssertGreaterThan(output.regularizedCost, output.transportCost, "KL(P | ab^T) > 0 for a non-product optimum")
        }
    }

    func testGradientWithRespectToSourcePointsMatchesFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 22)
        let x = Fixture.gaussianPoints(6, 2, using: &rng), y = Fixture.gaussianPoints(8, 2, shift: 0.5, using: &rng)
        let a = Fixture.randomWeights(6, using: &rng)
        // Absolute epsilon: a relative one would itself move with the points.
        let solver = try Sinkhorn(epsilon: .absolute(0.3), tolerance: 1e-13, maxIterations: 100_000)
        func cost(_ points: Matrix) throws -> Double {
            try solver.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(points, y), sourceWeights: a)).regularizedCost
        }
        let output = try solver.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(x, y), sourceWeights: a))
        let gradient = try SquaredEuclidean.sourceGradient(plan: output.plan, source: x, target: y)
        var worst = 0.0
        for i in 0..<6 {
            for k in 0..<2 {
                var plus = x, minus = x
                plus[i, k] += 1e-3; minus[i, k] -= 1e-3
                let numeric = (try cost(plus) - cost(minus)) / (Double(plus[i, k]) - Double(minus[i, k]))
                worst = max(worst, abs(numeric - Double(gradient[i, k])))
            }
        }
        let scale = gradient.storage.map { Double(abs($0)) }.max()!
        XCTAssertLessThan(worst, 1e-4 * scale, "worst FD mismatch \(worst), gradient scale \(scale)")
        // The check is not vacuous: the gradient is far from zero.
        XCTAssertGreaterThan(scale, 1e-2)
    }

    func testIterationCapIsReportedNotHidden() throws {
        let problem = try weightedProblem()
        let output = try Sinkhorn(epsilon: .absolute(0.05), tolerance: 1e-14, maxIterations: 2).solve(problem)
        XCTAssertEqual(output.iterations, 2)
        XCTAssertFalse(output.converged)
        XCTAssertGreaterThan(output.marginalError, 1e-14)
        XCTAssertEqual(output.maxIterations, 2)
        XCTAssertEqual(output.tolerance, 1e-14)
        // The column marginals are exact even then.
        for (c, b) in zip(output.plan.targetMarginal, problem.targetWeights) { XCTAssertEqual(c, b, accuracy: 1e-12) }
    }

    /// At the cap, each domain returns a plan whose reported `marginalError` is the
    /// largest L1 violation of either marginal of that very plan, and `converged` is false
    /// when that violation is above the tolerance. (The log domain used to advance `f` after
    /// the last measurement: exact rows, wrong columns, and `converged == true`.)
    func testIterationCapIsHonestInBothDomains() throws {
        let problem = try weightedProblem()
        for domain in [Sinkhorn.Domain.scaling, .logarithmic] {
            for cap in [1, 2, 3] {
                let output = try Sinkhorn(epsilon: .absolute(0.05), tolerance: 1e-10, maxIterations: cap, domain: domain).solve(problem)
                var rowError = 0.0, columnError = 0.0
                for (r, a) in zip(output.plan.sourceMarginal, problem.sourceWeights) { rowError += abs(r - a) }
                for (c, b) in zip(output.plan.targetMarginal, problem.targetWeights) { columnError += abs(c - b) }
                let actual = max(rowError, columnError)
                XCTAssertEqual(output.domain, domain)
                XCTAssertEqual(output.iterations, cap, "\(domain)")
                XCTAssertGreaterThan(actual, 1e-3, "\(domain), cap \(cap): a few iterations at eps 0.05 cannot fit the marginals")
                XCTAssertEqual(output.marginalError, actual, accuracy: 1e-12 + 1e-9 * actual, "\(domain), cap \(cap)")
                XCTAssertFalse(output.converged, "\(domain), cap \(cap): marginal error \(actual)")
                // The documented shape: columns exact, the error sits in the rows.
                XCTAssertLessThan(columnError, 1e-12, "\(domain), cap \(cap)")
                // The potentials describe the returned plan.
                let f = output.sourcePotentials, g = output.targetPotentials
                for i in 0..<problem.sourceCount {
                    for j in 0..<problem.targetCount {
                        let expected = problem.sourceWeights[i] * problem.targetWeights[j] * exp((f[i] + g[j] - problem.cost[i, j]) / 0.05)
                        XCTAssertEqual(output.plan.mass(source: i, target: j), expected, accuracy: 1e-12 + 1e-10 * expected)
                    }
                }
            }
            // A run that meets the tolerance still reports the measured error of its plan.
            let done = try Sinkhorn(epsilon: .absolute(0.05), tolerance: 1e-9, maxIterations: 100_000, domain: domain).solve(problem)
            var worst = 0.0, rows = 0.0
            for (c, b) in zip(done.plan.targetMarginal, problem.targetWeights) { worst += abs(c - b) }
            for (r, a) in zip(done.plan.sourceMarginal, problem.sourceWeights) { rows += abs(r - a) }
            XCTAssertTrue(done.converged, "\(domain)")
            XCTAssertLessThanOrEqual(max(worst, rows), 1e-9, "\(domain)")
            XCTAssertEqual(done.marginalError, max(worst, rows), accuracy: 1e-13, "\(domain)")
        }
    }

    func testExplicitScalingDomainFailsLoudlyWhenItUnderflows() throws {
        // A cost spread of 2000 eps: exp(-2000) underflows, and the scalings overflow.
        let cost = try CostMatrix([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]])
        let problem = try TransportProblem(cost: cost, sourceWeights: [0.6, 0.2, 0.2], targetWeights: [0.2, 0.2, 0.6])
        let strict = try Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-10, domain: .scaling)
        do {
            let output = try strict.solve(problem)
            // If it did not throw, it must still be right (never silently wrong).
            let exact = try ExactSolver().solve(problem).cost
            XCTAssertEqual(output.transportCost, exact, accuracy: 1e-6 * exact)
        } catch let error as OptimalTransportError {
            guard case .numericalFailure = error else { return XCTFail("unexpected \(error)") }
        }
        let automatic = try Sinkhorn(epsilon: .absolute(0.5), tolerance: 1e-10).solve(problem)
        XCTAssertEqual(automatic.domain, .logarithmic)
        XCTAssertEqual(automatic.transportCost, try ExactSolver().solve(problem).cost, accuracy: 1e-3)
    }

    func testZeroWeightsAreHandled() throws {
        let cost = try CostMatrix([[1, 2, 3], [2, 1, 0.5], [0, 4, 1]])
        let problem = try TransportProblem(cost: cost, sourceWeights: [0.5, 0, 0.5], targetWeights: [0.3, 0.7, 0])
        for domain in [Sinkhorn.Domain.scaling, .logarithmic] {
            let output = try Sinkhorn(epsilon: .absolute(0.1), tolerance: 1e-12, domain: domain).solve(problem)
            XCTAssertTrue(output.converged)
            XCTAssertTrue(output.sourcePotentials.allSatisfy(\.isFinite) && output.targetPotentials.allSatisfy(\.isFinite))
            XCTAssertEqual(output.plan.sourceMarginal[1], 0)
            XCTAssertEqual(output.plan.targetMarginal[2], 0)
        }
    }
}
