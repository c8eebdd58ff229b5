import LabeledData

/// A vector in the tangent space of a flow state: what a gradient is, and what an
/// integrator scales, combines and moves along.
public protocol TangentVector: Sendable {
    /// `self *= factor`.
    mutating func scale(by factor: Float)
    /// `self += factor * other` (shapes agree: both live at the same state).
    mutating func add(_ other: Self, scaledBy factor: Float)
    /// `self = factor * self + other`, the momentum update. Default: `scale(by:)`, then
    /// `add(_:scaledBy: 1)`; conformers may fuse the two passes into one, rounding the
    /// same way (`fl(fl(factor * x) + y)`).
    mutating func scale(by factor: Float, adding other: Self)
    /// `true` when every component is finite.
    var isFinite: Bool { get }
}

extension TangentVector {
    public mutating func scale(by factor: Float, adding other: Self) {
        scale(by: factor)
        add(other, scaledBy: 1)
    }
}

/// The state of a flow and its geometry: how it moves along a tangent vector.
///
/// For Euclidean particles the exponential map is `x + v`; curved components (a
/// covariance on the Bures-Wasserstein manifold, `exp_S(V) = (I + V) S (I + V)`) conform
/// with their own `move(along:)` and `riemannianGradient(_:)`, and every integrator and
/// the flow driver work on them unchanged.
public protocol FlowManifold: Sendable {
    associatedtype Tangent: TangentVector
    /// The exponential map (or a retraction): `self = exp_self(tangent)`.
    mutating func move(along tangent: Tangent)
    /// Converts a gradient of a functional (its differential, in the representation the
    /// functional returns) into the Riemannian gradient the exponential map expects.
    /// Default: the identity (the metric is the one the gradient was computed in).
    func riemannianGradient(_ gradient: Tangent) -> Tangent
    /// `true` when the state holds no NaN or infinity. Default: `true`.
    var isFinite: Bool { get }
    /// `self = exp_self(factor * tangent)`. Default: scale a copy of `tangent`, then
    /// `move(along:)`. Flat states override it with one fused pass and no temporary
    /// (the integrators call this form every step).
    mutating func move(along tangent: Tangent, scaledBy factor: Float)
    /// `self = other`, reusing this value's storage where it can: `Flow.run` keeps its
    /// last finite state this way every step. Default: plain assignment.
    mutating func assign(_ other: Self)
}

extension FlowManifold {
    public func riemannianGradient(_ gradient: Tangent) -> Tangent { gradient }
    public var isFinite: Bool { true }
    public mutating func move(along tangent: Tangent, scaledBy factor: Float) {
        var scaled = tangent
        scaled.scale(by: factor)
        move(along: scaled)
    }
    public mutating func assign(_ other: Self) { self = other }
}

/// A flat state: the exponential map is vector addition, so explicit Euler applies.
public protocol EuclideanFlowManifold: FlowManifold {}

extension ParticleField: TangentVector {}

/// A labeled dataset moves by pushing every particle, `x_ci <- x_ci + v_ci`: the
/// exponential map of the WoW geometry at a dataset of empirical measures.
extension LabeledDataset: EuclideanFlowManifold {
    public mutating func move(along tangent: ParticleField) {
        translate(by: tangent)
    }

    /// `x_ci <- x_ci + factor * v_ci` in one pass, no temporary.
    public mutating func move(along tangent: ParticleField, scaledBy factor: Float) {
        translate(by: tangent, scaledBy: factor)
    }
}
