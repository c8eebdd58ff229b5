import XCTest
import WassersteinFlows

final class ExactSolverTests: XCTestCase {
    let simplex = ExactSolver()
    let assignment = ExactSolver(usesAssignmentFastPath: true)
    let solver = ExactSolver()

    func testEqualUniformSizesMatchBruteForceOverPermutations() throws {
        var rng = SeededGenerator(seed: 11)
        for n in 1...6 {
            for trial in 0..<4 {
                let x = Fixture.gaussianPoints(n, 2, using: &rng), y = Fixture.gaussianPoints(n, 2, shift: 0.5, using: &rng)
                let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))
                let expected = Reference.bruteForceAssignment(problem.cost)
                for (name, s) in [("simplex", simplex), ("assignment", assignment)] {
                    let output = try s.solve(problem)
                    XCTAssertEqual(output.cost, expected, accuracy: 1e-12 * max(1, expected), "\(name) n=\(n) trial \(trial)")
                    assertExactOptimality(output, problem, "\(name) n=\(n) trial \(trial)")
                }
                XCTAssertEqual(try assignment.solve(problem).method, .assignment)
                XCTAssertEqual(try simplex.solve(problem).method, .networkSimplex)
            }
        }
    }

    func testUnequalSizesAndWeightsMatchVertexEnumeration() throws {
        var rng = SeededGenerator(seed: 12)
        for (n, m) in [(1, 4), (2, 5), (3, 4), (4, 3), (3, 5), (4, 4)] {
            for trial in 0..<3 {
                let x = Fixture.gaussianPoints(n, 3, using: &rng), y = Fixture.gaussianPoints(m, 3, using: &rng)
                let a = trial == 0 ? nil : Fixture.randomWeights(n, using: &rng)
                let b = trial == 0 ? nil : Fixture.randomWeights(m, using: &rng)
                let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y), sourceWeights: a, targetWeights: b)
                let expected = Reference.vertexEnumeration(problem.cost, problem.sourceWeights, problem.targetWeights)
                let output = try solver.solve(problem)
                XCTAssertEqual(output.cost, expected, accuracy: 1e-12 * max(1, expected), "\(n)x\(m) trial \(trial)")
                assertExactOptimality(output, problem, "\(n)x\(m) trial \(trial)")
            }
        }
    }

    func testZeroWeightsAndNegativeCostsMatchVertexEnumeration() throws {
        let cost = try CostMatrix([[3, -1, 2, 0.5], [-2, 4, 1, 1], [0, 0, -3, 2]])
        for (a, b) in [([0.5, 0, 0.5], [0.25, 0.25, 0.25, 0.25]), ([0.2, 0.3, 0.5], [0, 0.6, 0, 0.4]), ([0, 1, 0], [0.1, 0.2, 0.3, 0.4])] {
            let problem = try TransportProblem(cost: cost, sourceWeights: a, targetWeights: b)
            let output = try solver.solve(problem)
            XCTAssertEqual(output.cost, Reference.vertexEnumeration(cost, a, b), accuracy: 1e-12, "a=\(a) b=\(b)")
            assertExactOptimality(output, problem, "a=\(a) b=\(b)")
        }
    }

    /// Golden values from POT 0.9.7.post1 (`ot.emd2(a, b, M)` in float64), computed once
    /// with this script (the formulas of `Fixture.points`, `sourceWeights`,
    /// `targetWeights`; float32 points widened to float64, M by direct differences):
    ///
    ///     import numpy as np, ot
    ///     def points(n, d, phase):
    ///         i = np.arange(n)[:, None]; k = np.arange(d)[None, :]
    ///         return np.sin((3 * i + 7 * k) * 0.37 + phase).astype(np.float32).astype(np.float64)
    ///     def cost(x, y): return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    ///     def wa(n): r = 1.5 + np.sin(np.arange(n) * 1.7); return r / r.sum()
    ///     def wb(m): r = 1.5 + np.cos(np.arange(m) * 0.9); return r / r.sum()
    ///     ot.emd2(wa(7), wb(5), cost(points(7, 3, 0.1), points(5, 3, 1.9)))
    ///     ot.emd2(np.full(10, .1), np.full(10, .1), cost(points(10, 2, 0.1), points(10, 2, 1.9)))
    ///     ot.emd2(np.full(12, 1/12), np.full(8, 1/8), cost(points(12, 4, 0.1), points(8, 4, 1.9)))
    ///     ot.emd2(wa(9), wb(13), cost(points(9, 5, 0.3), points(13, 5, 2.2)))
    ///     x = points(6, 3, 0.1); x[3] = x[0]; x[4] = x[1]; y = points(4, 3, 1.9); y[2] = y[0]
    ///     ot.emd2(wa(6), wb(4), cost(x, y))
    func testAgreesWithPOT() throws {
        struct Case { var name: String; var n: Int; var m: Int; var d: Int; var phases: (Double, Double); var weighted: Bool; var pot: Double }
        let cases = [
            Case(name: "weighted 7x5 d3", n: 7, m: 5, d: 3, phases: (0.1, 1.9), weighted: true, pot: 1.3403112744672105),
            Case(name: "uniform 10x10 d2", n: 10, m: 10, d: 2, phases: (0.1, 1.9), weighted: false, pot: 0.14774424915484993),
            Case(name: "uniform 12x8 d4", n: 12, m: 8, d: 4, phases: (0.1, 1.9), weighted: false, pot: 0.53867623957420052),
            Case(name: "weighted 9x13 d5", n: 9, m: 13, d: 5, phases: (0.3, 2.2), weighted: true, pot: 1.0204619894562852),
        ]
        for c in cases {
            let cost = try SquaredEuclidean.costMatrix(Fixture.points(c.n, c.d, phase: c.phases.0), Fixture.points(c.m, c.d, phase: c.phases.1))
            let problem = try TransportProblem(cost: cost, sourceWeights: c.weighted ? Fixture.sourceWeights(c.n) : nil,
                                               targetWeights: c.weighted ? Fixture.targetWeights(c.m) : nil)
            for (name, s) in [("simplex", simplex), ("assignment fast path", assignment)] {
                let output = try s.solve(problem)
                XCTAssertLessThan(relativeError(output.cost, c.pot), 1e-9, "\(c.name) \(name): \(output.cost) vs POT \(c.pot)")
                assertExactOptimality(output, problem, "\(c.name) \(name)")
            }
        }
        // Duplicate points on both sides (degenerate: ties between plans).
        var xs = Fixture.points(6, 3, phase: 0.1).storage, ys = Fixture.points(4, 3, phase: 1.9).storage
        for k in 0..<3 { xs[9 + k] = xs[k]; xs[12 + k] = xs[3 + k]; ys[6 + k] = ys[k] }
        let cost = try SquaredEuclidean.costMatrix(Matrix(rows: 6, columns: 3, storage: xs), Matrix(rows: 4, columns: 3, storage: ys))
        let problem = try TransportProblem(cost: cost, sourceWeights: Fixture.sourceWeights(6), targetWeights: Fixture.targetWeights(4))
        let output = try solver.solve(problem)
        XCTAssertLessThan(relativeError(output.cost, 2.0517578472977336), 1e-9, "duplicates: \(output.cost)")
        assertExactOptimality(output, problem, "duplicates")
    }

    func testDegenerateInputs() throws {
        // One point against many: the plan is the target weights.
        let one = try TransportProblem(cost: CostMatrix([[1, 2, 3, 4]]), targetWeights: [0.1, 0.2, 0.3, 0.4])
        let single = try solver.solve(one)
        XCTAssertEqual(single.cost, 0.1 + 0.4 + 0.9 + 1.6, accuracy: 1e-14)
        for (mass, weight) in zip(single.plan.targetMarginal, [0.1, 0.2, 0.3, 0.4]) { XCTAssertEqual(mass, weight, accuracy: 1e-15) }
        assertExactOptimality(single, one, "one source")
        // One point each.
        let tiny = try solver.solve(TransportProblem(cost: CostMatrix([[2.5]])))
        XCTAssertEqual(tiny.cost, 2.5)
        XCTAssertEqual(tiny.plan.nonzeroEntries, [TransportPlan.Entry(source: 0, target: 0, mass: 1)])
        // Zero cost: every plan is optimal, the cost is exactly zero.
        for uniform in [true, false] {
            let zero = try TransportProblem(cost: CostMatrix(rows: 5, columns: 5, values: [Double](repeating: 0, count: 25)),
                                            sourceWeights: uniform ? nil : Fixture.sourceWeights(5))
            for s in [assignment, simplex] {
                let output = try s.solve(zero)
                XCTAssertEqual(output.cost, 0)
                assertExactOptimality(output, zero, "zero cost, uniform \(uniform)")
            }
        }
        // Identical clouds: W_2 = 0 with the identity matching.
        var rng = SeededGenerator(seed: 3)
        let x = Fixture.gaussianPoints(8, 3, using: &rng)
        let same = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, x))
        for s in [assignment, simplex] {
            let output = try s.solve(same)
            XCTAssertEqual(output.cost, 0, accuracy: 1e-12)
            XCTAssertTrue(output.plan.nonzeroEntries.allSatisfy { $0.source == $0.target })
        }
        // All points coincide: every cost is zero.
        let p = try Matrix(rows: 4, columns: 2, storage: [Float](repeating: 0.5, count: 8))
        XCTAssertEqual(try solver.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(p, p))).cost, 0)
    }

    func testNetworkSimplexAgreesWithAssignmentOnLargerProblems() throws {
        var rng = SeededGenerator(seed: 13)
        for n in [20, 45] {
            let x = Fixture.gaussianPoints(n, 5, using: &rng), y = Fixture.gaussianPoints(n, 5, scale: 1.5, using: &rng)
            let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))
            let a = try assignment.solve(problem), b = try simplex.solve(problem)
            XCTAssertLessThan(relativeError(a.cost, b.cost), 1e-12, "n=\(n)")
            assertExactOptimality(a, problem, "assignment n=\(n)")
            assertExactOptimality(b, problem, "simplex n=\(n)")
            let assignment = try LinearAssignment.solve(problem.cost)
            XCTAssertEqual(Set(assignment.assignment), Set(0..<n))
            XCTAssertEqual(assignment.cost / Double(n), a.cost, accuracy: 1e-12)
        }
        // Unequal, weighted, larger than vertex enumeration can reach: strong duality and
        // complementary slackness certify optimality.
        let x = Fixture.gaussianPoints(37, 4, using: &rng), y = Fixture.gaussianPoints(23, 4, using: &rng)
        let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y), sourceWeights: Fixture.randomWeights(37, using: &rng),
                                           targetWeights: Fixture.randomWeights(23, using: &rng))
        assertExactOptimality(try solver.solve(problem), problem, "37x23 weighted")
    }

    func testTransposedProblemHasTheSameCost() throws {
        var rng = SeededGenerator(seed: 14)
        let x = Fixture.gaussianPoints(9, 3, using: &rng), y = Fixture.gaussianPoints(6, 3, using: &rng)
        let a = Fixture.randomWeights(9, using: &rng), b = Fixture.randomWeights(6, using: &rng)
        let cost = try SquaredEuclidean.costMatrix(x, y)
        let forward = try solver.solve(TransportProblem(cost: cost, sourceWeights: a, targetWeights: b))
        let backward = try solver.solve(TransportProblem(cost: cost.transposed(), sourceWeights: b, targetWeights: a))
        XCTAssertEqual(forward.cost, backward.cost, accuracy: 1e-12)
    }

    func testCostMatrixEvaluationsAgree() throws {
        var rng = SeededGenerator(seed: 15)
        // Offset clouds: the GEMM form centres them first, so cancellation stays small.
        let x = Fixture.gaussianPoints(30, 40, shift: 3, using: &rng), y = Fixture.gaussianPoints(25, 40, shift: 3.2, using: &rng)
        let direct = try SquaredEuclidean.costMatrix(x, y, evaluation: .direct)
        let viaGEMM = try SquaredEuclidean.costMatrix(x, y, evaluation: .gemm)
        var exact = 0.0
        for k in 0..<40 { let t = Double(x[2, k]) - Double(y[5, k]); exact += t * t }
        XCTAssertEqual(direct[2, 5], exact, accuracy: 1e-12 * exact)
        let worst = zip(direct.values, viaGEMM.values).map { abs($0 - $1) / $0 }.max()!
        XCTAssertLessThan(worst, 1e-5)
        XCTAssertTrue(viaGEMM.values.allSatisfy { $0 >= 0 })
    }

    func testResultsDoNotDependOnTheThreadCount() throws {
        var rng = SeededGenerator(seed: 16)
        let x = Fixture.gaussianPoints(70, 20, using: &rng), y = Fixture.gaussianPoints(50, 20, using: &rng)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        let measures = try Fixture.measures(sizes: [9, 12, 10], d: 3, weighted: true, seed: 19)
        let batch = KernelBatch(measures: measures, pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: -0.5),
                                                            KernelPair(0, 2, firstGradientWeight: 0.3), KernelPair(1, 2, secondGradientWeight: 2)])
        var runs = [(CostMatrix, Double, [Double], [Double], [Matrix?], [Matrix?])]()
        for threads in [1, 2, 3] {
            Parallel.threads = threads
            let cost = try SquaredEuclidean.costMatrix(x, y, evaluation: .gemm)
            let problem = try TransportProblem(cost: cost)
            let exact = try solver.solve(problem)
            let entropic = try Sinkhorn(epsilon: .relativeToMeanCost(0.1)).solve(problem)
            let logEntropic = try Sinkhorn(epsilon: .relativeToMeanCost(0.1), domain: .logarithmic).solve(problem)
            var rng = SeededGenerator(seed: 0)
            let w2 = try RieszW2().evaluate(batch, using: &rng).gradients
            let bw = try GaussianBW(bandwidth: 1).evaluate(batch, using: &rng).gradients
            runs.append((cost, exact.cost, entropic.sourcePotentials, logEntropic.plan.denseMasses(), w2, bw))
        }
        for r in runs.dropFirst() {
            XCTAssertEqual(r.0, runs[0].0)
            XCTAssertEqual(r.1, runs[0].1)
            XCTAssertEqual(r.2, runs[0].2)
            XCTAssertEqual(r.3, runs[0].3)
            XCTAssertEqual(r.4, runs[0].4)
            XCTAssertEqual(r.5, runs[0].5)
        }
    }

    func testIterationCapIsATypedError() throws {
        var rng = SeededGenerator(seed: 17)
        let x = Fixture.gaussianPoints(10, 2, using: &rng), y = Fixture.gaussianPoints(12, 2, using: &rng)
        let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))
        XCTAssertThrowsError(try ExactSolver(maxIterations: 3).solve(problem)) { error in
            XCTAssertEqual(error as? OptimalTransportError, .iterationLimit(solver: "network simplex", limit: 3))
        }
    }

    func testPlanHelpers() throws {
        var rng = SeededGenerator(seed: 18)
        let x = Fixture.gaussianPoints(5, 2, using: &rng), y = Fixture.gaussianPoints(7, 2, using: &rng)
        let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y), sourceWeights: Fixture.randomWeights(5, using: &rng))
        let plan = try solver.solve(problem).plan
        let dense = plan.denseMasses()
        for e in plan.nonzeroEntries { XCTAssertEqual(plan.mass(source: e.source, target: e.target), e.mass) }
        XCTAssertEqual(dense.reduce(0, +), 1, accuracy: 1e-12)
        XCTAssertEqual(plan.transposed().transposed(), plan)
        // Barycentric projection against an explicit sum.
        let projected = try plan.barycentricProjection(of: y)
        for i in 0..<5 {
            for k in 0..<2 {
                var s = 0.0
                for j in 0..<7 { s += dense[i * 7 + j] * Double(y[j, k]) }
                XCTAssertEqual(Double(projected[i, k]), s / problem.sourceWeights[i], accuracy: 1e-5)
            }
        }
        // Envelope gradient of W_2^2 equals finite differences (the plan is locally constant).
        let gradient = try SquaredEuclidean.sourceGradient(plan: plan, source: x, target: y)
        for i in 0..<5 {
            for k in 0..<2 {
                var plus = x, minus = x
                plus[i, k] += 1e-3; minus[i, k] -= 1e-3
                let step = Double(plus[i, k]) - Double(minus[i, k])
                let fp = try solver.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(plus, y), sourceWeights: problem.sourceWeights)).cost
                let fm = try solver.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(minus, y), sourceWeights: problem.sourceWeights)).cost
                XCTAssertEqual((fp - fm) / step, Double(gradient[i, k]), accuracy: 1e-4)
            }
        }
    }
}
