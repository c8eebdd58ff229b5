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

/// Exact optimal transport between two sorted weighted samples on the real line.
///
/// On the line the monotone (north-west corner) coupling of sorted samples is optimal for
/// every convex cost, so `W_c` is a single merge of the cumulative weights.
/// The gradient returned is the Wasserstein gradient at each point of the first sample:
/// `g_i = (1 / a_i) sum_j pi_ij dc(s_i, t_j)/ds`, which for the squared cost is
/// `2 (s_i - T(s_i))`, `T` the barycentric projection of the plan.
///
/// - Complexity: O(n + m).
public enum OneDimensionalOT {
    /// Weight of the sample at sorted position `k`: `nil` means uniform.
    public typealias Weights = (Int) -> Float

    /// `sum_ij pi_ij c(s_i, t_j)` for the optimal `pi`; adds `scale * g_i` to
    /// `gradient[position(i)]` when `gradient` is given.
    ///
    /// - Parameters:
    ///   - s, t: sorted samples of sizes `n`, `m`.
    ///   - sWeight, tWeight: weight at a sorted position, or `nil` for uniform (an exact
    ///     integer walk is then used).
    @inline(__always)
    public static func transport(
        _ s: UnsafePointer<Float>, count n: Int, weights sWeight: Weights?,
        _ t: UnsafePointer<Float>, count m: Int, weights tWeight: Weights?,
        cost: SliceCost,
        gradient: ((Int, Float) -> Void)? = nil
    ) -> Double {
        if sWeight == nil && tWeight == nil {
            if n == m {
                var total: Float = 0
                for i in 0..<n {
                    let delta = s[i] - t[i]
                    total += cost.cost(delta)
                    gradient?(i, cost.derivative(delta))
                }
                return Double(total) / Double(n)
            }
            // Uniform, unequal sizes: s_i carries m units, t_j carries n units of mass
            // (total n*m); the walk on integer cumulative masses is exact.
            var i = 0, j = 0
            var sEnd = m, tEnd = n, position = 0
            var total = 0.0
            let unit = 1.0 / Double(n * m)
            var sGradient: Float = 0
            while i < n && j < m {
                let next = min(sEnd, tEnd)
                let mass = next - position
                position = next
                if mass > 0 {
                    let delta = s[i] - t[j]
                    total += Double(mass) * Double(cost.cost(delta))
                    // g_i = (1/a_i) sum_j pi_ij c' = sum_j (mass / m) c'.
                    sGradient += Float(mass) * cost.derivative(delta)
                }
                if sEnd == next {
                    gradient?(i, sGradient / Float(m))
                    sGradient = 0
                    i += 1; sEnd += m
                }
                if tEnd == next { j += 1; tEnd += n }
            }
            return total * unit
        }
        // General weights: merge cumulative weights in Double. The last point of `t`
        // absorbs whatever mass rounding leaves, so every point of `s` is matched.
        let sw: Weights = sWeight ?? { _ in 1 / Float(n) }
        let tw: Weights = tWeight ?? { _ in 1 / Float(m) }
        var i = 0, j = 0
        var sEnd = Double(sw(0)), tEnd = Double(tw(0)), position = 0.0
        var total = 0.0
        var sGradient = 0.0
        while i < n {
            let next = j < m - 1 ? min(sEnd, tEnd) : sEnd
            let mass = next - position
            if mass > 0 {
                let delta = s[i] - t[j]
                total += mass * Double(cost.cost(delta))
                sGradient += mass * Double(cost.derivative(delta))
                position = next
            }
            if sEnd <= next {
                gradient?(i, Float(sGradient / Double(sw(i))))
                sGradient = 0
                i += 1
                if i < n { sEnd += Double(sw(i)) }
            } else {
                j += 1
                tEnd += Double(tw(j))
            }
        }
        return total
    }

    /// Exact `W_c` between two unsorted uniform samples (sorts copies): a convenience for
    /// tests and one-off use.
    public static func distance(_ s: [Float], _ t: [Float], cost: SliceCost = .squared) -> Double {
        let a = s.sorted(), b = t.sorted()
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                transport(ap.baseAddress!, count: a.count, weights: nil, bp.baseAddress!, count: b.count, weights: nil, cost: cost)
            }
        }
    }
}
