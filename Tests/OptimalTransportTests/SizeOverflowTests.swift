import XCTest
import WassersteinFlows

/// Sizes whose element count overflows `Int` are typed errors, not an arithmetic trap.
final class SizeOverflowTests: XCTestCase {
    func testCostAndSymmetricMatricesWithOverflowingSizesAreTypedErrors() {
        for (rows, columns) in [(Int.max, 2), (1 << 32, 1 << 32)] {
            XCTAssertThrowsError(try CostMatrix(rows: rows, columns: columns, values: [])) {
                guard case .invalidParameter? = $0 as? OptimalTransportError else { return XCTFail("\($0)") }
            }
        }
        XCTAssertThrowsError(try SymmetricMatrix(dimension: 1 << 32, storage: [])) {
            guard case .invalidParameter? = $0 as? OptimalTransportError else { return XCTFail("\($0)") }
        }
        // Sizes that fit but disagree with the values stay dimension mismatches.
        XCTAssertThrowsError(try CostMatrix(rows: 3, columns: 2, values: [1])) {
            guard case .dimensionMismatch? = $0 as? OptimalTransportError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try SymmetricMatrix(dimension: 2, storage: [1])) {
            guard case .dimensionMismatch? = $0 as? OptimalTransportError else { return XCTFail("\($0)") }
        }
    }
}
