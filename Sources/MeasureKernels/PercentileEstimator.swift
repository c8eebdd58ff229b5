/// The reference implementation's approximate 1-D estimator (see
/// `SliceEstimator.referencePercentiles`), with its exact derivative.
enum PercentileEstimator {
    /// Mean over `levels` of `c(Q_s(u) - Q_t(u))`, `Q` the piecewise-linear interpolation
    /// of `percentiles` evenly spaced linear percentiles of the sorted sample. Reports the
    /// Wasserstein gradient (`n` times the derivative) at each sorted position of `s`.
    static func transport(
        _ s: UnsafePointer<Float>, count n: Int, _ t: UnsafePointer<Float>, count m: Int,
        levels: UnsafePointer<Float>, levelCount: Int, percentiles: Int, cost: SliceCost,
        gradient: ((Int, Float) -> Void)?
    ) -> Double {
        // Quantile function at level u as up to four (index, coefficient) terms.
        @inline(__always)
        func terms(_ u: Float, _ count: Int) -> (Int, Float, Int, Float, Int, Float, Int, Float) {
            let scaled = u * Float(percentiles - 1)
            let segment = min(Int(scaled), percentiles - 2)
            let lambda = scaled - Float(segment)
            func percentile(_ k: Int) -> (Int, Float) {
                guard count > 1 else { return (0, 0) }
                let position = Float(k) * Float(count - 1) / Float(percentiles - 1)
                let low = min(Int(position), count - 2)
                return (low, position - Float(low))
            }
            let (l0, f0) = percentile(segment), (l1, f1) = percentile(segment + 1)
            return (l0, (1 - lambda) * (1 - f0), l0 + (count > 1 ? 1 : 0), (1 - lambda) * f0,
                    l1, lambda * (1 - f1), l1 + (count > 1 ? 1 : 0), lambda * f1)
        }
        var total: Float = 0
        let inverseLevels = 1 / Float(levelCount)
        for k in 0..<levelCount {
            let u = levels[k]
            let ts = terms(u, n), tt = terms(u, m)
            let qs = ts.1 * s[ts.0] + ts.3 * s[ts.2] + ts.5 * s[ts.4] + ts.7 * s[ts.6]
            let qt = tt.1 * t[tt.0] + tt.3 * t[tt.2] + tt.5 * t[tt.4] + tt.7 * t[tt.6]
            let delta = qs - qt
            total += cost.cost(delta)
            if let gradient {
                let g = cost.derivative(delta) * inverseLevels * Float(n)
                gradient(ts.0, g * ts.1); gradient(ts.2, g * ts.3)
                gradient(ts.4, g * ts.5); gradient(ts.6, g * ts.7)
            }
        }
        return Double(total * inverseLevels)
    }
}
