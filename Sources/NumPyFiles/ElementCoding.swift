/// A Swift element type with a fixed-width binary form in NPY data.
protocol NPYElement {
    /// The unsigned integer with the same width, used for byte order.
    associatedtype Bits: FixedWidthInteger & UnsignedInteger
    init(npyBits: Bits)
    var npyBits: Bits { get }
    /// `true` when every bit pattern is a valid value whose memory layout is the bits
    /// themselves, so unswapped data may be copied with `memcpy` (false for `Bool`).
    static var isBitCopyable: Bool { get }
}

extension NPYElement where Bits == Self {
    init(npyBits: Bits) { self = npyBits }
    var npyBits: Bits { self }
    static var isBitCopyable: Bool { true }
}

extension UInt8: NPYElement {}
extension UInt16: NPYElement {}
extension UInt32: NPYElement {}
extension UInt64: NPYElement {}

extension Int8: NPYElement {
    init(npyBits: UInt8) { self.init(bitPattern: npyBits) }
    var npyBits: UInt8 { UInt8(bitPattern: self) }
    static var isBitCopyable: Bool { true }
}

extension Int16: NPYElement {
    init(npyBits: UInt16) { self.init(bitPattern: npyBits) }
    var npyBits: UInt16 { UInt16(bitPattern: self) }
    static var isBitCopyable: Bool { true }
}

extension Int32: NPYElement {
    init(npyBits: UInt32) { self.init(bitPattern: npyBits) }
    var npyBits: UInt32 { UInt32(bitPattern: self) }
    static var isBitCopyable: Bool { true }
}

extension Int64: NPYElement {
    init(npyBits: UInt64) { self.init(bitPattern: npyBits) }
    var npyBits: UInt64 { UInt64(bitPattern: self) }
    static var isBitCopyable: Bool { true }
}

extension Float: NPYElement {
    init(npyBits: UInt32) { self.init(bitPattern: npyBits) }
    var npyBits: UInt32 { bitPattern }
    static var isBitCopyable: Bool { true }
}

extension Double: NPYElement {
    init(npyBits: UInt64) { self.init(bitPattern: npyBits) }
    var npyBits: UInt64 { bitPattern }
    static var isBitCopyable: Bool { true }
}

extension Bool: NPYElement {
    /// NumPy reads any non-zero byte of a bool array as `True`.
    init(npyBits: UInt8) { self = npyBits != 0 }
    var npyBits: UInt8 { self ? 1 : 0 }
    static var isBitCopyable: Bool { false }
}

/// Decodes `count` elements from the start of `raw`, swapping bytes if asked. O(count).
///
/// The caller guarantees `raw.count >= count * MemoryLayout<T.Bits>.size`.
func decodeElements<T: NPYElement>(_: T.Type, from raw: UnsafeRawBufferPointer, count: Int, swap: Bool) -> [T] {
    let width = MemoryLayout<T.Bits>.size
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        if T.isBitCopyable && !swap {
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * width)]))
        } else {
            for i in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: i * width, as: T.Bits.self)
                buffer.initializeElement(at: i, to: T(npyBits: swap ? bits.byteSwapped : bits))
            }
        }
        initialized = count
    }
}

/// Writes `values` little endian at the start of `out`. O(count).
///
/// The caller guarantees `out.count >= values.count * MemoryLayout<T.Bits>.size`.
func encodeElements<T: NPYElement>(_ values: [T], into out: UnsafeMutableRawBufferPointer) {
    let width = MemoryLayout<T.Bits>.size
    if hostIsLittleEndian {
        // Also right for Bool, whose in-memory form is the byte 0 or 1.
        values.withUnsafeBytes { out.copyMemory(from: $0) }
    } else {
        for (i, value) in values.enumerated() {
            out.storeBytes(of: value.npyBits.littleEndian, toByteOffset: i * width, as: T.Bits.self)
        }
    }
}

