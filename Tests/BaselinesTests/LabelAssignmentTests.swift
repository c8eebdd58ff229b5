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
        XCTAssertEqual(try matching.relabeled(flowed, target: target).labels, ["three", "zero", "four", "one", "two"])
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

    /// Target samples as a file holds them: rows in a shuffled class order, labels that
    /// are not `0..<K` in order. Returns the samples (all of the file's class names) and
    /// the labeled dataset of its present classes, as `wow` builds it.
    func targetSamples(labels: [Int], classNames: [String]) throws -> (samples: LabeledSamples, dataset: LabeledDataset) {
        let clouds = try Fixture.dataset(sizes: labels.map { _ in 6 }, d: 3, separation: 2, scale: 0.3, seed: 31)
        var storage = [Float](), rows = [Int]()
        for (c, label) in labels.enumerated() {
            storage.append(contentsOf: clouds.classes[c].points.storage)
            rows.append(contentsOf: repeatElement(label, count: clouds.classes[c].count))
        }
        let samples = try LabeledSamples(features: Matrix(rows: rows.count, columns: 3, storage: storage), labels: rows,
                                         featureShape: .vector(3), classNames: classNames)
        let counts = samples.classCounts
        return (samples, try samples.keepingClasses(counts.indices.filter { counts[$0] > 0 }).labeledDataset())
    }

    /// Every relabelled class must carry, in the written samples, the label of the target
    /// class it was built from: for OT and for the vote, with a non-identity permutation,
    /// target labels with gaps (2, 4, 5, 7, 9 of 0..<10, rows not in label order) and
    /// named classes not in alphabetical order.
    func testRelabelledSamplesCarryTheLabelsOfTheirTargetClasses() throws {
        let cases: [(labels: [Int], names: [String])] = [
            ([7, 2, 9, 4, 5], (0..<10).map(String.init)),
            ([3, 0, 2, 1], ["shirt", "bag", "shoe", "coat"]),
        ]
        for (labels, names) in cases {
            let (samples, target) = try targetSamples(labels: labels, classNames: names)
            let K = target.classCount
            // Flowed class c is target class permutation[c], moved a little: a non-identity
            // permutation (a cyclic shift).
            let permutation = (0..<K).map { ($0 + 2) % K }
            let flowed = try Fixture.perturbed(LabeledDataset(classes: permutation.map { target.classes[$0] }), scale: 0.03, seed: 32)
            // The label a classifier trained on the target gives the points of flowed class c.
            let truth = permutation.map { names.firstIndex(of: target.labels[$0])! }
            XCTAssertNotEqual(truth, Array(0..<K))
            for method in [LabelAssignmentMethod.ot, .nearest] {
                let relabelled = try method.relabeled(flowed, target: target)
                let written = try LabeledSamples(relabelled, featureShape: .vector(3), classNames: samples.classNames)
                XCTAssertEqual(written.classNames, names)
                var row = 0
                for c in 0..<K {
                    let classLabels = Array(written.labels[row..<(row + flowed.classes[c].count)])
                    XCTAssertEqual(classLabels, Array(repeating: truth[c], count: classLabels.count), "\(method) class \(c) of \(names)")
                    // The same points, in order.
                    XCTAssertEqual(Array(written.features.storage[(row * 3)..<((row + classLabels.count) * 3)]), flowed.classes[c].points.storage)
                    row += classLabels.count
                }
            }
            // The matchings' own relabelling agrees with the shared one.
            let matching = try LabelAssignment(flowed: flowed, target: target)
            XCTAssertEqual(matching.mapping, permutation)
            XCTAssertEqual(try matching.relabeled(flowed, target: target), try LabelAssignmentMethod.ot.relabeled(flowed, target: target))
            XCTAssertEqual(try NearestNeighborVote(flowed: flowed, target: target).relabeled(flowed, target: target).labels,
                           permutation.map { target.labels[$0] })
            // `none` keeps the flowed dataset as it is.
            XCTAssertEqual(try LabelAssignmentMethod.none.relabeled(flowed, target: target), flowed)
        }
    }

    func testLabelAssignmentChoicesDefaultsAndBadInput() throws {
        XCTAssertEqual(try LabelAssignmentMethod(parsing: "nearest"), .nearest)
        assertThrows(DatasetDistanceError.invalidParameter("'optimal' is not a label assignment; choose one of ot, nearest, none"),
                     try LabelAssignmentMethod(parsing: "optimal"))
        let three = try Fixture.dataset(sizes: [3, 3, 3], d: 2, seed: 33), two = try Fixture.dataset(sizes: [3, 3], d: 2, seed: 34)
        XCTAssertEqual(LabelAssignmentMethod.defaultMethod(source: three, target: three), .ot)
        XCTAssertEqual(LabelAssignmentMethod.defaultMethod(source: three, target: two), .none, "numbered classes of different counts")
        let namedThree = try LabeledDataset(classes: three.classes, labels: ["a", "b", "c"])
        let namedTwo = try LabeledDataset(classes: two.classes, labels: ["x", "y"])
        XCTAssertEqual(LabelAssignmentMethod.defaultMethod(source: namedThree, target: namedTwo), .ot, "named classes")
        XCTAssertEqual(LabelAssignmentMethod.defaultMethod(source: three, target: namedTwo), .none)
        // A mapping that does not fit is an error, not a trap.
        assertThrows(DatasetDistanceError.invalidParameter("a mapping of 2 classes for a dataset of 3"), try three.relabeled(by: [0, 1], toClassesOf: two))
        assertThrows(DatasetDistanceError.invalidParameter("target class 2 is outside 0..<2"), try three.relabeled(by: [0, 1, 2], toClassesOf: two))
        let matching = try LabelAssignment(flowed: three, target: three)
        XCTAssertThrowsError(try matching.relabeled(three, target: two)) { XCTAssertTrue($0 is DatasetDistanceError, "\($0)") }
        XCTAssertThrowsError(try matching.relabeled(two, target: three)) { XCTAssertTrue($0 is DatasetDistanceError, "\($0)") }
        // Names the class names do not hold, or repeated class names, are refused.
        XCTAssertThrowsError(try LabeledSamples(namedThree, classNames: ["a", "b"])) { error in
            XCTAssertTrue("\(error)".contains("class 'c' is not one of the 2 class names a, b"), "\(error)")
        }
        XCTAssertThrowsError(try LabeledSamples(namedThree, classNames: ["a", "b", "c", "a"])) { error in
            XCTAssertTrue("\(error)".contains("appears twice"), "\(error)")
        }
        // Two classes with one name share its label.
        let shared = try LabeledSamples(LabeledDataset(classes: three.classes, labels: ["y", "x", "y"]), classNames: ["x", "y"])
        XCTAssertEqual(shared.labels, [1, 1, 1, 0, 0, 0, 1, 1, 1])
    }
}
