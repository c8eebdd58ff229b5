import FlowGeometry
import Functionals
import Integrators
import WoWCompute

/// A product state stores its features, means, covariances, label dimension, labels and
/// weights.
extension GaussianLabeledSamples: CheckpointCodable {
    public var checkpointArrays: CheckpointArrays {
        ["features": features.checkpointArray,
         "means": .float64(means, shape: [count, labelDimension]),
         "covariances": .float64(covariances, shape: [count, labelDimension, labelDimension]),
         "label_dimension": .int64([Int64(labelDimension)], shape: [1]),
         "labels": .int64(labels.map(Int64.init), shape: [count]),
         "weights": .float64(weights, shape: [count])]
    }

    /// Restores the stored values exactly (no renormalised weights, no re-symmetrised
    /// covariances: a flow's state continues bit for bit); counts, finiteness, labels and
    /// weights are checked.
    public init(checkpointArrays arrays: CheckpointArrays) throws {
        let features = try Matrix(checkpoint: arrays, name: "features")
        let n = features.rows, k = try arrays.integer("label_dimension")
        guard n > 0, features.columns > 0, k >= 1, k <= 1 << 16 else {
            throw CheckpointError.malformed("product state of \(n) samples, label dimension \(k)")
        }
        let means = try arrays.doubles("means", count: n * k), covariances = try arrays.doubles("covariances", count: n * k * k)
        let labels = try arrays.integers("labels", count: n), weights = try arrays.doubles("weights", count: n)
        guard features.isFinite, means.allSatisfy(\.isFinite), covariances.allSatisfy(\.isFinite) else {
            throw CheckpointError.malformed("the stored product state is not finite")
        }
        guard labels.allSatisfy({ $0 >= 0 }), weights.allSatisfy({ $0.isFinite && $0 > 0 }),
              abs(weights.reduce(0, +) - 1) <= 1e-6 else {
            throw CheckpointError.malformed("the stored product state's labels or weights")
        }
        self.init(features: features, means: means, covariances: covariances, labelDimension: k,
                  labels: labels.map { Int($0) }, checkedWeights: weights)
    }
}

/// A product tangent stores its three parts.
extension GaussianLabeledTangent: CheckpointCodable {
    public var checkpointArrays: CheckpointArrays {
        ["features": features.checkpointArray,
         "means": .float64(means, shape: [means.count]),
         "covariances": .float64(covariances, shape: [covariances.count])]
    }

    public init(checkpointArrays arrays: CheckpointArrays) throws {
        self.init(features: try Matrix(checkpoint: arrays, name: "features"), means: try arrays.doubles("means"),
                  covariances: try arrays.doubles("covariances"))
    }
}

/// The product-space stepper keeps its velocity (`velocity/...`).
extension ProductSpaceMomentum: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays {
        velocity.map { $0.checkpointArrays.prefixed("velocity/") } ?? [:]
    }

    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {
        let stored = arrays.strippingPrefix("velocity/")
        velocity = stored.isEmpty ? nil : try GaussianLabeledTangent(checkpointArrays: stored)
    }
}

/// The OTDD objective keeps nothing between evaluations.
extension OTDDObjective: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays { [:] }
    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {}
}

/// The product-space MMD keeps nothing between evaluations (its noise comes from the
/// flow's generator).
extension ProductSpaceMMD: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays { [:] }
    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {}
}
