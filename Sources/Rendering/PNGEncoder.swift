import CZlib
import Foundation

extension RGBImage {
    /// Largest IDAT chunk payload written; longer streams are split across chunks.
    static let pngMaxIDATLength = 1 << 20

    /// Encodes the image as a PNG file (8-bit RGB, colour type 2, non-interlaced).
    ///
    /// Layout: signature, IHDR, one or more IDAT chunks (zlib stream of
    /// per-row-filtered scanlines, split every 1 MiB), IEND; each chunk carries
    /// its CRC-32. Filters are chosen per row (see `PNGFilter`). Cost:
    /// O(width * height) filtering plus zlib deflate at level 6.
    /// - Throws: `RenderingError.compressionFailed` if zlib reports an error.
    public func pngData() throws -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header.appendBigEndian32(UInt32(width))
        header.appendBigEndian32(UInt32(height))
        header += [8, 2, 0, 0, 0]  // depth 8, RGB, deflate, filter method 0, no interlace
        RGBImage.appendChunk("IHDR", header, to: &out)

        let filtered = PNGFilter.filterRows(pixels, width: width, height: height)
        let compressed = try RGBImage.zlibCompress(filtered, level: 6)
        var start = 0
        repeat {
            let end = min(start + RGBImage.pngMaxIDATLength, compressed.count)
            RGBImage.appendChunk("IDAT", Array(compressed[start..<end]), to: &out)
            start = end
        } while start < compressed.count
        RGBImage.appendChunk("IEND", [], to: &out)
        return out
    }

    /// Writes the image as PNG (`pngData()`) to `url` (atomically, replacing any existing file).
    /// - Throws: `compressionFailed` or `writeFailed`.
    public func write(to url: URL) throws {
        try writeBytes(try pngData(), to: url)
    }

    /// Appends a chunk: length, type, data, CRC-32 over type + data.
    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        out.appendBigEndian32(UInt32(data.count))
        let typeBytes = Array(type.utf8)
        var crc = crc32(0, nil, 0)
        crc = typeBytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        crc = data.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, UInt32($0.count)) }
        out += typeBytes
        out += data
        out.appendBigEndian32(UInt32(truncatingIfNeeded: crc))
    }

    /// One-shot zlib (RFC 1950) compression via `compress2`.
    static func zlibCompress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        var destLength = compressBound(uLong(input.count))
        var dest = [UInt8](repeating: 0, count: Int(destLength))
        let status = dest.withUnsafeMutableBufferPointer { d in
            input.withUnsafeBufferPointer { s in
                compress2(d.baseAddress, &destLength, s.baseAddress, uLong(s.count), level)
            }
        }
        guard status == Z_OK else { throw RenderingError.compressionFailed(code: status) }
        return Array(dest[0..<Int(destLength)])
    }
}
