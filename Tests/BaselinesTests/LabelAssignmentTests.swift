import XCTest
import WassersteinFlows

final class LabelAssignmentTests: XCTestCase {
    /// Target: 5 classes; flowed: the target classes in the order `permutation`, slightly
    /// perturbed (as after a flow that swapped classes).
    func permutedCopy(_ permutation: [Int]) throws -> (flowed: LabeledDataset, target: LabeledDataset) {
        let target = try Fixture.dataset(sizes: [9, 7, 8, 6, 10], d: 3, separation: 1.5, scale: 0.4, seed: 21)
        let names = ["zero", "one", "two", "three", "four"]
        let named = try LabeledDataset(classes: target.classes, labels: names)
        let moved = try Fixture.perturbed(LabeledDataset(classes: permutation.map { target.classes[$0] }), scale: 0.05, seed: 22)
        return (moved, named)
    }

    func testOptimalTransportMatchingRecoversAPermutationOfClasses() throws {
        let permutation = [3, 0, 4, 1, 2]
        let (flowed, target) = try permutedCopy(permutation)
        let matching = try LabelAssignment(flowed: flowed, target: target)
        XCTAssertEqual(matching.mapping, permutation)
        XCTAssertEqual(matching.relabeled(flowed, target: target).labels, ["three", "zero", "four", "one", "two"])
        // Its cost is the mean class cost along the matching, the minimum over permutations.
        let along = (0..<5).reduce(0.0) { $0 + matching.classCosts[$1, permutation[$1]] } / 5
        XCTAssertEqual(matching.cost, along, accuracy: 1e-12)
        for c in 0..<5 { for k in 0..<5 where k != permutation[c] { XCTAssertGreaterThan(matching.classCosts[c, k], matching.classCosts[c, permutation[c]]) } }
    }

    func testNearestNeighbourVoteAgrees() throws {
        let permutation = [1, 4, 0, 2, 3]
        let (flowed, target) = try permutedCopy(permutation)
        let vote = try NearestNeighborVote(flowed: flowed, target: target)
        XCTAssertEqual(vote.mapping, permutation)
        XCTAssertEqual(vote.mapping, try LabelAssignment(flowed: flowed, target: target).mapping)
        for c in 0..<5 {
            XCTAssertEqual(vote.votes[c].reduce(0, +), flowed.classes[c].count)
            XCTAssertEqual(vote.agreement(ofClass: c), 1, "well-separated classes vote unanimously")
        }
    }

    func testMoreFlowedClassesThanTargetClassesShareTargets() throws {
        // Two flowed classes near target class 1, one near target class 0.
        let target = try Fixture.dataset(sizes: [6, 6], d: 2, separation: 3, scale: 0.3, seed: 23)
        let flowed = try LabeledDataset(classes: [target.classes[1], target.classes[0], target.classes[1]])
        let matching = try LabelAssignment(flowed: try Fixture.perturbed(flowed, scale: 0.05, seed: 24), target: target)
        XCTAssertEqual(matching.mapping, [1, 0, 1])
    }
}
