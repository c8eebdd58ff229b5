import Foundation
import XCTest
@testable import Datasets
import FlowLaws
import LabeledData
import WoWCompute

final class SamplesTests: XCTestCase {
    func testInitialiserChecksShapesLabelsAndFiniteness() throws {
        let m = try Matrix(rows: 2, columns: 2, storage: [1, 2, 3, 4])
        assertDatasetError(["3 values"]) { _ = try LabeledSamples(features: m, labels: [0, 1], featureShape: .vector(3)) }
        assertDatasetError(["2 feature rows but 1 labels"]) { _ = try LabeledSamples(features: m, labels: [0], featureShape: .vector(2)) }
        assertDatasetError(["label 2"]) { _ = try LabeledSamples(features: m, labels: [0, 2], featureShape: .vector(2), classNames: ["a", "b"]) }
        assertDatasetError(["label -1"]) { _ = try LabeledSamples(features: m, labels: [0, -1], featureShape: .vector(2)) }
        let nan = try Matrix(rows: 1, columns: 1, storage: [.nan])
        assertDatasetError(["NaN"]) { _ = try LabeledSamples(features: nan, labels: [0], featureShape: .vector(1)) }
        let samples = try LabeledSamples(features: m, labels: [1, 1], featureShape: .vector(2))
        XCTAssertEqual(samples.classNames, ["0", "1"])
        XCTAssertEqual(samples.classCounts, [0, 2])
        // A huge label does not name a class per integer up to it.
        assertDatasetError(["too large"]) { _ = try LabeledSamples(features: m, labels: [0, 1 << 40], featureShape: .vector(2)) }
        assertDatasetError(["too large"]) { _ = try LabeledSamples(features: m, labels: [0, .max], featureShape: .vector(2)) }
        assertDatasetError(["too large"]) { try FeatureShape.image(channels: 1 << 32, height: 1 << 32, width: 1).validate() }
        // More per class than there are: an error naming the class, not a huge reservation.
        var rng = SeededGenerator(seed: 0)
        assertDatasetError(["were asked for"]) { _ = try samples.drawing(perClass: .max, using: &rng) }
    }

    func testDrawingPerClassIsWithoutReplacementSeededAndChecked() throws {
        let samples = try makeSamples(counts: [5, 7, 6])
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3), c = SeededGenerator(seed: 4)
        let first = try samples.drawing(perClass: 4, using: &a)
        XCTAssertEqual(first, try samples.drawing(perClass: 4, using: &b))
        XCTAssertNotEqual(first, try samples.drawing(perClass: 4, using: &c))
        XCTAssertEqual(first.labels, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
        for i in 0..<first.count {
            // Feature 0 is the class, feature 2 = 100 class + index: the row is a real row of its class.
            XCTAssertEqual(first.features[i, 0], Float(first.labels[i]))
            XCTAssertEqual(first.features[i, 2], 100 * first.features[i, 0] + first.features[i, 1])
        }
        for label in 0..<3 {
            let picked = first.indices(ofClass: label).map { first.features[$0, 1] }
            XCTAssertEqual(Set(picked).count, 4, "drawn with replacement")
        }
        // Drawing everything is a permutation of the class.
        var d = SeededGenerator(seed: 9)
        let all = try samples.drawing(perClass: 5, using: &d)
        XCTAssertEqual(Set(all.indices(ofClass: 0).map { all.features[$0, 1] }), Set((0..<5).map(Float.init)))
        var e = SeededGenerator(seed: 0)
        assertDatasetError(["class '0' has 5 samples; 6 were asked for"]) { _ = try samples.kShot(6, using: &e) }
        assertDatasetError(["at least 1"]) { _ = try samples.drawing(perClass: 0, using: &e) }
    }

    func testDrawIsUniform() throws {
        // Each of 4 samples of a class is drawn (k = 1) about a quarter of the time.
        let samples = try makeSamples(counts: [4])
        var rng = SeededGenerator(seed: 11)
        var hits = [Int](repeating: 0, count: 4)
        for _ in 0..<4000 { hits[Int(try samples.drawing(perClass: 1, using: &rng).features[0, 1])] += 1 }
        for h in hits { XCTAssertEqual(Double(h), 1000, accuracy: 120) }
    }

