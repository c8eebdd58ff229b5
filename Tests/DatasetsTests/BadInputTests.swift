import Foundation
import XCTest
import Datasets

/// Nonsense sizes, templates and byte limits given to the module's public API are
/// `DatasetError`s, never a trap.
final class DatasetBadInputTests: XCTestCase {
    func testNoiseLikeAClasslessOrOversizedTemplateIsATypedError() throws {
        let classless = DatasetInfo(name: "empty", classNames: [], featureShape: .vector(2), splits: [(.all, 0)])
        // Refused when made (before: made, then `load` divided by the class count, zero).
        assertDatasetError(["at least one class"]) { _ = try GaussianNoiseDataset(like: classless, perClass: 3).load() }
        let two = DatasetInfo(name: "two", classNames: ["a", "b"], featureShape: .vector(3), splits: [(.all, 4)])
        assertDatasetError(["too many"]) { _ = try GaussianNoiseDataset(like: two, perClass: Int.max) }
        assertDatasetError(["too many"]) { _ = try GaussianNoiseDataset(like: two, perClass: Int.max / 4) }
        let huge = DatasetInfo(name: "huge", classNames: ["a"], featureShape: .image(channels: Int.max, height: 2, width: 2),
                               splits: [(.all, 1)])
        assertDatasetError(["too large"]) { _ = try GaussianNoiseDataset(like: huge, perClass: 1) }
        let noise = try GaussianNoiseDataset(like: two, perClass: 2)
        XCTAssertEqual(try noise.load().count, 4)
    }

    func testAMixtureWithTooManySamplesIsATypedError() throws {
        assertDatasetError(["too many"]) {
            _ = try GaussianMixtureDataset(means: [[0], [1]], std: 1, perClass: [(.all, Int.max)])
        }
        assertDatasetError(["too many"]) {
            _ = try GaussianMixtureDataset(means: [[0, 0, 0], [1, 1, 1]], std: 1, perClass: [(.train, 3), (.test, Int.max / 4)])
        }
        XCTAssertEqual(try GaussianMixtureDataset(means: [[0], [1]], std: 1, perClass: [(.all, 3)]).load().count, 6)
    }

    func testNegativeByteLimitsAreTypedErrors() throws {
        let path = try temporaryDirectory(self) + "/bytes.bin"
        try DataFile.write([1, 2, 3, 4], to: path)
        XCTAssertEqual(try DataFile.bytes(path, prefix: 2), [1, 2])
        XCTAssertEqual(try DataFile.bytes(path, prefix: 0), [])
        assertDatasetError(["nonnegative", "-1"]) { _ = try DataFile.bytes(path, prefix: -1) }
        let gzipped = try DataFile.gzip([1, 2, 3, 4])
        XCTAssertEqual(try DataFile.gunzip(gzipped, path: path, limit: 3), [1, 2, 3])
        assertDatasetError(["nonnegative"]) { _ = try DataFile.gunzip(gzipped, path: path, limit: -5) }
        try DataFile.write([1, 2, 3, 4], to: path, gzip: true)
        assertDatasetError(["nonnegative"]) { _ = try DataFile.bytes(path, prefix: -1) }
    }
}
