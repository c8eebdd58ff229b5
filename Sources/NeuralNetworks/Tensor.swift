import WoWCompute

/// A dense `Float` tensor in row-major order: the batches of images (NCHW), features
/// `(N, F)` and parameters that flow through the layers of this module.
///
/// Element `(n, c, h, w)` of an NCHW tensor lives at `((n * C + c) * H + h) * W + w`.
/// Tensors are values with copy-on-write storage: copies are cheap until one of them is
/// mutated. Large buffers are recycled (`TensorMemory`).
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// Extent of every axis (outermost first). The batch axis comes first.
    public private(set) var shape: [Int]
    var buffer: TensorBuffer

    /// An empty tensor of shape `[0]`.
    public init() {
        shape = [0]
        buffer = TensorBuffer(uninitializedCount: 0)
    }

    /// A tensor of the given shape filled with `value`.
    ///
    /// - Precondition: no negative extent (shapes computed by the toolkit; user-supplied
    ///   shapes go through the throwing initialiser).
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor extent in \(shape)")
        self.shape = shape
        self.buffer = TensorBuffer(repeating: value, count: shape.reduce(1, *))
    }

    /// Wraps row-major `storage` with the given shape.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when an extent is negative or the
    ///   element count is not the product of the extents.
    public init(shape: [Int], storage: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw NeuralNetworkError.shapeMismatch("tensor shape \(shape) has a negative extent")
        }
        guard let count = Tensor.elementCount(shape) else {
            throw NeuralNetworkError.shapeMismatch("tensor shape \(shape) has more than \(Int.max) elements")
        }
        guard storage.count == count else {
            throw NeuralNetworkError.shapeMismatch("tensor of shape \(shape) needs \(count) elements, got \(storage.count)")
        }
        self.shape = shape
        self.buffer = TensorBuffer(storage)
    }

    /// A tensor whose elements are left uninitialised: every element must be written
    /// before it is read (internal fast path for layer outputs).
    init(uninitializedShape shape: [Int]) {
        self.shape = shape
        self.buffer = TensorBuffer(uninitializedCount: shape.reduce(1, *))
    }

    /// Wraps storage whose count is known to match (internal fast path).
    init(uncheckedShape shape: [Int], storage: [Float]) {
        self.shape = shape
        self.buffer = TensorBuffer(storage)
    }

    /// Another view of the same elements (count known to match).
    init(shape: [Int], sharing other: Tensor) {
        self.shape = shape
        self.buffer = other.buffer
    }

    /// The row-major elements (a copy; use `withUnsafeBufferPointer` in loops).
    public var storage: [Float] {
        Array(UnsafeBufferPointer(start: buffer.pointer, count: buffer.count))
    }

    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.buffer === rhs.buffer { return !lhs.storage.contains { $0.isNaN } }
        let (a, b) = (lhs.buffer.pointer, rhs.buffer.pointer)
        for i in 0..<lhs.count where a[i] != b[i] { return false }
        return true
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy() }
    }

    /// A batch of images from a matrix whose rows are flattened `C x H x W` images
    /// (the layout of the toolkit's point clouds): shape `(rows, C, H, W)`.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when `matrix.columns != C * H * W`.
    public init(images matrix: Matrix, channels: Int, height: Int, width: Int) throws {
        guard channels > 0, height > 0, width > 0, Tensor.elementCount([channels, height, width]) == matrix.columns else {
            throw NeuralNetworkError.shapeMismatch(
                "a matrix with \(matrix.columns) columns cannot hold \(channels) x \(height) x \(width) images")
        }
        self.init(uncheckedShape: [matrix.rows, channels, height, width], storage: matrix.storage)
    }

    /// A rank-2 tensor `(rows, columns)` holding the matrix.
    public init(_ matrix: Matrix) {
        self.init(uncheckedShape: [matrix.rows, matrix.columns], storage: matrix.storage)
    }

    /// The tensor as a matrix with one row per batch element (all other axes flattened);
    /// a rank-0 tensor (one element) is a `1 x 1` matrix.
    public var matrix: Matrix {
        let rows = shape.isEmpty ? 1 : shape[0]
        // `count` is the product of the extents, so `rows * elementsPerSample == count`
        // and the throwing initialiser cannot fail.
        return try! Matrix(rows: rows, columns: elementsPerSample, storage: storage)
    }

    /// Number of elements.
    public var count: Int { buffer.count }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// Extent of the first (batch) axis.
    public var batchSize: Int { shape.first ?? 0 }

    /// Number of elements per batch element (`count / batchSize`).
    public var elementsPerSample: Int { shape.dropFirst().reduce(1, *) }

    /// Element at a multi-index (one index per axis).
    ///
    /// - Precondition: one index per axis, each within its extent (as for `Array`).
    public subscript(indices: Int...) -> Float {
        get { buffer.pointer[offset(indices)] }
        set {
            let o = offset(indices)
            makeUnique()
            buffer.pointer[o] = newValue
        }
    }

    /// Element at a flat (row-major) position.
    ///
    /// - Precondition: `0 <= index < count` (as for `Array`).
    public subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "flat index \(index) out of range 0..<\(count)")
            return buffer.pointer[index]
        }
        set {
            precondition(index >= 0 && index < count, "flat index \(index) out of range 0..<\(count)")
            makeUnique()
            buffer.pointer[index] = newValue
        }
    }

    private func offset(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "tensor of rank \(shape.count) indexed with \(indices.count) indices")
        var offset = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "index \(index) out of range for axis \(axis) of extent \(shape[axis])")
            offset = offset * shape[axis] + index
        }
        return offset
    }

    /// The same elements with another shape of equal element count.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the counts differ.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        guard newShape.allSatisfy({ $0 >= 0 }), Tensor.elementCount(newShape) == count else {
            throw NeuralNetworkError.shapeMismatch("cannot reshape \(shape) (\(count) elements) to \(newShape)")
        }
        return Tensor(shape: newShape, sharing: self)
    }

    /// Batch elements `range` (a slice along the first axis).
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` when `range` is not within
    ///   `0..<batchSize` or the tensor has rank 0.
    public func samples(_ range: Range<Int>) throws -> Tensor {
        guard rank > 0, range.lowerBound >= 0, range.upperBound <= batchSize else {
            throw NeuralNetworkError.invalidArgument("sample range \(range) is outside 0..<\(batchSize) (tensor of shape \(shape))")
        }
        let per = elementsPerSample
        var newShape = shape
        newShape[0] = range.count
        let out = Tensor(uninitializedShape: newShape)
        out.buffer.pointer.update(from: buffer.pointer + range.lowerBound * per, count: range.count * per)
        return out
    }

    /// The batch elements at `indices`, in that order.
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` for an index outside
    ///   `0..<batchSize` or a rank-0 tensor.
    public func gathering(samples indices: [Int]) throws -> Tensor {
        if let bad = indices.first(where: { $0 < 0 || $0 >= batchSize }) {
            throw NeuralNetworkError.invalidArgument("sample index \(bad) is outside 0..<\(batchSize) (tensor of shape \(shape))")
        }
        guard rank > 0 else { throw NeuralNetworkError.invalidArgument("a rank-0 tensor has no samples to gather") }
        let per = elementsPerSample
        var newShape = shape
        newShape[0] = indices.count
        let out = Tensor(uninitializedShape: newShape)
        for (row, index) in indices.enumerated() {
            (out.buffer.pointer + row * per).update(from: buffer.pointer + index * per, count: per)
        }
        return out
    }

    /// Concatenates tensors along the batch axis; all other extents must agree.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when trailing extents differ.
    public static func concatenating(_ parts: [Tensor]) throws -> Tensor {
        guard let first = parts.first else { return Tensor() }
        guard first.rank > 0 else { throw NeuralNetworkError.shapeMismatch("cannot concatenate rank-0 tensors along a batch axis") }
        let tail = Array(first.shape.dropFirst())
        for part in parts where Array(part.shape.dropFirst()) != tail || part.rank != first.rank {
            throw NeuralNetworkError.shapeMismatch("cannot concatenate shapes \(first.shape) and \(part.shape)")
        }
        let out = Tensor(uninitializedShape: [parts.reduce(0) { $0 + $1.batchSize }] + tail)
        var offset = 0
        for part in parts {
            (out.buffer.pointer + offset).update(from: part.buffer.pointer, count: part.count)
            offset += part.count
        }
        return out
    }

    /// `true` when every element is finite.
    public var isFinite: Bool {
        withUnsafeBufferPointer { buffer in
            var probe: Float = 0
            for x in buffer { probe += x * 0 }
            return probe == 0
        }
    }

    /// Sum of the elements, accumulated in `Double` in storage order.
    public var sum: Double {
        withUnsafeBufferPointer { buffer in
            var total = 0.0
            for x in buffer { total += Double(x) }
            return total
        }
    }

    /// Read access to the row-major elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(buffer) { try body(UnsafeBufferPointer(start: buffer.pointer, count: buffer.count)) }
    }

    /// Write access to the row-major elements; the shape cannot change.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(buffer) { try body(UnsafeMutableBufferPointer(start: buffer.pointer, count: buffer.count)) }
    }

    /// Sets every element to zero, keeping the shape.
    public mutating func zero() {
        withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    public var description: String { "Tensor(\(shape.map(String.init).joined(separator: " x ")))" }
}

extension Tensor {
    /// The product of the extents, or `nil` when it overflows `Int`.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Checks that this tensor has `rank` axes; returns the shape.
    func requireRank(_ expected: Int, _ layer: String) throws -> [Int] {
        guard shape.count == expected else {
            throw NeuralNetworkError.shapeMismatch("\(layer) expects a rank-\(expected) input, got shape \(shape)")
        }
        return shape
    }

    /// Checks that a gradient has the shape of the recorded output.
    func requireShape(_ expected: [Int], _ what: String) throws {
        guard shape == expected else {
            throw NeuralNetworkError.shapeMismatch("\(what): expected shape \(expected), got \(shape)")
        }
    }
}