    func testKeepingClassesAndSplitting() throws {
        let samples = try makeSamples(counts: [2, 3, 4])
        let kept = try samples.keepingClasses([2, 0])
        XCTAssertEqual(kept.classNames, ["2", "0"])
        XCTAssertEqual(kept.labels, [1, 1, 0, 0, 0, 0])
        XCTAssertEqual(kept.classCounts, [4, 2])
        let unchanged = try samples.keepingClasses([1], relabel: false)
        XCTAssertEqual(unchanged.labels, [1, 1, 1])
        XCTAssertEqual(unchanged.classCount, 3)
        assertDatasetError(["listed twice"]) { _ = try samples.keepingClasses([1, 1]) }
        assertDatasetError(["class 3"]) { _ = try samples.keepingClasses([3]) }
        let (head, tail) = try samples.splittingPerClass(first: 2)
        XCTAssertEqual(head.classCounts, [2, 2, 2])
        XCTAssertEqual(tail.classCounts, [0, 1, 2])
        XCTAssertEqual(tail.features.storage.count + head.features.storage.count, samples.features.storage.count)
        assertDatasetError(["class '0' has 2 samples"]) { _ = try samples.splittingPerClass(first: 3) }
    }

    func testLabeledDatasetGroupsClasses() throws {
        let samples = try makeSamples(counts: [2, 3])
        let dataset = try samples.labeledDataset()
        XCTAssertEqual(dataset.classCount, 2)
        XCTAssertEqual(dataset.classes[1].count, 3)
        XCTAssertEqual(dataset.classes[1].points.row(2), [1, 2, 102])
        XCTAssertEqual(dataset.classWeights, [0.5, 0.5])
        XCTAssertEqual(try samples.labeledDataset(weightedBy: .proportional).classWeights, [0.4, 0.6])
        let withEmpty = try makeSamples(counts: [2, 0, 1])
        assertDatasetError(["class '1' has no samples"]) { _ = try withEmpty.labeledDataset() }
        // Back again.
        let back = try LabeledSamples(dataset)
        XCTAssertEqual(back.features, samples.features)
        XCTAssertEqual(back.labels, samples.labels)
        // Classes named "3" and "5" keep those labels with `integerLabels`; other names
        // keep the class indices.
        let numbered = try LabeledDataset(classes: dataset.classes, labels: ["3", "5"])
        let kept = try LabeledSamples(numbered, integerLabels: true)
        XCTAssertEqual(Set(kept.labels), [3, 5])
        XCTAssertEqual(kept.classNames, ["0", "1", "2", "3", "4", "5"])
        XCTAssertEqual(kept.features, back.features)
        XCTAssertEqual(try LabeledSamples(numbered).labels, back.labels)
        XCTAssertEqual(try LabeledSamples(dataset, integerLabels: true).labels, back.labels, "names that are not integers")
    }

    func testScalingAndNormalisation() throws {
        let m = try Matrix(rows: 1, columns: 4, storage: [0, 51, 255, 102])
        let raw = try LabeledSamples(features: m, labels: [0], featureShape: .image(channels: 1, height: 2, width: 2), valueRange: 0...255)
        let unit = try raw.scaledToUnitInterval()
        XCTAssertEqual(unit.features.storage, [0, 0.2, 1, 0.4])
        XCTAssertEqual(unit.valueRange, 0...1)
        let normal = try unit.normalized(.mnist)
        XCTAssertEqual(normal.features[0, 2], (1 - 0.1307) / 0.3081, accuracy: 1e-6)
        XCTAssertNil(normal.valueRange)
        assertDatasetError(["unknown"]) { _ = try normal.scaledToUnitInterval() }
        assertDatasetError(["3 channels", "1-channel"]) { _ = try unit.normalized(.cifar10) }
        // Per channel: two 1x1 channels.
        let rgb = try LabeledSamples(features: Matrix(rows: 1, columns: 3, storage: [0.5, 0.5, 0.5]), labels: [0],
                                     featureShape: .image(channels: 3, height: 1, width: 1))
        let n = try rgb.normalized(.cifar10)
        XCTAssertEqual(n.features[0, 1], (0.5 - 0.4822) / 0.1994, accuracy: 1e-6)
        XCTAssertEqual(n.features[0, 2], (0.5 - 0.4465) / 0.2010, accuracy: 1e-6)
        // Estimated normalisation makes mean 0 and deviation 1.
        let s = try makeSamples(counts: [3, 4])
        let estimated = try s.normalized(Normalization.estimated(from: s))
        let values = estimated.features.storage.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        XCTAssertEqual(mean, 0, accuracy: 1e-5)
        XCTAssertEqual(variance, 1, accuracy: 1e-4)
        assertDatasetError(["positive"]) { _ = try Normalization(mean: [0], std: [0]) }
    }

