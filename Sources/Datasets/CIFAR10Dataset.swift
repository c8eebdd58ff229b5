import Foundation
import WoWCompute

/// CIFAR-10 in its binary version: files of 3,073-byte records, one label byte then
/// 1,024 red, 1,024 green and 1,024 blue bytes (each plane 32 x 32, row-major). The
/// training split is `data_batch_1.bin` ... `data_batch_5.bin`, the test split
/// `test_batch.bin`.
///
/// Reference: https://www.cs.toronto.edu/~kriz/cifar.html ("Binary version").
public struct CIFAR10Dataset: Dataset, Sendable {
    /// Bytes per record.
    public static let recordSize = 1 + 3 * 32 * 32
    /// The ten class names, in label order.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    /// The batch files of each split.
    public let files: [(split: DatasetSplit, paths: [String])]
    public let info: DatasetInfo

    /// A CIFAR-10 directory holding the standard batch file names.
    ///
    /// - Throws: ``DatasetError/missingFile(path:)`` for a missing batch.
    public init(directory: String) throws {
        let train = (1...5).map { "\(directory)/data_batch_\($0).bin" }
        let test = ["\(directory)/test_batch.bin"]
        try self.init(files: [(.train, train), (.test, test)])
    }

    /// CIFAR-10-format batch files grouped into splits (e.g. test files a test wrote).
    ///
    /// - Throws: ``DatasetError`` for a missing file or a size that is not a whole number
    ///   of records.
    public init(name: String = "cifar10", files: [(split: DatasetSplit, paths: [String])]) throws {
        var splits = [(split: DatasetSplit, count: Int?)]()
        for (split, paths) in files {
            var count = 0
            for path in paths { count += try Self.recordCount(path) }
            splits.append((split, count))
        }
        self.files = files
        info = DatasetInfo(name: name, classNames: Self.classNames,
                           featureShape: .image(channels: 3, height: 32, width: 32), splits: splits,
                           valueRange: 0...255, normalization: .cifar10)
    }

    static func recordCount(_ path: String) throws -> Int {
        guard DataFile.exists(path) else { throw DatasetError.missingFile(path: path) }
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
        } catch {
            throw DatasetError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        guard size > 0, size % recordSize == 0 else {
            throw DatasetError.corruptFile(path: path, location: nil,
                                           problem: "size \(size) bytes is not a positive multiple of the \(recordSize)-byte CIFAR-10 record (truncated?)")
        }
        return size / recordSize
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        var features = [Float]()
        var labels = [Int]()
        for path in files.first(where: { $0.split == split })!.paths {
            let bytes = try DataFile.rawBytes(path)
            guard !bytes.isEmpty, bytes.count % Self.recordSize == 0 else {
                throw DatasetError.corruptFile(path: path, location: nil,
                                               problem: "size \(bytes.count) bytes is not a positive multiple of the \(Self.recordSize)-byte CIFAR-10 record (truncated?)")
            }
            let records = bytes.count / Self.recordSize
            features.reserveCapacity(features.count + records * (Self.recordSize - 1))
            for r in 0..<records {
                let base = r * Self.recordSize
                let label = Int(bytes[base])
                guard label < 10 else {
                    throw DatasetError.corruptFile(path: path, location: "record \(r)", problem: "label byte \(label) is not a CIFAR-10 class (0-9)")
                }
                labels.append(label)
                for k in 1..<Self.recordSize { features.append(Float(bytes[base + k])) }
            }
        }
        return try LabeledSamples(features: try Matrix(rows: labels.count, columns: 3 * 32 * 32, storage: features),
                                  labels: labels, featureShape: info.featureShape, classNames: info.classNames,
                                  valueRange: 0...255)
    }
}
