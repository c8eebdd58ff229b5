import Foundation
@testable import Rendering
import XCTest

final class PNGEncoderTests: XCTestCase {
    func noisyImage(width: Int, height: Int, seed: UInt64) throws -> RGBImage {
        var rng = TestRandom(state: seed)
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let o = 3 * (y * width + x)
                // Mix of smooth gradients (favours Sub/Up/Paeth) and noise (favours None).
                if y % 3 == 0 {
                    bytes[o] = rng.byte(below: 256); bytes[o + 1] = rng.byte(below: 256)
                    bytes[o + 2] = rng.byte(below: 256)
                } else {
                    bytes[o] = UInt8((x * 7) & 0xFF); bytes[o + 1] = UInt8((y * 5) & 0xFF)
                    bytes[o + 2] = UInt8((x + y) & 0xFF)
                }
            }
        }
        return try RGBImage(width: width, height: height, pixels: bytes)
    }

    func testSignatureChunksAndCRCs() throws {
        let image = try RGBImage(width: 3, height: 2, background: RGB(10, 20, 30))
        let png = try image.pngData()
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try PNGTestDecoder.chunks(png)
        XCTAssertEqual(chunks.map(\.type), ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(chunks[0].data, [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        XCTAssertEqual(chunks[2].data, [])
        // The IEND CRC is a well-known constant.
        XCTAssertEqual(chunks[2].storedCRC, 0xAE42_6082)
        for c in chunks {
            XCTAssertEqual(PNGTestDecoder.crc(Array(c.type.utf8) + c.data), c.storedCRC)
        }
    }

    func testIndependentCRCMatchesCheckValue() {
        XCTAssertEqual(PNGTestDecoder.crc(Array("123456789".utf8)), 0xCBF4_3926)
    }

    func testRoundTripExactPixels() throws {
        for (w, h, seed) in [(1, 1, 1), (7, 5, 2), (64, 33, 3), (200, 120, 4)] as [(Int, Int, UInt64)] {
            let image = try noisyImage(width: w, height: h, seed: seed)
            let (dw, dh, pixels) = try PNGTestDecoder.decode(try image.pngData())
            XCTAssertEqual(dw, w); XCTAssertEqual(dh, h)
            XCTAssertEqual(pixels, image.pixels, "\(w)x\(h)")
        }
    }

    func testFilterChoiceUsesSeveralTypesAndCompressesSmoothImages() throws {
        let image = try noisyImage(width: 90, height: 60, seed: 9)
        let filtered = PNGFilter.filterRows(image.pixels, width: 90, height: 60)
        let types = Set((0..<60).map { filtered[$0 * (90 * 3 + 1)] })
        XCTAssertGreaterThan(types.count, 1, "adaptive filtering should pick different filters")
        var gradient = try RGBImage(width: 256, height: 256)
        for y in 0..<256 { for x in 0..<256 { try gradient.setPixel(x: x, y: y, to: RGB(UInt8(x), UInt8(y), 128)) } }
        let png = try gradient.pngData()
        XCTAssertLessThan(png.count, 256 * 256 * 3 / 20, "gradient should compress > 20x")
        XCTAssertEqual(try PNGTestDecoder.decode(png).2, gradient.pixels)
    }

    func testLargeImageSplitsIDATAndStillRoundTrips() throws {
        var rng = TestRandom(state: 77)
        let w = 700, h = 600
        let bytes = (0..<(w * h * 3)).map { _ in rng.byte(below: 256) }
        let image = try RGBImage(width: w, height: h, pixels: bytes)
        let png = try image.pngData()
        let idats = try PNGTestDecoder.chunks(png).filter { $0.type == "IDAT" }
        XCTAssertGreaterThan(idats.count, 1)
        XCTAssertEqual(try PNGTestDecoder.decode(png).2, bytes)
    }

    func testWriteToFileAndPythonZlibCrossCheck() throws {
        let image = try noisyImage(width: 31, height: 17, seed: 5)
        let url = temporaryURL("x.png")
        defer { try? FileManager.default.removeItem(at: url) }
        try image.write(to: url)
        let onDisk = [UInt8](try Data(contentsOf: url))
        XCTAssertEqual(onDisk, try image.pngData())
        // Optional independent check with python's zlib (skipped if unavailable).
        let script = """
        import sys, zlib, struct
        d = open(sys.argv[1], 'rb').read(); i = 8; idat = b''
        while i < len(d):
            n, = struct.unpack('>I', d[i:i+4]); t = d[i+4:i+8]
            assert zlib.crc32(d[i+4:i+8+n]) & 0xffffffff == struct.unpack('>I', d[i+8+n:i+12+n])[0]
            if t == b'IDAT': idat += d[i+8:i+8+n]
            i += 12 + n
        w, h = struct.unpack('>II', d[16:24]); raw = zlib.decompress(idat)
        assert len(raw) == h * (3 * w + 1)
        print('ok', w, h)
        """
        guard let result = runPython(script, [url.path]), !result.output.contains("No module") else {
            throw XCTSkip("python3 with zlib not available")
        }
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "ok 31 17")
    }

    func testWriteFailureIsTyped() throws {
        let image = try RGBImage(width: 2, height: 2)
        let url = URL(fileURLWithPath: "/nonexistent-dir-\(UUID().uuidString)/a.png")
        XCTAssertThrowsError(try image.write(to: url)) { error in
            guard case RenderingError.writeFailed = error else { return XCTFail("\(error)") }
        }
    }
}