    func testBilinearResizeMatchesHalfPixelConvention() throws {
        // PyTorch: F.interpolate(torch.tensor([[[[0.,1.],[2.,3.]]]]), size=(4,4), mode="bilinear", align_corners=False)
        let image = try LabeledSamples(features: Matrix(rows: 1, columns: 4, storage: [0, 1, 2, 3]), labels: [0],
                                       featureShape: .image(channels: 1, height: 2, width: 2), valueRange: 0...3)
        let up = try image.resized(height: 4, width: 4)
        XCTAssertEqual(up.featureShape, .image(channels: 1, height: 4, width: 4))
        let expected: [Float] = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3]
        for (a, b) in zip(up.features.storage, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        // Halving averages 2x2 blocks.
        let big = try LabeledSamples(features: Matrix(rows: 1, columns: 16, storage: (0..<16).map(Float.init)), labels: [0],
                                     featureShape: .image(channels: 1, height: 4, width: 4))
        XCTAssertEqual(try big.resized(height: 2, width: 2).features.storage, [2.5, 4.5, 10.5, 12.5])
        // 8x8 -> 28x28 keeps a constant image constant and the range.
        let flat = try LabeledSamples(features: Matrix(rows: 2, columns: 64, repeating: 7), labels: [0, 1],
                                      featureShape: .image(channels: 1, height: 8, width: 8), valueRange: 0...16)
        let resized = try flat.resized(height: 28, width: 28)
        XCTAssertTrue(resized.features.storage.allSatisfy { abs($0 - 7) < 1e-5 })
        XCTAssertEqual(resized.valueRange, 0...16)
        assertDatasetError(["only images"]) { _ = try makeSamples(counts: [1]).resized(height: 2, width: 2) }
        assertDatasetError(["positive"]) { _ = try flat.resized(height: 0, width: 3) }
    }

    /// Half-pixel bilinear resize (PyTorch `interpolate(mode="bilinear", align_corners=False)`)
    /// of one channel, in `Double`: source coordinate `(o + 0.5) in/out - 0.5`, negative
    /// clamped to 0, neighbours clamped to the last pixel.
    static func bilinearReference(_ plane: [Double], inHeight: Int, inWidth: Int, height: Int, width: Int) -> [Double] {
        func source(_ o: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Double) {
            let position = max(0, (Double(o) + 0.5) * Double(inSize) / Double(outSize) - 0.5)
            let lower = Int(position.rounded(.down))
            return (lower, Swift.min(lower + 1, inSize - 1), position - Double(lower))
        }
        var out: [Double] = []
        for i in 0..<height {
            let (y0, y1, ly) = source(i, inHeight, height)
            for j in 0..<width {
                let (x0, x1, lx) = source(j, inWidth, width)
                let value = (1 - ly) * ((1 - lx) * plane[y0 * inWidth + x0] + lx * plane[y0 * inWidth + x1])
                    + ly * ((1 - lx) * plane[y1 * inWidth + x0] + lx * plane[y1 * inWidth + x1])
                out.append(value)
            }
        }
        return out
    }

