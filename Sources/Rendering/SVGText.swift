import Foundation

/// Text and number helpers for SVG output.
enum SVGText {
    /// Escapes `& < > " '` and drops characters XML 1.0 forbids (most C0 controls).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A coordinate with two decimals.
    static func num(_ v: Double) -> String { String(format: "%.2f", v) }
}
