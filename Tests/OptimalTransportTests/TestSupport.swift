import XCTest
import WassersteinFlows

/// Deterministic inputs and small independent solvers shared by the tests.
enum Fixture {
    /// `x_ik = Float(sin((3 i + 7 k) 0.37 + phase))`: points given by a formula, so that
    /// golden values can be recomputed in Python from the same numbers (see
    /// `ExactSolverTests.testAgreesWithPOT`).
    static func points(_ n: Int, _ d: Int, phase: Double) -> Matrix {
        var s = [Float]()
        for i in 0..<n { for k in 0..<d { s.append(Float(sin(Double(3 * i + 7 * k) * 0.37 + phase))) } }
        return try! Matrix(rows: n, columns: d, storage: s)
    }

    /// `a_i = (1.5 + sin(1.7 i)) / sum`.
    static func sourceWeights(_ n: Int) -> [Double] {
        let raw = (0..<n).map { 1.5 + sin(Double($0) * 1.7) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    /// `b_j = (1.5 + cos(0.9 j)) / sum`.
    static func targetWeights(_ m: Int) -> [Double] {
        let raw = (0..<m).map { 1.5 + cos(Double($0) * 0.9) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    static func gaussianPoints(_ n: Int, _ d: Int, scale: Float = 1, shift: Float = 0, using rng: inout SeededGenerator) -> Matrix {
        try! Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) * scale + shift })
    }

    static func randomWeights(_ n: Int, using rng: inout SeededGenerator) -> [Double] {
        let raw = (0..<n).map { _ in 0.2 + rng.nextUnitDouble() }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }

    static func measures(sizes: [Int], d: Int, weighted: Bool, seed: UInt64) throws -> [EmpiricalMeasure] {
        var rng = SeededGenerator(seed: seed)
        return try sizes.enumerated().map { c, n in
            let points = gaussianPoints(n, d, scale: 0.5, shift: Float(c) * 0.3, using: &rng)
            guard weighted else { return try EmpiricalMeasure(points: points) }
            return try EmpiricalMeasure(points: points, normalizing: (0..<n).map { _ in Float(0.5 + rng.nextUnitDouble()) })
        }
    }
}

/// Independent reference solvers (no shared code with the module).
enum Reference {
    /// Minimum of `(1/n) sum_i C_{i, sigma(i)}` over all permutations (n <= 7).
    static func bruteForceAssignment(_ c: CostMatrix) -> Double {
        let n = c.rows
        var best = Double.infinity
        var perm = Array(0..<n)
        func visit(_ k: Int, _ partial: Double) {
            if partial >= best { return }
            if k == n { best = partial; return }
            for t in k..<n {
                perm.swapAt(k, t)
                visit(k + 1, partial + c[k, perm[k]])
                perm.swapAt(k, t)
            }
        }
        visit(0, 0)
        return best / Double(n)
    }

    /// The exact transport cost by vertex enumeration: every set of `n + m - 1` arcs that
    /// forms a spanning tree of the bipartite graph has a unique flow meeting the
    /// marginals; the feasible ones (flows >= 0) are the vertices of the transport
    /// polytope, and the minimum over them is the optimum (tiny problems only).
    static func vertexEnumeration(_ c: CostMatrix, _ a: [Double], _ b: [Double]) -> Double {
        let n = c.rows, m = c.columns, size = n + m - 1, arcs = n * m
        var best = Double.infinity
        var chosen = [Int]()
        func evaluate() {
            // Spanning tree check by union-find.
            var root = Array(0..<(n + m))
            func find(_ x: Int) -> Int { var x = x; while root[x] != x { x = root[x] }; return x }
            for arc in chosen {
                let u = find(arc / m), v = find(n + arc % m)
                if u == v { return }
                root[u] = v
            }
            // Flows by peeling leaves.
            var remaining = Set(chosen)
            var residual = a + b.map { -$0 }   // net supply still to route at each node
            var flow = 0.0
            while !remaining.isEmpty {
                var degree = [Int](repeating: 0, count: n + m)
                for arc in remaining { degree[arc / m] += 1; degree[n + arc % m] += 1 }
                guard let leafArc = remaining.first(where: { degree[$0 / m] == 1 || degree[n + $0 % m] == 1 }) else { return }
                let i = leafArc / m, j = n + leafArc % m
                let f = degree[i] == 1 ? residual[i] : -residual[j]
                if f < -1e-12 { return }
                residual[i] -= f
                residual[j] += f
                flow += f * c.values[leafArc]
                remaining.remove(leafArc)
            }
            best = min(best, flow)
        }
        func choose(_ start: Int) {
            if chosen.count == size { evaluate(); return }
            if arcs - start < size - chosen.count { return }
            for arc in start..<arcs {
                chosen.append(arc)
                choose(arc + 1)
                chosen.removeLast()
            }
        }
        choose(0)
        return best
    }
}

/// Asserts what every exact solution must satisfy: a nonnegative plan with the given
/// marginals and at most `n + m - 1` nonzeros, dual feasibility, complementary slackness
/// and a zero duality gap.
func assertExactOptimality(_ output: ExactTransportOutput, _ problem: TransportProblem, _ context: String,
                           file: StaticString = #filePath, line: UInt = #line) {
    let n = problem.sourceCount, m = problem.targetCount
    let scale = max(1, problem.cost.maximumMagnitude)
    let plan = output.plan
    XCTAssertLessThanOrEqual(plan.nonzeroEntries.count, n + m - 1, "\(context): not a vertex", file: file, line: line)
    XCTAssertTrue(plan.nonzeroEntries.allSatisfy { $0.mass > 0 }, "\(context): nonpositive plan entry", file: file, line: line)
    for (i, (r, a)) in zip(plan.sourceMarginal, problem.sourceWeights).enumerated() {
        XCTAssertEqual(r, a, accuracy: 1e-12, "\(context): row \(i) marginal", file: file, line: line)
    }
    for (j, (c, b)) in zip(plan.targetMarginal, problem.targetWeights).enumerated() {
        XCTAssertEqual(c, b, accuracy: 1e-12, "\(context): column \(j) marginal", file: file, line: line)
    }
    let u = output.sourcePotentials, v = output.targetPotentials
    var worstViolation = 0.0
    for i in 0..<n { for j in 0..<m { worstViolation = max(worstViolation, u[i] + v[j] - problem.cost[i, j]) } }
    XCTAssertLessThanOrEqual(worstViolation, 1e-9 * scale, "\(context): dual infeasible", file: file, line: line)
    for e in plan.nonzeroEntries {
        XCTAssertEqual(u[e.source] + v[e.target], problem.cost[e.source, e.target], accuracy: 1e-9 * scale,
                       "\(context): complementary slackness at (\(e.source), \(e.target))", file: file, line: line)
    }
    XCTAssertEqual(problem.dualObjective(source: u, target: v), output.cost, accuracy: 1e-9 * scale, "\(context): duality gap", file: file, line: line)
    XCTAssertEqual(try plan.cost(problem.cost), output.cost, accuracy: 1e-12 * scale, "\(context): cost is not <P, C>", file: file, line: line)
}

func relativeError(_ x: Double, _ y: Double) -> Double { abs(x - y) / max(abs(y), 1e-300) }