    func testBilinearResizeOfNonSquareMultiChannelImages() throws {
        // By hand: the 1x3 row [0, 1, 2] to 2x2 samples columns 0.25 and 1.75 on both rows.
        let row = try LabeledSamples(features: Matrix(rows: 1, columns: 3, storage: [0, 1, 2]), labels: [0],
                                     featureShape: .image(channels: 1, height: 1, width: 3))
        XCTAssertEqual(try row.resized(height: 2, width: 2).features.storage, [0.25, 1.75, 0.25, 1.75])
        // Two 3-channel images against the reference: up in both axes, up in one and down in
        // the other, and down in both (3x5 -> 4x7, 3x5 -> 2x9, 6x4 -> 4x3).
        var rng = SeededGenerator(seed: 31)
        for (inH, inW, h, w) in [(3, 5, 4, 7), (3, 5, 2, 9), (6, 4, 4, 3)] {
            let channels = 3, d = channels * inH * inW
            let storage = (0..<(2 * d)).map { _ in Float(rng.nextUnitDouble() * 10) }
            let samples = try LabeledSamples(features: Matrix(rows: 2, columns: d, storage: storage), labels: [0, 1],
                                             featureShape: .image(channels: channels, height: inH, width: inW))
            let resized = try samples.resized(height: h, width: w)
            XCTAssertEqual(resized.featureShape, .image(channels: channels, height: h, width: w))
            XCTAssertEqual(resized.labels, [0, 1])
            for s in 0..<2 { for c in 0..<channels {
                let start = s * d + c * inH * inW
                let plane = storage[start..<(start + inH * inW)].map(Double.init)
                let expected = Self.bilinearReference(plane, inHeight: inH, inWidth: inW, height: h, width: w)
                let got = Array(resized.sample(s)[(c * h * w)..<((c + 1) * h * w)])
                XCTAssertEqual(got.count, expected.count)
                for (k, (a, b)) in zip(got, expected).enumerated() {
                    XCTAssertEqual(Double(a), b, accuracy: 1e-5, "\(inH)x\(inW) -> \(h)x\(w), sample \(s), channel \(c), pixel \(k)")
                }
            } }
        }
    }

    func testSyntheticDatasetsKeepTheirLaws() throws {
        XCTAssertEqual(try checkDatasetLaws(try RingsDataset()), [])
        let mixture = try GaussianMixtureDataset(means: [[0, 0], [3, 1]], std: 0.5, perClass: [(.train, 20), (.test, 10)], seed: 5)
        XCTAssertEqual(try checkDatasetLaws(mixture), [])
        XCTAssertNotEqual(try mixture.load(.train).features.storage.prefix(20), try mixture.load(.test).features.storage.prefix(20))
        let train = try mixture.load(.train)
        let classOne = try train.keepingClasses([1]).features
        let meanX = (0..<classOne.rows).map { Double(classOne[$0, 0]) }.reduce(0, +) / Double(classOne.rows)
        XCTAssertEqual(meanX, 3, accuracy: 0.5)
        let template = DatasetInfo(name: "img", classNames: ["a", "b"], featureShape: .image(channels: 1, height: 3, width: 3), splits: [(.train, nil)])
        let noise = try GaussianNoiseDataset(like: template, perClass: 4, seed: 1)
        XCTAssertEqual(try checkDatasetLaws(noise), [])
        XCTAssertEqual(try noise.load().featureShape, template.featureShape)
        XCTAssertEqual(try noise.load().classCounts, [4, 4])
    }

    func testLawCheckerCatchesALyingDataset() throws {
        struct Liar: Dataset {
            var info: DatasetInfo { DatasetInfo(name: "liar", classNames: ["a"], featureShape: .vector(1), splits: [(.all, 3)]) }
            func load(_ split: DatasetSplit) throws -> LabeledSamples {
                try LabeledSamples(features: Matrix(rows: 2, columns: 1, storage: [1, 2]), labels: [0, 0], featureShape: .vector(1))
            }
        }
        let violations = try checkDatasetLaws(Liar())
        XCTAssertTrue(violations.contains { $0.contains("2 samples, info says 3") }, "\(violations)")
        XCTAssertTrue(violations.contains { $0.contains("unlisted split") }, "\(violations)")
    }

