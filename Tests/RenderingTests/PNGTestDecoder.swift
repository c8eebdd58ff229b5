import CZlib
import XCTest

/// A minimal PNG reader written only for the tests (independent of the encoder):
/// its own CRC-32, chunk walk, zlib `uncompress`, and reverse filtering.
enum PNGTestDecoder {
    struct Chunk { var type: String; var data: [UInt8]; var storedCRC: UInt32 }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func chunks(_ png: [UInt8]) throws -> [Chunk] {
        var out: [Chunk] = []
        var i = 8
        while i < png.count {
            let len = Int(be32(png, i))
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(png[(i + 8)..<(i + 8 + len)])
            out.append(Chunk(type: type, data: data, storedCRC: be32(png, i + 8 + len)))
            i += 12 + len
        }
        XCTAssertEqual(i, png.count, "chunks must tile the file exactly")
        return out
    }

    /// Returns (width, height, interleaved RGB) after checking every CRC.
    static func decode(_ png: [UInt8]) throws -> (Int, Int, [UInt8]) {
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let cs = try chunks(png)
        for c in cs { XCTAssertEqual(crc(Array(c.type.utf8) + c.data), c.storedCRC, c.type) }
        XCTAssertEqual(cs.first?.type, "IHDR")
        XCTAssertEqual(cs.last?.type, "IEND")
        let ihdr = cs[0].data
        let w = Int(be32(ihdr, 0)), h = Int(be32(ihdr, 4))
        XCTAssertEqual(Array(ihdr[8...]), [8, 2, 0, 0, 0])
        let z = cs.filter { $0.type == "IDAT" }.flatMap(\.data)
        let stride = 3 * w
        var rawLength = uLong(h * (stride + 1))
        var raw = [UInt8](repeating: 0, count: Int(rawLength))
        let status = uncompress(&raw, &rawLength, z, uLong(z.count))
        XCTAssertEqual(status, Z_OK)
        XCTAssertEqual(Int(rawLength), h * (stride + 1))
        var pixels = [UInt8](repeating: 0, count: h * stride)
        for y in 0..<h {
            let type = raw[y * (stride + 1)]
            XCTAssertLessThanOrEqual(type, 4)
            for i in 0..<stride {
                let v = Int(raw[y * (stride + 1) + 1 + i])
                let a = i >= 3 ? Int(pixels[y * stride + i - 3]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * stride + i]) : 0
                let c = (i >= 3 && y > 0) ? Int(pixels[(y - 1) * stride + i - 3]) : 0
                let pred: Int
                switch type {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = b
                case 3: pred = (a + b) >> 1
                default:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                }
                pixels[y * stride + i] = UInt8((v + pred) & 0xFF)
            }
        }
        return (w, h, pixels)
    }
}
