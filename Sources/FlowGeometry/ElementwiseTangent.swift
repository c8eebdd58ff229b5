import LabeledData

/// A tangent vector with componentwise arithmetic: what adaptive steppers (Adam, AdamW,
/// RMSProp) need on top of `TangentVector`, which only scales and adds.
///
/// A tangent is seen as a finite list of real components (the coordinates of every
/// particle, of every mean, every covariance entry). The two requirements apply a scalar
/// function to each component, or combine two tangents of the same shape component by
/// component. Components are handed over as `Double` (a `Float` component converts
/// exactly and the result is rounded back once), so that mixed-precision tangents lose
/// nothing in the moment estimates.
///
/// Componentwise functions keep symmetric blocks symmetric (equal entries stay equal),
/// so a covariance part of a tangent stays a symmetric matrix.
///
/// - Complexity: both requirements are one pass over the components.
public protocol ElementwiseTangent: TangentVector {
    /// A tangent of the same shape whose every component `t_k` is replaced by
    /// `transform(t_k)`.
    func mapComponents(_ transform: (Double) -> Double) -> Self
    /// A tangent of the same shape with components `transform(self_k, other_k)`.
    ///
    /// - Precondition: `other` has the same shape (both live at the same state).
    func combineComponents(with other: Self, _ transform: (Double, Double) -> Double) -> Self
}

/// A flow state whose tangents are componentwise (`ElementwiseTangent`) and which names
/// the direction of decoupled weight decay.
///
/// `weightDecayDirection` is the tangent `w` such that moving along `-t w` shrinks the
/// state toward its origin at rate `t` to first order: for Euclidean coordinates the
/// coordinates themselves (`x <- (1 - t) x`); for a covariance `S` on the
/// Bures-Wasserstein manifold `I / 2` (`exp_S(-t I / 2) = (1 - t/2)^2 S ~ (1 - t) S`).
/// `AdamWStep` uses it for the decay term of Loshchilov & Hutter (2019).
public protocol ElementwiseFlowManifold: FlowManifold where Tangent: ElementwiseTangent {
    /// The tangent along which `-t` times shrinks the state by the factor `1 - t` (to
    /// first order in `t`).
    var weightDecayDirection: Tangent { get }
}

/// Every coordinate of every particle is a component.
extension ParticleField: ElementwiseTangent {
    /// `transform` applied to every coordinate (in `Double`, rounded back to `Float`).
    public func mapComponents(_ transform: (Double) -> Double) -> ParticleField {
        var result = self
        for c in result.classes.indices {
            result.classes[c].withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = Float(transform(Double(p[i]))) }
            }
        }
        return result
    }

    /// `transform(self_k, other_k)` for every coordinate.
    ///
    /// - Precondition: same class count and shapes.
    public func combineComponents(with other: ParticleField, _ transform: (Double, Double) -> Double) -> ParticleField {
        precondition(classes.count == other.classes.count, "field shape mismatch")
        var result = self
        for c in result.classes.indices {
            precondition(classes[c].rows == other.classes[c].rows && classes[c].columns == other.classes[c].columns,
                         "field shape mismatch in class \(c)")
            other.classes[c].withUnsafeBufferPointer { q in
                result.classes[c].withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { p[i] = Float(transform(Double(p[i]), Double(q[i]))) }
                }
            }
        }
        return result
    }
}

/// Every particle coordinate is Euclidean: weight decay pulls the particles toward the
/// origin, `x <- (1 - t) x`.
extension LabeledDataset: ElementwiseFlowManifold {
    /// The particle coordinates themselves.
    public var weightDecayDirection: ParticleField {
        ParticleField(classes: classes.map(\.points))
    }
}
