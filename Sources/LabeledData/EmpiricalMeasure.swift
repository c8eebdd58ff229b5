import WoWCompute

/// An empirical probability measure `mu = sum_i b_i delta_{x_i}` on R^d: one class of a
/// labeled dataset.
///
/// Points are stored contiguously as an `n x d` row-major `Matrix`. Weights `b_i` are
/// uniform (`1/n`) unless given; given weights are positive and sum to one.
public struct EmpiricalMeasure: Sendable, Equatable {
    /// The support points, `count x dimension`.
    public private(set) var points: Matrix
    /// Per-point weights `b_i` (positive, summing to 1), or `nil` for uniform `1/n`.
    public let weights: [Float]?

    /// Number of points `n`.
    public var count: Int { points.rows }
    /// Ambient dimension `d`.
    public var dimension: Int { points.columns }
    /// `true` when every point has weight `1/n`.
    public var isUniform: Bool { weights == nil }

    /// A measure on the rows of `points`.
    ///
    /// - Parameters:
    ///   - points: `n x d`, `n >= 1`, `d >= 1`, all finite.
    ///   - weights: `n` positive weights summing to 1 (within 1e-4), or `nil` for uniform.
    ///     Use `normalizing:` to rescale arbitrary positive masses.
    /// - Throws: `DataError` for empty, non-finite or badly weighted input.
    public init(points: Matrix, weights: [Float]? = nil) throws {
        guard points.rows > 0 else { throw DataError.emptyMeasure(context: "measure") }
        guard points.columns > 0 else {
            throw DataError.dimensionMismatch(expected: 1, found: 0, context: "measure points")
        }
        guard points.isFinite else { throw DataError.nonFiniteValue(context: "measure points") }
        if let weights {
            guard weights.count == points.rows else {
                throw DataError.invalidWeights("\(weights.count) weights for \(points.rows) points")
            }
            guard weights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw DataError.invalidWeights("weights must be finite and positive")
            }
            let total = weights.reduce(0.0) { $0 + Double($1) }
            guard abs(total - 1) <= 1e-4 else {
                throw DataError.invalidWeights("weights sum to \(total), not 1 (pass normalizing: true to rescale)")
            }
        }
        self.points = points
        self.weights = weights
    }

    /// A measure with masses proportional to `masses` (positive, finite).
    public init(points: Matrix, normalizing masses: [Float]) throws {
        guard masses.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DataError.invalidWeights("masses must be finite and positive")
        }
        let total = masses.reduce(0.0) { $0 + Double($1) }
        try self.init(points: points, weights: masses.map { Float(Double($0) / total) })
    }

    /// A uniform measure on the given points (each an array of `d` coordinates).
    public init(_ points: [[Float]]) throws {
        do {
            try self.init(points: Matrix(rowArrays: points))
        } catch let error as ShapeError {
            throw DataError.malformedFile(path: "points", line: 0, problem: error.message)
        }
    }

    /// Weight of point `i`.
    @inlinable
    public func weight(_ i: Int) -> Float {
        weights?[i] ?? 1 / Float(points.rows)
    }

    /// Mean of the points under the weights, length `d`.
    public var mean: [Double] {
        var m = [Double](repeating: 0, count: dimension)
        for i in 0..<count {
            let w = Double(weight(i))
            for j in 0..<dimension { m[j] += w * Double(points[i, j]) }
        }
        return m
    }

    /// Mutates the coordinates in place; the shape (and so every invariant but
    /// finiteness, which flows check) is kept.
    public mutating func withUnsafeMutablePoints<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try points.withUnsafeMutableBufferPointer(body)
    }

    /// The measure restricted to the points at `indices`, reweighted to sum to one.
    public func subset(_ indices: [Int]) throws -> EmpiricalMeasure {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DataError.invalidIndex("point index \(bad) is outside 0..<\(count)")
        }
        var storage = [Float]()
        storage.reserveCapacity(indices.count * dimension)
        for i in indices { storage.append(contentsOf: points.row(i)) }
        let sub = try Matrix(rows: indices.count, columns: dimension, storage: storage)
        if let weights {
            return try EmpiricalMeasure(points: sub, normalizing: indices.map { weights[$0] })
        }
        return try EmpiricalMeasure(points: sub)
    }
}
