import Foundation
import XCTest
import NumPyFiles
import WoWCompute

final class ArrayTests: XCTestCase {
    func testConstructorsValidateTheShape() throws {
        XCTAssertEqual(try NumPyArray([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]).shape, [2, 3])
        XCTAssertEqual(try NumPyArray([7] as [Double], shape: []).count, 1)
        XCTAssertEqual(try NumPyArray([] as [UInt8], shape: [0, 5]).count, 0)
        XCTAssertEqual(try NumPyArray([1, 2] as [Int64], shape: [2, 1]).rank, 2)
        let mismatch = assertNumPyError(try NumPyArray([1, 2, 3] as [Float], shape: [2, 2]), kind: "elementCountMismatch", path: nil)
        XCTAssertEqual(mismatch?.problem, .elementCountMismatch(shape: [2, 2], count: 3))
        assertNumPyError(try NumPyArray([] as [Double], shape: []), kind: "elementCountMismatch", path: nil)
        assertNumPyError(try NumPyArray([1] as [UInt8], shape: [-1]), kind: "invalidShape", path: nil)
        assertNumPyError(try NumPyArray([] as [Int64], shape: [Int.max, 2]), kind: "shapeOverflow", path: nil)
        XCTAssertEqual(NumPyArray(vector: .int16([1, 2, 3])).shape, [3])
    }

    func testReshapeKeepsElements() throws {
        let array = try sampleArray(.int32, shape: [2, 3, 4])
        let flat = try array.reshaped([24])
        XCTAssertEqual(flat.elements, array.elements)
        XCTAssertEqual(flat.shape, [24])
        assertNumPyError(try array.reshaped([5, 5]), kind: "elementCountMismatch", path: nil)
    }

    func testIdentityIsBitwise() throws {
        // Two separately built arrays (Array's == short-cuts on shared storage).
        let nan = try NumPyArray([.nan] as [Float], shape: [1])
        let otherNaN = try NumPyArray([Float](repeating: .nan, count: 1), shape: [1])
        XCTAssertNotEqual(nan, otherNaN, "value equality: NaN != NaN")
        XCTAssertTrue(nan.isIdentical(to: otherNaN))
        XCTAssertFalse(nan.isIdentical(to: try NumPyArray([Float(bitPattern: 0x7FC0_0001)], shape: [1])))
        let zero = try NumPyArray([0.0] as [Double], shape: [1])
        let negativeZero = try NumPyArray([-0.0] as [Double], shape: [1])
        XCTAssertEqual(zero, negativeZero)
        XCTAssertFalse(zero.isIdentical(to: negativeZero))
        XCTAssertFalse(zero.isIdentical(to: try zero.reshaped([])))
        XCTAssertFalse(try NumPyArray([1] as [UInt8], shape: [1]).isIdentical(to: NumPyArray(vector: .int8([1]))))
        XCTAssertEqual("\(try sampleArray(.float32, shape: [2, 3]))", "NumPyArray(float32, shape (2, 3))")
    }

    func testFloatAndDoubleConversions() throws {
        XCTAssertEqual(NumPyArray(vector: .bool([true, false])).floatValues(), [1, 0])
        XCTAssertEqual(NumPyArray(vector: .int64([-3, 1 << 40])).floatValues(), [-3, 0x1p40])
        XCTAssertEqual(NumPyArray(vector: .float64([0.1, 1e300])).floatValues(), [Float(0.1), .infinity])
        XCTAssertEqual(NumPyArray(vector: .uint8([255])).doubleValues(), [255])
        XCTAssertEqual(NumPyArray(vector: .float32([0.1])).doubleValues(), [Double(Float(0.1))])
        XCTAssertEqual(NumPyArray(vector: .float16(bitPatterns: [0xC100])).doubleValues(), [-2.5])
    }

