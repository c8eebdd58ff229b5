import Foundation
import WassersteinFlows

/// Exact and entropic optimal transport at the shape (500 vs 500 uniform points
/// in d = 784, coordinates uniform in [0, 1)), against POT timed by python3 in the same
/// session on the same points (written to a temporary directory).
///
/// Wire it into `Benchmark.run` with a group name, e.g.
/// `if wants("transport") { rows += try TransportBenchmarks.run(repeats: repeats, pot: true) }`
/// (and add "transport" to the `--only` choices).
enum TransportBenchmarks {
    static let n = 500, d = 784

    static func run(repeats: Int, pot: Bool) throws -> [Row] {
        var rng = SeededGenerator(seed: 6)
        let x = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextUnitDouble()) })
        let y = try Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextUnitDouble()) })
        let problem = try TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))
        let exact = ExactSolver()
        let sinkhorn = try Sinkhorn(epsilon: .relativeToMeanCost(0.05))
        let logSinkhorn = try Sinkhorn(epsilon: .relativeToMeanCost(0.05), domain: .logarithmic)
        let entropic = try sinkhorn.solve(problem)
        let exactCost = try exact.solve(problem).cost

        // (label, key of the POT timing, body)
        let cases: [(String, String, () throws -> Void)] = [
            ("cost matrix |x-y|^2 (GEMM)", "dist", { _ = try SquaredEuclidean.costMatrix(x, y) }),
            ("exact OT incl. cost matrix", "emd_total", { _ = try exact.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))) }),
            ("exact OT solve only", "emd", { _ = try exact.solve(problem) }),
            ("sinkhorn eps=0.05 mean, incl. cost", "sinkhorn_total", { _ = try sinkhorn.solve(TransportProblem(cost: SquaredEuclidean.costMatrix(x, y))) }),
            ("sinkhorn eps=0.05 mean, solve only", "sinkhorn", { _ = try sinkhorn.solve(problem) }),
            ("sinkhorn log domain, solve only", "sinkhorn_log", { _ = try logSinkhorn.solve(problem) }),
        ]
        let reference = pot ? POTReference.time(x: x, y: y, repeats: repeats) : nil
        var rows = [Row]()
        for (label, key, body) in cases {
            let ms = try Benchmark.median(repeats: repeats, body)
            var extra = [String: String]()
            if let reference, let potMs = reference[key] {
                extra["pot_ms"] = String(format: "%.2f", potMs)
                extra["speedup_vs_pot"] = String(format: "%.2f", potMs / ms)
            }
            if key.hasPrefix("emd") { extra["cost"] = String(format: "%.6f", exactCost) }
            if key.hasPrefix("sinkhorn") { extra["iterations"] = String(entropic.iterations) }
            rows.append(Row(group: "transport", name: label, shape: "\(n)x\(n), d=\(d)", threads: Parallel.threads, medianMs: ms, extra: extra))
        }
        return rows
    }
}

/// POT (`pip install pot`) on the same points, timed by python3 in this session.
enum POTReference {
    /// Median milliseconds per POT call, keyed like `TransportBenchmarks` cases, or `nil`
    /// when python3 with POT is not available.
    static func time(x: Matrix, y: Matrix, repeats: Int) -> [String: Double]? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wow-bench-pot-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try x.storage.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: directory.appendingPathComponent("x.f32"))
            try y.storage.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: directory.appendingPathComponent("y.f32"))
        } catch {
            return nil
        }
        let script = """
        import time, numpy as np, ot
        d = \(x.columns)
        x = np.fromfile('\(directory.path)/x.f32', dtype=np.float32).reshape(-1, d).astype(np.float64)
        y = np.fromfile('\(directory.path)/y.f32', dtype=np.float32).reshape(-1, d).astype(np.float64)
        a = np.full(len(x), 1 / len(x)); b = np.full(len(y), 1 / len(y))
        M = ot.dist(x, y); eps = 0.05 * M.mean()
        def median(f):
            f(); ts = []
            for _ in range(\(repeats)):
                t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
            ts.sort(); return ts[len(ts) // 2] * 1e3
        out = {
            'dist': median(lambda: ot.dist(x, y)),
            'emd_total': median(lambda: ot.emd2(a, b, ot.dist(x, y))),
            'emd': median(lambda: ot.emd2(a, b, M)),
            'sinkhorn_total': median(lambda: ot.sinkhorn2(a, b, ot.dist(x, y), eps)),
            'sinkhorn': median(lambda: ot.sinkhorn2(a, b, M, eps)),
            'sinkhorn_log': median(lambda: ot.sinkhorn2(a, b, M, eps, method='sinkhorn_log')),
        }
        print(' '.join('%s=%r' % kv for kv in out.items()))
        """
        guard let output = runPython(script) else {
            print("POT comparison unavailable (python3 with POT not found: pip install pot)")
            return nil
        }
        return keyValues(output)
    }
}
