import XCTest

/// A GIF89a reader written only for the tests, independent of the encoder:
/// walks blocks, collects frames, and decodes LZW with its own string table.
struct GIFTestDecoder {
    var width = 0, height = 0
    var palette: [[UInt8]] = []
    var loopCount: Int?
    var frames: [(delay: Int, indices: [UInt8])] = []
    var maxCodeWidthSeen = 0
    var clearCodesSeen = 0

    init(_ b: [UInt8]) throws {
        XCTAssertEqual(Array(b.prefix(6)), Array("GIF89a".utf8))
        XCTAssertEqual(b.last, 0x3B)
        func le16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        width = le16(6); height = le16(8)
        let packed = b[10]
        XCTAssertEqual(packed & 0x80, 0x80, "global colour table flag")
        let tableSize = 1 << (Int(packed & 7) + 1)
        var i = 13
        for k in 0..<tableSize { palette.append(Array(b[(i + 3 * k)..<(i + 3 * k + 3)])) }
        i += 3 * tableSize
        var pendingDelay = 0
        func subBlocks() -> [UInt8] {
            var data: [UInt8] = []
            while b[i] != 0 { let n = Int(b[i]); data += b[(i + 1)...(i + n)]; i += n + 1 }
            i += 1
            return data
        }
        loop: while i < b.count {
            switch b[i] {
            case 0x21:
                let label = b[i + 1]; i += 2
                let data = subBlocks()
                if label == 0xF9 { pendingDelay = Int(data[1]) | Int(data[2]) << 8 }
                if label == 0xFF, String(decoding: data.prefix(11), as: UTF8.self) == "NETSCAPE2.0" {
                    loopCount = Int(data[12]) | Int(data[13]) << 8
                }
            case 0x2C:
                XCTAssertEqual(le16(i + 5), width); XCTAssertEqual(le16(i + 7), height)
                XCTAssertEqual(b[i + 9], 0)
                let minCode = Int(b[i + 10]); i += 11
                let indices = decodeLZW(subBlocks(), minCodeSize: minCode)
                frames.append((pendingDelay, indices))
            case 0x3B: i += 1; break loop
            default: XCTFail("unexpected block 0x\(String(b[i], radix: 16))"); return
            }
        }
        XCTAssertEqual(i, b.count, "trailer must be the last byte")
    }

    mutating func decodeLZW(_ data: [UInt8], minCodeSize: Int) -> [UInt8] {
        let clear = 1 << minCodeSize, end = clear + 1
        var table: [[UInt8]] = []
        var width = minCodeSize + 1
        func reset() {
            table = (0..<clear).map { [UInt8($0)] } + [[], []]
            width = minCodeSize + 1
        }
        reset()
        var out: [UInt8] = []
        var bitPos = 0
        var previous: [UInt8]? = nil
        while bitPos + width <= data.count * 8 {
            var code = 0
            for k in 0..<width {
                let bit = (data[(bitPos + k) >> 3] >> UInt8((bitPos + k) & 7)) & 1
                code |= Int(bit) << k
            }
            bitPos += width
            maxCodeWidthSeen = max(maxCodeWidthSeen, width)
            if code == clear { clearCodesSeen += 1; reset(); previous = nil; continue }
            if code == end { return out }
            let entry: [UInt8]
            if code < table.count {
                entry = table[code]
            } else {
                guard code == table.count, let p = previous else {
                    XCTFail("invalid LZW code \(code) with table size \(table.count)"); return out
                }
                entry = p + [p[0]]
            }
            out += entry
            if let p = previous, table.count < 4096 { table.append(p + [entry[0]]) }
            previous = entry
            if table.count == (1 << width) && width < 12 { width += 1 }
        }
        XCTFail("LZW stream ended without end-of-information code")
        return out
    }
}
