import Foundation
import XCTest
@testable import Datasets
import FlowLaws
import WoWCompute

/// A fresh temporary directory, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("wow-datasets-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
}

/// The committed fixture directory.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// Asserts that `body` throws a `DatasetError` whose message contains every fragment.
func assertDatasetError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a DatasetError mentioning \(fragments)", file: file, line: line)
    } catch let error as DatasetError {
        for fragment in fragments where !error.description.contains(fragment) {
            XCTFail("'\(error.description)' does not mention '\(fragment)'", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}

/// Small samples: class c has `counts[c]` samples whose features are (c, i, 100 c + i).
func makeSamples(counts: [Int], shape: FeatureShape? = nil) throws -> LabeledSamples {
    var storage = [Float](), labels = [Int]()
    let d = shape?.count ?? 3
    for (c, n) in counts.enumerated() {
        for i in 0..<n {
            var row = [Float(c), Float(i), Float(100 * c + i)]
            while row.count < d { row.append(Float(row.count)) }
            storage += row.prefix(d)
            labels.append(c)
        }
    }
    return try LabeledSamples(features: Matrix(rows: labels.count, columns: d, storage: storage), labels: labels,
                              featureShape: shape ?? .vector(3))
}
