import Foundation
import WoWCompute

/// One array of an `.npz` archive written by `NPZArchive.write(streaming:to:forceZip64:)`:
/// its name, shape and elements in C order as consecutive blocks of one dtype (the
/// classes of a data set, each stored on its own), so that the array is never assembled
/// whole.
public struct NPZStreamedArray: Sendable {
    /// The array's name (the member is `name + ".npy"`).
    public let name: String
    /// The array's shape.
    public let shape: [Int]
    /// The elements in C order, block after block.
    public let blocks: [NumPyArray.Elements]

    /// The array `name` of `shape` whose elements are `blocks` one after the other.
    ///
    /// - Throws: `NumPyFileError` with `.invalidName` for an empty name,
    ///   `.invalidParameter` for blocks of different dtypes or none,
    ///   `.elementCountMismatch` when the blocks do not hold `product(shape)` elements,
    ///   `.invalidShape` / `.shapeOverflow` for a bad shape.
    public init(name: String, shape: [Int], blocks: [NumPyArray.Elements]) throws {
        guard !name.isEmpty else {
            throw NumPyFileError(member: name + ".npy", problem: .invalidName(name, reason: "array names must not be empty"))
        }
        guard let dtype = blocks.first?.dtype, blocks.allSatisfy({ $0.dtype == dtype }) else {
            throw NumPyFileError(member: name + ".npy", problem: .invalidParameter(name: "blocks", reason: "a streamed array needs at least one block, all of one dtype"))
        }
        let count = blocks.reduce(0) { $0 + $1.count }
        guard try NumPyArray.elementCount(of: shape) == count else {
            throw NumPyFileError(member: name + ".npy", problem: .elementCountMismatch(shape: shape, count: count))
        }
        self.name = name
        self.shape = shape
        self.blocks = blocks
    }

    var dtype: NumPyDType { blocks[0].dtype }
}

extension NPZArchive {
    /// Writes `arrays` to `url` as an uncompressed `.npz` (as `numpy.savez`), block by
    /// block: byte for byte the file `write(to:compression: .stored, forceZip64:)` writes
    /// for the same arrays, without an in-memory copy of any array or of the archive. The
    /// data is read twice (the CRC-32 comes first in each member's header) and written to
    /// a temporary file next to `url` that is renamed into place.
    ///
    /// - Throws: `NumPyFileError` naming `url.path`: `.unwritable`, `.duplicateName`, or
    ///   `.invalidParameter` for a rank NumPy cannot load.
    public static func write(streaming arrays: [NPZStreamedArray], to url: URL, forceZip64: Bool = false) throws {
        try locatingErrors(path: url.path) {
            let file: AtomicFileWriter
            do { file = try AtomicFileWriter(url: url) } catch let failure as AtomicFileWriter.Failure {
                throw NumPyFileError(problem: .unwritable(reason: failure.reason))
            }
            var records = ZipRecords(forceZip64: forceZip64)
            do {
                for array in arrays {
                    let member = array.name + ".npy"
                    let header = try locatingErrors(path: nil, member: member) {
                        try NPYHeader.encoded(dtype: array.dtype, shape: array.shape)
                    }
                    let nameBytes = try records.checkName(member)
                    var crc = header.withUnsafeBytes { ZlibCodec.crc32($0) }
                    for block in array.blocks {
                        block.withLittleEndianBytes { crc = ZlibCodec.crc32($0, continuing: crc) }
                    }
                    let size = header.count + array.blocks.reduce(0) { $0 + $1.count } * array.dtype.itemSize
                    try file.write(records.member(nameBytes: nameBytes, method: ZipFormat.methodStored, crc: crc, size: size,
                                                  compressedSize: size, offset: file.offset))
                    try file.write(header)
                    for block in array.blocks {
                        try block.withLittleEndianBytes { try file.write($0) }
                    }
                }
                try file.write(records.end(directoryOffset: file.offset))
                try file.commit()
            } catch let failure as AtomicFileWriter.Failure {
                throw NumPyFileError(problem: .unwritable(reason: failure.reason))
            }
        }
    }
}

extension NumPyArray.Elements {
    /// Calls `body` with the elements' little-endian bytes, as `.npy` stores them: the
    /// storage itself on a little-endian host, an encoded copy otherwise.
    func withLittleEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if hostIsLittleEndian {
            switch self {
            case let .bool(v): return try v.withUnsafeBytes(body)
            case let .int8(v): return try v.withUnsafeBytes(body)
            case let .int16(v): return try v.withUnsafeBytes(body)
            case let .int32(v): return try v.withUnsafeBytes(body)
            case let .int64(v): return try v.withUnsafeBytes(body)
            case let .uint8(v): return try v.withUnsafeBytes(body)
            case let .uint16(v): return try v.withUnsafeBytes(body)
            case let .uint32(v): return try v.withUnsafeBytes(body)
            case let .uint64(v): return try v.withUnsafeBytes(body)
            case let .float16(v): return try v.withUnsafeBytes(body)
            case let .float32(v): return try v.withUnsafeBytes(body)
            case let .float64(v): return try v.withUnsafeBytes(body)
            }
        }
        var encoded = [UInt8](repeating: 0, count: count * dtype.itemSize)
        encoded.withUnsafeMutableBytes { encode(into: $0) }
        return try encoded.withUnsafeBytes(body)
    }
}
