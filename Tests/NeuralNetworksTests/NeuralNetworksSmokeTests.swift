import XCTest
import NeuralNetworks

final class NeuralNetworksSmokeTests: XCTestCase {
    func testModuleLoads() { XCTAssertTrue(true) }
}
