import Foundation

/// The preamble and header of an `.npy` file: what the data is, without the data.
///
/// Layout (NPY format, "numpy.lib.format" in the NumPy documentation):
/// 1. magic `\x93NUMPY` (6 bytes);
/// 2. major and minor version bytes: 1.0, 2.0 or 3.0;
/// 3. header length, little endian: 2 bytes in version 1.0, 4 bytes in 2.0 and 3.0;
/// 4. the header: an ASCII (latin-1 in 1.0/2.0, UTF-8 in 3.0) Python dict literal with exactly
///    the keys `'descr'`, `'fortran_order'` and `'shape'`, padded with spaces and ended by `\n`
///    so that the data starts at a multiple of 64 bytes;
/// 5. the data: `product(shape) * itemSize` bytes, in C order unless `fortran_order` is `True`.
public struct NPYHeader: Sendable, Equatable {
    /// Format major version: 1, 2 or 3.
    public let majorVersion: UInt8
    /// Format minor version: always 0 for the supported versions.
    public let minorVersion: UInt8
    /// The dtype string exactly as in the header, e.g. `'>f8'`.
    public let descr: String
    /// The element type `descr` names.
    public let dtype: NumPyDType
    /// `true` when the file's byte order differs from this machine's, so elements are
    /// byte-swapped while reading (e.g. `'>f8'` on a little-endian machine).
    public let isByteSwapped: Bool
    /// `true` when the data is in Fortran (column-major) order.
    public let fortranOrder: Bool
    /// The array's dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The number of elements, the product of `shape`.
    public let count: Int
    /// Byte offset of the first element from the start of the file.
    public let dataOffset: Int
    /// Number of data bytes the shape and dtype call for, `count * dtype.itemSize`.
    public let dataByteCount: Int

    /// The NPY magic string `\x93NUMPY`.
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Parses the header at the start of `npyData`; the data itself is not examined, so this is
    /// O(header length).
    ///
    /// - Parameter path: the file name to put in errors, if any.
    /// - Throws: `NumPyFileError` with `.badMagic`, `.truncatedHeader`, `.unsupportedVersion`,
    ///   `.malformedHeader`, `.unsupportedDType`, `.invalidShape` or `.shapeOverflow`.
    public init(npyData: Data, path: String? = nil) throws {
        self = try locatingErrors(path: path) {
            try npyData.withUnsafeBytes { try NPYHeader.parse($0) }
        }
    }

    /// Parses the header of the `.npy` file at `url`, reading only the preamble and header
    /// (not the data), so it is cheap for files of any size.
    ///
    /// - Throws: `NumPyFileError` with `.fileNotFound`, `.unreadable`, or as `init(npyData:path:)`.
    public init(contentsOf url: URL) throws {
        let prefix = try readFilePrefix(url, initialCount: 12) { start in
            guard start.count == 12 else { return 12 }
            let bytes = [UInt8](start)
            if bytes[6] == 1 { return 10 + (Int(bytes[8]) | Int(bytes[9]) << 8) }
            return 12 + (Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24)
        }
        try self.init(npyData: prefix, path: url.path)
    }

    private init(version: (UInt8, UInt8), descr: String, dtype: NumPyDType, swap: Bool,
                 fortranOrder: Bool, shape: [Int], count: Int, dataOffset: Int, dataByteCount: Int) {
        (majorVersion, minorVersion) = version
        self.descr = descr
        self.dtype = dtype
        self.isByteSwapped = swap
        self.fortranOrder = fortranOrder
        self.shape = shape
        self.count = count
        self.dataOffset = dataOffset
        self.dataByteCount = dataByteCount
    }

