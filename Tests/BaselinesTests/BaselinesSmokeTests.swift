import XCTest
import WassersteinFlows

final class BaselinesSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
