import LabeledData
import OptimalTransport
import WoWCompute

/// The label embedding of the OTDD and product-space baselines (Alvarez-Melis & Fusi
/// 2021; Hua et al. 2023; as in the reference code of Bonet, Vauthier & Korba 2025): all
/// points of the source and target datasets are projected onto their top `k` principal
/// components (`k = 2` in the paper), each class is summarised by the Gaussian fit
/// `N(m_c, Sigma_c)` of its projected points, and every sample carries its class's
/// `(m_c, Sigma_c)` next to its features.
///
/// Covariances are the weighted maximum-likelihood ones (`GaussianSummary(fitting:)`).
/// A covariance whose smallest eigenvalue is below
/// `ridge = relativeRidge * (sum of the k principal variances) / k` (a class of one
/// point, or of collinear points) gets `ridge * I` added, so that every embedding is
/// positive definite (the reference code substitutes the identity for one-sample
/// classes).
///
/// - Complexity: the PCA (`O(N d^2 + d^3)` for `N` pooled points), then `O(N d k)` to
///   project and `O(N k^2)` for the fits.
public struct GaussianLabelEmbedding: Sendable {
    /// The principal axes fitted on both datasets' points.
    public let principalComponents: PrincipalComponents
    /// The absolute ridge added to singular class covariances.
    public let ridge: Double

    /// `k`.
    public var dimension: Int { principalComponents.components.rows }

    /// Fits the PCA on every point of `source` and `target` (uniform weights over points).
    ///
    /// - Throws: `BaselineError.dimensionMismatch` for datasets of different dimensions,
    ///   `.invalidParameter` for `components` outside `1...d` or a non-positive
    ///   `relativeRidge`.
    public init(fitting source: LabeledDataset, _ target: LabeledDataset, components: Int = 2, relativeRidge: Double = 1e-3) throws {
        let d = source.dimension
        guard target.dimension == d else {
            throw BaselineError.dimensionMismatch(expected: d, found: target.dimension, context: "target feature dimension")
        }
        guard (1...d).contains(components) else {
            throw BaselineError.invalidParameter("the label embedding needs 1...\(d) PCA components, got \(components)")
        }
        guard relativeRidge > 0, relativeRidge.isFinite else {
            throw BaselineError.invalidParameter("the relative ridge must be positive and finite, got \(relativeRidge)")
        }
        var pooled = [Float]()
        pooled.reserveCapacity((source.pointCount + target.pointCount) * d)
        for measure in source.classes + target.classes { pooled.append(contentsOf: measure.points.storage) }
        let pca = try PrincipalComponents(fitting: Matrix(rows: pooled.count / d, columns: d, storage: pooled), components: components)
        principalComponents = pca
        let average = pca.variances.reduce(0, +) / Double(components)
        ridge = relativeRidge * (average > 0 ? average : 1)
    }

    /// The Gaussian fit of every class of `dataset` in the embedding.
    ///
    /// - Throws: `BaselineError.dimensionMismatch` for another feature dimension.
    public func classGaussians(of dataset: LabeledDataset) throws -> [GaussianSummary] {
        guard dataset.dimension == principalComponents.components.columns else {
            throw BaselineError.dimensionMismatch(expected: principalComponents.components.columns, found: dataset.dimension,
                                                  context: "feature dimension of the embedded dataset")
        }
        return try dataset.classes.map { measure in
            try GaussianSummary(fitting: EmpiricalMeasure(points: principalComponents.project(measure.points), weights: measure.weights),
                                ridge: ridge)
        }
    }

    /// `dataset` as product-space samples: sample `i` of class `c` is
    /// `(x_ci, m_c, Sigma_c)` with weight `a_c b_ci`, and label `c`.
    ///
    /// - Throws: `BaselineError.dimensionMismatch` for another feature dimension.
    public func samples(_ dataset: LabeledDataset) throws -> GaussianLabeledSamples {
        let gaussians = try classGaussians(of: dataset)
        let d = dataset.dimension
        var features = [Float](), means = [Double](), covariances = [Double](), labels = [Int](), weights = [Double]()
        features.reserveCapacity(dataset.pointCount * d)
        for (c, measure) in dataset.classes.enumerated() {
            features.append(contentsOf: measure.points.storage)
            let total = (0..<measure.count).reduce(0.0) { $0 + Double(measure.weight($1)) }
            for i in 0..<measure.count {
                means.append(contentsOf: gaussians[c].mean)
                covariances.append(contentsOf: gaussians[c].covariance.storage)
                labels.append(c)
                weights.append(dataset.classWeights[c] * Double(measure.weight(i)) / total)
            }
        }
        let sum = weights.reduce(0, +)
        return try GaussianLabeledSamples(features: Matrix(rows: labels.count, columns: d, storage: features), means: means,
                                          covariances: covariances, labelDimension: dimension, labels: labels,
                                          weights: weights.map { $0 / sum })
    }
}
