import FlowGeometry
import Flows
import Foundation
import NumPyFiles
import WoWCompute

/// Checkpoints as one `.npz` archive, replaced atomically: the new archive is written to
/// a temporary file in the same folder, flushed to disk (`fsync`), renamed over the old
/// one, and the folder is flushed, so a crash at any moment leaves the old or the new
/// checkpoint whole.
///
/// Members, readable with `np.load(path)` (`"/"` separates a member's parts):
/// - `checkpoint/format` (`int64`, `[1]`): the format version, 1;
/// - `checkpoint/sha256` (`uint8`, `[64]`): the SHA-256, in hexadecimal ASCII, of every
///   other member, in name order: name, dtype, shape and little-endian value bytes
///   (`CheckpointDigest`);
/// - `flow/moves` (`int64`): moves done; `flow/losses` (`float64`): the loss history
///   (`losses[k]` at the state after `k` moves, for `k < moves`);
/// - `generator/state` (`uint64`, `[4]`): the xoshiro256** state;
/// - `state/...`: the flow state (`state/points/<c>`, `state/weights/<c>`,
///   `state/class_weights`, `state/labels` for a labeled dataset);
/// - `integrator/...`, `functional/...`: their memory (`integrator/velocity/class/<c>`
///   for momentum; `integrator/first/...`, `integrator/second/...`, `integrator/steps`
///   for AdamW);
/// - `identity/keys`, `identity/values` (`int64` UTF-8 rows, padded with -1): the run's
///   options and data checksums.
public struct NPZCheckpointStore: CheckpointStore, Sendable {
    /// The archive's path.
    public let url: URL

    public init(url: URL) { self.url = url }

    public var location: String { url.path }

    /// The current format version.
    public static let formatVersion: Int64 = 1

    public func load() throws -> CheckpointArrays? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let archive: NPZArchive
        do { archive = try NPZArchive(contentsOf: url) } catch {
            throw CheckpointError.corrupt(file: url.path, reason: "\(error)")
        }
        var arrays = CheckpointArrays()
        for entry in archive.entries where !entry.name.hasPrefix("checkpoint/") {
            arrays[entry.name] = try Self.checkpointArray(entry.array, name: entry.name, file: url.path)
        }
        guard case let .int64(version)? = archive["checkpoint/format"]?.elements, version == [Self.formatVersion] else {
            throw CheckpointError.corrupt(file: url.path, reason: "no checkpoint/format member of version \(Self.formatVersion)")
        }
        guard case let .uint8(stored)? = archive["checkpoint/sha256"]?.elements else {
            throw CheckpointError.corrupt(file: url.path, reason: "no checkpoint/sha256 member")
        }
        let digest = CheckpointDigest.hex(arrays)
        guard String(decoding: stored, as: UTF8.self) == digest else {
            throw CheckpointError.corrupt(file: url.path, reason: "its contents do not match its SHA-256 (stored \(String(decoding: stored, as: UTF8.self).prefix(16))..., computed \(digest.prefix(16))...)")
        }
        return arrays
    }

    public func save(_ arrays: CheckpointArrays) throws {
        var archive = NPZArchive()
        for name in arrays.keys.sorted() {
            guard !name.hasPrefix("checkpoint/") else { throw CheckpointError.malformed("'\(name)' is a reserved member name") }
            archive.set(try Self.numPyArray(arrays[name]!), named: name)
        }
        archive.set(NumPyArray(vector: .int64([Self.formatVersion])), named: "checkpoint/format")
        archive.set(NumPyArray(vector: .uint8(Array(CheckpointDigest.hex(arrays).utf8))), named: "checkpoint/sha256")
        try AtomicFile.write(try archive.npzData(), to: url)
    }

    static func numPyArray(_ array: CheckpointArray) throws -> NumPyArray {
        switch array {
        case let .float32(v, shape): return try NumPyArray(shape: shape, elements: .float32(v))
        case let .float64(v, shape): return try NumPyArray(shape: shape, elements: .float64(v))
        case let .int64(v, shape): return try NumPyArray(shape: shape, elements: .int64(v))
        case let .uint64(v, shape): return try NumPyArray(shape: shape, elements: .uint64(v))
        }
    }

    static func checkpointArray(_ array: NumPyArray, name: String, file: String) throws -> CheckpointArray {
        switch array.elements {
        case let .float32(v): return .float32(v, shape: array.shape)
        case let .float64(v): return .float64(v, shape: array.shape)
        case let .int64(v): return .int64(v, shape: array.shape)
        case let .uint64(v): return .uint64(v, shape: array.shape)
        default: throw CheckpointError.corrupt(file: file, reason: "member '\(name)' has dtype \(array.dtype), not one a checkpoint writes")
        }
    }
}

/// The content digest of checkpoint arrays: SHA-256 over every array in name order, each
/// as its name, a zero byte, its type tag, its shape (little-endian `Int64`s) and its
/// values' little-endian bytes.
public enum CheckpointDigest {
    public static func hex(_ arrays: CheckpointArrays) -> String {
        var hasher = SHA256()
        for name in arrays.keys.sorted() {
            hasher.update(Array(name.utf8) + [0])
            let array = arrays[name]!
            hasher.update(raw: array.shape.map { Int64($0).littleEndian })
            switch array {
            case let .float32(v, _): hasher.update([1]); hasher.update(raw: v.map { $0.bitPattern.littleEndian })
            case let .float64(v, _): hasher.update([2]); hasher.update(raw: v.map { $0.bitPattern.littleEndian })
            case let .int64(v, _): hasher.update([3]); hasher.update(raw: v.map { $0.littleEndian })
            case let .uint64(v, _): hasher.update([4]); hasher.update(raw: v.map { $0.littleEndian })
            }
        }
        return hasher.finalize().hexString
    }
}

/// Writing a file so that readers see the old or the new contents, never a mixture.
public enum AtomicFile {
    /// Writes `data` to a fresh temporary file next to `url`, flushes it to disk, renames
    /// it over `url` and flushes the folder.
    ///
    /// - Throws: `CheckpointError.unwritable` naming `url` when any step fails (the
    ///   temporary file is removed).
    public static func write(_ data: Data, to url: URL) throws {
        do {
            let file = try AtomicFileWriter(url: url)
            try file.write(data)
            try file.commit(durable: true)
        } catch let failure as AtomicFileWriter.Failure {
            throw CheckpointError.unwritable(file: url.path, reason: "\(failure)")
        }
    }
}
