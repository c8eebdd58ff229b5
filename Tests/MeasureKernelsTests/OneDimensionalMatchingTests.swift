import XCTest
@testable import MeasureKernels
import WoWCompute

/// The blocked 1-D matching (sizes dividing one another) against the exact integer walk
/// and the replicated-support brute force.
final class OneDimensionalMatchingTests: XCTestCase {
    func sortedSample(_ count: Int, shift: Float, _ rng: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(rng.nextStandardNormal()) + shift }.sorted()
    }

    func testBlocksEqualTheIntegerWalkInValueAndGradient() {
        var rng = SeededGenerator(seed: 31)
        for (n, m) in [(40, 8), (8, 40), (30, 10), (10, 30), (96, 8), (8, 96), (7, 7)] {
            let s = sortedSample(n, shift: 0.3, &rng), t = sortedSample(m, shift: -0.2, &rng)
            let identityS = (0..<n).map(Int32.init), identityT = (0..<m).map(Int32.init)
            for (cost, type) in [(SliceCost.squared, "squared"), (.absolute, "absolute")] {
                s.withUnsafeBufferPointer { sp in
                    t.withUnsafeBufferPointer { tp in
                        identityS.withUnsafeBufferPointer { os in
                            identityT.withUnsafeBufferPointer { ot in
                                let a = SortedSample(values: sp.baseAddress!, order: os.baseAddress!, count: n, weights: nil)
                                let b = SortedSample(values: tp.baseAddress!, order: ot.baseAddress!, count: m, weights: nil)
                                // Value alone takes the blocks; with a scattered gradient, the walk.
                                var walkGradient = [Float](repeating: 0, count: n)
                                let walked = walkGradient.withUnsafeMutableBufferPointer {
                                    OneDimensionalOT.transport(a, b, cost: cost, gradient: $0.baseAddress!, scale: 0.7)
                                }
                                let blocked = OneDimensionalOT.transport(a, b, cost: cost)
                                XCTAssertEqual(blocked, walked, accuracy: 1e-5 * max(1, walked), "\(type) \(n) vs \(m)")
                                var blockGradient = [Float](repeating: 0, count: n)
                                blockGradient.withUnsafeMutableBufferPointer {
                                    OneDimensionalOT.accumulateSortedGradient(a, b, cost: cost, into: $0.baseAddress!, scale: 0.7)
                                }
                                for i in 0..<n {
                                    XCTAssertEqual(blockGradient[i], walkGradient[i], accuracy: 1e-5, "\(type) \(n) vs \(m), point \(i)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func testFusedEqualSizeSumEqualsPairByPairAccumulation() {
        var rng = SeededGenerator(seed: 32)
        let n = 21
        let s = sortedSample(n, shift: 0, &rng)
        let partners = (0..<4).map { k in sortedSample(n, shift: Float(k) * 0.3, &rng) }
        let coefficients: [Float] = [0.5, -1.25, 2, 0.75]
        let order = (0..<n).map(Int32.init)
        for cost in [SliceCost.squared, .absolute] {
            var expected = [Float](repeating: 0, count: n), fused = [Float](repeating: .nan, count: n)
            s.withUnsafeBufferPointer { sp in
                order.withUnsafeBufferPointer { o in
                    let me = SortedSample(values: sp.baseAddress!, order: o.baseAddress!, count: n, weights: nil)
                    for (t, c) in zip(partners, coefficients) {
                        t.withUnsafeBufferPointer { tp in
                            expected.withUnsafeMutableBufferPointer {
                                OneDimensionalOT.accumulateSortedGradient(me, SortedSample(values: tp.baseAddress!, order: o.baseAddress!, count: n, weights: nil),
                                                                          cost: cost, into: $0.baseAddress!, scale: c)
                            }
                        }
                    }
                    let pointers = partners.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n) }
                    defer { pointers.forEach { $0.deallocate() } }
                    for (p, t) in zip(pointers, partners) { p.update(from: t, count: n) }
                    let table = pointers.map { UnsafePointer($0) }
                    table.withUnsafeBufferPointer { tb in
                        coefficients.withUnsafeBufferPointer { cb in
                            fused.withUnsafeMutableBufferPointer {
                                OneDimensionalOT.sumEqualSizeGradients(sp.baseAddress!, n, partners: tb.baseAddress!, coefficients: cb.baseAddress!,
                                                                       count: 4, cost: cost, into: $0.baseAddress!)
                            }
                        }
                    }
                }
            }
            XCTAssertEqual(fused.map(\.bitPattern), expected.map(\.bitPattern), "\(cost): same terms, same order, same bits")
        }
    }

    func testCombinedBlockPartnersEqualPairByPairAccumulation() {
        var rng = SeededGenerator(seed: 33)
        for (n, m) in [(40, 8), (200, 10), (21, 7), (5, 5), (12, 1)] {
            let s = sortedSample(n, shift: 4, &rng)
            let partners = (0..<3).map { k in sortedSample(m, shift: 4 + Float(k) * 0.3, &rng) }
            let coefficients: [Float] = [0.5, -1.25, 2]
            let order = (0..<max(n, m)).map(Int32.init)
            var expected = [Float](repeating: 0.25, count: n), combined = [Float](repeating: 0.25, count: n)
            var sums = [Float](repeating: .nan, count: m)
            s.withUnsafeBufferPointer { sp in
                order.withUnsafeBufferPointer { o in
                    let me = SortedSample(values: sp.baseAddress!, order: o.baseAddress!, count: n, weights: nil)
                    for (t, c) in zip(partners, coefficients) {
                        t.withUnsafeBufferPointer { tp in
                            expected.withUnsafeMutableBufferPointer {
                                OneDimensionalOT.accumulateSortedGradient(me, SortedSample(values: tp.baseAddress!, order: o.baseAddress!, count: m, weights: nil),
                                                                          cost: .squared, into: $0.baseAddress!, scale: c)
                            }
                        }
                    }
                    let pointers = partners.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: m) }
                    defer { pointers.forEach { $0.deallocate() } }
                    for (p, t) in zip(pointers, partners) { p.update(from: t, count: m) }
                    let table = pointers.map { UnsafePointer($0) }
                    table.withUnsafeBufferPointer { tb in
                        coefficients.withUnsafeBufferPointer { cb in
                            sums.withUnsafeMutableBufferPointer { sb in
                                combined.withUnsafeMutableBufferPointer {
                                    OneDimensionalOT.sumSquaredBlockGradients(sp.baseAddress!, n, partners: tb.baseAddress!, coefficients: cb.baseAddress!,
                                                                              count: 3, blocks: m, sums: sb.baseAddress!, into: $0.baseAddress!)
                                }
                            }
                        }
                    }
                }
            }
            // Data around 4 with unit spread: the combined form rounds at eps * 4 * sum |c|.
            for k in 0..<n {
                XCTAssertEqual(combined[k], expected[k], accuracy: 1e-5, "\(n) vs \(m), point \(k)")
            }
            XCTAssertNotEqual(combined, [Float](repeating: 0.25, count: n), "\(n) vs \(m): gradient added")
        }
    }

    func testBlocksEqualBruteForceOnReplicatedSupports() {
        // 3 vs 6 uniform points: replicate the first twice, then an assignment.
        let s: [Float] = [-1, 0.25, 2], t: [Float] = [-2, -0.5, 0, 0.5, 1, 4]
        let order3: [Int32] = [0, 1, 2], order6: [Int32] = [0, 1, 2, 3, 4, 5]
        let value = s.withUnsafeBufferPointer { sp in t.withUnsafeBufferPointer { tp in
            order3.withUnsafeBufferPointer { o3 in order6.withUnsafeBufferPointer { o6 in
                OneDimensionalOT.transport(SortedSample(values: sp.baseAddress!, order: o3.baseAddress!, count: 3, weights: nil),
                                           SortedSample(values: tp.baseAddress!, order: o6.baseAddress!, count: 6, weights: nil),
                                           cost: .squared)
            } }
        } }
        let replicated: [Float] = [-1, -1, 0.25, 0.25, 2, 2]
        let expected = zip(replicated, t).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +) / 6
        XCTAssertEqual(value, expected, accuracy: 1e-6)
    }
}
