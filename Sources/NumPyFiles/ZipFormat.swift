import Foundation

/// Record signatures and limits of the zip format (PKWARE APPNOTE.TXT, sections 4.3 and 4.5).
///
/// An archive is a sequence of local file headers each followed by the member's (possibly
/// compressed) data, then the central directory (one entry per member, pointing back at
/// its local header), then the end of central directory record (EOCD). Zip64 (APPNOTE 4.3.14,
/// 4.3.15, 4.5.3) adds a 64-bit EOCD record, its locator, and an extra field with 64-bit sizes
/// and offsets when the 16/32-bit fields are saturated (0xFFFF / 0xFFFFFFFF).
enum ZipFormat {
    static let localHeaderSignature: UInt32 = 0x0403_4B50
    static let centralHeaderSignature: UInt32 = 0x0201_4B50
    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4B50
    static let zip64EndOfCentralDirectorySignature: UInt32 = 0x0606_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    /// Header ID of the zip64 extended information extra field.
    static let zip64ExtraID: UInt16 = 0x0001

    static let localHeaderSize = 30
    static let centralHeaderSize = 46
    static let endOfCentralDirectorySize = 22
    static let zip64EndOfCentralDirectorySize = 56
    static let zip64LocatorSize = 20
    /// Longest zip comment, so the EOCD is within the last 22 + 65535 bytes.
    static let maximumCommentLength = 0xFFFF

    /// Compression method 0: stored.
    static let methodStored: UInt16 = 0
    /// Compression method 8: deflate (RFC 1951).
    static let methodDeflate: UInt16 = 8
    /// General purpose flag bit 0: the member is encrypted.
    static let flagEncrypted: UInt16 = 1 << 0
    /// General purpose flag bit 11: the name is UTF-8.
    static let flagUTF8: UInt16 = 1 << 11

    /// Deflate cannot expand data by more than about 1032:1, so a larger declared ratio is a
    /// corrupt (or hostile) size field; checking it bounds memory before inflating.
    static let maximumDeflateRatio = 1032

    /// The DOS date of 1980-01-01, the earliest the format can express. Written for every
    /// member so archives of equal arrays are byte-identical.
    static let fixedDOSDate: UInt16 = (0 << 9) | (1 << 5) | 1

    /// A readable name for a compression method, for error messages.
    static func methodName(_ method: UInt16) -> String {
        switch method {
        case 0: return "stored"
        case 8: return "deflate"
        case 9: return "deflate64"
        case 12: return "bzip2"
        case 14: return "LZMA"
        case 93: return "Zstandard"
        case 95: return "xz"
        case 99: return "AES encryption"
        default: return "method \(method)"
        }
    }
}

/// One member as described by the central directory.
struct ZipEntry {
    /// The name's raw bytes (compared with the local header's copy).
    var nameBytes: [UInt8]
    /// The name decoded as UTF-8 (latin-1 if the bytes are not valid UTF-8).
    var name: String
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
}

/// Bounds-checked little-endian reads from a byte buffer; every failure is a
/// `NumPyFileError` with `.malformedArchive`.
struct ByteView {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    /// Throws unless `[offset, offset + length)` lies inside the buffer.
    func require(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws {
        guard offset >= 0, length >= 0, offset <= bytes.count, length <= bytes.count - offset else {
            throw NumPyFileError(problem: .malformedArchive(
                reason: "\(what()) at offset \(offset) extends past the end of the archive (\(bytes.count) bytes; truncated?)"))
        }
    }

    func uint16(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt16 {
        try require(offset, 2, what())
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt32 {
        try require(offset, 4, what())
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        return value
    }

    func uint64(_ offset: Int, _ what: @autoclosure () -> String) throws -> UInt64 {
        try require(offset, 8, what())
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        return value
    }

    /// A 64-bit size or offset as `Int`, refusing values beyond `Int.max`.
    func offset64(_ offset: Int, _ what: @autoclosure () -> String) throws -> Int {
        let value = try uint64(offset, what())
        guard let result = Int(exactly: value) else {
            throw NumPyFileError(problem: .malformedArchive(reason: "\(what()) \(value) is out of range"))
        }
        return result
    }

    /// The bytes of `[offset, offset + length)`.
    func slice(_ offset: Int, _ length: Int, _ what: @autoclosure () -> String) throws -> UnsafeRawBufferPointer {
        try require(offset, length, what())
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    }
}

extension Data {
    /// Appends `value` in little-endian byte order.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
