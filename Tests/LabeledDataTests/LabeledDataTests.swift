import Foundation
import XCTest
import LabeledData
import WoWCompute

final class LabeledDataTests: XCTestCase {
    func testGroupsPointsByLabelWithUnequalClassSizes() throws {
        let points = try Matrix(rowArrays: [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]])
        let data = try LabeledDataset(points: points, labels: [7, 3, 7, 7, 3])
        XCTAssertEqual(data.classCount, 2)
        XCTAssertEqual(data.labels, ["3", "7"])
        XCTAssertEqual(data.classes.map(\.count), [2, 3])
        XCTAssertEqual(data.classes[1].points.row(2), [3, 3])
        XCTAssertEqual(data.classWeights, [0.5, 0.5])
        XCTAssertEqual(data.pointCount, 5)
    }

    func testAssignCopiesIntoItsOwnStorageAndFallsBackOnOtherShapes() throws {
        let a = try LabeledDataset(classes: [EmpiricalMeasure([[1, 2], [3, 4]]), EmpiricalMeasure([[5, 6]])], labels: ["a", "b"])
        var b = try LabeledDataset(classes: [EmpiricalMeasure([[0, 0], [0, 0]]), EmpiricalMeasure([[0, 0]])])
        b.assign(a)
        XCTAssertEqual(b, a)
        // b's storage is its own: moving it leaves a alone.
        b.withUnsafeMutablePoints(ofClass: 0) { $0[0] = 9 }
        XCTAssertEqual(a.classes[0].points[0, 0], 1)
        XCTAssertEqual(b.classes[0].points[0, 0], 9)
        // Different class sizes or weights: plain assignment.
        let c = try LabeledDataset(classes: [EmpiricalMeasure([[1, 2]]), EmpiricalMeasure([[5, 6], [7, 8]])])
        b.assign(c)
        XCTAssertEqual(b, c)
        let weighted = try LabeledDataset(classes: [EmpiricalMeasure(points: Matrix(rowArrays: [[1, 2]]), weights: [1]),
                                                    EmpiricalMeasure([[5, 6], [7, 8]])], classWeights: [0.25, 0.75])
        b.assign(weighted)
        XCTAssertEqual(b, weighted)
    }

    func testLargeDatasetsMoveCopyAndCheckPerClassInParallelWithTheSameBits() throws {
        // 4 classes of 300 x 60 = 72,000 coordinates: above the threshold for one task per class.
        var rng = SeededGenerator(seed: 17)
        func random(_ rows: Int) -> Matrix {
            try! Matrix(rows: rows, columns: 60, storage: (0..<(rows * 60)).map { _ in Float(rng.nextStandardNormal()) })
        }
        let sizes = [300, 250, 350, 300]
        let data = try LabeledDataset(classes: sizes.map { try EmpiricalMeasure(points: random($0)) })
        let field = ParticleField(classes: sizes.map { random($0) })
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var results = [[[UInt32]]]()
        for threads in [1, 2] {
            Parallel.threads = threads
            var moved = data
            moved.translate(by: field, scaledBy: -0.3)
            var copy = data
            copy.assign(moved)
            XCTAssertTrue(copy.isFinite && field.isFinite)
            results.append(copy.classes.map { $0.points.storage.map(\.bitPattern) })
            // Every coordinate is x - 0.3 v.
            for c in sizes.indices {
                for i in [0, 1234, sizes[c] * 60 - 1] {
                    XCTAssertEqual(copy.classes[c].points.storage[i], data.classes[c].points.storage[i] - 0.3 * field.classes[c].storage[i])
                }
            }
            // A NaN in any class, found by the parallel scan.
            for c in sizes.indices {
                var broken = field
                broken.classes[c][sizes[c] - 1, 59] = .nan
                XCTAssertFalse(broken.isFinite, "class \(c)")
                var brokenData = copy
                brokenData.withUnsafeMutablePoints(ofClass: c) { $0[7] = .infinity }
                XCTAssertFalse(brokenData.isFinite, "class \(c)")
            }
        }
        XCTAssertEqual(results[0], results[1])
    }

    func testBadInputGivesTypedErrors() throws {
        XCTAssertThrowsError(try EmpiricalMeasure(points: Matrix(rows: 0, columns: 2))) {
            XCTAssertEqual($0 as? DataError, .emptyMeasure(context: "measure"))
        }
        XCTAssertThrowsError(try EmpiricalMeasure(points: Matrix(rows: 1, columns: 2, storage: [1, .nan]))) {
            XCTAssertEqual($0 as? DataError, .nonFiniteValue(context: "measure points"))
        }
        XCTAssertThrowsError(try EmpiricalMeasure(points: Matrix(rows: 2, columns: 1, storage: [1, 2]), weights: [0.5, 0.6]))
        XCTAssertThrowsError(try EmpiricalMeasure(points: Matrix(rows: 2, columns: 1, storage: [1, 2]), weights: [1.5, -0.5]))
        XCTAssertThrowsError(try EmpiricalMeasure(points: Matrix(rows: 2, columns: 1, storage: [1, 2]), weights: [1]))
        let a = try EmpiricalMeasure([[0, 0]]), b = try EmpiricalMeasure([[0, 0, 0]])
        XCTAssertThrowsError(try LabeledDataset(classes: [a, b])) { error in
            XCTAssertEqual(error as? DataError, .dimensionMismatch(expected: 2, found: 3, context: "class 1"))
            XCTAssertTrue("\(error)".contains("class 1"))
        }
        XCTAssertThrowsError(try LabeledDataset(classes: [])) { XCTAssertEqual($0 as? DataError, .noClasses) }
        XCTAssertThrowsError(try LabeledDataset(classes: [a, a], classWeights: [0.2, 0.2]))
        XCTAssertThrowsError(try LabeledDataset(points: Matrix(rows: 2, columns: 1, storage: [1, .infinity]), labels: [0, 1]))
    }

    func testNormalisingMassesAndSubsets() throws {
        let m = try EmpiricalMeasure(points: Matrix(rowArrays: [[0], [1], [2]]), normalizing: [1, 2, 1])
        XCTAssertEqual(m.weights!, [0.25, 0.5, 0.25])
        XCTAssertEqual(m.mean[0], 1, accuracy: 1e-9)
        let s = try m.subset([1, 2])
        XCTAssertEqual(s.points.storage, [1, 2])
        XCTAssertEqual(s.weights![0], 2 / 3, accuracy: 1e-6)
    }

    func testCSVRoundTripWithHeaderAndLabels() throws {
        let text = "class,x,y\n1,0.5,2\n0,1,-3\n\n# comment\n1,1.5,4\n"
        let data = try LabeledCSV.parse(text)
        XCTAssertEqual(data.labels, ["0", "1"])
        XCTAssertEqual(data.classes[1].points.storage, [0.5, 2, 1.5, 4])
        let again = try LabeledCSV.parse(LabeledCSV.format(data))
        XCTAssertEqual(again, data)
        XCTAssertEqual(try LabeledCSV.parse("0,1,2\n1,3,4").classCount, 2, "header is optional")
        // CRLF line ends (one grapheme in Swift) split like LF.
        XCTAssertEqual(try LabeledCSV.parse("class,x\r\n0,1\r\n1,2\r\n"), try LabeledCSV.parse("class,x\n0,1\n1,2\n"))
        // Only the first line can be a header: a second one is an error naming its line.
        XCTAssertThrowsError(try LabeledCSV.parse("class,a,b\ny,3,4\n0,1,1\n", source: "h.csv")) { error in
            XCTAssertTrue("\(error)".contains("h.csv:2"), "\(error)")
        }
        // Labels that are not integers are written as class indices (names in a comment),
        // so whatever `format` writes, `parse` reads.
        let named = try LabeledDataset(classes: data.classes, labels: ["T-shirt/top", "bag"])
        let written = LabeledCSV.format(named)
        XCTAssertTrue(written.hasPrefix("# classes: 0 = T-shirt/top; 1 = bag\n"), written)
        let read = try LabeledCSV.parse(written)
        XCTAssertEqual(read.labels, ["0", "1"])
        XCTAssertEqual(read.classes, named.classes)
        XCTAssertEqual(LabeledCSV.integerLabels(["0", "17"]), [0, 17])
        XCTAssertNil(LabeledCSV.integerLabels(["0", "-1"]))
        XCTAssertNil(LabeledCSV.integerLabels(["07"]))
    }

    /// The header names the label column anywhere (`CSVLabelColumn`); refused when it
    /// names two, or none over a column it calls a feature.
    func testCSVHeaderNamesTheLabelColumn() throws {
        // `x,y,class`: the label is last, x and y are the features (it used to read x as the label).
        let last = try LabeledCSV.parse("x,y,class\n0.5,1,3\n1.5,2,3\n-1,0.25,7\n")
        XCTAssertEqual(last.labels, ["3", "7"])
        XCTAssertEqual(last.classes[0].points.storage, [0.5, 1, 1.5, 2])
        XCTAssertEqual(last.classes[1].points.storage, [-1, 0.25])
        // `class,x,y`: first, as without a header.
        let first = try LabeledCSV.parse("class,x,y\n3,0.5,1\n3,1.5,2\n7,-1,0.25\n")
        XCTAssertEqual(first, last)
        XCTAssertEqual(try LabeledCSV.parse("3,0.5,1\n3,1.5,2\n7,-1,0.25\n"), last)
        // In the middle, any case, quoted, with spaces; `label`, `labels`, `target`.
        XCTAssertEqual(try LabeledCSV.parse("x, \"Label\" ,y\n0.5,3,1\n1.5,3,2\n-1,7,0.25\n"), last)
        XCTAssertEqual(try LabeledCSV.parse("a,b,TARGET\n0.5,1,3\n1.5,2,3\n-1,0.25,7\n"), last)
        XCTAssertEqual(try LabeledCSV.parse("labels,a,b\n3,0.5,1\n3,1.5,2\n7,-1,0.25\n"), last)
        // `y` is the label without an `x` column, a coordinate next to one.
        XCTAssertEqual(try LabeledCSV.parse("x1,x2,y\n0.5,1,3\n1.5,2,3\n-1,0.25,7\n"), last)
        XCTAssertEqual(try LabeledCSV.parse("x,y,label\n0.5,1,3\n1.5,2,3\n-1,0.25,7\n"), last)
        // A header that names no label column: the first column, if it is not called a feature.
        XCTAssertEqual(try LabeledCSV.parse("kind,a,b\n3,0.5,1\n3,1.5,2\n7,-1,0.25\n"), last)
        // Ambiguous: two label names.
        XCTAssertThrowsError(try LabeledCSV.parse("label,class,x\n0,1,2\n", source: "two.csv")) { error in
            guard case let .malformedFile(path, line, problem)? = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "two.csv")
            XCTAssertEqual(line, 1)
            XCTAssertTrue(problem.contains("more than one label column: 'label' (column 1) and 'class' (column 2)"), problem)
        }
        XCTAssertThrowsError(try LabeledCSV.parse("# a comment\ny,target,b\n0,1,2\n", source: "yt.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("yt.csv:2: the header 'y,target,b' names more than one label column"), "\(error)")
        }
        // No label name and a first column called like a feature: refused, not read as labels.
        for header in ["x,y,z", "x1,x2,x3", "pixel0,pixel1,pixel2", "f_0,f_1,kind"] {
            XCTAssertThrowsError(try LabeledCSV.parse("\(header)\n0,1,2\n1,3,4\n", source: "f.csv")) { error in
                XCTAssertTrue("\(error)".contains("f.csv:1: the header '\(header)' names no label column"), "\(error)")
            }
        }
        // No label name, and the first column does not hold integers.
        XCTAssertThrowsError(try LabeledCSV.parse("kind,a\n0.5,1\n", source: "k.csv")) { error in
            XCTAssertTrue("\(error)".contains("k.csv:2: label '0.5' is not an integer (the header names no label column"), "\(error)")
        }
        // A named label column whose values are not integers, and a header of another width.
        XCTAssertThrowsError(try LabeledCSV.parse("x,y,class\n0,1,2.5\n", source: "c.csv")) { error in
            XCTAssertTrue("\(error)".contains("c.csv:2: label '2.5' is not an integer"), "\(error)")
        }
        XCTAssertThrowsError(try LabeledCSV.parse("x,y,class\n0,1\n", source: "w.csv")) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(path: "w.csv", line: 2, problem: "2 cells, but the header has 3"))
        }
    }

    func testCSVLabelColumnRule() {
        XCTAssertEqual(CSVLabelColumn.resolve(header: nil as [String]?, defaultColumn: 4), .success(4))
        XCTAssertEqual(CSVLabelColumn.resolve(header: ["a", "Class", "b"], defaultColumn: 0), .success(1))
        XCTAssertEqual(CSVLabelColumn.resolve(header: ["a", "b", "c"], defaultColumn: 2), .success(2))
        XCTAssertEqual(CSVLabelColumn.labelCandidates(in: ["x", "y", "class"]), [2])
        XCTAssertEqual(CSVLabelColumn.labelCandidates(in: ["y", "x2"]), [0])
        XCTAssertTrue(CSVLabelColumn.looksLikeFeature("pixel783"))
        XCTAssertTrue(CSVLabelColumn.looksLikeFeature("feature_3"))
        XCTAssertFalse(CSVLabelColumn.looksLikeFeature("kind"))
        XCTAssertFalse(CSVLabelColumn.looksLikeFeature("7"))
        XCTAssertTrue(CSVLabelColumn.isHeader(["x", "", "class"]))
        XCTAssertFalse(CSVLabelColumn.isHeader(["0", "x"]), "a data row with a bad cell")
        XCTAssertFalse(CSVLabelColumn.isHeader(["0", "1e3", "nan"]))
        guard case .failure = CSVLabelColumn.resolve(header: ["p0", "p1"], defaultColumn: 5) else { return XCTFail("a column the header lacks") }
    }

    func testSubsetsAndShapesOutOfRangeAreTypedErrors() throws {
        let m = try EmpiricalMeasure(points: Matrix(rowArrays: [[0], [1], [2]]))
        XCTAssertThrowsError(try m.subset([3])) { XCTAssertEqual($0 as? DataError, .invalidIndex("point index 3 is outside 0..<3")) }
        XCTAssertThrowsError(try m.subset([0, -1])) { XCTAssertTrue($0 is DataError) }
        XCTAssertThrowsError(try Matrix(rows: Int.max, columns: 2, storage: [])) { XCTAssertTrue("\($0)".contains("more than")) }
        var rng = SeededGenerator(seed: 1)
        XCTAssertThrowsError(try SyntheticData.gaussianClasses(classes: .max, pointsPerClass: .max, using: &rng)) {
            XCTAssertTrue($0 is DataError)
        }
    }

    func testMalformedCSVNamesTheLine() {
        XCTAssertThrowsError(try LabeledCSV.parse("0,1,2\n1,3\n", source: "f.csv")) { error in
            XCTAssertEqual(error as? DataError, .malformedFile(path: "f.csv", line: 2, problem: "ragged row: 2 cells, earlier rows have 3"))
        }
        XCTAssertThrowsError(try LabeledCSV.parse("0,1,abc\n", source: "f.csv")) { error in
            XCTAssertTrue("\(error)".contains("f.csv:1"))
            XCTAssertTrue("\(error)".contains("'abc' is not a number"))
        }
        XCTAssertThrowsError(try LabeledCSV.parse("0,1,nan\n"))
        XCTAssertThrowsError(try LabeledCSV.parse("0.5,1,2\n"))
        XCTAssertThrowsError(try LabeledCSV.parse("class,x\n"))
        XCTAssertThrowsError(try LabeledCSV.read(contentsOf: URL(fileURLWithPath: "/nonexistent/file.csv"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/file.csv"))
        }
    }

    func testRingsMatchTheFigureOneSetup() throws {
        let rings = try SyntheticData.rings()
        XCTAssertEqual(rings.classes.map(\.count), [80, 80, 80])
        for (c, centre) in [(0.0, 0.0), (-0.75, 0.0), (-1.5, 0.0)].enumerated() {
            for i in 0..<80 {
                let dx = Double(rings.classes[c].points[i, 0]) - centre.0, dy = Double(rings.classes[c].points[i, 1]) - centre.1
                XCTAssertEqual((dx * dx + dy * dy).squareRoot(), 0.3, accuracy: 1e-6)
            }
        }
        var rng = SeededGenerator(seed: 1)
        let source = try SyntheticData.gaussianClasses(using: &rng)
        XCTAssertEqual(source.classes[0].mean[0], -0.3, accuracy: 0.005)
    }

    static let figureRings = [(0.0, 0.0), (-0.75, 0.0), (-1.5, 0.0)].map { Ring(centreX: $0.0, centreY: $0.1, radius: 0.3) }

    func testRingFitTellsLandedClassesFromUnmovedOnes() throws {
        let rings = try SyntheticData.rings()
        // The target itself, and the target with its classes permuted: every class on a
        // ring of its own, which the fit names.
        let exact = try RingFit(rings, rings: Self.figureRings)
        XCTAssertEqual(exact.classes.map(\.ring), [0, 1, 2])
        XCTAssertTrue(exact.passed)
        XCTAssertNoThrow(try exact.check())
        for fit in exact.classes {
            XCTAssertEqual(fit.meanDistanceToRing, 0, accuracy: 1e-6)
            XCTAssertEqual(fit.meanDistanceToCentre, 0.3, accuracy: 1e-6)
            XCTAssertEqual(fit.spread, 0, accuracy: 1e-6)
            XCTAssertEqual(fit.centreOffset, 0, accuracy: 1e-6)
        }
        let permuted = try RingFit(LabeledDataset(classes: [rings.classes[2], rings.classes[0], rings.classes[1]]), rings: Self.figureRings)
        XCTAssertEqual(permuted.classes.map(\.ring), [2, 0, 1])
        XCTAssertTrue(permuted.passed)

        // The rings' source before any step: a blob touching ring 0. Its points are near the
        // circle (small D) but its mean is a radius away from the centre: not on the ring.
        var rng = SeededGenerator(seed: 0)
        let blob = try RingFit(SyntheticData.gaussianClasses(using: &rng), rings: Self.figureRings)
        XCTAssertEqual(blob.classes.map(\.ring), [0, 0, 0])
        for fit in blob.classes {
            XCTAssertLessThan(fit.meanDistanceToRing, 0.045)
            XCTAssertEqual(fit.centreOffset, 0.3, accuracy: 0.01)
            XCTAssertFalse(fit.isOnRing)
        }
        XCTAssertFalse(blob.passed)
        XCTAssertTrue(blob.problems.contains { $0.hasPrefix("class 1 is not on ring 0 (radius 0.3): its mean lies 0.3") }, "\(blob.problems)")
        XCTAssertTrue(blob.problems.contains("classes 0, 1, 2 all lie nearest ring 0"), "\(blob.problems)")
        XCTAssertThrowsError(try blob.check()) { error in
            guard case let .notOnRings(problems)? = error as? RingFitError else { return XCTFail("\(error)") }
            XCTAssertEqual(problems, blob.problems)
            XCTAssertTrue("\(error)".hasPrefix("ring check failed: class 0 is not on ring 0"), "\(error)")
        }

        // Centred but on a circle of radius 0.4: its points are 0.1 off the ring.
        let wide = try SyntheticData.rings(radius: 0.4, centres: [(0, 0), (-0.75, 0), (-1.5, 0)])
        let off = try RingFit(LabeledDataset(classes: [wide.classes[0], rings.classes[1], rings.classes[2]]), rings: Self.figureRings)
        XCTAssertEqual(off.classes[0].meanDistanceToRing, 0.1, accuracy: 1e-6)
        XCTAssertEqual(off.problems.count, 1)
        XCTAssertTrue(off.problems[0].contains("its points lie 0.1 from it on average"), off.problems[0])
        // A looser tolerance accepts it.
        XCTAssertTrue(try RingFit(LabeledDataset(classes: [wide.classes[0], rings.classes[1], rings.classes[2]]),
                                  rings: Self.figureRings, tolerance: 0.5).passed)
    }

    func testRingFitRefusesWhatItCannotFit() throws {
        let rings = try SyntheticData.rings()
        let cube = try LabeledDataset(classes: [EmpiricalMeasure(points: Matrix(rowArrays: [[0, 0, 0]]))])
        for (dataset, ringList, tolerance, fragment) in [
            (cube, Self.figureRings, 0.15, "not in dimension 3"),
            (rings, [], 0.15, "no rings"),
            (rings, [Ring(centreX: 0, centreY: 0, radius: 0)], 0.15, "positive finite radius"),
            (rings, [Ring(centreX: .nan, centreY: 0, radius: 1)], 0.15, "finite centre"),
            (rings, Self.figureRings, 0, "(0, 1]"),
            (rings, Self.figureRings, .nan, "(0, 1]"),
        ] {
            XCTAssertThrowsError(try RingFit(dataset, rings: ringList, tolerance: tolerance)) { error in
                guard case let .invalidInput(problem)? = error as? RingFitError else { return XCTFail("\(error)") }
                XCTAssertTrue(problem.contains(fragment), problem)
            }
        }
    }
}

final class StreamedCSVTests: XCTestCase {
    /// `LabeledCSV.write(blocks:...)` writes the text `format(points:labels:...)` gives for
    /// the stacked blocks, also past its 1 MiB write chunks, and reads back.
    func testStreamedCSVIsTheFormattedText() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wow-csv-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        var rng = SeededGenerator(seed: 4)
        let a = try Matrix(rows: 3000, columns: 40, storage: (0..<120_000).map { _ in Float(rng.nextStandardNormal()) })
        let b = try Matrix(rowArrays: [[1.5, -0, 1e-30, .greatestFiniteMagnitude, 3, 4, 5, 6, 7, 8] + [Float](repeating: 0.1, count: 30)])
        let stacked = try Matrix(rows: 3001, columns: 40, storage: a.storage + b.storage)
        let labels = [Int](repeating: 7, count: 3000) + [2]
        for classNames in [nil, ["zero", "one", "two", "three", "four", "five", "six", "seven"]] as [[String]?] {
            let url = directory.appendingPathComponent("nested/out.csv")
            try LabeledCSV.write(blocks: [(a, 7), (b, 2)], classNames: classNames, dimension: 40, to: url)
            let expected = LabeledCSV.format(points: stacked, labels: labels, classNames: classNames)
            XCTAssertGreaterThan(expected.utf8.count, 1 << 20)
            XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), expected)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("nested").path), ["out.csv"])
        XCTAssertThrowsError(try LabeledCSV.write(blocks: [(b, 0)], classNames: nil, dimension: 40,
                                                  to: URL(fileURLWithPath: "/proc/no/such/dir/out.csv"))) { error in
            guard case DataError.unwritableFile(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/proc/no/such/dir/out.csv")
        }
        // Blocks or names of another width: a typed error, and no file.
        let bad = directory.appendingPathComponent("bad.csv")
        XCTAssertThrowsError(try LabeledCSV.write(blocks: [(a, 7), (Matrix(rows: 1, columns: 3), 2)], classNames: nil, dimension: 40, to: bad)) {
            XCTAssertEqual($0 as? DataError, .dimensionMismatch(expected: 40, found: 3, context: "columns of CSV block 1"))
        }
        XCTAssertThrowsError(try LabeledCSV.write(blocks: [(a, 7)], classNames: nil, featureNames: ["x"], dimension: 40, to: bad))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bad.path))
    }
}
