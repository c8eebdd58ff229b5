import Foundation
import WassersteinFlows

/// The WoW step (value + gradient of 1/2 MMD^2) at the paper's shapes.
enum StepBenchmarks {
    struct Shape {
        var label: String
        var classes: Int, n: Int, m: Int, d: Int
        /// The paper's JAX code on this machine, Riesz, ms per value+gradient (median);
        /// `nil` for the shapes the paper did not time.
        var referenceMs: Double?
        var target: Double
    }

    static let shapes = [
        Shape(label: "a. rings", classes: 3, n: 80, m: 80, d: 2, referenceMs: 45.6, target: 20),
        Shape(label: "b. transfer", classes: 10, n: 200, m: 10, d: 784, referenceMs: 492, target: 20),
        Shape(label: "c. domain adaptation", classes: 10, n: 500, m: 500, d: 784, referenceMs: 1407, target: 20),
        Shape(label: "d. distillation", classes: 10, n: 10, m: 500, d: 784, referenceMs: 740, target: 15),
    ]

    /// The full Fashion-MNIST training set flowed toward MNIST-5k's (60,000 against 4,000
    /// images), on random data of that size. Timed as whole `Flow` steps against its
    /// floor (target: at most `large.target` times it) with its peak resident memory
    /// (target: at most 3x the data).
    static let large = Shape(label: "e. full fashion-mnist", classes: 10, n: 6000, m: 400, d: 784, referenceMs: nil, target: 1.5)

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

