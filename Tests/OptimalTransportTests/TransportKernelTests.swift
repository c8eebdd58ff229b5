import XCTest
import FlowLaws
import WassersteinFlows

/// The kernels of TransportKernels pass the shared law checker, plug into MMD and the
/// flow driver unchanged, and agree with the solvers they are built on.
final class TransportKernelTests: XCTestCase {
    static let kernels: [(String, any MeasureKernel & Sendable)] = [
        ("gaussian W2", try! GaussianW2(bandwidth: 0.5)),
        ("riesz W2 r=1", try! RieszW2(exponent: 1)),
        ("riesz W2 r=1.5", try! RieszW2(exponent: 1.5)),
        ("gaussian BW", try! GaussianBW(bandwidth: 0.5)),
        ("riesz BW r=1", try! RieszBW(exponent: 1)),
        ("riesz BW r=2", try! RieszBW(exponent: 2)),
    ]

    func check(sizes: [Int], d: Int, weighted: Bool) throws {
        let measures = try Fixture.measures(sizes: sizes, d: d, weighted: weighted, seed: 51)
        for (name, kernel) in Self.kernels {
            let violations = try checkMeasureKernelLaws(kernel, measures: measures)
            XCTAssertEqual(violations, [], "\(name), sizes \(sizes), d \(d), weighted \(weighted)")
        }
    }

    func testLawsEqualSizes() throws { try check(sizes: [12, 12, 12], d: 3, weighted: false) }
    func testLawsUnequalSizes() throws { try check(sizes: [9, 14, 11], d: 3, weighted: false) }
    func testLawsWeighted() throws { try check(sizes: [9, 14, 11], d: 3, weighted: true) }
    func testLawsOnTheLine() throws {
        try check(sizes: [10, 10, 10], d: 1, weighted: false)
        try check(sizes: [9, 14, 11], d: 1, weighted: true)
    }

