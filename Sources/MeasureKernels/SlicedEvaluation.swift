import LabeledData
import WoWCompute

/// The shared engine behind every `SlicedKernel`: one set of directions per batch,
/// one projection and sort per measure, two passes over the pairs (values, then
/// gradients), one matrix product per measure to map gradients back.
///
/// Work is split into fixed chunks of directions, so results are bitwise identical for
/// every thread count.
enum SlicedEvaluation {
    /// Directions per parallel chunk (fixed: results must not depend on thread count).
    static let directionChunk = 16

    /// One measure projected on all directions, each row sorted.
    struct Projected {
        /// `L x n` sorted projections, row `l` for direction `l`.
        var sorted: [Float]
        /// `L x n`: original point index of each sorted entry.
        var order: [Int32]
        var count: Int
        var weights: [Float]?
    }

    static func run(
        _ batch: KernelBatch, slicing: Slicing, cost: SliceCost,
        profile: (Double) -> KernelProfile,
        using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        try slicing.validate()
        let d = try batch.validate()
        let L = slicing.projections
        let theta = try slicing.directions.directions(count: L, dimension: d, using: &generator)
        guard theta.rows == L, theta.columns == d, theta.isFinite else {
            throw KernelError.invalidParameter("direction sampler returned a \(theta.rows) x \(theta.columns) matrix (or non-finite values), expected \(L) x \(d)")
        }
        var levels: [Float] = []
        var percentileCount = 0, levelCount = 0
        if case let .referencePercentiles(p, u) = slicing.estimator {
            percentileCount = p; levelCount = u
            for (index, measure) in batch.measures.enumerated() where !measure.isUniform {
                throw KernelError.unsupported("the reference percentile estimator ignores weights; measure \(index) is weighted (use .exact)")
            }
            levels = (0..<(L * u)).map { _ in Float(generator.nextUnitDouble()) }
        }

        // Project and sort every measure that takes part in a pair.
        var used = [Bool](repeating: false, count: batch.measures.count)
        for p in batch.pairs where p.first != p.second { used[p.first] = true; used[p.second] = true }
        var projected = [Projected?](repeating: nil, count: batch.measures.count)
        for index in batch.measures.indices where used[index] {
            projected[index] = project(batch.measures[index], theta: theta)
        }

        // Pass 1: the discrepancy of every pair, summed over directions in a fixed order.
        let chunks = (L + directionChunk - 1) / directionChunk
        let pairCount = batch.pairs.count
        var perDirection = [Double](repeating: 0, count: pairCount * L)
        perDirection.withUnsafeMutableBufferPointer { out in
            let out = out
            Parallel.forEach(chunks: pairCount * chunks) { task in
                let p = batch.pairs[task / chunks]
                guard p.first != p.second else { return }
                let lo = (task % chunks) * directionChunk, hi = min(L, lo + directionChunk)
                let a = projected[p.first]!, b = projected[p.second]!
                levels.withUnsafeBufferPointer { u in
                    for l in lo..<hi {
                        out[(task / chunks) * L + l] = sliceTransport(a, b, direction: l, cost: cost,
                            percentiles: percentileCount, levels: u.baseAddress, levelCount: levelCount, gradient: nil, scale: 0)
                    }
                }
            }
        }
        var values = [Double](repeating: 0, count: pairCount)
        var factors = [Double](repeating: 0, count: pairCount)
        for (index, p) in batch.pairs.enumerated() {
            var discrepancy = 0.0
            if p.first != p.second {
                for l in 0..<L { discrepancy += perDirection[index * L + l] }
                discrepancy /= Double(L)
                discrepancy = max(0, discrepancy)
            }
            let phi = profile(discrepancy)
            values[index] = phi.value
            factors[index] = p.first == p.second || (discrepancy == 0 && !phi.derivative.isFinite) ? 0 : phi.derivative
        }

        // Pass 2: gradients accumulated in projected space (L x n per measure).
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        let needing = batch.measures.indices.filter { used[$0] && batch.needsGradient($0) }
        for index in needing {
            let me = projected[index]!
            // (pair index, other measure, coefficient) for every pair touching `index`.
            var terms = [(Int, Int, Float)]()
            for (pi, p) in batch.pairs.enumerated() where p.first != p.second {
                if p.first == index && p.firstGradientWeight != 0 {
                    terms.append((pi, p.second, Float(p.firstGradientWeight * factors[pi] / Double(L))))
                }
                if p.second == index && p.secondGradientWeight != 0 {
                    terms.append((pi, p.first, Float(p.secondGradientWeight * factors[pi] / Double(L))))
                }
            }
            var projectedGradient = Matrix(rows: L, columns: me.count)
            // Uniform measures with the exact estimator: every pair's gradient is summed at
            // sorted positions (contiguous, vectorised), then mapped to the points once per
            // direction. Otherwise each pair scatters through the sort order.
            let sortedAccumulation = percentileCount == 0 && me.weights == nil
                && terms.allSatisfy { projected[$0.1]!.weights == nil }
            projectedGradient.withUnsafeMutableBufferPointer { g in
                let g = g
                Parallel.forEach(chunks: chunks) { chunk in
                    let lo = chunk * directionChunk, hi = min(L, lo + directionChunk)
                    if sortedAccumulation {
                        var buffer = [Float](repeating: 0, count: me.count)
                        buffer.withUnsafeMutableBufferPointer { acc in
                            for l in lo..<hi {
                                for k in 0..<me.count { acc[k] = 0 }
                                for (_, other, coefficient) in terms where coefficient != 0 {
                                    accumulateSorted(me, projected[other]!, direction: l, cost: cost,
                                                     into: acc.baseAddress!, scale: coefficient)
                                }
                                me.order.withUnsafeBufferPointer { order in
                                    let row = g.baseAddress! + l * me.count, o = order.baseAddress! + l * me.count
                                    for k in 0..<me.count { row[Int(o[k])] = acc[k] }
                                }
                            }
                        }
                        return
                    }
                    levels.withUnsafeBufferPointer { u in
                        for (_, other, coefficient) in terms where coefficient != 0 {
                            let them = projected[other]!
                            for l in lo..<hi {
                                _ = sliceTransport(me, them, direction: l, cost: cost,
                                    percentiles: percentileCount, levels: u.baseAddress, levelCount: levelCount,
                                    gradient: g.baseAddress! + l * me.count, scale: coefficient)
                            }
                        }
                    }
                }
            }
            var gradient = Matrix(rows: me.count, columns: d)
            gemm(.transposed, .none, projectedGradient, theta, into: &gradient)
            gradients[index] = gradient
        }
        // Measures asked for but absent from every non-self pair get a zero gradient.
        for index in batch.measures.indices where gradients[index] == nil && batch.needsGradient(index) {
            gradients[index] = Matrix(rows: batch.measures[index].count, columns: d)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }

    /// Projects the rows of `measure` on the directions (`L x n` = `theta * X^T`) and
    /// sorts each direction's row.
    static func project(_ measure: EmpiricalMeasure, theta: Matrix) -> Projected {
        let L = theta.rows, n = measure.count
        var projections = Matrix(rows: L, columns: n)
        gemm(.none, .transposed, theta, measure.points, into: &projections)
        var sorted = projections.storage
        var order = [Int32](repeating: 0, count: L * n)
        let chunks = (L + directionChunk - 1) / directionChunk
        sorted.withUnsafeMutableBufferPointer { keys in
            order.withUnsafeMutableBufferPointer { order in
                let keys = keys, order = order
                Parallel.forEach(chunks: chunks) { chunk in
                    var workspace = ArgSort.Workspace()
                    for l in (chunk * directionChunk)..<min(L, (chunk + 1) * directionChunk) {
                        ArgSort.sort(keys.baseAddress! + l * n, order: order.baseAddress! + l * n, count: n, workspace: &workspace)
                    }
                }
            }
        }
        return Projected(sorted: sorted, order: order, count: n, weights: measure.weights)
    }

    /// The 1-D transport cost between `a` and `b` along direction `l`, adding `scale`
    /// times the Wasserstein gradient at each point of `a` to `gradient` (indexed by
    /// the point's original index) when given.
    @inline(__always)
    static func sliceTransport(
        _ a: Projected, _ b: Projected, direction l: Int, cost: SliceCost,
        percentiles: Int, levels: UnsafePointer<Float>?, levelCount: Int,
        gradient: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        a.sorted.withUnsafeBufferPointer { sa in
            b.sorted.withUnsafeBufferPointer { sb in
                a.order.withUnsafeBufferPointer { oa in
                    b.order.withUnsafeBufferPointer { ob in
                        let s = sa.baseAddress! + l * a.count, t = sb.baseAddress! + l * b.count
                        let so = oa.baseAddress! + l * a.count, to = ob.baseAddress! + l * b.count
                        if percentiles > 0 {
                            return PercentileEstimator.transport(s, count: a.count, t, count: b.count,
                                                                 levels: levels! + l * levelCount, levelCount: levelCount,
                                                                 percentiles: percentiles, cost: cost) { k, value in
                                gradient?[Int(so[k])] += scale * value
                            }
                        }
                        return withWeights(a.weights) { wa in
                            withWeights(b.weights) { wb in
                                OneDimensionalOT.transport(SortedSample(values: s, order: so, count: a.count, weights: wa),
                                                           SortedSample(values: t, order: to, count: b.count, weights: wb),
                                                           cost: cost, gradient: gradient, scale: scale)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds `scale` times the gradient of the slice transport from `a` to `b` along
    /// direction `l` at `a`'s sorted positions (uniform weights, exact estimator).
    @inline(__always)
    static func accumulateSorted(_ a: Projected, _ b: Projected, direction l: Int, cost: SliceCost,
                                 into sortedGradient: UnsafeMutablePointer<Float>, scale: Float) {
        a.sorted.withUnsafeBufferPointer { sa in
            b.sorted.withUnsafeBufferPointer { sb in
                a.order.withUnsafeBufferPointer { oa in
                    b.order.withUnsafeBufferPointer { ob in
                        OneDimensionalOT.accumulateSortedGradient(
                            SortedSample(values: sa.baseAddress! + l * a.count, order: oa.baseAddress! + l * a.count, count: a.count, weights: nil),
                            SortedSample(values: sb.baseAddress! + l * b.count, order: ob.baseAddress! + l * b.count, count: b.count, weights: nil),
                            cost: cost, into: sortedGradient, scale: scale)
                    }
                }
            }
        }
    }

    @inline(__always)
    static func withWeights<R>(_ weights: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let weights else { return body(nil) }
        return weights.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
