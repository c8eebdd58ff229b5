import XCTest
import WassersteinFlows

/// Bad indices, sizes and values given to the product state's public API are typed
/// errors (`BaselineError`), never a trap.
final class BaselineBadInputTests: XCTestCase {
    func testCovarianceOfAMissingOrNonFiniteSampleIsATypedError() throws {
        var state = try Fixture.productState(n: 4, d: 3, seed: 31)
        XCTAssertEqual(try state.covariance(3).dimension, state.labelDimension)
        XCTAssertThrowsError(try state.covariance(4)) {
            XCTAssertEqual($0 as? BaselineError, .invalidParameter("sample index 4 is outside 0..<4"))
        }
        XCTAssertThrowsError(try state.covariance(-1)) { XCTAssertTrue($0 is BaselineError, "\($0)") }
        // Moved directly (outside `Flow`, which rolls such a step back) along a tangent too
        // large for Double, the first covariance overflows to infinity.
        var tangent = GaussianLabeledTangent(zerosLike: state)
        let k = state.labelDimension
        for r in 0..<k { tangent.covariances[r * k + r] = 1e200 }
        state.move(along: tangent)
        XCTAssertFalse(state.isFinite)
        XCTAssertThrowsError(try state.covariance(0)) {
            XCTAssertEqual($0 as? BaselineError, .nonFiniteValue("the covariance of sample 0"))
        }
        XCTAssertNoThrow(try state.covariance(1))
    }

    func testALabelDimensionWhoseEntryCountOverflowsIsATypedError() throws {
        let features = try Matrix(rows: 2, columns: 1, storage: [0, 1])
        XCTAssertThrowsError(try GaussianLabeledSamples(features: features, means: [], covariances: [],
                                                         labelDimension: Int.max, labels: [0, 1])) {
            guard case .invalidParameter? = $0 as? BaselineError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try GaussianLabeledSamples(features: features, means: [], covariances: [],
                                                         labelDimension: 1 << 32, labels: [0, 1])) {
            guard case .invalidParameter? = $0 as? BaselineError else { return XCTFail("\($0)") }
        }
        XCTAssertNoThrow(try GaussianLabeledSamples(features: features, means: [0, 1], covariances: [1, 2],
                                                     labelDimension: 1, labels: [0, 1]))
    }
}