    /// The checker itself is not vacuous here: a kernel whose gradient has the wrong
    /// scale (missing the factor 2 of `2 (x - T(x))`) is caught.
    func testLawCheckerCatchesAWrongGradient() throws {
        struct HalfGradient: MeasureKernel {
            let base = try! RieszW2(exponent: 2)
            func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
                var result = try base.evaluate(batch, using: &generator)
                for k in result.gradients.indices { result.gradients[k]?.scale(by: 0.5) }
                return result
            }
        }
        let measures = try Fixture.measures(sizes: [8, 9, 10], d: 2, weighted: false, seed: 52)
        XCTAssertFalse(try checkMeasureKernelLaws(HalfGradient(), measures: measures).isEmpty)
    }

    /// The checker also pins the second argument's gradient (`secondGradientWeight`): a
    /// kernel that gets only that gradient's sign wrong is caught, while the same wrapper
    /// with the right sign passes.
    func testLawCheckerCatchesAWrongSecondArgumentGradient() throws {
        struct SplitGradients: MeasureKernel {
            let base = try! RieszW2(exponent: 2)
            let secondSign: Float
            func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
                var firstOnly = batch, secondOnly = batch
                for k in batch.pairs.indices {
                    firstOnly.pairs[k].secondGradientWeight = 0
                    secondOnly.pairs[k].firstGradientWeight = 0
                }
                var result = try base.evaluate(firstOnly, using: &generator)
                let second = try base.evaluate(secondOnly, using: &generator)
                for k in result.gradients.indices {
                    guard let g = second.gradients[k] else { continue }
                    if result.gradients[k] == nil { result.gradients[k] = Matrix(rows: g.rows, columns: g.columns) }
                    result.gradients[k]!.add(g, scaledBy: secondSign)
                }
                return result
            }
        }
        let measures = try Fixture.measures(sizes: [8, 9, 10], d: 2, weighted: false, seed: 52)
        XCTAssertEqual(try checkMeasureKernelLaws(SplitGradients(secondSign: 1), measures: measures), [])
        let violations = try checkMeasureKernelLaws(SplitGradients(secondSign: -1), measures: measures)
        XCTAssertTrue(violations.contains { $0.contains("second argument") }, "\(violations)")
        XCTAssertTrue(violations.contains { $0.contains("batched gradient of measure 1") }, "\(violations)")
    }

    func testValuesMatchTheSolvers() throws {
        let measures = try Fixture.measures(sizes: [7, 10], d: 3, weighted: true, seed: 53)
        let mu = measures[0], nu = measures[1]
        var rng = SeededGenerator(seed: 0)
        let exact = try ExactSolver().solve(TransportProblem(source: mu, target: nu)).cost
        XCTAssertEqual(try ExactWasserstein.squaredDistance(mu, nu), exact, accuracy: 1e-12)
        XCTAssertEqual(try RieszW2(exponent: 2).value(mu, nu, using: &rng), -exact, accuracy: 1e-12)
        XCTAssertEqual(try GaussianW2(bandwidth: 0.3).value(mu, nu, using: &rng), exp(-exact / 0.6), accuracy: 1e-12)
        let bures = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: mu), GaussianSummary(fitting: nu))
        XCTAssertEqual(try RieszBW(exponent: 1).value(mu, nu, using: &rng), -bures.squareRoot(), accuracy: 1e-12)
        // Gelbrich: exact W_2 between the classes is at least BW between their fits.
        XCTAssertGreaterThanOrEqual(exact, bures - 1e-9)
    }

    /// Cross-method consistency (POT's `test_1d_sliced_equals_emd` in spirit): in one
    /// dimension the sorted coupling used by the kernels equals the network simplex.
    func testOneDimensionalPathEqualsTheNetworkSimplex() throws {
        for weighted in [false, true] {
            let measures = try Fixture.measures(sizes: [13, 8], d: 1, weighted: weighted, seed: 54)
            let line = try ExactWasserstein.squaredDistance(measures[0], measures[1])
            let simplex = try ExactSolver().solve(TransportProblem(source: measures[0], target: measures[1])).cost
            XCTAssertLessThan(relativeError(line, simplex), 1e-5, "weighted \(weighted): \(line) vs \(simplex)")
            // And the gradients agree: the 1-D map against the barycentric projection.
            var r1 = SeededGenerator(seed: 0), r2 = SeededGenerator(seed: 0)
            let g1 = try RieszW2(exponent: 2).gradient(of: measures[0], toward: measures[1], using: &r1)
            var padded = [EmpiricalMeasure]()
            for m in measures {
                var storage = [Float]()
                for i in 0..<m.count { storage += [m.points[i, 0], 0] }
                padded.append(try EmpiricalMeasure(points: Matrix(rows: m.count, columns: 2, storage: storage), weights: m.weights))
            }
            let g2 = try RieszW2(exponent: 2).gradient(of: padded[0], toward: padded[1], using: &r2)
            for i in 0..<measures[0].count {
                XCTAssertEqual(g1[i, 0], g2[i, 0], accuracy: 1e-4)
                XCTAssertEqual(g2[i, 1], 0)
            }
        }
    }

    func testPlugsIntoMMDWithFiniteDifferenceGradients() throws {
        let source = try LabeledDataset(classes: Fixture.measures(sizes: [7, 9], d: 2, weighted: true, seed: 55), classWeights: [0.4, 0.6])
        let target = try LabeledDataset(classes: Fixture.measures(sizes: [8, 6, 5], d: 2, weighted: false, seed: 56))
        let kernels: [(String, any MeasureKernel & Sendable)] = [("gaussian W2", try GaussianW2(bandwidth: 0.5)), ("riesz BW", try RieszBW())]
        for (name, kernel) in kernels {
            let mmd = try MMD(kernel: AnyMeasureKernel(kernel), target: target)
            var rng = SeededGenerator(seed: 5)
            let (_, gradient) = try mmd.valueAndGradient(at: source, using: &rng)
            let scale = gradient.classes.flatMap(\.storage).map { abs(Double($0)) }.max()!
            XCTAssertGreaterThan(scale, 1e-3)
            for c in 0..<2 {
                for i in [0, 3] {
                    for k in 0..<2 {
                        func value(_ delta: Float) throws -> Double {
                            var field = ParticleField(zerosLike: source)
                            field.classes[c][i, k] = delta
                            var moved = source
                            moved.translate(by: field)
                            var r = SeededGenerator(seed: 5)
                            return try mmd.value(at: moved, using: &r)
                        }
                        let numeric = (try value(1e-3) - value(-1e-3)) / 2e-3
                        let weight = source.classWeights[c] * Double(source.classes[c].weight(i))
                        XCTAssertEqual(numeric, weight * Double(gradient.classes[c][i, k]), accuracy: 2e-2 * weight * scale,
                                       "\(name) class \(c) particle \(i) coordinate \(k)")
                    }
                }
            }
        }
    }

    func testDrivesAFlow() throws {
        let source = try LabeledDataset(classes: Fixture.measures(sizes: [10, 10], d: 2, weighted: false, seed: 57))
        var target = try LabeledDataset(classes: Fixture.measures(sizes: [12, 8], d: 2, weighted: false, seed: 58))
        var field = ParticleField(zerosLike: target)
        for c in 0..<2 { for i in 0..<field.classes[c].rows { field.classes[c][i, 0] = 1.5 } }
        target.translate(by: field)
        for kernel in [AnyMeasureKernel(try RieszW2()), AnyMeasureKernel(try GaussianBW(bandwidth: 2))] {
            let mmd = try MMD(kernel: kernel, target: target)
            var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.5), steps: 40)
            var rng = SeededGenerator(seed: 1)
            let result = try flow.run(from: source, using: &rng)
            XCTAssertLessThan(result.losses.last!, 0.5 * result.losses.first!, "\(kernel.base): \(result.losses.first!) -> \(result.losses.last!)")
        }
    }

    func testInvalidKernelParametersAreTypedErrors() {
        XCTAssertThrowsError(try GaussianW2(bandwidth: 0))
        XCTAssertThrowsError(try GaussianW2(bandwidth: .nan))
        XCTAssertThrowsError(try RieszW2(exponent: 2.5))
        XCTAssertThrowsError(try RieszW2(exponent: 0))
        XCTAssertThrowsError(try GaussianBW(bandwidth: -1))
        XCTAssertThrowsError(try RieszBW(exponent: 1, ridge: 0)) { error in
            XCTAssertTrue((error as? KernelError)?.description.contains("ridge") ?? false)
        }
        var rng = SeededGenerator(seed: 0)
        let a = try! EmpiricalMeasure([[0, 0], [1, 1]]), b = try! EmpiricalMeasure([[0, 0, 0]])
        XCTAssertThrowsError(try RieszW2().value(a, b, using: &rng)) { error in
            XCTAssertEqual(error as? KernelError, .dimensionMismatch(measure: 1, expected: 2, found: 3))
        }
    }
}
