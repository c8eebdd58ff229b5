import Foundation

/// Throws `.fileNotFound` or `.unreadable` unless `url` names an existing non-directory.
private func checkReadable(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw NumPyFileError(path: url.path, problem: .fileNotFound)
    }
    guard !isDirectory.boolValue else {
        throw NumPyFileError(path: url.path, problem: .unreadable(reason: "it is a directory"))
    }
}

/// Reads the whole file at `url` into memory. The file is read, not memory-mapped, so a
/// file truncated by another process while it is decoded cannot fault.
///
/// - Throws: `NumPyFileError` with `.fileNotFound`, or `.unreadable` and the system's reason.
func readFile(_ url: URL) throws -> Data {
    try checkReadable(url)
    do {
        return try Data(contentsOf: url)
    } catch {
        throw NumPyFileError(path: url.path, problem: .unreadable(reason: error.localizedDescription))
    }
}

/// Reads the first bytes of the file at `url`: `initialCount` bytes, then as many as
/// `totalCount` computes from them (clamped to what the file holds). Used to read an NPY
/// preamble and header without the data.
///
/// - Throws: `NumPyFileError` with `.fileNotFound`, or `.unreadable` and the system's reason.
func readFilePrefix(_ url: URL, initialCount: Int, totalCount: (Data) -> Int) throws -> Data {
    try checkReadable(url)
    do {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var data = try handle.read(upToCount: initialCount) ?? Data()
        let fileSize = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? Int.max
        let wanted = min(totalCount(data), fileSize)
        if data.count == initialCount, wanted > initialCount {
            data += try handle.read(upToCount: wanted - initialCount) ?? Data()
        }
        return data
    } catch {
        throw NumPyFileError(path: url.path, problem: .unreadable(reason: error.localizedDescription))
    }
}

/// Writes `data` to `url` atomically (a temporary file renamed into place, so readers never
/// see a partial file), creating missing parent directories.
///
/// - Throws: `NumPyFileError` with `.unwritable` and the system's reason.
func writeFileAtomically(_ data: Data, to url: URL) throws {
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    } catch {
        throw NumPyFileError(path: url.path, problem: .unwritable(reason: error.localizedDescription))
    }
}
