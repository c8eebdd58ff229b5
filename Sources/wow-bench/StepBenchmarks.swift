import Foundation
import WassersteinFlows

/// The WoW step (value + gradient of 1/2 MMD^2) at the paper's shapes.
enum StepBenchmarks {
    struct Shape {
        var label: String
        var classes: Int, n: Int, m: Int, d: Int
        /// The paper's JAX code on this machine, Riesz, ms per value+gradient (median).
        var referenceMs: Double
        var target: Double
    }

    static let shapes = [
        Shape(label: "a. rings", classes: 3, n: 80, m: 80, d: 2, referenceMs: 45.6, target: 20),
        Shape(label: "b. transfer", classes: 10, n: 200, m: 10, d: 784, referenceMs: 492, target: 20),
        Shape(label: "c. domain adaptation", classes: 10, n: 500, m: 500, d: 784, referenceMs: 1407, target: 20),
        Shape(label: "d. distillation", classes: 10, n: 10, m: 500, d: 784, referenceMs: 740, target: 15),
    ]

    static func dataset(classes: Int, n: Int, d: Int, seed: UInt64) throws -> LabeledDataset {
        var rng = SeededGenerator(seed: seed)
        return try LabeledDataset(classes: (0..<classes).map { _ in
            try EmpiricalMeasure(points: Matrix(rows: n, columns: d, storage: (0..<(n * d)).map { _ in Float(rng.nextStandardNormal()) }))
        })
    }

    static func measure(_ shape: Shape, kernel: some MeasureKernel, repeats: Int) throws -> Double {
        let source = try dataset(classes: shape.classes, n: shape.n, d: shape.d, seed: 1)
        let target = try dataset(classes: shape.classes, n: shape.m, d: shape.d, seed: 2)
        let mmd = try MMD(kernel: kernel, target: target)
        var rng = SeededGenerator(seed: 3)
        // As a flow calls it: the previous gradient is handed back and rewritten in place.
        var gradient: ParticleField?
        return try Benchmark.median(repeats: repeats) { _ = try mmd.valueAndGradient(at: source, into: &gradient, using: &rng) }
    }

    static func describe(_ s: Shape) -> String { "(\(s.classes),\(s.n),\(s.d)) vs (\(s.classes),\(s.m),\(s.d)), L=500" }

    /// - Parameter letters: the shapes to run (`a`...`d`); empty means all.
    static func run(repeats: Int, shapes letters: Set<String> = [], jaxReference: String? = nil) throws -> [Row] {
        var rows = [Row]()
        let chosen = shapes.filter { letters.isEmpty || letters.contains(String($0.label.prefix(1))) }
        for shape in chosen {
            for (name, kernel) in [("riesz", AnyMeasureKernel(try RieszSW())), ("gaussian", AnyMeasureKernel(try GaussianSW(bandwidth: 0.1)))] {
                let ms = try measure(shape, kernel: kernel, repeats: repeats)
                var extra = ["kernel": name]
                if name == "riesz" {
                    let speedup = shape.referenceMs / ms
                    extra["reference_ms"] = String(shape.referenceMs)
                    extra["speedup"] = String(format: "%.1f", speedup)
                    extra["target_speedup"] = String(format: "%.0f", shape.target)
                    extra["met"] = speedup >= shape.target ? "yes" : "NO"
                }
                rows.append(Row(group: "step", name: "\(shape.label) \(name)", shape: describe(shape), threads: Parallel.threads, medianMs: ms, extra: extra))
            }
        }
        // The JAX reference runs after every measurement above (a python3 process just before
        // them left the first one slower).
        if let directory = jaxReference, let jax = JaxReference.steps(chosen, directory: directory, repeats: repeats) {
            for index in rows.indices where rows[index].extra["kernel"] == "riesz" {
                guard let jaxMs = jax[String(rows[index].name.prefix(1))] else { continue }
                rows[index].extra["jax_ms_this_session"] = String(format: "%.1f", jaxMs)
                rows[index].extra["ratio_to_jax_this_session"] = String(format: "%.1f", jaxMs / rows[index].medianMs)
            }
        }
        rows.append(try directions(repeats: repeats))
        return rows
    }

    /// Drawing the L = 500 directions in d = 784 alone (part of every step above).
    static func directions(repeats: Int) throws -> Row {
        var rng = SeededGenerator(seed: 6)
        let sampler = UniformSphereDirections()
        let ms = try Benchmark.median(repeats: repeats) { _ = try sampler.directions(count: 500, dimension: 784, using: &rng) }
        return Row(group: "step", name: "directions alone", shape: "500x784", threads: Parallel.threads, medianMs: ms)
    }

