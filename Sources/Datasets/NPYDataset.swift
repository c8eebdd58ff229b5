import Foundation
import NumPyFiles
import WoWCompute

/// Labeled samples stored as NumPy arrays: a features array and a label array, either as
/// two `.npy` files or as members of one `.npz` archive.
///
/// Features of shape `[n, d]` are vectors, `[n, h, w]` one-channel images and
/// `[n, c, h, w]` images (C order, as NumPy writes by default); any numeric dtype is
/// converted to `Float`. Labels are `n` integers (any integer dtype, or integral floats).
///
/// In an archive the arrays are found by name: `features`/`labels`, `x`/`y` or
/// `X`/`y` give the single split ``DatasetSplit/all``; `x_train`/`y_train` with
/// `x_test`/`y_test` (the layout of Keras' `mnist.npz`) give `train` and `test`.
///
/// The arrays are read when the data set is created, so ``info`` is exact.
public struct NPYDataset: Dataset, Sendable {
    public let info: DatasetInfo
    private let splits: [DatasetSplit: LabeledSamples]

    /// Two `.npy` files.
    ///
    /// - Parameters:
    ///   - classNames: one name per class; by default `"0"`, `"1"`, ... up to the largest label.
    ///   - valueRange: the nominal range of raw values, if known (e.g. `0...255` for uint8
    ///     images; inferred as `0...255` for a uint8 features array).
    /// - Throws: ``DatasetError`` naming the file for unreadable arrays, unsupported dtypes,
    ///   Fortran order, mismatched counts, non-integral labels or non-finite values.
    public init(name: String = "npy", features: String, labels: String, classNames: [String]? = nil,
                valueRange: ClosedRange<Float>? = nil) throws {
        let x = try Self.readNPY(features), y = try Self.readNPY(labels)
        let samples = try Self.samples(features: x, labels: y, featuresPath: features, labelsPath: labels,
                                       classNames: classNames, valueRange: valueRange)
        self.init(name: name, splits: [(.all, samples)])
    }

    /// One `.npz` archive (see the type's documentation for the member names).
    public init(name: String = "npz", archive path: String, classNames: [String]? = nil,
                valueRange: ClosedRange<Float>? = nil) throws {
        let archive: NPZArchive
        do {
            archive = try NPZArchive(contentsOf: URL(fileURLWithPath: path))
        } catch let error as NumPyFileError {
            throw Self.translate(error, path: path)
        }
        // (split, features, labels, features member, labels member)
        func pair(_ split: DatasetSplit, _ x: String, _ y: String) -> (DatasetSplit, NumPyArray, NumPyArray, String, String)? {
            guard let features = archive[x], let labels = archive[y] else { return nil }
            return (split, features, labels, x, y)
        }
        var found = [(DatasetSplit, NumPyArray, NumPyArray, String, String)]()
        if let train = pair(.train, "x_train", "y_train") { found.append(train) }
        if let test = pair(.test, "x_test", "y_test") { found.append(test) }
        if found.isEmpty, let all = pair(.all, "features", "labels") ?? pair(.all, "x", "y") ?? pair(.all, "X", "y") {
            found.append(all)
        }
        guard !found.isEmpty else {
            throw DatasetError.corruptFile(path: path, location: nil,
                                           problem: "no features/labels arrays (expected members features+labels, x+y, or x_train+y_train[, x_test+y_test]); found \(archive.names)")
        }
        // Class names must agree across splits: use the largest label of any split.
        var names = classNames
        if names == nil {
            var largest = 0
            for (_, _, y, _, _) in found {
                let labels = (try? y.intValues()) ?? []
                largest = max(largest, labels.max() ?? 0)
            }
            guard largest < LabeledSamples.maximumClassCount else {
                throw DatasetError.corruptFile(path: path, location: nil,
                                               problem: "label \(largest) is too large: labels are class indices 0..<C, C at most \(LabeledSamples.maximumClassCount)")
            }
            names = (0...largest).map(String.init)
        }
        var splits = [(DatasetSplit, LabeledSamples)]()
        for (split, x, y, featuresMember, labelsMember) in found {
            let samples = try Self.samples(features: x, labels: y, featuresPath: "\(path) [\(featuresMember)]",
                                           labelsPath: "\(path) [\(labelsMember)]", classNames: names, valueRange: valueRange)
            // Every split must describe the same kind of sample.
            if let first = splits.first, first.1.featureShape != samples.featureShape {
                throw DatasetError.inconsistentFiles(first: "\(path) [\(found[0].3)]", second: "\(path) [\(featuresMember)]",
                                                     problem: "samples of shape \(first.1.featureShape) and \(samples.featureShape)")
            }
            splits.append((split, samples))
        }
        self.init(name: name, splits: splits)
    }

