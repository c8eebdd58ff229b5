import CZlib
import Foundation

/// CRC-32 and raw deflate / inflate (RFC 1951 streams without zlib or gzip wrapper, as zip
/// stores them), from the system zlib. Buffers larger than 4 GiB are fed in chunks, since
/// zlib's counters are 32-bit.
enum ZlibCodec {
    /// Largest chunk handed to zlib in one call (fits `uInt`).
    private static let chunkSize = 1 << 30

    /// The CRC-32 (ISO 3309 / zip polynomial) of `bytes`. O(count).
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        crc32(bytes, continuing: UInt32(truncatingIfNeeded: CZlib.crc32(0, nil, 0)))
    }

    /// The CRC-32 of the bytes whose CRC-32 so far is `previous`, followed by `bytes`
    /// (start with `crc32` of empty bytes). O(count).
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32) -> UInt32 {
        var crc = uLong(previous)
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return UInt32(crc) }
        var offset = 0
        while offset < bytes.count {
            let length = min(chunkSize, bytes.count - offset)
            crc = CZlib.crc32(crc, base + offset, uInt(length))
            offset += length
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// Inflates a raw deflate stream that must expand to exactly `expectedSize` bytes.
    ///
    /// The output buffer grows with the data actually produced (doubling, capped at
    /// `expectedSize + 1`), so a forged size field cannot make it allocate more than the
    /// stream really yields.
    ///
    /// - Throws: `NumPyFileError` with `.compressionFailed` for corrupt data, a stream that ends
    ///   early, or output longer or shorter than `expectedSize`.
    static func inflateRaw(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws -> Data {
        func failure(_ reason: String) -> NumPyFileError {
            NumPyFileError(problem: .compressionFailed(reason: reason))
        }
        guard expectedSize >= 0, expectedSize < Int.max else { throw failure("invalid size \(expectedSize)") }
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw failure("inflateInit2 returned \(initStatus)") }
        defer { inflateEnd(&stream) }
        // One spare byte reveals a stream that expands beyond the declared size.
        let limit = expectedSize + 1
        let initial = min(limit, max(1 << 16, min(input.count, Int.max / 8) * 4))
        var output = Data(count: initial)
        let inBase = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var inOffset = 0
        while true {
            if stream.avail_in == 0, let inBase, inOffset < input.count {
                let length = min(chunkSize, input.count - inOffset)
                stream.next_in = UnsafeMutablePointer(mutating: inBase + inOffset)
                stream.avail_in = uInt(length)
                inOffset += length
            }
            let produced = Int(stream.total_out)
            if produced == output.count {
                guard output.count < limit else {
                    throw failure("the data inflates to more than the declared \(expectedSize) bytes")
                }
                output.count = output.count > limit / 2 ? limit : output.count * 2
            }
            let status: Int32 = output.withUnsafeMutableBytes { out in
                guard let outBase = out.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return Z_BUF_ERROR }
                stream.next_out = outBase + produced
                stream.avail_out = uInt(min(chunkSize, out.count - produced))
                return inflate(&stream, Z_NO_FLUSH)
            }
            switch status {
            case Z_STREAM_END:
                let total = Int(stream.total_out)
                guard total == expectedSize else {
                    throw failure("the data inflates to \(total) bytes, the archive declares \(expectedSize)")
                }
                output.count = total
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                throw failure("the compressed data ends before the end of the deflate stream")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw failure("corrupt deflate data: \(message)")
            }
        }
    }

    /// Compresses `input` into a raw deflate stream at `level` (0...9). O(count).
    ///
    /// - Throws: `NumPyFileError` with `.compressionFailed` if zlib reports an error.
    static func deflateRaw(_ input: UnsafeRawBufferPointer, level: Int32) throws -> Data {
        func failure(_ reason: String) -> NumPyFileError {
            NumPyFileError(problem: .compressionFailed(reason: reason))
        }
        var stream = z_stream()
        let initStatus = deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw failure("deflateInit2 returned \(initStatus)") }
        defer { deflateEnd(&stream) }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        let inBase = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var inOffset = 0
        var finished = false
        while !finished {
            let length = min(chunkSize, input.count - inOffset)
            if let inBase, length > 0 {
                stream.next_in = UnsafeMutablePointer(mutating: inBase + inOffset)
            }
            stream.avail_in = uInt(length)
            inOffset += length
            let flush = inOffset == input.count ? Z_FINISH : Z_NO_FLUSH
            repeat {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return deflate(&stream, flush)
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw failure("deflate returned \(status)")
                }
                output.append(contentsOf: buffer[0..<(buffer.count - Int(stream.avail_out))])
                if status == Z_STREAM_END { finished = true }
            } while stream.avail_out == 0 && !finished
        }
        return output
    }
}
