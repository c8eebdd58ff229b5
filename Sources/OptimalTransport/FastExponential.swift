/// `exp(x)` without a library call, so that loops over whole rows
/// vectorise (SSE2 lanes: multiplies, adds and 64-bit integer shifts only).
///
/// Cody-Waite reduction `x = n ln 2 + r`, `|r| <= ln 2 / 2` (`n` rounded with the
/// `1.5 * 2^52` shifter, `ln 2` split in a 32-bit head and a tail so `n ln2_hi` is exact),
/// then the degree-12 Taylor polynomial of `exp(r)` by Estrin's scheme (truncation below `1.7e-16`
/// relative) and the exponent bits of `2^n` built directly. Relative error about
/// `4e-16` over the range; arguments above 709 return infinity, arguments below `-708` return 0 (the true value is
/// below `3.3e-308`, negligible wherever it is used: Gibbs kernels and log-sum-exp terms
/// that are added to numbers at least 1).
@inline(__always)
func fastExp(_ x: Double) -> Double {
    let shifter = 6755399441055744.0            // 1.5 * 2^52
    let clamped = x < -708 ? -708 : (x > 709 ? 709 : x)
    let t = clamped * 1.4426950408889634 + shifter
    let n = t - shifter
    let r = (clamped - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10
    // Estrin's scheme (short dependency chains) for sum_{k <= 12} r^k / k!.
    let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
    let q0 = 1 + r
    let q1 = 0.5 + r * 1.66666666666666666667e-01                              // 1/2!, 1/3!
    let q2 = 4.16666666666666666667e-02 + r * 8.33333333333333333333e-03       // 1/4!, 1/5!
    let q3 = 1.38888888888888888889e-03 + r * 1.98412698412698412698e-04       // 1/6!, 1/7!
    let q4 = 2.48015873015873015873e-05 + r * 2.75573192239858906526e-06       // 1/8!, 1/9!
    let q5 = 2.75573192239858906526e-07 + r * 2.50521083854417187751e-08       // 1/10!, 1/11!
    let q6 = 2.08767569878680989792e-09                                        // 1/12!
    let s0 = q0 + r2 * q1, s1 = q2 + r2 * q3, s2 = q4 + r2 * q5
    let p = (s0 + r4 * s1) + r8 * (s2 + r4 * q6)
    let bits = (t.bitPattern &- shifter.bitPattern &+ 1023) << 52
    return x < -708 ? 0 : (x > 709 ? .infinity : p * Double(bitPattern: bits))
}