extension NumPyArray.Elements {
    /// Decodes `count` elements of `dtype` from `raw` (see `decodeElements`).
    static func decode(_ dtype: NumPyDType, from raw: UnsafeRawBufferPointer, count: Int, swap: Bool) -> Self {
        switch dtype {
        case .bool: return .bool(decodeElements(Bool.self, from: raw, count: count, swap: swap))
        case .int8: return .int8(decodeElements(Int8.self, from: raw, count: count, swap: swap))
        case .int16: return .int16(decodeElements(Int16.self, from: raw, count: count, swap: swap))
        case .int32: return .int32(decodeElements(Int32.self, from: raw, count: count, swap: swap))
        case .int64: return .int64(decodeElements(Int64.self, from: raw, count: count, swap: swap))
        case .uint8: return .uint8(decodeElements(UInt8.self, from: raw, count: count, swap: swap))
        case .uint16: return .uint16(decodeElements(UInt16.self, from: raw, count: count, swap: swap))
        case .uint32: return .uint32(decodeElements(UInt32.self, from: raw, count: count, swap: swap))
        case .uint64: return .uint64(decodeElements(UInt64.self, from: raw, count: count, swap: swap))
        case .float16: return .float16(bitPatterns: decodeElements(UInt16.self, from: raw, count: count, swap: swap))
        case .float32: return .float32(decodeElements(Float.self, from: raw, count: count, swap: swap))
        case .float64: return .float64(decodeElements(Double.self, from: raw, count: count, swap: swap))
        }
    }

    /// Writes the elements little endian into `out`, which holds `count * dtype.itemSize` bytes.
    func encode(into out: UnsafeMutableRawBufferPointer) {
        switch self {
        case let .bool(v): encodeElements(v, into: out)
        case let .int8(v): encodeElements(v, into: out)
        case let .int16(v): encodeElements(v, into: out)
        case let .int32(v): encodeElements(v, into: out)
        case let .int64(v): encodeElements(v, into: out)
        case let .uint8(v): encodeElements(v, into: out)
        case let .uint16(v): encodeElements(v, into: out)
        case let .uint32(v): encodeElements(v, into: out)
        case let .uint64(v): encodeElements(v, into: out)
        case let .float16(v): encodeElements(v, into: out)
        case let .float32(v): encodeElements(v, into: out)
        case let .float64(v): encodeElements(v, into: out)
        }
    }

    /// Reorders elements stored in Fortran (column-major) order for `shape` into C order.
    func fortranToC(shape: [Int]) -> Self {
        switch self {
        case let .bool(v): return .bool(reorderFortranToC(v, shape: shape))
        case let .int8(v): return .int8(reorderFortranToC(v, shape: shape))
        case let .int16(v): return .int16(reorderFortranToC(v, shape: shape))
        case let .int32(v): return .int32(reorderFortranToC(v, shape: shape))
        case let .int64(v): return .int64(reorderFortranToC(v, shape: shape))
        case let .uint8(v): return .uint8(reorderFortranToC(v, shape: shape))
        case let .uint16(v): return .uint16(reorderFortranToC(v, shape: shape))
        case let .uint32(v): return .uint32(reorderFortranToC(v, shape: shape))
        case let .uint64(v): return .uint64(reorderFortranToC(v, shape: shape))
        case let .float16(v): return .float16(bitPatterns: reorderFortranToC(v, shape: shape))
        case let .float32(v): return .float32(reorderFortranToC(v, shape: shape))
        case let .float64(v): return .float64(reorderFortranToC(v, shape: shape))
        }
    }
}

/// C-ordered copy of `values`, which hold an array of `shape` in Fortran order: element
/// `(i0, ..., ik)` is read from `i0 + d0 * (i1 + d1 * (i2 + ...))`. O(count) with an odometer
/// over the C-order index. The caller guarantees `values.count == product(shape)`.
func reorderFortranToC<T>(_ values: [T], shape: [Int]) -> [T] {
    guard shape.count > 1, !values.isEmpty else { return values }
    var fortranStrides = [Int](repeating: 1, count: shape.count)
    for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
    var index = [Int](repeating: 0, count: shape.count)
    var source = 0
    var result = [T]()
    result.reserveCapacity(values.count)
    for _ in 0..<values.count {
        result.append(values[source])
        // Advance the C-order odometer: the last axis varies fastest.
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            source += fortranStrides[axis]
            if index[axis] < shape[axis] { break }
            source -= fortranStrides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
    return result
}
