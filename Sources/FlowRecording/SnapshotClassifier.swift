import Datasets
import Foundation
import NeuralNetworks

/// A trained image classifier scored on every snapshot of a flow: the fraction of the
/// flowed samples it puts in the class they are labelled with (the paper's in-flow
/// accuracy, Figure 3: a classifier trained on the target, the flowed data labelled by
/// OT between classes).
///
/// The classifier is checked when it is made: the data must be images of the shape the
/// network was trained on.
///
/// ```swift
/// let classifier = try SnapshotClassifier(contentsOf: weights, architecture: .cnn,
///                                         featureShape: .image(channels: 1, height: 28, width: 28))
/// let accuracy = try classifier.accuracy(on: flowedSamples)   // in [0, 1]
/// ```
public struct SnapshotClassifier {
    /// The network.
    public let network: Network
    /// A name for plots and messages (the weights file's name).
    public let name: String

    /// Checks that `network` classifies samples of `featureShape`.
    ///
    /// - Throws: `FlowRecordingError.notImages` for vector data,
    ///   `FlowRecordingError.shapeMismatch` for images of another shape.
    public init(network: Network, featureShape: FeatureShape, name: String? = nil) throws {
        guard case let .image(c, h, w) = featureShape else { throw FlowRecordingError.notImages(featureShape) }
        guard network.imageShape == [c, h, w] else {
            throw FlowRecordingError.shapeMismatch(classifier: network.imageShape, data: featureShape)
        }
        self.network = network
        self.name = name ?? network.architecture.name
    }

    /// Reads weights written by `wow train --save` (`Network.save(to:)`), which must be
    /// `architecture`'s, for samples of `featureShape`.
    ///
    /// - Throws: `FlowRecordingError.missingWeights`, `.unreadableWeights`,
    ///   `.architectureMismatch`, and as `init(network:featureShape:name:)`.
    public init(contentsOf url: URL, architecture: Architecture, featureShape: FeatureShape) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw FlowRecordingError.missingWeights(path: url.path) }
        let network: Network
        do { network = try Network(contentsOf: url) } catch {
            throw FlowRecordingError.unreadableWeights(path: url.path, reason: "\(error)")
        }
        guard network.architecture.name == architecture.name else {
            throw FlowRecordingError.architectureMismatch(path: url.path, found: network.architecture.name, expected: architecture.name)
        }
        try self.init(network: network, featureShape: featureShape, name: url.lastPathComponent)
    }

    /// The fraction of `samples` classified as their label (0 for no samples).
    ///
    /// - Throws: `FlowRecordingError.shapeMismatch` for samples of another shape,
    ///   `.labelOutsideClassifier` for a label the network has no output for; the
    ///   network's errors.
    public func accuracy(on samples: LabeledSamples) throws -> Double {
        guard case let .image(c, h, w) = samples.featureShape, network.imageShape == [c, h, w] else {
            throw FlowRecordingError.shapeMismatch(classifier: network.imageShape, data: samples.featureShape)
        }
        if let bad = samples.labels.first(where: { $0 >= network.classCount }) {
            throw FlowRecordingError.labelOutsideClassifier(label: bad, classCount: network.classCount)
        }
        guard samples.count > 0 else { return 0 }
        let predicted = try network.predictions(for: Tensor(images: samples.features, channels: c, height: h, width: w))
        let correct = zip(predicted, samples.labels).filter { $0 == $1 }.count
        return Double(correct) / Double(samples.count)
    }
}
