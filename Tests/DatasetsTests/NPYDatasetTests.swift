import Foundation
import XCTest
@testable import Datasets
import FlowLaws
import NumPyFiles
import WoWCompute

final class NPYDatasetTests: XCTestCase {
    func testNPZRoundTripKeepsShapesLabelsAndValues() throws {
        let dir = try temporaryDirectory(self)
        let samples = try makeSamples(counts: [2, 3], shape: .image(channels: 1, height: 1, width: 3))
        try samples.writeNPZ(to: "\(dir)/s.npz")
        let dataset = try NPYDataset(archive: "\(dir)/s.npz")
        XCTAssertEqual(try checkDatasetLaws(dataset), [])
        let back = try dataset.load()
        XCTAssertEqual(back.features, samples.features)
        XCTAssertEqual(back.labels, samples.labels)
        XCTAssertEqual(back.featureShape, .image(channels: 1, height: 1, width: 3))
    }

    func testTwoNPYFilesAndKerasLayout() throws {
        let dir = try temporaryDirectory(self)
        try NumPyArray([UInt8](0..<12), shape: [3, 2, 2]).write(to: URL(fileURLWithPath: "\(dir)/x.npy"))
        try NumPyArray([Int64](arrayLiteral: 1, 0, 1), shape: [3]).write(to: URL(fileURLWithPath: "\(dir)/y.npy"))
        let pair = try NPYDataset(features: "\(dir)/x.npy", labels: "\(dir)/y.npy")
        let samples = try pair.load()
        XCTAssertEqual(samples.featureShape, .image(channels: 1, height: 2, width: 2))
        XCTAssertEqual(samples.valueRange, 0...255, "uint8 features get the 8-bit range")
        XCTAssertEqual(samples.sample(2), [8, 9, 10, 11])
        XCTAssertEqual(try checkDatasetLaws(pair), [])

        let keras = try NPZArchive([
            ("x_train", try NumPyArray([Float](repeating: 0.5, count: 8), shape: [4, 2])),
            ("y_train", try NumPyArray([Int64](arrayLiteral: 0, 1, 2, 1), shape: [4])),
            ("x_test", try NumPyArray([Float](repeating: 1, count: 4), shape: [2, 2])),
            ("y_test", try NumPyArray([Int64](arrayLiteral: 0, 0), shape: [2])),
        ])
        try keras.write(to: URL(fileURLWithPath: "\(dir)/k.npz"))
        let split = try NPYDataset(archive: "\(dir)/k.npz")
        XCTAssertEqual(split.info.splits.map(\.split), [.train, .test])
        XCTAssertEqual(try split.load(.test).classCount, 3, "class names agree across splits")
        XCTAssertEqual(try checkDatasetLaws(split), [])
    }

    func testBadArraysAreTypedErrorsNamingTheFile() throws {
        let dir = try temporaryDirectory(self)
        func write(_ array: NumPyArray, _ name: String) throws { try array.write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }
        try write(try NumPyArray([Float](repeating: 1, count: 6), shape: [3, 2]), "x.npy")
        try write(try NumPyArray([Int64](arrayLiteral: 0, 1), shape: [2]), "short.npy")
        assertDatasetError(["\(dir)/x.npy", "\(dir)/short.npy", "3 feature rows but 2 labels"]) {
            _ = try NPYDataset(features: "\(dir)/x.npy", labels: "\(dir)/short.npy")
        }
        try write(try NumPyArray([0.5, 1, 2] as [Double], shape: [3]), "fraction.npy")
        assertDatasetError(["\(dir)/fraction.npy", "labels"]) {
            _ = try NPYDataset(features: "\(dir)/x.npy", labels: "\(dir)/fraction.npy")
        }
        try write(try NumPyArray([Int64](arrayLiteral: 0, -1, 0), shape: [3]), "negative.npy")
        assertDatasetError(["\(dir)/negative.npy", "negative"]) {
            _ = try NPYDataset(features: "\(dir)/x.npy", labels: "\(dir)/negative.npy")
        }
        try write(try NumPyArray([Float](repeating: 1, count: 3), shape: [3]), "flat.npy")
        assertDatasetError(["\(dir)/flat.npy", "[n, d]"]) {
            _ = try NPYDataset(features: "\(dir)/flat.npy", labels: "\(dir)/negative.npy")
        }
        try write(try NumPyArray([1, .nan, 2, 3, 4, 5] as [Float], shape: [3, 2]), "nan.npy")
        try write(try NumPyArray([Int64](arrayLiteral: 0, 0, 0), shape: [3]), "y.npy")
        assertDatasetError(["\(dir)/nan.npy", "NaN"]) { _ = try NPYDataset(features: "\(dir)/nan.npy", labels: "\(dir)/y.npy") }
        assertDatasetError(["\(dir)/none.npy", "no such file"]) { _ = try NPYDataset(features: "\(dir)/none.npy", labels: "\(dir)/y.npy") }
        try DataFile.write(Array("not numpy".utf8), to: "\(dir)/garbage.npy")
        assertDatasetError(["\(dir)/garbage.npy"]) { _ = try NPYDataset(features: "\(dir)/garbage.npy", labels: "\(dir)/y.npy") }
        try NPZArchive([("a", try NumPyArray([Float](repeating: 1, count: 2), shape: [2]))]).write(to: URL(fileURLWithPath: "\(dir)/a.npz"))
        assertDatasetError(["\(dir)/a.npz", "no features/labels"]) { _ = try NPYDataset(archive: "\(dir)/a.npz") }
        // Splits of different sample shapes, and errors that name the right member.
        try NPZArchive([
            ("x_train", try NumPyArray([Float](repeating: 0.5, count: 8), shape: [4, 2])),
            ("y_train", try NumPyArray([Int64](arrayLiteral: 0, 1, 0, 1), shape: [4])),
            ("x_test", try NumPyArray([Float](repeating: 1, count: 6), shape: [2, 3])),
            ("y_test", try NumPyArray([Int64](arrayLiteral: 0, 1), shape: [2])),
        ]).write(to: URL(fileURLWithPath: "\(dir)/mixed.npz"))
        assertDatasetError(["[x_train]", "[x_test]", "samples of shape 2 and 3"]) { _ = try NPYDataset(archive: "\(dir)/mixed.npz") }
        try NPZArchive([
            ("features", try NumPyArray([Float](repeating: 0.5, count: 8), shape: [4, 2])),
            ("labels", try NumPyArray([Int64](arrayLiteral: 0, 1, 0), shape: [3])),
        ]).write(to: URL(fileURLWithPath: "\(dir)/short.npz"))
        assertDatasetError(["[features]", "[labels]", "4 feature rows but 3 labels"]) { _ = try NPYDataset(archive: "\(dir)/short.npz") }
    }

