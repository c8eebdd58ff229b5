import XCTest
import WassersteinFlows

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
