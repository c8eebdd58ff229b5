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
///
/// Laws (checked by `FlowLaws.checkFlowManifoldLaws`): moving along a zero tangent leaves
/// the state unchanged; `move(along:scaledBy:)` equals scaling, then `move(along:)`;
/// `assign` makes the state equal to its argument; a tangent of the state's own shape is
/// accepted by `tangentMismatch`, and a state has no `shapeMismatch` with itself.
public protocol FlowManifold: Sendable {
    associatedtype Tangent: TangentVector
    /// The exponential map (or a retraction): `self = exp_self(tangent)`.
    ///
    /// - Precondition: `tangentMismatch(tangent) == nil`. The toolkit's integrators and
    ///   `Flow` check this before moving and throw instead.
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
    /// Why `tangent` cannot be a tangent at this state (wrong number of classes, a class
    /// of another size...), as a sentence fragment, or `nil` when it can. `Flow` and the
    /// integrators refuse a mismatched gradient with a typed error naming this reason
    /// instead of trapping in `move(along:)`. Default: `nil` (every tangent fits).
    func tangentMismatch(_ tangent: Tangent) -> String?
    /// Why `other` has another shape than this state, or `nil` when the shapes agree.
    /// `Flow` uses it to refuse an integrator that changed the state's shape. Default:
    /// `nil`.
    func shapeMismatch(_ other: Self) -> String?
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
    public func tangentMismatch(_ tangent: Tangent) -> String? { nil }
    public func shapeMismatch(_ other: Self) -> String? { nil }
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

    public func tangentMismatch(_ tangent: ParticleField) -> String? {
        tangent.shapeMismatch(with: self)
    }

    public func shapeMismatch(_ other: LabeledDataset) -> String? {
        guard classCount == other.classCount else { return "\(classCount) classes against \(other.classCount)" }
        for (c, (a, b)) in zip(classes, other.classes).enumerated() where a.count != b.count || a.dimension != b.dimension {
            return "class \(c) is \(a.count) x \(a.dimension) against \(b.count) x \(b.dimension)"
        }
        return nil
    }

    /// The WoW metric at this dataset, `<u, v> = sum_c a_c sum_i w_ci <u_ci, v_ci>` (class
    /// weights `a_c`, particle weights `w_ci`): the pairing under which a `Functional`'s
    /// gradient is the derivative of its value (`d/dt F(exp_P(t v))|_{t=0} = <grad F, v>`).
    ///
    /// - Throws: `ConformerError.malformed` when a field is not shaped like the dataset.
    public func metric(_ u: ParticleField, _ v: ParticleField) throws -> Double {
        for field in [u, v] {
            if let reason = field.shapeMismatch(with: self) {
                throw ConformerError.malformed(conformer: "ParticleField", reason: "not a field on this dataset: \(reason)")
            }
        }
        var total = 0.0
        for (c, measure) in classes.enumerated() {
            var classSum = 0.0
            let d = measure.dimension
            for i in 0..<measure.count {
                var dot = 0.0
                for j in 0..<d { dot += Double(u.classes[c][i, j]) * Double(v.classes[c][i, j]) }
                classSum += Double(measure.weight(i)) * dot
            }
            total += classWeights[c] * classSum
        }
        return total
    }
}
