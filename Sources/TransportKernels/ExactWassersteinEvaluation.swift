import LabeledData
import MeasureKernels
import OptimalTransport
import WoWCompute

/// The engine behind `ExactWassersteinKernel.evaluate`.
enum ExactWassersteinEvaluation {
    /// One solved pair: the distance and what its gradients need.
    struct Solved {
        var squaredDistance: Double
        /// `d >= 2`: the optimal plan.
        var plan: TransportPlan?
        /// `d = 1`: Wasserstein gradients of `W_2^2` at the points of each measure.
        var firstGradient: [Float]?
        var secondGradient: [Float]?
    }

    static func run(_ batch: KernelBatch, solver: ExactSolver, profile: (Double) -> KernelProfile) throws -> KernelBatchResult {
        let d = try batch.validate()
        let pairs = batch.pairs, measures = batch.measures
        // d = 1: sort every measure that takes part in a pair once.
        var sorted = [SortedLine?](repeating: nil, count: measures.count)
        if d == 1 {
            for p in pairs where p.first != p.second && measures[p.first] != measures[p.second] {
                for index in [p.first, p.second] where sorted[index] == nil { sorted[index] = SortedLine(measures[index]) }
            }
        }
        var results = [Result<Solved, Error>?](repeating: nil, count: pairs.count)
        results.withUnsafeMutableBufferPointer { out in
            let out = out
            Parallel.forEach(chunks: pairs.count) { k in
                let p = pairs[k]
                // Self-pairs and identical measures: W_2 = 0 and a zero gradient.
                guard p.first != p.second, measures[p.first] != measures[p.second] else {
                    out[k] = .success(Solved(squaredDistance: 0))
                    return
                }
                let wantsGradient = p.firstGradientWeight != 0 || p.secondGradientWeight != 0
                out[k] = Result {
                    if d == 1 {
                        return solveLine(sorted[p.first]!, sorted[p.second]!, gradient: wantsGradient)
                    }
                    let problem = try TransportProblem(source: measures[p.first], target: measures[p.second])
                    let output = try solver.solve(problem)
                    return Solved(squaredDistance: max(0, output.cost), plan: output.plan)
                }
            }
        }
        var values = [Double]()
        values.reserveCapacity(pairs.count)
        var gradients = [Matrix?](repeating: nil, count: measures.count)
        for index in measures.indices where batch.needsGradient(index) {
            gradients[index] = Matrix(rows: measures[index].count, columns: d)
        }
        for (k, p) in pairs.enumerated() {
            let solved = try results[k]!.get()
            let phi = profile(solved.squaredDistance)
            values.append(phi.value)
            guard solved.squaredDistance > 0, phi.derivative.isFinite, phi.derivative != 0 else { continue }
            if p.firstGradientWeight != 0 {
                let scale = phi.derivative * p.firstGradientWeight
                if let g = solved.firstGradient {
                    addLine(g, scale: scale, into: &gradients[p.first]!)
                } else if let plan = solved.plan {
                    addBarycentric(plan, from: measures[p.first], to: measures[p.second], scale: scale, into: &gradients[p.first]!)
                }
            }
            if p.secondGradientWeight != 0 {
                let scale = phi.derivative * p.secondGradientWeight
                if let g = solved.secondGradient {
                    addLine(g, scale: scale, into: &gradients[p.second]!)
                } else if let plan = solved.plan {
                    addBarycentric(plan.transposed(), from: measures[p.second], to: measures[p.first], scale: scale, into: &gradients[p.second]!)
                }
            }
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }

    /// `gradient_i += scale * 2 (x_i - (1 / a_i) sum_j P_ij y_j)` in `Double`.
    static func addBarycentric(_ plan: TransportPlan, from mu: EmpiricalMeasure, to nu: EmpiricalMeasure, scale: Double,
                               into gradient: inout Matrix) {
        let n = mu.count, d = mu.dimension
        var image = [Double](repeating: 0, count: n * d)
        nu.points.withUnsafeBufferPointer { y in
            for e in plan.nonzeroEntries {
                for k in 0..<d { image[e.source * d + k] += e.mass * Double(y[e.target * d + k]) }
            }
        }
        let total = (0..<n).reduce(0.0) { $0 + Double(mu.weight($1)) }
        mu.points.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    let a = Double(mu.weight(i)) / total
                    for k in 0..<d {
                        let displacement = Double(x[i * d + k]) - image[i * d + k] / a
                        g[i * d + k] += Float(scale * 2 * displacement)
                    }
                }
            }
        }
    }

    static func addLine(_ line: [Float], scale: Double, into gradient: inout Matrix) {
        gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<line.count { g[i] += Float(scale * Double(line[i])) }
        }
    }

    /// One measure on the line, sorted once.
    struct SortedLine {
        var values: [Float]
        var order: [Int32]
        var weights: [Float]?

        init(_ measure: EmpiricalMeasure) {
            let x = measure.points.storage
            let order = x.indices.sorted { (x[$0], $0) < (x[$1], $1) }
            values = order.map { x[$0] }
            self.order = order.map { Int32($0) }
            weights = measure.weights
        }
    }

    static func solveLine(_ s: SortedLine, _ t: SortedLine, gradient: Bool) -> Solved {
        func run(_ a: SortedLine, _ b: SortedLine, into out: UnsafeMutablePointer<Float>?) -> Double {
            a.values.withUnsafeBufferPointer { av in
                a.order.withUnsafeBufferPointer { ao in
                    b.values.withUnsafeBufferPointer { bv in
                        b.order.withUnsafeBufferPointer { bo in
                            withOptionalPointer(a.weights) { aw in
                                withOptionalPointer(b.weights) { bw in
                                    OneDimensionalOT.transport(
                                        SortedSample(values: av.baseAddress!, order: ao.baseAddress!, count: a.values.count, weights: aw),
                                        SortedSample(values: bv.baseAddress!, order: bo.baseAddress!, count: b.values.count, weights: bw),
                                        cost: .squared, gradient: out)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard gradient else { return Solved(squaredDistance: max(0, run(s, t, into: nil))) }
        var first = [Float](repeating: 0, count: s.values.count)
        var second = [Float](repeating: 0, count: t.values.count)
        let value = first.withUnsafeMutableBufferPointer { run(s, t, into: $0.baseAddress!) }
        _ = second.withUnsafeMutableBufferPointer { run(t, s, into: $0.baseAddress!) }
        return Solved(squaredDistance: max(0, value), firstGradient: first, secondGradient: second)
    }

    static func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
