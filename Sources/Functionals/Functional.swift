import Integrators

/// An objective on flow states with its gradient: what a flow minimises.
///
/// `valueAndGradient` returns `F(state)` and the gradient the state's integrators expect:
/// for a labeled dataset, the WoW gradient at every particle (a `ParticleField`). Random
/// choices (slicing directions, target minibatches) are drawn from `generator`, once
/// per call.
public protocol Functional {
    associatedtype State: FlowManifold
    /// `F(state)` and its gradient at `state`.
    func valueAndGradient(at state: State, using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradient: State.Tangent)

    /// `F(state)`, with the gradient written to `gradient`, reusing its storage when it
    /// holds a gradient of the same shape (the previous step's, in a flow), so a step
    /// allocates no fresh gradient (for the toolkit's sliced kernels the other temporaries
    /// come from `ScratchPool`, or are per-worker buffers of one class's size). The old
    /// gradient is taken: keep no
    /// other copy of it, or it is copied before being overwritten (value semantics: a
    /// kept copy never changes). Same value and gradient as `valueAndGradient(at:using:)`,
    /// bit for bit, for the same generator state.
    ///
    /// Default: `valueAndGradient(at:using:)`, assigning the result.
    func valueAndGradient(at state: State, into gradient: inout State.Tangent?,
                          using generator: inout some RandomNumberGenerator) throws -> Double
}

extension Functional {
    public func valueAndGradient(at state: State, into gradient: inout State.Tangent?,
                                 using generator: inout some RandomNumberGenerator) throws -> Double {
        let (value, fresh) = try valueAndGradient(at: state, using: &generator)
        gradient = fresh
        return value
    }

    /// `F(state)` alone (computed with the gradient; conformers may specialise).
    public func value(at state: State, using generator: inout some RandomNumberGenerator) throws -> Double {
        try valueAndGradient(at: state, using: &generator).value
    }
}

/// Why a functional refused a state.
public enum FunctionalError: Error, CustomStringConvertible, Sendable, Equatable {
    case dimensionMismatch(state: Int, target: Int)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .dimensionMismatch(state, target):
            return "the flowed dataset has dimension \(state), the target \(target)"
        case let .invalidParameter(message):
            return "invalid functional parameter: \(message)"
        }
    }
}
