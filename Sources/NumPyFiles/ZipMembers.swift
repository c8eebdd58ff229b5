import Foundation

/// Reading members of any zip archive (a Python wheel, say), with the same checks as the
/// `.npz` reader: every offset bounds-checked, stored or deflated members, CRC-32 verified.
public enum ZipMembers {
    /// The member names of the archive at `url`, in central-directory order.
    ///
    /// - Throws: `NumPyFileError` (`.fileNotFound`, `.unreadable`, `.malformedArchive`, ...).
    public static func names(inArchiveAt url: URL) throws -> [String] {
        let data = try readFile(url)
        return try locatingErrors(path: url.path) {
            try data.withUnsafeBytes { try ZipReader($0).entries().map(\.name) }
        }
    }

    /// The uncompressed bytes of the member called `name`.
    ///
    /// - Throws: `NumPyFileError` naming the file (and the member), with
    ///   `.arrayNotFound` when there is no such member.
    /// - Complexity: O(archive directory + member size).
    public static func contents(of name: String, inArchiveAt url: URL) throws -> Data {
        let data = try readFile(url)
        return try locatingErrors(path: url.path, member: name) {
            try data.withUnsafeBytes { raw in
                let reader = ZipReader(raw)
                let entries = try reader.entries()
                guard let entry = entries.first(where: { $0.name == name }) else {
                    throw NumPyFileError(problem: .arrayNotFound(name: name, available: entries.map(\.name).prefix(20).map { $0 }))
                }
                return try reader.contents(of: entry)
            }
        }
    }
}
