/// What went wrong in a layer, a network or a training run.
///
/// Every public entry point of this module reports bad input through these cases
/// (never a crash): shapes that do not fit, NaN or infinite values where they would
/// poison a computation, a backward pass without its recorded forward pass, and
/// configuration values out of range.
public enum NeuralNetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A tensor's shape does not fit what the operation needs.
    case shapeMismatch(String)
    /// NaN or infinite values where finite values are required.
    case nonFinite(String)
    /// `backward` was called without a preceding `forward(_:mode: .differentiable)`.
    case missingForward(String)
    /// A configuration value or argument is out of range.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let message): return "shape mismatch: \(message)"
        case .nonFinite(let message): return "non-finite values: \(message)"
        case .missingForward(let message): return "backward without a recorded forward pass: \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        }
    }
}
