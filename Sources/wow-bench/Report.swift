import Foundation

/// Printing and exporting benchmark rows.
enum Report {
    static func print(_ rows: [Row]) {
        let header = ["group", "name", "shape", "threads", "median ms", "details"]
        let body = rows.map { row in
            [row.group, row.name, row.shape, String(row.threads), String(format: "%.3f", row.medianMs),
             row.extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")]
        }
        let widths = header.indices.map { c in ([header] + body).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ")
        }
        Swift.print(line(header))
        Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-"))
        for cells in body { Swift.print(line(cells)) }
    }

    static func csv(_ rows: [Row]) -> String {
        let keys = Array(Set(rows.flatMap { $0.extra.keys })).sorted()
        var text = (["group", "name", "shape", "threads", "median_ms"] + keys).joined(separator: ",") + "\n"
        for row in rows {
            let cells = [row.group, row.name, row.shape, String(row.threads), String(row.medianMs)] + keys.map { row.extra[$0] ?? "" }
            text += cells.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") + "\n"
        }
        return text
    }

    static func json(_ rows: [Row]) throws -> String {
        let objects: [[String: Any]] = rows.map { row in
            ["group": row.group, "name": row.name, "shape": row.shape, "threads": row.threads,
             "median_ms": row.medianMs, "details": row.extra]
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Peak resident set size of this process (VmHWM), in MiB.
    static func peakResidentMiB() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return "unknown" }
        let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "") ?? 0
        return String(format: "%.0f", kb / 1024)
    }
}

/// The resident memory of this process (Linux `/proc/self`), in MB (10^6 bytes).
enum ResidentMemory {
    /// `VmRSS` or `VmHWM` from `/proc/self/status`, in MB (0 when unreadable).
    static func status(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kb = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return kb * 1024 / 1e6
    }

    /// Resets the peak (`VmHWM`) to the current resident size (writing 5 to
    /// `/proc/self/clear_refs`) and returns that size.
    @discardableResult
    static func resetPeak() -> Double {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return status("VmRSS")
    }

    /// The peak resident size since the last `resetPeak` (or the start).
    static func peakMB() -> Double { status("VmHWM") }
}
