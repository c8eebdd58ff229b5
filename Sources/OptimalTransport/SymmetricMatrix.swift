/// A real symmetric `d x d` matrix in `Double` (covariances, their square roots, Bures
/// gradients and transport maps).
///
/// Stored in full row-major form and kept exactly symmetric: every constructor
/// symmetrises `(A + A^T) / 2` after checking that `A` was symmetric to begin with.
public struct SymmetricMatrix: Sendable, Equatable, CustomStringConvertible {
    /// `d`.
    public let dimension: Int
    /// Row-major entries, `d * d`, with `storage[i * d + j] == storage[j * d + i]`.
    public private(set) var storage: [Double]

    /// Wraps row-major `storage`.
    ///
    /// - Parameter symmetryTolerance: allowed `|A_ij - A_ji|`, relative to
    ///   `max(1, max |A_ij|)`.
    /// - Throws: `OptimalTransportError.empty` for `d = 0`, `.dimensionMismatch` for a
    ///   wrong element count, `.nonFiniteInput` for NaN or infinite entries,
    ///   `.notSymmetric` beyond the tolerance.
    public init(dimension: Int, storage: [Double], symmetryTolerance: Double = 1e-9) throws {
        guard dimension > 0 else { throw OptimalTransportError.empty("symmetric matrix") }
        guard !dimension.multipliedReportingOverflow(by: dimension).overflow else {
            throw OptimalTransportError.invalidParameter("a \(dimension) x \(dimension) matrix has more than \(Int.max) entries")
        }
        guard storage.count == dimension * dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: dimension * dimension, found: storage.count, context: "entries of a \(dimension) x \(dimension) matrix")
        }
        guard storage.allSatisfy(\.isFinite) else { throw OptimalTransportError.nonFiniteInput("symmetric matrix") }
        let scale = max(1, storage.reduce(0) { max($0, abs($1)) })
        var worst = 0.0
        for i in 0..<dimension {
            for j in (i + 1)..<dimension { worst = max(worst, abs(storage[i * dimension + j] - storage[j * dimension + i])) }
        }
        guard worst <= symmetryTolerance * scale else {
            throw OptimalTransportError.notSymmetric(context: "matrix", asymmetry: worst)
        }
        self.init(symmetrizing: storage, dimension: dimension)
    }

    /// A symmetric matrix from its rows.
    public init(_ rows: [[Double]]) throws {
        for (index, row) in rows.enumerated() where row.count != rows.count {
            throw OptimalTransportError.dimensionMismatch(expected: rows.count, found: row.count, context: "length of row \(index) of a square matrix")
        }
        try self.init(dimension: rows.count, storage: rows.flatMap { $0 })
    }

    /// `(A + A^T) / 2` of a row-major square matrix the caller knows to be symmetric up to
    /// rounding.
    init(symmetrizing storage: [Double], dimension: Int) {
        var s = storage
        for i in 0..<dimension {
            for j in (i + 1)..<dimension {
                let v = (s[i * dimension + j] + s[j * dimension + i]) / 2
                s[i * dimension + j] = v
                s[j * dimension + i] = v
            }
        }
        self.dimension = dimension
        self.storage = s
    }

    /// The identity `I_d`.
    public static func identity(_ dimension: Int) -> SymmetricMatrix {
        diagonal([Double](repeating: 1, count: dimension))
    }

    /// `diag(values)`.
    public static func diagonal(_ values: [Double]) -> SymmetricMatrix {
        let d = values.count
        var s = [Double](repeating: 0, count: d * d)
        for i in 0..<d { s[i * d + i] = values[i] }
        return SymmetricMatrix(symmetrizing: s, dimension: d)
    }

    /// `A_ij`.
    public subscript(row: Int, column: Int) -> Double { storage[row * dimension + column] }

    /// `tr A`.
    public var trace: Double { (0..<dimension).reduce(0) { $0 + storage[$1 * dimension + $1] } }

    /// The rows as arrays.
    public var rowArrays: [[Double]] {
        (0..<dimension).map { Array(storage[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    /// `A + factor * B`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` for different dimensions.
    public func adding(_ other: SymmetricMatrix, scaledBy factor: Double = 1) throws -> SymmetricMatrix {
        try checkDimension(other.dimension)
        return SymmetricMatrix(symmetrizing: zip(storage, other.storage).map { $0 + factor * $1 }, dimension: dimension)
    }

    /// `factor * A`.
    public func scaled(by factor: Double) -> SymmetricMatrix {
        SymmetricMatrix(symmetrizing: storage.map { $0 * factor }, dimension: dimension)
    }

    /// `A x`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` when `x` has another length.
    public func apply(_ x: [Double]) throws -> [Double] {
        try checkDimension(x.count)
        return (0..<dimension).map { i in
            var s = 0.0
            for j in 0..<dimension { s += storage[i * dimension + j] * x[j] }
            return s
        }
    }

    /// `B A B` for symmetric `B` (a congruence; symmetric by construction).
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` for different dimensions.
    /// - Complexity: `4 d^3` flops.
    public func congruence(by b: SymmetricMatrix) throws -> SymmetricMatrix {
        try checkDimension(b.dimension)
        let ab = squareProduct(storage, b.storage, dimension)
        return SymmetricMatrix(symmetrizing: squareProduct(b.storage, ab, dimension), dimension: dimension)
    }

    /// The largest `|A_ij - B_ij|` (infinity for different dimensions).
    public func maximumDifference(from other: SymmetricMatrix) -> Double {
        guard dimension == other.dimension else { return .infinity }
        return zip(storage, other.storage).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func checkDimension(_ other: Int) throws {
        guard other == dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: dimension, found: other, context: "symmetric matrix operand dimension")
        }
    }

    public var description: String { "SymmetricMatrix(\(rowArrays))" }
}

/// Row-major `d x d` product `A B`.
func squareProduct(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<d {
                    for k in 0..<d {
                        let aik = a[i * d + k]
                        if aik == 0 { continue }
                        for j in 0..<d { c[i * d + j] += aik * b[k * d + j] }
                    }
                }
            }
        }
    }
    return c
}
