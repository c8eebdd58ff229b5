import Foundation

/// How `.npz` members are written.
public struct NPZCompression: Sendable, Equatable, CustomStringConvertible {
    /// The zlib level, or `nil` for stored (uncompressed) members.
    public let deflateLevel: Int?

    /// Members stored uncompressed (zip method 0), as `numpy.savez` writes them.
    public static let stored = NPZCompression(deflateLevel: nil)
    /// Members deflated (zip method 8) at zlib's default level 6, as `numpy.savez_compressed`.
    public static let deflated = NPZCompression(deflateLevel: 6)

    /// Members deflated at `level`, 0 (fastest, no compression) to 9 (smallest).
    ///
    /// - Throws: `NumPyFileError` with `.invalidParameter` outside 0...9.
    public static func deflated(level: Int) throws -> NPZCompression {
        guard (0...9).contains(level) else {
            throw NumPyFileError(problem: .invalidParameter(name: "deflate level", reason: "\(level) is outside 0...9"))
        }
        return NPZCompression(deflateLevel: level)
    }

    private init(deflateLevel: Int?) {
        self.deflateLevel = deflateLevel
    }

    /// `stored` or `deflated(level: n)`.
    public var description: String {
        deflateLevel.map { "deflated(level: \($0))" } ?? "stored"
    }
}

/// The arrays of an `.npz` file, in archive order: what `numpy.savez` /
/// `numpy.savez_compressed` write and `numpy.load` returns as an `NpzFile`.
///
/// An `.npz` is a zip archive (PKWARE APPNOTE.TXT) whose members are `.npy` files named
/// `<array name>.npy`; the array name is the member name without that suffix. Reading accepts
/// stored and deflated members, zip64, and checks every member's CRC-32; members whose names
/// do not end in `.npy` are listed in `skippedMembers`. Writing produces members NumPy loads
/// with identical values (see `npzData(compression:forceZip64:)`).
public struct NPZArchive: Sendable, Equatable {
    /// A named array.
    public struct Entry: Sendable, Equatable {
        /// The array name (the member name without `.npy`).
        public let name: String
        /// The array.
        public var array: NumPyArray
    }

    /// The arrays, in archive (or insertion) order; names are unique.
    public private(set) var entries: [Entry] = []
    /// Index of each name in `entries`, for O(1) lookups.
    private var positions: [String: Int] = [:]
    /// Names of members that were not read because they are not `.npy` files (including
    /// directory entries), in archive order. Always empty for archives built in memory.
    public private(set) var skippedMembers: [String] = []

    /// An empty archive.
    public init() {}

    /// An archive of the given arrays, in the given order.
    ///
    /// - Throws: `NumPyFileError` with `.duplicateName` when a name repeats.
    public init(_ arrays: [(name: String, array: NumPyArray)]) throws {
        for (name, array) in arrays {
            guard positions[name] == nil else { throw NumPyFileError(problem: .duplicateName(name)) }
            positions[name] = entries.count
            entries.append(Entry(name: name, array: array))
        }
    }

    /// An archive of the dictionary's arrays, ordered by name (so output is deterministic).
    public init(_ arrays: [String: NumPyArray]) {
        entries = arrays.sorted { $0.key < $1.key }.map { Entry(name: $0.key, array: $0.value) }
        reindex()
    }

