import ArgumentParsing
import Foundation
import WassersteinFlows

/// One measured row of the report.
struct Row {
    var group: String
    var name: String
    var shape: String
    var threads: Int
    var medianMs: Double
    var extra: [String: String] = [:]
}

enum Benchmark {
    static let spec = CommandSpec(
        "wow-bench",
        abstract: "Benchmarks of the WoW step, GEMM, sorting and thread scaling (release builds only).",
        discussion: "Run with: swift run -c release wow-bench. Medians over --repeats runs after one warm-up. Reference numbers are the paper's JAX code timed on the 2-core machine the targets were set on (see the README's Benchmarks section); --jax-reference times it in the same session, --numpy measures numpy matmul in the same session for the GEMM ratio.",
        options: [
            .option("repeats", value: "n", help: "Timed runs per measurement (median reported).", default: "7"),
            .repeated("only", value: "group", help: "Run only these groups: step, gemm, sort, flow, rings, scaling, transport, nn.",
                      choices: ["step", "gemm", "sort", "flow", "rings", "scaling", "transport", "nn"]),
            .repeated("shape", value: "letter", help: "With the step and flow groups: only these shapes (a, b, c, d; e, the full Fashion-MNIST training set, step group only).",
                      choices: ["a", "b", "c", "d", "e"]),
            .option("threads", value: "n", help: "Worker threads (default: all cores)."),
            .flag("torch", help: "With the nn group: also time PyTorch on CPU (python3 with torch) and report the ratio."),
            .flag("numpy", help: "Also time numpy matmul (python3) on the GEMM shapes and report the ratio."),
            .option("jax-reference", value: "dir",
                    help: "With the step group: also time the paper's JAX code (a checkout of clbonet/Flowing_Datasets_with_WoW_Gradient_Flows; python3 with jax) in this session and report the ratio."),
            .option("csv", value: "file", help: "Write the table as CSV."),
            .option("json", value: "file", help: "Write the table as JSON."),
        ])

    static func run(_ arguments: ParsedArguments) throws {
        #if DEBUG
        throw BenchmarkError.debugBuild
        #else
        let repeats = try arguments.int("repeats", min: 1)
        let only = Set(try arguments.strings("only"))
        if let threads = try arguments.optionalInt("threads", min: 1) { Parallel.threads = threads }
        let shapes = Set(try arguments.strings("shape"))
        func wants(_ group: String) -> Bool { only.isEmpty || only.contains(group) }
        var rows = [Row]()
        let threads = Parallel.threads
        var jaxReference: String?
        if let directory = try arguments.optionalString("jax-reference") {
            let module = URL(fileURLWithPath: directory).appendingPathComponent("lib/mmd.py").path
            guard FileManager.default.fileExists(atPath: module) else { throw BenchmarkError.missingReference(module) }
            jaxReference = directory
        }
        print("wow-bench: \(threads) threads, FMA micro-kernel: \(gemmUsesFMA ? "yes" : "no"), repeats \(repeats)")
        if wants("step") { rows += try StepBenchmarks.run(repeats: repeats, shapes: shapes, jaxReference: jaxReference) }
        if wants("gemm") { rows += try GEMMBenchmarks.run(repeats: repeats, numpy: try arguments.flag("numpy")) }
        if wants("sort") { rows += SortBenchmarks.run(repeats: repeats) }
        if wants("flow") { rows += try StepBenchmarks.flowSteps(repeats: repeats, shapes: shapes) }
        if wants("rings") { rows += try StepBenchmarks.rings(repeats: max(1, repeats / 3)) }
        if wants("scaling") { rows += try StepBenchmarks.scaling(repeats: repeats) }
        if wants("transport") { rows += try TransportBenchmarks.run(repeats: repeats, pot: true) }
        if wants("nn") { rows += try NetworkBenchmarks.run(repeats: repeats, torch: try arguments.flag("torch")) }
        Parallel.threads = threads
        Report.print(rows)
        if let path = try arguments.optionalString("csv") { try Report.csv(rows).write(toFile: path, atomically: true, encoding: .utf8) }
        if let path = try arguments.optionalString("json") { try Report.json(rows).write(toFile: path, atomically: true, encoding: .utf8) }
        print("peak resident memory: \(Report.peakResidentMiB()) MiB")
        #endif
    }

    /// Median wall-clock milliseconds of `body` over `repeats` runs after one warm-up.
    static func median(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times = [Double]()
        let clock = ContinuousClock()
        for _ in 0..<repeats {
            let start = clock.now
            try body()
            let d = clock.now - start
            times.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
        }
        times.sort()
        return times[times.count / 2]
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case debugBuild
    case missingReference(String)
    var description: String {
        switch self {
        case .debugBuild:
            return "benchmarks are only meaningful in release builds (debug numeric Swift is ~500x slower): swift run -c release wow-bench"
        case let .missingReference(path):
            return "--jax-reference: \(path) not found (give the root of a checkout of clbonet/Flowing_Datasets_with_WoW_Gradient_Flows)"
        }
    }
}
