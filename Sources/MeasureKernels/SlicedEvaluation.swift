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
/// projected space (`N_g x L`, written straight in the map-back product's panel layout;
/// all equal-size partners in one fused pass, and under the squared cost all smaller
/// partners of one dividing size combined into one more), and one product maps all of
/// them back (`N_g x d`). The directions are drawn into a `ScratchPool` buffer.
/// Uniform pairs whose sizes divide one another (squared cost) are matched through
/// block means computed once per measure and direction (`BlockKey`).
///
/// - Complexity: `2 L d (N + N_g)` flops in the two products, `O(L sum_i n_i log^2 n_i)`
///   for the sorts (`ArgSort`: a network up to 2048 keys, radix beyond),
///   `O(L (n_i + n_j))` per pair (`O(L min(n_i, n_j))` with block summaries). Memory:
///   `L (N + N_order + N_g)` scratch values from `ScratchPool`.
///
/// Work is split into fixed chunks of directions, so results are bitwise identical for
/// every thread count.
enum SlicedEvaluation {
    /// Directions per parallel chunk (fixed: results must not depend on thread count).
    static let directionChunk = 16

    /// The sorted projections of every measure in a batch, side by side: row `l` of
    /// `keys` holds every used measure's sorted projections on direction `l`, measure `i`
    /// at columns `offsets[i] ..< offsets[i] + counts[i]`. Measures that need their sort
    /// permutation (gradient measures first, then weighted ones) come first, and `order`
    /// (`L x orderWidth`) holds the original point index of each sorted entry for them.
    struct Projections {
        let directions: Int
        let width: Int
        let orderWidth: Int
        let keys: UnsafeMutablePointer<Float>
        let order: UnsafeMutablePointer<Int32>
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
            hasOrder[i] ? order + l * orderWidth + offsets[i] : order
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

    /// `run` after the directions are drawn (`theta`: `L x d`, row-major).
    static func run(
        _ batch: KernelBatch, theta: UnsafePointer<Float>, dimension d: Int, slicing: Slicing, cost: SliceCost,
        profile: (Double) -> KernelProfile, recycling: inout [Matrix?],
        using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        let L = slicing.projections
        var levels: [Float] = []
        var percentileCount = 0, levelCount = 0
        if case let .referencePercentiles(p, u) = slicing.estimator {
            percentileCount = p; levelCount = u
            try checkScratch(L, u, what: "percentile levels")
            for (index, measure) in batch.measures.enumerated() where !measure.isUniform {
                throw KernelError.unsupported("the reference percentile estimator ignores weights; measure \(index) is weighted (use .exact)")
            }
            levels = (0..<(L * u)).map { _ in Float(generator.nextUnitDouble()) }
        }

        // Which measures take part, which need gradients, and their places side by side.
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
        let gradientWidth = gradientMeasures.reduce(0) { $0 + counts[$1] }
        let orderWidth = gradientWidth + weightedOnly.reduce(0) { $0 + counts[$1] }
        var hasOrder = [Bool](repeating: false, count: measureCount)
        for i in gradientMeasures + weightedOnly { hasOrder[i] = true }
        try checkScratch(L, width + orderWidth + gradientWidth, what: "projections")
        // The large temporaries come from the scratch pool (no fresh pages per step).
        return try ScratchPool.withBuffer(Float.self, count: L * width) { keys in
            try ScratchPool.withBuffer(Int32.self, count: L * orderWidth) { order in
                let projections = Projections(directions: L, width: width, orderWidth: orderWidth, keys: keys, order: order,
                                              offsets: offsets, counts: counts, hasOrder: hasOrder, weights: batch.measures.map(\.weights))
                return try evaluate(batch, projections: projections, stacked: stacked, gradientMeasures: gradientMeasures,
                                    gradientWidth: gradientWidth, theta: theta, dimension: d, levels: levels, percentileCount: percentileCount,
                                    levelCount: levelCount, cost: cost, profile: profile, recycling: &recycling)
            }
        }
    }

