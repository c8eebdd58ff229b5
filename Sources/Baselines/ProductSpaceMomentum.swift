import FlowGeometry
import Integrators
import WoWCompute

/// The stepper of the product-space MMD flow (Hua et al. 2023; the reference code of
/// Bonet, Vauthier & Korba 2025): heavy-ball momentum on the Euclidean parts (features
/// and means) and a Bures-Wasserstein geodesic step on the covariances,
///
///     v_x <- g_x + mu v_x,      x <- x - tau v_x            (and the same for m)
///     v_S <- 2 G + mu_S v_S,    Sigma <- exp_Sigma(-tau v_S) = (I - tau v_S) Sigma (I - tau v_S)
///
/// with `mu_S = 0` by default (the reference keeps no covariance momentum, so the
/// covariance update is exactly `exp_Sigma(-2 tau G)`). Every move goes through
/// `GaussianLabeledSamples.move(along:)`, so covariances stay symmetric, and positive
/// definite while `I - tau v_S` is nonsingular.
///
/// With `covarianceMomentum = momentum` this is the generic `Momentum` integrator on the
/// same state. Law: from rest, a zero gradient leaves the state unchanged.
public struct ProductSpaceMomentum: Integrator, Sendable {
    public typealias State = GaussianLabeledSamples

    /// Step size `tau > 0`.
    public let learningRate: Float
    /// Momentum `mu` in `[0, 1)` on features and means.
    public let momentum: Float
    /// Momentum `mu_S` in `[0, 1)` on covariances (default 0).
    public let covarianceMomentum: Float
    /// The current velocity (`nil` before the first step).
    public internal(set) var velocity: GaussianLabeledTangent?

    /// - Throws: `IntegratorError.invalidParameter` for `tau <= 0` or momenta outside `[0, 1)`.
    public init(learningRate: Float, momentum: Float = 0.9, covarianceMomentum: Float = 0) throws {
        try IntegratorError.checkLearningRate(learningRate)
        try IntegratorError.checkMomentum(momentum)
        try IntegratorError.checkMomentum(covarianceMomentum, name: "the covariance momentum")
        self.learningRate = learningRate
        self.momentum = momentum
        self.covarianceMomentum = covarianceMomentum
    }

    /// One heavy-ball step on `(x, m)` and one geodesic (momentum `mu_S`) step on `Sigma`.
    public mutating func step(_ state: inout GaussianLabeledSamples, gradient: GaussianLabeledTangent) throws {
        try IntegratorError.checkTangent(gradient, at: state, integrator: Self.self)
        if let velocity {
            try IntegratorError.checkTangent(velocity, at: state, what: "the velocity kept from the last step", integrator: Self.self)
        }
        var v = state.riemannianGradient(gradient)
        if let previous = velocity {
            v.features.add(previous.features, scaledBy: momentum)
            let mu = Double(momentum), muS = Double(covarianceMomentum)
            for e in v.means.indices { v.means[e] += mu * previous.means[e] }
            if muS != 0 { for e in v.covariances.indices { v.covariances[e] += muS * previous.covariances[e] } }
        }
        velocity = v
        var displacement = v
        displacement.scale(by: -learningRate)
        state.move(along: displacement)
    }
}
