import Foundation
import LabeledData
import NumPyFiles
import WoWCompute

/// A labeled dataset as the samples `LabeledSamples(dataset, ...)` would hold (its
/// classes' points stacked in class order, every point of class `c` labelled
/// `classLabels[c]`), without stacking them: ``writeCSV(to:featureNames:)`` and
/// ``writeNPZ(to:)`` stream the classes' points and write the bytes the stacked samples'
/// writers write. For data sets too large to hold twice: `wow flow` writes a flowed
/// Fashion-MNIST (188 MB of features, a 534 MB CSV) this way.
///
/// The initialisers check what `LabeledSamples`' do and throw the same errors.
public struct ClassStackedSamples: Sendable {
    /// The dataset whose classes are the samples.
    public let dataset: LabeledDataset
    /// The label of every point of class `c`.
    public let classLabels: [Int]
    /// The shape of one sample.
    public let featureShape: FeatureShape
    /// One name per label.
    public let classNames: [String]

    /// Number of samples (points of every class).
    public var count: Int { dataset.pointCount }

    /// The samples of `LabeledSamples(_:featureShape:integerLabels:)`: class `c` gives
    /// label `c`, or, with `integerLabels` and class names that are all non-negative
    /// integers (below `LabeledSamples.maximumClassCount`), the integer its name spells.
    public init(_ dataset: LabeledDataset, featureShape shape: FeatureShape? = nil, integerLabels: Bool = false) throws {
        var values = Array(dataset.labels.indices)
        var names: [String]? = dataset.labels
        if integerLabels, let parsed = LabeledCSV.integerLabels(dataset.labels), let largest = parsed.max(),
           largest < LabeledSamples.maximumClassCount {
            values = parsed
            names = nil  // "0" ... the largest label
        }
        try self.init(dataset, classLabels: values, featureShape: shape ?? .vector(dataset.dimension), classNames: names)
    }

    /// The samples of `LabeledSamples(_:featureShape:classNames:)`: every point of class
    /// `c` labelled with the position of `dataset.labels[c]` in `classNames`.
    public init(_ dataset: LabeledDataset, featureShape shape: FeatureShape? = nil, classNames: [String]) throws {
        var position = [String: Int]()
        for (k, name) in classNames.enumerated() {
            guard position.updateValue(k, forKey: name) == nil else {
                throw DatasetError.invalidArgument("the class name '\(name)' appears twice in the class names")
            }
        }
        let values = try dataset.labels.map { name -> Int in
            guard let k = position[name] else {
                throw DatasetError.invalidArgument("class '\(name)' is not one of the \(classNames.count) class names \(classNames.prefix(12).joined(separator: ", "))\(classNames.count > 12 ? ", ..." : "")")
            }
            return k
        }
        try self.init(dataset, classLabels: values, featureShape: shape ?? .vector(dataset.dimension), classNames: classNames)
    }

    /// Checks what `LabeledSamples.init(features:labels:featureShape:classNames:)` checks
    /// of the stacked samples.
    init(_ dataset: LabeledDataset, classLabels: [Int], featureShape: FeatureShape, classNames: [String]?) throws {
        try featureShape.validate()
        guard dataset.dimension == featureShape.count else {
            throw DatasetError.shapeMismatch("features have \(dataset.dimension) columns but shape \(featureShape) has \(featureShape.count) values")
        }
        if classNames == nil, let largest = classLabels.max(), largest >= LabeledSamples.maximumClassCount {
            throw DatasetError.invalidArgument("label \(largest) is too large: labels are class indices 0..<C, C at most \(LabeledSamples.maximumClassCount)")
        }
        let names = classNames ?? (0..<((classLabels.max() ?? -1) + 1)).map(String.init)
        guard !names.isEmpty else { throw DatasetError.invalidArgument("samples need at least one class") }
        if let bad = classLabels.first(where: { $0 < 0 || $0 >= names.count }) {
            throw DatasetError.shapeMismatch("label \(bad) is outside 0..<\(names.count)")
        }
        guard dataset.isFinite else { throw DatasetError.nonFinite(context: "features") }
        self.dataset = dataset
        self.classLabels = classLabels
        self.featureShape = featureShape
        self.classNames = names
    }

    /// Writes what `LabeledSamples.writeCSV(to:featureNames:)` writes for these samples,
    /// a few rows at a time.
    ///
    /// - Throws: ``DatasetError/unwritableFile(path:reason:)``.
    public func writeCSV(to path: String, featureNames: [String]? = nil) throws {
        do {
            try LabeledCSV.write(blocks: zip(dataset.classes, classLabels).map { ($0.points, $1) }, classNames: classNames,
                                 featureNames: featureNames, dimension: dataset.dimension, to: URL(fileURLWithPath: path))
        } catch let DataError.unwritableFile(_, reason) {
            throw DatasetError.unwritableFile(path: path, reason: reason)
        }
    }

    /// Writes what `LabeledSamples.writeNPZ(to:)` writes for these samples (`features`,
    /// float32 `[n, d]` or `[n, c, h, w]`, and `labels`, int64 `[n]`), class by class.
    ///
    /// - Throws: ``DatasetError/unwritableFile(path:reason:)``.
    public func writeNPZ(to path: String) throws {
        let shape: [Int]
        switch featureShape {
        case let .vector(d): shape = [count, d]
        case let .image(c, h, w): shape = [count, c, h, w]
        }
        do {
            let features = try NPZStreamedArray(name: "features", shape: shape,
                                                blocks: dataset.classes.map { .float32($0.points.storage) })
            let labels = try NPZStreamedArray(name: "labels", shape: [count], blocks: zip(dataset.classes, classLabels).map {
                .int64([Int64](repeating: Int64($1), count: $0.count))
            })
            try NPZArchive.write(streaming: [features, labels], to: URL(fileURLWithPath: path))
        } catch let error as NumPyFileError {
            throw DatasetError.unwritableFile(path: path, reason: "\(error.problem)")
        }
    }
}

extension LabeledSamples {
    /// The samples `stacked` describes, its classes' points stacked into one matrix.
    public init(_ stacked: ClassStackedSamples) throws {
        var storage = [Float]()
        storage.reserveCapacity(stacked.count * stacked.dataset.dimension)
        var labels = [Int]()
        labels.reserveCapacity(stacked.count)
        for (measure, label) in zip(stacked.dataset.classes, stacked.classLabels) {
            storage.append(contentsOf: measure.points.storage)
            labels.append(contentsOf: repeatElement(label, count: measure.count))
        }
        self.init(unchecked: try Matrix(rows: labels.count, columns: stacked.dataset.dimension, storage: storage),
                  labels: labels, featureShape: stacked.featureShape, classNames: stacked.classNames, valueRange: nil)
    }
}