    func testIntConversionIsExactOrATypedError() throws {
        XCTAssertEqual(try NumPyArray(vector: .int64([.min, .max])).intValues(), [.min, .max])
        XCTAssertEqual(try NumPyArray(vector: .uint32([.max])).intValues(), [Int(UInt32.max)])
        XCTAssertEqual(try NumPyArray(vector: .float64([3, -4, 0])).intValues(), [3, -4, 0])
        XCTAssertEqual(try NumPyArray(vector: .bool([true])).intValues(), [1])
        let fraction = assertNumPyError(try NumPyArray(vector: .float32([1, 2.5])).intValues(), kind: "notConvertible", path: nil)
        XCTAssertTrue(fraction?.description.contains("element 1 (2.5)") ?? false, "\(String(describing: fraction))")
        assertNumPyError(try NumPyArray(vector: .float64([.nan])).intValues(), kind: "notConvertible", path: nil)
        assertNumPyError(try NumPyArray(vector: .float64([1e19])).intValues(), kind: "notConvertible", path: nil)
        assertNumPyError(try NumPyArray(vector: .uint64([.max])).intValues(), kind: "notConvertible", path: nil)
    }

    /// Every binary16 bit pattern converts to the Float of the same value (checked against
    /// Swift's own Float16 where the platform has it).
    func testFloat16ConversionOfAllBitPatterns() throws {
        let bits = (0...UInt16.max).map { $0 }
        let converted = NumPyArray(vector: .float16(bitPatterns: bits)).floatValues()
        XCTAssertEqual(converted[0x3C00], 1)
        XCTAssertEqual(converted[0x0001], 0x1p-24)
        XCTAssertEqual(converted[0x8000].sign, .minus)
        XCTAssertEqual(converted[0xFC00], -.infinity)
        XCTAssertTrue(converted[0x7E00].isNaN)
        #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
        for (b, value) in zip(bits, converted) {
            let reference = Float(Float16(bitPattern: b))
            if reference.isNaN {
                XCTAssertTrue(value.isNaN, "bits \(b)")
            } else {
                XCTAssertEqual(value.bitPattern, reference.bitPattern, "bits \(b)")
            }
        }
        #endif
    }

    func testMatrixRoundTrip() throws {
        let matrix = try Matrix(rowArrays: [[1, 2, 3], [4, 5, 6]])
        let array = NumPyArray(matrix)
        XCTAssertEqual(array.shape, [2, 3])
        XCTAssertEqual(array.elements, .float32([1, 2, 3, 4, 5, 6]))
        let back = try Matrix(try NumPyArray(npyData: try array.npyData()))
        XCTAssertEqual(back, matrix)
        XCTAssertEqual(back[1, 0], 4)
        let empty = Matrix(rows: 0, columns: 4)
        XCTAssertEqual(try Matrix(NumPyArray(empty)), empty)
    }

    func testMatrixFromOtherDTypesAndRanks() throws {
        let doubles = try NumPyArray([0.5, 1.5] as [Double], shape: [1, 2])
        XCTAssertEqual(try Matrix(doubles), try Matrix(rowArrays: [[0.5, 1.5]]))
        let bytes = try NumPyArray([1, 2, 3, 4] as [UInt8], shape: [2, 2])
        XCTAssertEqual(try Matrix(bytes)[1, 1], 4)
        let error = assertNumPyError(try Matrix(try sampleArray(.float32, shape: [2, 3, 4])), kind: "rankMismatch", path: nil)
        XCTAssertEqual(error?.problem, .rankMismatch(expected: 2, shape: [2, 3, 4]))
        assertNumPyError(try Matrix(try sampleArray(.float32, shape: [5])), kind: "rankMismatch", path: nil)
        assertNumPyError(try Matrix(try sampleArray(.float32, shape: [])), kind: "rankMismatch", path: nil)
    }

    func testErrorDescriptionsNameFileMemberAndProblem() {
        let error = NumPyFileError(path: "/data/run.npz", member: "x.npy",
                                   problem: .unsupportedDType(descr: "<c8", reason: "complex numbers are not supported"))
        XCTAssertEqual(error.description, "/data/run.npz, member 'x.npy': unsupported dtype '<c8' (complex numbers are not supported)")
        XCTAssertEqual(error.localizedDescription, error.description)
        let memory = NumPyFileError(problem: .truncatedData(expectedBytes: 8, availableBytes: 4))
        XCTAssertEqual(memory.description, "NumPy data: truncated data: the header's shape and dtype need 8 bytes, only 4 present")
        XCTAssertEqual(NumPyFileError.Problem.shapeOverflow(shape: [5]).description,
                       "shape (5,) is too large: its size overflows a 64-bit integer")
    }
}
