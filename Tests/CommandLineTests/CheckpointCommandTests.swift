#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// `wow flow --checkpoint-every K --resume`: a run killed by SIGKILL between checkpoints,
/// or stopped by SIGTERM in the middle of a step, resumes to the uninterrupted run's
/// `flowed.npz`, byte for byte; a checkpoint of other options is refused.
extension CommandLineTests {
    /// Two small labeled CSV files (4 classes of 30 points in 6 dimensions).
    func checkpointData() throws -> (URL, URL, URL) {
        let dir = try temporaryDirectory()
        var state: UInt64 = 12345
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        for (name, shift) in [("source.csv", 0.0), ("target.csv", 1.5)] {
            var text = ""
            for c in 0..<4 { for _ in 0..<30 { text += "\(c)," + (0..<6).map { _ in String(shift + 0.4 * Double(c) + noise()) }.joined(separator: ",") + "\n" } }
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return (dir.appendingPathComponent("source.csv"), dir.appendingPathComponent("target.csv"), dir)
    }

    /// The WoW flow with momentum and target minibatches, unless `method` says otherwise.
    func flowArguments(_ source: URL, _ target: URL, out: URL, steps: Int, lr: String = "0.5", extra: [String] = [],
                       method: [String] = ["--integrator", "momentum", "--target-batch", "12", "--projections", "64"]) -> [String] {
        ["flow", "--source", source.path, "--target", target.path, "--out", out.path, "--steps", String(steps), "--lr", lr,
         "--seed", "4"] + method + extra
    }

    /// Starts `wow` and returns the process (output discarded).
    func startWow(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `file` exists (up to 60 s).
    func waitFor(_ file: URL) throws {
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: file.path) {
            guard Date() < deadline else { throw XCTSkip("no checkpoint appeared within 60 s") }
            usleep(2_000)
        }
    }

    /// SIGKILL between checkpoints, for the WoW flow with momentum and target minibatches,
    /// with explicit Euler, and for the OTDD flow (AdamW on the product state).
    func testAFlowKilledBetweenCheckpointsResumesToTheSameBytes() throws {
        try assertKilledRunResumes(steps: 600, lr: "0.5", every: "25")
        try assertKilledRunResumes(steps: 600, lr: "0.5", every: "25", method: ["--integrator", "euler", "--projections", "64"])
        try assertKilledRunResumes(steps: 150, lr: "0.01", every: "5", method: ["--method", "otdd"])
    }

    func assertKilledRunResumes(steps: Int, lr: String, every: String, method: [String]? = nil,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let (source, target, dir) = try checkpointData()
        func arguments(_ out: URL, _ extra: [String] = []) -> [String] {
            method.map { flowArguments(source, target, out: out, steps: steps, lr: lr, extra: extra, method: $0) }
                ?? flowArguments(source, target, out: out, steps: steps, lr: lr, extra: extra)
        }
        let straight = dir.appendingPathComponent("straight")
        XCTAssertEqual(try wow(arguments(straight), environment: [:]).status, 0, file: file, line: line)

        let out = dir.appendingPathComponent("killed")
        let arguments = arguments(out, ["--checkpoint-every", every, "--resume"])
        let process = try startWow(arguments)
        try waitFor(out.appendingPathComponent("checkpoint.npz"))
        usleep(30_000)  // past the first checkpoint, most likely between two
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("flowed.npz").path), "killed before the end",
                       file: file, line: line)

        let resumed = try wow(arguments, environment: [:])
        XCTAssertEqual(resumed.status, 0, resumed.stderr, file: file, line: line)
        XCTAssertTrue(resumed.stdout.contains("resuming from"), resumed.stdout, file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("flowed.npz")),
                       try Data(contentsOf: straight.appendingPathComponent("flowed.npz")), file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("loss.csv")),
                       try Data(contentsOf: straight.appendingPathComponent("loss.csv")), file: file, line: line)
    }

    func testSIGTERMSavesACheckpointAndTheRunResumes() throws {
        let (source, target, dir) = try checkpointData()
        let steps = 600
        let straight = dir.appendingPathComponent("straight")
        XCTAssertEqual(try wow(flowArguments(source, target, out: straight, steps: steps), environment: [:]).status, 0)

        let out = dir.appendingPathComponent("stopped")
        // Checkpoints only at the end or on a signal: the SIGTERM one is the only one.
        let arguments = flowArguments(source, target, out: out, steps: steps, extra: ["--checkpoint-every", "100000", "--resume"])
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        usleep(400_000)
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard !FileManager.default.fileExists(atPath: out.appendingPathComponent("flowed.npz").path) else {
            throw XCTSkip("the run finished before the signal")
        }
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(stderr.contains("stopped on request"), stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.npz").path))

        let resumed = try wow(arguments, environment: [:])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("flowed.npz")),
                       try Data(contentsOf: straight.appendingPathComponent("flowed.npz")))
    }

    func testACheckpointOfOtherOptionsOrDataIsRefused() throws {
        let (source, target, dir) = try checkpointData()
        let out = dir.appendingPathComponent("run")
        XCTAssertEqual(try wow(flowArguments(source, target, out: out, steps: 4, extra: ["--checkpoint-every", "2"]), environment: [:]).status, 0)
        let other = try wow(flowArguments(source, target, out: out, steps: 8, lr: "0.25", extra: ["--resume"]), environment: [:])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("lr is 0.5 there, 0.25 here"), other.stderr)
        let swapped = try wow(flowArguments(target, source, out: out, steps: 8, extra: ["--resume"]), environment: [:])
        XCTAssertEqual(swapped.status, 1)
        XCTAssertTrue(swapped.stderr.contains("source data sha256"), swapped.stderr)
        // More steps on the same run: allowed, and equal to running them at once.
        XCTAssertEqual(try wow(flowArguments(source, target, out: out, steps: 8, extra: ["--resume"]), environment: [:]).status, 0)
        let straight = dir.appendingPathComponent("straight")
        XCTAssertEqual(try wow(flowArguments(source, target, out: straight, steps: 8), environment: [:]).status, 0)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("flowed.npz")),
                       try Data(contentsOf: straight.appendingPathComponent("flowed.npz")))
        try Data("not a checkpoint".utf8).write(to: out.appendingPathComponent("checkpoint.npz"))
        let corrupt = try wow(flowArguments(source, target, out: out, steps: 8, extra: ["--resume"]), environment: [:])
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertTrue(corrupt.stderr.contains("checkpoint.npz is not a usable checkpoint"), corrupt.stderr)
    }
}