    /// A dataset whose classes are named after target classes becomes samples with the
    /// target's labels (positions in its class names), and its CSV says so.
    func testSamplesOfARelabelledDatasetCarryTheNamedLabels() throws {
        let dataset = try LabeledDataset(classes: [try EmpiricalMeasure(points: Matrix(rowArrays: [[1], [2]])),
                                                   try EmpiricalMeasure(points: Matrix(rowArrays: [[3]]))],
                                         labels: ["bag", "shirt"])
        let samples = try LabeledSamples(dataset, classNames: ["shirt", "trouser", "bag"])
        XCTAssertEqual(samples.labels, [2, 2, 0])
        XCTAssertEqual(samples.classNames, ["shirt", "trouser", "bag"])
        XCTAssertEqual(samples.features.storage, [1, 2, 3])
        let text = samples.csvText()
        XCTAssertEqual(text, "# classes: 0 = shirt; 1 = trouser; 2 = bag\nclass,x1\n2,1.0\n2,2.0\n0,3.0\n")
        XCTAssertEqual(try LabeledCSV.parse(text).labels, ["0", "2"])
        // Integer names that are their own positions need no comment.
        let numbered = try LabeledSamples(LabeledDataset(classes: dataset.classes, labels: ["2", "0"]), classNames: ["0", "1", "2"])
        XCTAssertEqual(numbered.csvText(), "class,x1\n2,1.0\n2,2.0\n0,3.0\n")
        assertDatasetError(["cannot write"]) { try samples.writeCSV(to: "/proc/no/such/dir/f.csv") }
    }
}

final class ClassStackedSamplesTests: XCTestCase {
    /// The class-by-class writers write the stacked samples' bytes (labels from integer
    /// class names, from the target's class names, image shapes), and the checks throw
    /// what `LabeledSamples` throws.
    func testClassByClassWritersWriteTheStackedSamplesBytes() throws {
        let directory = try temporaryDirectory(self)
        var rng = SeededGenerator(seed: 9)
        func points(_ n: Int) throws -> EmpiricalMeasure {
            try EmpiricalMeasure(points: Matrix(rows: n, columns: 4, storage: (0..<(n * 4)).map { _ in Float(rng.nextStandardNormal()) }))
        }
        let numbered = try LabeledDataset(classes: [try points(3), try points(1), try points(2)], labels: ["5", "0", "2"])
        let named = try LabeledDataset(classes: numbered.classes, labels: ["bag", "shirt", "bag"])
        let cases: [(ClassStackedSamples, LabeledSamples)] = [
            (try ClassStackedSamples(numbered, integerLabels: true), try LabeledSamples(numbered, integerLabels: true)),
            (try ClassStackedSamples(numbered), try LabeledSamples(numbered)),
            (try ClassStackedSamples(named, featureShape: .image(channels: 1, height: 2, width: 2), classNames: ["shirt", "bag"]),
             try LabeledSamples(named, featureShape: .image(channels: 1, height: 2, width: 2), classNames: ["shirt", "bag"])),
        ]
        for (index, (stacked, samples)) in cases.enumerated() {
            XCTAssertEqual(try LabeledSamples(stacked), samples)
            XCTAssertEqual(stacked.count, samples.count)
            let (csv, npz) = ("\(directory)/\(index).csv", "\(directory)/\(index).npz")
            try stacked.writeCSV(to: csv)
            XCTAssertEqual(try String(contentsOfFile: csv, encoding: .utf8), samples.csvText())
            try stacked.writeNPZ(to: npz)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: npz)), try samples.npzArchive().npzData())
        }
        assertDatasetError(["appears twice"]) { _ = try ClassStackedSamples(named, classNames: ["bag", "bag"]) }
        assertDatasetError(["'shirt' is not one of"]) { _ = try ClassStackedSamples(named, classNames: ["bag"]) }
        assertDatasetError(["4 columns", "shape"]) { _ = try ClassStackedSamples(numbered, featureShape: .vector(3)) }
        var broken = numbered
        broken.withUnsafeMutablePoints(ofClass: 1) { $0[0] = .nan }
        assertDatasetError(["features"]) { _ = try ClassStackedSamples(broken) }
        XCTAssertThrowsError(try LabeledSamples(broken))
        assertDatasetError(["cannot write"]) { try cases[0].0.writeCSV(to: "/proc/no/such/dir/f.csv") }
        assertDatasetError(["cannot write"]) { try cases[0].0.writeNPZ(to: "/proc/no/such/dir/f.npz") }
    }
}
