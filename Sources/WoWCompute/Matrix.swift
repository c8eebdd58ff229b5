/// A dense row-major matrix of `Float`, the storage type of every point cloud,
/// projection table and gradient in the toolkit.
///
/// Element `(r, c)` lives at `storage[r * columns + c]`. The storage is a Swift array,
/// so copies are cheap until one of them is mutated (copy-on-write).
public struct Matrix: Sendable, Equatable, CustomStringConvertible {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Row-major elements, `rows * columns` of them.
    public private(set) var storage: [Float]

    /// A `rows x columns` matrix filled with `value`.
    ///
    /// - Precondition: `rows >= 0`, `columns >= 0` (shapes computed by the toolkit;
    ///   user-supplied shapes go through the throwing initialiser).
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "negative matrix shape")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// Wraps row-major `storage` as a `rows x columns` matrix.
    ///
    /// - Throws: `ShapeError` when the element count is not `rows * columns` or a
    ///   dimension is negative.
    public init(rows: Int, columns: Int, storage: [Float]) throws {
        guard rows >= 0, columns >= 0 else {
            throw ShapeError(message: "matrix shape \(rows) x \(columns) has a negative dimension")
        }
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, storage.count == count else {
            let needed = overflow ? "more than \(Int.max)" : String(count)
            throw ShapeError(message: "matrix of shape \(rows) x \(columns) needs \(needed) elements, got \(storage.count)")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// Builds a matrix from rows of equal length.
    ///
    /// - Throws: `ShapeError` when the rows are ragged.
    public init(rowArrays: [[Float]]) throws {
        let columns = rowArrays.first?.count ?? 0
        var storage = [Float]()
        storage.reserveCapacity(rowArrays.count * columns)
        for (index, row) in rowArrays.enumerated() {
            guard row.count == columns else {
                throw ShapeError(message: "row \(index) has \(row.count) values, row 0 has \(columns)")
            }
            storage.append(contentsOf: row)
        }
        try self.init(rows: rowArrays.count, columns: columns, storage: storage)
    }

    /// Element at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Float {
        get { storage[r * columns + c] }
        set { storage[r * columns + c] = newValue }
    }

    /// A copy of row `r`.
    public func row(_ r: Int) -> [Float] {
        Array(storage[(r * columns)..<((r + 1) * columns)])
    }

    /// `true` when every element is finite (no NaN, no infinity).
    public var isFinite: Bool {
        storage.withUnsafeBufferPointer { Matrix.allFinite($0.baseAddress, count: $0.count) }
    }

    /// `true` when `values[0..<count]` holds no NaN and no infinity. `x * 0` is NaN
    /// exactly for non-finite `x` (and 0 otherwise), summed in 16 independent lanes, so
    /// the scan runs at memory speed.
    package static func allFinite(_ values: UnsafePointer<Float>?, count: Int) -> Bool {
        guard let values, count > 0 else { return true }
        let raw = UnsafeRawPointer(values)
        var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            a += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * 0
            b += raw.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self) * 0
            i += 16
        }
        var probe = (a + b).sum()
        while i < count { probe += values[i] * 0; i += 1 }
        return probe == 0
    }

    /// Sum of squared elements, accumulated in `Double`.
    public var squaredNorm: Double {
        storage.reduce(0.0) { $0 + Double($1) * Double($1) }
    }

    /// Read access to the row-major elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Write access to the row-major elements; the shape cannot change.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// `self += factor * other`, elementwise.
    ///
    /// - Precondition: equal shapes.
    public mutating func add(_ other: Matrix, scaledBy factor: Float) {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch in add")
        storage.withUnsafeMutableBufferPointer { dst in
            other.storage.withUnsafeBufferPointer { src in
                for i in 0..<dst.count { dst[i] += factor * src[i] }
            }
        }
    }

    /// `self = factor * self + other`, elementwise, in one pass (each element rounded as
    /// `scale(by:)` then `add(_:scaledBy: 1)` would: `fl(fl(factor * x) + y)`).
    ///
    /// - Precondition: equal shapes.
    public mutating func scale(by factor: Float, adding other: Matrix) {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch in scale(by:adding:)")
        storage.withUnsafeMutableBufferPointer { dst in
            other.storage.withUnsafeBufferPointer { src in
                for i in 0..<dst.count { dst[i] = factor * dst[i] + src[i] }
            }
        }
    }

    /// `true` when every element of every matrix is finite; one matrix per task on the
    /// workers when there are several and at least `Parallel.elementwiseThreshold`
    /// elements in all.
    public static func allFinite(_ matrices: [Matrix]) -> Bool {
        let total = matrices.reduce(0) { $0 + $1.storage.count }
        guard matrices.count > 1, total >= Parallel.elementwiseThreshold else { return matrices.allSatisfy(\.isFinite) }
        let finite = UnsafeMutablePointer<Bool>.allocate(capacity: matrices.count)
        defer { finite.deallocate() }
        Parallel.forEach(chunks: matrices.count) { c in finite[c] = matrices[c].isFinite }
        return (0..<matrices.count).allSatisfy { finite[$0] }
    }

    /// `self *= factor`, elementwise.
    public mutating func scale(by factor: Float) {
        storage.withUnsafeMutableBufferPointer { dst in
            for i in 0..<dst.count { dst[i] *= factor }
        }
    }

    /// The transpose, `columns x rows`.
    public func transposed() -> Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for r in 0..<rows {
            for c in 0..<columns { result.storage[c * rows + r] = storage[r * columns + c] }
        }
        return result
    }

    public var description: String {
        "Matrix(\(rows) x \(columns))"
    }
}

/// A shape or size does not fit what an operation needs.
public struct ShapeError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What was expected and what was found.
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
