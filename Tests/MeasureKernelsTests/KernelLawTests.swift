import XCTest
import FlowLaws
import WassersteinFlows

/// Every kernel the toolkit ships passes the shared law checker on equal sizes,
/// unequal sizes and non-uniform weights.
final class KernelLawTests: XCTestCase {
    static func measures(sizes: [Int], d: Int, weighted: Bool, seed: UInt64) throws -> [EmpiricalMeasure] {
        var rng = SeededGenerator(seed: seed)
        return try sizes.enumerated().map { c, n in
            let points = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) * 0.5 + Float(c) * 0.3 })
            guard weighted else { return try EmpiricalMeasure(points: points) }
            return try EmpiricalMeasure(points: points, normalizing: (0..<n).map { _ in Float(0.5 + rng.nextUnitDouble()) })
        }
    }

    static let slicing = Slicing(projections: 24)
    static let kernels: [(String, any MeasureKernel & Sendable)] = [
        ("gaussian", try! GaussianSW(bandwidth: 0.1, slicing: slicing)),
        ("riesz r=1", try! RieszSW(exponent: 1, slicing: slicing)),
        ("riesz r=0.5", try! RieszSW(exponent: 0.5, slicing: slicing)),
        ("riesz r=1.5", try! RieszSW(exponent: 1.5, slicing: slicing)),
        ("laplace", try! LaplaceSW(bandwidth: 0.5, slicing: slicing)),
        ("imq", try! IMQSW(bandwidth: 0.1, slicing: slicing)),
        ("riesz, reference estimator", try! RieszSW(slicing: Slicing(projections: 24, estimator: .referencePercentiles()))),
    ]

    func check(sizes: [Int], weighted: Bool) throws {
        let measures = try Self.measures(sizes: sizes, d: 3, weighted: weighted, seed: 21)
        for (name, kernel) in Self.kernels {
            if weighted, name.contains("reference") { continue }
            let violations = try checkMeasureKernelLaws(kernel, measures: measures)
            XCTAssertEqual(violations, [], "\(name), sizes \(sizes), weighted \(weighted)")
        }
    }

    func testLawsEqualSizes() throws { try check(sizes: [12, 12, 12], weighted: false) }

    /// 1601 directions: the projected gradients fill three depth blocks of the map-back
    /// product's panel layout (534, 534, 533 deep), and 17 + 13 = 30 gradient rows, weighted
    /// and not, leave padding in the last 6-row panel on some batches.
    func testLawsWithSeveralDepthBlocksOfDirections() throws {
        let slicing = Slicing(projections: 1601)
        for weighted in [false, true] {
            let measures = try Self.measures(sizes: [17, 13, 10], d: 3, weighted: weighted, seed: 23)
            for (name, kernel) in [("riesz", try RieszSW(exponent: 1, slicing: slicing) as any MeasureKernel & Sendable),
                                   ("gaussian", try GaussianSW(bandwidth: 0.3, slicing: slicing))] {
                XCTAssertEqual(try checkMeasureKernelLaws(kernel, measures: measures), [], "\(name), weighted \(weighted)")
            }
        }
    }
    func testLawsUnequalSizes() throws { try check(sizes: [9, 14, 11], weighted: false) }
    func testLawsWeighted() throws { try check(sizes: [9, 14, 11], weighted: true) }
    /// Sizes dividing one another take the blocked 1-D matching (both directions, block
    /// lengths below and above the 8-lane width).
    func testLawsDividingSizes() throws {
        try check(sizes: [80, 8, 16], weighted: false)
        try check(sizes: [8, 80, 40], weighted: false)
    }

    func testRieszGradientOnCoincidentClassesIsZeroNotNaN() throws {
        let mu = try Self.measures(sizes: [10], d: 2, weighted: false, seed: 1)[0]
        var rng = SeededGenerator(seed: 0)
        let g = try RieszSW(slicing: Slicing(projections: 16)).gradient(of: mu, toward: mu, using: &rng)
        XCTAssertTrue(g.isFinite)
        XCTAssertEqual(g.storage.map(abs).max(), 0)
    }
}
