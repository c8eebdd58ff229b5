import Foundation
import XCTest
import NumPyFiles

final class NPYRoundTripTests: XCTestCase {
    /// Every dtype and every shape of `roundTripShapes` decodes to identical bits.
    func testEveryDTypeAndShapeRoundTripsBitExactly() throws {
        for dtype in NumPyDType.allCases {
            for shape in roundTripShapes {
                let array = try sampleArray(dtype, shape: shape)
                let data = try array.npyData()
                let back = try NumPyArray(npyData: data)
                XCTAssertTrue(back.isIdentical(to: array), "\(dtype) \(shape)")
                XCTAssertEqual(back.dtype, dtype)
                XCTAssertEqual(back.shape, shape)
            }
        }
    }

    /// The written layout is NumPy's: magic, version 1.0, header length, a dict header padded
    /// with spaces to a 64-byte boundary and ended by a newline, then little-endian data.
    func testWrittenLayoutMatchesTheFormatSpecification() throws {
        for dtype in NumPyDType.allCases {
            for shape in roundTripShapes {
                let array = try sampleArray(dtype, shape: shape)
                let bytes = [UInt8](try array.npyData())
                XCTAssertEqual(Array(bytes[0..<8]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
                let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
                let dataOffset = 10 + headerLength
                XCTAssertEqual(dataOffset % 64, 0, "data must start 64-byte aligned")
                XCTAssertEqual(bytes[dataOffset - 1], 0x0A, "header must end with a newline")
                let header = String(decoding: bytes[10..<dataOffset], as: UTF8.self)
                XCTAssertTrue(header.hasPrefix("{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': "), header)
                XCTAssertEqual(bytes.count, dataOffset + array.count * dtype.itemSize)
                let dataHex = hexString(bytes[dataOffset...])
                XCTAssertEqual(dataHex, littleEndianHex(array), "\(dtype) \(shape)")
            }
        }
    }

    /// Shapes are written as Python tuples: `()`, `(0,)`, `(5,)`, `(2, 3, 4)`.
    func testShapeTuplesAreWrittenAsPythonWritesThem() throws {
        let expected = ["()", "(0,)", "(5,)", "(2, 3, 4)"]
        for (shape, tuple) in zip(roundTripShapes, expected) {
            let data = try sampleArray(.float32, shape: shape).npyData()
            let text = String(decoding: data.prefix(128), as: UTF8.self)
            XCTAssertTrue(text.contains("'shape': \(tuple), }"), text)
        }
    }

    /// Known bit patterns land at known bytes: 1.0f is 00 00 80 3f, -2 as int64 is fe ff ... ff.
    func testKnownValuesHaveKnownLittleEndianBytes() throws {
        let floats = try NumPyArray([1.0, -2.0] as [Float], shape: [2]).npyData()
        XCTAssertEqual([UInt8](floats.suffix(8)), [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0])
        let ints = try NumPyArray([-2] as [Int64], shape: [1]).npyData()
        XCTAssertEqual([UInt8](ints.suffix(8)), [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        let doubles = try NumPyArray([1.0] as [Double], shape: []).npyData()
        XCTAssertEqual([UInt8](doubles.suffix(8)), [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    }

    /// Files on disk: written atomically, read back identical, parent directories created;
    /// the header alone can be inspected without decoding the data.
    func testFileRoundTripAndHeaderInspection() throws {
        let directory = try temporaryDirectory(for: self)
        let url = directory.appendingPathComponent("nested/dir/flow.npy")
        let array = try sampleArray(.float64, shape: [2, 3, 4])
        try array.write(to: url)
        XCTAssertTrue(try NumPyArray(contentsOf: url).isIdentical(to: array))
        let header = try NPYHeader(contentsOf: url)
        XCTAssertEqual(header.descr, "<f8")
        XCTAssertEqual(header.dtype, .float64)
        XCTAssertEqual(header.shape, [2, 3, 4])
        XCTAssertEqual(header.count, 24)
        XCTAssertEqual(header.dataByteCount, 192)
        XCTAssertEqual(header.dataOffset, 128)
        XCTAssertEqual(header.majorVersion, 1)
        XCTAssertFalse(header.fortranOrder)
        XCTAssertFalse(header.isByteSwapped)
        // Overwriting replaces the whole file.
        let smaller = try NumPyArray([7] as [UInt8], shape: [1])
        try smaller.write(to: url)
        XCTAssertEqual(try NumPyArray(contentsOf: url), smaller)
    }

    /// Decoding works on a `Data` slice that does not start at index 0.
    func testDecodingASliceWithNonZeroStartIndex() throws {
        let array = try sampleArray(.int32, shape: [2, 3, 4])
        let padded = Data([1, 2, 3]) + (try array.npyData())
        let slice = padded[3...]
        XCTAssertEqual(slice.startIndex, 3)
        XCTAssertTrue(try NumPyArray(npyData: slice).isIdentical(to: array))
    }

    /// NumPy cannot load more than 64 dimensions, so the writer refuses them.
    func testRankAboveNumPysLimitIsRefused() throws {
        let shape = [Int](repeating: 1, count: NPYHeader.maximumRank + 1)
        let array = try NumPyArray([1] as [Float], shape: shape)
        assertNumPyError(try array.npyData(), kind: "invalidParameter", path: nil)
        let atLimit = try NumPyArray([1] as [Float], shape: Array(shape.dropLast()))
        XCTAssertEqual(try NumPyArray(npyData: try atLimit.npyData()), atLimit)
    }
}
