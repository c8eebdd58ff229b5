import LabeledData
import WoWCompute

/// The Gaussian fit `N(m, S)` of one class: its mean and covariance, with the spectral
/// factors the Bures-Wasserstein geometry needs (`S^{1/2}`, `S^{-1/2}`) computed once.
///
/// The covariance of a fitted measure `mu = sum_i b_i delta_{x_i}` is the weighted
/// (maximum-likelihood) one, `S = sum_i b_i (x_i - m)(x_i - m)^T`, `m = sum_i b_i x_i`,
/// i.e. the covariance of `mu` itself (no `n / (n - 1)` correction), so that moving the
/// points moves `(m, S)` by the chain rule of `BuresWasserstein.pointGradient`.
///
/// **Ridge.** A covariance whose smallest eigenvalue is below `ridge` (singular: fewer
/// points than dimensions, duplicate points, a flat class) is replaced by `S + ridge I`
/// and `isRegularized` is set. The ridge is absolute (in squared feature units; default
/// `1e-8`): choose it on the scale of your data. Values and gradients are those of the
/// regularised Gaussian, consistently.
public struct GaussianSummary: Sendable {
    /// The mean `m` (length `d`).
    public let mean: [Double]
    /// The covariance `S` (with the ridge added when `isRegularized`).
    public let covariance: SymmetricMatrix
    /// The ridge added to the diagonal (0 when the covariance was used as given).
    public let addedRidge: Double
    /// `true` when `addedRidge > 0`.
    public var isRegularized: Bool { addedRidge > 0 }
    /// Eigendecomposition of `covariance`.
    public let spectrum: SymmetricEigendecomposition
    /// `S^{1/2}`.
    public let squareRoot: SymmetricMatrix
    /// `S^{-1/2}`.
    public let inverseSquareRoot: SymmetricMatrix

    /// Default ridge for singular covariances.
    public static let defaultRidge = 1e-8

    /// `d`.
    public var dimension: Int { mean.count }

    /// A Gaussian from its mean and covariance.
    ///
    /// - Parameter ridge: added to the diagonal when the smallest eigenvalue is below it
    ///   (must be positive).
    /// - Throws: `OptimalTransportError.dimensionMismatch` when the sizes differ,
    ///   `.nonFiniteInput` for NaN or infinite entries, `.notPositiveSemidefinite` when
    ///   an eigenvalue is negative beyond rounding (`< -1e-10 max(1, |lambda_max|)`),
    ///   `.invalidParameter` for a non-positive ridge.
    public init(mean: [Double], covariance: SymmetricMatrix, ridge: Double = GaussianSummary.defaultRidge) throws {
        guard ridge > 0, ridge.isFinite else {
            throw OptimalTransportError.invalidParameter("the covariance ridge must be positive and finite, got \(ridge)")
        }
        guard !mean.isEmpty else { throw OptimalTransportError.empty("Gaussian mean") }
        guard mean.count == covariance.dimension else {
            throw OptimalTransportError.dimensionMismatch(expected: mean.count, found: covariance.dimension, context: "covariance dimension")
        }
        guard mean.allSatisfy(\.isFinite) else { throw OptimalTransportError.nonFiniteInput("Gaussian mean") }
        var spectrum = try SymmetricEigendecomposition(covariance)
        let smallest = spectrum.eigenvalues.first!, largest = spectrum.eigenvalues.last!
        guard smallest >= -1e-10 * max(1, abs(largest)) else {
            throw OptimalTransportError.notPositiveSemidefinite(context: "covariance", smallestEigenvalue: smallest)
        }
        var covariance = covariance
        var added = 0.0
        if smallest < ridge {
            added = ridge
            covariance = try covariance.adding(.identity(covariance.dimension), scaledBy: ridge)
            // S + r I has the eigenvectors of S and the eigenvalues shifted by r.
            spectrum = spectrum.shifted(by: ridge)
        }
        self.mean = mean
        self.covariance = covariance
        self.addedRidge = added
        self.spectrum = spectrum
        self.squareRoot = spectrum.mapping { max($0, 0).squareRoot() }
        self.inverseSquareRoot = spectrum.mapping { 1 / max($0, .leastNormalMagnitude).squareRoot() }
    }

    /// The Gaussian fit of `measure`: weighted mean and (maximum-likelihood) covariance.
    ///
    /// - Complexity: O(n d^2 + d^3).
    public init(fitting measure: EmpiricalMeasure, ridge: Double = GaussianSummary.defaultRidge) throws {
        let (mean, covariance) = Self.moments(of: measure)
        try self.init(mean: mean, covariance: covariance, ridge: ridge)
    }

    /// `m = sum_i b_i x_i`, `S = sum_i b_i (x_i - m)(x_i - m)^T` in `Double`
    /// (upper triangle by rank-one updates, then mirrored).
    static func moments(of measure: EmpiricalMeasure) -> ([Double], SymmetricMatrix) {
        let n = measure.count, d = measure.dimension
        // Weights are normalised by EmpiricalMeasure to within 1e-4; rescale exactly.
        let weights = (0..<n).map { Double(measure.weight($0)) }
        let total = weights.reduce(0, +)
        var mean = [Double](repeating: 0, count: d)
        var s = [Double](repeating: 0, count: d * d)
        measure.points.withUnsafeBufferPointer { xb in
            mean.withUnsafeMutableBufferPointer { mb in
                s.withUnsafeMutableBufferPointer { sb in
                    let x = xb.baseAddress!, mean = mb.baseAddress!, s = sb.baseAddress!
                    for i in 0..<n {
                        let w = weights[i] / total, row = x + i * d
                        for k in 0..<d { mean[k] += w * Double(row[k]) }
                    }
                    let centred = UnsafeMutablePointer<Double>.allocate(capacity: d)
                    defer { centred.deallocate() }
                    for i in 0..<n {
                        let w = weights[i] / total, row = x + i * d
                        for k in 0..<d { centred[k] = Double(row[k]) - mean[k] }
                        for r in 0..<d {
                            let wr = w * centred[r], out = s + r * d
                            for c in r..<d { out[c] += wr * centred[c] }
                        }
                    }
                    for r in 0..<d { for c in 0..<r { s[r * d + c] = s[c * d + r] } }
                }
            }
        }
        return (mean, SymmetricMatrix(symmetrizing: s, dimension: d))
    }
}
