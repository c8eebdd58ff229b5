import XCTest
@testable import Datasets
import FlowLaws
import WoWCompute

final class IDXTests: XCTestCase {
    func writeIDX(_ values: [Float], shape: [Int], to path: String, gzip: Bool) throws {
        try DataFile.write(try IDXArray.encodeUInt8(values, shape: shape), to: path, gzip: gzip)
    }

    func testRoundTripPlainAndGzip() throws {
        let dir = try temporaryDirectory(self)
        let values = (0..<24).map { Float($0 * 10 % 256) }
        for gzip in [false, true] {
            let path = "\(dir)/a-\(gzip)"
            try writeIDX(values, shape: [2, 3, 4], to: path, gzip: gzip)
            XCTAssertEqual(DataFile.isGzip(try DataFile.rawBytes(path)), gzip)
            let array = try IDXArray(contentsOf: path)
            XCTAssertEqual(array.shape, [2, 3, 4])
            XCTAssertEqual(array.elementType, .uint8)
            XCTAssertEqual(array.values, values)
            let (type, shape) = try IDXArray.shape(ofFileAt: path)
            XCTAssertEqual(type, .uint8)
            XCTAssertEqual(shape, [2, 3, 4])
        }
    }

    func testOtherElementTypesBigEndian() throws {
        // int16 -2 and 300, float32 1.5, float64 -0.25, written big-endian by hand.
        let int16: [UInt8] = [0, 0, 0x0B, 1, 0, 0, 0, 2, 0xFF, 0xFE, 0x01, 0x2C]
        XCTAssertEqual(try IDXArray(bytes: int16, path: "i16").values, [-2, 300])
        let float32: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0]
        XCTAssertEqual(try IDXArray(bytes: float32, path: "f32").values, [1.5])
        let float64: [UInt8] = [0, 0, 0x0E, 1, 0, 0, 0, 1, 0xBF, 0xD0, 0, 0, 0, 0, 0, 0]
        XCTAssertEqual(try IDXArray(bytes: float64, path: "f64").values, [-0.25])
    }

    func testCorruptFiles() throws {
        let dir = try temporaryDirectory(self)
        let good = try IDXArray.encodeUInt8([Float](repeating: 7, count: 12), shape: [3, 2, 2])
        // Truncated data, plain and gzip.
        for gzip in [false, true] {
            let path = "\(dir)/truncated-\(gzip)"
            try DataFile.write(Array(good.dropLast(5)), to: path, gzip: gzip)
            assertDatasetError([path, "truncated"]) { _ = try IDXArray(contentsOf: path) }
        }
        // A gzip stream cut short.
        let cut = "\(dir)/cut.gz"
        let compressed = try DataFile.gzip(good)
        try DataFile.write(Array(compressed.prefix(compressed.count - 12)), to: cut)
        assertDatasetError([cut, "truncated"]) { _ = try IDXArray(contentsOf: cut) }
        // Wrong magic number.
        var wrongMagic = good
        wrongMagic[0] = 0x50
        try DataFile.write(wrongMagic, to: "\(dir)/magic")
        assertDatasetError(["\(dir)/magic", "magic"]) { _ = try IDXArray(contentsOf: "\(dir)/magic") }
        // Unknown element type.
        var wrongType = good
        wrongType[2] = 0x07
        try DataFile.write(wrongType, to: "\(dir)/type")
        assertDatasetError(["\(dir)/type", "magic"]) { _ = try IDXArray(contentsOf: "\(dir)/type") }
        // Trailing bytes.
        try DataFile.write(good + [1, 2], to: "\(dir)/long")
        assertDatasetError(["\(dir)/long", "after"]) { _ = try IDXArray(contentsOf: "\(dir)/long") }
        // Header too short, empty file, missing file.
        try DataFile.write([0, 0, 8, 3, 0, 0], to: "\(dir)/short")
        assertDatasetError(["\(dir)/short", "header"]) { _ = try IDXArray(contentsOf: "\(dir)/short") }
        try DataFile.write([], to: "\(dir)/empty")
        assertDatasetError(["\(dir)/empty", "too short"]) { _ = try IDXArray(contentsOf: "\(dir)/empty") }
        assertDatasetError(["\(dir)/none", "no such file"]) { _ = try IDXArray(contentsOf: "\(dir)/none") }
        // A header announcing an absurd size fails cleanly.
        try DataFile.write([0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 9], to: "\(dir)/huge")
        assertDatasetError(["\(dir)/huge", "large"]) { _ = try IDXArray(contentsOf: "\(dir)/huge") }
    }

    func testIDXDatasetChecksImagesAgainstLabels() throws {
        let dir = try temporaryDirectory(self)
        try writeIDX([Float](repeating: 1, count: 3 * 4), shape: [3, 2, 2], to: "\(dir)/images", gzip: true)
        try writeIDX([0, 1], shape: [2], to: "\(dir)/labels", gzip: false)
        assertDatasetError(["\(dir)/images", "\(dir)/labels", "3 images but 2 labels"]) {
            _ = try IDXDataset(name: "x", files: [(.train, .init(images: "\(dir)/images", labels: "\(dir)/labels"))],
                               classNames: ["a", "b"])
        }
        try writeIDX([0, 1, 5], shape: [3], to: "\(dir)/labels", gzip: false)
        let dataset = try IDXDataset(name: "x", files: [(.train, .init(images: "\(dir)/images", labels: "\(dir)/labels"))],
                                     classNames: ["a", "b"])
        XCTAssertEqual(dataset.info.splits.first?.count, 3)
        XCTAssertEqual(dataset.info.featureShape, .image(channels: 1, height: 2, width: 2))
        assertDatasetError(["\(dir)/labels", "label 2", "not a class"]) { _ = try dataset.load(.train) }
        assertDatasetError(["no split 'test'"]) { _ = try dataset.load(.test) }
    }
}
