import WoWCompute

/// Where the `L` slicing directions come from. Directions are the rows of an `L x d`
/// matrix; sliced kernels draw one set per batch (per functional evaluation).
public protocol DirectionSampler: Sendable {
    /// `count x dimension` directions.
    func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix
}

/// Directions drawn uniformly on the unit sphere `S^{d-1}` (normalised Gaussian vectors,
/// drawn row by row from the generator, normalised in `Double`). The default.
public struct UniformSphereDirections: DirectionSampler {
    public init() {}

    public func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        var result = Matrix(rows: count, columns: dimension)
        var row = [Double](repeating: 0, count: dimension)
        result.withUnsafeMutableBufferPointer { out in
            for l in 0..<count {
                var norm2 = 0.0
                repeat {
                    norm2 = 0
                    for j in 0..<dimension {
                        let z = generator.nextStandardNormal()
                        row[j] = z
                        norm2 += z * z
                    }
                } while norm2 == 0
                let inverse = 1 / norm2.squareRoot()
                for j in 0..<dimension { out[l * dimension + j] = Float(row[j] * inverse) }
            }
        }
        return result
    }
}

/// A fixed set of directions, returned on every call (for tests, for reproducing a
/// computation, or for deterministic quadratures such as the two axes in 2-D).
public struct FixedDirections: DirectionSampler {
    /// The directions, `L x d`.
    public let matrix: Matrix

    /// - Throws: `KernelError.invalidParameter` for an empty or non-finite matrix.
    public init(_ matrix: Matrix) throws {
        guard matrix.rows > 0, matrix.columns > 0, matrix.isFinite else {
            throw KernelError.invalidParameter("fixed directions must be a non-empty finite matrix")
        }
        self.matrix = matrix
    }

    public func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        guard dimension == matrix.columns else {
            throw KernelError.invalidParameter("fixed directions have dimension \(matrix.columns), data has \(dimension)")
        }
        guard count == matrix.rows else {
            throw KernelError.invalidParameter("fixed directions hold \(matrix.rows) rows, \(count) requested")
        }
        return matrix
    }
}
