import OptimalTransport

/// Bures-Wasserstein costs between the Gaussian label embeddings of two sample sets,
///
///     BW^2((m, S), (m', S')) = |m - m'|^2 + tr S + tr S' - 2 tr (S^{1/2} S' S^{1/2})^{1/2},
///
/// and their gradients in the first Gaussian: `2 (m - m')` and `I - T`, with
/// `T = S^{-1/2} (S^{1/2} S' S^{1/2})^{1/2} S^{-1/2}` the optimal map (`T S T = S'`).
///
/// Closed forms for `k <= 2` (no matrix square roots): in one dimension
/// `BW^2 = (m - m')^2 + (sqrt s - sqrt s')^2`, `T = sqrt(s'/s)`; in two dimensions, with
/// `delta = sqrt(det S det S')` and `tau = tr (S^{1/2} S' S^{1/2})^{1/2} = sqrt(tr(S S') + 2 delta)`
/// (the square root of a 2 x 2 SPD matrix `M` is `(M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M))`),
///
///     BW^2 = |m - m'|^2 + tr S + tr S' - 2 tau,      T = (S' + delta S^{-1}) / tau.
///
/// Larger `k` go through `BuresWasserstein.evaluate` (eigendecompositions, `O(k^3)`).
/// As there, values below the rounding level of the cancellation are reported as 0.
struct BuresPairs {
    let k: Int
    let sourceMeans: [Double]
    let sourceCovariances: [Double]
    let targetMeans: [Double]
    let targetCovariances: [Double]
    /// `k > 2` only.
    let sourceFits: [GaussianSummary]
    let targetFits: [GaussianSummary]

    init(sourceMeans: [Double], sourceCovariances: [Double], targetMeans: [Double], targetCovariances: [Double], k: Int) throws {
        self.k = k
        self.sourceMeans = sourceMeans
        self.sourceCovariances = sourceCovariances
        self.targetMeans = targetMeans
        self.targetCovariances = targetCovariances
        if k > 2 {
            func fits(_ means: [Double], _ covariances: [Double]) throws -> [GaussianSummary] {
                try (0..<(means.count / k)).map { i in
                    try GaussianSummary(mean: Array(means[(i * k)..<((i + 1) * k)]),
                                        covariance: SymmetricMatrix(dimension: k, storage: Array(covariances[(i * k * k)..<((i + 1) * k * k)])),
                                        ridge: 1e-300)
                }
            }
            sourceFits = try fits(sourceMeans, sourceCovariances)
            targetFits = try fits(targetMeans, targetCovariances)
        } else {
            sourceFits = []
            targetFits = []
        }
    }

    /// `BW^2` between source sample `i` and target sample `j`.
    func squaredDistance(_ i: Int, _ j: Int) throws -> Double {
        if k > 2 { return try BuresWasserstein.squaredDistance(sourceFits[i], targetFits[j]) }
        var meanTerm = 0.0
        for r in 0..<k {
            let delta = sourceMeans[i * k + r] - targetMeans[j * k + r]
            meanTerm += delta * delta
        }
        let s = i * k * k, t = j * k * k
        let raw: Double, scale: Double
        if k == 1 {
            let a = sourceCovariances[s], p = targetCovariances[t]
            let root = a.squareRoot() - p.squareRoot()
            return meanTerm + root * root
        } else {
            let (a, b, d) = (sourceCovariances[s], sourceCovariances[s + 1], sourceCovariances[s + 3])
            let (p, q, r) = (targetCovariances[t], targetCovariances[t + 1], targetCovariances[t + 3])
            let delta = max((a * d - b * b) * (p * r - q * q), 0).squareRoot()
            let tau = max(a * p + 2 * b * q + d * r + 2 * delta, 0).squareRoot()
            scale = meanTerm + a + d + p + r
            raw = scale - 2 * tau
        }
        return raw > 128 * Double.ulpOfOne * scale ? raw : 0
    }

    /// Adds `weight * 2 (m_i - m'_j)` to `meanGradient` (`k` values) and
    /// `weight * (I - T_ij)` to `covarianceGradient` (`k^2` values).
    func accumulateGradient(_ i: Int, _ j: Int, weight: Double, meanGradient: UnsafeMutablePointer<Double>,
                            covarianceGradient: UnsafeMutablePointer<Double>) throws {
        for r in 0..<k { meanGradient[r] += weight * 2 * (sourceMeans[i * k + r] - targetMeans[j * k + r]) }
        let s = i * k * k, t = j * k * k
        switch k {
        case 1:
            covarianceGradient[0] += weight * (1 - (targetCovariances[t] / sourceCovariances[s]).squareRoot())
        case 2:
            let (a, b, d) = (sourceCovariances[s], sourceCovariances[s + 1], sourceCovariances[s + 3])
            let (p, q, r) = (targetCovariances[t], targetCovariances[t + 1], targetCovariances[t + 3])
            let det = a * d - b * b
            let delta = max(det * (p * r - q * q), 0).squareRoot()
            let tau = (a * p + 2 * b * q + d * r + 2 * delta).squareRoot()
            // T = (S' + delta S^{-1}) / tau, S^{-1} = [d -b; -b a] / det.
            let ratio = delta / det
            let t00 = (p + ratio * d) / tau, t01 = (q - ratio * b) / tau, t11 = (r + ratio * a) / tau
            covarianceGradient[0] += weight * (1 - t00)
            covarianceGradient[1] -= weight * t01
            covarianceGradient[2] -= weight * t01
            covarianceGradient[3] += weight * (1 - t11)
        default:
            let output = try BuresWasserstein.evaluate(sourceFits[i], targetFits[j])
            let g = output.covarianceGradient.storage
            for e in 0..<(k * k) { covarianceGradient[e] += weight * g[e] }
        }
    }
}
