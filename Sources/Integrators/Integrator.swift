import FlowGeometry
/// One step of an optimisation scheme on a `FlowManifold`: given the gradient of the
/// functional at the current state, move the state.
///
/// Integrators are configured once (learning rate, momentum) and keep whatever memory
/// they need (a velocity) between steps; make a fresh value to restart. An integrator
/// that cannot take a step (a gradient or a stored velocity that does not fit the state)
/// throws rather than trapping; `IntegratorError.shapeMismatch` is the toolkit's error
/// for that. The protocol does not require `Sendable`: an integrator that is `Sendable`
/// makes `Flow` `Sendable`, so the flow can be handed to a task.
/// Laws (checked by `FlowLaws.checkIntegratorLaws`): from rest, a zero gradient leaves the
/// state unchanged; with a first-step law, one step from rest along a small gradient lands
/// on the expected move to first order (`x - tau g` on flat states for the descent
/// steppers).
public protocol Integrator {
    associatedtype State: FlowManifold
    /// Moves `state` one step against `gradient`.
    ///
    /// - Throws: when `gradient` (or the integrator's memory) does not fit `state`; the
    ///   state is then left as it was.
    mutating func step(_ state: inout State, gradient: State.Tangent) throws
}

/// Explicit Euler on a flat state: `x <- x - tau * g`.
///
/// On a labeled dataset this is the WoW gradient step that moves every particle.
public struct ExplicitEuler<State: EuclideanFlowManifold>: Integrator, Sendable {
    /// Step size `tau > 0`.
    public var learningRate: Float

    /// - Throws: `IntegratorError.invalidParameter` unless `learningRate` is positive and finite.
    public init(learningRate: Float) throws {
        try IntegratorError.checkLearningRate(learningRate)
        self.learningRate = learningRate
    }

    public mutating func step(_ state: inout State, gradient: State.Tangent) throws {
        try IntegratorError.checkTangent(gradient, at: state, integrator: Self.self)
        state.move(along: gradient, scaledBy: -learningRate)
    }
}

/// Riemannian gradient descent with the exponential map:
/// `x <- exp_x(-tau * grad_R F(x))`, `grad_R` from `State.riemannianGradient`.
///
/// On flat components it coincides with `ExplicitEuler`; on the Bures-Wasserstein
/// manifold it gives `Sigma <- (I - 2 tau G) Sigma (I - 2 tau G)` for a Euclidean gradient
/// `G`, which keeps `Sigma` symmetric positive semi-definite.
public struct GeodesicStep<State: FlowManifold>: Integrator, Sendable {
    /// Step size `tau > 0`.
    public var learningRate: Float

    /// - Throws: `IntegratorError.invalidParameter` unless `learningRate` is positive and finite.
    public init(learningRate: Float) throws {
        try IntegratorError.checkLearningRate(learningRate)
        self.learningRate = learningRate
    }

    public mutating func step(_ state: inout State, gradient: State.Tangent) throws {
        try IntegratorError.checkTangent(gradient, at: state, integrator: Self.self)
        let direction = try IntegratorError.riemannianGradient(gradient, at: state, integrator: Self.self)
        state.move(along: direction, scaledBy: -learningRate)
    }
}

/// Heavy-ball momentum (Polyak): `v <- g + m v`, `x <- exp_x(-tau v)`, `v_0 = 0`.
///
/// The velocity is kept in the tangent representation and is not parallel-transported
/// between steps; on flat states this is exact heavy ball, on curved components the
/// usual first-order approximation.
public struct Momentum<State: FlowManifold>: Integrator, Sendable {
    /// Step size `tau > 0`.
    public var learningRate: Float
    /// Momentum `m` in `[0, 1)`.
    public var momentum: Float
    /// The current velocity `v` (`nil` before the first step).
    public internal(set) var velocity: State.Tangent?

    /// - Throws: `IntegratorError.invalidParameter` unless `learningRate` is positive and
    ///   finite and `momentum` lies in `[0, 1)` (at 1 or above the velocity never decays).
    public init(learningRate: Float, momentum: Float) throws {
        try IntegratorError.checkLearningRate(learningRate)
        try IntegratorError.checkMomentum(momentum)
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func step(_ state: inout State, gradient: State.Tangent) throws {
        try IntegratorError.checkTangent(gradient, at: state, integrator: Self.self)
        if let velocity {
            try IntegratorError.checkTangent(velocity, at: state, what: "the velocity kept from the last step", integrator: Self.self)
        }
        let g = try IntegratorError.riemannianGradient(gradient, at: state, integrator: Self.self)
        if velocity != nil {
            // In place on the velocity's own storage, one pass where the tangent fuses it:
            // m v + g.
            velocity!.scale(by: momentum, adding: g)
        } else {
            velocity = g
        }
        state.move(along: velocity!, scaledBy: -learningRate)
    }
}
