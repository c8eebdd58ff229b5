#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NumPyFiles
import XCTest

/// `wow flow --snapshot-every K` (with `--classifier`): the snapshot files, their pictures
/// and the accuracy table; a run killed between checkpoints and resumed ends with every
/// snapshot; bad options are errors.
extension CommandLineTests {
    /// Labeled 2-D CSV files: three classes of `perClass` points, the target's classes on
    /// three spots the source's are not on.
    func planarData(perClass: Int = 12) throws -> (URL, URL, URL) {
        let dir = try temporaryDirectory()
        var state: UInt64 = 99
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) / Double(1 << 53) - 0.5) * 0.2
        }
        let spots: [(String, [(Double, Double)])] = [("source.csv", [(0, 0), (0.2, 0), (0.4, 0)]), ("target.csv", [(1, 1), (-1, 1), (0, -1)])]
        for (name, centres) in spots {
            var text = "class,x,y\n"
            for (c, centre) in centres.enumerated() {
                for _ in 0..<perClass { text += "\(c),\(centre.0 + noise()),\(centre.1 + noise())\n" }
            }
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return (dir.appendingPathComponent("source.csv"), dir.appendingPathComponent("target.csv"), dir)
    }

    /// An `.npz` of `1 x size x size` images: class `k` is a bright square at a place of its
    /// own (moved by `shift` places), plus noise.
    func writeImageArchive(_ url: URL, classes: Int = 3, perClass: Int = 6, size: Int = 28, shift: Int = 0, seed: UInt64) throws {
        var state = seed
        func noise() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 0.2
        }
        var pixels = [Float](), labels = [Int64]()
        let side = size / 4
        for c in 0..<classes {
            let place = (c + shift) % classes
            for _ in 0..<perClass {
                for y in 0..<size {
                    for x in 0..<size {
                        let inside = (place * side..<(place + 1) * side).contains(x) && (side..<2 * side).contains(y)
                        pixels.append(min(1, (inside ? 0.8 : 0) + noise()))
                    }
                }
                labels.append(Int64(c))
            }
        }
        try NPZArchive([("features", try NumPyArray(pixels, shape: [labels.count, 1, size, size])),
                        ("labels", try NumPyArray(labels, shape: [labels.count]))]).write(to: url)
    }

    func snapshotSteps(_ out: URL) throws -> [Int] {
        try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("snapshots").path)
            .filter { $0.hasPrefix("step-") }.sorted().map { Int($0.dropFirst(5).dropLast(4))! }
    }

    func testSnapshotsOfATwoDimensionalFlow() throws {
        let (source, target, dir) = try planarData()
        let out = dir.appendingPathComponent("run")
        let run = try wow(["flow", "--source", source.path, "--target", target.path, "--steps", "7", "--lr", "0.2",
                           "--projections", "16", "--snapshot-every", "3", "--out", out.path], environment: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        // Step 0, every 3 steps, the last step.
        XCTAssertEqual(try snapshotSteps(out), [0, 3, 6, 7])
        XCTAssertTrue(run.stdout.contains("wrote 4 snapshots to \(out.path)/snapshots/ (step-000000.npz ... step-000007.npz), snapshots.png, snapshots.gif"),
                      run.stdout)
        // The last snapshot is flowed.npz; every one has its members and the target's labels.
        let last = out.appendingPathComponent("snapshots/step-000007.npz")
        XCTAssertEqual(try Data(contentsOf: last), try Data(contentsOf: out.appendingPathComponent("flowed.npz")))
        let first = try NPZArchive(contentsOf: out.appendingPathComponent("snapshots/step-000000.npz"))
        XCTAssertEqual(first.names, ["features", "labels"])
        XCTAssertEqual(first["features"]?.shape, [36, 2])
        XCTAssertEqual(Set(try XCTUnwrap(first["labels"]).intValues()), [0, 1, 2])
        XCTAssertEqual(String(decoding: try Data(contentsOf: out.appendingPathComponent("snapshots.gif")).prefix(6), as: UTF8.self), "GIF89a")
        XCTAssertEqual(Array(try Data(contentsOf: out.appendingPathComponent("snapshots.png")).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("accuracy.csv").path))

        // The baselines record too, labelled as their flowed.npz.
        let product = dir.appendingPathComponent("product")
        let baseline = try wow(["flow", "--method", "product", "--source", source.path, "--target", target.path, "--steps", "2",
                                "--snapshot-every", "1", "--out", product.path], environment: [:])
        XCTAssertEqual(baseline.status, 0, baseline.stderr)
        XCTAssertEqual(try snapshotSteps(product), [0, 1, 2])
        XCTAssertEqual(try Data(contentsOf: product.appendingPathComponent("snapshots/step-000002.npz")),
                       try Data(contentsOf: product.appendingPathComponent("flowed.npz")))
    }

    func testClassifierAccuracyAtEverySnapshot() throws {
        let dir = try temporaryDirectory()
        let train = dir.appendingPathComponent("train.npz"), source = dir.appendingPathComponent("source.npz")
        try writeImageArchive(train, seed: 1)
        try writeImageArchive(source, shift: 1, seed: 2)
        let weights = dir.appendingPathComponent("lenet5.weights")
        let training = try wow(["train", "--arch", "lenet5", "--train", train.path, "--test", train.path, "--epochs", "1", "--batch", "6",
                                "--save", weights.path], environment: [:])
        XCTAssertEqual(training.status, 0, training.stderr)

        let out = dir.appendingPathComponent("run")
        let run = try wow(["flow", "--source", source.path, "--target", train.path, "--steps", "4", "--lr", "1", "--projections", "8",
                           "--snapshot-every", "2", "--classifier", weights.path, "--arch", "lenet5", "--out", out.path], environment: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try snapshotSteps(out), [0, 2, 4])
        XCTAssertTrue(run.stderr.contains("step 2: accuracy "), run.stderr)
        XCTAssertTrue(run.stdout.contains("accuracy on the snapshots (accuracy.csv, accuracy.svg): step 0 "), run.stdout)
        let rows = try String(contentsOf: out.appendingPathComponent("accuracy.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.first, "step,accuracy")
        XCTAssertEqual(rows.dropFirst().map { Int($0.split(separator: ",")[0])! }, [0, 2, 4])
        let accuracies = rows.dropFirst().map { Double($0.split(separator: ",")[1])! }
        XCTAssertTrue(accuracies.allSatisfy { (0...1).contains($0) }, "\(accuracies)")
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("accuracy.svg"), encoding: .utf8).contains("<svg"))
        // The last accuracy is `wow eval`'s on flowed.npz.
        let eval = try wow(["eval", "--arch", "lenet5", "--weights", weights.path, "--data", out.appendingPathComponent("flowed.npz").path],
                           environment: [:])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let counts = try XCTUnwrap(eval.stdout.split(separator: "(").dropFirst().first?.split(separator: ";").first)
            .split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(counts.count, 2, eval.stdout)
        XCTAssertEqual(accuracies.last!, Double(counts[0]) / Double(counts[1]), accuracy: 1e-12, eval.stdout)
        // Image pictures: a grid and a GIF.
        XCTAssertEqual(Array(try Data(contentsOf: out.appendingPathComponent("snapshots.png")).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(String(decoding: try Data(contentsOf: out.appendingPathComponent("snapshots.gif")).prefix(6), as: UTF8.self), "GIF89a")

        // Refused: another architecture, images of another shape, vectors, no weights.
        let flow = ["flow", "--source", source.path, "--target", train.path, "--steps", "1", "--projections", "4", "--snapshot-every", "1",
                    "--out", dir.appendingPathComponent("refused").path]
        let cnn = try wow(flow + ["--classifier", weights.path, "--arch", "cnn"], environment: [:])
        XCTAssertEqual(cnn.status, 1)
        XCTAssertTrue(cnn.stderr.contains("holds lenet5 weights, not cnn"), cnn.stderr)
        let small = dir.appendingPathComponent("small.npz")
        try writeImageArchive(small, size: 8, seed: 3)
        let shape = try wow(["flow", "--source", small.path, "--target", small.path, "--steps", "1", "--projections", "4", "--snapshot-every", "1",
                             "--classifier", weights.path, "--arch", "lenet5", "--out", dir.appendingPathComponent("small").path], environment: [:])
        XCTAssertEqual(shape.status, 1)
        XCTAssertTrue(shape.stderr.contains("trained on 1x28x28 images, the flowed data are 1x8x8 images"), shape.stderr)
        let (planar, planarTarget, _) = try planarData()
        let vectors = try wow(["flow", "--source", planar.path, "--target", planarTarget.path, "--steps", "1", "--snapshot-every", "1",
                               "--classifier", weights.path, "--arch", "lenet5", "--out", dir.appendingPathComponent("vectors").path], environment: [:])
        XCTAssertEqual(vectors.status, 1)
        XCTAssertTrue(vectors.stderr.contains("vectors of 2 values"), vectors.stderr)
        let missing = try wow(flow + ["--classifier", dir.appendingPathComponent("none.weights").path, "--arch", "lenet5"], environment: [:])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no classifier weights at \(dir.appendingPathComponent("none.weights").path)"), missing.stderr)
    }

    func testRecordingOptionsThatCannotWorkAreUsageErrors() throws {
        let (source, target, dir) = try planarData(perClass: 3)
        let flow = ["flow", "--source", source.path, "--target", target.path, "--steps", "1", "--out", dir.appendingPathComponent("o").path]
        for (extra, phrase) in [(["--snapshot-every", "0"], "--snapshot-every"),
                                (["--snapshot-every", "-5"], "--snapshot-every"),
                                (["--classifier", "w.bin", "--arch", "cnn"], "--classifier expects --snapshot-every k as well"),
                                (["--arch", "cnn", "--snapshot-every", "1"], "--arch expects --classifier FILE as well"),
                                (["--classifier", "w.bin", "--snapshot-every", "1"], "--classifier expects --arch NAME as well"),
                                (["--classifier", "", "--snapshot-every", "1", "--arch", "cnn"], "a non-empty path"),
                                (["--classifier", "w.bin", "--snapshot-every", "1", "--arch", "resnet"], "--arch")] {
            let run = try wow(flow + extra, environment: [:])
            XCTAssertEqual(run.status, 64, "\(extra): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(phrase), "\(extra): \(run.stderr)")
        }
        let help = try wow("flow", "--help")
        XCTAssertTrue(help.stdout.contains("DIR/snapshots/step-NNNNNN.npz"), help.stdout)
        XCTAssertTrue(help.stdout.contains("DIR/accuracy.csv"), help.stdout)
    }

    /// A run killed (SIGKILL) between checkpoints and resumed writes the uninterrupted run's
    /// snapshots, byte for byte, and the same pictures.
    func testAKilledAndResumedRunHasEverySnapshot() throws {
        let (source, target, dir) = try planarData(perClass: 20)
        let steps = 600
        func arguments(_ out: URL, _ extra: [String]) -> [String] {
            ["flow", "--source", source.path, "--target", target.path, "--out", out.path, "--steps", String(steps), "--lr", "0.2",
             "--integrator", "momentum", "--projections", "32", "--seed", "2", "--snapshot-every", "100"] + extra
        }
        let straight = dir.appendingPathComponent("straight")
        XCTAssertEqual(try wow(arguments(straight, []), environment: [:]).status, 0)
        XCTAssertEqual(try snapshotSteps(straight), [0, 100, 200, 300, 400, 500, 600])

        let out = dir.appendingPathComponent("killed")
        let resumable = arguments(out, ["--checkpoint-every", "25", "--resume"])
        let process = try startWow(resumable)
        try waitFor(out.appendingPathComponent("checkpoint.npz"))
        usleep(30_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("flowed.npz").path), "killed before the end")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("snapshots.gif").path))
        let before = try snapshotSteps(out)
        XCTAssertTrue(before.contains(0), "\(before)")

        let resumed = try wow(resumable, environment: [:])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming from"), resumed.stdout)
        XCTAssertEqual(try snapshotSteps(out), [0, 100, 200, 300, 400, 500, 600])
        for name in try FileManager.default.contentsOfDirectory(atPath: straight.appendingPathComponent("snapshots").path) {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("snapshots/\(name)")),
                           try Data(contentsOf: straight.appendingPathComponent("snapshots/\(name)")), name)
        }
        for name in ["flowed.npz", "snapshots.gif", "snapshots.png"] {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(name)), try Data(contentsOf: straight.appendingPathComponent(name)), name)
        }
    }
}
