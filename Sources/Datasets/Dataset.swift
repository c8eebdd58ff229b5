import LabeledData

/// A named part of a data set (`train`, `test`, or `all` for data sets without splits).
public struct DatasetSplit: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The split's name as used in references such as `fashion-mnist:test`.
    public let name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }
    public var description: String { name }

    /// The training split.
    public static let train = DatasetSplit("train")
    /// The test split.
    public static let test = DatasetSplit("test")
    /// The whole data set, for data sets that have no predefined split.
    public static let all = DatasetSplit("all")
}

/// What a data set says it yields, known without loading it.
public struct DatasetInfo: Sendable, Equatable {
    /// Short name (e.g. `fashion-mnist`).
    public var name: String
    /// One name per class; the label of a class is its index.
    public var classNames: [String]
    /// The shape of one sample.
    public var featureShape: FeatureShape
    /// The splits, in a fixed order, with their sample counts when known.
    public var splits: [(split: DatasetSplit, count: Int?)]
    /// The nominal range of raw values (`0...255` for 8-bit pixels), if known.
    public var valueRange: ClosedRange<Float>?
    /// The customary normalisation after scaling to `[0, 1]`, if there is one.
    public var normalization: Normalization?

    public init(name: String, classNames: [String], featureShape: FeatureShape,
                splits: [(split: DatasetSplit, count: Int?)], valueRange: ClosedRange<Float>? = nil,
                normalization: Normalization? = nil) {
        self.name = name
        self.classNames = classNames
        self.featureShape = featureShape
        self.splits = splits
        self.valueRange = valueRange
        self.normalization = normalization
    }

    /// Number of classes.
    public var classCount: Int { classNames.count }

    public static func == (a: DatasetInfo, b: DatasetInfo) -> Bool {
        a.name == b.name && a.classNames == b.classNames && a.featureShape == b.featureShape
            && a.splits.map(\.split) == b.splits.map(\.split) && a.splits.map(\.count) == b.splits.map(\.count)
            && a.valueRange == b.valueRange && a.normalization == b.normalization
    }
}

/// A source of labeled samples: a known number of classes, a feature shape, and splits.
///
/// Conform by describing the data (``info``) and loading one split (``load(_:)``);
/// everything else — the default split, sampling, k-shot subsets, class filtering,
/// scaling, normalisation, resizing and conversion to the flows' `LabeledDataset` — is
/// provided on the loaded ``LabeledSamples``. `checkDatasetLaws` in `FlowLaws` checks that
/// a conformer yields what it says it yields.
///
/// ```swift
/// let fashion = try DatasetRegistry.standard.dataset(named: "fashion-mnist")
/// var rng = SeededGenerator(seed: 0)
/// let source = try fashion.load(.train)
///     .drawing(perClass: 200, using: &rng)
///     .scaledToUnitInterval()
///     .labeledDataset()
/// ```
public protocol Dataset {
    /// What the data set yields: classes, feature shape, splits (with counts when known).
    var info: DatasetInfo { get }

    /// Loads one split.
    ///
    /// - Throws: ``DatasetError/unknownSplit(dataset:split:available:)`` for a split not in
    ///   `info.splits`, and ``DatasetError`` for missing or corrupt files.
    func load(_ split: DatasetSplit) throws -> LabeledSamples
}

extension Dataset {
    /// The split loaded when none is named: `train` if there is one, else the first.
    public var defaultSplit: DatasetSplit {
        info.splits.contains(where: { $0.split == .train }) ? .train : (info.splits.first?.split ?? .all)
    }

    /// Loads ``defaultSplit``.
    public func load() throws -> LabeledSamples { try load(defaultSplit) }

    /// Throws ``DatasetError/unknownSplit(dataset:split:available:)`` unless `split` is listed.
    public func checkSplit(_ split: DatasetSplit) throws {
        guard info.splits.contains(where: { $0.split == split }) else {
            throw DatasetError.unknownSplit(dataset: info.name, split: split.name, available: info.splits.map(\.split.name))
        }
    }
}
