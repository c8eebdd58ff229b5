import XCTest
import WassersteinFlows

final class EigendecompositionTests: XCTestCase {
    /// A random orthogonal matrix (Gram-Schmidt on Gaussian columns), row-major.
    static func randomOrthogonal(_ d: Int, using rng: inout SeededGenerator) -> [Double] {
        var columns = [[Double]]()
        while columns.count < d {
            var v = (0..<d).map { _ in rng.nextStandardNormal() }
            for c in columns {
                let dot = zip(v, c).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<d { v[k] -= dot * c[k] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { columns.append(v.map { $0 / norm }) }
        }
        var q = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { q[i * d + j] = columns[j][i] } }
        return q
    }

    /// `Q diag(w) Q^T`.
    static func compose(_ q: [Double], _ w: [Double]) throws -> SymmetricMatrix {
        let d = w.count
        var a = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for k in 0..<d { a[i * d + j] += q[i * d + k] * w[k] * q[j * d + k] } } }
        return try SymmetricMatrix(dimension: d, storage: a, symmetryTolerance: 1e-12)
    }

    func check(_ a: SymmetricMatrix, expected: [Double]? = nil, _ context: String) throws {
        let e = try SymmetricEigendecomposition(a)
        let d = a.dimension
        let scale = max(1, a.storage.map(abs).max()!)
        XCTAssertLessThanOrEqual(e.reconstructed().maximumDifference(from: a), 1e-12 * scale * Double(d), "\(context): A != Q diag(w) Q^T")
        var worst = 0.0
        for i in 0..<d {
            for j in 0..<d {
                var dot = 0.0
                for k in 0..<d { dot += e.eigenvectors[k * d + i] * e.eigenvectors[k * d + j] }
                worst = max(worst, abs(dot - (i == j ? 1 : 0)))
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-12 * Double(d), "\(context): Q^T Q != I")
        XCTAssertEqual(e.eigenvalues, e.eigenvalues.sorted(), "\(context): not ascending")
        // A v = lambda v for every pair.
        for k in 0..<d {
            let v = e.eigenvector(k), av = try a.apply(v)
            for i in 0..<d { XCTAssertEqual(av[i], e.eigenvalues[k] * v[i], accuracy: 1e-11 * scale * Double(d), "\(context): eigenpair \(k)") }
        }
        if let expected {
            for (w, x) in zip(e.eigenvalues, expected.sorted()) { XCTAssertEqual(w, x, accuracy: 1e-12 * scale * Double(d), "\(context): eigenvalues") }
        }
    }

    /// A sample covariance of few "images" with many always-blank pixels (rank 19 of 120,
    /// a large cluster of zero eigenvalues), the shape of the class covariances of image
    /// data sets: decomposed to full accuracy. (On 784-pixel covariances of real images the
    /// iteration once stalled on such a cluster; the absolute deflation test fixed it.)
    func testRankDeficientSampleCovarianceConverges() throws {
        var rng = SeededGenerator(seed: 5)
        let d = 120, n = 20
        var x = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
        for i in 0..<n { for j in 0..<d where j % 3 != 0 { x[i][j] = rng.nextUnitDouble() > 0.6 ? rng.nextUnitDouble() : 0 } }
        let mean = (0..<d).map { j in x.reduce(0) { $0 + $1[j] } / Double(n) }
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<n { for a in 0..<d { for b in 0..<d { c[a * d + b] += (x[i][a] - mean[a]) * (x[i][b] - mean[b]) / Double(n) } } }
        try check(try SymmetricMatrix(dimension: d, storage: c, symmetryTolerance: 1e-12), "rank-deficient covariance")
    }

    func testRandomSymmetricMatrices() throws {
        var rng = SeededGenerator(seed: 31)
        for d in [1, 2, 3, 5, 8, 20, 40] {
            var s = [Double](repeating: 0, count: d * d)
            for i in 0..<d { for j in i..<d { let v = rng.nextStandardNormal(); s[i * d + j] = v; s[j * d + i] = v } }
            try check(SymmetricMatrix(dimension: d, storage: s), "random d=\(d)")
            let w = (0..<d).map { _ in rng.nextStandardNormal() * 3 }
            try check(Self.compose(Self.randomOrthogonal(d, using: &rng), w), expected: w, "known spectrum d=\(d)")
        }
    }

    func testRepeatedAndDegenerateSpectra() throws {
        var rng = SeededGenerator(seed: 32)
        let spectra: [[Double]] = [[1, 1, 1, 2, 2, 5], [0, 0, 0, 0], [3, 3, 3, 3, 3], [-1, 0, 0, 1, 1e-12, 1e-12], [1e8, 1, 1e-8, 1]]
        for w in spectra {
            try check(Self.compose(Self.randomOrthogonal(w.count, using: &rng), w), expected: w, "spectrum \(w)")
            try check(SymmetricMatrix.diagonal(w), expected: w, "diagonal \(w)")
        }
        try check(SymmetricMatrix.identity(7), expected: [Double](repeating: 1, count: 7), "identity")
        // Already tridiagonal, with zero off-diagonal blocks (deflation in the middle).
        let t = try SymmetricMatrix([[2, 1, 0, 0, 0], [1, 2, 0, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]])
        try check(t, expected: [1, 3, 5, 0, 2], "block tridiagonal")
        // Rank one.
        let v = [1.0, -2, 0.5, 3]
        try check(SymmetricMatrix(dimension: 4, storage: (0..<16).map { v[$0 / 4] * v[$0 % 4] }), expected: [0, 0, 0, 14.25], "rank one")
    }

    func testSpectralFunctions() throws {
        var rng = SeededGenerator(seed: 33)
        let w = [0.5, 2, 4, 9]
        let a = try Self.compose(Self.randomOrthogonal(4, using: &rng), w)
        let e = try SymmetricEigendecomposition(a)
        let root = e.mapping { $0.squareRoot() }
        XCTAssertLessThan(try a.congruence(by: SymmetricMatrix.identity(4)).maximumDifference(from: a), 1e-14)
        // (A^{1/2})^2 = A: A^{1/2} I A^{1/2}.
        XCTAssertLessThan(try SymmetricMatrix.identity(4).congruence(by: root).maximumDifference(from: a), 1e-12)
        let inverseRoot = e.mapping { 1 / $0.squareRoot() }
        XCTAssertLessThan(try a.congruence(by: inverseRoot).maximumDifference(from: .identity(4)), 1e-12)
    }
}
