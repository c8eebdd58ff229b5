import Foundation
import LabeledData
import WoWCompute

/// A loaded split of a data set: `n` samples with integer labels in `0..<classCount`.
///
/// Features are one row per sample (`n x d`, `d = featureShape.count`); images are stored
/// channel-major (see ``FeatureShape``). This is the in-memory form every ``Dataset``
/// yields and every operation below (sampling, class filtering, scaling, normalisation,
/// resizing) returns; ``labeledDataset(weightedBy:)`` turns it into the flows'
/// `LabeledDataset` (one empirical measure per class).
///
/// Values are always finite: every initialiser checks.
public struct LabeledSamples: Sendable, Equatable {
    /// `n x d` features, one sample per row.
    public internal(set) var features: Matrix
    /// `n` labels, each in `0..<classCount`.
    public internal(set) var labels: [Int]
    /// The shape of one sample.
    public let featureShape: FeatureShape
    /// One name per class (index = label).
    public internal(set) var classNames: [String]
    /// The nominal range of the stored values (e.g. `0...255` for 8-bit pixels) when it is
    /// known; ``scaledToUnitInterval()`` maps it to `0...1`. `nil` once values have been
    /// normalised.
    public internal(set) var valueRange: ClosedRange<Float>?

    /// Number of samples `n`.
    public var count: Int { labels.count }

    /// The most classes samples may have when the class names come from the labels
    /// (`2^20`): a larger label is refused instead of naming a class per integer.
    public static let maximumClassCount = 1 << 20
    /// Number of classes (including classes with no sample in this split).
    public var classCount: Int { classNames.count }
    /// Features per sample `d`.
    public var dimension: Int { features.columns }

    /// Creates samples after checking shapes, labels and finiteness.
    ///
    /// - Parameters:
    ///   - features: `n x d` with `d == featureShape.count`.
    ///   - labels: `n` labels in `0..<classNames.count`.
    ///   - featureShape: the shape of one sample.
    ///   - classNames: one name per class; `nil` names the classes `"0"`, `"1"`, ...
    ///     after the largest label.
    ///   - valueRange: the nominal range of the values, if known.
    /// - Throws: ``DatasetError`` on a shape mismatch, a label out of range or a
    ///   non-finite value.
    /// - Complexity: O(n d).
    public init(features: Matrix, labels: [Int], featureShape: FeatureShape,
                classNames: [String]? = nil, valueRange: ClosedRange<Float>? = nil) throws {
        try featureShape.validate()
        guard features.columns == featureShape.count else {
            throw DatasetError.shapeMismatch("features have \(features.columns) columns but shape \(featureShape) has \(featureShape.count) values")
        }
        guard features.rows == labels.count else {
            throw DatasetError.shapeMismatch("\(features.rows) feature rows but \(labels.count) labels")
        }
        if classNames == nil, let largest = labels.max(), largest >= Self.maximumClassCount {
            throw DatasetError.invalidArgument("label \(largest) is too large: labels are class indices 0..<C, C at most \(Self.maximumClassCount)")
        }
        let names = classNames ?? (0..<((labels.max() ?? -1) + 1)).map(String.init)
        guard !names.isEmpty else { throw DatasetError.invalidArgument("samples need at least one class") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= names.count }) {
            throw DatasetError.shapeMismatch("label \(bad) is outside 0..<\(names.count)")
        }
        guard features.isFinite else { throw DatasetError.nonFinite(context: "features") }
        self.features = features
        self.labels = labels
        self.featureShape = featureShape
        self.classNames = names
        self.valueRange = valueRange
    }

    /// Internal initialiser for results of operations whose invariants already hold.
    init(unchecked features: Matrix, labels: [Int], featureShape: FeatureShape,
         classNames: [String], valueRange: ClosedRange<Float>?) {
        self.features = features
        self.labels = labels
        self.featureShape = featureShape
        self.classNames = classNames
        self.valueRange = valueRange
    }

    /// Number of samples of each class (`classCount` entries).
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// Row indices of the samples of class `label`, in increasing order.
    public func indices(ofClass label: Int) -> [Int] {
        labels.indices.filter { labels[$0] == label }
    }

    /// The features of sample `i` (`d` values).
    ///
    /// - Precondition: `0 <= i < count`.
    public func sample(_ i: Int) -> [Float] { features.row(i) }

    /// The samples at `indices`, in that order (indices may repeat).
    ///
    /// - Throws: ``DatasetError/invalidArgument(_:)`` for an index out of range.
    /// - Complexity: O(k d) for k indices.
    public func selecting(_ indices: [Int]) throws -> LabeledSamples {
        let d = dimension
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw DatasetError.invalidArgument("sample index \(bad) is outside 0..<\(count)")
        }
        var storage = [Float](repeating: 0, count: indices.count * d)
        features.withUnsafeBufferPointer { source in
            storage.withUnsafeMutableBufferPointer { target in
                for (k, i) in indices.enumerated() {
                    for j in 0..<d { target[k * d + j] = source[i * d + j] }
                }
            }
        }
        let matrix = try Matrix(rows: indices.count, columns: d, storage: storage)
        return LabeledSamples(unchecked: matrix, labels: indices.map { labels[$0] }, featureShape: featureShape,
                              classNames: classNames, valueRange: valueRange)
    }

    /// Concatenates samples of the same shape and classes (e.g. CIFAR-10's five batches).
    ///
    /// - Throws: ``DatasetError/shapeMismatch(_:)`` if shapes or class names differ.
    public static func concatenating(_ parts: [LabeledSamples]) throws -> LabeledSamples {
        guard let first = parts.first else { throw DatasetError.invalidArgument("nothing to concatenate") }
        var storage = [Float]()
        var labels = [Int]()
        storage.reserveCapacity(parts.reduce(0) { $0 + $1.features.storage.count })
        for part in parts {
            guard part.featureShape == first.featureShape, part.classNames == first.classNames else {
                throw DatasetError.shapeMismatch("cannot concatenate samples of shape \(part.featureShape) (\(part.classCount) classes) with \(first.featureShape) (\(first.classCount) classes)")
            }
            storage.append(contentsOf: part.features.storage)
            labels.append(contentsOf: part.labels)
        }
        let range = parts.allSatisfy({ $0.valueRange == first.valueRange }) ? first.valueRange : nil
        return LabeledSamples(unchecked: try Matrix(rows: labels.count, columns: first.dimension, storage: storage),
                              labels: labels, featureShape: first.featureShape, classNames: first.classNames,
                              valueRange: range)
    }

    /// Groups the samples by class into the flows' labeled dataset: class `c` becomes the
    /// uniform empirical measure of its samples, named `classNames[c]`.
    ///
    /// - Parameter weighting: class weights: `.uniform` (1/C each, the paper's choice) or
    ///   `.proportional` (n_c / n).
    /// - Throws: ``DatasetError/cannotSatisfy(_:)`` if a class has no sample (filter
    ///   classes first with ``keepingClasses(_:relabel:)``).
    /// - Complexity: O(n d).
    public func labeledDataset(weightedBy weighting: ClassWeighting = .uniform) throws -> LabeledDataset {
        let counts = classCounts
        if let empty = counts.firstIndex(of: 0) {
            throw DatasetError.cannotSatisfy("class '\(classNames[empty])' has no samples; keep only the classes present before building a labeled dataset")
        }
        var measures = [EmpiricalMeasure]()
        for c in 0..<classCount {
            let part = try selecting(indices(ofClass: c))
            measures.append(try EmpiricalMeasure(points: part.features))
        }
        let weights: [Double]
        switch weighting {
        case .uniform: weights = [Double](repeating: 1 / Double(classCount), count: classCount)
        case .proportional: weights = counts.map { Double($0) / Double(count) }
        }
        return try LabeledDataset(classes: measures, classWeights: weights, labels: classNames)
    }

    /// How ``labeledDataset(weightedBy:)`` weights classes.
    public enum ClassWeighting: Sendable {
        /// Every class weighs 1/C.
        case uniform
        /// Class c weighs n_c / n.
        case proportional
    }
}

