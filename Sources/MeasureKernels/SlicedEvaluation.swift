import Foundation
import LabeledData
import WoWCompute

/// The shared engine behind every `SlicedKernel`.
///
/// One set of `L` directions per batch. Every measure that takes part in a pair is
/// projected in a single product (`L x N`, `N` the total number of points, the measures'
/// points read in place through a table of row pointers). Then, in chunks of directions,
/// one direction at a time so that its rows stay in cache: each measure's row is sorted
/// in place (keys only for measures that need no gradient and carry no weights), block
/// summaries are taken, and pass 1 computes every pair's discrepancy. Pass 2, once the
/// discrepancies fix `phi'`, accumulates each gradient measure's 1-D gradients in
/// projected space (`N_g x L`, written straight in the map-back product's panel layout,
/// or over the projections when that buffer would be large; all equal-size partners in
/// one fused pass, and under the squared cost all smaller
/// partners of one dividing size combined into one more), and one product maps all of
/// them back (`N_g x d`). The directions are drawn into a `ScratchPool` buffer.
/// Uniform pairs whose sizes divide one another (squared cost) are matched through
/// block means computed once per measure and direction (`BlockKey`).
///
/// Stages: `Plan` (which measures take part, their side-by-side layout), `project` and
/// the sorts (`DiscrepancyPass.sortRows`), pass 1 (`PairSchedule`, `DiscrepancyPass`,
/// `discrepancies`), pass 2 (`GradientTerms`, `GradientPass`) and the map back
/// (`computeGradients`).
///
/// - Complexity: `2 L d (N + N_g)` flops in the two products, `O(L sum_i n_i log^2 n_i)`
///   for the sorts (`ArgSort`: a network up to 2048 keys, radix beyond),
///   `O(L (n_i + n_j))` per pair (`O(L min(n_i, n_j))` with block summaries). Memory:
///   `L N` scratch values from `ScratchPool` for the projections, `L N_order` for the sort
///   orders less what fits in the gradients' own storage until the map back (`OrderRows`:
///   all of it when `d >= L` and only gradient measures keep orders), and `L N_g` more when
///   the projected gradients are packed apart (`computeGradients`). Pass 2 needs every direction's
///   sorted projections and sort orders at once (`phi'` depends on the discrepancy summed
///   over all directions), so they are not computed in blocks of directions.
///
/// Work is split into fixed chunks of directions, so results are bitwise identical for
/// every thread count.
enum SlicedEvaluation {
    /// Directions per parallel chunk (fixed: results must not depend on thread count).
    static let directionChunk = 16

    /// The sorted projections of every measure in a batch, side by side: row `l` of
    /// `keys` holds every used measure's sorted projections on direction `l`, measure `i`
    /// at columns `offsets[i] ..< offsets[i] + counts[i]`. Measures that need their sort
    /// permutation (gradient measures first, then weighted ones) come first, and
    /// `orderRows[l]` (`orderWidth` values, `OrderRows`) holds the original point index of
    /// each of their sorted entries on direction `l`.
    struct Projections {
        let directions: Int
        let width: Int
        let keys: UnsafeMutablePointer<Float>
        let orderRows: UnsafePointer<UnsafeMutablePointer<Int32>>
        let offsets: [Int]
        let counts: [Int]
        let hasOrder: [Bool]
        let weights: [[Float]?]

        /// Measure `i`'s sorted projections on direction `l`.
        @inline(__always) func values(_ i: Int, _ l: Int) -> UnsafeMutablePointer<Float> {
            keys + l * width + offsets[i]
        }

        /// Measure `i`'s sort permutation on direction `l` (only read for measures with
        /// `hasOrder`; the others get a pointer that is never dereferenced).
        @inline(__always) func permutation(_ i: Int, _ l: Int) -> UnsafeMutablePointer<Int32> {
            hasOrder[i] ? orderRows[l] + offsets[i] : orderRows[0]
        }

        /// Measure `i` along direction `l` as a sorted sample (weights through `body`).
        @inline(__always) func withSample<R>(_ i: Int, _ l: Int, _ body: (SortedSample) -> R) -> R {
            let values = values(i, l), permutation = permutation(i, l), count = counts[i]
            guard let w = weights[i] else {
                return body(SortedSample(values: values, order: permutation, count: count, weights: nil))
            }
            return w.withUnsafeBufferPointer {
                body(SortedSample(values: values, order: permutation, count: count, weights: $0.baseAddress!))
            }
        }
    }

    /// Block summaries of large sorted samples, for the pairs whose uniform sizes divide
    /// one another under the squared cost. When `m = r n`, the monotone plan sends `s_i`
    /// evenly over the block `t_{ir} ... t_{ir+r-1}` (mean `mu_i`, squared deviations
    /// `V_i`), so `W_2^2 = (1/n) sum_i (s_i - mu_i)^2 + (1/m) sum_i V_i` and the gradient at
    /// `s_i` is `2 (s_i - mu_i)`: an equal-size problem against the `n` block means plus a
    /// constant. The means are computed once per measure, block count and direction,
    /// instead of once per pair.
    /// Summaries are stored per (measure, block count), per direction `l` at
    /// `offset + l * (blocks + 1)`: the block means, then `(1/m) sum_i V_i`.
    struct BlockKey: Hashable {
        var measure: Int
        var blocks: Int
    }

    static func run(
        _ batch: KernelBatch, slicing: Slicing, cost: SliceCost,
        profile: (Double) -> KernelProfile,
        using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        var none = [Matrix?]()
        return try run(batch, slicing: slicing, cost: cost, profile: profile, recycling: &none, using: &generator)
    }

