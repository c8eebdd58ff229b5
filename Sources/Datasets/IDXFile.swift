/// The IDX format of MNIST, Fashion-MNIST and KMNIST (LeCun et al.), optionally gzip.
///
/// Layout: two zero bytes, a type byte (`0x08` uint8, `0x09` int8, `0x0B` int16,
/// `0x0C` int32, `0x0D` float32, `0x0E` float64), the number of dimensions, then each
/// dimension as a big-endian `UInt32`, then the values, big-endian, row-major.
///
/// Reference: http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
public struct IDXArray: Sendable, Equatable {
    /// The element type named by the third magic byte.
    public enum ElementType: UInt8, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// Element type of the file.
    public let elementType: ElementType
    /// Extents, outermost first (e.g. `[60000, 28, 28]`).
    public let shape: [Int]
    /// The values converted to `Float`, row-major.
    public let values: [Float]

    /// Reads an IDX file (gzip or not).
    ///
    /// - Throws: ``DatasetError`` naming the file for a missing file, a wrong magic number,
    ///   an unknown type, or data shorter or longer than the header says.
    /// - Complexity: O(file size).
    public init(contentsOf path: String) throws {
        try self.init(bytes: try DataFile.bytes(path), path: path)
    }

    /// Parses IDX bytes; `path` is only used in error messages.
    public init(bytes: [UInt8], path: String) throws {
        let (type, shape, offset) = try Self.header(bytes, path: path)
        let count = shape.reduce(1, *)
        let expected = offset + count * type.size
        guard bytes.count >= expected else {
            throw DatasetError.corruptFile(path: path, location: nil,
                                           problem: "truncated IDX data: the header promises \(shape.map(String.init).joined(separator: "x")) values (\(expected) bytes) but the file has \(bytes.count)")
        }
        guard bytes.count == expected else {
            throw DatasetError.corruptFile(path: path, location: nil,
                                           problem: "IDX file has \(bytes.count - expected) bytes after the \(count) values its header announces")
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { raw in
            let p = raw.baseAddress! + offset
            switch type {
            case .uint8: for i in 0..<count { values[i] = Float(p[i]) }
            case .int8: for i in 0..<count { values[i] = Float(Int8(bitPattern: p[i])) }
            case .int16:
                for i in 0..<count { values[i] = Float(Int16(bitPattern: UInt16(p[2 * i]) << 8 | UInt16(p[2 * i + 1]))) }
            case .int32:
                for i in 0..<count { values[i] = Float(Int32(bitPattern: Self.bigEndian32(p + 4 * i))) }
            case .float32:
                for i in 0..<count { values[i] = Float(bitPattern: Self.bigEndian32(p + 4 * i)) }
            case .float64:
                for i in 0..<count {
                    let high = UInt64(Self.bigEndian32(p + 8 * i)), low = UInt64(Self.bigEndian32(p + 8 * i + 4))
                    values[i] = Float(Double(bitPattern: high << 32 | low))
                }
            }
        }
        elementType = type
        self.shape = shape
        self.values = values
    }

    /// Reads only the header: element type and shape (cheap even for a gzip file).
    public static func shape(ofFileAt path: String) throws -> (ElementType, [Int]) {
        let prefix = try DataFile.bytes(path, prefix: 4 + 4 * 255)
        let (type, shape, _) = try header(prefix, path: path)
        return (type, shape)
    }

    static func header(_ bytes: [UInt8], path: String) throws -> (ElementType, [Int], Int) {
        guard bytes.count >= 4 else {
            throw DatasetError.corruptFile(path: path, location: nil, problem: "too short for an IDX header (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0, let type = ElementType(rawValue: bytes[2]) else {
            let magic = bytes[0..<4].map { String($0, radix: 16) }.joined(separator: " ")
            throw DatasetError.corruptFile(path: path, location: "byte 0", problem: "wrong magic number (\(magic)); not an IDX file")
        }
        let dimensions = Int(bytes[3])
        guard dimensions >= 1 else {
            throw DatasetError.corruptFile(path: path, location: "byte 3", problem: "IDX header declares no dimensions")
        }
        let offset = 4 + 4 * dimensions
        guard bytes.count >= offset else {
            throw DatasetError.corruptFile(path: path, location: nil, problem: "truncated IDX header (\(dimensions) dimensions need \(offset) bytes)")
        }
        var shape = [Int]()
        var total = 1
        for k in 0..<dimensions {
            let extent = bytes.withUnsafeBufferPointer { Int(bigEndian32($0.baseAddress! + 4 + 4 * k)) }
            shape.append(extent)
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= Int(Int32.max) else {
                throw DatasetError.corruptFile(path: path, location: "byte \(4 + 4 * k)", problem: "IDX shape \(shape) is implausibly large")
            }
            total = product
        }
        return (type, shape, offset)
    }

    static func bigEndian32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
    }

    /// Encodes `values` with `shape` as uint8 IDX bytes (values are rounded and clamped
    /// to 0...255); used by tests and to export images.
    public static func encodeUInt8(_ values: [Float], shape: [Int]) throws -> [UInt8] {
        guard !shape.isEmpty, shape.count < 256, shape.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }),
              shape.reduce(1, *) == values.count else {
            throw DatasetError.shapeMismatch("\(values.count) values do not fill an IDX array of shape \(shape)")
        }
        var out: [UInt8] = [0, 0, ElementType.uint8.rawValue, UInt8(shape.count)]
        for extent in shape {
            let e = UInt32(extent)
            out += [UInt8(e >> 24), UInt8(e >> 16 & 0xff), UInt8(e >> 8 & 0xff), UInt8(e & 0xff)]
        }
        out += values.map { UInt8(max(0, min(255, $0.rounded()))) }
        return out
    }
}
