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

    /// Why this field cannot be a vector field on `dataset` (class count or a class's
    /// `n_c x d` shape differ), or `nil` when it can.
    public func shapeMismatch(with dataset: LabeledDataset) -> String? {
        guard classes.count == dataset.classCount else {
            return "\(classes.count) classes, the dataset has \(dataset.classCount)"
        }
        for (c, (field, measure)) in zip(classes, dataset.classes).enumerated()
        where field.rows != measure.count || field.columns != measure.dimension {
            return "class \(c) is \(field.rows) x \(field.columns), the dataset's class is \(measure.count) x \(measure.dimension)"
        }
        return nil
    }

    /// Why `other` has a different shape from this field, or `nil` when the shapes agree.
    public func shapeMismatch(with other: ParticleField) -> String? {
        guard classes.count == other.classes.count else {
            return "\(classes.count) classes against \(other.classes.count)"
        }
        for (c, (a, b)) in zip(classes, other.classes).enumerated() where a.rows != b.rows || a.columns != b.columns {
            return "class \(c) is \(a.rows) x \(a.columns) against \(b.rows) x \(b.columns)"
        }
        return nil
    }

    /// Sum of squared components.
    public var squaredNorm: Double { classes.reduce(0) { $0 + $1.squaredNorm } }
}
