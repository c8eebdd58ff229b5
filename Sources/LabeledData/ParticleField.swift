import WoWCompute

/// A vector at every particle of a labeled dataset: class `c` carries an `n_c x d`
/// matrix. This is the tangent space of the WoW geometry at a dataset (a velocity field
/// for every class), the type of WoW gradients, and the step an integrator takes.
public struct ParticleField: Sendable, Equatable {
    /// One `n_c x d` matrix per class.
    public var classes: [Matrix]

    public init(classes: [Matrix]) { self.classes = classes }

    /// The zero field shaped like `dataset`.
    public init(zerosLike dataset: LabeledDataset) {
        classes = dataset.classes.map { Matrix(rows: $0.count, columns: $0.dimension) }
    }

    /// `self *= factor`.
    public mutating func scale(by factor: Float) {
        for c in classes.indices { classes[c].scale(by: factor) }
    }

    /// `self = factor * self + other` in one pass per class (see `Matrix`).
    ///
    /// - Precondition: same class count and shapes.
    public mutating func scale(by factor: Float, adding other: ParticleField) {
        precondition(classes.count == other.classes.count, "field shape mismatch")
        for c in classes.indices { classes[c].scale(by: factor, adding: other.classes[c]) }
    }

    /// `self += factor * other`.
    ///
    /// - Precondition: same class count and shapes.
    public mutating func add(_ other: ParticleField, scaledBy factor: Float) {
        precondition(classes.count == other.classes.count, "field shape mismatch")
        for c in classes.indices { classes[c].add(other.classes[c], scaledBy: factor) }
    }

    /// `true` when every component is finite.
    public var isFinite: Bool { Matrix.allFinite(classes) }

    /// Sum of squared components.
    public var squaredNorm: Double { classes.reduce(0) { $0 + $1.squaredNorm } }
}
