/// Why a baseline state, objective or integrator refused its input.
public enum BaselineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A state or dataset with no samples, or a class with none.
    case empty(String)
    /// Two objects that must agree in size or dimension do not.
    case dimensionMismatch(expected: Int, found: Int, context: String)
    /// A NaN or infinite value.
    case nonFiniteValue(String)
    /// A covariance that is not symmetric positive definite.
    case notPositiveDefinite(sample: Int, smallestEigenvalue: Double)
    /// A parameter outside its domain.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .empty(what):
            return "\(what) is empty"
        case let .dimensionMismatch(expected, found, context):
            return "\(context): expected \(expected), found \(found)"
        case let .nonFiniteValue(what):
            return "\(what) contains a NaN or infinite value"
        case let .notPositiveDefinite(sample, smallest):
            return "the covariance of sample \(sample) is not symmetric positive definite (smallest eigenvalue \(smallest))"
        case let .invalidParameter(message):
            return "invalid parameter: \(message)"
        }
    }
}
