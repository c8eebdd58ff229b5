import OptimalTransport

/// The identity coupling as an optimality certificate for problems whose optimum is 0.
///
/// When the ground cost is nonnegative, `n = m`, the two weight vectors are equal entry
/// by entry and every diagonal cost `C_ii` is exactly 0, the coupling
/// `P = diag(a)` is feasible and costs exactly 0, so it is optimal. This is the case of
/// a dataset compared with itself (a zero-diagonal ground cost), and checking it first
/// makes the reported optimum exactly 0, independent of the pivoting tolerances of the
/// network simplex (which would otherwise only guarantee a cost within rounding of 0
/// when nearly coincident points are present).
enum ZeroCostCertificate {
    /// `diag(a)` when it certifies a zero optimum, else `nil`.
    ///
    /// - Complexity: O(n m) to check the signs of the costs.
    static func identityPlan(for problem: TransportProblem) throws -> TransportPlan? {
        let n = problem.sourceCount
        guard n == problem.targetCount, problem.sourceWeights == problem.targetWeights else { return nil }
        let cost = problem.cost
        for i in 0..<n where cost[i, i] != 0 { return nil }
        guard cost.values.allSatisfy({ $0 >= 0 }) else { return nil }
        return try TransportPlan(sourceCount: n, targetCount: n,
                                 entries: problem.sourceWeights.enumerated().map { TransportPlan.Entry(source: $0.offset, target: $0.offset, mass: $0.element) })
    }

    /// The exact optimum: the certificate when it applies, else `solver`.
    static func solve(_ problem: TransportProblem, solver: ExactSolver) throws -> (cost: Double, plan: TransportPlan) {
        if let plan = try identityPlan(for: problem) { return (0, plan) }
        let output = try solver.solve(problem)
        return (max(0, output.cost), output.plan)
    }
}
