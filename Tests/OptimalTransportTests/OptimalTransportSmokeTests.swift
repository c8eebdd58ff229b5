import XCTest
import WassersteinFlows

final class OptimalTransportSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
