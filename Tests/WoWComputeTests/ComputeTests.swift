import XCTest
import WoWCompute

final class GEMMTests: XCTestCase {
    func randomMatrix(_ r: Int, _ c: Int, _ rng: inout SeededGenerator) -> Matrix {
        try! Matrix(rows: r, columns: c, storage: (0..<(r * c)).map { _ in Float(rng.nextStandardNormal()) })
    }

    func naive(_ a: Matrix, _ ta: Transpose, _ b: Matrix, _ tb: Transpose) -> [Double] {
        let A = ta == .none ? a : a.transposed(), B = tb == .none ? b : b.transposed()
        var out = [Double](repeating: 0, count: A.rows * B.columns)
        for i in 0..<A.rows { for j in 0..<B.columns { for p in 0..<A.columns {
            out[i * B.columns + j] += Double(A[i, p]) * Double(B[p, j])
        } } }
        return out
    }

    func testAllTranspositionCasesMatchNaiveProduct() {
        var rng = SeededGenerator(seed: 1)
        let (m, n, k) = (37, 29, 53)
        for ta in [Transpose.none, .transposed] {
            for tb in [Transpose.none, .transposed] {
                let a = ta == .none ? randomMatrix(m, k, &rng) : randomMatrix(k, m, &rng)
                let b = tb == .none ? randomMatrix(k, n, &rng) : randomMatrix(n, k, &rng)
                var c = Matrix(rows: m, columns: n, repeating: 1)
                gemm(ta, tb, alpha: 2, a, b, beta: 0.5, into: &c)
                let reference = naive(a, ta, b, tb)
                for i in 0..<(m * n) {
                    XCTAssertEqual(Double(c.storage[i]), 2 * reference[i] + 0.5, accuracy: 1e-3, "case \(ta) \(tb) element \(i)")
                }
            }
        }
    }

    func testParallelPathWithSeveralDepthBlocksOverwritesGarbageWhenBetaIsZero() {
        // 40 x 50 x 1601: the threaded path, three depth blocks (534, 534, 533); C starts as NaN.
        var rng = SeededGenerator(seed: 7)
        let (m, n, k) = (40, 50, 1601)
        for ta in [Transpose.none, .transposed] {
            for tb in [Transpose.none, .transposed] {
                let a = ta == .none ? randomMatrix(m, k, &rng) : randomMatrix(k, m, &rng)
                let b = tb == .none ? randomMatrix(k, n, &rng) : randomMatrix(n, k, &rng)
                var c = Matrix(rows: m, columns: n, repeating: .nan)
                gemm(ta, tb, alpha: 0.5, a, b, into: &c)
                let reference = naive(a, ta, b, tb)
                var worst = 0.0
                for i in 0..<(m * n) { worst = max(worst, abs(Double(c.storage[i]) - 0.5 * reference[i])) }
                XCTAssertLessThan(worst, 2e-3, "case \(ta) \(tb)")
            }
        }
    }

