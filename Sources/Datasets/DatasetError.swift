/// Why a data set, a data file or a request on a data set was refused.
///
/// Every case that concerns a file names the file, so a message is enough to find the
/// problem without a debugger.
public enum DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file does not exist (or is not a regular file).
    case missingFile(path: String)
    /// The file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// A file that cannot be written (the reason from the system).
    case unwritableFile(path: String, reason: String)
    /// The file's contents are not what its format promises (bad magic number, truncated
    /// data, ragged CSV row, non-numeric cell, ...). `location` is a line or byte offset
    /// when one is known.
    case corruptFile(path: String, location: String?, problem: String)
    /// Two files that must agree (images and labels) do not.
    case inconsistentFiles(first: String, second: String, problem: String)
    /// A request that the data cannot satisfy (more samples than a class holds, a class
    /// that does not exist, an empty selection).
    case cannotSatisfy(String)
    /// Features whose shape does not fit what was asked.
    case shapeMismatch(String)
    /// A NaN or infinite feature.
    case nonFinite(context: String)
    /// A data set name the registry does not know.
    case unknownDataset(name: String, known: [String])
    /// A split the data set does not have.
    case unknownSplit(dataset: String, split: String, available: [String])
    /// A known data set whose files were not found in any search location.
    case notInstalled(dataset: String, searched: [String], hint: String)
    /// Obtaining a data set failed (a package manager or download step).
    case fetchFailed(dataset: String, reason: String)
    /// An argument that makes no sense (negative counts, empty sizes, ...).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .missingFile(path):
            return "\(path): no such file"
        case let .unreadableFile(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .unwritableFile(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .corruptFile(path, location, problem):
            if let location { return "\(path) (\(location)): \(problem)" }
            return "\(path): \(problem)"
        case let .inconsistentFiles(first, second, problem):
            return "\(first) and \(second): \(problem)"
        case let .cannotSatisfy(problem):
            return problem
        case let .shapeMismatch(problem):
            return "shape mismatch: \(problem)"
        case let .nonFinite(context):
            return "\(context) contains a NaN or infinite value"
        case let .unknownDataset(name, known):
            return "unknown data set '\(name)'; known: \(known.joined(separator: ", "))"
        case let .unknownSplit(dataset, split, available):
            return "data set '\(dataset)' has no split '\(split)'; available: \(available.joined(separator: ", "))"
        case let .notInstalled(dataset, searched, hint):
            return "data set '\(dataset)' was not found (searched: \(searched.joined(separator: ", "))). \(hint)"
        case let .fetchFailed(dataset, reason):
            return "cannot fetch '\(dataset)': \(reason)"
        case let .invalidArgument(problem):
            return "invalid argument: \(problem)"
        }
    }
}