    /// `run`, writing the gradients into `recycling[i]` where its shape fits (see
    /// `MeasureKernel.evaluate(_:recycling:using:)`).
    static func run(
        _ batch: KernelBatch, slicing: Slicing, cost: SliceCost,
        profile: (Double) -> KernelProfile, recycling: inout [Matrix?],
        using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        try slicing.validate()
        let d = try batch.validate()
        let L = slicing.projections
        try checkScratch(L, d, what: "directions")
        return try ScratchPool.withBuffer(Float.self, count: L * d) { theta in
            try slicing.directions.directions(count: L, dimension: d, into: theta, using: &generator)
            guard Matrix.allFinite(theta, count: L * d) else {
                throw KernelError.invalidParameter("the direction sampler returned non-finite values")
            }
            return try run(batch, theta: theta, dimension: d, slicing: slicing, cost: cost, profile: profile,
                           recycling: &recycling, using: &generator)
        }
    }

    /// `run` after the directions are drawn (`theta`: `L x d`, row-major): the levels of
    /// the reference estimator (drawn next from `generator`), the plan, the projection
    /// buffers and the gradients' storage (recycled where it fits, else fresh) that
    /// `evaluate` fills; the sort orders borrow that storage until the map back
    /// (`OrderRows`).
    static func run(
        _ batch: KernelBatch, theta: UnsafePointer<Float>, dimension d: Int, slicing: Slicing, cost: SliceCost,
        profile: (Double) -> KernelProfile, recycling: inout [Matrix?],
        using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        let L = slicing.projections
        let levels = try Levels(slicing.estimator, batch: batch, directions: L, using: &generator)
        let plan = Plan(batch, directions: L, dimension: d, cost: cost, levels: levels)
        try checkScratch(L, plan.width + plan.orderWidth + plan.gradientWidth, what: "projections")
        var reused = plan.gradientMeasures.map { i -> Matrix? in
            guard i < recycling.count, let m = recycling[i], m.rows == plan.counts[i], m.columns == d else { return nil }
            recycling[i] = nil
            return m
        }
        var values = [Double]()
        // The large temporaries come from the scratch pool (no fresh pages per step).
        let storages = ScratchPool.withBuffer(Float.self, count: L * plan.width) { keys in
            makeStorages(rowCounts: plan.gradientMeasures.map { plan.counts[$0] }, columns: d, reusing: &reused) { outputs in
                OrderRows.with(plan, outputs: outputs) { orders in
                    let projections = Projections(directions: L, width: plan.width, keys: keys, orderRows: orders.rows,
                                                  offsets: plan.offsets, counts: plan.counts, hasOrder: plan.hasOrder,
                                                  weights: batch.measures.map(\.weights))
                    values = evaluate(batch, plan: plan, projections: projections, orders: orders, theta: theta, profile: profile,
                                      outputs: outputs)
                }
            }
        }
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        for (i, storage) in zip(plan.gradientMeasures, storages) { gradients[i] = storage }
        // Measures asked for but absent from every non-self pair get a zero gradient.
        for index in batch.measures.indices where gradients[index] == nil && batch.needsGradient(index) {
            gradients[index] = Matrix(rows: batch.measures[index].count, columns: d)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }

    /// Where the sort orders live: `rows[l]` holds direction `l`'s (`orderWidth` values).
    /// The gradient measures' output storage is idle until the map back overwrites it
    /// with the gradients (`N_g x d` floats, as large as the orders `L x N_order` when
    /// `d >= L` and no weighted measure needs an order), so as many rows as fit are
    /// placed there (bound to `Int32` until `releaseOutputs()` binds it back to `Float`)
    /// and the rest come from `ScratchPool`: for 60,000 images the orders then cost no
    /// memory (120 MB before). Which rows live where never changes a result.
    struct OrderRows {
        let rows: UnsafePointer<UnsafeMutablePointer<Int32>>
        /// The output regions holding rows: start and length in floats.
        let regions: [(base: UnsafeMutablePointer<Float>, count: Int)]

        /// Calls `body` with the rows for `plan`, placed in `outputs` (the row table of the
        /// gradient measures' output matrices, in `plan.gradientMeasures` order) where they
        /// fit.
        static func with<R>(_ plan: Plan, outputs: UnsafePointer<UnsafeMutablePointer<Float>?>, _ body: (OrderRows) -> R) -> R {
            let L = plan.directions, width = plan.orderWidth
            var rows = [UnsafeMutablePointer<Int32>]()
            rows.reserveCapacity(L)
            var regions = [(base: UnsafeMutablePointer<Float>, count: Int)]()
            var firstRow = 0
            for i in plan.gradientMeasures where width > 0 {
                let base = outputs[firstRow]!, count = plan.counts[i] * plan.dimension
                firstRow += plan.counts[i]
                let fit = min(count / width, L - rows.count)
                guard fit > 0 else { continue }
                let hosted = UnsafeMutableRawPointer(base).bindMemory(to: Int32.self, capacity: fit * width)
                regions.append((base, count))
                for j in 0..<fit { rows.append(hosted + j * width) }
            }
            let spare = L - rows.count
            return ScratchPool.withBuffer(Int32.self, count: spare * width) { pooled in
                for j in 0..<spare { rows.append(pooled + j * width) }
                return rows.withUnsafeBufferPointer { body(OrderRows(rows: $0.baseAddress!, regions: regions)) }
            }
        }

        /// Binds the output regions back to `Float` once the orders are no longer read
        /// (before the map back writes the gradients there).
        func releaseOutputs() {
            for (base, count) in regions { _ = UnsafeMutableRawPointer(base).bindMemory(to: Float.self, capacity: count) }
        }
    }

    /// The reference estimator's settings and random levels (`L x count`, row `l` for
    /// direction `l`, uniform in `[0, 1)`, shared by every pair of the batch); empty, with
    /// `percentiles = 0`, for the exact estimator.
    struct Levels {
        /// Percentiles per projection; 0 for the exact estimator.
        var percentiles = 0
        /// Levels per direction.
        var count = 0
        var values: [Float] = []

        /// Draws `L x count` levels from `generator` for `.referencePercentiles`.
        ///
        /// - Throws: `KernelError.unsupported` for a weighted measure (the reference
        ///   estimator ignores weights), `KernelError.invalidParameter` when the levels
        ///   would not fit in memory.
        init(_ estimator: SliceEstimator, batch: KernelBatch, directions L: Int,
             using generator: inout some RandomNumberGenerator) throws {
            guard case let .referencePercentiles(p, u) = estimator else { return }
            percentiles = p; count = u
            try checkScratch(L, u, what: "percentile levels")
            for (index, measure) in batch.measures.enumerated() where !measure.isUniform {
                throw KernelError.unsupported("the reference percentile estimator ignores weights; measure \(index) is weighted (use .exact)")
            }
            values = (0..<(L * u)).map { _ in Float(generator.nextUnitDouble()) }
        }
    }

    /// Stage 1, the plan: which measures take part in a non-self pair, which of them need
    /// a gradient, and where each sits in the side-by-side rows (`Projections`): gradient
    /// measures first, then weighted measures that need no gradient (both keep their sort
    /// permutation), then the rest (sorted as keys only). Unused measures get offset -1
    /// and count 0.
    ///
    /// - Complexity: `O(M + P)` for `M` measures and `P` pairs.
    struct Plan {
        /// `L` and `d`.
        let directions: Int, dimension: Int
        let cost: SliceCost
        let levels: Levels
        /// The used measures in side-by-side order, and the gradient measures (a prefix).
        let stacked: [Int], gradientMeasures: [Int]
        /// Per measure: first column in the rows, point count, and whether its sort
        /// permutation is kept.
        let offsets: [Int], counts: [Int], hasOrder: [Bool]
        let uniform: [Bool]
        /// `N` (every used point), `N_order` (points with a kept permutation) and `N_g`
        /// (points of gradient measures).
        let width: Int, orderWidth: Int, gradientWidth: Int

        init(_ batch: KernelBatch, directions: Int, dimension: Int, cost: SliceCost, levels: Levels) {
            let measureCount = batch.measures.count
            var used = [Bool](repeating: false, count: measureCount)
            for p in batch.pairs where p.first != p.second { used[p.first] = true; used[p.second] = true }
            let needsGradient = (0..<measureCount).map { used[$0] && batch.needsGradient($0) }
            let gradientMeasures = (0..<measureCount).filter { needsGradient[$0] }
            let weightedOnly = (0..<measureCount).filter { used[$0] && !needsGradient[$0] && !batch.measures[$0].isUniform }
            let keysOnly = (0..<measureCount).filter { used[$0] && !needsGradient[$0] && batch.measures[$0].isUniform }
            let stacked = gradientMeasures + weightedOnly + keysOnly
            var offsets = [Int](repeating: -1, count: measureCount)
            var counts = [Int](repeating: 0, count: measureCount)
            var width = 0
            for i in stacked { offsets[i] = width; counts[i] = batch.measures[i].count; width += counts[i] }
            var hasOrder = [Bool](repeating: false, count: measureCount)
            for i in gradientMeasures + weightedOnly { hasOrder[i] = true }
            self.directions = directions; self.dimension = dimension; self.cost = cost; self.levels = levels
            self.stacked = stacked; self.gradientMeasures = gradientMeasures
            self.offsets = offsets; self.counts = counts; self.hasOrder = hasOrder
            self.uniform = batch.measures.map(\.isUniform)
            let gradientWidth = gradientMeasures.reduce(0) { $0 + counts[$1] }
            self.width = width; self.gradientWidth = gradientWidth
            self.orderWidth = gradientWidth + weightedOnly.reduce(0) { $0 + counts[$1] }
        }

        /// Whether the 1-D distances are exact (sorting) rather than the percentile estimate.
        var exact: Bool { levels.percentiles == 0 }

        /// The block summary that pair `(a, b)` is matched through: the larger measure and
        /// the smaller size, when both are uniform, one size divides the other and the cost
        /// is squared (exact estimator only); `nil` otherwise.
        func reducible(_ a: Int, _ b: Int) -> BlockKey? {
            guard cost == .squared, exact, a != b, uniform[a], uniform[b] else { return nil }
            let na = counts[a], nb = counts[b]
            if na > nb && na % nb == 0 { return BlockKey(measure: a, blocks: nb) }
            if nb > na && nb % na == 0 { return BlockKey(measure: b, blocks: na) }
            return nil
        }
    }

    /// Stages 2 to 4 on the buffers `run` set up: project and sort, pass 1 (every pair's
    /// discrepancy, then `phi` and `phi'`), pass 2 and the map back (the gradients,
    /// written to `outputs`, the rows of the gradient measures' matrices in order).
    /// Returns the values.
    static func evaluate(
        _ batch: KernelBatch, plan: Plan, projections: Projections, orders: OrderRows, theta: UnsafePointer<Float>,
        profile: (Double) -> KernelProfile, outputs: UnsafePointer<UnsafeMutablePointer<Float>?>
    ) -> [Double] {
        let schedule = PairSchedule(batch, plan)
        return ScratchPool.withBuffer(Float.self, count: schedule.summaryWidth) { summaries in
            let L = plan.directions
            let (values, factors) = ScratchPool.withBuffer(Double.self, count: batch.pairs.count * L) { out in
                project(batch, plan: plan, theta: theta, into: projections)
                plan.levels.values.withUnsafeBufferPointer { levels in
                    DiscrepancyPass(pairs: batch.pairs, plan: plan, projections: projections, schedule: schedule,
                                    summaries: summaries, levels: levels.baseAddress, out: out).run()
                }
                return discrepancies(batch.pairs, costs: out, directions: L, profile: profile)
            }
            if plan.gradientWidth > 0 {
                let terms = GradientTerms(batch.pairs, plan: plan, schedule: schedule, factors: factors)
                computeGradients(plan, projections: projections, orders: orders, terms: terms, summaries: summaries,
                                 theta: theta, outputs: outputs)
            }
            return values
        }
    }

    /// Stage 2a: every used measure projected in one product, `keys = theta X^T`
    /// (`L x N`, the measures' points read in place through a table of row pointers).
    ///
    /// - Complexity: `2 L d N` flops.
    static func project(_ batch: KernelBatch, plan: Plan, theta: UnsafePointer<Float>, into projections: Projections) {
        guard plan.width > 0 else { return }
        let d = plan.dimension
        withRowTable(plan.stacked.map { batch.measures[$0].points }) { table in
            gemm(m: plan.directions, n: plan.width, k: d, .matrix(theta, leadingDimension: d, .none), .rows(table, .transposed),
                 into: .matrix(projections.keys, leadingDimension: plan.width))
        }
    }

    /// The end of pass 1: `D = max(0, (1/L) sum_l costs[pair * L + l])` per pair (summed
    /// in direction order), `values[pair] = phi(D)` and `factors[pair] = phi'(D)`, 0 for
    /// self-pairs and for a non-finite `phi'(0)`.
    static func discrepancies(
        _ pairs: [KernelPair], costs out: UnsafePointer<Double>, directions L: Int, profile: (Double) -> KernelProfile
    ) -> (values: [Double], factors: [Double]) {
        var values = [Double](repeating: 0, count: pairs.count)
        var factors = [Double](repeating: 0, count: pairs.count)
        for (index, p) in pairs.enumerated() {
            var discrepancy = 0.0
            if p.first != p.second {
                for l in 0..<L { discrepancy += out[index * L + l] }
                discrepancy /= Double(L)
                discrepancy = max(0, discrepancy)
            }
            let phi = profile(discrepancy)
            values[index] = phi.value
            factors[index] = p.first == p.second || (discrepancy == 0 && !phi.derivative.isFinite) ? 0 : phi.derivative
        }
        return (values, factors)
    }

    /// Pass 1's schedule: the block summaries to take (per `BlockKey`, `L (blocks + 1)`
    /// floats at `summaryOffsets[k]`), each pair's reduction, and the fused passes. Pairs of
    /// uniform measures of one size are grouped by their first measure: one fused pass per
    /// measure and direction (`equalSizeCosts`). Pairs matched through one block summary
    /// (the larger measure's block means) are grouped by that summary: the smaller
    /// measures are its partners in one fused pass (the cost is symmetric:
    /// `s - t = -(t - s)` exactly, so the bits are those of the pair taken alone).
    struct PairSchedule {
        /// A reducible pair: its smaller measure, the block count (the smaller size) and
        /// the offset of the larger measure's summaries.
        struct Reduction { var small: Int, blocks: Int, offset: Int }
        struct EqualGroup { var measure: Int, pairs: [(index: Int, partner: Int)] }
        struct SummaryGroup { var offset: Int, blocks: Int, pairs: [(index: Int, small: Int)] }

        var summaryKeys: [BlockKey] = [], summaryOffsets: [Int] = [], summaryWidth = 0
        var reductions: [Reduction?] = []
        var equalGroups: [EqualGroup] = [], summaryGroups: [SummaryGroup] = []
        /// Pairs matched in a fused pass (the others one by one).
        var fused: [Bool]
        /// The most pairs in one group.
        var largestGroup = 0

        init(_ batch: KernelBatch, _ plan: Plan) {
            var offsetOf = [BlockKey: Int]()
            for p in batch.pairs {
                guard let key = plan.reducible(p.first, p.second), offsetOf[key] == nil else { continue }
                offsetOf[key] = summaryWidth
                summaryKeys.append(key)
                summaryWidth += plan.directions * (key.blocks + 1)
            }
            summaryOffsets = summaryKeys.map { offsetOf[$0]! }
            reductions = batch.pairs.map { p in
                plan.reducible(p.first, p.second).map { key in
                    Reduction(small: key.measure == p.first ? p.second : p.first, blocks: key.blocks, offset: offsetOf[key]!)
                }
            }
            fused = [Bool](repeating: false, count: batch.pairs.count)
            if plan.exact { groupEqualSizes(batch.pairs, plan) }
            groupSummaries(batch.pairs)
            largestGroup = max(equalGroups.map(\.pairs.count).max() ?? 0, summaryGroups.map(\.pairs.count).max() ?? 0)
        }

        mutating func groupEqualSizes(_ pairs: [KernelPair], _ plan: Plan) {
            var groupOf = [Int: Int]()
            for (index, p) in pairs.enumerated()
            where p.first != p.second && reductions[index] == nil && plan.uniform[p.first] && plan.uniform[p.second]
                && plan.counts[p.first] == plan.counts[p.second] {
                if groupOf[p.first] == nil { groupOf[p.first] = equalGroups.count; equalGroups.append(EqualGroup(measure: p.first, pairs: [])) }
                equalGroups[groupOf[p.first]!].pairs.append((index, p.second))
                fused[index] = true
            }
        }

        mutating func groupSummaries(_ pairs: [KernelPair]) {
            var groupOf = [Int: Int]()
            for (index, p) in pairs.enumerated() where p.first != p.second {
                guard let reduction = reductions[index] else { continue }
                if groupOf[reduction.offset] == nil {
                    groupOf[reduction.offset] = summaryGroups.count
                    summaryGroups.append(SummaryGroup(offset: reduction.offset, blocks: reduction.blocks, pairs: []))
                }
                summaryGroups[groupOf[reduction.offset]!].pairs.append((index, reduction.small))
                fused[index] = true
            }
        }
    }

    /// Stage 2b and pass 1, direction by direction (while its rows are in cache): sort
    /// each measure's row, take the block summaries, and write every pair's 1-D cost on
    /// direction `l` to `out[pair * L + l]`, in chunks of `directionChunk` directions.
    struct DiscrepancyPass {
        let pairs: [KernelPair]
        let plan: Plan
        let projections: Projections
        let schedule: PairSchedule
        let summaries: UnsafeMutablePointer<Float>
        /// The reference estimator's levels (`nil` when exact).
        let levels: UnsafePointer<Float>?
        let out: UnsafeMutablePointer<Double>

        func run() {
            let workers = Parallel.threads
            let chunks = (plan.directions + directionChunk - 1) / directionChunk
            let workspaces = (0..<workers).map { _ in ArgSort.Workspace() }
            let groupCapacity = max(1, schedule.largestGroup * workers)
            let groupPartners = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: groupCapacity)
            defer { groupPartners.deallocate() }
            let groupCosts = UnsafeMutablePointer<Float>.allocate(capacity: groupCapacity)
            defer { groupCosts.deallocate() }
            Parallel.forEach(chunks: chunks, workers: workers) { chunk, worker in
                var workspace = workspaces[worker]
                let partners = groupPartners + worker * schedule.largestGroup
                let costs = groupCosts + worker * schedule.largestGroup
                for l in (chunk * directionChunk)..<min(plan.directions, (chunk + 1) * directionChunk) {
                    sortRows(l, workspace: &workspace)
                    match(l, partners: partners, costs: costs)
                }
            }
        }

        /// Sorts every used measure's row on direction `l` (with its permutation when kept),
        /// then takes the block summaries.
        @inline(__always)
        func sortRows(_ l: Int, workspace: inout ArgSort.Workspace) {
            for i in plan.stacked {
                if plan.hasOrder[i] {
                    ArgSort.sort(projections.values(i, l), order: projections.permutation(i, l), count: plan.counts[i],
                                 workspace: &workspace)
                } else {
                    ArgSort.sortKeys(projections.values(i, l), count: plan.counts[i], workspace: &workspace)
                }
            }
            for (key, offset) in zip(schedule.summaryKeys, schedule.summaryOffsets) {
                OneDimensionalOT.blockSummaries(projections.values(key.measure, l), plan.counts[key.measure], blocks: key.blocks,
                                                into: summaries + offset + l * (key.blocks + 1))
            }
        }

        /// Every pair's cost on direction `l`: the fused groups, then the other pairs one
        /// by one (`partners`, `costs`: `largestGroup` entries of scratch).
        @inline(__always)
        func match(_ l: Int, partners: UnsafeMutablePointer<UnsafePointer<Float>>, costs: UnsafeMutablePointer<Float>) {
            let L = plan.directions
            for group in schedule.equalGroups {
                for (q, pair) in group.pairs.enumerated() { partners[q] = UnsafePointer(projections.values(pair.partner, l)) }
                OneDimensionalOT.equalSizeCosts(projections.values(group.measure, l), plan.counts[group.measure], partners: partners,
                                                count: group.pairs.count, cost: plan.cost, into: costs)
                let n = Double(plan.counts[group.measure])
                for (q, pair) in group.pairs.enumerated() { out[pair.index * L + l] = Double(costs[q]) / n }
            }
            for group in schedule.summaryGroups {
                let blocks = group.blocks
                for (q, pair) in group.pairs.enumerated() { partners[q] = UnsafePointer(projections.values(pair.small, l)) }
                let summary = summaries + group.offset + l * (blocks + 1)
                OneDimensionalOT.equalSizeCosts(summary, blocks, partners: partners, count: group.pairs.count, cost: .squared,
                                                into: costs)
                for (q, pair) in group.pairs.enumerated() {
                    out[pair.index * L + l] = Double(costs[q]) / Double(blocks) + Double(summary[blocks])
                }
            }
            for (index, p) in pairs.enumerated() where p.first != p.second && !schedule.fused[index] {
                out[index * L + l] = sliceTransport(projections, p.first, p.second, direction: l, plan: plan, levels: levels,
                                                    gradient: nil, scale: 0)
            }
        }
    }

