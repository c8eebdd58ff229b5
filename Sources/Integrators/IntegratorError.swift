import FlowGeometry

/// Why an integrator refused its configuration or a step.
public enum IntegratorError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidParameter(String)
    /// The gradient (or the integrator's memory, such as a velocity) is not a tangent at
    /// the state: `reason` says what differs.
    case shapeMismatch(integrator: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(message): return "invalid integrator parameter: \(message)"
        case let .shapeMismatch(integrator, reason):
            return "\(integrator) cannot step: \(reason)"
        }
    }
}

extension IntegratorError {
    /// Throws unless the step size is positive and finite.
    package static func checkLearningRate(_ learningRate: Float) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw IntegratorError.invalidParameter("the learning rate must be positive and finite, got \(learningRate)")
        }
    }

    /// Throws unless `momentum` lies in `[0, 1)` (at 1 or above a velocity never decays).
    package static func checkMomentum(_ momentum: Float, name: String = "momentum") throws {
        guard momentum >= 0, momentum < 1 else {
            throw IntegratorError.invalidParameter("\(name) must lie in [0, 1), got \(momentum)")
        }
    }

    /// Throws `shapeMismatch` naming `integrator` unless `tangent` is a tangent at `state`
    /// (`what` names it: "the gradient", "the velocity").
    package static func checkTangent<State: FlowManifold, I>(
        _ tangent: State.Tangent, at state: State, what: String = "the gradient", integrator: I.Type
    ) throws {
        if let reason = state.tangentMismatch(tangent) {
            throw IntegratorError.shapeMismatch(integrator: String(describing: integrator), reason: "\(what) does not fit the state: \(reason)")
        }
    }

    /// `state.riemannianGradient(gradient)`, checked like a gradient: a state conformer
    /// whose `riemannianGradient(_:)` changes the tangent's shape is refused here with
    /// `shapeMismatch` instead of reaching `move(along:)`'s precondition (or that of the
    /// tangent's `add`, in a momentum update).
    package static func riemannianGradient<State: FlowManifold, I>(
        _ gradient: State.Tangent, at state: State, integrator: I.Type
    ) throws -> State.Tangent {
        let converted = state.riemannianGradient(gradient)
        try checkTangent(converted, at: state, what: "\(State.self).riemannianGradient(_:)'s result", integrator: integrator)
        return converted
    }
}