    /// - Parameter letters: the shapes to run (`a`...`e`); empty means all.
    static func run(repeats: Int, shapes letters: Set<String> = [], jaxReference: String? = nil) throws -> [Row] {
        var rows = [Row]()
        func wanted(_ shape: Shape) -> Bool { letters.isEmpty || letters.contains(String(shape.label.prefix(1))) }
        let chosen = shapes.filter(wanted)
        for shape in chosen {
            for (name, kernel) in [("riesz", AnyMeasureKernel(try RieszSW())), ("gaussian", AnyMeasureKernel(try GaussianSW(bandwidth: 0.1)))] {
                let ms = try measure(shape, kernel: kernel, repeats: repeats)
                var extra = ["kernel": name]
                if name == "riesz", let referenceMs = shape.referenceMs {
                    let speedup = referenceMs / ms
                    extra["reference_ms"] = String(referenceMs)
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
        for shape in chosen where shape.label.hasPrefix("b") || shape.label.hasPrefix("c") {
            rows.append(unavoidableParts(shape, repeats: repeats))
        }
        if wanted(large) { rows += try largeFlow(repeats: repeats) }
        rows.append(try directions(repeats: repeats))
        return rows
    }

    /// Shape e: whole flow steps (value + gradient, the explicit Euler move and the flow
    /// driver's checks, Riesz, L = 500) from a source that the flow owns alone, without
    /// snapshots, as `wow flow` runs it. First a 2-step flow for the peak resident memory
    /// (reset before it; against 3x the source plus target data); then a flow of
    /// `max(3, repeats) + 1` steps that times one floor sample (`Floor`) after every
    /// evaluation, so that steps and floor see the same load on a shared machine: the
    /// medians of the steps (the first dropped) and of the floor samples (the first
    /// dropped), and their ratio.
    static func largeFlow(repeats: Int) throws -> [Row] {
        let shape = large
        let target = try dataset(classes: shape.classes, n: shape.m, d: shape.d, seed: 2)
        let dataMB = Double((shape.n + shape.m) * shape.classes * shape.d * 4) / 1e6
        let mmd = try MMD(kernel: RieszSW(), target: target)
        func flow(_ steps: Int) throws -> Flow<MMD<RieszSW>, ExplicitEuler<LabeledDataset>> {
            var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: steps)
            flow.keepsSnapshots = false
            return flow
        }
        var short = try flow(2)
        var rng = SeededGenerator(seed: 4)
        let before = ResidentMemory.resetPeak()
        _ = try short.run(from: try dataset(classes: shape.classes, n: shape.n, d: shape.d, seed: 1), using: &rng)
        let peakMB = ResidentMemory.peakMB()

        var timed = try flow(max(3, repeats) + 1)
        var observer = InterleavedFloor(floor: Floor(shape))
        rng = SeededGenerator(seed: 4)
        _ = try timed.run(from: try dataset(classes: shape.classes, n: shape.n, d: shape.d, seed: 1), observer: &observer, using: &rng)
        let stepMs = median(Array(observer.steps.dropFirst()))
        let floor = floorRow(shape, samples: Array(observer.floors.dropFirst()))
        let ratio = stepMs / floor.medianMs, limitMB = 3 * dataMB
        let step = Row(group: "step", name: "\(shape.label) riesz flow step", shape: describe(shape), threads: Parallel.threads,
                       medianMs: stepMs,
                       extra: ["kernel": "riesz", "floor_ms": String(format: "%.1f", floor.medianMs), "ratio_to_floor": String(format: "%.2f", ratio),
                               "target_ratio": String(shape.target), "met": ratio <= shape.target ? "yes" : "NO",
                               "peak_rss_mb": String(format: "%.0f", peakMB), "rss_before_mb": String(format: "%.0f", before),
                               "data_mb": String(format: "%.1f", dataMB), "rss_limit_mb": String(format: "%.0f", limitMB),
                               "rss_met": peakMB <= limitMB ? "yes" : "NO"])
        return [step, floor]
    }

    /// Times the flow's steps between its reports and one floor sample at every report.
    struct InterleavedFloor: FlowObserver {
        let floor: Floor
        let clock = ContinuousClock()
        var last: ContinuousClock.Instant?
        /// Milliseconds of each step (a move and an evaluation), and each floor sample's parts.
        var steps: [Double] = [], floors: [[Double]] = []

        mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {
            if let last { steps.append(milliseconds(clock.now - last)) }
            floors.append(floor.sample())
            last = clock.now
        }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }

    /// The parts of a step no implementation of the exact estimator avoids, timed alone
    /// with the step's own layout and threads: projecting every point (`L x (Cn + Cm) x d`),
    /// sorting every projection (argsort for the flowed classes, keys for the target's),
    /// and mapping the flowed classes' projected gradients back (`Cn x d x L`, pre-packed
    /// as in the step). Their sum is a lower bound for the step at this GEMM and sort
    /// speed (the GEMM group compares the products with numpy/OpenBLAS); `below_target`
    /// says whether it leaves any room under the target.
    static func unavoidableParts(_ shape: Shape, repeats: Int) -> Row {
        let floor = Floor(shape)
        _ = floor.sample()
        return floorRow(shape, samples: (0..<repeats).map { _ in floor.sample() })
    }

    /// The floor row from samples of its three parts (medians of each, summed).
    static func floorRow(_ shape: Shape, samples: [[Double]]) -> Row {
        let medians = (0..<3).map { p in median(samples.map { $0[p] }) }
        let total = medians.reduce(0, +)
        var extra = ["project_ms": String(format: "%.2f", medians[0]), "sort_ms": String(format: "%.2f", medians[1]),
                     "map_back_ms": String(format: "%.2f", medians[2])]
        if let referenceMs = shape.referenceMs {
            let targetMs = referenceMs / shape.target
            extra["target_ms"] = String(format: "%.2f", targetMs)
            extra["below_target"] = total < targetMs ? "yes" : "NO"
        }
        return Row(group: "step", name: "\(shape.label) floor: products + sorts", shape: describe(shape), threads: Parallel.threads,
                   medianMs: total, extra: extra)
    }

    /// The floor's buffers for one shape (random points, directions and projected
    /// gradients, L = 500), and one timed sample of its three parts.
    final class Floor {
        let shape: Shape
        let L = 500, flowed: Int, width: Int
        let points: [Float], theta: [Float], packed: [Float]
        var keys: [Float], order: [Int32], gradient: [Float]
        let workspaces: [ArgSort.Workspace]

        init(_ shape: Shape) {
            self.shape = shape
            flowed = shape.classes * shape.n
            width = flowed + shape.classes * shape.m
            var rng = SeededGenerator(seed: 7)
            points = (0..<(width * shape.d)).map { _ in Float(rng.nextStandardNormal()) }
            theta = (0..<(L * shape.d)).map { _ in Float(rng.nextStandardNormal()) }
            packed = (0..<PackedPanels.count(rows: flowed, depth: L)).map { _ in Float(rng.nextStandardNormal()) }
            keys = [Float](repeating: 0, count: L * width)
            order = [Int32](repeating: 0, count: L * flowed)
            gradient = [Float](repeating: 0, count: flowed * shape.d)
            workspaces = (0..<Parallel.threads).map { _ in ArgSort.Workspace() }
        }

        /// Milliseconds of the projection, the sorts and the map back.
        func sample() -> [Double] {
            let L = L, d = shape.d, flowed = flowed, width = width, shape = shape, workspaces = workspaces
            let chunks = (L + 15) / 16, workers = workspaces.count
            let clock = ContinuousClock()
            var parts = [Double](repeating: 0, count: 3)
            points.withUnsafeBufferPointer { x in theta.withUnsafeBufferPointer { t in packed.withUnsafeBufferPointer { g in
            keys.withUnsafeMutableBufferPointer { k in order.withUnsafeMutableBufferPointer { o in
            gradient.withUnsafeMutableBufferPointer { out in
                let k = k.baseAddress!, o = o.baseAddress!
                let start = clock.now
                gemm(m: L, n: width, k: d, .matrix(t.baseAddress!, leadingDimension: d, .none),
                     .matrix(x.baseAddress!, leadingDimension: d, .transposed), into: .matrix(k, leadingDimension: width))
                let projected = clock.now
                Parallel.forEach(chunks: chunks, workers: workers) { chunk, worker in
                    var workspace = workspaces[worker]
                    for l in (chunk * 16)..<min(L, (chunk + 1) * 16) {
                        for c in 0..<shape.classes {
                            ArgSort.sort(k + l * width + c * shape.n, order: o + l * flowed + c * shape.n, count: shape.n,
                                         workspace: &workspace)
                        }
                        for c in 0..<shape.classes {
                            ArgSort.sortKeys(k + l * width + flowed + c * shape.m, count: shape.m, workspace: &workspace)
                        }
                    }
                }
                let sorted = clock.now
                gemm(m: flowed, n: d, k: L, .packedPanels(g.baseAddress!, rows: flowed),
                     .matrix(t.baseAddress!, leadingDimension: d, .none), into: .matrix(out.baseAddress!, leadingDimension: d))
                let mapped = clock.now
                parts = [StepBenchmarks.milliseconds(projected - start), StepBenchmarks.milliseconds(sorted - projected),
                         StepBenchmarks.milliseconds(mapped - sorted)]
            }}}}}}
            return parts
        }
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
                var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: steps)
                var r = SeededGenerator(seed: 4)
                _ = try flow.run(from: source, using: &r)
            }
            let momentum = try perStep {
                var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: 0.1, momentum: 0.9), steps: steps)
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
            var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1), steps: 1000)
            var r = SeededGenerator(seed: 1)
            _ = try flow.run(from: source, using: &r)
        }
        return [Row(group: "rings", name: "rings flow, 1000 steps", shape: "(3,80,2) vs (3,80,2), L=500", threads: Parallel.threads, medianMs: ms,
                    extra: ["ms_per_step": String(format: "%.3f", ms / 1000)])]
    }
}
