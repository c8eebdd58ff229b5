/// Word wrapping and two-column tables for help text.
enum TextLayout {
    /// `text` wrapped to `width` columns at spaces. The first line is assumed to start at
    /// `startColumn` (already indented by the caller); later lines get `indent` spaces.
    /// Existing newlines are kept; words longer than a line are not split.
    static func wrap(_ text: String, width: Int, indent: Int = 0, startColumn: Int = 0) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .enumerated()
            .map { number, paragraph in
                let words = paragraph.split(separator: " ").map(String.init)
                let lead = number == 0 ? startColumn : indent
                let body = wrap(words: words, width: width, indent: indent, startColumn: lead)
                return (number == 0 || body.isEmpty ? "" : String(repeating: " ", count: indent)) + body
            }
            .joined(separator: "\n")
    }

    /// Unbreakable `words` joined by single spaces and wrapped like `wrap(_:width:indent:startColumn:)`.
    static func wrap(words: [String], width: Int, indent: Int = 0, startColumn: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent)
        var out = ""
        var column = startColumn
        for word in words {
            if out.isEmpty {
                out = word
                column += word.count
            } else if column + 1 + word.count > width {
                out += "\n" + pad + word
                column = indent + word.count
            } else {
                out += " " + word
                column += 1 + word.count
            }
        }
        return out
    }

    /// Rows of `label  description`, labels indented by 2 and descriptions aligned in one
    /// column. A description is a list of unbreakable units (usually single words).
    /// A label wider than `maxLabel` gets its description on the next line.
    static func table(_ rows: [(label: String, units: [String])], width: Int, maxLabel: Int = 26) -> String {
        let labelWidth = min(rows.map(\.label.count).max() ?? 0, maxLabel)
        let column = 2 + labelWidth + 2
        var out = ""
        for row in rows {
            let left = "  " + row.label
            let text = wrap(words: row.units, width: width, indent: column, startColumn: column)
            if row.units.isEmpty {
                out += left + "\n"
            } else if row.label.count <= labelWidth {
                out += left + String(repeating: " ", count: column - left.count) + text + "\n"
            } else {
                out += left + "\n" + String(repeating: " ", count: column) + text + "\n"
            }
        }
        return out
    }
}
