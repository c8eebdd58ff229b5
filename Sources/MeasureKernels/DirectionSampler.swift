import Foundation
import WoWCompute

/// Where the `L` slicing directions come from. Directions are the rows of an `L x d`
/// matrix; sliced kernels draw one set per batch (per functional evaluation).
public protocol DirectionSampler: Sendable {
    /// `count x dimension` directions.
    func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix
}

/// Directions drawn uniformly on the unit sphere `S^{d-1}` (normalised Gaussian vectors,
/// normalised in `Double`). The default.
///
/// The generator supplies one 64-bit seed per direction; row `l` is then filled from its
/// own xoshiro256** stream with Gaussian pairs by Marsaglia's polar method in `Float`
/// (two 24-bit uniforms per 64-bit draw, no trigonometry), normalised with the squared
/// norm summed in `Double`, rows in parallel. The result depends only on the
/// generator's state, never on the thread count.
///
/// - Complexity: O(L d) time; the L rows are independent and computed in parallel.
public struct UniformSphereDirections: DirectionSampler {
    public init() {}

    public func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        var result = Matrix(rows: count, columns: dimension)
        let seeds = (0..<count).map { _ in generator.next() }
        result.withUnsafeMutableBufferPointer { out in
            let out = out
            let rowsPerChunk = 16
            Parallel.forEach(chunks: (count + rowsPerChunk - 1) / rowsPerChunk) { chunk in
                for l in (chunk * rowsPerChunk)..<min(count, (chunk + 1) * rowsPerChunk) {
                    var stream = SeededGenerator(seed: seeds[l])
                    let row = out.baseAddress! + l * dimension
                    var norm2 = 0.0
                    repeat {
                        norm2 = 0
                        var j = 0
                        while j < dimension {
                            let (z0, z1) = Self.normalPair(&stream)
                            row[j] = z0
                            norm2 += Double(z0 * z0)
                            if j + 1 < dimension { row[j + 1] = z1; norm2 += Double(z1 * z1) }
                            j += 2
                        }
                    } while norm2 == 0
                    let inverse = Float(1 / norm2.squareRoot())
                    for j in 0..<dimension { row[j] *= inverse }
                }
            }
        }
        return result
    }

    /// Two independent standard normal deviates (Marsaglia's polar method in `Float`:
    /// both uniforms, 24 bits each, from one 64-bit draw).
    @inline(__always)
    static func normalPair(_ stream: inout SeededGenerator) -> (Float, Float) {
        while true {
            let bits = stream.next()
            let u = Float(bits >> 40) * 0x1p-23 - 1, v = Float((bits >> 16) & 0xFF_FFFF) * 0x1p-23 - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * Foundation.log(s) / s).squareRoot()
                return (u * factor, v * factor)
            }
        }
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
