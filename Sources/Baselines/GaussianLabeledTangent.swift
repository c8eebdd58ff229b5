import FlowGeometry
import Integrators
import WoWCompute

/// A tangent vector of `GaussianLabeledSamples`: a feature displacement `dx_i`, a mean
/// displacement `dm_i` and a symmetric covariance direction `V_i` per sample. Also the
/// type of gradients of objectives on those states (then `V_i` is the Euclidean gradient
/// `G_i = dF / dSigma_i`, a symmetric matrix).
///
/// Shapes: `features` `N x d`, `means` `N k`, `covariances` `N k^2` (row-major blocks).
/// Componentwise arithmetic (`ElementwiseTangent`) for adaptive steppers such as
/// `AdamWStep`.
public struct GaussianLabeledTangent: ElementwiseTangent, Equatable, Sendable {
    /// `N x d`.
    public var features: Matrix
    /// `N k`, row-major.
    public var means: [Double]
    /// `N k^2`, symmetric `k x k` blocks.
    public var covariances: [Double]

    /// A tangent from its parts (shapes are checked when it is used at a state).
    public init(features: Matrix, means: [Double], covariances: [Double]) {
        self.features = features
        self.means = means
        self.covariances = covariances
    }

    /// The zero tangent at `state`.
    public init(zerosLike state: GaussianLabeledSamples) {
        features = Matrix(rows: state.count, columns: state.featureDimension)
        means = [Double](repeating: 0, count: state.means.count)
        covariances = [Double](repeating: 0, count: state.covariances.count)
    }

    /// `self *= factor` (every part).
    public mutating func scale(by factor: Float) {
        features.scale(by: factor)
        let f = Double(factor)
        for e in means.indices { means[e] *= f }
        for e in covariances.indices { covariances[e] *= f }
    }

    /// - Precondition: same shapes.
    public mutating func add(_ other: GaussianLabeledTangent, scaledBy factor: Float) {
        precondition(means.count == other.means.count && covariances.count == other.covariances.count, "tangent shape mismatch")
        features.add(other.features, scaledBy: factor)
        let f = Double(factor)
        for e in means.indices { means[e] += f * other.means[e] }
        for e in covariances.indices { covariances[e] += f * other.covariances[e] }
    }

    /// `true` when every component is finite.
    public var isFinite: Bool {
        features.isFinite && means.allSatisfy(\.isFinite) && covariances.allSatisfy(\.isFinite)
    }

    /// `|dx|^2 + |dm|^2 + |V|_F^2`.
    public var squaredNorm: Double {
        features.squaredNorm + means.reduce(0) { $0 + $1 * $1 } + covariances.reduce(0) { $0 + $1 * $1 }
    }

    /// `transform` applied to every feature, mean and covariance entry.
    public func mapComponents(_ transform: (Double) -> Double) -> GaussianLabeledTangent {
        var result = self
        result.features.withUnsafeMutableBufferPointer { p in
            for e in 0..<p.count { p[e] = Float(transform(Double(p[e]))) }
        }
        result.means = means.map(transform)
        result.covariances = covariances.map(transform)
        return result
    }

    /// `transform(self_k, other_k)` for every feature, mean and covariance entry.
    ///
    /// - Precondition: same shapes.
    public func combineComponents(with other: GaussianLabeledTangent, _ transform: (Double, Double) -> Double) -> GaussianLabeledTangent {
        precondition(features.rows == other.features.rows && features.columns == other.features.columns
                     && means.count == other.means.count && covariances.count == other.covariances.count, "tangent shape mismatch")
        var result = self
        other.features.withUnsafeBufferPointer { q in
            result.features.withUnsafeMutableBufferPointer { p in
                for e in 0..<p.count { p[e] = Float(transform(Double(p[e]), Double(q[e]))) }
            }
        }
        result.means = zip(means, other.means).map(transform)
        result.covariances = zip(covariances, other.covariances).map(transform)
        return result
    }
}
