import LabeledData
import OptimalTransport
import WoWCompute

/// Labels flowed product-space samples (OTDD and product-space flows; Hua et al. 2023,
/// as in the reference code of Bonet, Vauthier & Korba 2025) by optimal transport
/// between the target classes' Gaussian embeddings and the samples' Gaussians:
///
///     M_kj = BW((m_k, Sigma_k), (m_j, Sigma_j))          (K x N, the distance, not squared)
///     Gamma = argmin <Gamma, M>,  Gamma 1 = class weights,  Gamma^T 1 = sample weights
///     label(j) = argmax_k Gamma_kj
///
/// solved exactly (network simplex). The reference uses the unsquared distance as the
/// cost (`bures_wasserstein_batch`), and so does this type.
///
/// - Complexity: `O(K N k^3)` for the costs (`k` the embedding dimension), then one
///   `K x N` network simplex.
public struct GaussianLabelAssignment: Sendable {
    /// The target class (index into the class Gaussians) of each sample.
    public let labels: [Int]
    /// `K x N`: Bures-Wasserstein distances from each class Gaussian to each sample's.
    public let costs: CostMatrix
    /// The optimal coupling of class weights and sample weights.
    public let plan: TransportPlan

    /// - Parameters:
    ///   - samples: the flowed samples.
    ///   - classGaussians: the target classes' Gaussians in the same label embedding.
    ///   - classWeights: their weights (summing to one), or `nil` for uniform.
    /// - Throws: `BaselineError.empty` without classes, `.dimensionMismatch` for another
    ///   embedding dimension; `OptimalTransportError` for bad weights.
    public init(samples: GaussianLabeledSamples, classGaussians: [GaussianSummary], classWeights: [Double]? = nil) throws {
        guard !classGaussians.isEmpty else { throw BaselineError.empty("the list of target class Gaussians") }
        let k = samples.labelDimension, n = samples.count
        for g in classGaussians where g.dimension != k {
            throw BaselineError.dimensionMismatch(expected: k, found: g.dimension, context: "dimension of a target class Gaussian")
        }
        let K = classGaussians.count
        let pairs = try BuresPairs(sourceMeans: classGaussians.flatMap(\.mean),
                                   sourceCovariances: classGaussians.flatMap(\.covariance.storage),
                                   targetMeans: samples.means, targetCovariances: samples.covariances, k: k)
        var values = [Double](repeating: 0, count: K * n)
        for c in 0..<K { for j in 0..<n { values[c * n + j] = try pairs.squaredDistance(c, j).squareRoot() } }
        costs = try CostMatrix(rows: K, columns: n, values: values)
        let problem = try TransportProblem(cost: costs, sourceWeights: classWeights, targetWeights: samples.weights)
        plan = try ExactSolver().solve(problem).plan
        var best = [(mass: Double, label: Int)](repeating: (-1, 0), count: n)
        for e in plan.nonzeroEntries where e.mass > best[e.target].mass { best[e.target] = (e.mass, e.source) }
        labels = best.map(\.label)
    }

    /// The flowed samples as a labeled dataset: class `c` holds the (optionally clipped)
    /// features of the samples labelled `c`, in sample order, with uniform point weights
    /// and class weights proportional to the class sizes; classes that received no
    /// sample are left out.
    ///
    /// - Parameters:
    ///   - names: one name per class Gaussian (e.g. the target's labels).
    ///   - clipping: e.g. `0...1` for images (the reference clips pixels), or `nil`.
    /// - Throws: `BaselineError.dimensionMismatch` for a wrong number of names.
    public func dataset(from samples: GaussianLabeledSamples, names: [String], clippingTo clipping: ClosedRange<Float>? = 0...1) throws -> LabeledDataset {
        guard names.count == costs.rows else {
            throw BaselineError.dimensionMismatch(expected: costs.rows, found: names.count, context: "class names")
        }
        guard samples.count == labels.count else {
            throw BaselineError.dimensionMismatch(expected: labels.count, found: samples.count, context: "samples to label")
        }
        let features = clipping.map { samples.clippedFeatures(to: $0) } ?? samples.features
        let d = features.columns
        var classes = [EmpiricalMeasure](), kept = [String](), sizes = [Double]()
        for c in 0..<costs.rows {
            let members = labels.indices.filter { labels[$0] == c }
            guard !members.isEmpty else { continue }
            var storage = [Float]()
            storage.reserveCapacity(members.count * d)
            for i in members { storage.append(contentsOf: features.row(i)) }
            classes.append(try EmpiricalMeasure(points: Matrix(rows: members.count, columns: d, storage: storage)))
            kept.append(names[c])
            sizes.append(Double(members.count))
        }
        return try LabeledDataset(classes: classes, classWeights: sizes.map { $0 / Double(labels.count) }, labels: kept)
    }
}
