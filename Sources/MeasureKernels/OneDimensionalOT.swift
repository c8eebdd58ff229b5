import _WoWKernels

/// The ground cost of the one-dimensional problems inside a sliced distance.
public enum SliceCost: Sendable, Hashable {
    /// `c(s, t) = (s - t)^2`: the slices' `W_2^2`, averaged into `SW_2^2`.
    case squared
    /// `c(s, t) = |s - t|`: the slices' `W_1`, averaged into `SW_1`.
    case absolute

    @inline(__always)
    func cost(_ delta: Float) -> Float {
        switch self {
        case .squared: return delta * delta
        case .absolute: return abs(delta)
        }
    }

    /// `d c(s, t) / d s` at `s - t = delta` (0 at `delta = 0` for `.absolute`).
    @inline(__always)
    func derivative(_ delta: Float) -> Float {
        switch self {
        case .squared: return 2 * delta
        case .absolute: return delta > 0 ? 1 : (delta < 0 ? -1 : 0)
        }
    }
}

/// Statically dispatched slice costs, so the matching loops specialise and vectorise.
protocol SliceCostFunction {
    /// 1 for `.absolute`, 0 for `.squared` (the flag the C passes take).
    static var absoluteFlag: Int32 { get }
    static func cost(_ delta: Float) -> Float
    static func derivative(_ delta: Float) -> Float
    static func cost(_ delta: SIMD8<Float>) -> SIMD8<Float>
    static func derivative(_ delta: SIMD8<Float>) -> SIMD8<Float>
}

enum SquaredSliceCost: SliceCostFunction {
    static var absoluteFlag: Int32 { 0 }
    @inline(__always) static func cost(_ delta: Float) -> Float { delta * delta }
    @inline(__always) static func derivative(_ delta: Float) -> Float { 2 * delta }
    @inline(__always) static func cost(_ delta: SIMD8<Float>) -> SIMD8<Float> { delta * delta }
    @inline(__always) static func derivative(_ delta: SIMD8<Float>) -> SIMD8<Float> { 2 * delta }
}

enum AbsoluteSliceCost: SliceCostFunction {
    static var absoluteFlag: Int32 { 1 }
    @inline(__always) static func cost(_ delta: Float) -> Float { abs(delta) }
    @inline(__always) static func derivative(_ delta: Float) -> Float { delta > 0 ? 1 : (delta < 0 ? -1 : 0) }
    @inline(__always) static func cost(_ delta: SIMD8<Float>) -> SIMD8<Float> { delta.replacing(with: -delta, where: delta .< 0) }
    @inline(__always) static func derivative(_ delta: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(repeating: 0).replacing(with: 1, where: delta .> 0).replacing(with: -1, where: delta .< 0)
    }
}

/// One sorted sample on the line: values in increasing order, the original index of each
/// sorted value, and optional per-point weights (indexed by original index).
///
/// Borrowed pointers, valid only while their owner keeps them alive: `package` access,
/// for this package's modules (the sliced kernels, the exact kernels' `d = 1` path).
/// Outside the package, `OneDimensionalOT.distance` takes arrays.
package struct SortedSample {
    package var values: UnsafePointer<Float>
    package var order: UnsafePointer<Int32>
    package var count: Int
    /// `nil` for uniform weights `1/count`.
    package var weights: UnsafePointer<Float>?

    package init(values: UnsafePointer<Float>, order: UnsafePointer<Int32>, count: Int, weights: UnsafePointer<Float>?) {
        self.values = values
        self.order = order
        self.count = count
        self.weights = weights
    }
}

/// Exact optimal transport between two sorted weighted samples on the real line.
///
/// On the line the monotone (north-west corner) coupling of sorted samples is optimal for
/// every convex cost, so `W_c` is a single merge of the cumulative weights: a direct
/// pairing for equal uniform sizes, an exact integer walk for unequal uniform sizes, a
/// walk on cumulative weights (in `Double`) otherwise.
///
/// The gradient is the Wasserstein gradient at each point of the first sample,
/// `g_i = (1 / a_i) sum_j pi_ij dc(s_i, t_j)/ds` (for the squared cost `2 (s_i - T(s_i))`,
/// `T` the barycentric projection of the plan); `transport` adds `scale * g_i` to
/// `gradient[original index of s_i]`. Public: `distance` (arrays); the pointer-based
/// entry points are for this package's modules.
///
/// - Complexity: O(n + m).
public enum OneDimensionalOT {
    /// `W_c(s, t) = sum_ij pi_ij c(s_i, t_j)` for the optimal plan, and optionally the
    /// scaled Wasserstein gradient at the points of `s` scattered into `gradient`
    /// (`s.count` floats, indexed by original index). `package`: it reads and writes
    /// through borrowed pointers.
    package static func transport(_ s: SortedSample, _ t: SortedSample, cost: SliceCost,
                                 gradient: UnsafeMutablePointer<Float>? = nil, scale: Float = 1) -> Double {
        switch cost {
        case .squared: return walk(s, t, SquaredSliceCost.self, gradient, scale)
        case .absolute: return walk(s, t, AbsoluteSliceCost.self, gradient, scale)
        }
    }

