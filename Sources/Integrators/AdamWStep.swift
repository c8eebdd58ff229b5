import FlowGeometry

/// Adam with decoupled weight decay (AdamW; Kingma & Ba 2015, Loshchilov & Hutter 2019)
/// as a flow integrator, on any state with componentwise tangents:
///
///     g   = grad_R F(x)                      (State.riemannianGradient)
///     m  <- b1 m + (1 - b1) g                v <- b2 v + (1 - b2) g^2     (componentwise)
///     u   = (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
///     x  <- exp_x(-lr (u + wd w))            w = State.weightDecayDirection
///
/// On flat states (a `LabeledDataset`) this is exactly optax's `adamw` (same defaults:
/// `b1 = 0.9`, `b2 = 0.999`, `eps = 1e-8`, `wd = 1e-4`), the stepper of the reference OTDD
/// flow (Bonet, Vauthier & Korba 2025, with `lr = 1e-3`). On curved components the step
/// goes through the state's exponential map: a covariance on the Bures-Wasserstein
/// manifold moves by `(I + V) S (I + V)` and stays symmetric positive (semi-)definite,
/// where the reference's Euclidean `S - lr u` may leave the cone. The moments are kept in
/// the tangent representation (not transported between steps), as for `Momentum`.
///
/// Integrator law: with `weightDecay = 0`, a zero gradient from rest leaves the state
/// unchanged (`m = v = 0` give `u = 0`). A positive decay moves the state toward the
/// origin whatever the gradient, by design.
///
/// - Complexity: a few componentwise passes over the tangent per step.
public struct AdamWStep<State: ElementwiseFlowManifold>: Integrator, Sendable {
    /// Step size `lr > 0`.
    public let learningRate: Float
    /// First-moment decay `b1` in `[0, 1)`.
    public let beta1: Double
    /// Second-moment decay `b2` in `[0, 1)`.
    public let beta2: Double
    /// `eps > 0`, added to the root of the second moment.
    public let epsilon: Double
    /// Decoupled weight decay `wd >= 0` (multiplied by the learning rate).
    public let weightDecay: Float
    /// Steps taken so far (`t` of the last step).
    public internal(set) var stepCount = 0
    /// The first-moment estimate `m` (`nil` before the first step).
    public internal(set) var firstMoment: State.Tangent?
    /// The second-moment estimate `v` (`nil` before the first step).
    public internal(set) var secondMoment: State.Tangent?

    /// - Throws: `IntegratorError.invalidParameter` for `lr <= 0` (or non-finite), betas
    ///   outside `[0, 1)`, `eps <= 0` or a negative decay.
    public init(learningRate: Float = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Float = 1e-4) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw IntegratorError.invalidParameter("AdamW learning rate must be positive and finite, got \(learningRate)")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw IntegratorError.invalidParameter("AdamW betas must lie in [0, 1), got \(beta1) and \(beta2)")
        }
        guard epsilon > 0, epsilon.isFinite else {
            throw IntegratorError.invalidParameter("AdamW epsilon must be positive and finite, got \(epsilon)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw IntegratorError.invalidParameter("AdamW weight decay must be finite and nonnegative, got \(weightDecay)")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// One AdamW step (moments updated, bias-corrected direction, decay, exponential map).
    public mutating func step(_ state: inout State, gradient: State.Tangent) throws {
        try IntegratorError.checkTangent(gradient, at: state, integrator: Self.self)
        for (moment, name) in [(firstMoment, "the first moment"), (secondMoment, "the second moment")] {
            if let moment { try IntegratorError.checkTangent(moment, at: state, what: name, integrator: Self.self) }
        }
        let g = try IntegratorError.riemannianGradient(gradient, at: state, integrator: Self.self)
        let decay = weightDecay > 0 ? state.weightDecayDirection : nil
        if let decay {
            try IntegratorError.checkTangent(decay, at: state, what: "\(State.self).weightDecayDirection", integrator: Self.self)
        }
        let b1 = beta1, b2 = beta2, eps = epsilon
        var m = g.mapComponents { (1 - b1) * $0 }
        if let previous = firstMoment { m.add(previous.mapComponents { b1 * $0 }, scaledBy: 1) }
        var v = g.mapComponents { (1 - b2) * $0 * $0 }
        if let previous = secondMoment { v.add(previous.mapComponents { b2 * $0 }, scaledBy: 1) }
        stepCount += 1
        let t = Double(stepCount)
        let c1 = 1 - pow(b1, t), c2 = 1 - pow(b2, t)
        var displacement = m.combineComponents(with: v) { mk, vk in (mk / c1) / ((vk / c2).squareRoot() + eps) }
        if let decay { displacement.add(decay, scaledBy: weightDecay) }
        displacement.scale(by: -learningRate)
        firstMoment = m
        secondMoment = v
        state.move(along: displacement)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