    func testRowTableOperandsAndOutputsEqualTheStridedProduct() {
        // op(A) = theta (L x d), op(B) = X^T with X's rows spread over three separately
        // stored blocks; then the map back with C written through a row table.
        var rng = SeededGenerator(seed: 8)
        let (L, d) = (70, 330)
        let blocks = [randomMatrix(90, d, &rng), randomMatrix(7, d, &rng), randomMatrix(60, d, &rng)]
        let theta = randomMatrix(L, d, &rng)
        let stacked = try! Matrix(rows: 157, columns: d, storage: blocks.flatMap(\.storage))
        var expected = Matrix(rows: L, columns: 157)
        gemm(.none, .transposed, theta, stacked, into: &expected)
        var got = Matrix(rows: L, columns: 157, repeating: .nan)
        var rowPointers = [UnsafePointer<Float>?]()
        blocks[0].withUnsafeBufferPointer { b0 in
            blocks[1].withUnsafeBufferPointer { b1 in
                blocks[2].withUnsafeBufferPointer { b2 in
                    for (block, base) in zip(blocks, [b0, b1, b2]) {
                        for r in 0..<block.rows { rowPointers.append(base.baseAddress! + r * d) }
                    }
                    theta.withUnsafeBufferPointer { th in
                        got.withUnsafeMutableBufferPointer { out in
                            rowPointers.withUnsafeBufferPointer { table in
                                gemm(m: L, n: 157, k: d, .matrix(th.baseAddress!, leadingDimension: d, .none),
                                     .rows(table.baseAddress!, .transposed), into: .matrix(out.baseAddress!, leadingDimension: 157))
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(got.storage.map(\.bitPattern), expected.storage.map(\.bitPattern), "same blocking, same bits")

        // Map back: C (157 x d) = got^T theta, rows of C in reverse order through a table.
        var reference = Matrix(rows: 157, columns: d)
        gemm(.transposed, .none, got, theta, into: &reference)
        var reversedRows = Matrix(rows: 157, columns: d, repeating: .nan)
        reversedRows.withUnsafeMutableBufferPointer { out in
            let table = (0..<157).map { Optional(out.baseAddress! + (156 - $0) * d) }
            got.withUnsafeBufferPointer { g in
                theta.withUnsafeBufferPointer { th in
                    table.withUnsafeBufferPointer { t in
                        gemm(m: 157, n: d, k: L, .matrix(g.baseAddress!, leadingDimension: 157, .transposed),
                             .matrix(th.baseAddress!, leadingDimension: d, .none), into: .rows(t.baseAddress!))
                    }
                }
            }
        }
        for i in 0..<157 {
            XCTAssertEqual(reversedRows.row(156 - i).map(\.bitPattern), reference.row(i).map(\.bitPattern), "row \(i)")
        }
    }

    func testUnevenRowBlocksForEveryWorkerCountGiveTheSameBits() {
        // 1000 rows = 167 register tiles, cut into 9 blocks for 1 or 3 workers and 10 for 2;
        // two depth blocks of 500; 50 columns (a partial 16-column panel); both stored
        // layouts of each operand, so the transposing packs run with and without leftovers.
        var rng = SeededGenerator(seed: 11)
        let (m, n, k) = (1000, 50, 1000)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for (ta, tb) in [(Transpose.none, Transpose.transposed), (.transposed, .none)] {
            let a = ta == .none ? randomMatrix(m, k, &rng) : randomMatrix(k, m, &rng)
            let b = tb == .none ? randomMatrix(k, n, &rng) : randomMatrix(n, k, &rng)
            var results = [[UInt32]]()
            for threads in [1, 2, 3] {
                Parallel.threads = threads
                var c = Matrix(rows: m, columns: n, repeating: .nan)
                gemm(ta, tb, a, b, into: &c)
                results.append(c.storage.map(\.bitPattern))
                if threads == 1 {
                    for (i, j) in (0..<150).map({ ($0 * 97 % m, $0 * 13 % n) }) + [(m - 1, n - 1), (0, 0), (995, 49)] {
                        var expected = 0.0
                        for p in 0..<k {
                            expected += Double(ta == .none ? a[i, p] : a[p, i]) * Double(tb == .none ? b[p, j] : b[j, p])
                        }
                        XCTAssertEqual(Double(c[i, j]), expected, accuracy: 2e-3, "case \(ta) \(tb) element (\(i), \(j))")
                    }
                }
            }
            XCTAssertEqual(results[0], results[1], "1 vs 2 workers, case \(ta) \(tb)")
            XCTAssertEqual(results[0], results[2], "1 vs 3 workers, case \(ta) \(tb)")
        }
    }

    func testTwoColumnPassesWithASharedPackOfAMatchNaive() {
        // 2100 columns: two passes of 1056 (A, 13 rows in 2 padded panels, packed for each).
        var rng = SeededGenerator(seed: 13)
        let (m, n, k) = (13, 2100, 37)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for ta in [Transpose.none, .transposed] {
            let a = ta == .none ? randomMatrix(m, k, &rng) : randomMatrix(k, m, &rng)
            let b = randomMatrix(n, k, &rng)
            var results = [[UInt32]]()
            for threads in [1, 2] {
                Parallel.threads = threads
                var c = Matrix(rows: m, columns: n, repeating: .nan)
                gemm(ta, .transposed, a, b, into: &c)
                results.append(c.storage.map(\.bitPattern))
                if threads == 1 {
                    for (i, j) in [(0, 0), (12, 2099), (5, 1055), (6, 1056), (11, 1500)] {
                        var expected = 0.0
                        for p in 0..<k { expected += Double(ta == .none ? a[i, p] : a[p, i]) * Double(b[j, p]) }
                        XCTAssertEqual(Double(c[i, j]), expected, accuracy: 1e-3, "\(ta) (\(i), \(j))")
                    }
                    XCTAssertFalse(c.storage.contains { $0.isNaN }, "every element written, \(ta)")
                }
            }
            XCTAssertEqual(results[0], results[1], "\(ta)")
        }
    }

    func testPrePackedFirstOperandGivesTheBitsOfThePackingProduct() {
        // 50 rows (padded to 54), depth 1601 (three blocks of 534, 534, 533), 40 columns;
        // several row blocks (250 and 1000 rows, cut differently for 1, 2 and 3 workers);
        // the serial path, with more rows than one 120-row block (200 x 3 x 9) and fewer.
        var rng = SeededGenerator(seed: 12)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for ((m, n, k), threads) in [(50, 40, 1601), (250, 40, 700), (1000, 17, 300), (200, 3, 9), (7, 5, 9)].flatMap({ s in [1, 2, 3].map { (s, $0) } }) {
            Parallel.threads = threads
            let a = randomMatrix(k, m, &rng), b = randomMatrix(k, n, &rng)
            var expected = Matrix(rows: m, columns: n)
            gemm(.transposed, .none, a, b, into: &expected)
            var packed = [Float](repeating: .nan, count: PackedPanels.count(rows: m, depth: k))
            for i in 0..<PackedPanels.paddedRows(m) {
                for p in 0..<k { packed[PackedPanels.offset(row: i, column: p, rows: m, depth: k)] = i < m ? a[p, i] : 0 }
            }
            XCTAssertFalse(packed.contains { $0.isNaN }, "the layout covers the whole buffer, m = \(m)")
            var got = Matrix(rows: m, columns: n, repeating: .nan)
            packed.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    got.withUnsafeMutableBufferPointer { out in
                        gemm(m: m, n: n, k: k, .packedPanels(pa.baseAddress!, rows: m), .matrix(pb.baseAddress!, leadingDimension: n, .none),
                             into: .matrix(out.baseAddress!, leadingDimension: n))
                    }
                }
            }
            XCTAssertEqual(got.storage.map(\.bitPattern), expected.storage.map(\.bitPattern), "m = \(m), k = \(k), \(threads) workers")
        }
    }

    func testProductIsBitwiseIdenticalForOneAndTwoThreads() {
        var rng = SeededGenerator(seed: 2)
        let a = randomMatrix(200, 64, &rng), b = randomMatrix(90, 64, &rng)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var c1 = Matrix(rows: 200, columns: 90), c2 = Matrix(rows: 200, columns: 90)
        Parallel.threads = 1
        gemm(.none, .transposed, a, b, into: &c1)
        Parallel.threads = 2
        gemm(.none, .transposed, a, b, into: &c2)
        XCTAssertEqual(c1.storage.map(\.bitPattern), c2.storage.map(\.bitPattern))
    }
}

final class ArgSortTests: XCTestCase {
    func testSortsAndReturnsAStablePermutationAcrossSizes() {
        var rng = SeededGenerator(seed: 3)
        let workspace = ArgSort.Workspace()
        var ws = workspace
        for n in [0, 1, 2, 5, 47, 48, 49, 200, 1000] {
            // Coarse values force ties; include negatives, zeros and large magnitudes.
            let keys: [Float] = (0..<n).map { _ in
                let z = Float(rng.nextStandardNormal())
                // `+ 0` turns -0.0 into +0.0: the radix order puts -0 before +0, which
                // the comparison sort used as the reference treats as a tie.
                return (z * 8).rounded() * (rng.next() % 7 == 0 ? 1e20 : 1) + 0
            }
            var sorted = keys
            var order = [Int32](repeating: -1, count: n)
            sorted.withUnsafeMutableBufferPointer { k in
                order.withUnsafeMutableBufferPointer { o in
                    if n > 0 { ArgSort.sort(k.baseAddress!, order: o.baseAddress!, count: n, workspace: &ws) }
                }
            }
            let expected = keys.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
            XCTAssertEqual(sorted, expected.map(\.element), "n = \(n)")
            XCTAssertEqual(order.map(Int.init), expected.map(\.offset), "stable permutation, n = \(n)")
        }
    }

    func testClusteredKeysWithLongEqualHighHalvesSortExactly() {
        // Keys sharing their high 16 bits in long runs (a narrow band far from zero) go
        // through the low-half finishing passes; short runs through insertion sort.
        var rng = SeededGenerator(seed: 9)
        var ws = ArgSort.Workspace()
        for (n, spread) in [(60, Float(1e-5)), (500, 1e-4), (500, 1e-2), (2000, 3e-3), (300, 0)] {
            let keys: [Float] = (0..<n).map { _ in 1000 + spread * Float(rng.nextStandardNormal()) }
            var sorted = keys, keysOnly = keys
            var order = [Int32](repeating: -1, count: n)
            sorted.withUnsafeMutableBufferPointer { k in
                order.withUnsafeMutableBufferPointer { o in ArgSort.sort(k.baseAddress!, order: o.baseAddress!, count: n, workspace: &ws) }
            }
            keysOnly.withUnsafeMutableBufferPointer { k in ArgSort.sortKeys(k.baseAddress!, count: n, workspace: &ws) }
            let expected = keys.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
            XCTAssertEqual(sorted, expected.map(\.element), "n = \(n), spread \(spread)")
            XCTAssertEqual(keysOnly, expected.map(\.element), "keys only, n = \(n), spread \(spread)")
            XCTAssertEqual(order.map(Int.init), expected.map(\.offset), "stable permutation, n = \(n), spread \(spread)")
        }
    }

    func testKeysOnlySortMatchesTheArgsortKeys() {
        var rng = SeededGenerator(seed: 10)
        var ws = ArgSort.Workspace()
        for n in [0, 1, 2, 30, 47, 48, 80, 500, 3000] {
            let keys: [Float] = (0..<n).map { _ in Float(rng.nextStandardNormal()) * (rng.next() % 5 == 0 ? 1e6 : 1) + 0 }
            var a = keys
            a.withUnsafeMutableBufferPointer { k in if n > 0 { ArgSort.sortKeys(k.baseAddress!, count: n, workspace: &ws) } }
            XCTAssertEqual(a, keys.sorted(), "n = \(n)")
        }
    }

    func testNetworkAndRadixGiveTheSameStableSortAtEveryPaddingBoundary() throws {
        // The network pads to a power of two (at least 64): lengths on both sides of every
        // boundary, with ties (coarse values, long equal runs), -0 and +0, infinities and
        // extremes, must give the reference stable order with either method.
        try XCTSkipUnless(ArgSort.networkAvailable, "no AVX2 on this CPU")
        var rng = SeededGenerator(seed: 12)
        var ws = ArgSort.Workspace()
        let lengths = Array(1...70) + [127, 128, 129, 200, 255, 256, 257, 500, 511, 512, 513, 1023, 1024, 1025, 2047, 2048]
        let specials: [Float] = [0, -0.0, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                 .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        for (trial, n) in lengths.enumerated() {
            let keys: [Float] = (0..<n).map { _ in
                switch rng.next() % 10 {
                case 0: return specials[Int(rng.next() % UInt64(specials.count))]
                case 1, 2: return (Float(rng.nextStandardNormal()) * 2).rounded()
                default: return Float(rng.nextStandardNormal()) * (trial % 3 == 0 ? 1e-3 : 1)
                }
            }
            // Reference: by value with -0 before +0, ties by position.
            func signed(_ x: Float) -> Int { x == 0 && x.sign == .minus ? 0 : 1 }
            let expected: [(offset: Int, element: Float)] = keys.enumerated().sorted {
                ($0.element, signed($0.element), $0.offset) < ($1.element, signed($1.element), $1.offset)
            }
            for method in [ArgSort.Method.automatic, .radix] {
                var sorted = keys, keysOnly = keys
                var order = [Int32](repeating: -1, count: n)
                sorted.withUnsafeMutableBufferPointer { k in
                    order.withUnsafeMutableBufferPointer { o in
                        ArgSort.sort(k.baseAddress!, order: o.baseAddress!, count: n, workspace: &ws, method: method)
                    }
                }
                keysOnly.withUnsafeMutableBufferPointer { k in
                    ArgSort.sortKeys(k.baseAddress!, count: n, workspace: &ws, method: method)
                }
                XCTAssertEqual(sorted.map(\.bitPattern), expected.map(\.element.bitPattern), "\(method), n = \(n)")
                XCTAssertEqual(keysOnly.map(\.bitPattern), expected.map(\.element.bitPattern), "keys only, \(method), n = \(n)")
                XCTAssertEqual(order.map(Int.init), expected.map(\.offset), "stable permutation, \(method), n = \(n)")
            }
        }
    }

    func testNetworkArgsortHandsNearlyEqualRowsOverAndStaysExact() {
        // Keys a few units in the last place apart agree on every bit the packed words
        // keep, so the finishing pass would shift O(n^2) keys: the row goes to the radix
        // sort instead. Also a staircase of distinct keys one ulp apart, reversed.
        var rng = SeededGenerator(seed: 13)
        var ws = ArgSort.Workspace()
        let near: [Float] = [1, Float(1).nextUp, Float(1).nextUp.nextUp]
        for n in [5, 20, 47, 64, 200, 500, 2048] {
            let cases: [[Float]] = [
                (0..<n).map { _ in near[Int(rng.next() % 3)] },
                (0..<n).reversed().map { i in (0..<i).reduce(Float(-3)) { x, _ in x.nextUp } },
            ]
            for keys in cases {
                let expected = keys.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
                var sorted = keys
                var order = [Int32](repeating: -1, count: n)
                sorted.withUnsafeMutableBufferPointer { k in
                    order.withUnsafeMutableBufferPointer { o in
                        ArgSort.sort(k.baseAddress!, order: o.baseAddress!, count: n, workspace: &ws)
                    }
                }
                XCTAssertEqual(sorted, expected.map(\.element), "n = \(n)")
                XCTAssertEqual(order.map(Int.init), expected.map(\.offset), "stable permutation, n = \(n)")
            }
        }
    }

    func testNegativeZeroAndExtremesOrderCorrectly() {
        var keys: [Float] = [3, -Float.greatestFiniteMagnitude, 0, -1e-30, Float.greatestFiniteMagnitude, 1e-30, -2]
        keys += Array(repeating: 0.5, count: 60)
        var order = [Int32](repeating: 0, count: keys.count)
        var ws = ArgSort.Workspace()
        let original = keys
        keys.withUnsafeMutableBufferPointer { k in
            order.withUnsafeMutableBufferPointer { o in ArgSort.sort(k.baseAddress!, order: o.baseAddress!, count: k.count, workspace: &ws) }
        }
        XCTAssertEqual(keys, original.sorted())
        XCTAssertEqual(order.map { original[Int($0)] }, keys)
    }
}

final class RandomTests: XCTestCase {
    func testSameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let xa = (0..<100).map { _ in a.next() }, xb = (0..<100).map { _ in b.next() }, xc = (0..<100).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
    }

    func testStandardNormalMoments() {
        var rng = SeededGenerator(seed: 5)
        let n = 200_000
        var sum = 0.0, sum2 = 0.0
        for _ in 0..<n { let z = rng.nextStandardNormal(); sum += z; sum2 += z * z }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(sum2 / Double(n), 1, accuracy: 0.02)
    }

    func testFinitenessScanFindsEveryNonFiniteValueAtEveryPosition() {
        for count in [0, 1, 15, 16, 17, 33, 40] {
            let finite = (0..<count).map { Float($0 % 2 == 0 ? 1 : -1) * (Float($0) + .greatestFiniteMagnitude / 2) }
            XCTAssertTrue(finite.withUnsafeBufferPointer { Matrix.allFinite($0.baseAddress, count: count) }, "\(count)")
            for position in 0..<count {
                for bad in [Float.nan, .infinity, -.infinity, .signalingNaN] {
                    var values = finite
                    values[position] = bad
                    XCTAssertFalse(values.withUnsafeBufferPointer { Matrix.allFinite($0.baseAddress, count: count) }, "\(bad) at \(position) of \(count)")
                }
            }
        }
    }

    func testMatrixShapeErrors() {
        XCTAssertThrowsError(try Matrix(rows: 2, columns: 3, storage: [1, 2, 3]))
        XCTAssertThrowsError(try Matrix(rowArrays: [[1, 2], [3]]))
        XCTAssertFalse(try Matrix(rows: 1, columns: 2, storage: [1, .nan]).isFinite)
        XCTAssertFalse(try Matrix(rows: 1, columns: 2, storage: [1, -.infinity]).isFinite)
        XCTAssertTrue(try Matrix(rows: 1, columns: 2, storage: [1, -3]).isFinite)
    }
}

final class GEMMBlockingTests: XCTestCase {
    /// Wide, short products are split over column blocks: check values and thread
    /// independence on that path too (m < 120, n >= 256), with every transposition.
    func testColumnBlockedPathMatchesNaiveAndIsThreadIndependent() {
        var rng = SeededGenerator(seed: 9)
        func random(_ r: Int, _ c: Int) -> Matrix {
            try! Matrix(rows: r, columns: c, storage: (0..<(r * c)).map { _ in Float(rng.nextStandardNormal()) })
        }
        let (m, n, k) = (10, 300, 70)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for (ta, tb) in [(Transpose.none, Transpose.none), (.transposed, .transposed), (.transposed, .none), (.none, .transposed)] {
            let a = ta == .none ? random(m, k) : random(k, m)
            let b = tb == .none ? random(k, n) : random(n, k)
            let A = ta == .none ? a : a.transposed(), B = tb == .none ? b : b.transposed()
            var results = [[Float]]()
            for threads in [1, 2] {
                Parallel.threads = threads
                var c = Matrix(rows: m, columns: n)
                gemm(ta, tb, a, b, into: &c)
                results.append(c.storage)
            }
            XCTAssertEqual(results[0].map(\.bitPattern), results[1].map(\.bitPattern))
            for i in 0..<m { for j in 0..<n {
                var expected = 0.0
                for p in 0..<k { expected += Double(A[i, p]) * Double(B[p, j]) }
                XCTAssertEqual(Double(results[0][i * n + j]), expected, accuracy: 1e-3)
            } }
        }
    }
}

/// SHA-256 against the FIPS 180-4 example vectors, in one call and incrementally.
final class SHA256Tests: XCTestCase {
    func testKnownDigests() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: 1000)) }
        XCTAssertEqual(hasher.finalize().hexString, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Block boundaries: every split of a 130-byte message gives the one-call digest.
    func testIncrementalUpdatesAgree() {
        let message = (0..<130).map { UInt8($0 * 7 & 255) }
        let whole = SHA256.hex(message)
        for split in [0, 1, 55, 56, 63, 64, 65, 129, 130] {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            XCTAssertEqual(hasher.finalize().hexString, whole, "split \(split)")
        }
    }
}
