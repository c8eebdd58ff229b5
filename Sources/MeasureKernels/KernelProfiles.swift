import Foundation

/// The kernel profiles `phi(S)` and `phi'(S)` of this package's kernels, and the checks
/// of their parameters: one definition each, shared by the sliced kernels (`GaussianSW`,
/// `RieszSW`, `LaplaceSW`, `IMQSW`) and the kernels on exact and Bures-Wasserstein
/// distances (`GaussianW2`, `RieszW2`, `GaussianBW`, `RieszBW`).
///
/// `S` is a nonnegative discrepancy (`SW_2^2`, `SW_1`, `W_2^2` or `BW^2`). Every profile
/// is finite at `S = 0`, never NaN: where `phi'` has a finite limit at `0+` it is that
/// limit; the Riesz profile with `r < 2`, whose derivative tends to `-infinity`, gives
/// `phi'(0) = 0` (coincident measures exert no pull on each other). The evaluators give
/// self-pairs a zero gradient without consulting `phi'`, the exact and Bures-Wasserstein
/// ones every pair at `S = 0` too.
///
/// - Complexity: O(1) each.
package enum KernelProfiles {
    /// Gaussian, `phi(S) = exp(-S / (2h))`, `phi'(S) = -phi(S) / (2h)`; at `S = 0`:
    /// `(1, -1 / (2h))`.
    @inline(__always)
    package static func gaussian(_ s: Double, bandwidth: Double) -> KernelProfile {
        let value = exp(-s / (2 * bandwidth))
        return KernelProfile(value: value, derivative: -value / (2 * bandwidth))
    }

    /// Laplace, `phi(D) = exp(-D / h)`, `phi'(D) = -phi(D) / h`; at `D = 0`: `(1, -1 / h)`.
    @inline(__always)
    package static func laplace(_ d: Double, bandwidth: Double) -> KernelProfile {
        let value = exp(-d / bandwidth)
        return KernelProfile(value: value, derivative: -value / bandwidth)
    }

    /// Inverse multiquadric, `phi(S) = (h + S)^(-1/2)`, `phi'(S) = -(1/2) (h + S)^(-3/2)`;
    /// at `S = 0`: `(h^(-1/2), -(1/2) h^(-3/2))`.
    @inline(__always)
    package static func inverseMultiquadric(_ s: Double, offset: Double) -> KernelProfile {
        let base = offset + s
        return KernelProfile(value: 1 / base.squareRoot(), derivative: -0.5 / (base * base.squareRoot()))
    }

    /// Riesz, `phi(S) = -S^(r/2)`, `phi'(S) = -(r/2) S^(r/2 - 1)`. For `S <= 0` (and NaN):
    /// value 0 and derivative `-1` when `r = 2` (its constant value), 0 when `r < 2` (the
    /// limit at `0+` is `-infinity`; see the type's note).
    @inline(__always)
    package static func riesz(_ s: Double, exponent: Double) -> KernelProfile {
        guard s > 0 else { return KernelProfile(value: 0, derivative: exponent == 2 ? -1 : 0) }
        let half = exponent / 2
        return KernelProfile(value: -pow(s, half), derivative: -half * pow(s, half - 1))
    }

    /// Checks a bandwidth, offset or ridge: `value > 0` and finite.
    ///
    /// - Throws: `KernelError.invalidParameter("<name> must be positive and finite, got <value>")`.
    package static func checkPositive(_ value: Double, name: String = "bandwidth") throws(KernelError) {
        guard value > 0, value.isFinite else {
            throw KernelError.invalidParameter("\(name) must be positive and finite, got \(value)")
        }
    }

    /// Checks a Riesz exponent: `0 < r < 2`, or `0 < r <= 2` when `includingTwo`. The
    /// sliced kernels exclude `r = 2` (`SW_2` embeds isometrically in an `L^2` space of
    /// quantile functions, so the MMD of `-SW_2^2` only compares mean embeddings); the
    /// kernels on exact and Bures-Wasserstein distances allow it.
    ///
    /// - Throws: `KernelError.invalidParameter` outside the interval (and for NaN).
    package static func checkRieszExponent(_ exponent: Double, includingTwo: Bool) throws(KernelError) {
        guard exponent > 0, includingTwo ? exponent <= 2 : exponent < 2 else {
            throw KernelError.invalidParameter("Riesz exponent must lie in (0, 2\(includingTwo ? "]" : ")"), got \(exponent)")
        }
    }
}
