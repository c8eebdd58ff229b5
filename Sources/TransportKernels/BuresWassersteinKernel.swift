import LabeledData
import MeasureKernels
import OptimalTransport
import WoWCompute

/// A kernel `K(mu, nu) = phi(BW^2(mu, nu))` of the Bures-Wasserstein distance between the
/// Gaussian fits of two classes (the closed-form `W_2` that OTDD uses between labels;
/// Alvarez-Melis & Fusi 2020):
///
///     BW^2(mu, nu) = |m_mu - m_nu|^2 + tr(S_mu + S_nu - 2 (S_mu^{1/2} S_nu S_mu^{1/2})^{1/2})
///
/// with `m`, `S` the weighted mean and covariance of each class (`GaussianSummary`;
/// singular covariances get the documented ridge). Conform by giving `phi`; `evaluate`
/// is provided. The Wasserstein gradient at a particle `x_i` of `mu` goes through the
/// mean and the covariance to the points:
///
///     grad_W K(., nu)(mu)(x_i) = phi'(BW^2) * 2 (x_i - m_nu - T (x_i - m_mu)),
///
/// `T` the optimal linear map between the two Gaussians (`BuresWasserstein`). Each
/// measure is fitted once per batch (fits run in parallel); self-pairs, identical
/// measures and `BW = 0` get a zero gradient.
/// Deterministic: the generator is not used.
///
/// - Complexity: `O(n d^2 + d^3)` per measure, `O(d^3 + (n_mu + n_nu) d^2)` per pair.
public protocol BuresWassersteinKernel: MeasureKernel {
    /// Ridge for singular covariances (default `GaussianSummary.defaultRidge`).
    var ridge: Double { get }
    /// `phi(S)` and `phi'(S)` at `S = BW^2`.
    func profile(_ squaredDistance: Double) -> KernelProfile
}

extension BuresWassersteinKernel {
    public var ridge: Double { GaussianSummary.defaultRidge }

    /// `true`: the kernel is a function of `BW^2`, whose gradient vanishes at `BW = 0`.
    public var selfGradientVanishes: Bool { true }

    public func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        let d = try batch.validate()
        let pairs = batch.pairs, measures = batch.measures
        var used = [Bool](repeating: false, count: measures.count)
        for p in pairs where p.first != p.second && measures[p.first] != measures[p.second] {
            used[p.first] = true; used[p.second] = true
        }
        // Fit every measure that takes part in a pair once (in parallel, one task each).
        var fits = [Result<GaussianSummary, Error>?](repeating: nil, count: measures.count)
        let ridge = self.ridge
        fits.withUnsafeMutableBufferPointer { out in
            let out = out
            Parallel.forEach(chunks: measures.count) { index in
                guard used[index] else { return }
                out[index] = Result { try GaussianSummary(fitting: measures[index], ridge: ridge) }
            }
        }
        let summaries = try fits.map { try $0?.get() }
        var values = [Double]()
        values.reserveCapacity(pairs.count)
        var gradients = [Matrix?](repeating: nil, count: measures.count)
        for index in measures.indices where batch.needsGradient(index) {
            gradients[index] = Matrix(rows: measures[index].count, columns: d)
        }
        for p in pairs {
            // Self-pairs and identical measures: BW = 0 and a zero gradient.
            guard p.first != p.second, measures[p.first] != measures[p.second] else {
                values.append(profile(0).value)
                continue
            }
            let g1 = summaries[p.first]!, g2 = summaries[p.second]!
            let needsFirst = p.firstGradientWeight != 0, needsSecond = p.secondGradientWeight != 0
            guard needsFirst || needsSecond else {
                values.append(profile(try BuresWasserstein.squaredDistance(g1, g2)).value)
                continue
            }
            let forward = try BuresWasserstein.evaluate(g1, g2)
            let phi = profile(forward.squaredDistance)
            values.append(phi.value)
            guard forward.squaredDistance > 0, phi.derivative.isFinite, phi.derivative != 0 else { continue }
            if needsFirst {
                let g = try BuresWasserstein.pointGradient(of: measures[p.first], fit: g1, toward: g2, output: forward)
                gradients[p.first]!.add(g, scaledBy: Float(phi.derivative * p.firstGradientWeight))
            }
            if needsSecond {
                let backward = try BuresWasserstein.evaluate(g2, g1)
                let g = try BuresWasserstein.pointGradient(of: measures[p.second], fit: g2, toward: g1, output: backward)
                gradients[p.second]!.add(g, scaledBy: Float(phi.derivative * p.secondGradientWeight))
            }
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}
