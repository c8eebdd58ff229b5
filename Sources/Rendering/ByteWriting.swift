import Foundation

/// Big-endian / little-endian helpers shared by the encoders.
extension Array where Element == UInt8 {
    mutating func appendBigEndian32(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF))
    }

    mutating func appendLittleEndian16(_ v: UInt16) {
        append(UInt8(v & 0xFF)); append(UInt8(v >> 8))
    }

    mutating func appendASCII(_ s: String) {
        append(contentsOf: Array(s.utf8))
    }
}

/// Writes bytes atomically to `url`, mapping failures to `RenderingError.writeFailed`.
func writeBytes(_ bytes: [UInt8], to url: URL) throws {
    do {
        try Data(bytes).write(to: url, options: .atomic)
    } catch {
        throw RenderingError.writeFailed(path: url.path, reason: "\(error.localizedDescription)")
    }
}
