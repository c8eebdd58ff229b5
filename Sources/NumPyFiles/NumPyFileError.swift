import Foundation

/// The one error type of `NumPyFiles`: what went wrong, in which file, in which archive member.
///
/// Every reader and writer in this module reports failures with this type; no input bytes,
/// however malformed, make the module trap. The `description` (also the
/// `LocalizedError.errorDescription`) reads like
/// `/data/flow.npz, member 'x.npy': unsupported dtype '<c8' (complex numbers)`.
public struct NumPyFileError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The file that was being read or written, or `nil` for in-memory data and for array
    /// operations that involve no file.
    public var path: String?
    /// The `.npz` member (full zip name, e.g. `"x.npy"`) being decoded, if any.
    public var member: String?
    /// What went wrong.
    public var problem: Problem

    /// Creates an error; `path` and `member` may be filled in later by the caller that knows them.
    public init(path: String? = nil, member: String? = nil, problem: Problem) {
        self.path = path
        self.member = member
        self.problem = problem
    }

    /// The specific failure, with the numbers needed to understand it.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The file does not exist.
        case fileNotFound
        /// The file exists but could not be read (permissions, I/O error, a directory, ...).
        case unreadable(reason: String)
        /// The destination could not be written.
        case unwritable(reason: String)
        /// The first six bytes are not `\x93NUMPY`; `found` holds (up to) the first six bytes.
        case badMagic(found: [UInt8])
        /// An NPY format version other than 1.0, 2.0 or 3.0.
        case unsupportedVersion(major: UInt8, minor: UInt8)
        /// The data ends inside the fixed preamble or inside the header text.
        case truncatedHeader(neededBytes: Int, availableBytes: Int)
        /// The header text is not the Python dictionary literal the format prescribes.
        case malformedHeader(reason: String)
        /// The `descr` names a dtype this module does not read (complex, object, strings,
        /// datetimes, structured records, long double, ...).
        case unsupportedDType(descr: String, reason: String)
        /// The array is stored in Fortran (column-major) order and the reader was asked to
        /// refuse such files (`FortranOrderHandling.reject`, the default).
        case fortranOrder(shape: [Int])
        /// A dimension is negative.
        case invalidShape(shape: [Int])
        /// The element count or byte count of the shape does not fit in `Int`.
        case shapeOverflow(shape: [Int])
        /// The shape needs more data bytes than the file holds.
        case truncatedData(expectedBytes: Int, availableBytes: Int)
        /// More data bytes follow than the shape accounts for (a corrupt or mislabeled file).
        case trailingData(expectedBytes: Int, availableBytes: Int)
        /// The number of elements does not match the product of the shape.
        case elementCountMismatch(shape: [Int], count: Int)
        /// The array does not have the rank an operation needs (e.g. 2 for a `Matrix`).
        case rankMismatch(expected: Int, shape: [Int])
        /// A value cannot be converted exactly to the requested type.
        case notConvertible(reason: String)
        /// A parameter is outside its domain (e.g. a deflate level outside 0...9).
        case invalidParameter(name: String, reason: String)
        /// The zip structure of an `.npz` is damaged or truncated.
        case malformedArchive(reason: String)
        /// The zip uses a feature this module does not implement (encryption, multiple disks,
        /// a compression method other than stored or deflate).
        case unsupportedArchiveFeature(reason: String)
        /// A member's CRC-32 differs from the one recorded in the archive.
        case checksumMismatch(expected: UInt32, actual: UInt32)
        /// zlib could not inflate (or deflate) a member.
        case compressionFailed(reason: String)
        /// Two members would have the same array name.
        case duplicateName(String)
        /// No array of this name exists in the archive.
        case arrayNotFound(name: String, available: [String])
        /// An array name cannot be stored in a zip archive (empty or longer than the format allows).
        case invalidName(String, reason: String)

        /// A one-line, human-readable statement of the problem.
        public var description: String {
            switch self {
            case .fileNotFound:
                return "no such file"
            case let .unreadable(reason):
                return "cannot read the file: \(reason)"
            case let .unwritable(reason):
                return "cannot write the file: \(reason)"
            case let .badMagic(found):
                let hex = found.map { String(format: "%02x", $0) }.joined(separator: " ")
                let zipHint = found.starts(with: [0x50, 0x4B]) ? "; this looks like a zip (.npz) archive, read it with NPZArchive" : ""
                return "not an NPY file: expected the magic bytes 93 4e 55 4d 50 59 (\\x93NUMPY), found [\(hex)]\(zipHint)"
            case let .unsupportedVersion(major, minor):
                return "unsupported NPY format version \(major).\(minor) (1.0, 2.0 and 3.0 are supported)"
            case let .truncatedHeader(needed, available):
                return "truncated header: needs \(needed) bytes, only \(available) present"
            case let .malformedHeader(reason):
                return "malformed header: \(reason)"
            case let .unsupportedDType(descr, reason):
                return "unsupported dtype '\(descr)' (\(reason))"
            case let .fortranOrder(shape):
                return "array of shape \(pythonShape(shape)) is stored in Fortran order, which this reader was asked to refuse (save it with numpy.ascontiguousarray, or read with fortranOrder: .convertToCOrder)"
            case let .invalidShape(shape):
                return "invalid shape \(pythonShape(shape)): dimensions must be non-negative"
            case let .shapeOverflow(shape):
                return "shape \(pythonShape(shape)) is too large: its size overflows a 64-bit integer"
            case let .truncatedData(expected, available):
                return "truncated data: the header's shape and dtype need \(expected) bytes, only \(available) present"
            case let .trailingData(expected, available):
                return "\(available - expected) unexpected bytes after the data: the header's shape and dtype account for \(expected) of \(available) bytes"
            case let .elementCountMismatch(shape, count):
                return "shape \(pythonShape(shape)) does not match \(count) element(s)"
            case let .rankMismatch(expected, shape):
                return "expected a \(expected)-dimensional array, got shape \(pythonShape(shape))"
            case let .notConvertible(reason):
                return "value not convertible: \(reason)"
            case let .invalidParameter(name, reason):
                return "invalid \(name): \(reason)"
            case let .malformedArchive(reason):
                return "malformed npz (zip) archive: \(reason)"
            case let .unsupportedArchiveFeature(reason):
                return "unsupported zip feature: \(reason)"
            case let .checksumMismatch(expected, actual):
                return String(format: "CRC-32 mismatch: the archive records %08x, the data has %08x", expected, actual)
            case let .compressionFailed(reason):
                return "compression error: \(reason)"
            case let .duplicateName(name):
                return "duplicate array name '\(name)'"
            case let .arrayNotFound(name, available):
                return "no array named '\(name)' (available: \(available.map { "'\($0)'" }.joined(separator: ", ")))"
            case let .invalidName(name, reason):
                return "invalid array name '\(name)': \(reason)"
            }
        }
    }

    /// `<path>[, member '<member>']: <problem>`; in-memory data is called `NumPy data`.
    public var description: String {
        var location = path ?? "NumPy data"
        if let member { location += ", member '\(member)'" }
        return "\(location): \(problem)"
    }

    /// The same text as `description`.
    public var errorDescription: String? { description }

    /// A copy with `path` (and `member`, if given) filled in where they are still unknown.
    func located(path: String?, member: String? = nil) -> NumPyFileError {
        var copy = self
        if copy.path == nil { copy.path = path }
        if copy.member == nil { copy.member = member }
        return copy
    }
}

/// Runs `body`, attaching `path` / `member` to any `NumPyFileError` it throws.
func locatingErrors<T>(path: String?, member: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as NumPyFileError {
        throw error.located(path: path, member: member)
    }
}

/// A shape written as Python writes a tuple: `()`, `(5,)`, `(2, 3, 4)`.
func pythonShape(_ shape: [Int]) -> String {
    switch shape.count {
    case 0: return "()"
    case 1: return "(\(shape[0]),)"
    default: return "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
