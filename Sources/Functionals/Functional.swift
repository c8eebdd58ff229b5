import FlowGeometry
import LabeledData

/// An objective on flow states with its gradient: what a flow minimises.
///
/// The single requirement, `valueAndGradient(at:into:using:)`, returns `F(state)` and
/// writes the gradient the state's integrators expect, reusing the storage of the
/// gradient it is handed (the previous step's, in a flow) where it can.
/// `valueAndGradient(at:using:)` and `value(at:using:)` are derived from it. Random
/// choices (slicing directions, target minibatches) are drawn from `generator`, once per
/// call.
///
/// **Gradient scaling.** For a labeled dataset `P = sum_c a_c delta_{mu_c}` with classes
/// `mu_c = sum_i w_ci delta_{x_ci}` (class weights `a_c`, particle weights `w_ci`), the
/// gradient at particle `x_ci` is the WoW (Wasserstein) gradient
///
///     g_ci = (1 / (a_c w_ci)) dF/dx_ci,
///
/// the particle derivative divided by the class weight times the particle weight. It is
/// the gradient for the WoW metric `<u, v>_P = sum_c a_c sum_i w_ci <u_ci, v_ci>`
/// (`LabeledDataset.metric`): `d/dt F(exp_P(t v))|_{t=0} = <g, v>_P`, and the explicit
/// Euler step `x_ci <- x_ci - tau g_ci` is the WoW gradient step. On other states the
/// gradient is the one `State.riemannianGradient` expects. `FlowLaws.checkFunctionalLaws`
/// checks a conformer against finite differences under this scaling.
///
/// The protocol does not require `Sendable`; a `Sendable` functional (such as `MMD` of a
/// `Sendable` kernel) makes `Flow` `Sendable`.
public protocol Functional {
    associatedtype State: FlowManifold
    /// `F(state)`, with the gradient at `state` written to `gradient`, reusing its storage
    /// when it holds a gradient of the same shape (the previous step's, in a flow), so a
    /// step allocates no fresh gradient (for the toolkit's sliced kernels the other
    /// temporaries come from `ScratchPool`, or are per-worker buffers of one class's
    /// size). The old gradient is taken: keep no other copy of it, or it is copied before
    /// being overwritten (value semantics: a kept copy never changes). The value and
    /// gradient must not depend on what `gradient` held, bit for bit, for the same
    /// generator state; on return `gradient` is non-`nil` and fits `state`.
    func valueAndGradient(at state: State, into gradient: inout State.Tangent?,
                          using generator: inout some RandomNumberGenerator) throws -> Double
}

extension Functional {
    /// `F(state)` and its gradient at `state` (fresh storage).
    ///
    /// - Throws: `ConformerError.malformed` when the conformer leaves no gradient, or what
    ///   it throws.
    public func valueAndGradient(at state: State, using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradient: State.Tangent) {
        var gradient: State.Tangent?
        let value = try valueAndGradient(at: state, into: &gradient, using: &generator)
        guard let gradient else {
            throw ConformerError.malformed(conformer: ConformerError.name(of: Self.self),
                                           reason: "valueAndGradient(at:into:using:) left no gradient")
        }
        return (value, gradient)
    }

    /// For conformers that compute their gradient in fresh storage: stores
    /// `result.gradient` in `gradient` and returns `result.value`, so that the requirement
    /// reads `Self.handing(try evaluate(at: state, using: &generator), to: &gradient)`.
    public static func handing(_ result: (value: Double, gradient: State.Tangent), to gradient: inout State.Tangent?) -> Double {
        gradient = result.gradient
        return result.value
    }

    /// `F(state)` alone (computed with the gradient).
    public func value(at state: State, using generator: inout some RandomNumberGenerator) throws -> Double {
        var gradient: State.Tangent?
        return try valueAndGradient(at: state, into: &gradient, using: &generator)
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
