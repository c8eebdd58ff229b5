import LabeledData
import WoWCompute

/// Labeled samples in a CSV file (gzip or not): one sample per line, numeric cells, one
/// of them the integer label (the MNIST-5k and UCI digits files of the data notes put it
/// last).
///
/// An optional header line is detected (a first line without a number). A header
/// that names the label column (`label`, `labels`, `class`, `target`, or `y` without an
/// `x` column; `CSVLabelColumn`, the rule `LabeledCSV` follows too) overrides
/// ``labelColumn``; two such names, or none over a declared column whose header cell
/// reads like a feature (`x1`, `pixel783`), are refused. Ragged rows, non-numeric cells
/// and non-integral labels are errors naming the file and the line.
public struct CSVDataset: Dataset, Sendable {
    /// Which cell holds the label when the file has no header, or a header that names no
    /// label column.
    public enum LabelColumn: Sendable, Equatable {
        case first, last
        case index(Int)
    }

    /// How the file is divided into splits.
    public enum SplitRule: Sendable, Equatable {
        /// No split: the whole file is ``DatasetSplit/all``.
        case none
        /// A fixed split in file order: the first `trainPerClass` samples of each class
        /// are `train`, the rest `test`.
        case perClassHead(trainPerClass: Int)
    }

    /// The file.
    public let path: String
    public let labelColumn: LabelColumn
    public let splitRule: SplitRule
    public let info: DatasetInfo

    /// Describes a CSV data set without reading it.
    ///
    /// - Parameters:
    ///   - name: the data set's name.
    ///   - path: the CSV file (gzip or not).
    ///   - labelColumn: the label's cell.
    ///   - featureShape: the shape of one sample (e.g. `.image(channels: 1, height: 28, width: 28)`).
    ///   - classNames: one name per class.
    ///   - valueRange: the nominal range of raw values (e.g. `0...255`).
    ///   - splitRule: how to split the file.
    ///   - counts: sample counts per split when known (for ``info``).
    public init(name: String, path: String, labelColumn: LabelColumn = .last, featureShape: FeatureShape,
                classNames: [String], valueRange: ClosedRange<Float>? = nil, splitRule: SplitRule = .none,
                counts: [DatasetSplit: Int] = [:], normalization: Normalization? = nil) {
        self.path = path
        self.labelColumn = labelColumn
        self.splitRule = splitRule
        let splits: [DatasetSplit]
        switch splitRule {
        case .none: splits = [.all]
        case .perClassHead: splits = [.train, .test]
        }
        info = DatasetInfo(name: name, classNames: classNames, featureShape: featureShape,
                           splits: splits.map { ($0, counts[$0]) }, valueRange: valueRange, normalization: normalization)
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        let all = try Self.read(path: path, labelColumn: labelColumn, featureShape: info.featureShape,
                                classNames: info.classNames, valueRange: info.valueRange)
        switch splitRule {
        case .none:
            return all
        case let .perClassHead(trainPerClass):
            let (head, tail) = try all.splittingPerClass(first: trainPerClass)
            return split == .train ? head : tail
        }
    }

