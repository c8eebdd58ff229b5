import Foundation
import Rendering
import XCTest

final class AnimatedGIFTests: XCTestCase {
    func testHeaderLoopDelayAndTrailer() throws {
        let palette = [RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255)]
        var gif = try AnimatedGIF(width: 4, height: 3, palette: palette, delayCentiseconds: 7)
        try gif.append(frame: [UInt8](repeating: 1, count: 12))
        try gif.append(frame: (0..<12).map { UInt8($0 % 3) }, delayCentiseconds: 25)
        let bytes = gif.data()
        XCTAssertEqual(Array(bytes.prefix(6)), Array("GIF89a".utf8))
        XCTAssertEqual(Array(bytes[6..<10]), [4, 0, 3, 0])
        XCTAssertEqual(bytes.last, 0x3B)
        let decoded = try GIFTestDecoder(bytes)
        XCTAssertEqual(decoded.width, 4); XCTAssertEqual(decoded.height, 3)
        XCTAssertEqual(decoded.palette.count, 4, "3 colours padded to a power of two")
        XCTAssertEqual(decoded.palette[2], [0, 0, 255])
        XCTAssertEqual(decoded.loopCount, 0, "NETSCAPE2.0 with loop count 0 = forever")
        XCTAssertEqual(decoded.frames.map(\.delay), [7, 25])
        XCTAssertEqual(decoded.frames[0].indices, [UInt8](repeating: 1, count: 12))
        XCTAssertEqual(decoded.frames[1].indices, (0..<12).map { UInt8($0 % 3) })
    }

    func testNoLoopExtensionWhenLoopIsFalse() throws {
        var gif = try AnimatedGIF(width: 1, height: 1, palette: [.black], loop: false)
        try gif.append(frame: [0])
        let decoded = try GIFTestDecoder(gif.data())
        XCTAssertNil(decoded.loopCount)
        XCTAssertEqual(decoded.frames.count, 1)
        XCTAssertEqual(decoded.palette.count, 2, "a one-colour palette is padded to 2 entries")
    }

    func testNoisyFramesOverflowTheCodeTableAndRoundTrip() throws {
        var rng = TestRandom(state: 12345)
        for paletteSize in [2, 5, 16, 256] {
            let palette = (0..<paletteSize).map { RGB(UInt8($0), UInt8(255 - $0), 7) }
            var gif = try AnimatedGIF(width: 320, height: 240, palette: palette)
            var frames: [[UInt8]] = []
            for f in 0..<3 {
                // Frame 0: pure noise; 1: blocky; 2: long runs (deep string table).
                let frame = (0..<(320 * 240)).map { i -> UInt8 in
                    switch f {
                    case 0: return rng.byte(below: paletteSize)
                    case 1: return UInt8((i / 7 + i / 1600) % paletteSize)
                    default: return i % 997 < 990 ? 0 : rng.byte(below: paletteSize)
                    }
                }
                frames.append(frame)
                try gif.append(frame: frame)
            }
            let decoded = try GIFTestDecoder(gif.data())
            XCTAssertEqual(decoded.frames.count, 3)
            for k in 0..<3 { XCTAssertEqual(decoded.frames[k].indices, frames[k], "palette \(paletteSize) frame \(k)") }
            XCTAssertEqual(decoded.maxCodeWidthSeen, 12, "codes must grow to 12 bits")
            XCTAssertGreaterThan(decoded.clearCodesSeen, 3, "the 4096-entry table must fill and reset")
        }
    }

    func testEveryWidthTransitionForSmallFrames() throws {
        // Sizes around code-width boundaries for the 2-colour (min code size 2) case.
        var rng = TestRandom(state: 99)
        for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 511, 513, 4093, 4097, 9000] {
            var gif = try AnimatedGIF(width: n, height: 1, palette: [.black, .white])
            let frame = (0..<n).map { _ in rng.byte(below: 2) }
            try gif.append(frame: frame)
            XCTAssertEqual(try GIFTestDecoder(gif.data()).frames[0].indices, frame, "n = \(n)")
        }
    }

    func testQuantisingAppendPicksNearestColour() throws {
        let palette = [RGB.white, RGB(200, 0, 0), RGB(0, 0, 200)]
        var image = try RGBImage(width: 3, height: 1)
        try image.setPixel(x: 0, y: 0, to: RGB(250, 240, 245))
        try image.setPixel(x: 1, y: 0, to: RGB(180, 30, 20))
        try image.setPixel(x: 2, y: 0, to: RGB(10, 10, 140))
        XCTAssertEqual(try image.paletteIndices(for: palette), [0, 1, 2])
        var gif = try AnimatedGIF(width: 3, height: 1, palette: palette)
        try gif.append(frame: image)
        XCTAssertEqual(try GIFTestDecoder(gif.data()).frames[0].indices, [0, 1, 2])
    }

    func testWriteToFile() throws {
        var gif = try AnimatedGIF(width: 2, height: 2, palette: [.black, .white])
        try gif.append(frame: [0, 1, 1, 0])
        let url = temporaryURL("a.gif")
        defer { try? FileManager.default.removeItem(at: url) }
        try gif.write(to: url)
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), gif.data())
    }

    func testTypedErrors() throws {
        assertThrows(.invalidSize(width: 0, height: 5)) { try AnimatedGIF(width: 0, height: 5, palette: [.black]) }
        assertThrows(.invalidSize(width: 70000, height: 5)) { try AnimatedGIF(width: 70000, height: 5, palette: [.black]) }
        assertThrows(.invalidPaletteSize(count: 0)) { try AnimatedGIF(width: 2, height: 2, palette: []) }
        assertThrows(.invalidPaletteSize(count: 257)) {
            try AnimatedGIF(width: 2, height: 2, palette: [RGB](repeating: .black, count: 257))
        }
        var gif = try AnimatedGIF(width: 2, height: 2, palette: [.black, .white])
        assertThrows(.bufferLengthMismatch(expected: 4, actual: 3)) { try gif.append(frame: [0, 0, 0]) }
        assertThrows(.paletteIndexOutOfRange(index: 2, paletteCount: 2)) { try gif.append(frame: [0, 1, 2, 0]) }
        assertThrows(.invalidSize(width: 3, height: 2)) { try gif.append(frame: try RGBImage(width: 3, height: 2)) }
        XCTAssertThrowsError(try gif.append(frame: [0, 0, 0, 0], delayCentiseconds: -1))
        XCTAssertEqual(gif.frameCount, 0)
    }
}
