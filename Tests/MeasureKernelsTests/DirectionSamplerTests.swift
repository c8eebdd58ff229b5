import XCTest
import WassersteinFlows
@testable import MeasureKernels

/// `UniformSphereDirections`: unit rows, the moments of the uniform distribution on the
/// sphere, seeded determinism and thread-count independence.
final class DirectionSamplerTests: XCTestCase {
    func testRowsAreUnitVectorsWithTheSphereMoments() throws {
        // On S^{d-1}: E[theta_j] = 0, E[theta_j^2] = 1/d, E[theta_j^4] = 3/(d(d+2)),
        // E[theta_1^2 theta_2^2] = 1/(d(d+2)).
        let (count, d) = (40_000, 3)
        var rng = SeededGenerator(seed: 17)
        let theta = try UniformSphereDirections().directions(count: count, dimension: d, using: &rng)
        var mean = [Double](repeating: 0, count: d), second = mean, fourth = mean
        var cross = 0.0
        for l in 0..<count {
            var norm2 = 0.0
            for j in 0..<d {
                let x = Double(theta[l, j])
                norm2 += x * x
                mean[j] += x; second[j] += x * x; fourth[j] += x * x * x * x
            }
            cross += Double(theta[l, 0] * theta[l, 0] * theta[l, 1] * theta[l, 1])
            XCTAssertEqual(norm2, 1, accuracy: 1e-6, "row \(l)")
        }
        for j in 0..<d {
            // Standard errors at 40,000 rows: about 0.003, 0.0015, 0.0013.
            XCTAssertEqual(mean[j] / Double(count), 0, accuracy: 0.015)
            XCTAssertEqual(second[j] / Double(count), 1.0 / 3, accuracy: 0.008)
            XCTAssertEqual(fourth[j] / Double(count), 3.0 / 15, accuracy: 0.007)
        }
        XCTAssertEqual(cross / Double(count), 1.0 / 15, accuracy: 0.004)
    }

    func testBufferFormEqualsTheMatrixFormAndChecksShapes() throws {
        var a = SeededGenerator(seed: 21), b = a
        let matrix = try UniformSphereDirections().directions(count: 9, dimension: 5, using: &a)
        var buffer = [Float](repeating: .nan, count: 45)
        try buffer.withUnsafeMutableBufferPointer {
            try UniformSphereDirections().directions(count: 9, dimension: 5, into: $0.baseAddress!, using: &b)
        }
        XCTAssertEqual(buffer.map(\.bitPattern), matrix.storage.map(\.bitPattern))
        XCTAssertEqual(a, b, "same draws from the generator")
        // The default (a sampler with only the matrix form) copies, and refuses a wrong shape.
        let fixed = try FixedDirections(Matrix(rowArrays: [[1, 0], [0, 1]]))
        var rng = SeededGenerator(seed: 0)
        var out = [Float](repeating: .nan, count: 4)
        try out.withUnsafeMutableBufferPointer { try fixed.directions(count: 2, dimension: 2, into: $0.baseAddress!, using: &rng) }
        XCTAssertEqual(out, [1, 0, 0, 1])
        XCTAssertThrowsError(try out.withUnsafeMutableBufferPointer { try fixed.directions(count: 1, dimension: 2, into: $0.baseAddress!, using: &rng) })
    }

    func testZigguratDeviatesAreStandardNormal() {
        // 400,000 deviates: moments, the tail beyond the base layer's edge r, and the
        // Kolmogorov-Smirnov distance to the normal CDF.
        let count = 400_000
        var stream = SeededGenerator(seed: 20)
        var samples = [Float]()
        samples.reserveCapacity(count)
        Ziggurat.withTables { tables in
            for _ in 0..<(count / 2) {
                let bits = stream.next()
                samples.append(Ziggurat.normal(UInt32(truncatingIfNeeded: bits), tables, &stream))
                samples.append(Ziggurat.normal(UInt32(truncatingIfNeeded: bits >> 32), tables, &stream))
            }
        }
        let n = Double(count)
        let mean = samples.reduce(0.0) { $0 + Double($1) } / n
        let second = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / n
        let fourth = samples.reduce(0.0) { $0 + pow(Double($1), 4) } / n
        // Standard errors: 0.0016, 0.0022, 0.015.
        XCTAssertEqual(mean, 0, accuracy: 0.008)
        XCTAssertEqual(second, 1, accuracy: 0.011)
        XCTAssertEqual(fourth, 3, accuracy: 0.08)
        // P(|Z| > r) = erfc(r / sqrt 2) = 5.76e-4: about 230 of 400,000 (sd 15).
        let tail = samples.filter { abs(Double($0)) > Ziggurat.r }.count
        XCTAssertEqual(Double(tail), n * erfc(Ziggurat.r / 2.0.squareRoot()), accuracy: 75)
        XCTAssertGreaterThan(samples.map { abs($0) }.max()!, 4, "the tail is reached")
        // KS: sup |F_n - Phi| < 1.63 / sqrt(n) at the 1% level.
        let sorted = samples.sorted()
        var ks = 0.0
        for (i, x) in sorted.enumerated() where i % 7 == 0 {
            let phi = 0.5 * erfc(-Double(x) / 2.0.squareRoot())
            ks = max(ks, abs(Double(i + 1) / n - phi), abs(Double(i) / n - phi))
        }
        XCTAssertLessThan(ks, 1.63 / n.squareRoot())
        // Both signs in every layer's fast path: the mean of positive deviates is sqrt(2/pi).
        let positive = samples.filter { $0 > 0 }
        XCTAssertEqual(Double(positive.count) / n, 0.5, accuracy: 0.004)
        XCTAssertEqual(positive.reduce(0.0) { $0 + Double($1) } / Double(positive.count), (2 / Double.pi).squareRoot(), accuracy: 0.006)
    }

    func testSameSeedSameDirectionsForOneAndTwoThreads() throws {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var draws = [[UInt32]]()
        for threads in [1, 2] {
            Parallel.threads = threads
            var rng = SeededGenerator(seed: 18)
            draws.append(try UniformSphereDirections().directions(count: 100, dimension: 37, using: &rng).storage.map(\.bitPattern))
        }
        XCTAssertEqual(draws[0], draws[1])
        var other = SeededGenerator(seed: 19)
        XCTAssertNotEqual(try UniformSphereDirections().directions(count: 100, dimension: 37, using: &other).storage.map(\.bitPattern), draws[0])
    }
}
