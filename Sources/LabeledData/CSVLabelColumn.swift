import Foundation

/// Which column of a labeled CSV file holds the label: the one rule every CSV reader of
/// the package follows (`LabeledCSV` and the `Datasets` module's `CSVDataset`).
///
/// - The first line is a header when none of its cells is a number (a first line that
///   mixes numbers and words is a data row with a bad cell, reported as such).
/// - A header cell names the label column when, ignoring case, surrounding spaces and
///   one pair of double quotes, it is one of `label`, `labels`, `class`, `target`, or
///   `y` in a header without an `x` column (next to `x`, `y` is a coordinate). That
///   column is the label wherever it stands (`x,y,class`, `class,x,y`, `label,f1,f2`).
/// - Two such cells (`label,class,x`) are refused: the file is ambiguous.
/// - A header that names no label column leaves the reader's own column (the first for
///   `LabeledCSV`, the declared one for `CSVDataset`), but only when that column is
///   obviously the label: its header cell must not look like a coordinate or feature
///   (`x`, `y`, `z`, or letters followed by digits such as `x1`, `f0`, `pixel12`), and
///   every value in it must be an integer (the readers check the values).
/// - A file without a header uses the reader's own column.
public enum CSVLabelColumn {
    /// The header names that mark the label column (lower case); `y` only counts in a
    /// header without an `x` column.
    public static let labelNames: [String] = ["label", "labels", "class", "target", "y"]

    /// The list of label names as help and error messages spell it.
    public static let labelNamesText = "label, labels, class, target, or y (without an x column)"

    /// Why a header was refused (its message is complete; readers wrap it in their own
    /// error type with the file and line).
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let problem: String
        public var description: String { problem }
    }

    /// A header cell as the rule compares it: trimmed, one pair of surrounding double
    /// quotes removed, lower case.
    public static func normalized<S: StringProtocol>(_ cell: S) -> String {
        var text = cell.trimmingCharacters(in: .whitespaces)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return text.lowercased()
    }

    /// Whether a file's first line is a header: none of its cells is a number.
    public static func isHeader<S: StringProtocol>(_ cells: [S]) -> Bool {
        cells.allSatisfy { Double($0.trimmingCharacters(in: .whitespaces)) == nil }
    }

    /// The indices of the header cells that name a label column.
    public static func labelCandidates<S: StringProtocol>(in header: [S]) -> [Int] {
        let names = header.map { normalized($0) }
        let hasX = names.contains("x")
        return names.indices.filter { i in
            let name = names[i]
            return name == "y" ? !hasX : labelNames.contains(name)
        }
    }

    /// Whether a header cell reads like the name of a coordinate or feature (`x`, `y`,
    /// `z`, or letters followed by digits: `x1`, `f0`, `pixel12`, `feature_3`).
    public static func looksLikeFeature<S: StringProtocol>(_ cell: S) -> Bool {
        let name = normalized(cell)
        if ["x", "y", "z"].contains(name) { return true }
        guard let firstDigit = name.firstIndex(where: \.isNumber), firstDigit > name.startIndex else { return false }
        let stem = name[..<firstDigit], digits = name[firstDigit...]
        let letters = stem.hasSuffix("_") || stem.hasSuffix("-") ? stem.dropLast() : stem[...]
        return !letters.isEmpty && letters.allSatisfy(\.isLetter) && digits.allSatisfy(\.isNumber)
    }

    /// The label column of a file.
    ///
    /// - Parameters:
    ///   - header: the header's cells, or `nil` when the file has none.
    ///   - defaultColumn: the reader's own label column (used without a header, or with a
    ///     header that names none and does not call that column a feature).
    /// - Returns: the column, or the refusal (two label names; no label name and a
    ///   feature-like name on the default column; a default column the header lacks).
    public static func resolve<S: StringProtocol>(header: [S]?, defaultColumn: Int) -> Result<Int, Refusal> {
        guard let header else { return .success(defaultColumn) }
        let shown = header.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ",")
        let candidates = labelCandidates(in: header)
        if candidates.count > 1 {
            let named = candidates.map { "'\(header[$0].trimmingCharacters(in: .whitespaces))' (column \($0 + 1))" }
            return .failure(Refusal(problem: "the header '\(shown)' names more than one label column: \(named.joined(separator: " and ")); keep one of \(labelNamesText)"))
        }
        if let column = candidates.first { return .success(column) }
        guard defaultColumn >= 0, defaultColumn < header.count else {
            return .failure(Refusal(problem: "the header '\(shown)' has \(header.count) cells and names no label column (\(labelNamesText))"))
        }
        if looksLikeFeature(header[defaultColumn]) {
            return .failure(Refusal(problem: "the header '\(shown)' names no label column and calls column \(defaultColumn + 1) '\(header[defaultColumn].trimmingCharacters(in: .whitespaces))', a feature: name the label column \(labelNamesText)"))
        }
        return .success(defaultColumn)
    }

    /// What a reader adds to a "not an integer label" message when a header named no
    /// label column, so the user sees which rule picked the column.
    public static func unnamedColumnNote(column: Int) -> String {
        " (the header names no label column, so column \(column + 1) was taken as the label; name the label column \(labelNamesText))"
    }
}
