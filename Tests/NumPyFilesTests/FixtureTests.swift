import Foundation
import XCTest
import NumPyFiles

/// Files written by NumPy (Fixtures/README.md says how) load with the values NumPy saved.
final class FixtureTests: XCTestCase {
    func testFloat32() throws {
        let array = try NumPyArray(contentsOf: fixture("f4.npy"))
        XCTAssertEqual(array.shape, [2, 3])
        guard case let .float32(values) = array.elements else { return XCTFail("dtype \(array.dtype)") }
        XCTAssertEqual(values, [1.5, -2.25, 0, .infinity, 0, Float(1e-3)])
        XCTAssertEqual(values[4].sign, .minus, "-0.0 keeps its sign")
        XCTAssertEqual(values[2].sign, .plus)
    }

    func testFloat64() throws {
        let array = try NumPyArray(contentsOf: fixture("f8.npy"))
        XCTAssertEqual(array.shape, [5])
        guard case let .float64(values) = array.elements else { return XCTFail("dtype \(array.dtype)") }
        XCTAssertEqual(Array(values.prefix(4)), [0.1, -1e300, .pi, .leastNonzeroMagnitude])
        XCTAssertTrue(values[4].isNaN)
    }

    func testUInt8ThreeDimensional() throws {
        let array = try NumPyArray(contentsOf: fixture("u1.npy"))
        XCTAssertEqual(array.shape, [2, 3, 4])
        XCTAssertEqual(array.elements, .uint8((0..<24).map { UInt8($0 * 10) }))
    }

    func testInt64Extremes() throws {
        let array = try NumPyArray(contentsOf: fixture("i8.npy"))
        XCTAssertEqual(array.shape, [5])
        XCTAssertEqual(array.elements, .int64([.min, -1, 0, 1, .max]))
    }

