import LabeledData
import OptimalTransport

/// A source and a target labeled dataset embedded in the product space
/// `R^d x BW(R^k)` of the OTDD and product-space baselines (`GaussianLabelEmbedding`),
/// ready for the `Flow` driver, plus the labelling of the result.
///
/// ```swift
/// let problem = try ProductSpaceProblem(source: source, target: target)       // PCA to k = 2
/// let otdd = OTDDObjective(target: problem.target,
///                          outerSolver: .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(0.05), tolerance: 1e-6)))
/// var flow = Flow(functional: otdd, integrator: try AdamWStep<GaussianLabeledSamples>(learningRate: 1e-3),
///                 steps: 5000)
/// let result = try flow.run(from: problem.source, using: &rng)
/// let flowed = try problem.labeledDataset(result.state)                  // clipped to [0, 1], labelled
/// ```
///
/// For the product-space MMD flow use `ProductSpaceMMD(target: problem.target)` with
/// `ProductSpaceMomentum(learningRate: 1, momentum: 0.9)` (the reference settings).
public struct ProductSpaceProblem: Sendable {
    /// The PCA and ridge shared by both sides.
    public let embedding: GaussianLabelEmbedding
    /// The source samples, each with its class's Gaussian: the initial state.
    public let source: GaussianLabeledSamples
    /// The target samples, each with its class's Gaussian.
    public let target: GaussianLabeledSamples
    /// The Gaussian of every target class in the embedding.
    public let targetClasses: [GaussianSummary]
    /// Target class weights.
    public let targetClassWeights: [Double]
    /// Target class names.
    public let targetLabels: [String]

    /// Embeds both datasets (PCA fitted on all their points).
    ///
    /// - Throws: `BaselineError` for different feature dimensions or `components`
    ///   outside `1...d`.
    /// - Complexity: see `GaussianLabelEmbedding`.
    public init(source: LabeledDataset, target: LabeledDataset, components: Int = 2, relativeRidge: Double = 1e-3) throws {
        embedding = try GaussianLabelEmbedding(fitting: source, target, components: components, relativeRidge: relativeRidge)
        self.source = try embedding.samples(source)
        self.target = try embedding.samples(target)
        targetClasses = try embedding.classGaussians(of: target)
        targetClassWeights = target.classWeights
        targetLabels = target.labels
    }

    /// Labels `flowed` by optimal transport between the target class Gaussians and the
    /// samples' Gaussians (`GaussianLabelAssignment`).
    public func assignLabels(_ flowed: GaussianLabeledSamples) throws -> GaussianLabelAssignment {
        try GaussianLabelAssignment(samples: flowed, classGaussians: targetClasses, classWeights: targetClassWeights)
    }

    /// `flowed` as a labeled dataset: features clipped to `clipping` (`0...1` for images,
    /// as the reference does), grouped by assigned target class, named after it.
    public func labeledDataset(_ flowed: GaussianLabeledSamples, clippingTo clipping: ClosedRange<Float>? = 0...1) throws -> LabeledDataset {
        try assignLabels(flowed).dataset(from: flowed, names: targetLabels, clippingTo: clipping)
    }
}