    private init(name: String, splits: [(DatasetSplit, LabeledSamples)]) {
        let first = splits[0].1
        info = DatasetInfo(name: name, classNames: first.classNames, featureShape: first.featureShape,
                           splits: splits.map { ($0.0, $0.1.count) }, valueRange: first.valueRange)
        self.splits = Dictionary(uniqueKeysWithValues: splits)
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        return splits[split]!
    }

    static func readNPY(_ path: String) throws -> NumPyArray {
        do {
            return try NumPyArray(contentsOf: URL(fileURLWithPath: path))
        } catch let error as NumPyFileError {
            throw translate(error, path: path)
        }
    }

    static func translate(_ error: NumPyFileError, path: String) -> DatasetError {
        if case .fileNotFound = error.problem { return .missingFile(path: path) }
        var located = error
        if located.path == nil { located.path = path }
        return .corruptFile(path: path, location: located.member.map { "member \($0)" }, problem: "\(located.problem)")
    }

    static func samples(features x: NumPyArray, labels y: NumPyArray, featuresPath: String, labelsPath: String,
                        classNames: [String]?, valueRange: ClosedRange<Float>?) throws -> LabeledSamples {
        let shape: FeatureShape
        switch x.shape.count {
        case 2 where x.shape[1] > 0: shape = .vector(x.shape[1])
        case 3 where x.shape[1] > 0 && x.shape[2] > 0: shape = .image(channels: 1, height: x.shape[1], width: x.shape[2])
        case 4 where x.shape[1...].allSatisfy({ $0 > 0 }): shape = .image(channels: x.shape[1], height: x.shape[2], width: x.shape[3])
        default:
            throw DatasetError.corruptFile(path: featuresPath, location: nil,
                                           problem: "features must have shape [n, d], [n, h, w] or [n, c, h, w]; found \(x.shape)")
        }
        guard y.shape.count == 1 || (y.shape.count == 2 && y.shape[1] == 1) else {
            throw DatasetError.corruptFile(path: labelsPath, location: nil, problem: "labels must be a 1-D array; found shape \(y.shape)")
        }
        guard y.shape[0] == x.shape[0] else {
            throw DatasetError.inconsistentFiles(first: featuresPath, second: labelsPath,
                                                 problem: "\(x.shape[0]) feature rows but \(y.shape[0]) labels")
        }
        let labels: [Int]
        do { labels = try y.intValues() } catch let error as NumPyFileError {
            throw DatasetError.corruptFile(path: labelsPath, location: nil, problem: "labels: \(error.problem)")
        }
        if let bad = labels.first(where: { $0 < 0 }) {
            throw DatasetError.corruptFile(path: labelsPath, location: nil, problem: "label \(bad) is negative")
        }
        if let classNames, let bad = labels.first(where: { $0 >= classNames.count }) {
            throw DatasetError.corruptFile(path: labelsPath, location: nil, problem: "label \(bad) is not a class in 0..<\(classNames.count)")
        }
        let range = valueRange ?? (x.dtype == .uint8 ? 0...255 : nil)
        let features = try Matrix(rows: x.shape[0], columns: shape.count, storage: x.floatValues())
        do {
            return try LabeledSamples(features: features, labels: labels, featureShape: shape, classNames: classNames, valueRange: range)
        } catch DatasetError.nonFinite {
            throw DatasetError.corruptFile(path: featuresPath, location: nil, problem: "contains a NaN or infinite value")
        }
    }
}

extension LabeledSamples {
    /// The samples as NumPy arrays: `features` (float32, shape `[n, d]` or `[n, c, h, w]`)
    /// and `labels` (int64, shape `[n]`), members of an `.npz` archive that
    /// ``NPYDataset/init(name:archive:classNames:valueRange:)`` and
    /// `numpy.load(path)` both read.
    public func npzArchive() throws -> NPZArchive {
        let shape: [Int]
        switch featureShape {
        case let .vector(d): shape = [count, d]
        case let .image(c, h, w): shape = [count, c, h, w]
        }
        return try NPZArchive([("features", try NumPyArray(features.storage, shape: shape)),
                               ("labels", try NumPyArray(labels.map(Int64.init), shape: [count]))])
    }

    /// Writes ``npzArchive()`` to `path`.
    public func writeNPZ(to path: String) throws {
        do {
            try npzArchive().write(to: URL(fileURLWithPath: path))
        } catch let error as NumPyFileError {
            throw DatasetError.unwritableFile(path: path, reason: "\(error.problem)")
        }
    }
}
