import XCTest
import NumPyFiles

final class NumPyFilesSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
