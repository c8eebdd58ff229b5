/// Why a measure, dataset or data file was refused.
public enum DataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A class or measure with no points.
    case emptyMeasure(context: String)
    /// Points of different dimensions were combined.
    case dimensionMismatch(expected: Int, found: Int, context: String)
    /// A NaN or infinite coordinate.
    case nonFiniteValue(context: String)
    /// Weights that are negative, non-finite, of the wrong count or not summing to one.
    case invalidWeights(String)
    /// A dataset with no classes.
    case noClasses
    /// A malformed data file (path, line and problem).
    case malformedFile(path: String, line: Int, problem: String)
    /// A file that cannot be read.
    case unreadableFile(path: String, reason: String)
    /// A file that cannot be written.
    case unwritableFile(path: String, reason: String)
    /// An index outside its collection.
    case invalidIndex(String)
    /// A request too large to hold in memory or to index.
    case tooLarge(String)

    public var description: String {
        switch self {
        case let .emptyMeasure(context):
            return "\(context) has no points; every class needs at least one"
        case let .dimensionMismatch(expected, found, context):
            return "\(context): expected dimension \(expected), found \(found)"
        case let .nonFiniteValue(context):
            return "\(context) contains a NaN or infinite value"
        case let .invalidWeights(problem):
            return "invalid weights: \(problem)"
        case .noClasses:
            return "a labeled dataset needs at least one class"
        case let .malformedFile(path, line, problem):
            return "\(path):\(line): \(problem)"
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .unwritableFile(path, reason):
            return "cannot write \(path): \(reason)"
        case let .invalidIndex(problem):
            return "invalid index: \(problem)"
        case let .tooLarge(what):
            return "too large: \(what)"
        }
    }
}
