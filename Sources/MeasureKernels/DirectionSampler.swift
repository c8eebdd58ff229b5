import Foundation
import WoWCompute

/// Where the `L` slicing directions come from. Directions are the rows of an `L x d`
/// matrix; sliced kernels draw one set per batch (per functional evaluation).
public protocol DirectionSampler: Sendable {
    /// `count x dimension` directions.
    func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix
    /// The same directions written row-major to `buffer` (`count * dimension` floats),
    /// which sliced kernels borrow from `ScratchPool` (no fresh pages per evaluation).
    /// Default: `directions(count:dimension:using:)`, shape-checked and copied.
    func directions(count: Int, dimension: Int, into buffer: UnsafeMutablePointer<Float>,
                    using generator: inout some RandomNumberGenerator) throws
}

extension DirectionSampler {
    public func directions(count: Int, dimension: Int, into buffer: UnsafeMutablePointer<Float>,
                           using generator: inout some RandomNumberGenerator) throws {
        let theta = try directions(count: count, dimension: dimension, using: &generator)
        guard theta.rows == count, theta.columns == dimension else {
            throw KernelError.invalidParameter("direction sampler returned a \(theta.rows) x \(theta.columns) matrix, expected \(count) x \(dimension)")
        }
        theta.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: count * dimension) }
    }
}

/// Directions drawn uniformly on the unit sphere `S^{d-1}` (normalised Gaussian vectors,
/// normalised in `Double`). The default.
///
/// The generator supplies one 64-bit seed per direction; row `l` is then filled from its
/// own xoshiro256** stream with standard normal deviates by the ziggurat method
/// (`Ziggurat`: two deviates per 64-bit draw on the fast path, no transcendental
/// functions there), normalised with the squared norm summed in `Double`, rows in
/// parallel. The result depends only on the generator's state, never on the thread count.
///
/// - Complexity: O(L d) time; the L rows are independent and computed in parallel.
public struct UniformSphereDirections: DirectionSampler {
    public init() {}

    public func directions(count: Int, dimension: Int, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        var result = Matrix(rows: count, columns: dimension)
        guard count > 0, dimension > 0 else { return result }
        try result.withUnsafeMutableBufferPointer { out in
            try directions(count: count, dimension: dimension, into: out.baseAddress!, using: &generator)
        }
        return result
    }

    public func directions(count: Int, dimension: Int, into buffer: UnsafeMutablePointer<Float>,
                           using generator: inout some RandomNumberGenerator) throws {
        guard count > 0, dimension > 0 else { return }
        let seeds = (0..<count).map { _ in generator.next() }
        let rowsPerChunk = 16
        Ziggurat.withTables { tables in
            Parallel.forEach(chunks: (count + rowsPerChunk - 1) / rowsPerChunk) { chunk in
                for l in (chunk * rowsPerChunk)..<min(count, (chunk + 1) * rowsPerChunk) {
                    var stream = SeededGenerator(seed: seeds[l])
                    let row = buffer + l * dimension
                    var norm2 = 0.0
                    repeat {
                        var j = 0
                        while j < dimension {
                            let bits = stream.next()
                            row[j] = Ziggurat.normal(UInt32(truncatingIfNeeded: bits), tables, &stream)
                            if j + 1 < dimension { row[j + 1] = Ziggurat.normal(UInt32(truncatingIfNeeded: bits >> 32), tables, &stream) }
                            j += 2
                        }
                        norm2 = Ziggurat.squaredNorm(row, dimension)
                    } while norm2 == 0
                    let inverse = Float(1 / norm2.squareRoot())
                    for j in 0..<dimension { row[j] *= inverse }
                }
            }
        }
    }
}

/// Standard normal deviates in `Float` by the ziggurat method (Marsaglia & Tsang, "The
/// Ziggurat Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000), with
/// 128 layers of equal area `v` under `f(x) = exp(-x^2/2)` and independent bits for the
/// layer, the sign and the uniform (the layer/value correlation of the original, noted by
/// Doornik 2005, is avoided).
///
/// One deviate takes 32 random bits: 7 choose the layer `i`, 1 the sign, 24 the uniform
/// `u`; `x = u X_i / 2^24`. Layer `i >= 1` is the rectangle `[0, X_i] x [f(X_i),
/// f(X_{i+1})]`: `x < X_{i+1}` lies under the curve and is returned at once (about 97%
/// of draws); otherwise a uniform height decides. Layer 0 is the base strip `[0, r]`
/// plus the tail beyond `r = 3.442619855899`, drawn by Marsaglia's exponential method.
/// The edges are `X_1 = r`, `X_{i+1} = f^{-1}(f(X_i) + v / X_i)`, `X_0 = v / f(r)`,
/// `X_128 = 0`, computed once in `Double`.
///
/// - Complexity: O(1) expected per deviate; rejections draw further 64-bit words from
///   the stream.
enum Ziggurat {
    static let layerCount = 128
    /// The right edge of the base layer.
    static let r = 3.442619855899
    /// The area of each layer (base strip plus tail included).
    static let v = 9.91256303526217e-3