    @inline(__always)
    static func walk<C: SliceCostFunction>(_ s: SortedSample, _ t: SortedSample, _: C.Type,
                                           _ gradient: UnsafeMutablePointer<Float>?, _ scale: Float) -> Double {
        let n = s.count, m = t.count
        let sv = s.values, tv = t.values
        if s.weights == nil && t.weights == nil {
            if n == m {
                if let gradient {
                    let order = s.order
                    var total: Float = 0
                    for i in 0..<n {
                        let delta = sv[i] - tv[i]
                        total += C.cost(delta)
                        gradient[Int(order[i])] += scale * C.derivative(delta)
                    }
                    return Double(total) / Double(n)
                }
                return Double(equalSizeCost(sv, tv, n, C.self)) / Double(n)
            }
            if gradient == nil && (n % m == 0 || m % n == 0) {
                return Double(blockMatch(sv, n, tv, m, C.self, gradient: nil, scale: 0))
            }
            // Uniform, unequal sizes: the exact integer walk.
            let order = s.order
            let total = integerWalk(sv, n, tv, m, C.self, scale: scale, needsGradient: gradient != nil) { i, g in
                gradient![Int(order[i])] += g
            }
            return Double(total) / Double(n * m)
        }
        // General weights: merge cumulative weights in Double. The last point of `t`
        // absorbs whatever mass rounding leaves, so every point of `s` is matched.
        let uniformS = 1 / Float(n), uniformT = 1 / Float(m)
        @inline(__always) func sw(_ k: Int) -> Double { Double(s.weights.map { $0[Int(s.order[k])] } ?? uniformS) }
        @inline(__always) func tw(_ k: Int) -> Double { Double(t.weights.map { $0[Int(t.order[k])] } ?? uniformT) }
        var i = 0, j = 0
        var sEnd = sw(0), tEnd = tw(0), position = 0.0
        var total = 0.0
        var sGradient = 0.0
        while i < n {
            let next = j < m - 1 ? min(sEnd, tEnd) : sEnd
            let mass = next - position
            if mass > 0 {
                let delta = sv[i] - tv[j]
                total += mass * Double(C.cost(delta))
                sGradient += mass * Double(C.derivative(delta))
                position = next
            }
            if sEnd <= next {
                if let gradient { gradient[Int(s.order[i])] += scale * Float(sGradient / sw(i)) }
                sGradient = 0
                i += 1
                if i < n { sEnd += sw(i) }
            } else {
                j += 1
                tEnd += tw(j)
            }
        }
        return total
    }

    /// `sum_i c(s_i - t_i)` over paired sorted samples (`wow_equal_size_costs`: eight
    /// lanes added in a fixed order, then the tail; the same bits as inside
    /// `equalSizeCosts`, so pair-by-pair and fused passes agree).
    @inline(__always)
    static func equalSizeCost<C: SliceCostFunction>(_ sv: UnsafePointer<Float>, _ tv: UnsafePointer<Float>, _ n: Int, _: C.Type) -> Float {
        var total: Float = 0
        var partner: UnsafePointer<Float>? = tv
        withUnsafePointer(to: &partner) { wow_equal_size_costs(sv, Int32(n), $0, 1, C.absoluteFlag, &total) }
        return total
    }

