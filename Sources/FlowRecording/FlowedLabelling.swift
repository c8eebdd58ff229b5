import DatasetDistances
import Datasets
import LabeledData

/// How the states of a WoW flow (`LabeledDataset`) are written as samples: the classes
/// get the target's labels by `method` (`LabelAssignmentMethod`), computed afresh for
/// every state; with `.none`, the flowed classes keep their own labels (as integers when
/// their names are integers). `wow flow` writes its final `flowed.npz` and every
/// snapshot with one value of this type, so they are labelled alike.
///
/// `method == .ot` solves one exact OT problem per pair of classes for every state it
/// labels: cheap for a few hundred points per class, tens of seconds for thousands.
public struct FlowedLabelling: Sendable {
    /// The target the flow moves toward.
    public let target: LabeledDataset
    /// How the flowed classes are matched to the target's.
    public let method: LabelAssignmentMethod
    /// The shape of one sample (e.g. `1x28x28` images).
    public let featureShape: FeatureShape
    /// The target's class names; a flowed class matched to target class `k` gets the label
    /// `targetClassNames.firstIndex(of: target.labels[k])`.
    public let targetClassNames: [String]

    public init(target: LabeledDataset, method: LabelAssignmentMethod, featureShape: FeatureShape, targetClassNames: [String]) {
        self.target = target
        self.method = method
        self.featureShape = featureShape
        self.targetClassNames = targetClassNames
    }

    /// `flowed` as samples with the target's labels, and the class matching
    /// (`mapping[c]`: the target class of flowed class `c`; `nil` for `.none`).
    ///
    /// - Throws: the assignment's errors (`DatasetDistanceError`, `OptimalTransportError`)
    ///   and `DatasetError` when a class name is not among `targetClassNames` or the
    ///   shape does not fit.
    public func samples(_ flowed: LabeledDataset) throws -> (samples: LabeledSamples, mapping: [Int]?) {
        guard let mapping = try method.mapping(flowed: flowed, target: target) else {
            return (try LabeledSamples(flowed, featureShape: featureShape, integerLabels: true), nil)
        }
        return (try LabeledSamples(flowed.relabeled(by: mapping, toClassesOf: target), featureShape: featureShape,
                                   classNames: targetClassNames), mapping)
    }
}
