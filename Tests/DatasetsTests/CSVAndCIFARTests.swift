import XCTest
@testable import Datasets
import FlowLaws
import WoWCompute

final class CSVAndCIFARTests: XCTestCase {
    func csv(_ text: String, in dir: String, gzip: Bool = false) throws -> String {
        let path = "\(dir)/data-\(UUID().uuidString).csv"
        try DataFile.write(Array(text.utf8), to: path, gzip: gzip)
        return path
    }

    func testParsesLabelLastOrFirstWithOptionalHeader() throws {
        let dir = try temporaryDirectory(self)
        let last = try csv("p0,p1,p2,p3,label\n1,2,3,4,1\r\n0.5,-1e2,3,4,0\n\n", in: dir, gzip: true)
        let samples = try CSVDataset.read(path: last, labelColumn: .last, featureShape: .image(channels: 1, height: 2, width: 2),
                                          classNames: ["a", "b"], valueRange: nil)
        XCTAssertEqual(samples.labels, [1, 0])
        XCTAssertEqual(samples.features.storage, [1, 2, 3, 4, 0.5, -100, 3, 4])
        let first = try csv("2,1,2,3\n0,4,5,6\n", in: dir)
        let firstSamples = try CSVDataset.read(path: first, labelColumn: .first, featureShape: .vector(3),
                                               classNames: ["a", "b", "c"], valueRange: nil)
        XCTAssertEqual(firstSamples.labels, [2, 0])
        XCTAssertEqual(firstSamples.sample(1), [4, 5, 6])
    }

    /// The header's label column wins over the declared one (`CSVLabelColumn`, the rule
    /// `LabeledCSV` follows); ambiguous or feature-only headers are refused.
    func testHeaderNamesTheLabelColumnAnywhere() throws {
        let dir = try temporaryDirectory(self)
        func read(_ text: String, _ column: CSVDataset.LabelColumn) throws -> LabeledSamples {
            try CSVDataset.read(path: try csv(text, in: dir), labelColumn: column, featureShape: .vector(2),
                                classNames: ["a", "b", "c"], valueRange: nil)
        }
        for column in [CSVDataset.LabelColumn.first, .last, .index(1)] {
            let named = try read("x,y,class\n0.5,1,2\n1.5,2,0\n", column)
            XCTAssertEqual(named.labels, [2, 0])
            XCTAssertEqual(named.features.storage, [0.5, 1, 1.5, 2])
            let first = try read("CLASS,x,y\n2,0.5,1\n0,1.5,2\n", column)
            XCTAssertEqual(first, named)
        }
        // A Kaggle-style `label,pixel0,...` file read with the registry's `.last`.
        XCTAssertEqual(try read("label,pixel0,pixel1\n2,0.5,1\n0,1.5,2\n", .last).labels, [2, 0])
        // No label name: the declared column, unless the header calls it a feature.
        XCTAssertEqual(try read("a,b,kind\n0.5,1,2\n1.5,2,0\n", .last).labels, [2, 0])
        let features = try csv("p0,p1,p2\n0.5,1,2\n", in: dir)
        assertDatasetError([features, "line 1", "names no label column", "'p2', a feature"]) {
            _ = try CSVDataset.read(path: features, labelColumn: .last, featureShape: .vector(2), classNames: ["a", "b", "c"], valueRange: nil)
        }
        let ambiguous = try csv("\nlabel,x,class\n1,0.5,2\n", in: dir)
        assertDatasetError([ambiguous, "line 2", "more than one label column", "'label' (column 1) and 'class' (column 3)"]) {
            _ = try CSVDataset.read(path: ambiguous, labelColumn: .last, featureShape: .vector(2), classNames: ["a", "b", "c"], valueRange: nil)
        }
        let wide = try csv("x,y,z,class\n0.5,1,2\n", in: dir)
        assertDatasetError([wide, "line 1", "the header has 4 cells, rows need 3"]) {
            _ = try CSVDataset.read(path: wide, labelColumn: .last, featureShape: .vector(2), classNames: ["a", "b", "c"], valueRange: nil)
        }
        let unnamed = try csv("a,b,kind\n0.5,1,7\n", in: dir)
        assertDatasetError([unnamed, "line 2", "not a class in 0..<3", "names no label column, so column 3 was taken"]) {
            _ = try CSVDataset.read(path: unnamed, labelColumn: .last, featureShape: .vector(2), classNames: ["a", "b", "c"], valueRange: nil)
        }
    }