    /// `costs[p] = sum_k c(s_k - partners[p][k])` for `count` sorted partners of the same
    /// size `n` as `s`, four partners per pass over `s` (`wow_equal_size_costs`, AVX2 +
    /// FMA when the CPU has them). Each sum is accumulated as `equalSizeCost` does, so
    /// the bits are the same as pair by pair.
    ///
    /// - Complexity: O(n * count).
    static func equalSizeCosts(
        _ s: UnsafePointer<Float>, _ n: Int, partners: UnsafePointer<UnsafePointer<Float>>, count: Int,
        cost: SliceCost, into costs: UnsafeMutablePointer<Float>
    ) {
        partners.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: count) {
            wow_equal_size_costs(s, Int32(n), $0, Int32(count), cost == .absolute ? 1 : 0, costs)
        }
    }

    /// Adds `scale` times the Wasserstein gradient at each point of `s` to
    /// `sortedGradient[k]`, `k` the point's position in sorted order (no scatter through
    /// `s.order`; the caller maps sorted positions back once for many pairs).
    ///
    /// - Precondition: both samples have uniform weights.
    /// - Complexity: O(n + m).
    static func accumulateSortedGradient(_ s: SortedSample, _ t: SortedSample, cost: SliceCost,
                                         into sortedGradient: UnsafeMutablePointer<Float>, scale: Float) {
        switch cost {
        case .squared: accumulate(s, t, SquaredSliceCost.self, sortedGradient, scale)
        case .absolute: accumulate(s, t, AbsoluteSliceCost.self, sortedGradient, scale)
        }
    }

    @inline(__always)
    static func accumulate<C: SliceCostFunction>(_ s: SortedSample, _ t: SortedSample, _: C.Type,
                                                 _ gradient: UnsafeMutablePointer<Float>, _ scale: Float) {
        let n = s.count, m = t.count
        let sv = s.values, tv = t.values
        precondition(s.weights == nil && t.weights == nil, "sorted-position gradients need uniform weights")
        if n == m {
            // One term of the fused equal-size sums, rounded the same way.
            wow_add_equal_size_gradient(sv, Int32(n), tv, scale, C.absoluteFlag, gradient)
            return
        }
        // Uniform, unequal sizes: blocks when one size divides the other, otherwise the
        // exact integer walk, written at sorted positions.
        if n % m == 0 || m % n == 0 {
            _ = blockMatch(sv, n, tv, m, C.self, gradient: gradient, scale: scale, computeCost: false)
            return
        }
        _ = integerWalk(sv, n, tv, m, C.self, scale: scale, needsGradient: true) { i, g in gradient[i] += g }
    }

    /// Sets `sortedGradient[k] = sum_p coefficients[p] * c'(s_k - partners[p][k])` for
    /// `count` sorted partners of the same size `n` as `s` (the equal-size monotone plan
    /// pairs sorted positions), in one pass that keeps each 8-lane block of the sum in
    /// registers across the partners. Terms are added in partner order.
    ///
    /// - Complexity: O(n * count).
    static func sumEqualSizeGradients(
        _ s: UnsafePointer<Float>, _ n: Int, partners: UnsafePointer<UnsafePointer<Float>>,
        coefficients: UnsafePointer<Float>, count: Int, cost: SliceCost, into sortedGradient: UnsafeMutablePointer<Float>
    ) {
        switch cost {
        case .squared: sumEqualSize(s, n, partners, coefficients, count, SquaredSliceCost.self, sortedGradient)
        case .absolute: sumEqualSize(s, n, partners, coefficients, count, AbsoluteSliceCost.self, sortedGradient)
        }
    }

    @inline(__always)
    static func sumEqualSize<C: SliceCostFunction>(
        _ s: UnsafePointer<Float>, _ n: Int, _ partners: UnsafePointer<UnsafePointer<Float>>,
        _ coefficients: UnsafePointer<Float>, _ count: Int, _: C.Type, _ out: UnsafeMutablePointer<Float>
    ) {
        partners.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: max(count, 1)) {
            wow_sum_equal_size_gradients(s, Int32(n), $0, coefficients, Int32(count), C.absoluteFlag, out)
        }
    }

    /// Adds `sum_p coefficients[p] * 2 (s_k - t^p_{k / r})` to `sortedGradient[k]` for
    /// `count` sorted partners of one size `m` with `n = r m` (the squared cost's block
    /// plan sends `s_{jr} ... s_{jr+r-1}` to `t_j`). The partners are combined first,
    /// `U_j = sum_p c_p t^p_j` and `C = sum_p c_p` (`O(count m)`), so the pass over `s`
    /// is a single `2 (C s_k - U_j)` (`O(n)`), instead of `O(count n)` pair by pair.
    /// The rounding error is of the order of `eps sum_p |c_p| (|s_k| + |t^p_j|)`, the
    /// precision the projections themselves carry.
    ///
    /// - Parameters:
    ///   - sums: `m` floats of scratch.
    /// - Precondition: `m > 0`, `n % m == 0`.
    /// - Complexity: O(n + count m).
    static func sumSquaredBlockGradients(
        _ s: UnsafePointer<Float>, _ n: Int, partners: UnsafePointer<UnsafePointer<Float>>,
        coefficients: UnsafePointer<Float>, count: Int, blocks m: Int,
        sums: UnsafeMutablePointer<Float>, into sortedGradient: UnsafeMutablePointer<Float>
    ) {
        precondition(m > 0 && n % m == 0, "block gradients need sizes that divide one another")
        sums.update(repeating: 0, count: m)
        var total: Float = 0
        for p in 0..<count {
            let c = coefficients[p], t = partners[p]
            for j in 0..<m { sums[j] += c * t[j] }
            total += c
        }
        let r = n / m
        let rs = UnsafeRawPointer(s), rg = UnsafeMutableRawPointer(sortedGradient)
        let totalLanes = SIMD8<Float>(repeating: total)
        for j in 0..<m {
            let u = sums[j], uLanes = SIMD8<Float>(repeating: u), base = j * r
            var i = 0
            while i + 8 <= r {
                let offset = 4 * (base + i)
                let current = rg.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                let sLanes = rs.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                rg.storeBytes(of: current + 2 * (totalLanes * sLanes - uLanes), toByteOffset: offset, as: SIMD8<Float>.self)
                i += 8
            }
            while i < r {
                sortedGradient[base + i] += 2 * (total * s[base + i] - u)
                i += 1
            }
        }
    }

    /// Block summaries of a sorted sample of size `m = r * blocks`: writes the mean
    /// `mu_b` of each block of `r` consecutive values to `out[b]`, then
    /// `(1/m) sum_b sum_{j in b} (t_j - mu_b)^2` to `out[blocks]` (two passes per block,
    /// eight lanes).
    ///
    /// - Precondition: `blocks > 0`, `m % blocks == 0`.
    /// - Complexity: O(m).
    static func blockSummaries(_ t: UnsafePointer<Float>, _ m: Int, blocks: Int, into out: UnsafeMutablePointer<Float>) {
        let r = m / blocks, raw = UnsafeRawPointer(t)
        var deviations = SIMD8<Float>(repeating: 0)
        var deviationTail: Float = 0
        for b in 0..<blocks {
            let base = b * r
            var lanes = SIMD8<Float>(repeating: 0)
            var j = 0
            while j + 8 <= r { lanes += raw.loadUnaligned(fromByteOffset: 4 * (base + j), as: SIMD8<Float>.self); j += 8 }
            var sum = lanes.sum()
            while j < r { sum += t[base + j]; j += 1 }
            let mean = sum / Float(r), meanLanes = SIMD8<Float>(repeating: mean)
            j = 0
            while j + 8 <= r {
                let delta = raw.loadUnaligned(fromByteOffset: 4 * (base + j), as: SIMD8<Float>.self) - meanLanes
                deviations += delta * delta
                j += 8
            }
            while j < r { let delta = t[base + j] - mean; deviationTail += delta * delta; j += 1 }
            out[b] = mean
        }
        out[blocks] = (deviations.sum() + deviationTail) / Float(m)
    }

    /// The monotone coupling of uniform sorted samples whose sizes divide one another,
    /// in vectorisable blocks: when `n = r m`, the points `s_{jr} ... s_{jr+r-1}` all go
    /// to `t_j`; when `m = r n`, `s_i` is spread evenly over `t_{ir} ... t_{ir+r-1}`.
    /// Returns the mean cost `sum pi_ij c(s_i - t_j)` and, when `gradient` is given, adds
    /// `scale * g_i` at sorted position `i` (`g_i = c'(s_i - t_j)` in the first case,
    /// `(1/r) sum_j c'(s_i - t_j)` over the block in the second). Same plan as
    /// `integerWalk`, without its data-dependent branches.
    ///
    /// - Precondition: `n % m == 0 || m % n == 0`.
    @inline(__always)
    static func blockMatch<C: SliceCostFunction>(
        _ sv: UnsafePointer<Float>, _ n: Int, _ tv: UnsafePointer<Float>, _ m: Int, _: C.Type,
        gradient: UnsafeMutablePointer<Float>?, scale: Float, computeCost: Bool = true
    ) -> Float {
        let rs = UnsafeRawPointer(sv), rt = UnsafeRawPointer(tv)
        var lanes = SIMD8<Float>(repeating: 0)
        var tail: Float = 0
        if n >= m {
            let r = n / m
            let scaleLanes = SIMD8<Float>(repeating: scale)
            for j in 0..<m {
                let tj = tv[j], tLanes = SIMD8<Float>(repeating: tj), base = j * r
                var i = 0
                while i + 8 <= r {
                    let delta = rs.loadUnaligned(fromByteOffset: 4 * (base + i), as: SIMD8<Float>.self) - tLanes
                    if computeCost { lanes += C.cost(delta) }
                    if let gradient {
                        let rg = UnsafeMutableRawPointer(gradient)
                        let current = rg.loadUnaligned(fromByteOffset: 4 * (base + i), as: SIMD8<Float>.self)
                        rg.storeBytes(of: current + scaleLanes * C.derivative(delta), toByteOffset: 4 * (base + i), as: SIMD8<Float>.self)
                    }
                    i += 8
                }
                while i < r {
                    let delta = sv[base + i] - tj
                    if computeCost { tail += C.cost(delta) }
                    if let gradient { gradient[base + i] += scale * C.derivative(delta) }
                    i += 1
                }
            }
            return (lanes.sum() + tail) / Float(n)
        }
        let r = m / n
        let perPoint = scale / Float(r)
        for i in 0..<n {
            let si = sv[i], sLanes = SIMD8<Float>(repeating: si), base = i * r
            var derivativeLanes = SIMD8<Float>(repeating: 0)
            var derivativeTail: Float = 0
            var j = 0
            while j + 8 <= r {
                let delta = sLanes - rt.loadUnaligned(fromByteOffset: 4 * (base + j), as: SIMD8<Float>.self)
                if computeCost { lanes += C.cost(delta) }
                derivativeLanes += C.derivative(delta)
                j += 8
            }
            while j < r {
                let delta = si - tv[base + j]
                if computeCost { tail += C.cost(delta) }
                derivativeTail += C.derivative(delta)
                j += 1
            }
            if let gradient { gradient[i] += perPoint * (derivativeLanes.sum() + derivativeTail) }
        }
        return (lanes.sum() + tail) / Float(m)
    }

    /// The monotone coupling of `n` and `m` uniform sorted points as a walk on integer
    /// cumulative masses (`s_i` carries `m` units, `t_j` carries `n`; total `n m`), so it
    /// is exact. Returns `sum pi_ij c(s_i - t_j)` in units (divide by `n m`) and, when
    /// `needsGradient`, calls `emit(i, scale * g_i)` once per point of `s` in sorted order.
    @inline(__always)
    static func integerWalk<C: SliceCostFunction>(
        _ sv: UnsafePointer<Float>, _ n: Int, _ tv: UnsafePointer<Float>, _ m: Int, _: C.Type,
        scale: Float, needsGradient: Bool, emit: (Int, Float) -> Void
    ) -> Float {
        var i = 0, j = 0
        var sEnd = m, tEnd = n, position = 0
        var total: Float = 0
        var sGradient: Float = 0
        let perUnit = scale / Float(m)
        while i < n && j < m {
            let next = min(sEnd, tEnd)
            let mass = Float(next - position)
            position = next
            let delta = sv[i] - tv[j]
            total += mass * C.cost(delta)
            sGradient += mass * C.derivative(delta)
            if sEnd == next {
                if needsGradient { emit(i, perUnit * sGradient) }
                sGradient = 0
                i += 1; sEnd += m
            }
            if tEnd == next { j += 1; tEnd += n }
        }
        return total
    }

    /// Exact `W_c` between two unsorted uniform samples (sorts copies): a convenience for
    /// tests and one-off use.
    public static func distance(_ s: [Float], _ t: [Float], cost: SliceCost = .squared) -> Double {
        let a = s.sorted(), b = t.sorted()
        let oa = (0..<a.count).map(Int32.init), ob = (0..<b.count).map(Int32.init)
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                oa.withUnsafeBufferPointer { oap in
                    ob.withUnsafeBufferPointer { obp in
                        transport(SortedSample(values: ap.baseAddress!, order: oap.baseAddress!, count: a.count, weights: nil),
                                  SortedSample(values: bp.baseAddress!, order: obp.baseAddress!, count: b.count, weights: nil),
                                  cost: cost)
                    }
                }
            }
        }
    }
}