extension LabeledSamples {
    /// Builds samples from a labeled dataset (class `c` gives label `c`), e.g. to save a
    /// flowed dataset; point weights are dropped.
    ///
    /// - Parameters:
    ///   - shape: the shape of one point; `nil` means a plain vector.
    ///   - integerLabels: when the class names are all non-negative integers
    ///     (`LabeledCSV.integerLabels`, below `maximumClassCount`), use their values as the
    ///     labels (classes `"0"`, `"1"`, ... up to the largest), so a dataset read from a
    ///     file keeps the file's labels; otherwise the class indices.
    public init(_ dataset: LabeledDataset, featureShape shape: FeatureShape? = nil, integerLabels: Bool = false) throws {
        try self.init(ClassStackedSamples(dataset, featureShape: shape, integerLabels: integerLabels))
    }
}

extension LabeledSamples {
    /// Samples from a labeled dataset whose classes are named after classes of
    /// `classNames`, such as a flowed dataset relabelled to the target's classes
    /// (`LabelAssignment.relabeled`, `LabelAssignmentMethod.relabeled`): every point of
    /// class `c` gets the label `classNames.firstIndex(of: dataset.labels[c])`, and the
    /// samples' class names are `classNames`. With the target samples' `classNames`, the
    /// flowed samples carry the target's labels (the integers a classifier trained on the
    /// target predicts). Several classes may share a name (and so a label); point weights
    /// are dropped.
    ///
    /// ```swift
    /// let matching = try LabelAssignment(flowed: result.state, target: target)
    /// let flowed = try LabeledSamples(matching.relabeled(result.state, target: target),
    ///                                 featureShape: digits.featureShape, classNames: garments.classNames)
    /// ```
    ///
    /// - Throws: ``DatasetError/invalidArgument(_:)`` when a class's name is not in
    ///   `classNames` or `classNames` repeats a name; ``DatasetError/shapeMismatch(_:)``
    ///   when `featureShape` does not fit the points.
    public init(_ dataset: LabeledDataset, featureShape shape: FeatureShape? = nil, classNames: [String]) throws {
        try self.init(ClassStackedSamples(dataset, featureShape: shape, classNames: classNames))
    }

    /// The samples as CSV text: a header `class,x1,...,xd`, one row `label,features...`
    /// per sample, and a first line `# classes: 0 = name; ...` when the class names are
    /// not the labels themselves (`LabeledCSV.format(points:labels:classNames:)`; what
    /// `LabeledCSV.parse` and `wow` read back).
    public func csvText(featureNames: [String]? = nil) -> String {
        LabeledCSV.format(points: features, labels: labels, classNames: classNames, featureNames: featureNames)
    }

    /// Writes ``csvText(featureNames:)`` to `path`, creating parent directories.
    ///
    /// - Throws: ``DatasetError/unwritableFile(path:reason:)``.
    public func writeCSV(to path: String, featureNames: [String]? = nil) throws {
        do {
            try LabeledCSV.writeText(csvText(featureNames: featureNames), to: URL(fileURLWithPath: path))
        } catch let DataError.unwritableFile(_, reason) {
            throw DatasetError.unwritableFile(path: path, reason: reason)
        }
    }
}
