/// Why an optimal-transport computation was refused or failed.
///
/// Every solver in the module validates its input and reports problems with one of these
/// cases instead of trapping or returning a silently wrong result.
public enum OptimalTransportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A measure, weight vector or cost matrix with no entries.
    case empty(String)
    /// Two objects that must agree in size or dimension do not.
    case dimensionMismatch(expected: Int, found: Int, context: String)
    /// Weights that are negative, NaN or infinite.
    case invalidWeights(side: String, problem: String)
    /// Weights that do not sum to one (within `tolerance`).
    case unnormalizedWeights(side: String, sum: Double, tolerance: Double)
    /// A NaN or infinite entry in a cost matrix.
    case nonFiniteCost(row: Int, column: Int)
    /// A NaN or infinite value in some other input (points, means, covariances).
    case nonFiniteInput(String)
    /// A solver or kernel parameter outside its domain (epsilon <= 0, tolerance < 0, ...).
    case invalidParameter(String)
    /// A matrix that should be symmetric is not.
    case notSymmetric(context: String, asymmetry: Double)
    /// A matrix that should be positive semidefinite has a negative eigenvalue.
    case notPositiveSemidefinite(context: String, smallestEigenvalue: Double)
    /// An iterative method hit its iteration cap before reaching its exact answer.
    case iterationLimit(solver: String, limit: Int)
    /// A computation produced NaN or infinite values (e.g. a cost scale that overflows).
    case numericalFailure(String)

    public var description: String {
        switch self {
        case let .empty(what):
            return "\(what) is empty"
        case let .dimensionMismatch(expected, found, context):
            return "\(context): expected \(expected), found \(found)"
        case let .invalidWeights(side, problem):
            return "invalid \(side) weights: \(problem)"
        case let .unnormalizedWeights(side, sum, tolerance):
            return "\(side) weights sum to \(sum), not 1 (tolerance \(tolerance)); normalise them first"
        case let .nonFiniteCost(row, column):
            return "cost matrix entry (\(row), \(column)) is NaN or infinite"
        case let .nonFiniteInput(what):
            return "\(what) contains a NaN or infinite value"
        case let .invalidParameter(message):
            return "invalid parameter: \(message)"
        case let .notSymmetric(context, asymmetry):
            return "\(context) is not symmetric (largest |A - A^T| entry \(asymmetry))"
        case let .notPositiveSemidefinite(context, smallest):
            return "\(context) is not positive semidefinite (smallest eigenvalue \(smallest))"
        case let .iterationLimit(solver, limit):
            return "\(solver) did not finish within \(limit) iterations; raise its iteration limit"
        case let .numericalFailure(message):
            return "numerical failure: \(message)"
        }
    }
}