    /// Pass 2's terms: for every gradient measure `i`, one term per pair that pulls on it,
    /// `(partner, w phi'(D) / L, summary)` (`w` the pair's gradient weight for `i`;
    /// `summary` the offset of the partner's block summaries when `i` is the smaller side
    /// of a reducible pair, -1 otherwise), zero coefficients dropped. Uniform measures with
    /// the exact estimator whose partners are all uniform accumulate at sorted positions
    /// (`sortedAccumulation`: contiguous, vectorised, mapped to the points once per
    /// direction); the others scatter pair by pair through the sort order. Under the
    /// squared cost, the smaller partners whose size `m` divides `n` (not already block
    /// summaries) are grouped by `m` (`blockGroups`) and combined before the pass over
    /// `s`; the rest of the unequal-size partners are `generalTerms`.
    struct GradientTerms {
        struct Term { var other: Int, coefficient: Float, summary: Int }
        struct BlockGroup { var blocks: Int, partners: [(Int, Float)] }

        var terms: [[Term]]
        var sortedAccumulation: [Bool]
        var blockGroups: [[BlockGroup]]
        var generalTerms: [[(Int, Float)]]
        /// The largest gradient measure and the most terms of one measure (at least 1).
        var largest: Int, largestTermCount: Int

        init(_ pairs: [KernelPair], plan: Plan, schedule: PairSchedule, factors: [Double]) {
            let measureCount = plan.counts.count, L = Double(plan.directions)
            terms = [[Term]](repeating: [], count: measureCount)
            for i in plan.gradientMeasures {
                for (pi, p) in pairs.enumerated() where p.first != p.second {
                    let summary = schedule.reductions[pi].flatMap { $0.small == i ? $0.offset : nil } ?? -1
                    if p.first == i && p.firstGradientWeight != 0 {
                        terms[i].append(Term(other: p.second, coefficient: Float(p.firstGradientWeight * factors[pi] / L), summary: summary))
                    }
                    if p.second == i && p.secondGradientWeight != 0 {
                        terms[i].append(Term(other: p.first, coefficient: Float(p.secondGradientWeight * factors[pi] / L), summary: summary))
                    }
                }
                terms[i].removeAll { $0.coefficient == 0 }
            }
            let termLists = terms
            sortedAccumulation = (0..<measureCount).map { i in
                plan.exact && plan.uniform[i] && termLists[i].allSatisfy { plan.uniform[$0.other] }
            }
            blockGroups = [[BlockGroup]](repeating: [], count: measureCount)
            generalTerms = [[(Int, Float)]](repeating: [], count: measureCount)
            largest = plan.gradientMeasures.map { plan.counts[$0] }.max() ?? 0
            largestTermCount = max(1, plan.gradientMeasures.map { termLists[$0].count }.max() ?? 0)
            for i in plan.gradientMeasures { splitUnequalSizes(i, plan: plan) }
        }

