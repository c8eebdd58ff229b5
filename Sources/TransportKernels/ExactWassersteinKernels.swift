import MeasureKernels
import OptimalTransport

/// Gaussian kernel on the exact Wasserstein distance, `K(mu, nu) = exp(-W_2^2(mu, nu) / (2h))`
/// (the sliced kernels' convention, `GaussianSW`).
///
/// `phi(S) = exp(-S / (2h))`, `phi'(S) = -phi(S) / (2h)`. Not positive definite in
/// general (`W_2` is not Hilbertian for `d >= 2`), but symmetric and smooth wherever `W_2^2`
/// is.
public struct GaussianW2: ExactWassersteinKernel, Sendable {
    /// Bandwidth `h > 0`.
    public let bandwidth: Double
    public let solver: ExactSolver

    /// - Throws: `KernelError.invalidParameter` unless `bandwidth > 0` and finite.
    public init(bandwidth: Double, solver: ExactSolver = ExactSolver()) throws {
        try KernelProfiles.checkPositive(bandwidth)
        self.bandwidth = bandwidth
        self.solver = solver
    }

    public func profile(_ s: Double) -> KernelProfile { KernelProfiles.gaussian(s, bandwidth: bandwidth) }
}

/// Riesz kernel on the exact Wasserstein distance, `K(mu, nu) = -W_2^r(mu, nu)`,
/// `r` in `(0, 2]` (`r = 1`: `-W_2`, the exact counterpart of `RieszSW`).
///
/// `phi(S) = -S^(r/2)`, `phi'(S) = -(r/2) S^(r/2 - 1)`, which tends to `-infinity` as
/// `S -> 0` for `r < 2`; `profile(0)` is `(0, 0)` (`(0, -1)` for `r = 2`), and self-pairs
/// and coincident classes get a zero gradient.
public struct RieszW2: ExactWassersteinKernel, Sendable {
    /// Exponent `r` in `(0, 2]`.
    public let exponent: Double
    public let solver: ExactSolver

    /// - Throws: `KernelError.invalidParameter` unless `0 < exponent <= 2`.
    public init(exponent: Double = 1, solver: ExactSolver = ExactSolver()) throws {
        try KernelProfiles.checkRieszExponent(exponent, includingTwo: true)
        self.exponent = exponent
        self.solver = solver
    }

    public func profile(_ s: Double) -> KernelProfile { KernelProfiles.riesz(s, exponent: exponent) }
}