    func testRejectsRaggedRowsNonNumericCellsAndBadLabels() throws {
        let dir = try temporaryDirectory(self)
        let shape = FeatureShape.vector(3)
        let ragged = try csv("1,2,3,0\n1,2,0\n", in: dir)
        assertDatasetError([ragged, "line 2", "expected 4 cells", "found 3"]) {
            _ = try CSVDataset.read(path: ragged, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        let long = try csv("1,2,3,0\n1,2,3,4,0\n", in: dir)
        assertDatasetError([long, "line 2"]) {
            _ = try CSVDataset.read(path: long, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        let text = try csv("1,2,3,0\n1,x2,3,0\n", in: dir, gzip: true)
        assertDatasetError([text, "line 2", "'x2'"]) {
            _ = try CSVDataset.read(path: text, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        let nan = try csv("1,nan,3,0\n", in: dir)
        assertDatasetError([nan, "line 1"]) {
            _ = try CSVDataset.read(path: nan, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        let fraction = try csv("1,2,3,0.5\n", in: dir)
        assertDatasetError([fraction, "label"]) {
            _ = try CSVDataset.read(path: fraction, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        let outOfRange = try csv("1,2,3,2\n", in: dir)
        assertDatasetError([outOfRange, "line 1", "not a class"]) {
            _ = try CSVDataset.read(path: outOfRange, labelColumn: .last, featureShape: shape, classNames: ["a", "b"], valueRange: nil)
        }
        let empty = try csv("\n\n", in: dir)
        assertDatasetError([empty, "no data rows"]) {
            _ = try CSVDataset.read(path: empty, labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
        assertDatasetError(["\(dir)/missing.csv", "no such file"]) {
            _ = try CSVDataset.read(path: "\(dir)/missing.csv", labelColumn: .last, featureShape: shape, classNames: ["a"], valueRange: nil)
        }
    }

    func testPerClassHeadSplitIsFixedAndDisjoint() throws {
        let dir = try temporaryDirectory(self)
        let rows = (0..<12).map { "\($0),\($0 % 3)" }.joined(separator: "\n")
        let path = try csv(rows, in: dir)
        let dataset = CSVDataset(name: "t", path: path, featureShape: .vector(1), classNames: ["a", "b", "c"],
                                 splitRule: .perClassHead(trainPerClass: 3), counts: [.train: 9, .test: 3])
        let train = try dataset.load(.train), test = try dataset.load(.test)
        XCTAssertEqual(train.features.storage, [0, 1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(test.features.storage, [9, 10, 11])
        XCTAssertEqual(test.labels, [0, 1, 2])
        XCTAssertEqual(try checkDatasetLaws(dataset), [])
    }

    /// Writes CIFAR-10-format records: label, then R, G, B planes.
    func cifarRecords(_ labels: [UInt8]) -> [UInt8] {
        var bytes = [UInt8]()
        for (r, label) in labels.enumerated() {
            bytes.append(label)
            for channel in 0..<3 {
                for p in 0..<1024 { bytes.append(UInt8((r * 50 + channel * 80 + p) % 256)) }
            }
        }
        return bytes
    }

    func testCIFAR10BinaryBatches() throws {
        let dir = try temporaryDirectory(self)
        try DataFile.write(cifarRecords([3, 9]), to: "\(dir)/data_batch_1.bin")
        try DataFile.write(cifarRecords([0]), to: "\(dir)/test_batch.bin")
        let dataset = try CIFAR10Dataset(files: [(.train, ["\(dir)/data_batch_1.bin"]), (.test, ["\(dir)/test_batch.bin"])])
        XCTAssertEqual(dataset.info.splits.map(\.count), [2, 1])
        let train = try dataset.load(.train)
        XCTAssertEqual(train.labels, [3, 9])
        XCTAssertEqual(train.featureShape, .image(channels: 3, height: 32, width: 32))
        // Channel-major: sample 1, green plane, pixel (row 1, column 2) = (50 + 80 + 34) % 256.
        XCTAssertEqual(train.features[1, 1024 + 32 + 2], Float((50 + 80 + 34) % 256))
        XCTAssertEqual(try checkDatasetLaws(dataset), [])
        // Missing batch, truncated record, bad label.
        assertDatasetError(["\(dir)/data_batch_2.bin", "no such file"]) { _ = try CIFAR10Dataset(directory: dir) }
        try DataFile.write(Array(cifarRecords([1]).dropLast()), to: "\(dir)/short.bin")
        assertDatasetError(["\(dir)/short.bin", "3073"]) { _ = try CIFAR10Dataset(files: [(.test, ["\(dir)/short.bin"])]) }
        var badLabel = cifarRecords([1])
        badLabel[0] = 10
        try DataFile.write(badLabel, to: "\(dir)/label.bin")
        let bad = try CIFAR10Dataset(files: [(.test, ["\(dir)/label.bin"])])
        assertDatasetError(["\(dir)/label.bin", "record 0", "label byte 10"]) { _ = try bad.load(.test) }
    }
}
