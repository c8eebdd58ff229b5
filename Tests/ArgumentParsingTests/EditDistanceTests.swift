import XCTest
@testable import ArgumentParsing

final class EditDistanceTests: XCTestCase {
    func testDistances() {
        XCTAssertEqual(EditDistance.distance("", "abc"), 3)
        XCTAssertEqual(EditDistance.distance("steps", "steps"), 0)
        XCTAssertEqual(EditDistance.distance("stpes", "steps"), 1, "adjacent transposition costs 1")
        XCTAssertEqual(EditDistance.distance("kitten", "sitting"), 3)
        XCTAssertEqual(EditDistance.distance("lr", "out"), 3)
    }

    func testSuggestionThresholdScalesWithLength() {
        XCTAssertEqual(EditDistance.suggestion(for: "sed", among: ["seed", "steps"]), "seed")
        XCTAssertEqual(EditDistance.suggestion(for: "bandwith", among: ["bandwidth", "kernel"]), "bandwidth")
        XCTAssertEqual(EditDistance.suggestion(for: "Kernel", among: ["kernel"]), "kernel", "case-insensitive")
        XCTAssertNil(EditDistance.suggestion(for: "xy", among: ["lr"]), "2 edits on a 2-letter name is too far")
        XCTAssertNil(EditDistance.suggestion(for: "projection", among: ["out", "seed"]))
        XCTAssertEqual(EditDistance.suggestion(for: "stepz", among: ["steps", "seeds"]), "steps", "closest wins")
    }
}
