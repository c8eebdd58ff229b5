import Foundation
import XCTest
import NumPyFiles

/// An archive holding one array of every dtype and shape, named `<dtype>_<rank>`.
func everyDTypeArchive() throws -> NPZArchive {
    var entries = [(name: String, array: NumPyArray)]()
    for dtype in NumPyDType.allCases {
        for shape in roundTripShapes {
            entries.append(("\(dtype)_\(shape.count)\(shape.first == 0 ? "_empty" : "")", try sampleArray(dtype, shape: shape)))
        }
    }
    return try NPZArchive(entries)
}

func assertIdentical(_ a: NPZArchive, _ b: NPZArchive, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.names, b.names, file: file, line: line)
    for (x, y) in zip(a.entries, b.entries) {
        XCTAssertTrue(x.array.isIdentical(to: y.array), x.name, file: file, line: line)
    }
}

final class NPZTests: XCTestCase {
    /// Stored, deflated and zip64 archives read back with the same names, order and bits.
    func testRoundTripsInEveryMode() throws {
        let archive = try everyDTypeArchive()
        let modes: [(NPZCompression, Bool)] = [(.stored, false), (.deflated, false), (try .deflated(level: 9), false),
                                               (try .deflated(level: 0), false), (.stored, true), (.deflated, true)]
        for (compression, zip64) in modes {
            let data = try archive.npzData(compression: compression, forceZip64: zip64)
            assertIdentical(try NPZArchive(npzData: data), archive)
        }
    }

    /// Stored members are byte-for-byte the arrays' `.npy` images (as `numpy.savez` stores them).
    func testStoredMembersAreTheNPYImages() throws {
        let array = try sampleArray(.float32, shape: [2, 3, 4])
        let data = try NPZArchive([("a", array)]).npzData()
        let npy = try array.npyData()
        XCTAssertNotNil(data.range(of: npy))
        XCTAssertEqual(data.prefix(4), Data([0x50, 0x4B, 0x03, 0x04]))
        XCTAssertNotNil(data.range(of: Data("a.npy".utf8)))
    }

    /// Deflate really compresses compressible data, and output is deterministic.
    func testDeflateCompressesAndOutputIsDeterministic() throws {
        let archive = try NPZArchive([("zeros", try NumPyArray([Float](repeating: 0, count: 100_000), shape: [100_000]))])
        let stored = try archive.npzData()
        let deflated = try archive.npzData(compression: .deflated)
        XCTAssertGreaterThan(stored.count, 400_000)
        XCTAssertLessThan(deflated.count, 2_000)
        XCTAssertEqual(try archive.npzData(compression: .deflated), deflated)
        XCTAssertEqual(try NPZArchive(npzData: deflated), archive)
    }

    /// More than 65535 members switch to zip64 end records automatically.
    func testManyMembersUseZip64Automatically() throws {
        let small = try NumPyArray([1] as [UInt8], shape: [1])
        var archive = NPZArchive()
        for i in 0..<65_540 { archive.set(small, named: "a\(i)") }
        let data = try archive.npzData()
        XCTAssertNotNil(data.range(of: Data([0x50, 0x4B, 0x06, 0x06])), "zip64 end of central directory record")
        let back = try NPZArchive(npzData: data)
        XCTAssertEqual(back.names.count, 65_540)
        XCTAssertEqual(back.names.last, "a65539")
        XCTAssertEqual(back["a65539"], small)
    }

    /// The ordered API: set replaces in place, remove, lookups, dictionary initialiser order.
    func testOrderedArchiveAPI() throws {
        let a = try NumPyArray([1] as [Float], shape: [1])
        let b = try NumPyArray([2] as [Double], shape: [1])
        var archive = try NPZArchive([("z", a), ("y", b)])
        XCTAssertEqual(archive.names, ["z", "y"])
        archive.set(b, named: "z")
        XCTAssertEqual(archive.names, ["z", "y"])
        XCTAssertEqual(archive["z"], b)
        archive.set(a, named: "x")
        XCTAssertEqual(archive.names, ["z", "y", "x"])
        XCTAssertEqual(archive.remove(named: "y"), b)
        XCTAssertNil(archive.remove(named: "y"))
        XCTAssertEqual(archive.names, ["z", "x"])
        XCTAssertEqual(try archive.array(named: "x"), a)
        let error = assertNumPyError(try archive.array(named: "nope"), kind: "arrayNotFound", path: nil)
        XCTAssertTrue(error?.description.contains("'z', 'x'") ?? false)
        XCTAssertEqual(NPZArchive(["b": b, "a": a]).names, ["a", "b"])
        assertNumPyError(try NPZArchive([("d", a), ("d", b)]), kind: "duplicateName", path: nil)
    }

    /// Names with non-ASCII characters and slashes survive (UTF-8 flag set).
    func testUnicodeNames() throws {
        let array = try NumPyArray([3] as [Int64], shape: [1])
        let archive = try NPZArchive([("ε/flow θ", array)])
        let back = try NPZArchive(npzData: try archive.npzData())
        XCTAssertEqual(back.names, ["ε/flow θ"])
        XCTAssertEqual(back["ε/flow θ"], array)
    }

