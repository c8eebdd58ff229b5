import Foundation
import NumPyFiles
import XCTest

/// Runs the built `wow` binary (it sits next to the test bundle) and checks its output.
final class CommandLineTests: XCTestCase {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wow")
    }

    func wow(_ arguments: String...) throws -> Run { try wow(arguments, environment: [:]) }

    /// Runs `wow` with extra environment variables.
    func wow(_ arguments: [String], environment: [String: String]) throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("wow-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    override func setUpWithError() throws {
        // The test target depends on `wow`, so SwiftPM builds it next to the tests; a
        // missing binary is a failure, not a skip.
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary.path), "wow binary not found at \(Self.binary.path)")
    }

    func testHelpListsSubcommandsAndOptionChoices() throws {
        let root = try wow("--help")
        XCTAssertEqual(root.status, 0)
        XCTAssertTrue(root.stdout.contains("rings"))
        XCTAssertTrue(root.stdout.contains("flow"))
        let rings = try wow("rings", "--help")
        XCTAssertEqual(rings.status, 0)
        for text in ["--kernel", "riesz|gaussian|laplace|imq", "--bandwidth", "--exponent", "--steps", "--lr", "--momentum", "--projections", "--seed", "--out", "runs/rings", "501"] {
            XCTAssertTrue(rings.stdout.contains(text), "rings --help lacks \(text)")
        }
        let flow = try wow("flow", "--help")
        XCTAssertTrue(flow.stdout.contains("euler|momentum"))
        XCTAssertTrue(flow.stdout.contains("--source"))
    }

    func testBadOptionsGiveClearErrors() throws {
        let typo = try wow("rings", "--stpes", "10")
        XCTAssertEqual(typo.status, 64)
        XCTAssertTrue(typo.stderr.contains("did you mean --steps"), typo.stderr)
        let kernel = try wow("rings", "--kernel", "cosine")
        XCTAssertEqual(kernel.status, 64)
        XCTAssertTrue(kernel.stderr.contains("riesz"), kernel.stderr)
        let steps = try wow("rings", "--steps", "abc")
        XCTAssertEqual(steps.status, 64)
        XCTAssertTrue(steps.stderr.contains("--steps"), steps.stderr)
        let lr = try wow("rings", "--lr", "0")
        XCTAssertEqual(lr.status, 64)
        XCTAssertTrue(lr.stderr.contains("--lr"), lr.stderr)
        let exponent = try wow("rings", "--exponent", "2.5")
        XCTAssertNotEqual(exponent.status, 0)
        XCTAssertTrue(exponent.stderr.contains("exponent"), exponent.stderr)
        let projections = try wow("rings", "--projections", "0")
        XCTAssertNotEqual(projections.status, 0)
        XCTAssertTrue(projections.stderr.contains("projections"), projections.stderr)
        let missing = try wow("flow", "--source", "a.csv")
        XCTAssertEqual(missing.status, 64)
        XCTAssertTrue(missing.stderr.contains("--target"), missing.stderr)
        let unknown = try wow("rigns")
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("rings"), unknown.stderr)
    }

    func testRingsWritesEveryOutput() throws {
        let dir = try temporaryDirectory()
        let run = try wow("rings", "--steps", "4", "--projections", "16", "--out", dir.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        for file in ["loss.csv", "initial.csv", "final.csv", "target.csv", "flow.gif", "final.png", "loss.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "missing \(file)")
        }
        let loss = try String(contentsOf: dir.appendingPathComponent("loss.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(loss.first, "step,loss")
        XCTAssertEqual(loss.count, 6)
        let final = try String(contentsOf: dir.appendingPathComponent("final.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(final.first, "class,x,y")
        XCTAssertEqual(final.count, 241)
        let png = try Data(contentsOf: dir.appendingPathComponent("final.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let gif = try Data(contentsOf: dir.appendingPathComponent("flow.gif"))
        XCTAssertEqual(String(decoding: gif.prefix(6), as: UTF8.self), "GIF89a")
    }

    /// The summary tells a flow that did not move from one that landed: with --steps 0 every
    /// class sits on one side of ring 0, and --check makes that an error.
    func testRingsSummaryAndCheckFailWithoutSteps() throws {
        let dir = try temporaryDirectory()
        let run = try wow("rings", "--steps", "0", "--projections", "8", "--out", dir.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        for c in 0..<3 {
            XCTAssertTrue(run.stdout.contains("class \(c): ring 0 at (0.00, 0.00) radius 0.30: mean distance to ring 0.0"), run.stdout)
        }
        XCTAssertTrue(run.stdout.contains("mean distance to centre 0.30"), run.stdout)
        XCTAssertTrue(run.stdout.contains("NOT on the ring"), run.stdout)
        XCTAssertTrue(run.stdout.contains("check failed: class 0 is not on ring 0"), run.stdout)
        XCTAssertTrue(run.stdout.contains("(--check makes this an error)"), run.stdout)
        let checked = try wow("rings", "--steps", "0", "--projections", "8", "--check", "--out", dir.path)
        XCTAssertEqual(checked.status, 1, checked.stdout)
        XCTAssertTrue(checked.stderr.contains("ring check failed: class 0 is not on ring 0 (radius 0.3): its mean lies 0.3"), checked.stderr)
        XCTAssertTrue(checked.stderr.contains("classes 0, 1, 2 all lie nearest ring 0"), checked.stderr)
        // The outputs are written before the check fails.
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("final.png").path))
        let help = try wow("rings", "--help")
        XCTAssertTrue(help.stdout.contains("--check"), help.stdout)
        XCTAssertTrue(help.stdout.contains("15% of the radius"), help.stdout)
    }

    func testFlowReadsCSVAndReportsBadFiles() throws {
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("source.csv"), target = dir.appendingPathComponent("target.csv")
        try "class,a,b\n0,0,0\n0,0.1,0\n1,1,1\n1,1.1,1\n".write(to: source, atomically: true, encoding: .utf8)
        try "0,0.5,0.5\n0,0.6,0.5\n1,2,2\n1,2.1,2\n".write(to: target, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let run = try wow("flow", "--source", source.path, "--target", target.path, "--steps", "3", "--projections", "8",
                          "--integrator", "momentum", "--out", out.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        let flowed = try String(contentsOf: out.appendingPathComponent("flowed.csv"), encoding: .utf8)
        XCTAssertEqual(flowed.split(separator: "\n").count, 5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("loss.csv").path))

        let ragged = dir.appendingPathComponent("ragged.csv")
        try "0,1,2\n1,3\n".write(to: ragged, atomically: true, encoding: .utf8)
        let bad = try wow("flow", "--source", ragged.path, "--target", target.path, "--out", out.path)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("ragged.csv:2"), bad.stderr)

        let wide = dir.appendingPathComponent("wide.csv")
        try "0,1,2,3\n1,3,4,5\n".write(to: wide, atomically: true, encoding: .utf8)
        let mismatch = try wow("flow", "--source", wide.path, "--target", target.path, "--out", out.path)
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderr.contains("dimension"), mismatch.stderr)

        let absent = try wow("flow", "--source", dir.appendingPathComponent("nope.csv").path, "--target", target.path, "--out", out.path)
        XCTAssertEqual(absent.status, 1)
        XCTAssertTrue(absent.stderr.contains("nope.csv"), absent.stderr)
    }

    func testCSVLabelsSurviveTheFlowAndItsOutputs() throws {
        // Labels 3 and 5 (no class 0), CRLF line ends, gzip: kept as 3 and 5 in both outputs.
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("source.csv"), target = dir.appendingPathComponent("target.csv")
        try "class,a,b\r\n3,0,0\r\n3,0.1,0\r\n5,1,1\r\n5,1.1,1\r\n".write(to: source, atomically: true, encoding: .utf8)
        try "3,0.5,0.5\n3,0.6,0.5\n5,2,2\n5,2.1,2\n".write(to: target, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -k '\(target.path)'"]
        try gzip.run(); gzip.waitUntilExit()
        let out = dir.appendingPathComponent("out")
        let run = try wow("flow", "--source", source.path, "--target", target.path + ".gz", "--steps", "2", "--projections", "8", "--out", out.path)
        XCTAssertEqual(run.status, 0, run.stderr)
        let flowed = try String(contentsOf: out.appendingPathComponent("flowed.csv"), encoding: .utf8)
        let csvLabels = flowed.split(separator: "\n").dropFirst().map { Int($0.split(separator: ",")[0])! }
        XCTAssertEqual(csvLabels, [3, 3, 5, 5])
        let archive = try NPZArchive(contentsOf: out.appendingPathComponent("flowed.npz"))
        XCTAssertEqual(try archive.array(named: "labels").intValues(), [3, 3, 5, 5])
        // What wow writes, wow reads back.
        let again = try wow("flow", "--source", out.appendingPathComponent("flowed.csv").path, "--target", target.path, "--steps", "1",
                            "--projections", "8", "--out", dir.appendingPathComponent("again").path)
        XCTAssertEqual(again.status, 0, again.stderr)

        // One split of a Keras-layout archive: FILE.npz:test.
        let keras = dir.appendingPathComponent("k.npz")
        try NPZArchive([
            ("x_train", try NumPyArray([Float](repeating: 0.5, count: 8), shape: [4, 2])),
            ("y_train", try NumPyArray([Int64](arrayLiteral: 0, 1, 0, 1), shape: [4])),
            ("x_test", try NumPyArray([0, 0, 1, 1, 2, 2] as [Float], shape: [3, 2])),
            ("y_test", try NumPyArray([Int64](arrayLiteral: 0, 1, 1), shape: [3])),
        ]).write(to: keras)
        let split = try wow("flow", "--source", keras.path + ":test", "--target", keras.path, "--steps", "0", "--out", dir.appendingPathComponent("k").path)
        XCTAssertEqual(split.status, 0, split.stderr)
        let splitRows = try String(contentsOf: dir.appendingPathComponent("k/flowed.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(splitRows.count, 4, "header + the 3 test samples")
        let noSplit = try wow("flow", "--source", keras.path + ":validation", "--target", keras.path, "--out", dir.appendingPathComponent("k2").path)
        XCTAssertEqual(noSplit.status, 1)
        XCTAssertTrue(noSplit.stderr.contains("validation"), noSplit.stderr)

        // Only the first line may be a header: a second non-numeric line is an error, not skipped.
        let twoHeaders = dir.appendingPathComponent("two.csv")
        try "class,a,b\ny,3,4\n0,1,1\n1,3,3\n".write(to: twoHeaders, atomically: true, encoding: .utf8)
        let refused = try wow("flow", "--source", twoHeaders.path, "--target", target.path, "--out", dir.appendingPathComponent("o2").path)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("two.csv:2"), refused.stderr)
    }

    /// `--assign-labels`: the flowed classes take the target's labels (7, 3, 5 here, not
    /// 0..<3 in order) in both outputs; `none` keeps the source's.
    func testAssignLabelsWritesTheTargetLabels() throws {
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("source.csv"), target = dir.appendingPathComponent("target.csv")
        // Source classes 0, 1, 2 sit on target classes 7, 3, 5; with --steps 0 nothing
        // moves, so the assignment alone decides. The target's header names its label last.
        try "class,x,y\n0,0,0\n0,0.1,0\n1,5,5\n1,5.1,5\n2,10,0\n2,10.1,0\n".write(to: source, atomically: true, encoding: .utf8)
        try "x,y,class\n0.05,0.05,7\n0,0.1,7\n5,5.05,3\n5.1,5,3\n10,0.05,5\n10.1,0.1,5\n".write(to: target, atomically: true, encoding: .utf8)
        for (rule, expected, phrase) in [(nil, [7, 7, 3, 3, 5, 5], "labelled by OT between classes (--assign-labels ot): 0 -> 7, 1 -> 3, 2 -> 5"),
                                         ("ot", [7, 7, 3, 3, 5, 5], "labelled by OT between classes"),
                                         ("nearest", [7, 7, 3, 3, 5, 5], "labelled by nearest-neighbour vote (--assign-labels nearest): 0 -> 7"),
                                         ("none", [0, 0, 1, 1, 2, 2], "kept the source labels (--assign-labels none)")] {
            let out = dir.appendingPathComponent(rule ?? "default")
            let run = try wow(["flow", "--source", source.path, "--target", target.path, "--steps", "0", "--projections", "8",
                               "--out", out.path] + (rule.map { ["--assign-labels", $0] } ?? []), environment: [:])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains(phrase), "\(rule ?? "default"): \(run.stdout)")
            let rows = try String(contentsOf: out.appendingPathComponent("flowed.csv"), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(rows.first, "class,x1,x2")
            XCTAssertEqual(rows.dropFirst().map { Int($0.split(separator: ",")[0])! }, expected, "\(rule ?? "default") flowed.csv")
            let archive = try NPZArchive(contentsOf: out.appendingPathComponent("flowed.npz"))
            XCTAssertEqual(try archive.array(named: "labels").intValues(), expected, "\(rule ?? "default") flowed.npz")
        }
        // Numbered classes of different counts: the default keeps the source labels, and says so.
        let pair = dir.appendingPathComponent("pair.csv")
        try "class,x,y\n0,0,0\n0,0.1,0\n1,5,5\n1,5.1,5\n".write(to: pair, atomically: true, encoding: .utf8)
        let fewer = try wow("flow", "--source", pair.path, "--target", target.path, "--steps", "0", "--projections", "8",
                            "--out", dir.appendingPathComponent("fewer").path)
        XCTAssertEqual(fewer.status, 0, fewer.stderr)
        XCTAssertTrue(fewer.stdout.contains("(--assign-labels none (the default for 2 and 3 numbered classes))"), fewer.stdout)
        let forced = try wow("flow", "--source", pair.path, "--target", target.path, "--steps", "0", "--projections", "8",
                             "--assign-labels", "ot", "--out", dir.appendingPathComponent("forced").path)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        // (Class weights 1/2 against 1/3: the coupling splits class 1 between 3 and 5.)
        XCTAssertTrue(forced.stdout.contains("(--assign-labels ot): 0 -> 7, 1 -> "), forced.stdout)
        // Nonsense values and other methods are usage errors naming the option.
        let nonsense = try wow("flow", "--source", source.path, "--target", target.path, "--assign-labels", "optimal", "--out", dir.path)
        XCTAssertEqual(nonsense.status, 64)
        XCTAssertTrue(nonsense.stderr.contains("--assign-labels") && nonsense.stderr.contains("ot, nearest, none")
                      || nonsense.stderr.contains("ot|nearest|none"), nonsense.stderr)
        let otdd = try wow("flow", "--method", "otdd", "--source", source.path, "--target", target.path, "--assign-labels", "ot", "--out", dir.path)
        XCTAssertEqual(otdd.status, 64)
        XCTAssertTrue(otdd.stderr.contains("--assign-labels"), otdd.stderr)
        let help = try wow("flow", "--help")
        XCTAssertTrue(help.stdout.contains("ot|nearest|none"), help.stdout)
    }

    /// Named target classes (Fashion-MNIST's): the flowed files carry the target's labels
    /// and name them.
    func testAssignLabelsWithNamedClasses() throws {
        let env = fixtureEnvironment
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let run = try wow(["flow", "--source", "fashion-mnist:test", "--target", "fashion-mnist:test", "--per-class", "1",
                           "--steps", "0", "--projections", "4", "--out", out.path], environment: env)
        XCTAssertEqual(run.status, 0, run.stderr)
        // Source = target (one image per class): OT matches every class to itself, so the
        // labels are the target's own, in the data set's numbering.
        let archive = try NPZArchive(contentsOf: out.appendingPathComponent("flowed.npz"))
        let labels = try archive.array(named: "labels").intValues()
        XCTAssertTrue(run.stdout.contains("Trouser -> Trouser, Pullover -> Pullover"), run.stdout)
        let text = try String(contentsOf: out.appendingPathComponent("flowed.csv"), encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# classes: 0 = T-shirt/top; 1 = Trouser;"), String(text.prefix(200)))
        XCTAssertEqual(text.split(separator: "\n").dropFirst(2).map { Int($0.split(separator: ",")[0])! }, labels)
        XCTAssertEqual(labels, labels.sorted(), "classes in label order, each its own")
        XCTAssertEqual(Set(labels).count, labels.count)
    }

    func testOptionsTheChosenMethodIgnoresAreRefused() throws {
        let dir = try temporaryDirectory()
        let data = dir.appendingPathComponent("d.csv").path
        try "0,0,0\n0,1,0\n1,5,5\n1,6,5\n".write(toFile: data, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out").path
        for (extra, named) in [(["--sinkhorn", "0.1"], "--sinkhorn"), (["--noise", "0.1"], "--noise"), (["--components", "3"], "--components"),
                               (["--momentum", "0.5"], "--momentum"), (["--method", "otdd", "--kernel", "gaussian"], "--kernel"),
                               (["--method", "product", "--projections", "8"], "--projections"), (["--method", "otdd", "--noise", "0.1"], "--noise"),
                               (["--method", "otdd", "--exact", "--sinkhorn", "0.1"], "--exact")] {
            let run = try wow(["flow", "--source", data, "--target", data, "--steps", "1", "--out", out] + extra, environment: [:])
            XCTAssertEqual(run.status, 64, "\(extra): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(named), "\(extra): \(run.stderr)")
        }
        let momentum = try wow("flow", "--source", data, "--target", data, "--steps", "1", "--integrator", "momentum", "--momentum", "0.5",
                               "--projections", "8", "--out", out)
        XCTAssertEqual(momentum.status, 0, momentum.stderr)
        let labelDistance = try wow("distance", "--source", data, "--target", data, "--metric", "w2", "--label-distance", "gaussian")
        XCTAssertEqual(labelDistance.status, 64, labelDistance.stderr)
        let hugeRate = try wow("rings", "--lr", "1e300", "--out", out)
        XCTAssertEqual(hugeRate.status, 64, hugeRate.stderr)
        XCTAssertTrue(hugeRate.stderr.contains("--lr"), hugeRate.stderr)
    }

    func testAbsurdSizesAndEmptyPathsAreErrorsNotCrashes() throws {
        let dir = try temporaryDirectory()
        // Finite but extreme pixel values (a blown-up flow's output) are drawn, not a trap.
        for (name, values) in [("constant", [Float](repeating: 1e8, count: 8)), ("wide", [2e38, -2e38, 0, 1, 2e38, -2e38, 5, 6])] {
            let archive = dir.appendingPathComponent("\(name).npz")
            try NPZArchive([("features", try NumPyArray(values, shape: [2, 1, 2, 2])),
                            ("labels", try NumPyArray([Int64](arrayLiteral: 0, 1), shape: [2]))]).write(to: archive)
            let png = dir.appendingPathComponent("\(name).png")
            let show = try wow("data", "show", archive.path, "--out", png.path)
            XCTAssertEqual(show.status, 0, show.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: png.path))
        }
        let source = dir.appendingPathComponent("s.csv")
        try "0,0,0\n0,1,0\n1,5,5\n1,6,5\n".write(to: source, atomically: true, encoding: .utf8)
        let projections = try wow("rings", "--projections", "9223372036854775807", "--steps", "1", "--out", dir.path)
        XCTAssertEqual(projections.status, 1, projections.stderr)
        XCTAssertTrue(projections.stderr.contains("projections"), projections.stderr)
        let shape = try wow("train", "--arch", "lenet5", "--train", source.path, "--test", source.path, "--image-shape", "4294967296x4294967296x1")
        XCTAssertEqual(shape.status, 64, shape.stderr)
        XCTAssertTrue(shape.stderr.contains("image-shape"), shape.stderr)
        let empty = try wow("rings", "--out", "")
        XCTAssertEqual(empty.status, 64, empty.stderr)
        XCTAssertTrue(empty.stderr.contains("--out"), empty.stderr)
        let perClass = try wow("distance", "--source", source.path, "--target", source.path, "--metric", "sw",
                               "--per-class", "9223372036854775807")
        XCTAssertEqual(perClass.status, 1, perClass.stderr)
        XCTAssertTrue(perClass.stderr.contains("has 2 samples"), perClass.stderr)
        // Finite points whose projections overflow Float: an error, not `inf`.
        let huge = dir.appendingPathComponent("huge.csv")
        try "0,3e38,3e38\n1,-3e38,0\n".write(to: huge, atomically: true, encoding: .utf8)
        let overflow = try wow("distance", "--source", source.path, "--target", huge.path, "--metric", "sw")
        XCTAssertEqual(overflow.status, 1, overflow.stdout)
        XCTAssertTrue(overflow.stderr.contains("not finite"), overflow.stderr)
    }

    /// The committed real-data fixtures of the Datasets tests, as a data root.
    var fixtureEnvironment: [String: String] {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DatasetsTests/Fixtures").path
        return ["WOW_DATA_PATH": fixtures, "XDG_CACHE_HOME": FileManager.default.temporaryDirectory.appendingPathComponent("wow-empty-cache").path]
    }

    func testDataListShowAndFetchErrors() throws {
        let env = fixtureEnvironment
        let list = try wow(["data", "list"], environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("found in \(env["WOW_DATA_PATH"]!)"), list.stdout)
        XCTAssertTrue(list.stdout.contains("train 12, test 12"), list.stdout)
        for name in ["fashion-mnist", "mnist-5k", "uci-digits", "mnist", "kmnist", "cifar10"] {
            XCTAssertTrue(list.stdout.contains(name), "\(name) missing from: \(list.stdout)")
        }
        let dir = try temporaryDirectory()
        let png = dir.appendingPathComponent("grid.png")
        let show = try wow(["data", "show", "fashion-mnist:test", "--per-class", "1", "--out", png.path], environment: env)
        XCTAssertEqual(show.status, 0, show.stderr)
        let bytes = try Data(contentsOf: png)
        XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let zero = try wow(["data", "show", "fashion-mnist", "--per-class", "0", "--out", png.path], environment: env)
        XCTAssertEqual(zero.status, 64)
        let vectors = try wow(["data", "show", "rings", "--out", png.path], environment: env)
        XCTAssertEqual(vectors.status, 1)
        XCTAssertTrue(vectors.stderr.contains("images"), vectors.stderr)
        let split = try wow(["data", "show", "uci-digits:train", "--out", png.path], environment: env)
        XCTAssertEqual(split.status, 1)
        XCTAssertTrue(split.stderr.contains("no split 'train'"), split.stderr)
        let unreachable = try wow(["data", "fetch", "cifar10"], environment: env)
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.contains("not reachable"), unreachable.stderr)
        let unknown = try wow(["data", "fetch", "imagenet"], environment: env)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("unknown data set 'imagenet'"), unknown.stderr)
        let present = try wow(["data", "fetch", "fashion-mnist"], environment: env)
        XCTAssertEqual(present.status, 0, present.stderr)
        XCTAssertTrue(present.stdout.contains("already present"), present.stdout)
    }

    func testFlowAcceptsDataSetNamesAndNumPyFiles() throws {
        let env = fixtureEnvironment
        let dir = try temporaryDirectory()
        let out = dir.appendingPathComponent("out")
        let run = try wow(["flow", "--source", "fashion-mnist:test", "--target", "fashion-mnist:train", "--per-class", "1",
                           "--steps", "2", "--projections", "4", "--out", out.path], environment: env)
        XCTAssertEqual(run.status, 0, run.stderr)
        let npz = try Data(contentsOf: out.appendingPathComponent("flowed.npz"))
        XCTAssertEqual(Array(npz.prefix(2)), [0x50, 0x4B], "flowed.npz is a zip archive")
        // The flowed archive is itself a valid source (7 classes of one 28x28 image).
        let again = try wow(["flow", "--source", out.appendingPathComponent("flowed.npz").path, "--target", "fashion-mnist:train",
                             "--steps", "1", "--projections", "4", "--out", dir.appendingPathComponent("again").path], environment: env)
        XCTAssertEqual(again.status, 0, again.stderr)
        let picture = dir.appendingPathComponent("flowed.png")
        let show = try wow(["data", "show", out.appendingPathComponent("flowed.npz").path, "--per-class", "1", "--out", picture.path], environment: env)
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: picture.path))
        let noLabels = try wow(["flow", "--source", dir.appendingPathComponent("x.npy").path, "--target", "rings", "--out", out.path], environment: env)
        XCTAssertEqual(noLabels.status, 1)
        XCTAssertTrue(noLabels.stderr.contains("--source-labels"), noLabels.stderr)
        let tooMany = try wow(["flow", "--source", "fashion-mnist", "--target", "fashion-mnist", "--per-class", "3",
                               "--out", out.path], environment: env)
        XCTAssertEqual(tooMany.status, 1)
        XCTAssertTrue(tooMany.stderr.contains("class 'Pullover' has 2 samples; 3 were asked for"), tooMany.stderr)
        let unknown = try wow(["flow", "--source", "fashion-mnst", "--target", "rings", "--out", out.path], environment: env)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("unknown data set 'fashion-mnst'"), unknown.stderr)
    }
}

extension CommandLineTests {
    /// Two tiny labeled datasets with hand-computable distances: the target is the source
    /// moved by (0, 1).
    func writeDistanceFixtures() throws -> (source: String, target: String, wide: String) {
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("source.csv"), target = dir.appendingPathComponent("target.csv")
        let wide = dir.appendingPathComponent("wide.csv")
        try "class,a,b\n0,0,0\n1,1,0\n".write(to: source, atomically: true, encoding: .utf8)
        try "class,a,b\n0,0,1\n1,1,1\n".write(to: target, atomically: true, encoding: .utf8)
        try "0,0,0,0\n1,1,1,1\n".write(to: wide, atomically: true, encoding: .utf8)
        return (source.path, target.path, wide.path)
    }

    func distance(_ arguments: String...) throws -> Double {
        let run = try wow(["distance"] + arguments, environment: [:])
        XCTAssertEqual(run.status, 0, run.stderr)
        return try XCTUnwrap(Double(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), run.stdout)
    }

    func testDistanceCommandPrintsEveryMetric() throws {
        let (s, t, _) = try writeDistanceFixtures()
        // Pooled clouds {(0,0), (1,0)} and {(0,1), (1,1)}: W_2^2 = 1, BW^2 = |(0, 1)|^2 = 1,
        // SW_2^2 = mean over directions of theta_y^2 = 1/2 (up to the L = 500 draws).
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "w2"), 1, accuracy: 1e-6)
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "bw"), 1, accuracy: 1e-6)
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "sw"), 0.5, accuracy: 0.1)
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "sw", "--seed", "3"),
                       try distance("--source", s, "--target", t, "--metric", "sw", "--seed", "3"))
        // Classes {0,0} vs {0,1} cost 1 and are matched: WW_2^2 = 1. OTDD: each sample goes
        // to its moved copy, |dx|^2 + W_2^2(classes) = 1 + 1.
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "wow"), 1, accuracy: 1e-6)
        XCTAssertEqual(try distance("--source", s, "--target", t), 2, accuracy: 1e-6)
        XCTAssertEqual(try distance("--source", s, "--target", t, "--metric", "otdd", "--exact"), 2, accuracy: 1e-6)
        XCTAssertEqual(try distance("--source", s, "--target", s, "--metric", "otdd"), 0)
        XCTAssertEqual(try distance("--source", s, "--target", t, "--label-distance", "gaussian"), 2, accuracy: 1e-6)
        let entropic = try distance("--source", s, "--target", t, "--sinkhorn", "0.05")
        XCTAssertGreaterThanOrEqual(entropic, 2 - 1e-9)
        XCTAssertLessThan(entropic, 2.5)
        XCTAssertGreaterThan(try distance("--source", s, "--target", s, "--sinkhorn", "0.5"), 0, "entropic self-distance")
    }

    func testDistanceCommandHelpAndErrors() throws {
        let help = try wow("distance", "--help")
        XCTAssertEqual(help.status, 0)
        for text in ["sw|w2|bw|wow|otdd", "--exact", "--sinkhorn", "SQUARED", "--per-class", "--label-distance", "OTDD(D, D) = 0"] {
            XCTAssertTrue(help.stdout.contains(text), "distance --help lacks \(text)")
        }
        XCTAssertTrue(try wow("--help").stdout.contains("distance"))
        let (s, t, wide) = try writeDistanceFixtures()
        let both = try wow("distance", "--source", s, "--target", t, "--exact", "--sinkhorn", "0.1")
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("without --exact"), both.stderr)
        let notOTDD = try wow("distance", "--source", s, "--target", t, "--metric", "w2", "--sinkhorn", "0.1")
        XCTAssertEqual(notOTDD.status, 64)
        XCTAssertTrue(notOTDD.stderr.contains("--metric expects otdd"), notOTDD.stderr)
        // A plan still off its marginals at the iteration cap is refused, with the ways out.
        let uneven = try temporaryDirectory()
        let a = uneven.appendingPathComponent("a.csv").path, b = uneven.appendingPathComponent("b.csv").path
        try "0,0,0\n0,1,0.3\n1,5,5\n1,6,5.5\n0,0.2,0.9\n".write(toFile: a, atomically: true, encoding: .utf8)
        try "0,0.5,0.5\n0,0.6,0.1\n1,2,2\n1,2.1,2.7\n1,3,1\n".write(toFile: b, atomically: true, encoding: .utf8)
        let capped = try wow("distance", "--source", a, "--target", b, "--sinkhorn", "1e-3", "--sinkhorn-iterations", "2")
        XCTAssertEqual(capped.status, 1, capped.stdout)
        XCTAssertTrue(capped.stderr.contains("--sinkhorn-iterations"), capped.stderr)
        let iterationsAlone = try wow("distance", "--source", s, "--target", t, "--sinkhorn-iterations", "5")
        XCTAssertEqual(iterationsAlone.status, 64, iterationsAlone.stderr)
        let badEpsilon = try wow("distance", "--source", s, "--target", t, "--sinkhorn", "0")
        XCTAssertEqual(badEpsilon.status, 64)
        XCTAssertTrue(badEpsilon.stderr.contains("--sinkhorn"), badEpsilon.stderr)
        let metric = try wow("distance", "--source", s, "--target", t, "--metric", "kl")
        XCTAssertEqual(metric.status, 64)
        XCTAssertTrue(metric.stderr.contains("sw|w2|bw|wow|otdd"), metric.stderr)
        let pca = try wow("distance", "--source", s, "--target", t, "--pca", "1")
        XCTAssertEqual(pca.status, 64)
        XCTAssertTrue(pca.stderr.contains("gaussian when --pca"), pca.stderr)
        let mismatch = try wow("distance", "--source", s, "--target", wide)
        XCTAssertEqual(mismatch.status, 1)
        XCTAssertTrue(mismatch.stderr.contains("dimensions: 2 and 3"), mismatch.stderr)
    }

    func testFlowRunsTheOTDDAndProductBaselines() throws {
        let dir = try temporaryDirectory()
        let source = dir.appendingPathComponent("source.csv"), target = dir.appendingPathComponent("target.csv")
        try "class,a,b,c\n0,0,0,0\n0,0.2,0.1,0\n0,0.1,0.3,0.1\n1,1,1,1\n1,1.2,0.9,1\n1,0.9,1.1,1.2\n".write(to: source, atomically: true, encoding: .utf8)
        try "0,2,0,0\n0,2.2,0.1,0\n0,2.1,0.2,0.3\n1,0,2,1\n1,0.2,2.1,1\n1,0.1,1.9,1.2\n".write(to: target, atomically: true, encoding: .utf8)
        for method in ["otdd", "product"] {
            let out = dir.appendingPathComponent(method)
            let run = try wow("flow", "--method", method, "--source", source.path, "--target", target.path, "--steps", "5", "--lr", "0.05",
                              "--out", out.path)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("labelled by OT to the target classes"), run.stdout)
            let flowed = try String(contentsOf: out.appendingPathComponent("flowed.csv"), encoding: .utf8)
            XCTAssertEqual(flowed.split(separator: "\n").count, 7, flowed)
            let loss = try String(contentsOf: out.appendingPathComponent("loss.csv"), encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(loss.count, 7)
            let values = loss.dropFirst().map { Double($0.split(separator: ",")[1])! }
            XCTAssertLessThan(values.last!, values.first!, "\(method) loss did not decrease: \(values)")
        }
        let exact = try wow("flow", "--method", "otdd", "--exact", "--source", source.path, "--target", target.path, "--steps", "2",
                            "--out", dir.appendingPathComponent("exact").path)
        XCTAssertEqual(exact.status, 0, exact.stderr)
        let help = try wow("flow", "--help")
        XCTAssertTrue(help.stdout.contains("mmd|otdd|product"), help.stdout)
        let batch = try wow("flow", "--method", "otdd", "--target-batch", "2", "--source", source.path, "--target", target.path,
                            "--out", dir.path)
        XCTAssertEqual(batch.status, 64)
        XCTAssertTrue(batch.stderr.contains("--method expects mmd"), batch.stderr)
        let components = try wow("flow", "--method", "product", "--components", "4", "--source", source.path, "--target", target.path,
                                 "--out", dir.path)
        XCTAssertEqual(components.status, 1)
        XCTAssertTrue(components.stderr.contains("PCA components"), components.stderr)
    }

    func testTrainSavesWeightsThatEvalReads() throws {
        let env = fixtureEnvironment
        let dir = try temporaryDirectory()
        let weights = dir.appendingPathComponent("lenet5.weights")
        let train = try wow(["train", "--arch", "lenet5", "--train", "fashion-mnist:train", "--test", "fashion-mnist:test",
                             "--epochs", "1", "--batch", "4", "--save", weights.path], environment: env)
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("epoch 1/1"), train.stdout)
        XCTAssertTrue(train.stdout.contains("of 12;"), train.stdout)
        let eval = try wow(["eval", "--arch", "lenet5", "--weights", weights.path, "--data", "fashion-mnist:test"], environment: env)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        // The same weights and data give the accuracy line `train` printed last.
        let lastLine = { (text: String) in text.split(separator: "\n").last { $0.hasPrefix("test accuracy") }.map(String.init) }
        XCTAssertEqual(lastLine(eval.stdout), lastLine(train.stdout))
        let wrongArch = try wow(["eval", "--arch", "cnn", "--weights", weights.path, "--data", "fashion-mnist:test"], environment: env)
        XCTAssertEqual(wrongArch.status, 1)
        XCTAssertTrue(wrongArch.stderr.contains("lenet5 weights"), wrongArch.stderr)
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("bad.weights"))
        let corrupt = try wow(["eval", "--arch", "lenet5", "--weights", dir.appendingPathComponent("bad.weights").path,
                               "--data", "fashion-mnist:test"], environment: env)
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertFalse(corrupt.stderr.isEmpty)
        let vectors = try wow(["train", "--arch", "lenet5", "--train", "rings", "--test", "rings"], environment: env)
        XCTAssertEqual(vectors.status, 1)
        XCTAssertTrue(vectors.stderr.contains("--image-shape"), vectors.stderr)
        let badShape = try wow(["train", "--arch", "lenet5", "--train", "rings", "--test", "rings", "--image-shape", "1x2"], environment: env)
        XCTAssertEqual(badShape.status, 64)
    }
}
