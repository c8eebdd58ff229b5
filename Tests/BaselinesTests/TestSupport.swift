import XCTest
import WassersteinFlows

/// Seeded inputs shared by the baseline tests.
enum Fixture {
    /// `n x d` standard normal points, scaled by `scale` and shifted by `shift`.
    static func cloud(_ n: Int, _ d: Int, scale: Float = 1, shift: [Float]? = nil, using rng: inout SeededGenerator) -> Matrix {
        var s = [Float]()
        for _ in 0..<n { for k in 0..<d { s.append(Float(rng.nextStandardNormal()) * scale + (shift?[k] ?? 0)) } }
        return try! Matrix(rows: n, columns: d, storage: s)
    }

    /// `sizes.count` classes in dimension `d`; class `c` is centred at `separation * c` on
    /// every axis.
    static func dataset(sizes: [Int], d: Int, separation: Float = 2, scale: Float = 0.5, classWeights: [Double]? = nil,
                        seed: UInt64) throws -> LabeledDataset {
        var rng = SeededGenerator(seed: seed)
        let classes = try sizes.enumerated().map { c, n in
            try EmpiricalMeasure(points: cloud(n, d, scale: scale, shift: [Float](repeating: separation * Float(c), count: d), using: &rng))
        }
        return try LabeledDataset(classes: classes, classWeights: classWeights)
    }

    /// `dataset` with every coordinate moved by `scale` times standard normal noise.
    static func perturbed(_ dataset: LabeledDataset, scale: Float, seed: UInt64) throws -> LabeledDataset {
        var rng = SeededGenerator(seed: seed)
        let classes = try dataset.classes.map { measure -> EmpiricalMeasure in
            var points = measure.points
            points.add(cloud(points.rows, points.columns, using: &rng), scaledBy: scale)
            return try EmpiricalMeasure(points: points, weights: measure.weights)
        }
        return try LabeledDataset(classes: classes, classWeights: dataset.classWeights, labels: dataset.labels)
    }

    /// A product-space state: `n` samples in `R^d`, means in `R^k`, random SPD covariances
    /// `A A^T + 0.3 I`.
    static func productState(n: Int, d: Int, k: Int = 2, shift: Float = 0, seed: UInt64, weighted: Bool = false) throws -> GaussianLabeledSamples {
        var rng = SeededGenerator(seed: seed)
        let features = cloud(n, d, shift: [Float](repeating: shift, count: d), using: &rng)
        let means = (0..<(n * k)).map { _ in rng.nextStandardNormal() + Double(shift) }
        var covariances = [Double]()
        for _ in 0..<n {
            let a = (0..<(k * k)).map { _ in 0.6 * rng.nextStandardNormal() }
            for r in 0..<k {
                for c in 0..<k {
                    var s = r == c ? 0.3 : 0
                    for l in 0..<k { s += a[r * k + l] * a[c * k + l] }
                    covariances.append(s)
                }
            }
        }
        var weights: [Double]? = nil
        if weighted {
            let raw = (0..<n).map { _ in 0.5 + rng.nextUnitDouble() }
            let total = raw.reduce(0, +)
            weights = raw.map { $0 / total }
        }
        return try GaussianLabeledSamples(features: features, means: means, covariances: covariances, labelDimension: k,
                                          labels: (0..<n).map { $0 % 2 }, weights: weights)
    }
}

/// Asserts that `body` throws an error equal to `expected`.
func assertThrows<E: Error & Equatable, T>(_ expected: E, _ body: @autoclosure () throws -> T,
                                           file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? E, expected, "threw \(error)", file: file, line: line)
    }
}