        /// Sorts measure `i`'s unequal-size partners without a block summary into
        /// `blockGroups[i]` (squared cost, sorted accumulation, `m < n`, `m | n`; groups in
        /// order of first appearance) and `generalTerms[i]`.
        mutating func splitUnequalSizes(_ i: Int, plan: Plan) {
            let n = plan.counts[i]
            var groups = [Int: [(Int, Float)]]()
            var sizes = [Int]()
            for term in terms[i] where term.summary < 0 && plan.counts[term.other] != n {
                let m = plan.counts[term.other]
                if plan.cost == .squared && sortedAccumulation[i] && m < n && n % m == 0 {
                    if groups[m] == nil { sizes.append(m) }
                    groups[m, default: []].append((term.other, term.coefficient))
                } else {
                    generalTerms[i].append((term.other, term.coefficient))
                }
            }
            blockGroups[i] = sizes.map { BlockGroup(blocks: $0, partners: groups[$0]!) }
        }
    }

    /// Projected gradients that would take more than this many bytes in the map back's
    /// panel layout are written over the projections instead (`computeGradients`); both
    /// layouts give the same bits. Settable for tests (default 32 MiB).
    static var inPlaceGradientBytes: Int {
        get { layoutLock.lock(); defer { layoutLock.unlock() }; return _inPlaceGradientBytes }
        set { layoutLock.lock(); _inPlaceGradientBytes = newValue; layoutLock.unlock() }
    }
    private static let layoutLock = NSLock()
    nonisolated(unsafe) private static var _inPlaceGradientBytes = 32 << 20