    /// Projection, sorting and both passes, on buffers set up by `run`.
    static func evaluate(
        _ batch: KernelBatch, projections: Projections, stacked: [Int], gradientMeasures: [Int], gradientWidth: Int,
        theta: UnsafePointer<Float>, dimension d: Int, levels: [Float], percentileCount: Int, levelCount: Int, cost: SliceCost,
        profile: (Double) -> KernelProfile, recycling: inout [Matrix?]
    ) throws -> KernelBatchResult {
        let L = projections.directions, width = projections.width
        let measureCount = batch.measures.count
        let counts = projections.counts, offsets = projections.offsets, hasOrder = projections.hasOrder
        let chunks = (L + directionChunk - 1) / directionChunk
        let workers = Parallel.threads

        // Block summaries for pairs whose sizes divide one another (squared cost).
        let uniform = batch.measures.map(\.isUniform)
        func reducible(_ a: Int, _ b: Int) -> BlockKey? {
            guard cost == .squared, percentileCount == 0, a != b, uniform[a], uniform[b] else { return nil }
            let na = counts[a], nb = counts[b]
            if na > nb && na % nb == 0 { return BlockKey(measure: a, blocks: nb) }
            if nb > na && nb % na == 0 { return BlockKey(measure: b, blocks: na) }
            return nil
        }
        var summaryOffsets = [BlockKey: Int]()
        var summaryKeys = [BlockKey]()
        var summaryWidth = 0
        for p in batch.pairs {
            guard let key = reducible(p.first, p.second), summaryOffsets[key] == nil else { continue }
            summaryOffsets[key] = summaryWidth
            summaryKeys.append(key)
            summaryWidth += L * (key.blocks + 1)
        }
        let keyOffsets = summaryKeys.map { summaryOffsets[$0]! }
        // Per pair: the smaller measure, the block count and the summary offset when the
        // pair is reducible.
        let pairReductions: [(small: Int, blocks: Int, offset: Int)?] = batch.pairs.map { p in
            reducible(p.first, p.second).map { key in (key.measure == p.first ? p.second : p.first, key.blocks, summaryOffsets[key]!) }
        }
        return ScratchPool.withBuffer(Float.self, count: summaryWidth) { summaryStorage in
            let pairCount = batch.pairs.count
            var values = [Double](repeating: 0, count: pairCount)
            var factors = [Double](repeating: 0, count: pairCount)
            ScratchPool.withBuffer(Double.self, count: pairCount * L) { out in
                // Project every used measure in one product.
                if width > 0 {
                    withRowTable(stacked.map { batch.measures[$0].points }) { table in
                        gemm(m: L, n: width, k: d, .matrix(theta, leadingDimension: d, .none), .rows(table, .transposed),
                             into: .matrix(projections.keys, leadingDimension: width))
                    }
                }
                // Then, direction by direction (while its rows are in cache): sort each
                // measure's row, the block summaries, and pass 1, the discrepancy of every
                // pair (summed over directions afterwards, in a fixed order).
                let workspaces = (0..<workers).map { _ in ArgSort.Workspace() }
                // Pairs of uniform measures of one size, grouped by their first measure: one
                // fused pass per measure and direction (`equalSizeCosts`).
                var equalGroups = [(measure: Int, pairs: [(index: Int, partner: Int)])]()
                var groupOf = [Int: Int]()
                var fusedPair = [Bool](repeating: false, count: batch.pairs.count)
                if percentileCount == 0 {
                    for (index, p) in batch.pairs.enumerated()
                    where p.first != p.second && pairReductions[index] == nil && uniform[p.first] && uniform[p.second]
                        && counts[p.first] == counts[p.second] {
                        if groupOf[p.first] == nil { groupOf[p.first] = equalGroups.count; equalGroups.append((p.first, [])) }
                        equalGroups[groupOf[p.first]!].pairs.append((index, p.second))
                        fusedPair[index] = true
                    }
                }
                // Pairs matched through one block summary (the larger measure's block means),
                // grouped by that summary: the smaller measures are its partners in one fused
                // pass (the cost is symmetric: s - t = -(t - s) exactly, so the bits are those
                // of the pair taken alone).
                var summaryGroups = [(offset: Int, blocks: Int, pairs: [(index: Int, small: Int)])]()
                var summaryGroupOf = [Int: Int]()
                for (index, p) in batch.pairs.enumerated() where p.first != p.second {
                    guard let (small, blocks, offset) = pairReductions[index] else { continue }
                    if summaryGroupOf[offset] == nil { summaryGroupOf[offset] = summaryGroups.count; summaryGroups.append((offset, blocks, [])) }
                    summaryGroups[summaryGroupOf[offset]!].pairs.append((index, small))
                    fusedPair[index] = true
                }
                let largestGroup = max(equalGroups.map(\.pairs.count).max() ?? 0, summaryGroups.map(\.pairs.count).max() ?? 0)
                let groupPartners = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: max(1, largestGroup * workers))
                defer { groupPartners.deallocate() }
                let groupCosts = UnsafeMutablePointer<Float>.allocate(capacity: max(1, largestGroup * workers))
                defer { groupCosts.deallocate() }
                levels.withUnsafeBufferPointer { u in
                    Parallel.forEach(chunks: chunks, workers: workers) { chunk, worker in
                        var workspace = workspaces[worker]
                        for l in (chunk * directionChunk)..<min(L, (chunk + 1) * directionChunk) {
                            for i in stacked {
                                if hasOrder[i] {
                                    ArgSort.sort(projections.values(i, l), order: projections.permutation(i, l), count: counts[i],
                                                 workspace: &workspace)
                                } else {
                                    ArgSort.sortKeys(projections.values(i, l), count: counts[i], workspace: &workspace)
                                }
                            }
                            for (key, offset) in zip(summaryKeys, keyOffsets) {
                                OneDimensionalOT.blockSummaries(projections.values(key.measure, l), counts[key.measure], blocks: key.blocks,
                                                                into: summaryStorage + offset + l * (key.blocks + 1))
                            }
                            for (measure, pairs) in equalGroups {
                                let partners = groupPartners + worker * largestGroup, costs = groupCosts + worker * largestGroup
                                for (q, pair) in pairs.enumerated() { partners[q] = UnsafePointer(projections.values(pair.partner, l)) }
                                OneDimensionalOT.equalSizeCosts(projections.values(measure, l), counts[measure], partners: partners,
                                                                count: pairs.count, cost: cost, into: costs)
                                let n = Double(counts[measure])
                                for (q, pair) in pairs.enumerated() { out[pair.index * L + l] = Double(costs[q]) / n }
                            }
                            for (offset, blocks, pairs) in summaryGroups {
                                let partners = groupPartners + worker * largestGroup, costs = groupCosts + worker * largestGroup
                                for (q, pair) in pairs.enumerated() { partners[q] = UnsafePointer(projections.values(pair.small, l)) }
                                let summary = summaryStorage + offset + l * (blocks + 1)
                                OneDimensionalOT.equalSizeCosts(summary, blocks, partners: partners, count: pairs.count, cost: .squared,
                                                                into: costs)
                                for (q, pair) in pairs.enumerated() {
                                    out[pair.index * L + l] = Double(costs[q]) / Double(blocks) + Double(summary[blocks])
                                }
                            }
                            for (index, p) in batch.pairs.enumerated() where p.first != p.second && !fusedPair[index] {
                                out[index * L + l] = sliceTransport(projections, p.first, p.second, direction: l, cost: cost,
                                    percentiles: percentileCount, levels: u.baseAddress, levelCount: levelCount, gradient: nil, scale: 0)
                            }
                        }
                    }
                }
                for (index, p) in batch.pairs.enumerated() {
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
            }

            // Pass 2: gradients accumulated in projected space (`N_g x L`, in the map-back
            // product's panel layout), then one product.
            var gradients = [Matrix?](repeating: nil, count: measureCount)
            if gradientWidth > 0 {
                // (other measure, coefficient) for every pair touching each gradient measure.
                // The third entry is the offset of the partner's block summary when `i` is the
                // smaller side of a reducible pair (-1 otherwise).
                var terms = [[(Int, Float, Int)]](repeating: [], count: measureCount)
                for i in gradientMeasures {
                    for (pi, p) in batch.pairs.enumerated() where p.first != p.second {
                        let summary = pairReductions[pi].flatMap { $0.small == i ? $0.offset : nil } ?? -1
                        if p.first == i && p.firstGradientWeight != 0 {
                            terms[i].append((p.second, Float(p.firstGradientWeight * factors[pi] / Double(L)), summary))
                        }
                        if p.second == i && p.secondGradientWeight != 0 {
                            terms[i].append((p.first, Float(p.secondGradientWeight * factors[pi] / Double(L)), summary))
                        }
                    }
                    terms[i].removeAll { $0.1 == 0 }
                }
                // Uniform measures with the exact estimator: every pair's gradient is summed at
                // sorted positions (contiguous, vectorised), then mapped to the points once per
                // direction. Otherwise each pair scatters through the sort order.
                let sortedAccumulation = (0..<measureCount).map { i in
                    percentileCount == 0 && batch.measures[i].isUniform && terms[i].allSatisfy { batch.measures[$0.0].isUniform }
                }
                // Squared cost: the smaller partners whose size `m` divides `n` (not already
                // block summaries), grouped by `m`, are combined before the pass over `s`.
                var blockGroups = [[(blocks: Int, partners: [(Int, Float)])]](repeating: [], count: measureCount)
                var generalTerms = [[(Int, Float)]](repeating: [], count: measureCount)
                for i in gradientMeasures {
                    let n = counts[i]
                    var groups = [Int: [(Int, Float)]]()
                    var sizes = [Int]()
                    for (other, coefficient, summary) in terms[i] where summary < 0 && counts[other] != n {
                        let m = counts[other]
                        if cost == .squared && sortedAccumulation[i] && m < n && n % m == 0 {
                            if groups[m] == nil { sizes.append(m) }
                            groups[m, default: []].append((other, coefficient))
                        } else {
                            generalTerms[i].append((other, coefficient))
                        }
                    }
                    blockGroups[i] = sizes.map { (blocks: $0, partners: groups[$0]!) }
                }
                let largest = gradientMeasures.map { counts[$0] }.max() ?? 0
                let largestTermCount = max(1, gradientMeasures.map { terms[$0].count }.max() ?? 0)
                let partnerRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: largestTermCount * workers)
                defer { partnerRows.deallocate() }
                let partnerWeights = UnsafeMutablePointer<Float>.allocate(capacity: largestTermCount * workers)
                defer { partnerWeights.deallocate() }
                // The projected gradients (`N_g x L`) are written straight into the map-back
                // product's panel layout (no packing pass over them): point `j` of direction
                // `l` at `start(l) + place[j]`, `place` depending only on the depth block's
                // size (one table per size: the blocks are equal but for the last).
                let paddedWidth = PackedPanels.paddedRows(gradientWidth)
                let blockDepth = PackedPanels.blockDepth(L), lastDepth = L - (L - 1) / blockDepth * blockDepth
                let packedCount = PackedPanels.count(rows: gradientWidth, depth: L)
                let storages = ScratchPool.withBuffer(Float.self, count: packedCount + 3 * largest * workers) { projected in
                    let accumulators = projected + packedCount, blockSums = accumulators + largest * workers
                    let rows = blockSums + largest * workers
                    levels.withUnsafeBufferPointer { u in
                    ScratchPool.withBuffer(Int.self, count: 2 * paddedWidth) { placeTables in
                    for (table, kc) in [(placeTables, blockDepth), (placeTables + paddedWidth, lastDepth)] {
                        for j in 0..<paddedWidth { table[j] = (j / 6 * kc) * 6 + j % 6 }
                    }
                    let fullPlaces = UnsafePointer(placeTables), lastPlaces = UnsafePointer(placeTables + paddedWidth)
                        Parallel.forEach(chunks: chunks, workers: workers) { chunk, worker in
                            let acc = accumulators + worker * largest
                            for l in (chunk * directionChunk)..<min(L, (chunk + 1) * directionChunk) {
                                let p0 = l / blockDepth * blockDepth
                                let start = projected + p0 * paddedWidth + (l - p0) * 6
                                let place = p0 + blockDepth <= L ? fullPlaces : lastPlaces
                                for j in gradientWidth..<paddedWidth { start[place[j]] = 0 }
                                for i in gradientMeasures {
                                    let n = counts[i], measurePlace = place + offsets[i]
                                    if sortedAccumulation[i] {
                                        // Equal-size partners (and block means) in one fused pass that
                                        // keeps the accumulator in registers; the others one by one.
                                        let partners = partnerRows + worker * largestTermCount
                                        let weights = partnerWeights + worker * largestTermCount
                                        var equalCount = 0
                                        for (other, coefficient, summary) in terms[i] where summary >= 0 || counts[other] == n {
                                            partners[equalCount] = summary >= 0 ? UnsafePointer(summaryStorage + summary + l * (n + 1))
                                                                                : UnsafePointer(projections.values(other, l))
                                            weights[equalCount] = coefficient
                                            equalCount += 1
                                        }
                                        projections.withSample(i, l) { me in
                                            OneDimensionalOT.sumEqualSizeGradients(me.values, n, partners: partners, coefficients: weights,
                                                                                   count: equalCount, cost: cost, into: acc)
                                            for (blocks, group) in blockGroups[i] {
                                                for (p, (other, coefficient)) in group.enumerated() {
                                                    partners[p] = UnsafePointer(projections.values(other, l))
                                                    weights[p] = coefficient
                                                }
                                                OneDimensionalOT.sumSquaredBlockGradients(me.values, n, partners: partners, coefficients: weights,
                                                                                          count: group.count, blocks: blocks,
                                                                                          sums: blockSums + worker * largest, into: acc)
                                            }
                                            for (other, coefficient) in generalTerms[i] {
                                                projections.withSample(other, l) { them in
                                                    OneDimensionalOT.accumulateSortedGradient(me, them, cost: cost, into: acc, scale: coefficient)
                                                }
                                            }
                                            for k in 0..<n { start[measurePlace[Int(me.order[k])]] = acc[k] }
                                        }
                                    } else {
                                        let row = rows + worker * largest
                                        row.update(repeating: 0, count: n)
                                        for (other, coefficient, _) in terms[i] {
                                            _ = sliceTransport(projections, i, other, direction: l, cost: cost,
                                                               percentiles: percentileCount, levels: u.baseAddress, levelCount: levelCount,
                                                               gradient: row, scale: coefficient)
                                        }
                                        for j in 0..<n { start[measurePlace[j]] = row[j] }
                                    }
                                }
                            }
                        }
                    }
                    }
                    // Recycled matrices of the right shape are taken (left nil) and written in place.
                    var reused = gradientMeasures.map { i -> Matrix? in
                        guard i < recycling.count, let m = recycling[i], m.rows == counts[i], m.columns == d else { return nil }
                        recycling[i] = nil
                        return m
                    }
                    return makeStorages(rowCounts: gradientMeasures.map { counts[$0] }, columns: d, reusing: &reused) { table in
                        gemm(m: gradientWidth, n: d, k: L, .packedPanels(projected, rows: gradientWidth),
                             .matrix(theta, leadingDimension: d, .none), into: .rows(table))
                    }
                }
                for (i, storage) in zip(gradientMeasures, storages) { gradients[i] = storage }
            }
            // Measures asked for but absent from every non-self pair get a zero gradient.
            for index in batch.measures.indices where gradients[index] == nil && batch.needsGradient(index) {
                gradients[index] = Matrix(rows: batch.measures[index].count, columns: d)
            }
            return KernelBatchResult(values: values, gradients: gradients)
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

    /// The 1-D transport cost between measures `a` and `b` along direction `l`, adding
    /// `scale` times the Wasserstein gradient at each point of `a` to `gradient`
    /// (indexed by the point's original index) when given.
    @inline(__always)
    static func sliceTransport(
        _ projections: Projections, _ a: Int, _ b: Int, direction l: Int, cost: SliceCost,
        percentiles: Int, levels: UnsafePointer<Float>?, levelCount: Int,
        gradient: UnsafeMutablePointer<Float>?, scale: Float
    ) -> Double {
        if percentiles > 0 {
            let so = projections.permutation(a, l)
            let emit: ((Int, Float) -> Void)? = gradient.map { g in { k, value in g[Int(so[k])] += scale * value } }
            return PercentileEstimator.transport(projections.values(a, l), count: projections.counts[a],
                                                 projections.values(b, l), count: projections.counts[b],
                                                 levels: levels! + l * levelCount, levelCount: levelCount,
                                                 percentiles: percentiles, cost: cost, gradient: emit)
        }
        return projections.withSample(a, l) { s in
            projections.withSample(b, l) { t in
                OneDimensionalOT.transport(s, t, cost: cost, gradient: gradient, scale: scale)
            }
        }
    }
}