    struct Tables: Sendable {
        /// `X_i / 2^24`: `x = u * width[i]` for the 24-bit uniform `u`.
        var width: [Float]
        /// `floor(2^24 X_{i+1} / X_i)`: below it, `x` lies under the curve.
        var threshold: [UInt32]
        /// `f(X_i)`, `i = 0 ... 128` (`f(X_128) = 1`).
        var density: [Double]
    }

    static let tables: Tables = {
        func f(_ x: Double) -> Double { Foundation.exp(-0.5 * x * x) }
        var edges = [Double](repeating: 0, count: layerCount + 1)
        edges[0] = v / f(r)
        edges[1] = r
        for i in 1..<(layerCount - 1) {
            edges[i + 1] = (-2 * Foundation.log(v / edges[i] + f(edges[i]))).squareRoot()
        }
        edges[layerCount] = 0
        return Tables(width: (0..<layerCount).map { Float(edges[$0] * 0x1p-24) },
                      threshold: (0..<layerCount).map { UInt32((edges[$0 + 1] / edges[$0] * 0x1p24).rounded(.down)) },
                      density: edges.map(f))
    }()

    /// The tables as raw pointers for the sampling loop.
    struct Pointers {
        let width: UnsafePointer<Float>
        let threshold: UnsafePointer<UInt32>
        let density: UnsafePointer<Double>
    }

    static func withTables<R>(_ body: (Pointers) throws -> R) rethrows -> R {
        let t = tables
        return try t.width.withUnsafeBufferPointer { w in
            try t.threshold.withUnsafeBufferPointer { k in
                try t.density.withUnsafeBufferPointer { f in
                    try body(Pointers(width: w.baseAddress!, threshold: k.baseAddress!, density: f.baseAddress!))
                }
            }
        }
    }

    /// One standard normal deviate from the 32 bits `bits` (further bits from `stream`
    /// on rejection).
    @inline(__always)
    static func normal(_ bits: UInt32, _ tables: Pointers, _ stream: inout SeededGenerator) -> Float {
        let layer = Int(bits & 0x7F), u = bits >> 8
        if u < tables.threshold[layer] {
            // The sign bit set without a branch (a random sign defeats prediction).
            let x = Float(u) * tables.width[layer]
            return Float(bitPattern: x.bitPattern | ((bits & 0x80) << 24))
        }
        // The state goes by value, so no address of the caller's stream escapes and the
        // fast path keeps it in registers.
        let (x, state) = slowNormal(bits, tables, stream)
        stream = state
        return x
    }

    /// `sum_j x_j^2` in `Double`, four lanes.
    @inline(__always)
    static func squaredNorm(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var lanes = SIMD4<Double>(repeating: 0)
        var j = 0
        let raw = UnsafeRawPointer(x)
        while j + 4 <= n {
            let v = SIMD4<Double>(raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<Float>.self))
            lanes += v * v
            j += 4
        }
        var total = lanes.sum()
        while j < n { total += Double(x[j]) * Double(x[j]); j += 1 }
        return total
    }

    /// The rejection branch: the wedge of a layer, or the tail.
    @inline(never)
    static func slowNormal(_ bits: UInt32, _ tables: Pointers, _ state: SeededGenerator) -> (Float, SeededGenerator) {
        var stream = state
        let x = slowNormal(bits, tables, &stream)
        return (x, stream)
    }

    @inline(__always)
    static func slowNormal(_ bits: UInt32, _ tables: Pointers, _ stream: inout SeededGenerator) -> Float {
        var bits = bits
        while true {
            let layer = Int(bits & 0x7F), u = bits >> 8
            let negative = bits & 0x80 != 0
            if u < tables.threshold[layer] {
                let x = Float(u) * tables.width[layer]
                return negative ? -x : x
            }
            if layer == 0 {
                // Tail beyond r: x = r + a, a ~ Exp(r) accepted with probability exp(-a^2/2).
                while true {
                    let a = -Foundation.log(stream.nextOpenUnitDouble()) / r
                    let b = -Foundation.log(stream.nextOpenUnitDouble())
                    if 2 * b > a * a {
                        let x = Float(r + a)
                        return negative ? -x : x
                    }
                }
            }
            let x = Float(u) * tables.width[layer]
            let low = tables.density[layer], high = tables.density[layer + 1]
            let y = low + stream.nextUnitDouble() * (high - low)
            if y < Foundation.exp(-0.5 * Double(x) * Double(x)) { return negative ? -x : x }
            bits = UInt32(truncatingIfNeeded: stream.next())
        }
    }
}

extension SeededGenerator {
    /// A uniform `Double` in `(0, 1]` (never 0, for logarithms).
    @inline(__always) mutating func nextOpenUnitDouble() -> Double {
        Double((next() >> 11) + 1) * 0x1.0p-53
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
