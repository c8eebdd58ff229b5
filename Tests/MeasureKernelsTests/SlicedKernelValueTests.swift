import XCTest
import WassersteinFlows

/// Every shipped sliced kernel's value against its documented formula, with the sliced
/// discrepancy recomputed here from scratch (projections and 1-D quantile matching in
/// `Double`), on the same directions the kernel uses.
final class SlicedKernelValueTests: XCTestCase {
    /// `int_0^1 |F^-1(t) - G^-1(t)|^power dt` for two weighted 1-D samples: the quantile
    /// functions are step functions, constant between consecutive breakpoints of the two
    /// cumulative weight sequences, so the integral is a finite sum over those intervals
    /// (each evaluated at its midpoint level).
    static func quantileCost(_ x: [Double], _ a: [Double], _ y: [Double], _ b: [Double], power: Double) -> Double {
        func sortedWithCumulative(_ v: [Double], _ w: [Double]) -> ([Double], [Double]) {
            let order = v.indices.sorted { v[$0] < v[$1] }
            let total = w.reduce(0, +)
            var running = 0.0
            return (order.map { v[$0] }, order.map { running += w[$0] / total; return running })
        }
        let (xs, ca) = sortedWithCumulative(x, a), (ys, cb) = sortedWithCumulative(y, b)
        func quantile(_ values: [Double], _ cumulative: [Double], _ t: Double) -> Double {
            values[cumulative.firstIndex { $0 >= t } ?? values.count - 1]
        }
        let breaks = ([0.0, 1.0] + ca.dropLast() + cb.dropLast()).sorted()
        var total = 0.0
        for k in 1..<breaks.count where breaks[k] > breaks[k - 1] {
            let mid = 0.5 * (breaks[k] + breaks[k - 1])
            total += (breaks[k] - breaks[k - 1]) * pow(abs(quantile(xs, ca, mid) - quantile(ys, cb, mid)), power)
        }
        return total
    }

    /// `(1/L) sum_l W_power^power(<mu, theta_l>, <nu, theta_l>)`.
    static func sliced(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, directions theta: Matrix, power: Double) -> Double {
        func project(_ m: EmpiricalMeasure, _ l: Int) -> [Double] {
            (0..<m.count).map { i in (0..<m.dimension).reduce(0.0) { $0 + Double(m.points[i, $1]) * Double(theta[l, $1]) } }
        }
        func weights(_ m: EmpiricalMeasure) -> [Double] { m.weights.map { $0.map(Double.init) } ?? Array(repeating: 1, count: m.count) }
        var total = 0.0
        for l in 0..<theta.rows {
            total += quantileCost(project(mu, l), weights(mu), project(nu, l), weights(nu), power: power)
        }
        return total / Double(theta.rows)
    }

    /// Each kernel with its slice power and its documented `phi`.
    static func kernels(_ slicing: Slicing) throws -> [(String, any MeasureKernel, Double, (Double) -> Double)] {
        [
            ("gaussian h=0.7", try GaussianSW(bandwidth: 0.7, slicing: slicing), 2, { exp(-$0 / (2 * 0.7)) }),
            ("riesz r=1", try RieszSW(exponent: 1, slicing: slicing), 2, { -pow($0, 0.5) }),
            ("riesz r=0.5", try RieszSW(exponent: 0.5, slicing: slicing), 2, { -pow($0, 0.25) }),
            ("riesz r=1.5", try RieszSW(exponent: 1.5, slicing: slicing), 2, { -pow($0, 0.75) }),
            ("laplace h=0.8", try LaplaceSW(bandwidth: 0.8, slicing: slicing), 1, { exp(-$0 / 0.8) }),
            ("imq h=0.3", try IMQSW(bandwidth: 0.3, slicing: slicing), 2, { 1 / (0.3 + $0).squareRoot() }),
        ]
    }

    /// Two classes far enough apart that `SW_2^2` is well away from 1 and from `SW_1`
    /// (so `S^(r/2)` and `S^r`, or `SW_1` and `SW_2^2`, give clearly different values).
    static func pair(_ n: Int, _ m: Int, d: Int, weighted: Bool, seed: UInt64) throws -> (EmpiricalMeasure, EmpiricalMeasure) {
        var rng = SeededGenerator(seed: seed)
        func cloud(_ count: Int, shift: Float, scale: Float) throws -> EmpiricalMeasure {
            let points = try Matrix(rows: count, columns: d, storage: (0..<(count * d)).map { _ in Float(rng.nextStandardNormal()) * scale + shift })
            guard weighted else { return try EmpiricalMeasure(points: points) }
            return try EmpiricalMeasure(points: points, normalizing: (0..<count).map { _ in Float(0.3 + rng.nextUnitDouble()) })
        }
        return (try cloud(n, shift: 0, scale: 0.6), try cloud(m, shift: 1.4, scale: 1.3))
    }

