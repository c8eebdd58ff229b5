import XCTest
import WoWCompute
import NeuralNetworks

/// Bad indices, shapes and sizes given to the module's public API are typed errors
/// (`NeuralNetworkError`), never a trap.
final class BadInputTests: XCTestCase {
    func invalidArgument(_ error: Error, file: StaticString = #filePath, line: UInt = #line) {
        guard case .invalidArgument? = error as? NeuralNetworkError else {
            return XCTFail("expected NeuralNetworkError.invalidArgument, got \(error)", file: file, line: line)
        }
    }

    func shapeMismatch(_ error: Error, file: StaticString = #filePath, line: UInt = #line) {
        guard case .shapeMismatch? = error as? NeuralNetworkError else {
            return XCTFail("expected NeuralNetworkError.shapeMismatch, got \(error)", file: file, line: line)
        }
    }

    func testARankZeroTensorIsAOneByOneMatrix() throws {
        let scalar = try Tensor(shape: [], storage: [5])
        XCTAssertEqual(scalar.matrix, try Matrix(rows: 1, columns: 1, storage: [5]))
        let reshaped = try Tensor(shape: [1], storage: [7]).reshaped(to: [])
        XCTAssertEqual(reshaped.matrix, try Matrix(rows: 1, columns: 1, storage: [7]))
        // Other ranks keep one row per batch element, including an empty batch.
        XCTAssertEqual(try Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6]).matrix.columns, 3)
        let empty = try Tensor(shape: [0, 4], storage: []).matrix
        XCTAssertEqual([empty.rows, empty.columns], [0, 4])
    }

    func testSampleRangesAndIndicesOutsideTheBatchAreTypedErrors() throws {
        let t = try Tensor(shape: [3, 2], storage: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try t.samples(1..<3).storage, [3, 4, 5, 6])
        XCTAssertEqual(try t.gathering(samples: [2, 0]).storage, [5, 6, 1, 2])
        XCTAssertThrowsError(try t.samples(2..<4)) { invalidArgument($0) }
        XCTAssertThrowsError(try t.samples(-1..<1)) { invalidArgument($0) }
        XCTAssertThrowsError(try t.gathering(samples: [0, 3])) { invalidArgument($0) }
        XCTAssertThrowsError(try t.gathering(samples: [-1])) { invalidArgument($0) }
        let scalar = try Tensor(shape: [], storage: [5])
        XCTAssertThrowsError(try scalar.samples(0..<0)) { invalidArgument($0) }
        XCTAssertThrowsError(try scalar.gathering(samples: [])) { invalidArgument($0) }
        XCTAssertThrowsError(try Tensor.concatenating([scalar, scalar])) { shapeMismatch($0) }
    }

    func testLabeledImageSubsetsOutsideTheSetAreTypedErrors() throws {
        let images = try LabeledImages(images: Tensor(shape: [3, 1, 2, 2], storage: (0..<12).map(Float.init)), labels: [0, 1, 0])
        XCTAssertEqual(try images.subset([2, 1]).labels, [0, 1])
        XCTAssertThrowsError(try images.subset([3])) {
            XCTAssertEqual($0 as? NeuralNetworkError, .invalidArgument("image index 3 is outside 0..<3"))
        }
        XCTAssertThrowsError(try images.subset([0, -2])) { invalidArgument($0) }
    }

    func testShapesWhoseElementCountOverflowsAreTypedErrors() throws {
        XCTAssertThrowsError(try Tensor(shape: [Int.max, 2], storage: [])) { shapeMismatch($0) }
        XCTAssertThrowsError(try Tensor(shape: [1 << 32, 1 << 32], storage: [])) { shapeMismatch($0) }
        XCTAssertThrowsError(try Tensor(shape: [2], storage: [1, 2]).reshaped(to: [Int.max, 4])) { shapeMismatch($0) }
        let m = try Matrix(rows: 1, columns: 4, storage: [1, 2, 3, 4])
        XCTAssertThrowsError(try Tensor(images: m, channels: Int.max, height: 2, width: 2)) { shapeMismatch($0) }
    }

    func testInitialisationAndLayerSizesOutOfRangeAreTypedErrors() throws {
        var rng = SeededGenerator(seed: 1)
        XCTAssertEqual(try Initialization.uniform(shape: [2, 3], fanIn: 3, using: &rng).shape, [2, 3])
        XCTAssertThrowsError(try Initialization.uniform(shape: [2], fanIn: 0, using: &rng)) { invalidArgument($0) }
        XCTAssertThrowsError(try Initialization.uniform(shape: [-1, 2], fanIn: 2, using: &rng)) { invalidArgument($0) }
        XCTAssertThrowsError(try Initialization.uniform(shape: [Int.max, 2], fanIn: 2, using: &rng)) { invalidArgument($0) }
        XCTAssertThrowsError(try Linear(inFeatures: Int.max, outFeatures: 2, using: &rng)) { invalidArgument($0) }
        XCTAssertThrowsError(try Conv2d(inChannels: 1 << 31, outChannels: 1 << 31, kernelSize: 3, using: &rng)) { invalidArgument($0) }
    }
}