    private mutating func reindex() {
        positions = Dictionary(entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Equal when the entries (names, order, values) and skipped members are equal.
    public static func == (lhs: NPZArchive, rhs: NPZArchive) -> Bool {
        lhs.entries == rhs.entries && lhs.skippedMembers == rhs.skippedMembers
    }

    /// The array names, in order.
    public var names: [String] { entries.map(\.name) }

    /// The arrays keyed by name (what `dict(numpy.load(path))` gives).
    public var arrays: [String: NumPyArray] {
        Dictionary(entries.map { ($0.name, $0.array) }, uniquingKeysWith: { first, _ in first })
    }

    /// The array named `name`, or `nil`. O(1) on average.
    public subscript(name: String) -> NumPyArray? {
        positions[name].map { entries[$0].array }
    }

    /// The array named `name`.
    ///
    /// - Throws: `NumPyFileError` with `.arrayNotFound`, listing the available names.
    public func array(named name: String) throws -> NumPyArray {
        guard let array = self[name] else {
            throw NumPyFileError(problem: .arrayNotFound(name: name, available: names))
        }
        return array
    }

    /// Replaces the array named `name` in place, or appends it if the name is new.
    /// O(1) on average.
    public mutating func set(_ array: NumPyArray, named name: String) {
        if let index = positions[name] {
            entries[index].array = array
        } else {
            positions[name] = entries.count
            entries.append(Entry(name: name, array: array))
        }
    }

    /// Removes and returns the array named `name`, if present. O(number of arrays).
    @discardableResult
    public mutating func remove(named name: String) -> NumPyArray? {
        guard let index = positions[name] else { return nil }
        let removed = entries.remove(at: index).array
        reindex()
        return removed
    }

    /// Decodes an `.npz` image. O(archive size).
    ///
    /// - Parameters:
    ///   - path: the file name to put in errors, if any.
    ///   - fortranOrder: how to treat members stored in Fortran order (default: reject).
    /// - Throws: `NumPyFileError` (with `member` set for member-level problems):
    ///   `.malformedArchive`, `.unsupportedArchiveFeature`, `.checksumMismatch`,
    ///   `.compressionFailed`, `.duplicateName`, or any `.npy` error of a member.
    public init(npzData: Data, path: String? = nil, fortranOrder: FortranOrderHandling = .reject) throws {
        var entries = [Entry]()
        var skipped = [String]()
        var seen = Set<String>()
        try locatingErrors(path: path) {
            try npzData.withUnsafeBytes { raw in
                let reader = ZipReader(raw)
                for member in try reader.entries() {
                    guard member.name.hasSuffix(".npy") else {
                        skipped.append(member.name)
                        continue
                    }
                    let name = String(member.name.dropLast(4))
                    try locatingErrors(path: path, member: member.name) {
                        guard seen.insert(name).inserted else {
                            throw NumPyFileError(problem: .duplicateName(name))
                        }
                        let contents = try reader.contents(of: member)
                        let array = try contents.withUnsafeBytes {
                            try NumPyArray.decodeNPY($0, fortranOrder: fortranOrder)
                        }
                        entries.append(Entry(name: name, array: array))
                    }
                }
            }
        }
        self.entries = entries
        self.skippedMembers = skipped
        reindex()
    }

    /// Reads the `.npz` file at `url`; errors name `url.path`.
    ///
    /// - Throws: `NumPyFileError` with `.fileNotFound` / `.unreadable`, or as `init(npzData:)`.
    public init(contentsOf url: URL, fortranOrder: FortranOrderHandling = .reject) throws {
        try self.init(npzData: try readFile(url), path: url.path, fortranOrder: fortranOrder)
    }

    /// The `.npz` image: one member `<name>.npy` per array, in order, each the array's
    /// `npyData()`, with CRC-32 and sizes in the headers (no data descriptors). `numpy.load`
    /// returns the same names, dtypes, shapes and bit patterns. Output is deterministic.
    /// O(total bytes), plus deflate time when compressing.
    ///
    /// - Parameters:
    ///   - compression: `.stored` (as `numpy.savez`) or `.deflated` (as `savez_compressed`).
    ///   - forceZip64: write zip64 records even when the archive does not need them (they
    ///     are written automatically beyond 4 GiB or 65534 members).
    /// - Throws: `NumPyFileError` with `.invalidName` for an empty or over-long name, or as
    ///   `NumPyArray.npyData()`.
    public func npzData(compression: NPZCompression = .stored, forceZip64: Bool = false) throws -> Data {
        var writer = ZipWriter(forceZip64: forceZip64)
        for entry in entries {
            let member = entry.name + ".npy"
            guard !entry.name.isEmpty else {
                throw NumPyFileError(member: member, problem: .invalidName(entry.name, reason: "array names must not be empty"))
            }
            let npy = try locatingErrors(path: nil, member: member) { try entry.array.npyData() }
            try writer.addMember(name: member, contents: npy, deflateLevel: compression.deflateLevel.map(Int32.init))
        }
        return writer.finish()
    }

    /// Writes `npzData(compression:forceZip64:)` to `url` atomically, creating parent
    /// directories.
    ///
    /// - Throws: `NumPyFileError` naming `url.path`: `.unwritable`, or as `npzData`.
    public func write(to url: URL, compression: NPZCompression = .stored, forceZip64: Bool = false) throws {
        let data = try locatingErrors(path: url.path) {
            try npzData(compression: compression, forceZip64: forceZip64)
        }
        try writeFileAtomically(data, to: url)
    }
}
