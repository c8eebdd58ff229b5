import XCTest
@testable import Datasets
import FlowLaws
import WoWCompute

final class RegistryTests: XCTestCase {
    func testSearchPathsFollowTheEnvironment() {
        let cache = DatasetRegistry.defaultCacheDirectory(environment: ["HOME": "/home/u"])
        XCTAssertEqual(cache, "/home/u/.cache/wassersteinflows")
        XCTAssertEqual(DatasetRegistry.defaultCacheDirectory(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/x"]), "/x/wassersteinflows")
        XCTAssertEqual(DatasetRegistry.defaultSearchPaths(environment: ["WOW_DATA_PATH": "/a::/b"], cache: "/c"),
                       ["/a", "/b", "/c", "/usr/share/datasets"])
    }

    func testReferencesAndUnknownNames() throws {
        XCTAssertEqual(DatasetRegistry.parseReference("fashion-mnist:test").name, "fashion-mnist")
        XCTAssertEqual(DatasetRegistry.parseReference("fashion-mnist:test").split, .test)
        XCTAssertNil(DatasetRegistry.parseReference("uci-digits").split)
        let registry = DatasetRegistry(searchPaths: [], cacheDirectory: "/nonexistent")
        XCTAssertEqual(Set(registry.entries.map(\.name)),
                       ["fashion-mnist", "mnist-5k", "uci-digits", "mnist", "kmnist", "cifar10", "rings"])
        assertDatasetError(["unknown data set 'fashon-mnist'", "fashion-mnist"]) { _ = try registry.load("fashon-mnist") }
        assertDatasetError(["'mnist' was not found", "mnist-5k"]) { _ = try registry.load("mnist:train") }
        assertDatasetError(["wow data fetch fashion-mnist"]) { _ = try registry.load("fashion-mnist") }
        XCTAssertEqual(try registry.load("rings").count, 240)
        assertDatasetError(["no split 'train'", "all"]) { _ = try registry.load("rings:train") }
    }

    func testFixtureRootServesTheRealFormats() throws {
        let registry = DatasetRegistry(searchPaths: ["/nonexistent", fixtures], cacheDirectory: "/nonexistent")
        let fashion = try registry.dataset(named: "fashion-mnist")
        XCTAssertEqual(fashion.info.splits.map(\.count), [12, 12])
        XCTAssertEqual(fashion.info.featureShape, .image(channels: 1, height: 28, width: 28))
        XCTAssertEqual(try checkDatasetLaws(fashion), [])
        let test = try registry.load("fashion-mnist:test")
        XCTAssertEqual(test.labels, [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5])
        XCTAssertEqual(test.sample(0).reduce(0, +), 33456)
        XCTAssertEqual(test.features[0, 14 * 28 + 14], 110)
        XCTAssertEqual(test.classNames[9], "Ankle boot")
        let train = try registry.load("fashion-mnist")
        XCTAssertEqual(train.labels, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9])
        XCTAssertEqual(train.sample(0).reduce(0, +), 76247)
        XCTAssertEqual(train.features[0, 14 * 28 + 14], 217)

        let digits = try registry.load("uci-digits")
        XCTAssertEqual(digits.featureShape, .image(channels: 1, height: 8, width: 8))
        XCTAssertEqual(digits.labels, (0..<30).map { $0 % 10 })
        XCTAssertEqual(Array(digits.sample(0).prefix(8)), [0, 0, 5, 13, 9, 1, 0, 0])
        XCTAssertEqual(digits.valueRange, 0...16)
        let upsampled = try digits.scaledToUnitInterval().resized(height: 28, width: 28)
        XCTAssertEqual(upsampled.featureShape, .image(channels: 1, height: 28, width: 28))
        XCTAssertTrue(upsampled.features.storage.allSatisfy { $0 >= 0 && $0 <= 1 })

        // The fixture has 3 images per class, fewer than the documented 400/100 split.
        assertDatasetError(["has 3 samples", "400 per class"]) { _ = try registry.load("mnist-5k:train") }
        let mnist = try CSVDataset(name: "mnist-5k", path: fixtures + "/mnist-5k/mnist_5k.csv.gz",
                                   featureShape: .image(channels: 1, height: 28, width: 28), classNames: (0..<10).map(String.init),
                                   valueRange: 0...255, splitRule: .perClassHead(trainPerClass: 2), counts: [.train: 20, .test: 10])
        XCTAssertEqual(try checkDatasetLaws(mnist), [])
        let all = try CSVDataset.read(path: mnist.path, labelColumn: .last, featureShape: mnist.info.featureShape,
                                      classNames: mnist.info.classNames, valueRange: 0...255)
        XCTAssertEqual(all.classCounts, [Int](repeating: 3, count: 10))
        XCTAssertEqual(all.sample(0).reduce(0, +), 31095)
    }

    func testTorchvisionRawLayoutAndPlainIDX() throws {
        let root = try temporaryDirectory(self)
        let raw = root + "/KMNIST/raw"
        for (stem, shape) in [("train-images-idx3-ubyte", [3, 2, 2]), ("t10k-images-idx3-ubyte", [2, 2, 2])] {
            try DataFile.write(try IDXArray.encodeUInt8([Float](repeating: 9, count: shape.reduce(1, *)), shape: shape), to: "\(raw)/\(stem)")
        }
        try DataFile.write(try IDXArray.encodeUInt8([0, 1, 9], shape: [3]), to: "\(raw)/train-labels-idx1-ubyte.gz", gzip: true)
        try DataFile.write(try IDXArray.encodeUInt8([2, 3], shape: [2]), to: "\(raw)/t10k-labels-idx1-ubyte")
        let registry = DatasetRegistry(searchPaths: [root], cacheDirectory: root)
        let kmnist = try registry.dataset(named: "kmnist")
        XCTAssertEqual(kmnist.info.splits.map(\.count), [3, 2])
        XCTAssertEqual(try registry.load("kmnist:test").labels, [2, 3])
        XCTAssertEqual(try checkDatasetLaws(kmnist), [])
        // Corrupt header in a located data set: the error names the file.
        try DataFile.write([1, 2, 3, 4, 5], to: "\(raw)/t10k-labels-idx1-ubyte")
        assertDatasetError(["\(raw)/t10k-labels-idx1-ubyte", "magic"]) { _ = try registry.dataset(named: "kmnist") }
    }

    func testRegisteringACustomDataset() throws {
        var registry = DatasetRegistry(searchPaths: [], cacheDirectory: "/nonexistent")
        registry.register(.init(name: "blobs", summary: "two blobs", expectedSplits: [(.all, 8)], fetch: .synthetic,
                                locate: { _ in try GaussianMixtureDataset(means: [[0], [5]], std: 1, perClass: [(.all, 4)]) }))
        XCTAssertEqual(try registry.load("blobs").classCounts, [4, 4])
    }

    func testFetchChecksWhatItWouldDownloadBeforeCallingItPresent() throws {
        // A fetchable data set whose cached copy holds the wrong number of samples is
        // unusable, not "already present" (no package manager runs: the copy is found
        // first and is not a wheel's file to replace).
        func registry(expecting count: Int) -> DatasetRegistry {
            var registry = DatasetRegistry(searchPaths: ["/some/cache"], cacheDirectory: "/some/cache")
            registry.register(.init(name: "blobs", summary: "two blobs", expectedSplits: [(.all, count)],
                                    fetch: .debianPackage("wow-no-such-package"),
                                    locate: { _ in try GaussianMixtureDataset(means: [[0], [5]], std: 1, perClass: [(.all, 4)]) }))
            return registry
        }
        var log = [String]()
        XCTAssertEqual(try DatasetFetcher(registry: registry(expecting: 8)).fetch("blobs") { log.append($0) }, "/some/cache")
        XCTAssertTrue(log.contains { $0.contains("already present") }, "\(log)")
        assertDatasetError(["unusable", "has 8 samples, expected 10", "/some/cache"]) {
            _ = try DatasetFetcher(registry: registry(expecting: 10)).fetch("blobs")
        }
    }

    /// The full data sets, when installed on this machine (`wow data fetch ...`); skipped otherwise.
    func testInstalledRealDataSetsHaveTheirDocumentedSizes() throws {
        let registry = DatasetRegistry.standard
        var checked = 0
        if let fashion = try registry.locate("fashion-mnist")?.dataset {
            XCTAssertEqual(fashion.info.splits.map(\.count), [60_000, 10_000])
            XCTAssertEqual(try fashion.load(.train).classCounts, [Int](repeating: 6000, count: 10))
            let test = try fashion.load(.test)
            XCTAssertEqual(test.classCounts, [Int](repeating: 1000, count: 10))
            XCTAssertEqual(test.featureShape, .image(channels: 1, height: 28, width: 28))
            checked += 1
        }
        if let mnist = try registry.locate("mnist-5k")?.dataset {
            let train = try mnist.load(.train), test = try mnist.load(.test)
            XCTAssertEqual(train.classCounts, [Int](repeating: 400, count: 10))
            XCTAssertEqual(test.classCounts, [Int](repeating: 100, count: 10))
            checked += 1
        }
        if let digits = try registry.locate("uci-digits")?.dataset {
            let all = try digits.load()
            XCTAssertEqual(all.count, 1797)
            XCTAssertEqual(all.featureShape, .image(channels: 1, height: 8, width: 8))
            checked += 1
        }
        if checked == 0 { throw XCTSkip("no real data set installed (run `wow data fetch fashion-mnist`)") }
    }
}
