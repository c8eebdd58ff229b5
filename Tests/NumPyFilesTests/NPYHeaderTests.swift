import Foundation
import XCTest
import NumPyFiles

/// An NPY image with a hand-written header text (no padding unless given) and raw data.
func handMadeNPY(_ header: String, version: UInt8 = 1, data: [UInt8]) -> Data {
    let text = Array(header.utf8)
    var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    let lengthSize = version == 1 ? 2 : 4
    for i in 0..<lengthSize { bytes.append(UInt8(truncatingIfNeeded: text.count >> (8 * i))) }
    return Data(bytes + text + data)
}

/// Little-endian bytes of 1.0, 2.0, 3.0 as float32.
let oneTwoThreeF4: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40]

final class NPYHeaderTests: XCTestCase {
    /// The header parser accepts any spacing, key order, trailing commas, both quote styles,
    /// Python 2's `L` suffix and `u''` strings, and headers without padding.
    func testTolerantHeaderSyntax() throws {
        let headers = [
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
            "{'descr':'<f4','fortran_order':False,'shape':(3,)}",
            "{ 'shape' :( 3 , ) ,\n\t'fortran_order' : False , \"descr\" : \"<f4\" , }   \n",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }",
            "{u'descr': u'<f4', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': 'f4', 'fortran_order': False, 'shape': [3]}",
            "{'descr': '=f4', 'fortran_order': False, 'shape': (+3,)}",
        ]
        for header in headers {
            let array = try NumPyArray(npyData: handMadeNPY(header, data: oneTwoThreeF4))
            XCTAssertEqual(array, try NumPyArray([1, 2, 3] as [Float], shape: [3]), header)
        }
    }

    /// Versions 2.0 and 3.0 use a 4-byte header length; 3.0 decodes the header as UTF-8.
    func testVersionsTwoAndThree() throws {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n"
        for version: UInt8 in [2, 3] {
            let data = handMadeNPY(header, version: version, data: oneTwoThreeF4)
            XCTAssertEqual(try NumPyArray(npyData: data).floatValues(), [1, 2, 3])
            XCTAssertEqual(try NPYHeader(npyData: data).majorVersion, version)
        }
    }

    /// String contents are UTF-8 in version 3.0 and latin-1 before: the same byte 0xFF is
    /// invalid in 3.0 and the letter ÿ in 1.0.
    func testHeaderTextEncodingDependsOnTheVersion() throws {
        func npy(version: UInt8, descrTail: [UInt8]) -> Data {
            var bytes = [UInt8](handMadeNPY("{'descr': '<f4@', 'fortran_order': False, 'shape': (3,)}",
                                            version: version, data: oneTwoThreeF4))
            let at = bytes.firstIndex(of: UInt8(ascii: "@")) ?? 0
            bytes.replaceSubrange(at...at, with: descrTail)
            let lengthSize = version == 1 ? 2 : 4
            let headerLength = bytes.count - 8 - lengthSize - oneTwoThreeF4.count
            for i in 0..<lengthSize { bytes[8 + i] = UInt8(truncatingIfNeeded: headerLength >> (8 * i)) }
            return Data(bytes)
        }
        assertNumPyError(try NumPyArray(npyData: npy(version: 3, descrTail: [0xFF])), kind: "malformedHeader", path: nil)
        let latin1 = assertNumPyError(try NumPyArray(npyData: npy(version: 1, descrTail: [0xFF])), kind: "unsupportedDType", path: nil)
        XCTAssertEqual(latin1?.problem, .unsupportedDType(descr: "<f4\u{FF}", reason: "unknown type code; supported: bool, int8-64, uint8-64, float16/32/64"))
        let utf8 = assertNumPyError(try NumPyArray(npyData: npy(version: 3, descrTail: [0xC3, 0xA9])), kind: "unsupportedDType", path: nil)
        XCTAssertTrue(utf8?.description.contains("'<f4é'") ?? false, "\(String(describing: utf8))")
    }

    /// Big-endian descrs are byte-swapped: '>f4' 3f 80 00 00 is 1.0.
    func testBigEndianDescrsAreSwapped() throws {
        let f4 = handMadeNPY("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}",
                             data: [0x3F, 0x80, 0, 0, 0xC0, 0x20, 0, 0])
        XCTAssertEqual(try NumPyArray(npyData: f4).elements, .float32([1.0, -2.5]))
        let i2 = handMadeNPY("{'descr': '>i2', 'fortran_order': False, 'shape': (2,)}", data: [0x01, 0x02, 0xFF, 0xFE])
        XCTAssertEqual(try NumPyArray(npyData: i2).elements, .int16([0x0102, -2]))
        let u8 = handMadeNPY("{'descr': '>u8', 'fortran_order': False, 'shape': ()}", data: [1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(try NumPyArray(npyData: u8).elements, .uint64([0x0102_0304_0506_0708]))
        let header = try NPYHeader(npyData: u8)
        XCTAssertTrue(header.isByteSwapped)
        XCTAssertEqual(header.descr, ">u8")
        let u1 = handMadeNPY("{'descr': '>u1', 'fortran_order': False, 'shape': (1,)}", data: [9])
        XCTAssertEqual(try NumPyArray(npyData: u1).elements, .uint8([9]))
    }

    /// Bool bytes other than 0 read as true, as in NumPy.
    func testBoolBytesNonZeroAreTrue() throws {
        let data = handMadeNPY("{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}", data: [0, 1, 7])
        XCTAssertEqual(try NumPyArray(npyData: data).elements, .bool([false, true, true]))
    }

    /// Headers that are not the prescribed dict give `.malformedHeader`, never a trap.
    func testMalformedHeadersAreTypedErrors() {
        let headers = [
            "",
            "hello",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), ",
            "['descr', '<f4']",
            "{'descr': '<f4', 'fortran_order': False}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': 3}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3.0,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': ('3',)}",
            "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
            "{'descr': 4, 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4, 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4' 'fortran_order': False, 'shape': (3,)}",
            "{3: '<f4', 'fortran_order': False, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} trailing",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,,)}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 100_000),
            "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "[", count: 20) + String(repeating: "]", count: 20) + "}",
        ]
        for header in headers {
            let error = assertNumPyError(try NumPyArray(npyData: handMadeNPY(header, data: oneTwoThreeF4)),
                                         kind: "malformedHeader", path: nil)
            XCTAssertNotNil(error, header)
        }
    }

    /// Unsupported dtypes name the descr and the reason.
    func testUnsupportedDescrsAreTypedErrors() {
        let cases = ["<c8": "complex", "<c16": "complex", "<f16": "extended", "<M8[ns]": "datetime",
                     "|S5": "string", "<U3": "string", "|V8": "void", "|O": "object", "<x4": "unknown", "": "empty"]
        for (descr, reason) in cases {
            let data = handMadeNPY("{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,)}", data: [0, 0, 0, 0])
            let error = assertNumPyError(try NumPyArray(npyData: data), kind: "unsupportedDType", path: nil)
            XCTAssertTrue(error?.description.lowercased().contains(reason) ?? false, "\(descr): \(String(describing: error))")
            XCTAssertTrue(error?.description.contains("'\(descr)'") ?? false, "\(String(describing: error))")
        }
    }

    /// Negative dimensions and shapes whose size overflows are refused before any allocation.
    func testInvalidAndOverflowingShapes() {
        let negative = handMadeNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", data: [])
        assertNumPyError(try NumPyArray(npyData: negative), kind: "invalidShape", path: nil)
        let overflow = handMadeNPY("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", data: [])
        assertNumPyError(try NumPyArray(npyData: overflow), kind: "shapeOverflow", path: nil)
        let bytesOverflow = handMadeNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,)}", data: [])
        assertNumPyError(try NumPyArray(npyData: bytesOverflow), kind: "shapeOverflow", path: nil)
        let zeroWithHuge = handMadeNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4294967296, 4294967296)}", data: [])
        XCTAssertEqual(try NumPyArray(npyData: zeroWithHuge).count, 0)
    }
}
