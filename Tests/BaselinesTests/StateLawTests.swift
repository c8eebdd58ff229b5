import XCTest
import FlowLaws
import WassersteinFlows

/// Both flow states the toolkit ships pass the manifold laws, and every functional on
/// them passes the functional laws (finite differences under its documented scaling).
final class StateLawTests: XCTestCase {
    func testLabeledDatasetsPassTheManifoldLaws() throws {
        let dataset = try Fixture.dataset(sizes: [3, 5], d: 2, seed: 41)
        var tangent = ParticleField(zerosLike: dataset)
        var rng = SeededGenerator(seed: 1)
        for c in tangent.classes.indices {
            for i in 0..<tangent.classes[c].rows { for j in 0..<2 { tangent.classes[c][i, j] = Float(rng.nextStandardNormal()) } }
        }
        var mismatched = tangent
        mismatched.classes[1] = Matrix(rows: 4, columns: 2)
        XCTAssertEqual(checkFlowManifoldLaws(state: dataset, tangent: tangent, zero: ParticleField(zerosLike: dataset),
                                             mismatched: mismatched, distance: largestCoordinateDifference), [])
    }

    func testProductStatesPassTheManifoldLaws() throws {
        let state = try Fixture.productState(n: 4, d: 3, seed: 42)
        var tangent = GaussianLabeledTangent(zerosLike: state)
        var rng = SeededGenerator(seed: 2)
        let k = state.labelDimension
        for e in 0..<(tangent.features.rows * tangent.features.columns) {
            tangent.features[e / tangent.features.columns, e % tangent.features.columns] = Float(rng.nextStandardNormal()) * 0.1
        }
        tangent.means = tangent.means.map { _ in rng.nextStandardNormal() * 0.1 }
        for i in 0..<state.count {  // symmetric covariance directions
            for r in 0..<k { for c in r..<k {
                let v = rng.nextStandardNormal() * 0.05
                tangent.covariances[i * k * k + r * k + c] = v
                tangent.covariances[i * k * k + c * k + r] = v
            } }
        }
        var mismatched = tangent
        mismatched.means.removeLast()
        XCTAssertEqual(checkFlowManifoldLaws(state: state, tangent: tangent, zero: GaussianLabeledTangent(zerosLike: state),
                                             mismatched: mismatched, tolerance: 1e-4, distance: largestCoordinateDifference), [])
    }

    /// The manifold checker can fail: a state whose fused move forgets the factor.
    func testTheManifoldCheckerCatchesAWrongFusedMove() throws {
        struct Sloppy: FlowManifold, Equatable {
            var x: Float
            struct Tangent: TangentVector {
                var v: Float
                mutating func scale(by factor: Float) { v *= factor }
                mutating func add(_ other: Tangent, scaledBy factor: Float) { v += factor * other.v }
                var isFinite: Bool { v.isFinite }
            }
            mutating func move(along tangent: Tangent) { x += tangent.v }
            mutating func move(along tangent: Tangent, scaledBy factor: Float) { x += tangent.v }
        }
        let violations = checkFlowManifoldLaws(state: Sloppy(x: 1), tangent: .init(v: 2), zero: .init(v: 0)) { Double(abs($0.x - $1.x)) }
        XCTAssertTrue(violations.contains { $0.contains("move(along:scaledBy:)") }, "\(violations)")
    }

    /// The MMD with sliced, W2 and BW kernels passes the functional laws under the WoW
    /// scaling, with unequal class weights and non-uniform particle weights.
    func testMMDPassesTheFunctionalLaws() throws {
        let source = try LabeledDataset(classes: Fixture.dataset(sizes: [5, 7], d: 2, seed: 43).classes, classWeights: [0.3, 0.7])
        let target = try Fixture.dataset(sizes: [6, 4, 5], d: 2, seed: 44)
        let kernels: [(String, any MeasureKernel & Sendable)] = [
            ("gaussian SW", try GaussianSW(bandwidth: 1, slicing: Slicing(projections: 16))),
            ("gaussian W2", try GaussianW2(bandwidth: 1)),
            ("riesz BW", try RieszBW()),
        ]
        for (name, kernel) in kernels {
            XCTAssertEqual(checkFunctionalLaws(try MMD(kernel: AnyMeasureKernel(kernel), target: target), at: source), [], name)
        }
    }

    /// The functional checker can fail: an MMD whose gradient forgets to divide by the
    /// class weight.
    func testTheFunctionalCheckerCatchesAWrongScaling() throws {
        struct Unscaled: Functional {
            let mmd: MMD<GaussianSW>
            func valueAndGradient(at state: LabeledDataset, into gradient: inout ParticleField?,
                                  using generator: inout some RandomNumberGenerator) throws -> Double {
                let value = try mmd.valueAndGradient(at: state, into: &gradient, using: &generator)
                for c in state.classes.indices { gradient?.classes[c].scale(by: Float(state.classWeights[c])) }
                return value
            }
        }
        let source = try LabeledDataset(classes: Fixture.dataset(sizes: [5, 7], d: 2, seed: 43).classes, classWeights: [0.3, 0.7])
        let target = try Fixture.dataset(sizes: [6, 4], d: 2, seed: 44)
        let mmd = try MMD(kernel: GaussianSW(bandwidth: 1, slicing: Slicing(projections: 16)), target: target)
        XCTAssertFalse(checkFunctionalLaws(Unscaled(mmd: mmd), at: source).isEmpty)
    }
}
