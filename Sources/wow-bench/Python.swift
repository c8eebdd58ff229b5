import Foundation

/// Runs `python3 -c script` and returns its standard output, or `nil` when python3 is
/// missing or the script fails (e.g. numpy or POT not installed).
func runPython(_ script: String, arguments: [String] = []) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
}

/// Parses `name=value name=value ...` (numbers) as printed by the comparison scripts.
func keyValues(_ output: String) -> [String: Double] {
    var result = [String: Double]()
    for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
        let parts = pair.split(separator: "=")
        if parts.count == 2, let value = Double(parts[1]) { result[String(parts[0])] = value }
    }
    return result
}
