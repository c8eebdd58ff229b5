import XCTest
import Datasets

final class DatasetsSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