    func testScalarAndEmpty() throws {
        let scalar = try NumPyArray(contentsOf: fixture("scalar_f8.npy"))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.elements, .float64([2.5]))
        let empty = try NumPyArray(contentsOf: fixture("empty_f4.npy"))
        XCTAssertEqual(empty.shape, [0, 3])
        XCTAssertEqual(empty.elements, .float32([]))
    }

    func testBigEndian() throws {
        let f8 = try NumPyArray(contentsOf: fixture("be_f8.npy"))
        XCTAssertEqual(try NPYHeader(contentsOf: fixture("be_f8.npy")).descr, ">f8")
        XCTAssertEqual(f8.shape, [2, 2])
        XCTAssertEqual(f8.elements, .float64([1.0, -2.5, Double("1e-310") ?? 0, 6.02214076e23]))
        let i4 = try NumPyArray(contentsOf: fixture("be_i4.npy"))
        XCTAssertEqual(i4.elements, .int32([1, -2, 65536, .max]))
        // Written back, they are little endian with the same values.
        let back = try NumPyArray(npyData: try f8.npyData())
        XCTAssertEqual(try NPYHeader(npyData: try f8.npyData()).descr, "<f8")
        XCTAssertEqual(back, f8)
    }

    func testFortranOrderIsRefusedByDefaultAndConvertedOnRequest() throws {
        let url = fixture("fortran_f4.npy")
        XCTAssertTrue(try NPYHeader(contentsOf: url).fortranOrder)
        let error = assertNumPyError(try NumPyArray(contentsOf: url), kind: "fortranOrder", path: url.path)
        XCTAssertTrue(error?.description.contains("Fortran order") ?? false)
        let converted = try NumPyArray(contentsOf: url, fortranOrder: .convertToCOrder)
        XCTAssertEqual(converted.shape, [2, 3])
        XCTAssertEqual(converted.elements, .float32([0, 1, 2, 3, 4, 5]))
        let threeD = try NumPyArray(contentsOf: fixture("fortran_i2.npy"), fortranOrder: .convertToCOrder)
        XCTAssertEqual(threeD.shape, [2, 3, 4])
        XCTAssertEqual(threeD.elements, .int16((0..<24).map { Int16($0) }))
    }

    func testFormatVersionsTwoAndThree() throws {
        XCTAssertEqual(try NPYHeader(contentsOf: fixture("v2_f4.npy")).majorVersion, 2)
        XCTAssertEqual(try NumPyArray(contentsOf: fixture("v2_f4.npy")).elements, .float32([1, 2, 3]))
        let v3 = try NumPyArray(contentsOf: fixture("v3_i8.npy"))
        XCTAssertEqual(try NPYHeader(contentsOf: fixture("v3_i8.npy")).majorVersion, 3)
        XCTAssertEqual(v3.shape, [2, 2])
        XCTAssertEqual(v3.elements, .int64([7, 8, 9, 10]))
    }

    func testUnsupportedDTypesNameTheFile() {
        for name in ["c8.npy", "U3.npy", "object.npy", "structured.npy"] {
            let url = fixture(name)
            assertNumPyError(try NumPyArray(contentsOf: url), kind: "unsupportedDType", path: url.path)
        }
    }

    func testSavezStoredMembersInArchiveOrder() throws {
        let archive = try NPZArchive(contentsOf: fixture("savez.npz"))
        XCTAssertEqual(archive.names, ["weights", "labels", "scalar", "arr_0"])
        XCTAssertEqual(archive.skippedMembers, [])
        XCTAssertEqual(archive["weights"], try NumPyArray((0..<12).map { Float($0) * 0.5 }, shape: [3, 4]))
        XCTAssertEqual(archive["labels"], try NumPyArray([0, 1, 1, 2] as [Int64], shape: [4]))
        XCTAssertEqual(archive["scalar"], try NumPyArray([-3.75] as [Double], shape: []))
        XCTAssertEqual(archive["arr_0"], try NumPyArray([1, 2, 3] as [Int64], shape: [3]))
        XCTAssertEqual(Set(archive.arrays.keys), ["weights", "labels", "scalar", "arr_0"])
    }

    func testSavezCompressedDeflatedMembers() throws {
        let archive = try NPZArchive(contentsOf: fixture("savez_compressed.npz"))
        XCTAssertEqual(archive.names, ["x", "labels", "pixels"])
        XCTAssertEqual(archive["x"], try NumPyArray((0..<1000).map { Float($0) * 0.25 }, shape: [10, 100]))
        XCTAssertEqual(archive["labels"], try NumPyArray((0..<1000).map { Int64($0 % 7) }, shape: [1000]))
        XCTAssertEqual(archive["pixels"], try NumPyArray((0..<768).map { UInt8($0 % 256) }, shape: [3, 16, 16]))
    }

    func testOtherDTypes() throws {
        let archive = try NPZArchive(contentsOf: fixture("dtypes.npz"))
        XCTAssertEqual(archive.names, ["b1", "i1", "i2", "i4", "u2", "u4", "u8", "f2"])
        XCTAssertEqual(archive["b1"]?.elements, .bool([true, false, true]))
        XCTAssertEqual(archive["i1"]?.elements, .int8([-128, 127, 0]))
        XCTAssertEqual(archive["i2"]?.elements, .int16([-32768, 32767, 1]))
        XCTAssertEqual(archive["i4"]?.elements, .int32([.min, .max, 2]))
        XCTAssertEqual(archive["u2"]?.elements, .uint16([0, 65535, 3]))
        XCTAssertEqual(archive["u4"]?.elements, .uint32([0, .max, 4]))
        XCTAssertEqual(archive["u8"]?.elements, .uint64([0, .max, 5]))
        XCTAssertEqual(archive["f2"]?.elements, .float16(bitPatterns: [0x3C00, 0xC100, 0x7BFF, 0x0001, 0x7C00]))
        XCTAssertEqual(archive["f2"]?.floatValues(), [1, -2.5, 65504, 0x1p-24, .infinity])
    }
}
