import XCTest
import WassersteinFlows

/// Bad input gives a typed `OptimalTransportError` with a clear message, never a trap.
final class InputValidationTests: XCTestCase {
    func expect(_ expected: OptimalTransportError, mentioning words: [String] = [], _ body: () throws -> Void,
                file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard let error = error as? OptimalTransportError else { return XCTFail("untyped error \(error)", file: file, line: line) }
            XCTAssertEqual(error, expected, file: file, line: line)
            for word in words { XCTAssertTrue(error.description.contains(word), "\(error.description) lacks \(word)", file: file, line: line) }
        }
    }

    let cost = try! CostMatrix([[1, 2], [3, 4], [5, 6]])

    func testWeights() {
        expect(.invalidWeights(side: "source", problem: "weight 1 is negative (-0.2)"), mentioning: ["negative", "source"]) {
            _ = try TransportProblem(cost: cost, sourceWeights: [0.6, -0.2, 0.6])
        }
        expect(.invalidWeights(side: "target", problem: "weight 0 is nan"), mentioning: ["nan"]) {
            _ = try TransportProblem(cost: cost, targetWeights: [.nan, 1])
        }
        expect(.unnormalizedWeights(side: "source", sum: 1.5, tolerance: 1e-6), mentioning: ["sum to 1.5", "normalise"]) {
            _ = try TransportProblem(cost: cost, sourceWeights: [0.5, 0.5, 0.5])
        }
        expect(.unnormalizedWeights(side: "target", sum: 0, tolerance: 1e-6)) {
            _ = try TransportProblem(cost: cost, targetWeights: [0, 0])
        }
        expect(.dimensionMismatch(expected: 3, found: 2, context: "source weight count"), mentioning: ["expected 3, found 2"]) {
            _ = try TransportProblem(cost: cost, sourceWeights: [0.5, 0.5])
        }
        // Within tolerance: accepted and renormalised.
        let problem = try? TransportProblem(cost: cost, sourceWeights: [0.3, 0.3, 0.4000001])
        XCTAssertNotNil(problem)
        XCTAssertEqual(problem?.sourceWeights.reduce(0, +) ?? 0, 1, accuracy: 1e-15)
    }

    func testCostsAndPoints() {
        expect(.nonFiniteCost(row: 1, column: 0), mentioning: ["(1, 0)"]) { _ = try CostMatrix([[1, 2], [.nan, 1]]) }
        expect(.nonFiniteCost(row: 0, column: 1)) { _ = try CostMatrix([[1, .infinity]]) }
        expect(.dimensionMismatch(expected: 2, found: 3, context: "cost matrix row 1")) { _ = try CostMatrix([[1, 2], [1, 2, 3]]) }
        expect(.empty("cost matrix (0 x 0)")) { _ = try CostMatrix([]) }
        let x = try! Matrix(rows: 2, columns: 3, storage: [Float](repeating: 0, count: 6))
        let y = try! Matrix(rows: 2, columns: 2, storage: [Float](repeating: 0, count: 4))
        expect(.dimensionMismatch(expected: 3, found: 2, context: "target point dimension")) { _ = try SquaredEuclidean.costMatrix(x, y) }
        var bad = x
        bad[1, 1] = .nan
        expect(.nonFiniteInput("source points")) { _ = try SquaredEuclidean.costMatrix(bad, x) }
        let big = try! Matrix(rows: 1, columns: 2, storage: [3e38, 3e38])
        XCTAssertThrowsError(try SquaredEuclidean.costMatrix(big, x, evaluation: .direct).values.count) // overflow to infinity
        let mu = try! EmpiricalMeasure([[0, 0]]), nu = try! EmpiricalMeasure([[0, 0, 0]])
        expect(.dimensionMismatch(expected: 2, found: 3, context: "target point dimension")) { _ = try TransportProblem(source: mu, target: nu) }
    }

    func testSolverParameters() {
        for eps in [0.0, -1, .nan, .infinity] {
            expect(.invalidParameter("epsilon must be positive and finite, got \(eps)"), mentioning: ["epsilon"]) {
                _ = try Sinkhorn(epsilon: .absolute(eps))
            }
            expect(.invalidParameter("epsilon must be positive and finite, got \(eps)")) { _ = try Sinkhorn(epsilon: .relativeToMeanCost(eps)) }
        }
        expect(.invalidParameter("tolerance must be finite and nonnegative, got -1.0")) { _ = try Sinkhorn(tolerance: -1) }
        expect(.invalidParameter("the iteration cap must be positive, got 0")) { _ = try Sinkhorn(maxIterations: 0) }
        expect(.invalidParameter("the iteration cap must be positive, got -5")) { _ = try ExactSolver(maxIterations: -5) }
        // Costs so large that the simplex's artificial costs would overflow: refused.
        let huge = try! TransportProblem(cost: CostMatrix([[1e307, 0], [0, 1e307]]))
        XCTAssertThrowsError(try ExactSolver().solve(huge)) { error in
            guard case .numericalFailure = error as? OptimalTransportError else { return XCTFail("\(error)") }
        }
        // Epsilon relative to a tiny cost scale underflows to zero: refused, not NaN.
        let tiny = try! TransportProblem(cost: CostMatrix([[1e-300, 0], [0, 1e-300]]))
        XCTAssertThrowsError(try Sinkhorn(epsilon: .relativeToMeanCost(1e-30)).solve(tiny)) { error in
            guard case .invalidParameter = error as? OptimalTransportError else { return XCTFail("\(error)") }
        }
    }

    func testMatricesAndGaussians() throws {
        expect(.notSymmetric(context: "matrix", asymmetry: 1), mentioning: ["not symmetric"]) { _ = try SymmetricMatrix([[1, 2], [3, 1]]) }
        expect(.nonFiniteInput("symmetric matrix")) { _ = try SymmetricMatrix([[1, .nan], [.nan, 1]]) }
        expect(.dimensionMismatch(expected: 2, found: 1, context: "length of row 1 of a square matrix")) { _ = try SymmetricMatrix([[1, 2], [3]]) }
        let context = "symmetric matrix operand dimension"
        expect(.dimensionMismatch(expected: 2, found: 3, context: context)) { _ = try SymmetricMatrix.identity(2).adding(.identity(3)) }
        expect(.dimensionMismatch(expected: 2, found: 3, context: context)) { _ = try SymmetricMatrix.identity(2).congruence(by: .identity(3)) }
        expect(.dimensionMismatch(expected: 2, found: 1, context: context)) { _ = try SymmetricMatrix.identity(2).apply([1]) }
        let indefinite = try SymmetricMatrix([[1, 2], [2, 1]])   // eigenvalues -1, 3
        XCTAssertThrowsError(try GaussianSummary(mean: [0, 0], covariance: indefinite)) { error in
            guard case let .notPositiveSemidefinite(_, smallest) = error as? OptimalTransportError else { return XCTFail("\(error)") }
            XCTAssertEqual(smallest, -1, accuracy: 1e-12)
            XCTAssertTrue((error as! OptimalTransportError).description.contains("positive semidefinite"))
        }
        expect(.dimensionMismatch(expected: 3, found: 2, context: "covariance dimension")) {
            _ = try GaussianSummary(mean: [0, 0, 0], covariance: .identity(2))
        }
        expect(.nonFiniteInput("Gaussian mean")) { _ = try GaussianSummary(mean: [.nan, 0], covariance: .identity(2)) }
        expect(.invalidParameter("the covariance ridge must be positive and finite, got 0.0")) {
            _ = try GaussianSummary(mean: [0, 0], covariance: .identity(2), ridge: 0)
        }
        let g2 = try GaussianSummary(mean: [0, 0], covariance: .identity(2))
        let g3 = try GaussianSummary(mean: [0, 0, 0], covariance: .identity(3))
        expect(.dimensionMismatch(expected: 2, found: 3, context: "Gaussian dimension")) { _ = try BuresWasserstein.squaredDistance(g2, g3) }
        expect(.dimensionMismatch(expected: 2, found: 3, context: "direction dimension")) {
            _ = try BuresWasserstein.exponentialMap(at: .identity(2), direction: .identity(3))
        }
        let points = try Matrix(rows: 3, columns: 2, storage: [0, 1, 2, 3, 4, 5])
        expect(.invalidParameter("number of components must lie in 1...2, got 3")) { _ = try PrincipalComponents(fitting: points, components: 3) }
        expect(.unnormalizedWeights(side: "point", sum: 3, tolerance: 1e-6)) { _ = try PrincipalComponents(fitting: points, weights: [1, 1, 1], components: 1) }
    }

    func testPlanInputs() {
        expect(.invalidParameter("plan entry (2, 0) outside 2 x 2")) {
            _ = try TransportPlan(sourceCount: 2, targetCount: 2, entries: [.init(source: 2, target: 0, mass: 0.5)])
        }
        expect(.invalidParameter("plan entry (0, 1) has mass -0.1")) {
            _ = try TransportPlan(sourceCount: 2, targetCount: 2, entries: [.init(source: 0, target: 1, mass: -0.1)])
        }
        expect(.invalidParameter("plan entry (0, 1) given twice")) {
            _ = try TransportPlan(sourceCount: 2, targetCount: 2, entries: [.init(source: 0, target: 1, mass: 0.1), .init(source: 0, target: 1, mass: 0.2)])
        }
        let plan = try! TransportPlan(sourceCount: 2, targetCount: 2, entries: [.init(source: 0, target: 1, mass: 0.5), .init(source: 1, target: 0, mass: 0.5)])
        expect(.dimensionMismatch(expected: 4, found: 6, context: "cost matrix for the plan")) { _ = try plan.cost(cost) }
        expect(.dimensionMismatch(expected: 2, found: 3, context: "target points for the plan")) {
            _ = try plan.apply(to: Matrix(rows: 3, columns: 1, storage: [0, 0, 0]))
        }
        expect(.dimensionMismatch(expected: 2, found: 3, context: "columns of a square assignment cost matrix")) { _ = try LinearAssignment.solve(cost.transposed()) }
    }
}
