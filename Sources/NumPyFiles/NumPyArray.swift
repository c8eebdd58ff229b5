/// An n-dimensional array as NumPy stores it: a shape and a flat, C-ordered (row-major)
/// list of elements of one dtype.
///
/// Element `(i0, ..., ik)` of an array of shape `(d0, ..., dk)` is stored at flat index
/// `((i0 * d1 + i1) * d2 + ...) * dk + ik`. Shape `[]` is a scalar (one element); a
/// dimension of 0 gives an empty array. The invariant `count == product(shape)` is checked
/// by every initialiser, so an existing value is always consistent.
///
/// Read and write it with `init(npyData:)` / `npyData()` (`.npy`) and `NPZArchive` (`.npz`).
public struct NumPyArray: Sendable, Equatable, CustomStringConvertible {
    /// The flat elements, typed by dtype. Pattern-match to get the stored Swift array.
    ///
    /// `Equatable` compares values (so arrays holding NaN are never equal); use
    /// `NumPyArray.isIdentical(to:)` to compare bit patterns.
    public enum Elements: Sendable, Equatable {
        /// `bool` elements.
        case bool([Bool])
        /// `int8` elements.
        case int8([Int8])
        /// `int16` elements.
        case int16([Int16])
        /// `int32` elements.
        case int32([Int32])
        /// `int64` elements.
        case int64([Int64])
        /// `uint8` elements.
        case uint8([UInt8])
        /// `uint16` elements.
        case uint16([UInt16])
        /// `uint32` elements.
        case uint32([UInt32])
        /// `uint64` elements.
        case uint64([UInt64])
        /// `float16` elements as IEEE 754 binary16 bit patterns (converted exactly to `Float`
        /// by `NumPyArray.floatValues()`); kept as bits so the module builds on every platform.
        case float16(bitPatterns: [UInt16])
        /// `float32` elements.
        case float32([Float])
        /// `float64` elements.
        case float64([Double])

        /// The number of elements. O(1).
        public var count: Int {
            switch self {
            case let .bool(v): return v.count
            case let .int8(v): return v.count
            case let .int16(v): return v.count
            case let .int32(v): return v.count
            case let .int64(v): return v.count
            case let .uint8(v): return v.count
            case let .uint16(v): return v.count
            case let .uint32(v): return v.count
            case let .uint64(v): return v.count
            case let .float16(v): return v.count
            case let .float32(v): return v.count
            case let .float64(v): return v.count
            }
        }

        /// The dtype of the stored elements.
        public var dtype: NumPyDType {
            switch self {
            case .bool: return .bool
            case .int8: return .int8
            case .int16: return .int16
            case .int32: return .int32
            case .int64: return .int64
            case .uint8: return .uint8
            case .uint16: return .uint16
            case .uint32: return .uint32
            case .uint64: return .uint64
            case .float16: return .float16
            case .float32: return .float32
            case .float64: return .float64
            }
        }
    }

    /// The dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The elements in C (row-major) order; `elements.count == product(shape)`.
    public let elements: Elements

    /// The element type.
    public var dtype: NumPyDType { elements.dtype }
    /// The number of elements, the product of `shape` (1 for a scalar). O(1).
    public var count: Int { elements.count }
    /// The number of dimensions (`ndim` in NumPy); 0 for a scalar.
    public var rank: Int { shape.count }

    /// Wraps C-ordered `elements` with `shape`.
    ///
    /// - Throws: `NumPyFileError` with `.invalidShape` for a negative dimension,
    ///   `.shapeOverflow` when the product overflows `Int`, `.elementCountMismatch` when
    ///   `elements.count` is not the product of `shape`.
    public init(shape: [Int], elements: Elements) throws {
        let expected = try NumPyArray.elementCount(of: shape)
        guard expected == elements.count else {
            throw NumPyFileError(problem: .elementCountMismatch(shape: shape, count: elements.count))
        }
        self.shape = shape
        self.elements = elements
    }

    /// A `float32` array of `shape`. - Throws: as `init(shape:elements:)`.
    public init(_ values: [Float], shape: [Int]) throws {
        try self.init(shape: shape, elements: .float32(values))
    }

    /// A `float64` array of `shape`. - Throws: as `init(shape:elements:)`.
    public init(_ values: [Double], shape: [Int]) throws {
        try self.init(shape: shape, elements: .float64(values))
    }

    /// A `uint8` array of `shape`. - Throws: as `init(shape:elements:)`.
    public init(_ values: [UInt8], shape: [Int]) throws {
        try self.init(shape: shape, elements: .uint8(values))
    }

    /// An `int64` array of `shape`. - Throws: as `init(shape:elements:)`.
    public init(_ values: [Int64], shape: [Int]) throws {
        try self.init(shape: shape, elements: .int64(values))
    }

    /// A one-dimensional array of shape `(elements.count,)`; cannot fail.
    public init(vector elements: Elements) {
        self.shape = [elements.count]
        self.elements = elements
    }

    /// The same elements with another shape of equal size (NumPy's `reshape` of a C-ordered
    /// array). O(1); the storage is shared copy-on-write.
    ///
    /// - Throws: as `init(shape:elements:)`.
    public func reshaped(_ newShape: [Int]) throws -> NumPyArray {
        try NumPyArray(shape: newShape, elements: elements)
    }

    /// `true` when dtype, shape and every element's bit pattern agree (so NaNs with equal
    /// payloads match and `0.0` differs from `-0.0`). O(count).
    public func isIdentical(to other: NumPyArray) -> Bool {
        guard shape == other.shape else { return false }
        switch (elements, other.elements) {
        case let (.float32(a), .float32(b)):
            return a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
        case let (.float64(a), .float64(b)):
            return a.elementsEqual(b) { $0.bitPattern == $1.bitPattern }
        default:
            return elements == other.elements  // integers and bools: values are bit patterns
        }
    }

    /// `NumPyArray(float32, shape (2, 3))`.
    public var description: String {
        "NumPyArray(\(dtype), shape \(pythonShape(shape)))"
    }

    /// The product of `shape`, with every dimension checked non-negative and the
    /// multiplication checked for overflow. A zero dimension gives 0 whatever the others are.
    static func elementCount(of shape: [Int]) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw NumPyFileError(problem: .invalidShape(shape: shape))
        }
        if shape.contains(0) { return 0 }
        var product = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw NumPyFileError(problem: .shapeOverflow(shape: shape)) }
            product = next
        }
        return product
    }
}
