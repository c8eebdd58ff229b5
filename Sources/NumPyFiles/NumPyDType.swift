/// The element types this module reads and writes, named after NumPy's dtypes.
///
/// An NPY header names the dtype with a `descr` string: a byte-order character
/// (`<` little endian, `>` big endian, `|` not applicable, `=` native) followed by a kind
/// letter and the item size in bytes, e.g. `'<f4'`, `'>f8'`, `'|u1'`, `'|b1'`.
/// This module writes little-endian descrs (`descr`) and reads both byte orders.
///
/// Reference: "numpy.lib.format" (the NPY format specification) and "Data type objects
/// (dtype)" in the NumPy documentation.
public enum NumPyDType: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `numpy.bool_`, `'|b1'`: one byte, 0 or 1 (any non-zero byte reads as `true`).
    case bool
    /// `numpy.int8`, `'|i1'`.
    case int8
    /// `numpy.int16`, `'<i2'`.
    case int16
    /// `numpy.int32`, `'<i4'`.
    case int32
    /// `numpy.int64`, `'<i8'`.
    case int64
    /// `numpy.uint8`, `'|u1'`.
    case uint8
    /// `numpy.uint16`, `'<u2'`.
    case uint16
    /// `numpy.uint32`, `'<u4'`.
    case uint32
    /// `numpy.uint64`, `'<u8'`.
    case uint64
    /// `numpy.float16`, `'<f2'` (IEEE 754 binary16, kept as bit patterns).
    case float16
    /// `numpy.float32`, `'<f4'`.
    case float32
    /// `numpy.float64`, `'<f8'`.
    case float64

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .bool, .int8, .uint8: return 1
        case .int16, .uint16, .float16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    /// The little-endian descr this module writes: `'<f4'`, or `'|u1'` for one-byte types.
    public var descr: String {
        let kind: String
        switch self {
        case .bool: kind = "b"
        case .int8, .int16, .int32, .int64: kind = "i"
        case .uint8, .uint16, .uint32, .uint64: kind = "u"
        case .float16, .float32, .float64: kind = "f"
        }
        return (itemSize == 1 ? "|" : "<") + kind + String(itemSize)
    }

    /// The NumPy name, e.g. `float32`.
    public var description: String { rawValue }

    /// Parses an NPY `descr` such as `'<f4'` or `'>i8'`.
    ///
    /// - Returns: the dtype and whether the file's bytes are in the opposite order from this
    ///   machine's (so each element must be byte-swapped while reading).
    /// - Throws: `NumPyFileError` (no path) with `.unsupportedDType` naming the kind.
    static func parse(descr: String) throws -> (dtype: NumPyDType, swapBytes: Bool) {
        var rest = Substring(descr)
        var fileIsLittleEndian: Bool? = nil  // nil: native or not applicable
        if let first = rest.first, "<>|=".contains(first) {
            if first == "<" { fileIsLittleEndian = true }
            if first == ">" { fileIsLittleEndian = false }
            rest = rest.dropFirst()
        }
        guard let kind = rest.first else {
            throw NumPyFileError(problem: .unsupportedDType(descr: descr, reason: "empty type code"))
        }
        let sizeText = rest.dropFirst()
        let size = sizeText.allSatisfy(\.isASCII) ? Int(sizeText) : nil
        func unsupported(_ reason: String) -> NumPyFileError {
            NumPyFileError(problem: .unsupportedDType(descr: descr, reason: reason))
        }
        let dtype: NumPyDType
        switch (kind, size) {
        case ("b", 1?), ("?", nil): dtype = .bool
        case ("i", 1?): dtype = .int8
        case ("i", 2?): dtype = .int16
        case ("i", 4?): dtype = .int32
        case ("i", 8?): dtype = .int64
        case ("u", 1?): dtype = .uint8
        case ("u", 2?): dtype = .uint16
        case ("u", 4?): dtype = .uint32
        case ("u", 8?): dtype = .uint64
        case ("f", 2?): dtype = .float16
        case ("f", 4?): dtype = .float32
        case ("f", 8?): dtype = .float64
        case ("f", _?): throw unsupported("extended-precision floating point is not supported")
        case ("c", _): throw unsupported("complex numbers are not supported")
        case ("O", _): throw unsupported("Python objects (pickled data) are not supported")
        case ("U", _), ("S", _), ("a", _): throw unsupported("strings are not supported")
        case ("V", _): throw unsupported("raw void / structured records are not supported")
        case ("M", _), ("m", _): throw unsupported("datetimes and timedeltas are not supported")
        default: throw unsupported("unknown type code; supported: bool, int8-64, uint8-64, float16/32/64")
        }
        let swap: Bool
        if dtype.itemSize == 1 {
            swap = false
        } else if let fileIsLittleEndian {
            swap = fileIsLittleEndian != hostIsLittleEndian
        } else {
            swap = false
        }
        return (dtype, swap)
    }
}

/// `true` on little-endian machines (all of Swift's current Linux and Apple targets).
let hostIsLittleEndian: Bool = 1.littleEndian == 1
