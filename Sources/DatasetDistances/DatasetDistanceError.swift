/// Why a distance between labeled datasets, or a label assignment, was refused.
///
/// Problems inside the transport solvers (iteration caps, overflowing costs, bad
/// Sinkhorn epsilons) are reported with the solvers' own `OptimalTransportError`.
public enum DatasetDistanceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The two datasets live in different feature dimensions.
    case dimensionMismatch(source: Int, target: Int)
    /// A configuration value outside its domain (e.g. 0 PCA components).
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(source, target):
            return "the datasets have different feature dimensions: \(source) and \(target)"
        case let .invalidParameter(message):
            return "invalid parameter: \(message)"
        }
    }
}