    func check(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, slicing: Slicing, theta: Matrix, seed: UInt64, context: String) throws {
        let s2 = Self.sliced(mu, nu, directions: theta, power: 2), s1 = Self.sliced(mu, nu, directions: theta, power: 1)
        // Not a degenerate configuration for the mutations this pins.
        XCTAssertGreaterThan(abs(s2 - 1), 0.3, context)
        XCTAssertGreaterThan(abs(s2 - s1), 0.3, context)
        for (name, kernel, power, phi) in try Self.kernels(slicing) {
            var rng = SeededGenerator(seed: seed)
            let value = try kernel.value(mu, nu, using: &rng)
            let expected = phi(power == 2 ? s2 : s1)
            XCTAssertEqual(value, expected, accuracy: 2e-5 * max(1, abs(expected)), "\(name), \(context)")
        }
    }

    /// Directions given explicitly: nothing shared with the library but the data.
    func testValuesOnFixedDirections() throws {
        var rng = SeededGenerator(seed: 5)
        let L = 9, d = 3
        var raw = (0..<(L * d)).map { _ in rng.nextStandardNormal() }
        for l in 0..<L {
            let norm = (0..<d).reduce(0.0) { $0 + raw[l * d + $1] * raw[l * d + $1] }.squareRoot()
            for k in 0..<d { raw[l * d + k] /= norm }
        }
        let theta = try Matrix(rows: L, columns: d, storage: raw.map(Float.init))
        let slicing = Slicing(projections: L, directions: try FixedDirections(theta))
        for (n, m, weighted) in [(8, 8, false), (7, 12, false), (6, 10, true)] {
            let (mu, nu) = try Self.pair(n, m, d: d, weighted: weighted, seed: UInt64(n * 100 + m))
            try check(mu, nu, slicing: slicing, theta: theta, seed: 0, context: "fixed, \(n) vs \(m), weighted \(weighted)")
        }
    }

    /// The default sampler: the same seed draws the same directions the kernel draws.
    func testValuesOnTheDefaultSphereDirections() throws {
        let L = 40, d = 4, seed: UInt64 = 77
        let slicing = Slicing(projections: L)
        var draw = SeededGenerator(seed: seed)
        let theta = try UniformSphereDirections().directions(count: L, dimension: d, using: &draw)
        for (n, m, weighted) in [(10, 10, false), (9, 13, true)] {
            let (mu, nu) = try Self.pair(n, m, d: d, weighted: weighted, seed: UInt64(n * 100 + m))
            try check(mu, nu, slicing: slicing, theta: theta, seed: seed, context: "sphere, \(n) vs \(m), weighted \(weighted)")
        }
    }

    /// In 1-D every direction is +-1, so the sliced distance is exact 1-D OT: here the
    /// minimum over all matchings of equal-size uniform samples (brute force).
    func testOneDimensionalValuesEqualBruteForceOptimalTransport() throws {
        var rng = SeededGenerator(seed: 8)
        let x = (0..<6).map { _ in Float(rng.nextStandardNormal()) * 0.5 }
        let y = (0..<6).map { _ in Float(rng.nextStandardNormal()) * 1.5 + 1.6 }
        let w2 = bruteForceAssignment(x, y, power: 2), w1 = bruteForceAssignment(x, y, power: 1)
        XCTAssertGreaterThan(abs(w2 - 1), 0.3)
        XCTAssertGreaterThan(abs(w2 - w1), 0.3)
        let mu = try line(x), nu = try line(y)
        for (name, kernel, power, phi) in try Self.kernels(Slicing(projections: 16)) {
            var r = SeededGenerator(seed: 3)
            let value = try kernel.value(mu, nu, using: &r)
            let expected = phi(power == 2 ? w2 : w1)
            XCTAssertEqual(value, expected, accuracy: 2e-5 * max(1, abs(expected)), "\(name), d = 1")
        }
    }
}
