import Foundation
import XCTest
import NumPyFiles

/// Damaged files give a `NumPyFileError` of the right kind that names the file.
final class CorruptInputTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try temporaryDirectory(for: self)
    }

    /// Writes `bytes` to a temporary file and returns its URL.
    private func file(_ name: String, _ bytes: Data) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try bytes.write(to: url)
        return url
    }

    func testMissingFileAndDirectory() {
        let missing = directory.appendingPathComponent("missing.npy")
        assertNumPyError(try NumPyArray(contentsOf: missing), kind: "fileNotFound", path: missing.path)
        assertNumPyError(try NPZArchive(contentsOf: missing), kind: "fileNotFound", path: missing.path)
        assertNumPyError(try NPYHeader(contentsOf: missing), kind: "fileNotFound", path: missing.path)
        assertNumPyError(try NumPyArray(contentsOf: directory), kind: "unreadable", path: directory.path)
    }

    func testTruncatedData() throws {
        let full = try fixtureData("f4.npy")
        let url = try file("short.npy", full.dropLast())
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "truncatedData", path: url.path)
        XCTAssertEqual(error?.problem, .truncatedData(expectedBytes: 24, availableBytes: 23))
    }

    func testTrailingData() throws {
        let url = try file("long.npy", try fixtureData("f4.npy") + Data([0]))
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "trailingData", path: url.path)
        XCTAssertEqual(error?.problem, .trailingData(expectedBytes: 24, availableBytes: 25))
    }

    func testTruncatedHeader() throws {
        let full = try fixtureData("f4.npy")
        for length in [0, 3, 6, 8, 9, 10, 50, 127] {
            let url = try file("header\(length).npy", full.prefix(length))
            assertNumPyError(try NumPyArray(contentsOf: url), kind: "truncatedHeader", path: url.path)
        }
        let v2 = try fixtureData("v2_f4.npy")
        let url = try file("v2short.npy", v2.prefix(11))
        assertNumPyError(try NumPyArray(contentsOf: url), kind: "truncatedHeader", path: url.path)
    }

    func testBadMagic() throws {
        var bytes = [UInt8](try fixtureData("f4.npy"))
        bytes[1] = UInt8(ascii: "n")
        let url = try file("magic.npy", Data(bytes))
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "badMagic", path: url.path)
        XCTAssertEqual(error?.problem, .badMagic(found: [0x93, 0x6E, 0x55, 0x4D, 0x50, 0x59]))
        // An .npz is not an .npy, and an .npy is not an .npz.
        let npz = fixture("savez.npz")
        assertNumPyError(try NumPyArray(contentsOf: npz), kind: "badMagic", path: npz.path)
        let npy = fixture("f4.npy")
        assertNumPyError(try NPZArchive(contentsOf: npy), kind: "malformedArchive", path: npy.path)
    }

    func testUnsupportedVersion() throws {
        var bytes = [UInt8](try fixtureData("f4.npy"))
        bytes[6] = 4
        let url = try file("v4.npy", Data(bytes))
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "unsupportedVersion", path: url.path)
        XCTAssertEqual(error?.problem, .unsupportedVersion(major: 4, minor: 0))
    }

    func testUnsupportedDType() throws {
        let url = try file("c16.npy", handMadeNPY("{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}",
                                                  data: [UInt8](repeating: 0, count: 16)))
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "unsupportedDType", path: url.path)
        XCTAssertTrue(error?.description.contains("'<c16'") ?? false)
    }

    func testGarbageHeader() throws {
        var bytes = [UInt8](try fixtureData("f4.npy"))
        for i in 10..<40 { bytes[i] = UInt8(ascii: "#") }
        let url = try file("garbage.npy", Data(bytes))
        assertNumPyError(try NumPyArray(contentsOf: url), kind: "malformedHeader", path: url.path)
    }

    func testShapeTooLargeForTheData() throws {
        let url = try file("huge.npy", handMadeNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1000),}",
                                                   data: oneTwoThreeF4))
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "truncatedData", path: url.path)
        XCTAssertEqual(error?.problem, .truncatedData(expectedBytes: 4_000_000_000_000, availableBytes: 12))
        let overflow = try file("overflow.npy", handMadeNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2)}",
                                                            data: oneTwoThreeF4))
        assertNumPyError(try NumPyArray(contentsOf: overflow), kind: "shapeOverflow", path: overflow.path)
    }

    func testNPZWithBadCRCNamesTheMember() throws {
        var bytes = [UInt8](try fixtureData("savez.npz"))
        // Flip a data byte of the first member (weights.npy): its last float.
        guard let end = Data(bytes).range(of: Data("PK\u{01}\u{02}".utf8))?.lowerBound else {
            return XCTFail("no central directory")
        }
        // The first member is followed by the second local header; find it.
        guard let second = Data(bytes).range(of: Data([0x50, 0x4B, 0x03, 0x04]), in: 4..<end)?.lowerBound else {
            return XCTFail("no second member")
        }
        bytes[second - 1] ^= 0x40
        let url = try file("crc.npz", Data(bytes))
        assertNumPyError(try NPZArchive(contentsOf: url), kind: "checksumMismatch", path: url.path, member: "weights.npy")
    }

    func testCorruptDeflateStreamNamesTheMember() throws {
        var bytes = [UInt8](try fixtureData("savez_compressed.npz"))
        // Damage the start of the first member's deflate stream (after header, name, extra).
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        let extraLength = Int(bytes[28]) | Int(bytes[29]) << 8
        let start = 30 + nameLength + extraLength
        for i in start..<(start + 16) { bytes[i] = 0xFF }
        let url = try file("inflate.npz", Data(bytes))
        do {
            _ = try NPZArchive(contentsOf: url)
            XCTFail("corrupt deflate data was accepted")
        } catch let error as NumPyFileError {
            XCTAssertTrue(["compressionFailed", "checksumMismatch"].contains(kind(error.problem)), "\(error)")
            XCTAssertEqual(error.path, url.path)
            XCTAssertEqual(error.member, "x.npy")
        }
    }

    func testTruncatedNPZ() throws {
        let full = try fixtureData("savez_compressed.npz")
        for length in [0, 10, 21, 22, full.count / 2, full.count - 30, full.count - 1] {
            let url = try file("trunc\(length).npz", full.prefix(length))
            assertNumPyError(try NPZArchive(contentsOf: url), kind: "malformedArchive", path: url.path)
        }
    }

    func testNPZMemberWithBadNPYNamesTheMember() throws {
        let archive = try NPZArchive([("ok", try NumPyArray([1] as [Float], shape: [1])),
                                      ("bad", try NumPyArray([2] as [Float], shape: [1]))])
        var bytes = [UInt8](try archive.npzData())
        // Second member: change its descr '<f4' into '<c8' and repair the CRCs, so the zip
        // layer is sound and the NPY layer must report the problem.
        let memberNPY = [UInt8](try NumPyArray([2] as [Float], shape: [1]).npyData())
        guard let at = Data(bytes).range(of: Data(memberNPY))?.lowerBound,
              let descr = Data(memberNPY).range(of: Data("<f4".utf8))?.lowerBound else {
            return XCTFail("member not found")
        }
        bytes[at + descr + 1] = UInt8(ascii: "c")
        bytes[at + descr + 2] = UInt8(ascii: "8")
        let crc = crc32Reference(Array(bytes[at..<(at + memberNPY.count)]))
        let localHeader = at - 30 - "bad.npy".utf8.count
        let eocd = bytes.count - 22
        let directory = Int(bytes[eocd + 16]) | Int(bytes[eocd + 17]) << 8 | Int(bytes[eocd + 18]) << 16 | Int(bytes[eocd + 19]) << 24
        let secondEntry = directory + 46 + "ok.npy".utf8.count
        for i in 0..<4 {
            bytes[localHeader + 14 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
            bytes[secondEntry + 16 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i)))
        }
        let url = try file("member.npz", Data(bytes))
        assertNumPyError(try NPZArchive(contentsOf: url), kind: "unsupportedDType", path: url.path, member: "bad.npy")
    }

    /// The writer's CRC-32 fields agree with an independent bitwise CRC-32.
    func testWrittenCRCsMatchAReferenceImplementation() throws {
        let array = try sampleArray(.float64, shape: [2, 3, 4])
        let bytes = [UInt8](try NPZArchive([("a", array)]).npzData())
        let recorded = UInt32(bytes[14]) | UInt32(bytes[15]) << 8 | UInt32(bytes[16]) << 16 | UInt32(bytes[17]) << 24
        XCTAssertEqual(recorded, crc32Reference([UInt8](try array.npyData())))
        XCTAssertEqual(crc32Reference(Array("123456789".utf8)), 0xCBF4_3926)  // the standard check value
    }

    func testUnsupportedCompressionAndEncryption() throws {
        let archive = try NPZArchive([("a", try NumPyArray([1] as [Float], shape: [1]))])
        let data = [UInt8](try archive.npzData())
        let eocd = data.count - 22
        let directory = Int(data[eocd + 16]) | Int(data[eocd + 17]) << 8 | Int(data[eocd + 18]) << 16 | Int(data[eocd + 19]) << 24
        var bzip2 = data
        bzip2[8] = 12; bzip2[directory + 10] = 12
        let url = try file("bzip2.npz", Data(bzip2))
        let error = assertNumPyError(try NPZArchive(contentsOf: url), kind: "unsupportedArchiveFeature", path: url.path, member: "a.npy")
        XCTAssertTrue(error?.description.contains("bzip2") ?? false)
        var encrypted = data
        encrypted[6] |= 1; encrypted[directory + 8] |= 1
        let encryptedURL = try file("encrypted.npz", Data(encrypted))
        assertNumPyError(try NPZArchive(contentsOf: encryptedURL), kind: "unsupportedArchiveFeature", path: encryptedURL.path, member: "a.npy")
        var renamed = data
        renamed[30] = UInt8(ascii: "b")  // local name differs from the central directory's
        let renamedURL = try file("renamed.npz", Data(renamed))
        assertNumPyError(try NPZArchive(contentsOf: renamedURL), kind: "malformedArchive", path: renamedURL.path, member: "a.npy")
    }

    /// Forged 64-bit sizes and offsets in zip64 records are refused without overflow.
    func testForgedZip64FieldsAreRefused() throws {
        let archive = try NPZArchive([("a", try NumPyArray([1, 2] as [Float], shape: [2]))])
        let data = [UInt8](try archive.npzData(forceZip64: true))
        let eocd = data.count - 22
        let directory = Int(data[eocd + 16]) | Int(data[eocd + 17]) << 8 | Int(data[eocd + 18]) << 16 | Int(data[eocd + 19]) << 24
        let extra = directory + 46 + "a.npy".utf8.count
        XCTAssertEqual(Array(data[extra..<(extra + 2)]), [1, 0], "zip64 extra field id")
        let record = eocd - 20 - 56
        XCTAssertEqual(Array(data[record..<(record + 4)]), [0x50, 0x4B, 0x06, 0x06], "zip64 EOCD signature")
        func patched(_ offset: Int, _ value: UInt64) -> Data {
            var copy = data
            for i in 0..<8 { copy[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            return Data(copy)
        }
        let huge: UInt64 = 0x7FFF_FFFF_FFFF_FFF0
        let cases: [(String, Data, String?)] = [
            ("uncompressed size", patched(extra + 4, huge), "a.npy"),
            ("compressed size", patched(extra + 12, huge), "a.npy"),
            ("local header offset", patched(extra + 20, huge), "a.npy"),
            ("offset beyond Int", patched(extra + 20, .max), nil),
            ("directory entry count", patched(record + 32, huge), nil),
            ("directory size", patched(record + 40, huge), nil),
            ("directory offset", patched(record + 48, huge), nil),
            ("zip64 record offset", patched(eocd - 20 + 8, huge), nil),
        ]
        for (label, bytes, member) in cases {
            let url = try file("forged-\(label.replacingOccurrences(of: " ", with: "-")).npz", bytes)
            let error = assertNumPyError(try NPZArchive(contentsOf: url), kind: "malformedArchive", path: url.path, member: member)
            XCTAssertNotNil(error, label)
        }
    }

    func testLyingSizesAreRefused() throws {
        let archive = try NPZArchive([("a", try NumPyArray([Float](repeating: 1, count: 1000), shape: [1000]))])
        let data = [UInt8](try archive.npzData(compression: .deflated))
        let eocd = data.count - 22
        let directory = Int(data[eocd + 16]) | Int(data[eocd + 17]) << 8 | Int(data[eocd + 18]) << 16 | Int(data[eocd + 19]) << 24
        // Uncompressed size claimed 4 GiB - 1: impossible for a few deflated bytes.
        var huge = data
        for i in 0..<4 { huge[directory + 24 + i] = 0xFF; huge[22 + i] = 0xFF }
        let hugeURL = try file("huge.npz", Data(huge))
        assertNumPyError(try NPZArchive(contentsOf: hugeURL), kind: "malformedArchive", path: hugeURL.path, member: "a.npy")
        // Uncompressed size one byte too small: inflating overruns it.
        var small = data
        small[directory + 24] &-= 1
        let smallURL = try file("small.npz", Data(small))
        assertNumPyError(try NPZArchive(contentsOf: smallURL), kind: "compressionFailed", path: smallURL.path, member: "a.npy")
        // Compressed size reaching past the archive.
        var past = data
        past[directory + 23] = 0x7F
        let pastURL = try file("past.npz", Data(past))
        assertNumPyError(try NPZArchive(contentsOf: pastURL), kind: "malformedArchive", path: pastURL.path, member: "a.npy")
    }
}

/// Bitwise CRC-32 (reflected polynomial 0xEDB88320), independent of zlib.
func crc32Reference(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// Header-only reading stops at the header and reports the same errors as full reads.
final class HeaderOnlyReadingTests: XCTestCase {
    func testHeaderOnlyReadingOfDamagedFiles() throws {
        let directory = try temporaryDirectory(for: self)
        let full = try fixtureData("f4.npy")
        // Data truncated: the header is still readable on its own.
        let short = directory.appendingPathComponent("short.npy")
        try full.prefix(130).write(to: short)
        XCTAssertEqual(try NPYHeader(contentsOf: short).shape, [2, 3])
        // Header truncated.
        let cut = directory.appendingPathComponent("cut.npy")
        try full.prefix(40).write(to: cut)
        let error = assertNumPyError(try NPYHeader(contentsOf: cut), kind: "truncatedHeader", path: cut.path)
        XCTAssertEqual(error?.problem, .truncatedHeader(neededBytes: 128, availableBytes: 40))
        // A version 2.0 header claiming 4 GiB in a small file.
        var huge = [UInt8](try fixtureData("v2_f4.npy"))
        huge.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let hugeURL = directory.appendingPathComponent("huge-header.npy")
        try Data(huge).write(to: hugeURL)
        assertNumPyError(try NPYHeader(contentsOf: hugeURL), kind: "truncatedHeader", path: hugeURL.path)
        assertNumPyError(try NumPyArray(contentsOf: hugeURL), kind: "truncatedHeader", path: hugeURL.path)
        // A zip given to the NPY reader says so.
        let zipError = assertNumPyError(try NPYHeader(contentsOf: fixture("savez.npz")), kind: "badMagic", path: fixture("savez.npz").path)
        XCTAssertTrue(zipError?.description.contains("NPZArchive") ?? false)
        let empty = directory.appendingPathComponent("empty.npy")
        try Data().write(to: empty)
        assertNumPyError(try NPYHeader(contentsOf: empty), kind: "truncatedHeader", path: empty.path)
    }
}
