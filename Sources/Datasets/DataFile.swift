import CZlib
import Foundation

/// Reading data files, transparently gunzipping `.gz` content.
///
/// Compression is detected from the content (the gzip magic `1f 8b`), not the file name,
/// so `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` are read alike.
/// Concatenated gzip members are decompressed in sequence (RFC 1952); a truncated or
/// corrupt stream is an error naming the file, never a short result.
public enum DataFile {
    /// Whether `path` names an existing regular file.
    public static func exists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The file's raw bytes.
    ///
    /// - Throws: ``DatasetError/missingFile(path:)`` or ``DatasetError/unreadableFile(path:reason:)``.
    public static func rawBytes(_ path: String) throws -> [UInt8] {
        guard exists(path) else { throw DatasetError.missingFile(path: path) }
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw DatasetError.unreadableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// The file's bytes, decompressed if they are gzip.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - prefix: when set, stop after this many decompressed bytes (enough to read a
    ///     header without inflating a whole archive).
    /// - Throws: ``DatasetError`` if the file is missing, unreadable or a corrupt gzip
    ///   stream; ``DatasetError/invalidArgument(_:)`` for a negative `prefix`.
    /// - Complexity: O(size of the file + decompressed size).
    public static func bytes(_ path: String, prefix: Int? = nil) throws -> [UInt8] {
        try checkLimit(prefix)
        let raw = try rawBytes(path)
        guard isGzip(raw) else {
            if let prefix { return Array(raw.prefix(prefix)) }
            return raw
        }
        return try gunzip(raw, path: path, limit: prefix)
    }

    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Decompresses gzip `bytes` (all members), stopping early after `limit` output bytes.
    ///
    /// - Throws: ``DatasetError/corruptFile(path:location:problem:)`` for a truncated or
    ///   corrupt stream; ``DatasetError/invalidArgument(_:)`` for a negative `limit`.
    public static func gunzip(_ bytes: [UInt8], path: String, limit: Int? = nil) throws -> [UInt8] {
        try checkLimit(limit)
        var output = [UInt8]()
        output.reserveCapacity(min(limit ?? Int.max, max(bytes.count * 4, 1 << 16)))
        var consumed = 0
        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk)
        try bytes.withUnsafeBufferPointer { input in
            while consumed < input.count {
                // Skip zero padding after a member (allowed by some writers).
                if input[consumed...].allSatisfy({ $0 == 0 }) { break }
                var stream = z_stream()
                let windowBits: Int32 = 15 + 16  // gzip wrapper only
                guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                    throw DatasetError.unreadableFile(path: path, reason: "zlib could not start inflating")
                }
                defer { inflateEnd(&stream) }
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.avail_in = uInt(min(input.count - consumed, Int(UInt32.max)))
                var status: Int32 = Z_OK
                repeat {
                    status = buffer.withUnsafeMutableBufferPointer { out -> Int32 in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(chunk)
                        return inflate(&stream, Z_NO_FLUSH)
                    }
                    let produced = chunk - Int(stream.avail_out)
                    output.append(contentsOf: buffer[0..<produced])
                    if let limit, output.count >= limit { output.removeSubrange(limit...); return }
                    switch status {
                    case Z_OK, Z_STREAM_END:
                        break
                    case Z_BUF_ERROR where stream.avail_in == 0:
                        throw DatasetError.corruptFile(path: path, location: "byte \(consumed + Int(stream.total_in))",
                                                       problem: "gzip stream is truncated")
                    default:
                        let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw DatasetError.corruptFile(path: path, location: "byte \(consumed + Int(stream.total_in))",
                                                       problem: "corrupt gzip data (\(message))")
                    }
                    if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                        throw DatasetError.corruptFile(path: path, location: "byte \(input.count)",
                                                       problem: "gzip stream is truncated")
                    }
                } while status != Z_STREAM_END
                consumed += Int(stream.total_in)
            }
        }
        return output
    }

    /// Throws unless a byte limit is absent or nonnegative.
    static func checkLimit(_ limit: Int?) throws {
        if let limit, limit < 0 { throw DatasetError.invalidArgument("a byte limit must be nonnegative, got \(limit)") }
    }

    /// Writes `bytes` to `path` atomically, gzip-compressing them when `gzip` is true.
    ///
    /// - Throws: ``DatasetError/unwritableFile(path:reason:)`` if the file cannot be written.
    public static func write(_ bytes: [UInt8], to path: String, gzip: Bool = false) throws {
        let payload = gzip ? try self.gzip(bytes, path: path) : bytes
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(payload).write(to: url, options: .atomic)
        } catch {
            throw DatasetError.unwritableFile(path: path, reason: error.localizedDescription)
        }
    }

    /// gzip-compresses `bytes` (one member, default level).
    public static func gzip(_ bytes: [UInt8], path: String = "<memory>") throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DatasetError.unreadableFile(path: path, reason: "zlib could not start deflating")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw DatasetError.unreadableFile(path: path, reason: "zlib deflate failed (\(status))")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