    /// Members that are not `.npy` are listed, not decoded.
    func testNonNPYMembersAreSkippedAndListed() throws {
        let archive = try NPZArchive([("a", try NumPyArray([1] as [UInt8], shape: [1])), ("b", try NumPyArray([2] as [UInt8], shape: [1]))])
        var bytes = [UInt8](try archive.npzData())
        // Rename "a.npy" to "a.txt" in the local header and the central directory.
        let old = Array("a.npy".utf8), new = Array("a.txt".utf8)
        var renamed = 0
        var i = 0
        while i + old.count <= bytes.count {
            if Array(bytes[i..<(i + old.count)]) == old {
                bytes.replaceSubrange(i..<(i + old.count), with: new)
                renamed += 1
            }
            i += 1
        }
        XCTAssertEqual(renamed, 2)
        let back = try NPZArchive(npzData: Data(bytes))
        XCTAssertEqual(back.names, ["b"])
        XCTAssertEqual(back.skippedMembers, ["a.txt"])
    }

    /// Invalid names and levels are typed errors; writing names the destination.
    func testInvalidNamesLevelsAndDestinations() throws {
        let array = try NumPyArray([1] as [Float], shape: [1])
        assertNumPyError(try NPZArchive([("", array)]).npzData(), kind: "invalidName", path: nil, member: ".npy")
        let long = String(repeating: "x", count: 70_000)
        assertNumPyError(try NPZArchive([(long, array)]).npzData(), kind: "invalidName", path: nil, member: long + ".npy")
        assertNumPyError(try NPZCompression.deflated(level: 10), kind: "invalidParameter", path: nil)
        assertNumPyError(try NPZCompression.deflated(level: -1), kind: "invalidParameter", path: nil)
        let directory = try temporaryDirectory(for: self)
        let blocker = directory.appendingPathComponent("file")
        try Data([1]).write(to: blocker)
        let url = blocker.appendingPathComponent("out.npz")
        assertNumPyError(try NPZArchive([("a", array)]).write(to: url), kind: "unwritable", path: url.path)
        let npyURL = blocker.appendingPathComponent("out.npy")
        assertNumPyError(try array.write(to: npyURL), kind: "unwritable", path: npyURL.path)
    }

    /// Files: write then read, errors name the file.
    func testFileRoundTrip() throws {
        let directory = try temporaryDirectory(for: self)
        let url = directory.appendingPathComponent("result.npz")
        let archive = try everyDTypeArchive()
        try archive.write(to: url, compression: .deflated)
        assertIdentical(try NPZArchive(contentsOf: url), archive)
    }
}

final class NPZStreamingTests: XCTestCase {
    /// Streamed arrays, cut into blocks, give the bytes of the in-memory stored archive
    /// (also with zip64 records), and every dtype streams.
    func testStreamedArchivesAreTheStoredArchivesBytes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wow-npz-stream-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let features: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        let labels: [Int64] = [4, 4, 1, 0, 0, 9]
        let archive = try NPZArchive([("features", try NumPyArray(features, shape: [6, 2, 2])),
                                      ("labels", try NumPyArray(labels, shape: [6]))])
        let streamed = [
            try NPZStreamedArray(name: "features", shape: [6, 2, 2],
                                 blocks: [.float32(Array(features[0..<8])), .float32([]), .float32(Array(features[8...]))]),
            try NPZStreamedArray(name: "labels", shape: [6], blocks: [.int64(Array(labels[0..<2])), .int64(Array(labels[2...]))]),
        ]
        for zip64 in [false, true] {
            let url = directory.appendingPathComponent("sub/out\(zip64).npz")
            try NPZArchive.write(streaming: streamed, to: url, forceZip64: zip64)
            XCTAssertEqual(try Data(contentsOf: url), try archive.npzData(compression: .stored, forceZip64: zip64))
        }
        let every = try everyDTypeArchive()
        let url = directory.appendingPathComponent("every.npz")
        try NPZArchive.write(streaming: every.entries.map { try NPZStreamedArray(name: $0.name, shape: $0.array.shape, blocks: [$0.array.elements]) },
                             to: url)
        XCTAssertEqual(try Data(contentsOf: url), try every.npzData())
        // Nothing but the archive is left in the directory (the temporary file was renamed).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["every.npz", "sub"])
    }

    func testStreamedArraysAreChecked() throws {
        assertNumPyError(try NPZStreamedArray(name: "", shape: [1], blocks: [.float32([1])]), kind: "invalidName", path: nil, member: ".npy")
        assertNumPyError(try NPZStreamedArray(name: "a", shape: [3], blocks: [.float32([1]), .float32([2])]),
                         kind: "elementCountMismatch", path: nil, member: "a.npy")
        assertNumPyError(try NPZStreamedArray(name: "a", shape: [2], blocks: [.float32([1]), .int64([2])]),
                         kind: "invalidParameter", path: nil, member: "a.npy")
        assertNumPyError(try NPZStreamedArray(name: "a", shape: [0], blocks: []), kind: "invalidParameter", path: nil, member: "a.npy")
        let a = try NPZStreamedArray(name: "a", shape: [1], blocks: [.float32([1])])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wow-npz-stream-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("dup.npz")
        assertNumPyError(try NPZArchive.write(streaming: [a, a], to: url), kind: "duplicateName", path: url.path)
        // A failed write leaves neither the file nor a temporary one behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
        assertNumPyError(try NPZArchive.write(streaming: [a], to: URL(fileURLWithPath: "/proc/no/such/dir/a.npz")),
                         kind: "unwritable", path: "/proc/no/such/dir/a.npz")
    }
}