    /// An `.npy` image with a hand-written header (NumPy format 1.0) and `payload`.
    func npy(header: String, payload: [UInt8]) -> [UInt8] {
        var text = header
        while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
        text += "\n"
        let length = UInt16(text.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(text.utf8) + payload
    }

    func testFortranOrderAndUnsupportedDTypesAreRefused() throws {
        let dir = try temporaryDirectory(self)
        try NumPyArray([Int64](arrayLiteral: 0, 1), shape: [2]).write(to: URL(fileURLWithPath: "\(dir)/y.npy"))
        let fortran = npy(header: "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", payload: [UInt8](repeating: 0, count: 16))
        try DataFile.write(fortran, to: "\(dir)/fortran.npy")
        assertDatasetError(["\(dir)/fortran.npy", "Fortran"]) { _ = try NPYDataset(features: "\(dir)/fortran.npy", labels: "\(dir)/y.npy") }
        let complex = npy(header: "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 1), }", payload: [UInt8](repeating: 0, count: 16))
        try DataFile.write(complex, to: "\(dir)/complex.npy")
        assertDatasetError(["\(dir)/complex.npy", "<c8"]) { _ = try NPYDataset(features: "\(dir)/complex.npy", labels: "\(dir)/y.npy") }
        let truncated = npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", payload: [UInt8](repeating: 0, count: 15))
        try DataFile.write(truncated, to: "\(dir)/truncated.npy")
        assertDatasetError(["\(dir)/truncated.npy"]) { _ = try NPYDataset(features: "\(dir)/truncated.npy", labels: "\(dir)/y.npy") }
        // The same header with the full payload reads (the fixture itself is sound).
        let sound = npy(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", payload: [UInt8](repeating: 0, count: 16))
        try DataFile.write(sound, to: "\(dir)/sound.npy")
        XCTAssertEqual(try NPYDataset(features: "\(dir)/sound.npy", labels: "\(dir)/y.npy").load().count, 2)
    }

    /// NumPy reads what the toolkit writes, and the toolkit reads what NumPy writes.
    func testInteroperatesWithNumPy() throws {
        let dir = try temporaryDirectory(self)
        let samples = try makeSamples(counts: [2, 1])
        try samples.writeNPZ(to: "\(dir)/ours.npz")
        let script = """
        import numpy as np
        d = np.load('\(dir)/ours.npz')
        assert d['features'].dtype == np.float32 and d['features'].shape == (3, 3), d['features'].shape
        assert d['labels'].tolist() == [0, 0, 1]
        assert d['features'][2].tolist() == [1.0, 0.0, 100.0]
        np.savez_compressed('\(dir)/theirs.npz', x=np.arange(12, dtype=np.float64).reshape(4, 3) / 4, y=np.array([2, 0, 1, 2], dtype=np.int32))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw XCTSkip("python3 is not available") }
        process.waitUntilExit()
        if process.terminationStatus != 0 && !FileManager.default.fileExists(atPath: "\(dir)/theirs.npz") {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["python3", "-c", "import numpy"]
            try probe.run()
            probe.waitUntilExit()
            if probe.terminationStatus != 0 { throw XCTSkip("numpy is not installed") }
        }
        XCTAssertEqual(process.terminationStatus, 0, "NumPy rejected the toolkit's archive")
        let theirs = try NPYDataset(archive: "\(dir)/theirs.npz").load()
        XCTAssertEqual(theirs.labels, [2, 0, 1, 2])
        XCTAssertEqual(theirs.features.storage, (0..<12).map { Float($0) / 4 })
    }
}
