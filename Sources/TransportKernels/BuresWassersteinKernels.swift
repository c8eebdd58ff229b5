import MeasureKernels
import OptimalTransport

/// Gaussian kernel on the Bures-Wasserstein distance between class Gaussians,
/// `K(mu, nu) = exp(-BW^2(mu, nu) / (2h))`.
public struct GaussianBW: BuresWassersteinKernel, Sendable {
    /// Bandwidth `h > 0`.
    public let bandwidth: Double
    public let ridge: Double

    /// - Throws: `KernelError.invalidParameter` unless `bandwidth > 0` and `ridge > 0`,
    ///   both finite.
    public init(bandwidth: Double, ridge: Double = GaussianSummary.defaultRidge) throws {
        try KernelProfiles.checkPositive(bandwidth)
        try KernelProfiles.checkPositive(ridge, name: "ridge")
        self.bandwidth = bandwidth
        self.ridge = ridge
    }

    public func profile(_ s: Double) -> KernelProfile { KernelProfiles.gaussian(s, bandwidth: bandwidth) }
}

/// Riesz kernel on the Bures-Wasserstein distance between class Gaussians,
/// `K(mu, nu) = -BW^r(mu, nu)`, `r` in `(0, 2]`.
public struct RieszBW: BuresWassersteinKernel, Sendable {
    /// Exponent `r` in `(0, 2]`.
    public let exponent: Double
    public let ridge: Double

    /// - Throws: `KernelError.invalidParameter` unless `0 < exponent <= 2` and `ridge > 0`.
    public init(exponent: Double = 1, ridge: Double = GaussianSummary.defaultRidge) throws {
        try KernelProfiles.checkRieszExponent(exponent, includingTwo: true)
        try KernelProfiles.checkPositive(ridge, name: "ridge")
        self.exponent = exponent
        self.ridge = ridge
    }

    public func profile(_ s: Double) -> KernelProfile { KernelProfiles.riesz(s, exponent: exponent) }
}
