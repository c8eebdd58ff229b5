import Foundation
import WoWCompute

/// Reading and writing labeled datasets as CSV: one point per line, the class an
/// integer, `class,f1,...,fd` unless a header names the label column elsewhere. The first
/// line (after blank lines and comments) is a header when none of its cells is a
/// number; which column holds the label follows `CSVLabelColumn` (a header cell `label`,
/// `labels`, `class`, `target` or `y` anywhere; otherwise the first column). Any later
/// line with a non-numeric cell is an error. Blank lines and lines starting with `#` are
/// skipped; lines end in LF or CRLF.
public enum LabeledCSV {
    /// Parses CSV text into a labeled dataset (classes in increasing label order).
    ///
    /// - Parameter source: a name for error messages (usually the path).
    /// - Throws: `DataError.malformedFile` naming the line for ragged rows, non-numeric
    ///   cells, non-integer labels, NaN/inf values, an empty file, or a header that
    ///   `CSVLabelColumn` refuses (two label names; no label name over a feature-like
    ///   first column).
    public static func parse(_ text: String, source: String = "<csv>") throws -> LabeledDataset {
        var labels = [Int]()
        var values = [Float]()
        var width: Int?
        var lineNumber = 0
        var sawContent = false
        var labelColumn = 0
        var header: [String]?
        var labelColumnNamed = false
        // `Character.isNewline` covers "\n" and the single grapheme "\r\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let cells = trimmed.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            defer { sawContent = true }
            if !sawContent && CSVLabelColumn.isHeader(cells) {
                switch CSVLabelColumn.resolve(header: cells, defaultColumn: 0) {
                case let .success(column):
                    labelColumn = column
                    labelColumnNamed = !CSVLabelColumn.labelCandidates(in: cells).isEmpty
                case let .failure(refusal):
                    throw DataError.malformedFile(path: source, line: lineNumber, problem: refusal.problem)
                }
                header = cells
                continue
            }
            guard cells.count >= 2 else {
                throw DataError.malformedFile(path: source, line: lineNumber, problem: "expected a label and at least one feature, found \(cells.count) cell(s)")
            }
            if let width, cells.count != width {
                throw DataError.malformedFile(path: source, line: lineNumber, problem: "ragged row: \(cells.count) cells, earlier rows have \(width)")
            }
            if width == nil, let header, cells.count != header.count {
                throw DataError.malformedFile(path: source, line: lineNumber, problem: "\(cells.count) cells, but the header has \(header.count)")
            }
            width = cells.count
            let cell = cells[labelColumn]
            guard let label = Int(cell) ?? Double(cell).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }) else {
                var problem = "label '\(cell)' is not an integer"
                if Double(cell) == nil { problem += " (only the first line may be a header)" }
                if header != nil && !labelColumnNamed { problem += CSVLabelColumn.unnamedColumnNote(column: labelColumn) }
                throw DataError.malformedFile(path: source, line: lineNumber, problem: problem)
            }
            labels.append(label)
            for (column, cell) in cells.enumerated() where column != labelColumn {
                guard let value = Float(cell) else {
                    throw DataError.malformedFile(path: source, line: lineNumber, problem: "cell \(column + 1) '\(cell)' is not a number")
                }
                guard value.isFinite else {
                    throw DataError.malformedFile(path: source, line: lineNumber, problem: "cell \(column + 1) is not finite")
                }
                values.append(value)
            }
        }
        guard let width else {
            throw DataError.malformedFile(path: source, line: lineNumber, problem: "no data rows")
        }
        let points = try Matrix(rows: labels.count, columns: width - 1, storage: values)
        return try LabeledDataset(points: points, labels: labels)
    }

    /// Reads a CSV file.
    public static func read(contentsOf url: URL) throws -> LabeledDataset {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        return try parse(text, source: url.path)
    }

    /// The labels as non-negative integers when every one is written as one (`"0"`,
    /// `"17"`), `nil` otherwise.
    public static func integerLabels(_ labels: [String]) -> [Int]? {
        var values = [Int]()
        for label in labels {
            guard let value = Int(label), value >= 0, String(value) == label else { return nil }
            values.append(value)
        }
        return values
    }

    /// CSV text with a header `class,x1,...,xd` (or the given column names) and one row
    /// per point. The class column holds the dataset's labels when they are all
    /// non-negative integers (`integerLabels`); otherwise the class index, with a
    /// `# classes:` comment line naming each index, so that `parse` reads every file
    /// `format` writes.
    public static func format(_ dataset: LabeledDataset, featureNames: [String]? = nil) -> String {
        let values = integerLabels(dataset.labels)
        var out = header(dimension: dataset.dimension, classNames: values == nil ? dataset.labels : nil, featureNames: featureNames)
        for (c, measure) in dataset.classes.enumerated() {
            appendRows(measure.points, label: { _ in values?[c] ?? c }, to: &out)
        }
        return out
    }

    /// CSV text of points with integer labels: a header `class,x1,...,xd` (or the given
    /// column names) and one row `label,features...` per point. When `classNames` is
    /// given and is not `"0"`, `"1"`, ... in order, a first line
    /// `# classes: 0 = name; 1 = name; ...` names every label (`parse` skips it).
    ///
    /// - Precondition: one label per row of `points`. Package access: its only caller,
    ///   `LabeledSamples.csvText`, passes a `LabeledSamples`' own features and labels, whose
    ///   initialiser already refused a count mismatch, so the check cannot fire from user data.
    package static func format(points: Matrix, labels: [Int], classNames: [String]?, featureNames: [String]? = nil) -> String {
        precondition(labels.count == points.rows, "one label per point")
        var out = header(dimension: points.columns, classNames: classNames, featureNames: featureNames)
        appendRows(points, label: { labels[$0] }, to: &out)
        return out
    }

    /// The optional `# classes:` line and the header line.
    static func header(dimension: Int, classNames: [String]?, featureNames: [String]?) -> String {
        let names = featureNames ?? (0..<dimension).map { "x\($0 + 1)" }
        var out = ""
        if let classNames, classNames != classNames.indices.map(String.init) {
            out += "# classes: " + classNames.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: "; ") + "\n"
        }
        return out + "class," + names.joined(separator: ",") + "\n"
    }

    /// One row `label,features...` per row of `points`.
    static func appendRows(_ points: Matrix, label: (Int) -> Int, to out: inout String) {
        appendRows(points, 0..<points.rows, label: label, to: &out)
    }

    /// One row `label,features...` per row `i` of `points` in `rows` (each value as its
    /// `description`).
    static func appendRows(_ points: Matrix, _ rows: Range<Int>, label: (Int) -> Int, to out: inout String) {
        let columns = points.columns
        points.withUnsafeBufferPointer { values in
            for i in rows {
                out += String(label(i))
                for j in 0..<columns {
                    out += ","
                    values[i * columns + j].write(to: &out)
                }
                out += "\n"
            }
        }
    }

    /// Writes to `url` the text `format(points:labels:classNames:featureNames:)` gives for
    /// the blocks' points stacked in order, every row of a block labelled with its
    /// `label`, without building that text or stacking the points: a few rows at a time
    /// to a temporary file next to `url`, renamed into place at the end (creating parent
    /// directories). For data sets too large to hold twice (a flowed Fashion-MNIST's CSV
    /// is half a gigabyte).
    ///
    /// - Throws: `DataError.dimensionMismatch` when a block does not have `dimension`
    ///   columns or `featureNames` does not name `dimension` columns (nothing is written);
    ///   `DataError.unwritableFile`.
    public static func write(blocks: [(points: Matrix, label: Int)], classNames: [String]?, featureNames: [String]? = nil,
                             dimension: Int, to url: URL) throws {
        if let featureNames, featureNames.count != dimension {
            throw DataError.dimensionMismatch(expected: dimension, found: featureNames.count, context: "feature names of the CSV")
        }
        for (index, block) in blocks.enumerated() where block.points.columns != dimension {
            throw DataError.dimensionMismatch(expected: dimension, found: block.points.columns, context: "columns of CSV block \(index)")
        }
        do {
            let file = try AtomicFileWriter(url: url)
            var text = header(dimension: dimension, classNames: classNames, featureNames: featureNames)
            let chunk = 1 << 20
            text.reserveCapacity(2 * chunk)
            for (points, label) in blocks {
                var start = 0
                while start < points.rows {
                    let end = min(points.rows, start + 64)
                    appendRows(points, start..<end, label: { _ in label }, to: &text)
                    start = end
                    if text.utf8.count >= chunk {
                        try text.withUTF8 { try file.write(UnsafeRawBufferPointer($0)) }
                        text.removeAll(keepingCapacity: true)
                    }
                }
            }
            try text.withUTF8 { try file.write(UnsafeRawBufferPointer($0)) }
            try file.commit()
        } catch let failure as AtomicFileWriter.Failure {
            throw DataError.unwritableFile(path: url.path, reason: failure.reason)
        }
    }

    /// Writes `format(dataset)` to `url`, creating parent directories.
    public static func write(_ dataset: LabeledDataset, to url: URL, featureNames: [String]? = nil) throws {
        try writeText(format(dataset, featureNames: featureNames), to: url)
    }

    /// Writes text, creating parent directories, with a typed error on failure.
    public static func writeText(_ text: String, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw DataError.unwritableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