    /// Parses a whole labeled CSV file.
    ///
    /// - Throws: ``DatasetError/corruptFile(path:location:problem:)`` with the line number
    ///   for a ragged row, a non-numeric cell, or a label outside `0..<classNames.count`.
    /// - Complexity: O(file size).
    public static func read(path: String, labelColumn: LabelColumn, featureShape: FeatureShape,
                            classNames: [String], valueRange: ClosedRange<Float>?) throws -> LabeledSamples {
        let bytes = try DataFile.bytes(path)
        let d = featureShape.count
        let cells = d + 1
        var labelIndex: Int
        switch labelColumn {
        case .first: labelIndex = 0
        case .last: labelIndex = d
        case let .index(k):
            guard k >= 0, k <= d else { throw DatasetError.invalidArgument("label column \(k) is outside 0...\(d)") }
            labelIndex = k
        }
        var features = [Float]()
        var labels = [Int]()
        var row = [Float](repeating: 0, count: cells)
        var lineNumber = 0
        var sawContent = false
        var unnamedHeader = false
        try bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            let n = buffer.count
            while start < n {
                var end = start
                while end < n && buffer[end] != 0x0A { end += 1 }
                lineNumber += 1
                var lineEnd = end
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                defer { start = end + 1 }
                if lineEnd == start { continue }  // blank line
                let line = UnsafeBufferPointer(rebasing: buffer[start..<lineEnd])
                defer { sawContent = true }
                if !sawContent, let header = Self.header(line) {
                    // The package's one rule for the label column (`CSVLabelColumn`).
                    guard header.count == cells else {
                        throw DatasetError.corruptFile(path: path, location: "line \(lineNumber)",
                                                       problem: "the header has \(header.count) cells, rows need \(cells) (\(d) features and a label)")
                    }
                    switch CSVLabelColumn.resolve(header: header, defaultColumn: labelIndex) {
                    case let .success(column):
                        unnamedHeader = CSVLabelColumn.labelCandidates(in: header).isEmpty
                        labelIndex = column
                    case let .failure(refusal):
                        throw DatasetError.corruptFile(path: path, location: "line \(lineNumber)", problem: refusal.problem)
                    }
                    continue
                }
                let parsed = Self.parseRow(line, into: &row)
                if case let .failure(failure) = parsed {
                    throw DatasetError.corruptFile(path: path, location: "line \(lineNumber)", problem: failure.message(expected: cells))
                }
                if case let .success(count) = parsed, count != cells {
                    throw DatasetError.corruptFile(path: path, location: "line \(lineNumber)",
                                                   problem: "expected \(cells) cells (\(d) features and a label), found \(count)")
                }
                let label = row[labelIndex]
                guard label == label.rounded(), label >= 0, label < Float(classNames.count) else {
                    throw DatasetError.corruptFile(path: path, location: "line \(lineNumber)",
                                                   problem: "label '\(label)' is not a class in 0..<\(classNames.count)"
                                                       + (unnamedHeader ? CSVLabelColumn.unnamedColumnNote(column: labelIndex) : ""))
                }
                labels.append(Int(label))
                for k in 0..<cells where k != labelIndex { features.append(row[k]) }
            }
        }
        guard !labels.isEmpty else {
            throw DatasetError.corruptFile(path: path, location: nil, problem: "no data rows")
        }
        return try LabeledSamples(features: try Matrix(rows: labels.count, columns: d, storage: features),
                                  labels: labels, featureShape: featureShape, classNames: classNames,
                                  valueRange: valueRange)
    }

    /// The cells of `line` when it is a header (no cell is a number, as
    /// `CSVLabelColumn.isHeader` decides), `nil` for a data row.
    static func header(_ line: UnsafeBufferPointer<UInt8>) -> [String]? {
        let cells = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return CSVLabelColumn.isHeader(cells) ? cells : nil
    }

    enum RowFailure: Error {
        case notNumeric(cell: Int, text: String)
        case notFinite(cell: Int, text: String)
        case tooManyCells

        func message(expected: Int) -> String {
            switch self {
            case let .notNumeric(cell, text): return "cell \(cell + 1) '\(text)' is not a number"
            case let .notFinite(cell, text): return "cell \(cell + 1) '\(text)' is not a finite number"
            case .tooManyCells: return "more than the expected \(expected) cells"
            }
        }
    }

    /// Parses comma-separated numbers into `row`; returns the number of cells.
    static func parseRow(_ line: UnsafeBufferPointer<UInt8>, into row: inout [Float]) -> Result<Int, RowFailure> {
        var cell = 0
        var start = 0
        while true {
            var end = start
            while end < line.count && line[end] != 0x2C { end += 1 }
            guard cell < row.count else { return .failure(.tooManyCells) }
            let text = UnsafeBufferPointer(rebasing: line[start..<end])
            guard let value = parseNumber(text) else {
                return .failure(.notNumeric(cell: cell, text: String(decoding: text, as: UTF8.self)))
            }
            guard value.isFinite else {
                return .failure(.notFinite(cell: cell, text: String(decoding: text, as: UTF8.self)))
            }
            row[cell] = value
            cell += 1
            if end >= line.count { return .success(cell) }
            start = end + 1
        }
    }

    /// Fast path for plain integers; anything else goes through `Float(_:)`.
    static func parseNumber(_ text: UnsafeBufferPointer<UInt8>) -> Float? {
        var lo = 0, hi = text.count
        while lo < hi && (text[lo] == 0x20 || text[lo] == 0x09) { lo += 1 }
        while hi > lo && (text[hi - 1] == 0x20 || text[hi - 1] == 0x09) { hi -= 1 }
        guard lo < hi else { return nil }
        if hi - lo <= 7 {
            var value = 0
            var allDigits = true
            for k in lo..<hi {
                let c = text[k]
                guard c >= 0x30 && c <= 0x39 else { allDigits = false; break }
                value = value * 10 + Int(c - 0x30)
            }
            if allDigits { return Float(value) }
        }
        return Float(String(decoding: UnsafeBufferPointer(rebasing: text[lo..<hi]), as: UTF8.self))
    }
}