    /// Pass 2 and the map back: the 1-D gradients of every gradient measure in projected
    /// space (`N_g x L`), then one product with `theta` maps all of them back (`N_g x d`)
    /// into `outputs` (once the sort orders are done with them, `OrderRows`).
    ///
    /// Two layouts of the projected gradients, the same bits (the product reads the same
    /// values in the same panels):
    /// - packed (up to `inPlaceGradientBytes`): straight into the product's panel layout in
    ///   a buffer of their own (no packing pass). Point `j` of direction `l` sits at
    ///   `start(l) + place[j]`, `place` depending only on the depth block's size (one table
    ///   per size: the blocks are equal but for the last).
    /// - in place (larger): direction `l`'s gradients, gathered in a per-worker row, are
    ///   copied over the first `N_g` projections of row `l` once pass 2 is done with that
    ///   row (gradient measures come first in the rows), and the product packs them from
    ///   there (`L x N_g`, transposed). No `N_g x L` buffer: 120 MB fewer for 60,000
    ///   images, and contiguous writes instead of one cache line per panel.
    ///
    /// - Complexity: `2 L d N_g` flops for the product, `O(L (n_i + n_j))` per term.
    static func computeGradients(
        _ plan: Plan, projections: Projections, orders: OrderRows, terms: GradientTerms, summaries: UnsafeMutablePointer<Float>,
        theta: UnsafePointer<Float>, outputs: UnsafePointer<UnsafeMutablePointer<Float>?>
    ) {
        let L = plan.directions, gradientWidth = plan.gradientWidth, workers = Parallel.threads
        let largest = terms.largest, termCapacity = terms.largestTermCount * workers
        let partnerRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: termCapacity)
        defer { partnerRows.deallocate() }
        let partnerWeights = UnsafeMutablePointer<Float>.allocate(capacity: termCapacity)
        defer { partnerWeights.deallocate() }
        let paddedWidth = PackedPanels.paddedRows(gradientWidth)
        let blockDepth = PackedPanels.blockDepth(L), lastDepth = L - (L - 1) / blockDepth * blockDepth
        let packedCount = PackedPanels.count(rows: gradientWidth, depth: L)
        let inPlace = packedCount > inPlaceGradientBytes / MemoryLayout<Float>.stride
        let projectedCount = inPlace ? gradientWidth * workers : packedCount
        ScratchPool.withBuffer(Float.self, count: projectedCount + 3 * largest * workers) { projected in
            let accumulators = projected + projectedCount, blockSums = accumulators + largest * workers
            plan.levels.values.withUnsafeBufferPointer { levels in
                ScratchPool.withBuffer(Int.self, count: inPlace ? 0 : 2 * paddedWidth) { placeTables in
                    if !inPlace {
                        for (table, kc) in [(placeTables, blockDepth), (placeTables + paddedWidth, lastDepth)] {
                            for j in 0..<paddedWidth { table[j] = (j / 6 * kc) * 6 + j % 6 }
                        }
                    }
                    let pass = GradientPass(
                        plan: plan, projections: projections, terms: terms, summaries: summaries, levels: levels.baseAddress,
                        projected: projected, inPlace: inPlace, accumulators: accumulators, blockSums: blockSums,
                        rows: blockSums + largest * workers, partnerRows: partnerRows, partnerWeights: partnerWeights,
                        paddedWidth: paddedWidth, blockDepth: blockDepth,
                        fullPlaces: UnsafePointer(placeTables), lastPlaces: UnsafePointer(placeTables + paddedWidth))
                    Parallel.forEach(chunks: (L + directionChunk - 1) / directionChunk, workers: workers) { chunk, worker in
                        for l in (chunk * directionChunk)..<min(L, (chunk + 1) * directionChunk) { pass.direction(l, worker: worker) }
                    }
                }
            }
            orders.releaseOutputs()
            let gradients: GEMMOperand = inPlace ? .matrix(projections.keys, leadingDimension: plan.width, .transposed)
                                                 : .packedPanels(projected, rows: gradientWidth)
            gemm(m: gradientWidth, n: plan.dimension, k: L, gradients, .matrix(theta, leadingDimension: plan.dimension, .none),
                 into: .rows(outputs))
        }
    }

    /// Pass 2 on one direction at a time: each gradient measure's 1-D gradient, written
    /// to its places in the packed panels, or (`inPlace`) to the worker's row of
    /// `projected` and from there over the direction's projections. Per-worker scratch:
    /// `largest` floats each of `accumulators`, `blockSums` and `rows`, `largestTermCount`
    /// partner rows and weights.
    struct GradientPass {
        let plan: Plan
        let projections: Projections
        let terms: GradientTerms
        let summaries: UnsafeMutablePointer<Float>
        let levels: UnsafePointer<Float>?
        let projected: UnsafeMutablePointer<Float>
        let inPlace: Bool
        let accumulators: UnsafeMutablePointer<Float>, blockSums: UnsafeMutablePointer<Float>, rows: UnsafeMutablePointer<Float>
        let partnerRows: UnsafeMutablePointer<UnsafePointer<Float>>, partnerWeights: UnsafeMutablePointer<Float>
        let paddedWidth: Int, blockDepth: Int
        let fullPlaces: UnsafePointer<Int>, lastPlaces: UnsafePointer<Int>

        @inline(__always)
        func direction(_ l: Int, worker: Int) {
            if inPlace {
                // Every measure's gradient first (they read the row's projections), then
                // over the row.
                let row = projected + worker * plan.gradientWidth
                for i in plan.gradientMeasures {
                    if terms.sortedAccumulation[i] {
                        sorted(i, l, worker: worker, start: row + plan.offsets[i], place: nil)
                    } else {
                        scattered(i, l, worker: worker, start: row + plan.offsets[i], place: nil)
                    }
                }
                (projections.keys + l * projections.width).update(from: row, count: plan.gradientWidth)
                return
            }
            let p0 = l / blockDepth * blockDepth
            let start = projected + p0 * paddedWidth + (l - p0) * 6
            let place = p0 + blockDepth <= plan.directions ? fullPlaces : lastPlaces
            for j in plan.gradientWidth..<paddedWidth { start[place[j]] = 0 }
            for i in plan.gradientMeasures {
                if terms.sortedAccumulation[i] {
                    sorted(i, l, worker: worker, start: start, place: place + plan.offsets[i])
                } else {
                    scattered(i, l, worker: worker, start: start, place: place + plan.offsets[i])
                }
            }
        }

        /// Measure `i`'s gradient summed at sorted positions: equal-size partners (and block
        /// means) in one fused pass that keeps the accumulator in registers, the block
        /// groups combined, the others one by one; then mapped to the points.
        @inline(__always)
        func sorted(_ i: Int, _ l: Int, worker: Int, start: UnsafeMutablePointer<Float>, place: UnsafePointer<Int>?) {
            let n = plan.counts[i], largest = terms.largest
            let acc = accumulators + worker * largest
            let partners = partnerRows + worker * terms.largestTermCount
            let weights = partnerWeights + worker * terms.largestTermCount
            var equalCount = 0
            for term in terms.terms[i] where term.summary >= 0 || plan.counts[term.other] == n {
                partners[equalCount] = term.summary >= 0 ? UnsafePointer(summaries + term.summary + l * (n + 1))
                                                         : UnsafePointer(projections.values(term.other, l))
                weights[equalCount] = term.coefficient
                equalCount += 1
            }
            projections.withSample(i, l) { me in
                OneDimensionalOT.sumEqualSizeGradients(me.values, n, partners: partners, coefficients: weights,
                                                       count: equalCount, cost: plan.cost, into: acc)
                for group in terms.blockGroups[i] {
                    for (p, (other, coefficient)) in group.partners.enumerated() {
                        partners[p] = UnsafePointer(projections.values(other, l))
                        weights[p] = coefficient
                    }
                    OneDimensionalOT.sumSquaredBlockGradients(me.values, n, partners: partners, coefficients: weights,
                                                              count: group.partners.count, blocks: group.blocks,
                                                              sums: blockSums + worker * largest, into: acc)
                }
                for (other, coefficient) in terms.generalTerms[i] {
                    projections.withSample(other, l) { them in
                        OneDimensionalOT.accumulateSortedGradient(me, them, cost: plan.cost, into: acc, scale: coefficient)
                    }
                }
                if let place {
                    for k in 0..<n { start[place[Int(me.order[k])]] = acc[k] }
                } else {
                    for k in 0..<n { start[Int(me.order[k])] = acc[k] }
                }
            }
        }

        /// Measure `i`'s gradient scattered pair by pair through the sort order (weights or
        /// the percentile estimator), then copied to its places (`nil`: `start` on).
        @inline(__always)
        func scattered(_ i: Int, _ l: Int, worker: Int, start: UnsafeMutablePointer<Float>, place: UnsafePointer<Int>?) {
            let n = plan.counts[i]
            let row = rows + worker * terms.largest
            row.update(repeating: 0, count: n)
            for term in terms.terms[i] {
                _ = sliceTransport(projections, i, term.other, direction: l, plan: plan, levels: levels,
                                   gradient: row, scale: term.coefficient)
            }
            if let place {
                for j in 0..<n { start[place[j]] = row[j] }
            } else {
                start.update(from: row, count: n)
            }
        }
    }

    /// Floats this machine's memory holds (read once: `physicalMemory` is a system call,
    /// and the check runs every step).
    static let scratchCapacity = ProcessInfo.processInfo.physicalMemory / 4

    /// Throws unless `rows x columns` scratch values (4 bytes each) fit in this machine's
    /// memory: a clear error instead of an overflow trap or a failed allocation for
    /// absurd projection counts.
    static func checkScratch(_ rows: Int, _ columns: Int, what: String) throws {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        let available = scratchCapacity
        guard !overflow, UInt64(count) <= available else {
            throw KernelError.invalidParameter(
                "\(rows) projections need \(overflow ? "more than 2^63" : String(count)) scratch values for the \(what), more than this machine's memory holds (\(available) floats); use fewer projections")
        }
    }

    /// Calls `body` with a table of pointers to every row of `matrices`, in order (the
    /// matrices' storage is read in place, valid only inside `body`).
    static func withRowTable(_ matrices: [Matrix], _ body: (UnsafePointer<UnsafePointer<Float>?>) -> Void) {
        var table = [UnsafePointer<Float>?]()
        table.reserveCapacity(matrices.reduce(0) { $0 + $1.rows })
        func nest(_ i: Int) {
            guard i < matrices.count else {
                table.withUnsafeBufferPointer { body($0.baseAddress!) }
                return
            }
            matrices[i].withUnsafeBufferPointer { storage in
                let columns = matrices[i].columns
                for r in 0..<matrices[i].rows { table.append(storage.baseAddress! + r * columns) }
                nest(i + 1)
            }
        }
        nest(0)
    }

    /// One `rowCounts[i] x columns` matrix per entry: `reused[i]` (same shape; taken, left
    /// nil) written in place, copied first only if its storage is shared, or else a fresh
    /// uninitialised array. Calls `fill` with a table of pointers to all their rows in
    /// order; `fill` must write every element.
    static func makeStorages(rowCounts: [Int], columns: Int, reusing reused: inout [Matrix?],
                             _ fill: (UnsafePointer<UnsafeMutablePointer<Float>?>) -> Void) -> [Matrix] {
        var table = [UnsafeMutablePointer<Float>?]()
        table.reserveCapacity(rowCounts.reduce(0, +))
        var reversed = [Matrix]()
        func nest(_ i: Int) {
            guard i < rowCounts.count else {
                table.withUnsafeBufferPointer { fill($0.baseAddress!) }
                return
            }
            if i < reused.count, var matrix = reused[i] {
                reused[i] = nil
                matrix.withUnsafeMutableBufferPointer { buffer in
                    for r in 0..<rowCounts[i] { table.append(buffer.baseAddress! + r * columns) }
                    nest(i + 1)
                }
                reversed.append(matrix)
                return
            }
            let count = rowCounts[i] * columns
            let storage = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for r in 0..<rowCounts[i] { table.append(buffer.baseAddress! + r * columns) }
                nest(i + 1)
                initialized = count
            }
            reversed.append(try! Matrix(rows: rowCounts[i], columns: columns, storage: storage))
        }
        nest(0)
        return reversed.reversed()
    }

    /// The 1-D transport cost between measures `a` and `b` along direction `l` (exact, or
    /// the percentile estimate at `levels + l * plan.levels.count`), adding `scale` times
    /// the Wasserstein gradient at each point of `a` to `gradient` (indexed by the point's
    /// original index) when given.
    @inline(__always)
    static func sliceTransport(
        _ projections: Projections, _ a: Int, _ b: Int, direction l: Int, plan: Plan, levels: UnsafePointer<Float>?,
        gradient: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        if !plan.exact {
            let so = projections.permutation(a, l), levelCount = plan.levels.count
            let emit: ((Int, Float) -> Void)? = gradient.map { g in { k, value in g[Int(so[k])] += scale * value } }
            return PercentileEstimator.transport(projections.values(a, l), count: projections.counts[a],
                                                 projections.values(b, l), count: projections.counts[b],
                                                 levels: levels! + l * levelCount, levelCount: levelCount,
                                                 percentiles: plan.levels.percentiles, cost: plan.cost, gradient: emit)
        }
        return projections.withSample(a, l) { s in
            projections.withSample(b, l) { t in
                OneDimensionalOT.transport(s, t, cost: plan.cost, gradient: gradient, scale: scale)
            }
        }
    }
}