    /// Thread scaling on shapes b and c: 1 thread vs the default.
    static func scaling(repeats: Int) throws -> [Row] {
        var rows = [Row]()
        let all = Parallel.threads
        for shape in shapes where shape.label.hasPrefix("b") || shape.label.hasPrefix("c") {
            Parallel.threads = 1
            let one = try measure(shape, kernel: try RieszSW(), repeats: repeats)
            Parallel.threads = all
            let many = try measure(shape, kernel: try RieszSW(), repeats: repeats)
            rows.append(Row(group: "scaling", name: "\(shape.label) riesz", shape: describe(shape), threads: 1, medianMs: one))
            rows.append(Row(group: "scaling", name: "\(shape.label) riesz", shape: describe(shape), threads: all, medianMs: many,
                            extra: ["speedup_vs_1": String(format: "%.2f", one / many), "target": "1.7", "met": one / many >= 1.7 ? "yes" : "NO"]))
        }
        return rows
    }

    /// Whole flow steps on shapes b and c (value + gradient, the integrator's move, the
    /// finiteness checks and the last-good-state bookkeeping of `Flow.run`), per step,
    /// next to the value + gradient alone: what the flow driver adds on top of the kernel.
    static func flowSteps(repeats: Int, shapes letters: Set<String> = []) throws -> [Row] {
        var rows = [Row]()
        let steps = 10
        for shape in shapes where (shape.label.hasPrefix("b") || shape.label.hasPrefix("c"))
            && (letters.isEmpty || letters.contains(String(shape.label.prefix(1)))) {
            let source = try dataset(classes: shape.classes, n: shape.n, d: shape.d, seed: 1)
            let target = try dataset(classes: shape.classes, n: shape.m, d: shape.d, seed: 2)
            let mmd = try MMD(kernel: RieszSW(), target: target)
            var rng = SeededGenerator(seed: 3)
            var gradient: ParticleField?
            let alone = try Benchmark.median(repeats: repeats) { _ = try mmd.valueAndGradient(at: source, into: &gradient, using: &rng) }
            func perStep(_ run: () throws -> Void) throws -> Double {
                // `steps` moves and `steps + 1` evaluations per run.
                try Benchmark.median(repeats: max(1, repeats / 3), run) / Double(steps + 1)
            }
            let euler = try perStep {
                var flow = Flow(functional: mmd, integrator: ExplicitEuler(learningRate: 0.1), steps: steps)
                var r = SeededGenerator(seed: 4)
                _ = try flow.run(from: source, using: &r)
            }
            let momentum = try perStep {
                var flow = Flow(functional: mmd, integrator: Momentum(learningRate: 0.1, momentum: 0.9), steps: steps)
                var r = SeededGenerator(seed: 4)
                _ = try flow.run(from: source, using: &r)
            }
            rows.append(Row(group: "flow", name: "\(shape.label) value+gradient alone", shape: describe(shape), threads: Parallel.threads, medianMs: alone))
            for (name, ms) in [("explicit Euler", euler), ("momentum", momentum)] {
                rows.append(Row(group: "flow", name: "\(shape.label) flow step, \(name)", shape: describe(shape), threads: Parallel.threads,
                                medianMs: ms, extra: ["overhead_ms": String(format: "%.2f", ms - alone)]))
            }
        }
        return rows
    }

    /// A 1000-step rings flow end to end (Riesz, L = 500, explicit Euler).
    static func rings(repeats: Int) throws -> [Row] {
        let target = try SyntheticData.rings()
        var rng = SeededGenerator(seed: 0)
        let source = try SyntheticData.gaussianClasses(using: &rng)
        let mmd = try MMD(kernel: RieszSW(), target: target)
        let ms = try Benchmark.median(repeats: repeats) {
            var flow = Flow(functional: mmd, integrator: ExplicitEuler(learningRate: 0.1), steps: 1000)
            var r = SeededGenerator(seed: 1)
            _ = try flow.run(from: source, using: &r)
        }
        return [Row(group: "rings", name: "rings flow, 1000 steps", shape: "(3,80,2) vs (3,80,2), L=500", threads: Parallel.threads, medianMs: ms,
                    extra: ["ms_per_step": String(format: "%.3f", ms / 1000)])]
    }
}
