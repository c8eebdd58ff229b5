import XCTest
import FlowLaws
import WassersteinFlows

/// Kernels on class means, written as an outside package would write them (only the
/// public API): `K(mu, nu) = <m_mu, m_nu>` (the kernel behind Distribution Matching),
/// whose self-pair gradient does not vanish, and `K = exp(-|m_mu - m_nu|^2 / h)`.
struct MeanInnerProductKernel: MeasureKernel {
    func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                  using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        _ = try batch.validate()
        let means = batch.measures.map(\.mean)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        var values = [Double]()
        for pair in batch.pairs {
            values.append(zip(means[pair.first], means[pair.second]).reduce(0) { $0 + $1.0 * $1.1 })
            // dK/dx_i = a_i m_nu: the Wasserstein gradient is m_nu at every particle.
            accumulate(&gradients, batch, pair.first, means[pair.second], pair.firstGradientWeight)
            accumulate(&gradients, batch, pair.second, means[pair.first], pair.secondGradientWeight)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}

struct MeanGaussianKernel: MeasureKernel {
    var bandwidth = 0.5
    func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                  using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        _ = try batch.validate()
        let means = batch.measures.map(\.mean)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        var values = [Double]()
        for pair in batch.pairs {
            let difference = zip(means[pair.first], means[pair.second]).map { $0 - $1 }
            let k = exp(-difference.reduce(0) { $0 + $1 * $1 } / bandwidth)
            values.append(k)
            // grad in the first argument: -2 K / h (m_mu - m_nu); in the second, its negative.
            let g = difference.map { -2 * k / bandwidth * $0 }
            accumulate(&gradients, batch, pair.first, g, pair.firstGradientWeight)
            accumulate(&gradients, batch, pair.second, g.map { -$0 }, pair.secondGradientWeight)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}

/// Adds `weight * vector` at every particle of measure `index` (no-op for weight 0).
func accumulate(_ gradients: inout [Matrix?], _ batch: KernelBatch, _ index: Int, _ vector: [Double], _ weight: Double) {
    guard weight != 0 else { return }
    let measure = batch.measures[index]
    var g = gradients[index] ?? Matrix(rows: measure.count, columns: measure.dimension)
    for i in 0..<measure.count { for j in 0..<measure.dimension { g[i, j] += Float(weight * vector[j]) } }
    gradients[index] = g
}

extension EmpiricalMeasure {
    /// The weighted mean, in `Double`.
    var mean: [Double] {
        var m = [Double](repeating: 0, count: dimension)
        for i in 0..<count { for j in 0..<dimension { m[j] += Double(weight(i)) * Double(points[i, j]) } }
        return m
    }
}

final class OutsideConformerTests: XCTestCase {
    static func measures(sizes: [Int], d: Int, seed: UInt64) throws -> [EmpiricalMeasure] {
        var rng = SeededGenerator(seed: seed)
        return try sizes.enumerated().map { c, n in
            let points = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) * 0.5 + Float(c) * 0.3 })
            return try EmpiricalMeasure(points: points, normalizing: (0..<n).map { _ in Float(0.5 + rng.nextUnitDouble()) })
        }
    }

    func testMeanKernelsPassTheKernelLaws() throws {
        let measures = try Self.measures(sizes: [7, 9, 5], d: 3, seed: 1)
        XCTAssertEqual(try checkMeasureKernelLaws(MeanInnerProductKernel(), measures: measures), [])
        XCTAssertEqual(try checkMeasureKernelLaws(MeanGaussianKernel(), measures: measures), [])
    }

    /// The MMD gradient with a kernel whose self-pair gradient does not vanish matches
    /// finite differences (it was off by about 7.5% when self-pairs were never asked for).
    func testMMDWithMeanKernelsMatchesFiniteDifferences() throws {
        let source = try LabeledDataset(classes: Self.measures(sizes: [6, 8, 7], d: 3, seed: 2), classWeights: [0.2, 0.3, 0.5])
        let target = try LabeledDataset(classes: Self.measures(sizes: [5, 9], d: 3, seed: 3))
        XCTAssertEqual(checkFunctionalLaws(try MMD(kernel: MeanInnerProductKernel(), target: target), at: source), [])
        XCTAssertEqual(checkFunctionalLaws(try MMD(kernel: MeanGaussianKernel(), target: target), at: source), [])
        XCTAssertEqual(checkFunctionalLaws(try MMD(kernel: GaussianSW(bandwidth: 1, slicing: Slicing(projections: 16)), target: target), at: source), [])
    }

    /// Declaring `selfGradientVanishes` on the inner-product kernel (a false claim) is caught
    /// by the kernel laws and gives a wrong MMD gradient, which the functional laws catch:
    /// both checkers can fail.
    func testAFalseVanishingSelfGradientClaimIsCaught() throws {
        struct Liar: MeasureKernel {
            var selfGradientVanishes: Bool { true }
            func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                          using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
                try MeanInnerProductKernel().evaluate(batch, recycling: &recycling, using: &generator)
            }
        }
        let measures = try Self.measures(sizes: [7, 9, 5], d: 3, seed: 1)
        XCTAssertTrue(try checkMeasureKernelLaws(Liar(), measures: measures).contains { $0.contains("selfGradientVanishes") })
        let source = try LabeledDataset(classes: Self.measures(sizes: [6, 8], d: 3, seed: 2))
        let target = try LabeledDataset(classes: Self.measures(sizes: [5, 9], d: 3, seed: 3))
        XCTAssertFalse(checkFunctionalLaws(try MMD(kernel: Liar(), target: target), at: source).isEmpty)
    }

    /// A flow with the mean kernel drives the class means onto the target's: with
    /// `K = exp(-|m - m'|^2 / h)` the MMD is zero exactly when the means agree.
    func testAFlowWithTheMeanGaussianKernelMatchesTheMeans() throws {
        let source = try LabeledDataset(classes: Self.measures(sizes: [6, 8], d: 2, seed: 4))
        var target = try LabeledDataset(classes: Self.measures(sizes: [5, 9], d: 2, seed: 5))
        target.translate(by: ParticleField(classes: target.classes.map { Matrix(rows: $0.count, columns: 2, repeating: 0.4) }))
        var flow = Flow(functional: try MMD(kernel: MeanGaussianKernel(bandwidth: 2), target: target),
                        integrator: try ExplicitEuler(learningRate: 1), steps: 400)
        var rng = SeededGenerator(seed: 6)
        let result = try flow.run(from: source, using: &rng)
        XCTAssertLessThan(result.losses.last!, 1e-3 * result.losses[0])
    }
}
