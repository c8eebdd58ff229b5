/// Why an integrator refused its configuration.
public enum IntegratorError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .invalidParameter(message): return "invalid integrator parameter: \(message)"
        }
    }
}

extension IntegratorError {
    /// Throws unless the step size is positive and finite.
    static func checkLearningRate(_ learningRate: Float) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw IntegratorError.invalidParameter("the learning rate must be positive and finite, got \(learningRate)")
        }
    }
}
