/// Why an integrator refused its configuration.
public enum IntegratorError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .invalidParameter(message): return "invalid integrator parameter: \(message)"
        }
    }
}
