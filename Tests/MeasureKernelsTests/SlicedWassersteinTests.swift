import XCTest
import WassersteinFlows

/// Minimum over all permutations of (1/n) sum |x_i - y_sigma(i)|^p (brute force).
func bruteForceAssignment(_ x: [Float], _ y: [Float], power: Int) -> Double {
    precondition(x.count == y.count)
    var best = Double.infinity
    var perm = Array(0..<y.count)
    func recurse(_ k: Int) {
        if k == perm.count {
            var total = 0.0
            for i in 0..<x.count {
                let d = abs(Double(x[i]) - Double(y[perm[i]]))
                total += power == 2 ? d * d : d
            }
            best = min(best, total / Double(x.count))
            return
        }
        for i in k..<perm.count {
            perm.swapAt(k, i); recurse(k + 1); perm.swapAt(k, i)
        }
    }
    recurse(0)
    return best
}

/// Replicates point i `copies[i]` times (exact OT between rational-weight measures
/// becomes an assignment between equal-size uniform ones).
func replicate(_ x: [Float], _ copies: [Int]) -> [Float] {
    zip(x, copies).flatMap { Array(repeating: $0, count: $1) }
}

func line(_ values: [Float], weights: [Float]? = nil) throws -> EmpiricalMeasure {
    try EmpiricalMeasure(points: Matrix(rows: values.count, columns: 1, storage: values), weights: weights)
}

final class SlicedWassersteinTests: XCTestCase {
    /// In 1-D every direction is +-1, so SW equals exact 1-D W.
    let oneD = Slicing(projections: 4, directions: try! FixedDirections(Matrix(rows: 4, columns: 1, storage: [1, -1, 1, -1])))

