import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)`, which the writer's own `write` methods hide.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, bytes, count)
    #else
    return Darwin.write(fd, bytes, count)
    #endif
}

/// A file written piece by piece to a temporary file next to its destination and renamed
/// into place by `commit()`, so that readers never see a partial file and a large file is
/// never held in memory whole (the writers of flowed data sets: CSV and `.npz`). Without
/// `commit()` (an error on the way) the temporary file is removed.
package final class AtomicFileWriter {
    /// Why a file could not be written.
    package struct Failure: Error, CustomStringConvertible {
        package let reason: String
        package var description: String { reason }
    }

    /// The destination.
    package let url: URL
    /// Bytes written so far.
    package private(set) var offset = 0
    private let temporaryPath: String
    private var descriptor: Int32

    /// Creates the missing parent directories and the temporary file (mode 0666 less the
    /// umask, as a plain write would).
    ///
    /// - Throws: `Failure` with the system's reason.
    package init(url: URL) throws {
        self.url = url
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(reason: error.localizedDescription)
        }
        var path = "", fd: Int32 = -1
        for _ in 0..<100 {
            path = directory.appendingPathComponent(".\(url.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).tmp").path
            fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Failure(reason: Self.systemReason()) }
        temporaryPath = path
        descriptor = fd
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`.
    ///
    /// - Throws: `Failure` with the system's reason.
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = systemWrite(descriptor, base, min(left, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: Self.systemReason())
            }
            base += written
            left -= written
            offset += written
        }
    }

    package func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    package func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Closes the temporary file and renames it to the destination. `durable` also
    /// flushes the file to disk before the rename and the folder after it (`fsync`), so
    /// that after a crash at any moment the old or the new file is found whole
    /// (checkpoints).
    ///
    /// - Throws: `Failure` with the system's reason.
    package func commit(durable: Bool = false) throws {
        let fd = descriptor
        descriptor = -1
        guard !durable || fsync(fd) == 0 else {
            let reason = Self.systemReason()
            close(fd)
            unlink(temporaryPath)
            throw Failure(reason: reason)
        }
        guard close(fd) == 0 else {
            let reason = Self.systemReason()
            unlink(temporaryPath)
            throw Failure(reason: reason)
        }
        guard rename(temporaryPath, url.path) == 0 else {
            let reason = Self.systemReason()
            unlink(temporaryPath)
            throw Failure(reason: reason)
        }
        if durable {
            let directory = open(url.deletingLastPathComponent().path, O_RDONLY)
            if directory >= 0 {
                _ = fsync(directory)
                close(directory)
            }
        }
    }

    private static func systemReason() -> String { String(cString: strerror(errno)) }
}
