import Foundation
import WassersteinFlows

/// The GEMM alone at the shapes of the WoW step.
enum GEMMBenchmarks {
    /// The fp32 peak of all workers, measured by timing `fusedMultiplyAddProbe` on every
    /// worker at once (best of 5); the issue's nominal 160 GFLOP/s when the probe cannot run.
    static let peakGFLOPs: Double = {
        let workers = Parallel.threads, iterations = 20_000_000
        var best = 0.0
        for _ in 0..<5 {
            let flops = UnsafeMutablePointer<Int>.allocate(capacity: workers)
            defer { flops.deallocate() }
            let start = DispatchTime.now().uptimeNanoseconds
            Parallel.forEach(chunks: workers) { worker in flops[worker] = fusedMultiplyAddProbe(iterations: iterations) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let total = (0..<workers).reduce(0) { $0 + flops[$1] }
            best = max(best, Double(total) / seconds / 1e9)
        }
        return best > 0 ? best : 160
    }()

    /// (label, m, n, k, transA, transB): projections theta X^T and the map back G^T theta.
    static let cases: [(String, Int, Int, Int, Transpose, Transpose)] = [
        ("project 500 dirs x 500 pts, d=784", 500, 500, 784, .none, .transposed),
        ("map back 500 pts x d=784, L=500", 500, 784, 500, .transposed, .none),
        ("project 500 dirs x 200 pts, d=784", 500, 200, 784, .none, .transposed),
        ("map back 200 pts x d=784, L=500", 200, 784, 500, .transposed, .none),
        ("project all of shape c: 500 dirs x 10000 pts", 500, 10000, 784, .none, .transposed),
        ("map back all of shape c: 5000 pts, L=500", 5000, 784, 500, .transposed, .none),
        ("project all of shape b: 500 dirs x 2100 pts", 500, 2100, 784, .none, .transposed),
        ("map back all of shape b: 2000 pts, L=500", 2000, 784, 500, .transposed, .none),
        ("square 1024", 1024, 1024, 1024, .none, .none),
    ]

    static func run(repeats: Int, numpy: Bool) throws -> [Row] {
        var rng = SeededGenerator(seed: 4)
        var rows = [Row]()
        let numpyMs = numpy ? NumpyReference.matmul(cases.map { ($0.1, $0.2, $0.3, $0.4 == .transposed, $0.5 == .transposed) }, repeats: repeats) : nil
        for (index, (label, m, n, k, ta, tb)) in cases.enumerated() {
            let a = try ta == .none ? random(m, k, &rng) : random(k, m, &rng)
            let b = try tb == .none ? random(k, n, &rng) : random(n, k, &rng)
            var c = Matrix(rows: m, columns: n)
            let ms = Benchmark.median(repeats: repeats) { gemm(ta, tb, a, b, into: &c) }
            let gflops = 2 * Double(m) * Double(n) * Double(k) / (ms * 1e6)
            var extra = ["gflops": String(format: "%.1f", gflops), "fraction_of_peak": String(format: "%.2f", gflops / peakGFLOPs),
                         "peak_gflops": String(format: "%.0f", peakGFLOPs)]
            if let numpyMs, index < numpyMs.count {
                extra["numpy_ms"] = String(format: "%.3f", numpyMs[index])
                extra["ratio_to_numpy"] = String(format: "%.2f", numpyMs[index] / ms)
            }
            rows.append(Row(group: "gemm", name: label, shape: "\(m)x\(n)x\(k)", threads: Parallel.threads, medianMs: ms, extra: extra))
        }
        return rows
    }

    static func random(_ r: Int, _ c: Int, _ rng: inout SeededGenerator) throws -> Matrix {
        try Matrix(rows: r, columns: c, storage: (0..<(r * c)).map { _ in Float(rng.nextStandardNormal()) })
    }
}

/// Row-wise argsort throughput, single-threaded: the automatic choice (the AVX2 network
/// for the lengths it takes, when the CPU has AVX2) and, for comparison, the radix sort.
enum SortBenchmarks {
    static func run(repeats: Int) -> [Row] {
        var rows = [Row]()
        var rng = SeededGenerator(seed: 5)
        for n in [80, 200, 500, 1000, 2000] {
            let count = 500
            let keys = (0..<(count * n)).map { _ in Float(rng.nextStandardNormal()) }
            var work = keys
            var order = [Int32](repeating: 0, count: count * n)
            var workspace = ArgSort.Workspace()
            let network = ArgSort.networkAvailable && ArgSort.networkLengths.contains(n)
            func time(_ method: ArgSort.Method, keysOnly: Bool) -> Double {
                Benchmark.median(repeats: repeats) {
                    work = keys
                    work.withUnsafeMutableBufferPointer { k in
                        order.withUnsafeMutableBufferPointer { o in
                            for r in 0..<count {
                                if keysOnly {
                                    ArgSort.sortKeys(k.baseAddress! + r * n, count: n, workspace: &workspace, method: method)
                                } else {
                                    ArgSort.sort(k.baseAddress! + r * n, order: o.baseAddress! + r * n, count: n,
                                                 workspace: &workspace, method: method)
                                }
                            }
                        }
                    }
                }
            }
            for keysOnly in [false, true] {
                let ms = time(.automatic, keysOnly: keysOnly)
                let ns = ms * 1e6 / Double(count * n)
                var extra = ["ns_per_element": String(format: "%.1f", ns), "method": network ? "network" : "radix"]
                if !keysOnly { extra["target_ns"] = "20"; extra["met"] = ns <= 20 ? "yes" : "NO" }
                if network {
                    let radixMs = time(.radix, keysOnly: keysOnly)
                    extra["radix_ns_per_element"] = String(format: "%.1f", radixMs * 1e6 / Double(count * n))
                    extra["speedup_over_radix"] = String(format: "%.2f", radixMs / ms)
                }
                rows.append(Row(group: "sort", name: "\(keysOnly ? "sort keys" : "argsort") 500 rows of \(n)", shape: "500x\(n)",
                                threads: 1, medianMs: ms, extra: extra))
            }
        }
        return rows
    }
}

/// numpy's matmul (OpenBLAS) on the same shapes, timed by python3 in this session.
enum NumpyReference {
    static func matmul(_ shapes: [(Int, Int, Int, Bool, Bool)], repeats: Int) -> [Double]? {
        let spec = shapes.map { "(\($0.0),\($0.1),\($0.2),\($0.3 ? "True" : "False"),\($0.4 ? "True" : "False"))" }.joined(separator: ",")
        let script = """
        import time, numpy as np
        rng = np.random.default_rng(0)
        out = []
        for (m, n, k, ta, tb) in [\(spec)]:
            a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
            b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
            A = a.T if ta else a
            B = b.T if tb else b
            A @ B
            ts = []
            for _ in range(\(repeats)):
                t = time.perf_counter(); A @ B; ts.append(time.perf_counter() - t)
            ts.sort(); out.append(ts[len(ts) // 2] * 1e3)
        print(" ".join(str(x) for x in out))
        """
        guard let output = runPython(script) else {
            print("numpy comparison unavailable (python3 with numpy not found)")
            return nil
        }
        return output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

/// The paper's JAX code (its `lib/mmd.py` `target_grad_mmd` with `riesz_kernel_sw`, 500
/// directions, float32, jitted), timed by python3 in this session on the step shapes:
/// value and gradient per call, median over `repeats` calls after a compiling warm-up.
/// `directory` is a checkout of the paper's repository (imported, not copied).
enum JaxReference {
    static func steps(_ shapes: [StepBenchmarks.Shape], directory: String, repeats: Int) -> [String: Double]? {
        let spec = shapes.map { "(\"\($0.label.prefix(1))\",\($0.classes),\($0.n),\($0.d),\($0.classes),\($0.m))" }.joined(separator: ",")
        let script = """
        import sys, time
        sys.path.insert(0, sys.argv[1])
        import jax, jax.numpy as jnp
        from lib.mmd import target_grad_mmd
        from lib.kernels import riesz_kernel_sw
        out = []
        for (name, C, n, d, K, m) in [\(spec)]:
            kx, ky, kr = jax.random.split(jax.random.PRNGKey(0), 3)
            x = jax.random.normal(kx, (C, n, d), dtype=jnp.float32)
            y = jax.random.normal(ky, (K, m, d), dtype=jnp.float32)
            def step(x, rng, y=y):
                master, key = jax.random.split(rng)
                return target_grad_mmd(x, y, lambda a, b: riesz_kernel_sw(a, b, key, n_projs=500), master)
            f = jax.jit(step)
            jax.block_until_ready(f(x, kr))
            ts = []
            for i in range(\(repeats)):
                t = time.perf_counter(); jax.block_until_ready(f(x, jax.random.PRNGKey(i + 1))); ts.append(time.perf_counter() - t)
            ts.sort(); out.append(f"{name}={ts[len(ts) // 2] * 1e3}")
        print(" ".join(out))
        """
        guard let output = runPython(script, arguments: [directory]) else {
            print("JAX reference unavailable (python3 with jax could not run the paper's lib/mmd.py)")
            return nil
        }
        return keyValues(output)
    }
}
