import Foundation
import Rendering
import XCTest

/// Deterministic pseudo-random bytes (xorshift64*) for noisy test images.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
    mutating func byte(below n: Int) -> UInt8 { UInt8(Int(next() >> 33) % n) }
}

/// Asserts that `body` throws exactly `expected`.
func assertThrows<T>(_ expected: RenderingError, file: StaticString = #filePath, line: UInt = #line,
                     _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected \(expected) to be thrown", file: file, line: line)
    } catch let error as RenderingError {
        XCTAssertEqual(error, expected, file: file, line: line)
        XCTAssertFalse(error.description.isEmpty, file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

func temporaryURL(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("rendering-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
}

/// Runs python3 with `script` and `args`; nil when python3 (or zlib in it) is missing.
func runPython(_ script: String, _ args: [String]) -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + args
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, out)
}
