import XCTest
import WassersteinFlows

final class MMDTests: XCTestCase {
    static func dataset(sizes: [Int], d: Int, seed: UInt64, shift: Float = 0, weighted: Bool = false) throws -> LabeledDataset {
        var rng = SeededGenerator(seed: seed)
        let classes = try sizes.enumerated().map { c, n -> EmpiricalMeasure in
            let points = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) * 0.4 + Float(c) * 0.5 + shift })
            return weighted ? try EmpiricalMeasure(points: points, normalizing: (0..<n).map { _ in Float(0.5 + rng.nextUnitDouble()) })
                            : try EmpiricalMeasure(points: points)
        }
        let total = Double(sizes.reduce(0, +))
        return try LabeledDataset(classes: classes, classWeights: weighted ? sizes.map { Double($0) / total } : nil)
    }

    static let slicing = Slicing(projections: 32)

    func bits(_ field: ParticleField?) -> [[UInt32]] { field?.classes.map { $0.storage.map(\.bitPattern) } ?? [] }
    func addresses(_ field: ParticleField?) -> [UInt] {
        field?.classes.map { $0.storage.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } } ?? []
    }

    func testGradientIntoRecycledStorageMatchesAndIsWrittenInPlace() throws {
        let source = try Self.dataset(sizes: [40, 25, 33], d: 6, seed: 41)
        let target = try Self.dataset(sizes: [30, 20], d: 6, seed: 42, shift: 0.2)
        for (name, kernel) in Self.kernels {
            let mmd = try MMD(kernel: AnyMeasureKernel(kernel), target: target)
            var plainRNG = SeededGenerator(seed: 6), intoRNG = SeededGenerator(seed: 6)
            var gradient: ParticleField?
            var previous: [UInt] = []
            for call in 0..<3 {
                let (value, expected) = try mmd.valueAndGradient(at: source, using: &plainRNG)
                let got = try mmd.valueAndGradient(at: source, into: &gradient, using: &intoRNG)
                XCTAssertEqual(got.bitPattern, value.bitPattern, "\(name), call \(call)")
                XCTAssertEqual(bits(gradient), bits(expected), "\(name), call \(call)")
                // From the second call on, the handed-back gradient's storage is rewritten.
                if call > 0 { XCTAssertEqual(addresses(gradient), previous, "\(name): storage reused, call \(call)") }
                previous = addresses(gradient)
            }
            // A copy the caller keeps is never changed; the recycled one is then a new array.
            let kept = gradient
            let snapshot = bits(kept)
            _ = try mmd.valueAndGradient(at: source, into: &gradient, using: &intoRNG)
            XCTAssertEqual(bits(kept), snapshot, name)
            XCTAssertNotEqual(bits(gradient), snapshot, "\(name): new directions, new gradient")
        }
    }
    static let kernels: [(String, any MeasureKernel & Sendable)] = [
        ("gaussian", try! GaussianSW(bandwidth: 0.5, slicing: slicing)),
        ("riesz", try! RieszSW(exponent: 1, slicing: slicing)),
        ("riesz r=1.5", try! RieszSW(exponent: 1.5, slicing: slicing)),
        ("laplace", try! LaplaceSW(bandwidth: 0.5, slicing: slicing)),
        ("imq", try! IMQSW(bandwidth: 0.2, slicing: slicing)),
    ]

    /// dF/dx_ci = a_c b_ci g_ci: the closed-form WoW gradient against central differences
    /// (same seed in every evaluation, so the same directions).
    func checkFiniteDifferences<K: MeasureKernel>(_ kernel: K, name: String, weighted: Bool) throws {
        let source = try Self.dataset(sizes: [7, 9], d: 3, seed: 31, weighted: weighted)
        let target = try Self.dataset(sizes: [8, 6, 5], d: 3, seed: 32, shift: 0.3, weighted: weighted)
        let mmd = try MMD(kernel: kernel, target: target)
        var rng = SeededGenerator(seed: 5)
        let (_, gradient) = try mmd.valueAndGradient(at: source, using: &rng)
        let epsilon: Float = name == "laplace" ? 1e-4 : 1e-3
        let scale = gradient.classes.flatMap(\.storage).map { abs(Double($0)) }.max()!
        for c in 0..<source.classCount {
            for i in [0, 3] {
                for j in 0..<3 {
                    func perturbed(_ delta: Float) throws -> Double {
                        var field = ParticleField(zerosLike: source)
                        field.classes[c][i, j] = delta
                        var moved = source
                        moved.translate(by: field)
                        var r = SeededGenerator(seed: 5)
                        return try mmd.value(at: moved, using: &r)
                    }
                    let numeric = (try perturbed(epsilon) - perturbed(-epsilon)) / Double(2 * epsilon)
                    let weight = source.classWeights[c] * Double(source.classes[c].weight(i))
                    let analytic = weight * Double(gradient.classes[c][i, j])
                    XCTAssertEqual(numeric, analytic, accuracy: 2e-2 * weight * scale, "\(name) class \(c) particle \(i) coord \(j) weighted \(weighted)")
                }
            }
        }
    }

    func testClosedFormGradientMatchesFiniteDifferencesForEveryKernel() throws {
        for (name, kernel) in Self.kernels {
            try checkFiniteDifferences(AnyMeasureKernel(kernel), name: name, weighted: false)
            try checkFiniteDifferences(AnyMeasureKernel(kernel), name: name, weighted: true)
        }
    }

    func testValueIsZeroAndGradientVanishesWhenSourceIsTarget() throws {
        let data = try Self.dataset(sizes: [10, 12], d: 2, seed: 3)
        for (name, kernel) in Self.kernels {
            let mmd = try MMD(kernel: AnyMeasureKernel(kernel), target: data)
            var rng = SeededGenerator(seed: 1)
            let (value, gradient) = try mmd.valueAndGradient(at: data, using: &rng)
            XCTAssertEqual(value, 0, accuracy: 1e-6, name)
            XCTAssertTrue(gradient.isFinite, name)
            XCTAssertLessThan(gradient.squaredNorm, 1e-10, name)
        }
    }

    func testGaussianMMDIsPositiveAwayFromTheTarget() throws {
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 0.1, slicing: Self.slicing), target: Self.dataset(sizes: [10, 10], d: 2, seed: 4))
        var rng = SeededGenerator(seed: 0)
        XCTAssertGreaterThan(try mmd.value(at: Self.dataset(sizes: [10, 10], d: 2, seed: 5, shift: 0.5), using: &rng), 1e-3)
    }

    func testTargetMinibatchesAreSeededAndSmaller() throws {
        let target = try Self.dataset(sizes: [50, 50], d: 2, seed: 6)
        let source = try Self.dataset(sizes: [10, 10], d: 2, seed: 7)
        let full = try MMD(kernel: RieszSW(slicing: Self.slicing), target: target)
        let batched = try MMD(kernel: RieszSW(slicing: Self.slicing), target: target, targetBatchSize: 5)
        var r1 = SeededGenerator(seed: 8), r2 = SeededGenerator(seed: 8), r3 = SeededGenerator(seed: 8)
        let a = try batched.valueAndGradient(at: source, using: &r1)
        let b = try batched.valueAndGradient(at: source, using: &r2)
        let c = try full.valueAndGradient(at: source, using: &r3)
        XCTAssertEqual(a.value, b.value)
        XCTAssertEqual(a.gradient, b.gradient)
        XCTAssertNotEqual(a.value, c.value)
        XCTAssertThrowsError(try MMD(kernel: RieszSW(), target: target, targetBatchSize: 0))
    }

    /// The target minibatch of each class is `k` distinct points of that class, every
    /// point equally likely: a kernel that records its batches sees the subsets (target
    /// point `i` sits at coordinate `i`, so a subset reads back as indices).
    func testTargetMinibatchesAreUniformSubsetsWithoutReplacement() throws {
        // A class with mutable state: a kernel need not be Sendable.
        final class Recorder: MeasureKernel {
            var batches: [[EmpiricalMeasure]] = []
            func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
                batches.append(batch.measures)
                return KernelBatchResult(values: Array(repeating: 0, count: batch.pairs.count),
                                         gradients: batch.measures.indices.map { i in
                                             batch.needsGradient(i) ? Matrix(rows: batch.measures[i].count, columns: batch.measures[i].dimension) : nil
                                         })
            }
        }
        let sizes = [10, 7, 3], k = 4
        let target = try LabeledDataset(classes: sizes.map { n in
            try EmpiricalMeasure(points: Matrix(rows: n, columns: 1, storage: (0..<n).map(Float.init)))
        })
        let source = try Self.dataset(sizes: [5], d: 1, seed: 3)
        let recorder = Recorder()
        let mmd = try MMD(kernel: recorder, target: target, targetBatchSize: k)
        let draws = 3000
        var counts = sizes.map { [Int](repeating: 0, count: $0) }
        var bad = [String]()
        for seed in 0..<draws {
            var rng = SeededGenerator(seed: UInt64(seed))
            _ = try mmd.valueAndGradient(at: source, using: &rng)
            let measures = recorder.batches.last!
            guard measures.count == 1 + sizes.count else { bad.append("seed \(seed): \(measures.count) measures"); continue }
            for (c, n) in sizes.enumerated() {
                let indices = measures[1 + c].points.storage.map { Int($0) }
                if indices.count != min(k, n) || Set(indices).count != indices.count || !indices.allSatisfy({ (0..<n).contains($0) }) {
                    bad.append("class \(c), seed \(seed): \(indices)")
                }
                for i in indices where (0..<n).contains(i) { counts[c][i] += 1 }
            }
        }
        XCTAssertEqual(recorder.batches.count, draws)
        XCTAssertTrue(bad.isEmpty, "\(bad.count) subsets are not \(k) distinct in-range points, e.g. \(bad.prefix(3))")
        // Each point of a class of n > k is drawn with probability k / n: 1200 of 3000 for
        // n = 10 (standard deviation about 27), 1714 for n = 7 (about 27); allow 10%.
        for (c, n) in sizes.enumerated() {
            let expected = Double(draws) * Double(min(k, n)) / Double(n)
            for (i, count) in counts[c].enumerated() {
                XCTAssertEqual(Double(count), expected, accuracy: 0.1 * expected, "class \(c), point \(i): \(counts[c])")
            }
        }
        // Different seeds give different subsets (the draw is random, not a fixed prefix).
        XCTAssertGreaterThan(Set(recorder.batches.map { $0[1].points.storage }).count, 100)
    }

    func testDimensionMismatchIsATypedError() throws {
        let mmd = try MMD(kernel: RieszSW(slicing: Self.slicing), target: Self.dataset(sizes: [5], d: 3, seed: 1))
        var rng = SeededGenerator(seed: 0)
        XCTAssertThrowsError(try mmd.valueAndGradient(at: Self.dataset(sizes: [5], d: 2, seed: 1), using: &rng)) {
            XCTAssertEqual($0 as? FunctionalError, .dimensionMismatch(state: 2, target: 3))
        }
    }
}
