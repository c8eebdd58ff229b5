import Foundation

/// One axis of a line plot: its visible range (in plotted units, i.e. log10 of
/// the data for a log axis) and the ticks with their labels.
struct AxisScale {
    var lo: Double
    var hi: Double
    var ticks: [(position: Double, label: String)]

    /// "Nice" linear ticks (steps of 1, 2 or 5 times a power of ten, about five
    /// of them); the range is widened outward to whole steps. A zero-width range
    /// is widened around its value first. `nil` when the range cannot be ticked in
    /// Double (its width overflows, or its step underflows). O(number of ticks).
    static func linear(min a: Double, max b: Double) -> AxisScale? {
        var lo = a, hi = b
        if hi - lo <= Swift.max(Swift.abs(lo), Swift.abs(hi)) * 1e-12 {
            let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let step = niceStep((hi - lo) / 5)
        guard step.isNormal, step.isFinite else { return nil }
        lo = (lo / step).rounded(.down) * step
        hi = (hi / step).rounded(.up) * step
        let steps = ((hi - lo) / step).rounded()
        guard lo.isFinite, hi.isFinite, steps.isFinite, steps >= 1, steps <= 100 else { return nil }
        let count = Int(steps)
        let decimals = Swift.max(0, -Int(Foundation.log10(step).rounded(.down)))
        let ticks = (0...count).map { k -> (Double, String) in
            let v = lo + Double(k) * step
            return (v, formatTick(v, decimals: decimals))
        }
        return AxisScale(lo: lo, hi: hi, ticks: ticks)
    }

    /// Decade ticks for a log10 axis over positive data in `a...b`; positions are
    /// exponents, labels read `10^k` values. At most about ten labels are drawn.
    static func log10(min a: Double, max b: Double) -> AxisScale {
        var lo = Foundation.log10(a).rounded(.down)
        var hi = Foundation.log10(b).rounded(.up)
        if hi <= lo { lo -= 1; hi += 1 }
        let every = Swift.max(1, Int(((hi - lo) / 10).rounded(.up)))
        var ticks: [(Double, String)] = []
        var k = Int(lo)
        while Double(k) <= hi {
            let label = (-3...4).contains(k)
                ? formatTick(pow(10, Double(k)), decimals: Swift.max(0, -k)) : "1e\(k)"
            ticks.append((Double(k), label))
            k += every
        }
        return AxisScale(lo: lo, hi: hi, ticks: ticks)
    }

    /// 1, 2, 5 or 10 times the power of ten at or below `raw`.
    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, Foundation.log10(raw).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// Fixed-point label for moderate magnitudes, exponent form otherwise; never "-0".
    static func formatTick(_ v: Double, decimals: Int) -> String {
        let a = Swift.abs(v)
        let s: String
        if a != 0 && (a >= 1e6 || decimals > 6) {
            s = String(format: "%.3g", v)
        } else {
            s = String(format: "%.\(decimals)f", v)
        }
        let zero = s.allSatisfy { "-0.".contains($0) }
        return zero ? "0" : s
    }
}
