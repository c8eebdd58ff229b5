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
