import LabeledData

/// How the classes of a flowed dataset are given the target's labels after a flow (a
/// flow moves each class as a whole but may land it on any target class).
///
/// - `ot`: optimal transport between classes, `LabelAssignment` (exact `W_2^2` class
///   costs, then the `C x C` assignment; the optimal class coupling when the class counts
///   differ). The paper's choice.
/// - `nearest`: a 1-nearest-neighbour vote of each flowed class against the target
///   points, `NearestNeighborVote` (two classes may get the same label).
/// - `none`: the flowed classes keep their own (source) labels.
///
/// ```swift
/// let method = LabelAssignmentMethod.defaultMethod(source: source, target: target)
/// let labelled = try method.relabeled(result.state, target: target)
/// // As samples carrying the target's labels (the Datasets module):
/// let samples = try LabeledSamples(labelled, featureShape: shape, classNames: garments.classNames)
/// ```
public enum LabelAssignmentMethod: String, CaseIterable, Sendable {
    case ot, nearest, none

    /// Reads `ot`, `nearest` or `none`.
    ///
    /// - Throws: `DatasetDistanceError.invalidParameter` naming the choices.
    public init(parsing text: String) throws {
        guard let method = Self(rawValue: text) else {
            throw DatasetDistanceError.invalidParameter("'\(text)' is not a label assignment; choose one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = method
    }

    /// The method used when none is asked for: `ot` when `source` and `target` have the
    /// same number of classes, or when both have named classes (names that are not all
    /// non-negative integers, such as Fashion-MNIST's); `none` otherwise (numbered classes
    /// of different counts: a label would be a guess).
    public static func defaultMethod(source: LabeledDataset, target: LabeledDataset) -> LabelAssignmentMethod {
        if source.classCount == target.classCount { return .ot }
        let named = LabeledCSV.integerLabels(source.labels) == nil && LabeledCSV.integerLabels(target.labels) == nil
        return named ? .ot : .none
    }

    /// `mapping[c]`: the target class given to flowed class `c`; `nil` for `none`.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for different feature
    ///   dimensions; the solvers' `OptimalTransportError`.
    public func mapping(flowed: LabeledDataset, target: LabeledDataset) throws -> [Int]? {
        switch self {
        case .ot: return try LabelAssignment(flowed: flowed, target: target).mapping
        case .nearest: return try NearestNeighborVote(flowed: flowed, target: target).mapping
        case .none: return nil
        }
    }

    /// `flowed` with every class named after its target class (`none`: unchanged).
    ///
    /// - Throws: as `mapping(flowed:target:)`.
    public func relabeled(_ flowed: LabeledDataset, target: LabeledDataset) throws -> LabeledDataset {
        guard let mapping = try mapping(flowed: flowed, target: target) else { return flowed }
        return try flowed.relabeled(by: mapping, toClassesOf: target)
    }
}

extension LabeledDataset {
    /// The dataset with class `c` named `target.labels[mapping[c]]` (the target's label);
    /// points and weights unchanged. The one relabelling every assignment shares
    /// (`LabelAssignment`, `NearestNeighborVote`, `LabelAssignmentMethod`).
    ///
    /// To save the result with the target's integer labels, build samples with
    /// `LabeledSamples(_:featureShape:classNames:)` and the target samples' class names.
    ///
    /// - Throws: `DatasetDistanceError.invalidParameter` unless `mapping` has one entry
    ///   per class, each a class of `target`.
    public func relabeled(by mapping: [Int], toClassesOf target: LabeledDataset) throws -> LabeledDataset {
        guard mapping.count == classCount else {
            throw DatasetDistanceError.invalidParameter("a mapping of \(mapping.count) classes for a dataset of \(classCount)")
        }
        if let bad = mapping.first(where: { $0 < 0 || $0 >= target.classCount }) {
            throw DatasetDistanceError.invalidParameter("target class \(bad) is outside 0..<\(target.classCount)")
        }
        var result = self
        result.labels = mapping.map { target.labels[$0] }
        return result
    }
}
