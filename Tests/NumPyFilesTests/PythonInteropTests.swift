import Foundation
import XCTest
import NumPyFiles

/// Live checks against NumPy through `python3` (skipped when python3 or numpy is missing).
final class PythonInteropTests: XCTestCase {
    /// Loads each path with `numpy.load` (pickles disallowed) and prints JSON: for `.npy`
    /// `[dtype.str, shape, tobytes().hex()]`, for `.npz` `{"order": files, "arrays": {...}}`
    /// (only the first and last two arrays of archives with more than 1000 members).
    private let describeScript = """
    import sys, json, numpy as np
    def describe(a):
        return [a.dtype.str, list(a.shape), a.tobytes().hex()]
    out = {}
    for path in sys.argv[1:]:
        if path.endswith(".npz"):
            with np.load(path, allow_pickle=False) as z:
                files = list(z.files)
                shown = files if len(files) <= 1000 else files[:2] + files[-2:]
                out[path] = {"order": files, "arrays": {k: describe(z[k]) for k in shown}}
        else:
            out[path] = describe(np.load(path, allow_pickle=False))
    print(json.dumps(out))
    """

    private func describeWithNumPy(_ urls: [URL]) throws -> [String: Any] {
        guard let result = try runPython(describeScript, arguments: urls.map(\.path)) else {
            throw XCTSkip("python3 cannot be started")
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try XCTUnwrap(json as? [String: Any], result.stdout)
    }

    private func assertNumPyDescription(_ description: Any?, matches array: NumPyArray, _ label: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        guard let triple = description as? [Any], triple.count == 3 else {
            return XCTFail("\(label): no description from NumPy", file: file, line: line)
        }
        XCTAssertEqual(triple[0] as? String, array.dtype.descr, label, file: file, line: line)
        XCTAssertEqual(triple[1] as? [Int], array.shape, label, file: file, line: line)
        XCTAssertEqual(triple[2] as? String, littleEndianHex(array), label, file: file, line: line)
    }

    /// `.npy` files the toolkit writes load in NumPy with the same dtype, shape and bytes.
    func testNumPyLoadsToolkitNPYFilesIdentically() throws {
        try requireNumPy()
        let directory = try temporaryDirectory(for: self)
        var written = [(URL, NumPyArray)]()
        for dtype in NumPyDType.allCases {
            for shape in roundTripShapes {
                let array = try sampleArray(dtype, shape: shape)
                let url = directory.appendingPathComponent("\(dtype)_\(shape.count)_\(shape.first ?? 1).npy")
                try array.write(to: url)
                written.append((url, array))
            }
        }
        let described = try describeWithNumPy(written.map(\.0))
        for (url, array) in written {
            assertNumPyDescription(described[url.path], matches: array, url.lastPathComponent)
        }
    }

    /// `.npz` archives the toolkit writes (stored, deflated, zip64, more than 65535 members)
    /// load in NumPy with the same names, order and bytes.
    func testNumPyLoadsToolkitNPZFilesIdentically() throws {
        try requireNumPy()
        let directory = try temporaryDirectory(for: self)
        let archive = try everyDTypeArchive()
        var unicode = archive
        unicode.set(try NumPyArray([1.25] as [Double], shape: []), named: "ε θ")
        let cases: [(String, NPZArchive, NPZCompression, Bool)] = [
            ("stored.npz", archive, .stored, false),
            ("deflated.npz", archive, .deflated, false),
            ("zip64.npz", archive, .stored, true),
            ("zip64_deflated.npz", unicode, try .deflated(level: 1), true),
        ]
        var urls = [URL]()
        for (name, archive, compression, zip64) in cases {
            let url = directory.appendingPathComponent(name)
            try archive.write(to: url, compression: compression, forceZip64: zip64)
            urls.append(url)
        }
        var many = NPZArchive()
        for i in 0..<65_536 { many.set(NumPyArray(vector: .uint8([UInt8(truncatingIfNeeded: i)])), named: "m\(i)") }
        let manyURL = directory.appendingPathComponent("many.npz")
        try many.write(to: manyURL)
        let described = try describeWithNumPy(urls + [manyURL])
        for ((name, archive, _, _), url) in zip(cases, urls) {
            let npz = described[url.path] as? [String: Any]
            XCTAssertEqual(npz?["order"] as? [String], archive.names, name)
            let arrays = npz?["arrays"] as? [String: Any]
            for entry in archive.entries {
                assertNumPyDescription(arrays?[entry.name], matches: entry.array, "\(name): \(entry.name)")
            }
        }
        let manyDescription = described[manyURL.path] as? [String: Any]
        XCTAssertEqual((manyDescription?["order"] as? [String])?.count, 65_536)
        XCTAssertEqual((manyDescription?["order"] as? [String])?.last, "m65535")
        let manyArrays = manyDescription?["arrays"] as? [String: Any]
        assertNumPyDescription(manyArrays?["m65535"], matches: NumPyArray(vector: .uint8([255])), "many: m65535")
    }

    /// Files NumPy writes now (random data of every dtype, both byte orders, Fortran order,
    /// a multi-block deflate stream) read back with the bytes NumPy reports.
    func testToolkitReadsFreshNumPyFiles() throws {
        try requireNumPy()
        let directory = try temporaryDirectory(for: self)
        let script = """
        import sys, json, os, numpy as np
        d = sys.argv[1]
        rng = np.random.default_rng(20240607)
        arrays = {}
        for code in ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"]:
            raw = rng.integers(0, 256, size=2 * 3 * 5 * np.dtype(code).itemsize, dtype=np.uint8)
            a = raw.view("<" + code if code != "?" else "u1").reshape(2, 3, 5)
            if code == "?":
                a = a % 2 == 0
            arrays["le_" + code] = a
            arrays["be_" + code] = a.astype(a.dtype.newbyteorder(">"))
            arrays["fortran_" + code] = np.asfortranarray(a)
        arrays["large_f8"] = rng.standard_normal((300, 400))
        arrays["scalar_i8"] = np.array(-7, dtype="<i8")
        expected = {}
        for name, a in arrays.items():
            np.save(os.path.join(d, name + ".npy"), a)
            expected[name] = [np.dtype(a.dtype.name).str if a.dtype.itemsize > 1 else a.dtype.str,
                              list(a.shape),
                              np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes().hex()]
        np.savez(os.path.join(d, "all.npz"), **arrays)
        np.savez_compressed(os.path.join(d, "all_compressed.npz"), **arrays)
        print(json.dumps({"order": list(arrays), "expected": expected}))
        """
        guard let result = try runPython(script, arguments: [directory.path]) else {
            throw XCTSkip("python3 cannot be started")
        }
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let order = try XCTUnwrap(json["order"] as? [String])
        let expected = try XCTUnwrap(json["expected"] as? [String: Any])
        XCTAssertEqual(order.count, 38)
        let stored = try NPZArchive(contentsOf: directory.appendingPathComponent("all.npz"), fortranOrder: .convertToCOrder)
        let compressed = try NPZArchive(contentsOf: directory.appendingPathComponent("all_compressed.npz"), fortranOrder: .convertToCOrder)
        XCTAssertEqual(stored.names, order)
        XCTAssertEqual(compressed.names, order)
        for name in order {
            let single = try NumPyArray(contentsOf: directory.appendingPathComponent(name + ".npy"), fortranOrder: .convertToCOrder)
            for (label, array) in [("npy", single), ("savez", stored[name]), ("savez_compressed", compressed[name])] {
                guard let array else { XCTFail("\(label): \(name) missing"); continue }
                assertNumPyDescription(expected[name], matches: array, "\(label): \(name)")
            }
        }
    }
}
