import Foundation
import XCTest
import NumPyFiles

/// The committed NumPy-made files (see Fixtures/README.md), found next to this source file.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures", isDirectory: true)

func fixture(_ name: String) -> URL {
    fixturesDirectory.appendingPathComponent(name)
}

func fixtureData(_ name: String) throws -> Data {
    try Data(contentsOf: fixture(name))
}

/// A fresh empty directory, removed at the end of the test.
func temporaryDirectory(for test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("NumPyFilesTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The case name of a problem, e.g. `truncatedData` (for readable assertions).
func kind(_ problem: NumPyFileError.Problem) -> String {
    if case .fileNotFound = problem { return "fileNotFound" }  // the only case without a payload
    return Mirror(reflecting: problem).children.first?.label ?? "unknown"
}

/// Asserts that `expression` throws a `NumPyFileError` of the given kind whose `path` and
/// `member` are as given and whose description names them.
@discardableResult
func assertNumPyError<T>(_ expression: @autoclosure () throws -> T, kind expectedKind: String,
                         path: String?, member: String? = nil,
                         file: StaticString = #filePath, line: UInt = #line) -> NumPyFileError? {
    do {
        let value = try expression()
        XCTFail("expected a \(expectedKind) error, got \(value)", file: file, line: line)
        return nil
    } catch let error as NumPyFileError {
        XCTAssertEqual(kind(error.problem), expectedKind, "\(error)", file: file, line: line)
        XCTAssertEqual(error.path, path, file: file, line: line)
        XCTAssertEqual(error.member, member, file: file, line: line)
        if let path {
            XCTAssertTrue(error.description.contains(path), "message lacks the path: \(error)", file: file, line: line)
            XCTAssertEqual(error.errorDescription, error.description, file: file, line: line)
        }
        if let member {
            XCTAssertTrue(error.description.contains(member), "message lacks the member: \(error)", file: file, line: line)
        }
        return error
    } catch {
        XCTFail("expected NumPyFileError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Little-endian bytes of each element, computed from bit patterns independently of the
/// module's encoder, as lowercase hex (what NumPy's `a.tobytes().hex()` prints).
func littleEndianHex(_ array: NumPyArray) -> String {
    var bytes = [UInt8]()
    func add<T: FixedWidthInteger>(_ value: T) {
        for i in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
    switch array.elements {
    case let .bool(v): v.forEach { add(UInt8($0 ? 1 : 0)) }
    case let .int8(v): v.forEach { add($0) }
    case let .int16(v): v.forEach { add($0) }
    case let .int32(v): v.forEach { add($0) }
    case let .int64(v): v.forEach { add($0) }
    case let .uint8(v): v.forEach { add($0) }
    case let .uint16(v): v.forEach { add($0) }
    case let .uint32(v): v.forEach { add($0) }
    case let .uint64(v): v.forEach { add($0) }
    case let .float16(v): v.forEach { add($0) }
    case let .float32(v): v.forEach { add($0.bitPattern) }
    case let .float64(v): v.forEach { add($0.bitPattern) }
    }
    return hexString(bytes)
}

/// Lowercase hex of `bytes` (fast enough for megabytes in debug builds).
func hexString<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var ascii = [UInt8]()
    ascii.reserveCapacity(bytes.underestimatedCount * 2)
    for byte in bytes {
        ascii.append(digits[Int(byte >> 4)])
        ascii.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: ascii, as: UTF8.self)
}

/// Deterministic sample elements of `dtype`: extremes, signed zeros, infinities, NaNs with
/// payloads, subnormals, then a scrambled sequence covering all bit positions.
func sampleElements(_ dtype: NumPyDType, count: Int) -> NumPyArray.Elements {
    func scrambled(_ i: Int) -> UInt64 { UInt64(truncatingIfNeeded: i &+ 1) &* 0x9E37_79B9_7F4A_7C15 }
    func integers<T: FixedWidthInteger>(_: T.Type) -> [T] {
        let special: [T] = [T.min, T.max, 0, 1, T.min == 0 ? 2 : -1]
        return (0..<count).map { $0 < special.count ? special[$0] : T(truncatingIfNeeded: scrambled($0)) }
    }
    switch dtype {
    case .bool: return .bool((0..<count).map { scrambled($0) % 3 == 0 })
    case .int8: return .int8(integers(Int8.self))
    case .int16: return .int16(integers(Int16.self))
    case .int32: return .int32(integers(Int32.self))
    case .int64: return .int64(integers(Int64.self))
    case .uint8: return .uint8(integers(UInt8.self))
    case .uint16: return .uint16(integers(UInt16.self))
    case .uint32: return .uint32(integers(UInt32.self))
    case .uint64: return .uint64(integers(UInt64.self))
    case .float16:
        let special: [UInt16] = [0x3C00, 0x8000, 0x7C00, 0xFC00, 0x7E01, 0x0001, 0x7BFF]
        return .float16(bitPatterns: (0..<count).map { $0 < special.count ? special[$0] : UInt16(truncatingIfNeeded: scrambled($0)) })
    case .float32:
        let special: [Float] = [1.5, -0.0, .infinity, -.infinity, Float(bitPattern: 0x7FC0_1234),
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1.0 / 3.0]
        return .float32((0..<count).map { $0 < special.count ? special[$0] : Float(bitPattern: UInt32(truncatingIfNeeded: scrambled($0))) })
    case .float64:
        let special: [Double] = [0.1, -0.0, .infinity, -.infinity, Double(bitPattern: 0x7FF8_0000_0000_BEEF),
                                 .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi]
        return .float64((0..<count).map { $0 < special.count ? special[$0] : Double(bitPattern: scrambled($0)) })
    }
}

/// The shapes every round trip covers: scalar, empty, vector, 3-D.
let roundTripShapes: [[Int]] = [[], [0], [5], [2, 3, 4]]

func sampleArray(_ dtype: NumPyDType, shape: [Int]) throws -> NumPyArray {
    let count = shape.reduce(1, *)
    return try NumPyArray(shape: shape, elements: sampleElements(dtype, count: count))
}

/// Runs `python3 -c script args...`; returns stdout, or nil when python3 cannot be started.
func runPython(_ script: String, arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { return nil }
    // Read both pipes before waiting so a large output cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Skips the test unless `python3` can `import numpy`.
func requireNumPy() throws {
    guard let result = try runPython("import numpy"), result.status == 0 else {
        throw XCTSkip("python3 with numpy is not available")
    }
}
