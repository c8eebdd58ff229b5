import XCTest
@testable import MeasureKernels
import LabeledData
import WoWCompute

/// The projected gradients of the sliced engine are packed apart or written over the
/// projections (`SlicedEvaluation.inPlaceGradientBytes`), and the sort orders live in the
/// gradients' storage where they fit (`OrderRows`, all, some or none of the rows): every
/// layout must give the same bits, for every thread count, with fresh or recycled storage.
final class GradientLayoutTests: XCTestCase {
    func measure(_ n: Int, _ d: Int, weighted: Bool = false, shift: Float = 0, using rng: inout SeededGenerator) throws -> EmpiricalMeasure {
        let points = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) + shift })
        guard weighted else { return try EmpiricalMeasure(points: points) }
        return try EmpiricalMeasure(points: points, normalizing: (0..<n).map { _ in Float(rng.nextUnitDouble()) + 0.1 })
    }

    /// Every layout and thread count: values and gradients bit for bit, also written into
    /// recycled storage.
    func bits(_ kernel: some MeasureKernel, _ batch: KernelBatch) throws -> [[UInt64]] {
        let savedThreads = Parallel.threads, savedBytes = SlicedEvaluation.inPlaceGradientBytes
        defer { Parallel.threads = savedThreads; SlicedEvaluation.inPlaceGradientBytes = savedBytes }
        var results = [[UInt64]]()
        for bytes in [savedBytes, 0] {
            SlicedEvaluation.inPlaceGradientBytes = bytes
            for threads in [1, 2, 3] {
                Parallel.threads = threads
                var rng = SeededGenerator(seed: 21)
                var recycling = batch.measures.map { Optional(Matrix(rows: $0.count, columns: $0.dimension, repeating: .nan)) }
                for recycle in [false, true] {
                    var none = [Matrix?]()
                    let result = recycle ? try kernel.checkedEvaluate(batch, recycling: &recycling, using: &rng)
                                         : try kernel.checkedEvaluate(batch, recycling: &none, using: &rng)
                    results.append(result.values.map(\.bitPattern)
                                   + result.gradients.compactMap { $0 }.flatMap { $0.storage.map { UInt64($0.bitPattern) } })
                    rng = SeededGenerator(seed: 21)
                }
            }
        }
        return results
    }

    func testBothLayoutsGiveTheSameBits() throws {
        var rng = SeededGenerator(seed: 8)
        // Equal sizes (fused), sizes dividing one another (block summaries and block
        // groups), a size dividing none (general terms), self-pairs; d = 19 and L = 37
        // (a short last register tile, one depth block).
        let uniform = try [measure(30, 19, using: &rng), measure(30, 19, shift: 1, using: &rng), measure(10, 19, using: &rng),
                           measure(15, 19, shift: -1, using: &rng), measure(7, 19, using: &rng)]
        var pairs = [KernelPair]()
        for i in 0..<2 {
            pairs.append(KernelPair(i, i, firstGradientWeight: 0.5))
            for j in 0..<uniform.count where j != i {
                pairs.append(KernelPair(i, j, firstGradientWeight: j < 2 ? 0.25 : -0.2, secondGradientWeight: j == 2 ? 0.3 : 0))
            }
        }
        let batch = KernelBatch(measures: uniform, pairs: pairs)
        let weighted = KernelBatch(measures: try [measure(12, 19, weighted: true, using: &rng), measure(12, 19, using: &rng),
                                                  measure(5, 19, weighted: true, shift: 2, using: &rng)],
                                   pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: -0.5),
                                           KernelPair(0, 2, firstGradientWeight: 0.7), KernelPair(1, 2, secondGradientWeight: 2)])
        // Two depth blocks in the map back (L = 900 > 800).
        let deep = KernelBatch(measures: try [measure(14, 6, using: &rng), measure(7, 6, shift: 1, using: &rng)],
                               pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: 1)])
        // d >= L: every sort order fits in the gradients' storage until the map back.
        let wide = KernelBatch(measures: try [measure(24, 48, using: &rng), measure(24, 48, shift: 1, using: &rng), measure(8, 48, using: &rng)],
                               pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: -1), KernelPair(0, 2, firstGradientWeight: 0.5),
                                       KernelPair(1, 2, firstGradientWeight: 0.5), KernelPair(2, 2)])
        let cases: [(String, any MeasureKernel, KernelBatch)] = [
            ("wide", try RieszSW(slicing: Slicing(projections: 20)), wide),
            ("riesz", try RieszSW(slicing: Slicing(projections: 37)), batch),
            ("gaussian", try GaussianSW(bandwidth: 0.5, slicing: Slicing(projections: 37)), batch),
            ("sliced W1", try LaplaceSW(bandwidth: 1, slicing: Slicing(projections: 37)), batch),
            ("percentiles", try RieszSW(slicing: Slicing(projections: 37, estimator: .referencePercentiles(percentiles: 20, levels: 9))), batch),
            ("weighted", try RieszSW(slicing: Slicing(projections: 37)), weighted),
            ("deep", try GaussianSW(bandwidth: 2, slicing: Slicing(projections: 900)), deep),
        ]
        for (name, kernel, batch) in cases {
            let results = try bits(kernel, batch)
            XCTAssertGreaterThan(results[0].count, batch.pairs.count, name)
            for (index, result) in results.enumerated() { XCTAssertEqual(result, results[0], "\(name): run \(index)") }
        }
    }
}
