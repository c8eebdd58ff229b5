/// Small vectorised reductions with a fixed summation order (8-wide lanes, four
/// accumulators, lanes combined in a fixed tree), so results never depend on how the
/// surrounding work was split.
enum VectorOps {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// `sum_i x[i]`.
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= n {
            a0 += load(x + i); a1 += load(x + i + 8); a2 += load(x + i + 16); a3 += load(x + i + 24)
            i += 32
        }
        while i + 8 <= n { a0 += load(x + i); i += 8 }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { total += x[i]; i += 1 }
        return total
    }

    /// `sum_i (x[i] - c)^2`.
    static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ n: Int, from c: Float) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        let cv = SIMD8<Float>(repeating: c)
        var i = 0
        while i + 32 <= n {
            let d0 = load(x + i) - cv, d1 = load(x + i + 8) - cv, d2 = load(x + i + 16) - cv, d3 = load(x + i + 24) - cv
            a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3
            i += 32
        }
        while i + 8 <= n { let d = load(x + i) - cv; a0 += d * d; i += 8 }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { let d = x[i] - c; total += d * d; i += 1 }
        return total
    }

    /// `sum_i x[i] * y[i]`.
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= n {
            a0 += load(x + i) * load(y + i); a1 += load(x + i + 8) * load(y + i + 8)
            a2 += load(x + i + 16) * load(y + i + 16); a3 += load(x + i + 24) * load(y + i + 24)
            i += 32
        }
        while i + 8 <= n { a0 += load(x + i) * load(y + i); i += 8 }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { total += x[i] * y[i]; i += 1 }
        return total
    }

    /// `sum_i x[i] * (y[i] - c)`.
    static func dotCentered(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int, _ c: Float) -> Float {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        let cv = SIMD8<Float>(repeating: c)
        var i = 0
        while i + 32 <= n {
            a0 += load(x + i) * (load(y + i) - cv); a1 += load(x + i + 8) * (load(y + i + 8) - cv)
            a2 += load(x + i + 16) * (load(y + i + 16) - cv); a3 += load(x + i + 24) * (load(y + i + 24) - cv)
            i += 32
        }
        while i + 8 <= n { a0 += load(x + i) * (load(y + i) - cv); i += 8 }
        var total = ((a0 + a1) + (a2 + a3)).sum()
        while i < n { total += x[i] * (y[i] - c); i += 1 }
        return total
    }
}
