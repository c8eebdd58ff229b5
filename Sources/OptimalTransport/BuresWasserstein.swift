import LabeledData
import WoWCompute

/// Optimal transport between Gaussians: the Bures-Wasserstein distance, its gradients,
/// the optimal linear map and the exponential map of the Bures-Wasserstein manifold.
///
///     W_2^2(N(m1, S1), N(m2, S2)) = |m1 - m2|^2 + tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2})
///
/// (Dowson & Landau 1982; Olkin & Pukelsheim 1982; Takatsu 2011; used by OTDD, Alvarez-Melis
/// & Fusi 2020, between the Gaussian fits of classes). The optimal map from the first to
/// the second Gaussian is `x -> m2 + T (x - m1)` with the symmetric positive definite
///
///     T = S1^{-1/2} (S1^{1/2} S2 S1^{1/2})^{1/2} S1^{-1/2},     T S1 T = S2,
///
/// and the gradients of `W_2^2` in the first Gaussian are `2 (m1 - m2)` (mean) and
/// `I - T` (covariance, as a symmetric matrix: `dW = tr((I - T) dS1)`).
public enum BuresWasserstein {
    /// `W_2^2` between two Gaussians and its gradients in the first one.
    public struct Output: Sendable {
        /// `W_2^2(N(m1, S1), N(m2, S2))`; exactly 0 when it is below the rounding level
        /// `64 d ulp (|m1 - m2|^2 + tr S1 + tr S2)` of the formula's cancellation.
        public let squaredDistance: Double
        /// `d W_2^2 / d m1 = 2 (m1 - m2)`.
        public let meanGradient: [Double]
        /// `d W_2^2 / d S1 = I - T`.
        public let covarianceGradient: SymmetricMatrix
        /// `T`, the linear part of the optimal map from the first Gaussian to the second.
        public let transportMap: SymmetricMatrix
        /// `true` when either covariance had the ridge added (see `GaussianSummary`).
        public let isRegularized: Bool
    }

    /// `W_2^2(N(m1, S1), N(m2, S2))`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` for different dimensions.
    /// - Complexity: O(d^3).
    public static func squaredDistance(_ first: GaussianSummary, _ second: GaussianSummary) throws -> Double {
        try check(first, second)
        let m = try second.covariance.congruence(by: first.squareRoot)
        let rootTrace = try SymmetricEigendecomposition(m).eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }
        return value(first, second, rootTrace: rootTrace)
    }

    /// `W_2^2`, its gradients in the first Gaussian and the optimal map `T`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` for different dimensions.
    /// - Complexity: O(d^3).
    public static func evaluate(_ first: GaussianSummary, _ second: GaussianSummary) throws -> Output {
        try check(first, second)
        let m = try second.covariance.congruence(by: first.squareRoot)
        let spectrum = try SymmetricEigendecomposition(m)
        let rootTrace = spectrum.eigenvalues.reduce(0) { $0 + max($1, 0).squareRoot() }
        let rootM = spectrum.mapping { max($0, 0).squareRoot() }
        let t = try rootM.congruence(by: first.inverseSquareRoot)
        let d = first.dimension
        return Output(squaredDistance: value(first, second, rootTrace: rootTrace),
                      meanGradient: (0..<d).map { 2 * (first.mean[$0] - second.mean[$0]) },
                      covarianceGradient: try SymmetricMatrix.identity(d).adding(t, scaledBy: -1),
                      transportMap: t,
                      isRegularized: first.isRegularized || second.isRegularized)
    }

    /// The Wasserstein gradient of `W_2^2(N(m(mu), S(mu)), N(m2, S2))` at the points of
    /// `measure`, whose Gaussian fit is `first` (`m`, `S` the weighted moments):
    ///
    ///     g_i = 2 (x_i - m2 - T (x_i - m1))
    ///
    /// i.e. twice the displacement to the image of `x_i` under the optimal Gaussian map.
    /// The particle derivative is `b_i g_i` (chain rule through
    /// `dW = 2 (m1 - m2) . dm1 + tr((I - T) dS1)`, `dS1 = sum_i b_i (dx_i (x_i - m1)^T + ...)`).
    ///
    /// - Parameters:
    ///   - measure: the measure `first` was fitted to (`n x d`).
    ///   - output: `evaluate(first, second)`.
    ///   - target: the second Gaussian.
    /// - Returns: `n x d`.
    public static func pointGradient(of measure: EmpiricalMeasure, fit first: GaussianSummary, toward second: GaussianSummary,
                                     output: Output) throws -> Matrix {
        try check(first, second)
        guard measure.dimension == first.dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: first.dimension, found: measure.dimension, context: "measure dimension for its Gaussian fit")
        }
        let n = measure.count, d = measure.dimension
        let t = output.transportMap.storage
        var gradient = Matrix(rows: n, columns: d)
        var centred = [Double](repeating: 0, count: d)
        measure.points.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    for k in 0..<d { centred[k] = Double(x[i * d + k]) - first.mean[k] }
                    for r in 0..<d {
                        var image = second.mean[r]
                        for c in 0..<d { image += t[r * d + c] * centred[c] }
                        g[i * d + r] = Float(2 * (Double(x[i * d + r]) - image))
                    }
                }
            }
        }
        return gradient
    }

    /// The exponential map of the Bures-Wasserstein manifold at `S` in the direction of
    /// the symmetric `V`:
    ///
    ///     exp_S(V) = (I + V) S (I + V)
    ///
    /// (Malago, Montrucchio & Pistone 2018). Symmetric by construction, and positive
    /// definite whenever `S` is and `I + V` is nonsingular (e.g. `|V| < 1`). A gradient
    /// step on a covariance with Euclidean gradient `G` is `exp_S(-2 tau G)`; with
    /// `G = I - T` and `tau = 1/2` it lands exactly on the target covariance `T S T`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` for different dimensions.
    public static func exponentialMap(at s: SymmetricMatrix, direction v: SymmetricMatrix) throws -> SymmetricMatrix {
        guard s.dimension == v.dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: s.dimension, found: v.dimension, context: "direction dimension")
        }
        return try s.congruence(by: SymmetricMatrix.identity(s.dimension).adding(v))
    }

    static func check(_ first: GaussianSummary, _ second: GaussianSummary) throws {
        guard first.dimension == second.dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: first.dimension, found: second.dimension, context: "Gaussian dimension")
        }
    }

    static func value(_ first: GaussianSummary, _ second: GaussianSummary, rootTrace: Double) -> Double {
        var meanTerm = 0.0
        for k in 0..<first.dimension {
            let delta = first.mean[k] - second.mean[k]
            meanTerm += delta * delta
        }
        let scale = meanTerm + first.covariance.trace + second.covariance.trace
        let raw = scale - 2 * rootTrace
        // Below the rounding level of the cancellation (equal Gaussians up to rounding)
        // the difference is noise: report exactly 0.
        return raw > roundingThreshold * Double(first.dimension) * scale ? raw : 0
    }

    /// Relative size (per dimension) under which `W_2^2` is rounding noise of
    /// `|m1 - m2|^2 + tr S1 + tr S2`.
    static let roundingThreshold = 64 * Double.ulpOfOne
}
