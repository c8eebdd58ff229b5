import XCTest
import WassersteinFlows

final class WoWDistanceTests: XCTestCase {
    func testIdenticalDatasetsAreAtDistanceExactlyZero() throws {
        let p = try Fixture.dataset(sizes: [6, 9, 4], d: 3, classWeights: [0.5, 0.3, 0.2], seed: 1)
        XCTAssertEqual(try WoWDistance().evaluate(p, p).squaredDistance, 0)
        XCTAssertEqual(try WoWDistance(labelDistance: .gaussian()).evaluate(p, p).squaredDistance, 0)
        // A different dataset is at a positive distance.
        let q = try Fixture.perturbed(p, scale: 0.1, seed: 2)
        XCTAssertGreaterThan(try WoWDistance().evaluate(p, q).squaredDistance, 0)
    }

    func testIsSymmetric() throws {
        let p = try Fixture.dataset(sizes: [5, 8, 6], d: 2, classWeights: [0.2, 0.5, 0.3], seed: 3)
        let q = try Fixture.dataset(sizes: [7, 4, 6, 5], d: 2, separation: 1.5, seed: 4)
        let pq = try WoWDistance().evaluate(p, q), qp = try WoWDistance().evaluate(q, p)
        XCTAssertGreaterThan(pq.squaredDistance, 0)
        XCTAssertEqual(pq.squaredDistance, qp.squaredDistance, accuracy: 1e-12 * pq.squaredDistance)
        for c in 0..<3 { for k in 0..<4 { XCTAssertEqual(pq.classCosts[c, k], qp.classCosts[k, c], accuracy: 1e-12) } }
        XCTAssertEqual(pq.distance * pq.distance, pq.squaredDistance, accuracy: 1e-12 * pq.squaredDistance)
    }

    func testSingleClassDatasetsGiveTheExactW2BetweenTheClasses() throws {
        // In one dimension W_2^2 is the quantile coupling of the sorted samples: an
        // independent computation (no network simplex).
        var rng = SeededGenerator(seed: 5)
        let x = Fixture.cloud(7, 1, using: &rng), y = Fixture.cloud(5, 1, scale: 2, shift: [1], using: &rng)
        let p = try LabeledDataset(classes: [EmpiricalMeasure(points: x)])
        let q = try LabeledDataset(classes: [EmpiricalMeasure(points: y)])
        // (OneDimensionalOT accumulates in Float: agreement to about 1e-7.)
        let expected = OneDimensionalOT.distance(x.storage, y.storage)
        XCTAssertEqual(try WoWDistance().evaluate(p, q).squaredDistance, expected, accuracy: 1e-6 * expected)
    }

    func testEqualsBruteForceOverClassAssignmentsForUniformWeights() throws {
        // C = K = 4, uniform class weights: the outer problem is an assignment problem, so
        // WW_2^2 = min over permutations of (1/C) sum_c W_2^2(mu_c, nu_sigma(c)), with the
        // class costs again from the 1-D quantile coupling.
        let p = try Fixture.dataset(sizes: [6, 5, 7, 6], d: 1, separation: 1, seed: 6)
        let q = try Fixture.dataset(sizes: [5, 6, 6, 8], d: 1, separation: 1.3, scale: 0.8, seed: 7)
        let costs = p.classes.map { mu in q.classes.map { nu in OneDimensionalOT.distance(mu.points.storage, nu.points.storage) } }
        var best = Double.infinity
        func visit(_ c: Int, _ used: Set<Int>, _ total: Double) {
            if c == 4 { best = min(best, total / 4); return }
            for k in 0..<4 where !used.contains(k) { visit(c + 1, used.union([k]), total + costs[c][k]) }
        }
        visit(0, [], 0)
        let output = try WoWDistance().evaluate(p, q)
        XCTAssertEqual(output.squaredDistance, best, accuracy: 1e-6 * best)
        for c in 0..<4 { for k in 0..<4 { XCTAssertEqual(output.classCosts[c, k], costs[c][k], accuracy: 1e-6 * max(1, costs[c][k])) } }
    }
}