    func testSlicedEqualsExactOneDimensionalOTOnEqualSizes() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<5 {
            let x = (0..<6).map { _ in Float(rng.nextStandardNormal()) }
            let y = (0..<6).map { _ in Float(rng.nextStandardNormal()) * 2 + 1 }
            var r = SeededGenerator(seed: 0)
            let sw2 = try SlicedWasserstein.squared(line(x), line(y), slicing: oneD, using: &r)
            XCTAssertEqual(sw2, bruteForceAssignment(x, y, power: 2), accuracy: 1e-5)
            let sw1 = try SlicedWasserstein.first(line(x), line(y), slicing: oneD, using: &r)
            XCTAssertEqual(sw1, bruteForceAssignment(x, y, power: 1), accuracy: 1e-5)
        }
    }

    func testUnequalSizesEqualBruteForceOnReplicatedSupports() throws {
        // n = 2 vs m = 3 uniform: replicate to 6 vs 6.
        let x: [Float] = [0.3, -1.2], y: [Float] = [2, -0.5, 0.1]
        var r = SeededGenerator(seed: 0)
        let sw2 = try SlicedWasserstein.squared(line(x), line(y), slicing: oneD, using: &r)
        let expected = bruteForceAssignment(replicate(x, [3, 3]), replicate(y, [2, 2, 2]), power: 2)
        XCTAssertEqual(sw2, expected, accuracy: 1e-5)
    }

    func testDividingSizesEqualTheSortedPairingOfReplicatedSupports() throws {
        // 4 vs 12 and 12 vs 4 uniform points (block summaries): replicate each of the 4
        // points 3 times; in 1-D the sorted pairing of equal sizes is optimal.
        var rng = SeededGenerator(seed: 13)
        let x = (0..<4).map { _ in Float(rng.nextStandardNormal()) }
        let y = (0..<12).map { _ in Float(rng.nextStandardNormal()) * 1.5 + 0.4 }
        let pairing = zip(replicate(x, [3, 3, 3, 3]).sorted(), y.sorted()).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +) / 12
        var r = SeededGenerator(seed: 0)
        XCTAssertEqual(try SlicedWasserstein.squared(line(x), line(y), slicing: oneD, using: &r), pairing, accuracy: 1e-5)
        XCTAssertEqual(try SlicedWasserstein.squared(line(y), line(x), slicing: oneD, using: &r), pairing, accuracy: 1e-5)
        let absolute = zip(replicate(x, [3, 3, 3, 3]).sorted(), y.sorted()).map { Double(abs($0 - $1)) }.reduce(0, +) / 12
        XCTAssertEqual(try SlicedWasserstein.first(line(x), line(y), slicing: oneD, using: &r), absolute, accuracy: 1e-5)
    }

    func testNonUniformWeightsEqualBruteForceOnReplicatedSupports() throws {
        // weights (1/2, 1/4, 1/4) vs (1/4, 3/4) -> replicate to 4 vs 4.
        let x: [Float] = [1, -2, 0.5], y: [Float] = [0, 3]
        var r = SeededGenerator(seed: 0)
        let value = try SlicedWasserstein.squared(line(x, weights: [0.5, 0.25, 0.25]), line(y, weights: [0.25, 0.75]), slicing: oneD, using: &r)
        let expected = bruteForceAssignment(replicate(x, [2, 1, 1]), replicate(y, [1, 3]), power: 2)
        XCTAssertEqual(value, expected, accuracy: 1e-5)
        let w1 = try SlicedWasserstein.first(line(x, weights: [0.5, 0.25, 0.25]), line(y, weights: [0.25, 0.75]), slicing: oneD, using: &r)
        XCTAssertEqual(w1, bruteForceAssignment(replicate(x, [2, 1, 1]), replicate(y, [1, 3]), power: 1), accuracy: 1e-5)
    }

    func testSelfDistanceIsZeroInEveryDimension() throws {
        var rng = SeededGenerator(seed: 12)
        for d in [1, 2, 5, 30] {
            let points = try Matrix(rows: 17, columns: d, storage: (0..<(17 * d)).map { _ in Float(rng.nextStandardNormal()) })
            let mu = try EmpiricalMeasure(points: points)
            XCTAssertEqual(try SlicedWasserstein.squared(mu, mu, slicing: Slicing(projections: 50), using: &rng), 0)
        }
    }

    func testTwoDiracsAverageTheSquaredDistanceOverTheSphere() throws {
        // SW_2^2(delta_x, delta_y) = |x-y|^2 E[theta_1^2] = |x-y|^2 / d.
        let d = 4
        let x = try EmpiricalMeasure(points: Matrix(rows: 1, columns: d, storage: [1, 0, 0, 0]))
        let y = try EmpiricalMeasure(points: Matrix(rows: 1, columns: d, storage: [0, 2, 0, 0]))
        var rng = SeededGenerator(seed: 3)
        let value = try SlicedWasserstein.squared(x, y, slicing: Slicing(projections: 20_000), using: &rng)
        XCTAssertEqual(value, 5.0 / Double(d), accuracy: 0.05)
    }

    func testPercentileEstimatorApproachesExactForLargeClassesAndUnderestimatesSmallOnes() throws {
        var rng = SeededGenerator(seed: 4)
        func cloud(_ n: Int, shift: Float) throws -> EmpiricalMeasure {
            try EmpiricalMeasure(points: Matrix(rows: n, columns: 3, storage: (0..<(3 * n)).map { _ in Float(rng.nextStandardNormal()) + shift }))
        }
        let a = try cloud(2000, shift: 0), b = try cloud(2000, shift: 0.7)
        let reference = Slicing(projections: 200, estimator: .referencePercentiles())
        var r1 = SeededGenerator(seed: 9), r2 = SeededGenerator(seed: 9)
        let exact = try SlicedWasserstein.squared(a, b, slicing: Slicing(projections: 200), using: &r1)
        let approximate = try SlicedWasserstein.squared(a, b, slicing: reference, using: &r2)
        XCTAssertEqual(approximate, exact, accuracy: 0.05 * exact)
        // Small classes: the estimator is biased low (paper: about 12% at n = 10).
        var ratios = [Double]()
        for seed in 0..<40 {
            var g = SeededGenerator(seed: UInt64(seed))
            let s = try cloud(10, shift: 0), t = try cloud(10, shift: 0)
            var e1 = g, e2 = g
            let e = try SlicedWasserstein.squared(s, t, slicing: Slicing(projections: 100), using: &e1)
            let p = try SlicedWasserstein.squared(s, t, slicing: Slicing(projections: 100, estimator: .referencePercentiles()), using: &e2)
            ratios.append(p / e)
            _ = g.next()
        }
        let meanRatio = ratios.reduce(0, +) / Double(ratios.count)
        XCTAssertLessThan(meanRatio, 0.97)
        XCTAssertGreaterThan(meanRatio, 0.7)
    }

    func testMMDStepIsBitwiseIdenticalForOneTwoAndThreeThreads() throws {
        // A distillation-like step: 4 classes of 6 particles against 4 of 24 (block
        // summaries), one of 5 (integer walk), d = 450 (two depth blocks in the products).
        var rng = SeededGenerator(seed: 14)
        func classes(_ sizes: [Int]) throws -> LabeledDataset {
            try LabeledDataset(classes: sizes.map { n in
                try EmpiricalMeasure(points: Matrix(rows: n, columns: 450, storage: (0..<(n * 450)).map { _ in Float(rng.nextStandardNormal()) }))
            })
        }
        let source = try classes([6, 6, 6, 6]), target = try classes([24, 24, 24, 24, 5])
        let mmd = try MMD(kernel: RieszSW(slicing: Slicing(projections: 64)), target: target)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var results = [[UInt64]]()
        for threads in [1, 2, 3] {
            Parallel.threads = threads
            var r = SeededGenerator(seed: 5)
            let (value, gradient) = try mmd.valueAndGradient(at: source, using: &r)
            results.append([value.bitPattern] + gradient.classes.flatMap { $0.storage.map { UInt64($0.bitPattern) } })
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertEqual(results[0], results[2])
    }

    func testSameSeedSameBitsForOneAndTwoThreads() throws {
        var rng = SeededGenerator(seed: 13)
        let measures = try (0..<4).map { c in
            try EmpiricalMeasure(points: Matrix(rows: 60 + c * 7, columns: 5, storage: (0..<((60 + c * 7) * 5)).map { _ in Float(rng.nextStandardNormal()) }))
        }
        let kernel = try RieszSW(slicing: Slicing(projections: 100))
        let pairs = [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: 0.5), KernelPair(0, 2, firstGradientWeight: -1),
                     KernelPair(3, 1, firstGradientWeight: 2), KernelPair(2, 2)]
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var results = [[UInt32]]()
        for threads in [1, 2] {
            Parallel.threads = threads
            var r = SeededGenerator(seed: 99)
            let result = try kernel.evaluate(KernelBatch(measures: measures, pairs: pairs), using: &r)
            results.append(result.values.map { UInt32(truncatingIfNeeded: $0.bitPattern) } + result.gradients.compactMap { $0 }.flatMap { $0.storage.map(\.bitPattern) })
        }
        XCTAssertEqual(results[0], results[1])
    }

    func testBadKernelInputGivesTypedErrors() throws {
        XCTAssertThrowsError(try GaussianSW(bandwidth: 0)) { XCTAssertTrue("\($0)".contains("bandwidth must be positive")) }
        XCTAssertThrowsError(try GaussianSW(bandwidth: -1))
        XCTAssertThrowsError(try LaplaceSW(bandwidth: .nan))
        XCTAssertThrowsError(try IMQSW(bandwidth: 0))
        XCTAssertThrowsError(try RieszSW(exponent: 2)) { XCTAssertTrue("\($0)".contains("(0, 2)")) }
        XCTAssertThrowsError(try RieszSW(exponent: 0))
        XCTAssertThrowsError(try RieszSW(slicing: Slicing(projections: 0))) { XCTAssertTrue("\($0)".contains("projections must be positive")) }
        let kernel = try RieszSW(slicing: Slicing(projections: 10))
        let a = try EmpiricalMeasure([[0, 0], [1, 1]]), b = try EmpiricalMeasure([[0, 0, 0]])
        var rng = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try kernel.value(a, b, using: &rng)) {
            XCTAssertEqual($0 as? KernelError, .dimensionMismatch(measure: 1, expected: 2, found: 3))
        }
        XCTAssertThrowsError(try kernel.evaluate(KernelBatch(measures: [a], pairs: [KernelPair(0, 3)]), using: &rng))
        let weighted = try EmpiricalMeasure(points: a.points, weights: [0.25, 0.75])
        let reference = try RieszSW(slicing: Slicing(projections: 10, estimator: .referencePercentiles()))
        XCTAssertThrowsError(try reference.value(weighted, a, using: &rng)) { XCTAssertTrue("\($0)".contains("weighted")) }
        let wrongDirections = try RieszSW(slicing: Slicing(projections: 3, directions: FixedDirections(Matrix(rows: 3, columns: 5, repeating: 1))))
        XCTAssertThrowsError(try wrongDirections.value(a, a, using: &rng))
        // Absurd sizes: a clear error before any allocation, not an overflow trap.
        let absurd = try RieszSW(slicing: Slicing(projections: .max))
        XCTAssertThrowsError(try absurd.value(a, a, using: &rng)) { XCTAssertTrue("\($0)".contains("fewer projections"), "\($0)") }
        XCTAssertThrowsError(try RieszSW(slicing: Slicing(projections: 4, estimator: .referencePercentiles(percentiles: .max, levels: .max))))
    }
}