    /// Parses preamble and header from raw bytes, checking every length before reading.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws -> NPYHeader {
        let seen = min(bytes.count, magic.count)
        guard bytes.prefix(seen).elementsEqual(magic.prefix(seen)) else {
            throw NumPyFileError(problem: .badMagic(found: Array(bytes.prefix(seen))))
        }
        guard bytes.count >= 8 else {
            throw NumPyFileError(problem: .truncatedHeader(neededBytes: 10, availableBytes: bytes.count))
        }
        let version = (bytes[6], bytes[7])
        let lengthSize: Int
        switch version {
        case (1, 0): lengthSize = 2
        case (2, 0), (3, 0): lengthSize = 4
        default: throw NumPyFileError(problem: .unsupportedVersion(major: version.0, minor: version.1))
        }
        let prefixSize = 8 + lengthSize
        guard bytes.count >= prefixSize else {
            throw NumPyFileError(problem: .truncatedHeader(neededBytes: prefixSize, availableBytes: bytes.count))
        }
        var headerLength: UInt64 = 0
        for i in 0..<lengthSize { headerLength |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        // At most 4 GiB + 12, which fits `Int` on the 64-bit platforms Swift supports.
        let dataOffset = prefixSize + Int(truncatingIfNeeded: headerLength)
        guard dataOffset >= prefixSize else {
            throw NumPyFileError(problem: .malformedHeader(reason: "header length \(headerLength) is out of range"))
        }
        guard bytes.count >= dataOffset else {
            throw NumPyFileError(problem: .truncatedHeader(neededBytes: dataOffset, availableBytes: bytes.count))
        }
        // Versions 1.0 and 2.0 are latin-1, 3.0 is UTF-8 (only string contents can differ).
        let literal = try PythonLiteralParser.parse(bytes[prefixSize..<dataOffset], utf8: version.0 == 3)
        let fields = try interpret(literal)
        let count = try NumPyArray.elementCount(of: fields.shape)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: fields.dtype.itemSize)
        guard !overflow else { throw NumPyFileError(problem: .shapeOverflow(shape: fields.shape)) }
        return NPYHeader(version: version, descr: fields.descr, dtype: fields.dtype, swap: fields.swap,
                         fortranOrder: fields.fortranOrder, shape: fields.shape, count: count,
                         dataOffset: dataOffset, dataByteCount: byteCount)
    }

    /// Checks the header dict's keys and value types.
    private static func interpret(_ literal: PythonLiteral) throws
        -> (descr: String, dtype: NumPyDType, swap: Bool, fortranOrder: Bool, shape: [Int]) {
        func malformed(_ reason: String) -> NumPyFileError {
            NumPyFileError(problem: .malformedHeader(reason: reason))
        }
        guard case let .dictionary(entries) = literal else {
            throw malformed("expected a dict literal, found \(literal.kindName)")
        }
        let expected = ["descr", "fortran_order", "shape"]
        for key in expected where !entries.contains(where: { $0.key == key }) {
            throw malformed("missing key '\(key)'")
        }
        if let extra = entries.first(where: { !expected.contains($0.key) }) {
            throw malformed("unexpected key '\(extra.key)' (only 'descr', 'fortran_order' and 'shape' are allowed)")
        }
        func value(_ key: String) -> PythonLiteral {
            entries.first(where: { $0.key == key })?.value ?? .none
        }
        let descr: String
        switch value("descr") {
        case let .string(text): descr = text
        case .list:
            throw NumPyFileError(problem: .unsupportedDType(descr: "[...]", reason: "structured (record) dtypes are not supported"))
        case let other:
            throw malformed("'descr' must be a string, found \(other.kindName)")
        }
        let (dtype, swap) = try NumPyDType.parse(descr: descr)
        guard case let .boolean(fortranOrder) = value("fortran_order") else {
            throw malformed("'fortran_order' must be True or False, found \(value("fortran_order").kindName)")
        }
        let shapeItems: [PythonLiteral]
        switch value("shape") {
        case let .tuple(items), let .list(items): shapeItems = items
        case .integer:
            throw malformed("'shape' must be a tuple such as (3,), found a bare integer")
        case let other:
            throw malformed("'shape' must be a tuple of integers, found \(other.kindName)")
        }
        var shape = [Int]()
        for item in shapeItems {
            guard case let .integer(dimension) = item else {
                throw malformed("'shape' must hold integers only, found \(item.kindName)")
            }
            shape.append(dimension)
        }
        return (descr, dtype, swap, fortranOrder, shape)
    }

    /// NumPy's limit on the number of dimensions (`NPY_MAXDIMS` in NumPy 2; NumPy 1 allows 32).
    public static let maximumRank = 64

    /// The version 1.0 preamble and header for a C-ordered little-endian array, padded with
    /// spaces and ended by `\n` so that its length is a multiple of 64 (as NumPy's `save`).
    ///
    /// - Throws: `NumPyFileError` with `.invalidParameter` when `shape` has more than
    ///   `maximumRank` dimensions (NumPy could not load the file).
    static func encoded(dtype: NumPyDType, shape: [Int]) throws -> [UInt8] {
        guard shape.count <= maximumRank else {
            throw NumPyFileError(problem: .invalidParameter(
                name: "shape", reason: "NumPy arrays have at most \(maximumRank) dimensions, this one has \(shape.count)"))
        }
        let dict = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(pythonShape(shape)), }"
        let text = Array(dict.utf8)
        // 64 dimensions of at most 20 characters each keep the header far below 65535 bytes.
        let unpadded = 10 + text.count + 1
        let padding = (64 - unpadded % 64) % 64
        let headerLength = text.count + padding + 1
        var out = magic + [1, 0, UInt8(truncatingIfNeeded: headerLength), UInt8(truncatingIfNeeded: headerLength >> 8)]
        out += text
        out += [UInt8](repeating: 0x20, count: padding)
        out.append(0x0A)
        return out
    }
}
