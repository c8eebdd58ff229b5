import WoWCompute

/// A labeled dataset seen as a distribution over distributions,
/// `P = sum_c a_c delta_{mu_c}`: class `c` is the empirical measure `mu_c` of its
/// features, with class weight `a_c`.
///
/// Classes may have different sizes and per-point weights; all share the dimension `d`.
/// Class weights default to uniform `1/C`.
public struct LabeledDataset: Sendable, Equatable {
    /// The classes `mu_c`, in label order.
    public private(set) var classes: [EmpiricalMeasure]
    /// Class weights `a_c` (positive, summing to one).
    public let classWeights: [Double]
    /// Optional class names (e.g. the original labels), one per class.
    public var labels: [String]

    /// Number of classes `C`.
    public var classCount: Int { classes.count }
    /// Feature dimension `d`.
    public var dimension: Int { classes[0].dimension }
    /// Total number of points, `sum_c n_c`.
    public var pointCount: Int { classes.reduce(0) { $0 + $1.count } }

    /// A dataset from its classes.
    ///
    /// - Parameters:
    ///   - classes: at least one class; all of the same dimension.
    ///   - classWeights: positive, summing to one (within 1e-6), or `nil` for `1/C`.
    ///   - labels: one name per class, or `nil` for "0", "1", ...
    /// - Throws: `DataError` on mismatched dimensions or bad weights.
    public init(classes: [EmpiricalMeasure], classWeights: [Double]? = nil, labels: [String]? = nil) throws {
        guard let first = classes.first else { throw DataError.noClasses }
        for (c, measure) in classes.enumerated() where measure.dimension != first.dimension {
            throw DataError.dimensionMismatch(expected: first.dimension, found: measure.dimension, context: "class \(c)")
        }
        if let classWeights {
            guard classWeights.count == classes.count else {
                throw DataError.invalidWeights("\(classWeights.count) class weights for \(classes.count) classes")
            }
            guard classWeights.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw DataError.invalidWeights("class weights must be finite and positive")
            }
            let total = classWeights.reduce(0, +)
            guard abs(total - 1) <= 1e-6 else {
                throw DataError.invalidWeights("class weights sum to \(total), not 1")
            }
        }
        if let labels, labels.count != classes.count {
            throw DataError.invalidWeights("\(labels.count) labels for \(classes.count) classes")
        }
        self.classes = classes
        self.classWeights = classWeights ?? [Double](repeating: 1 / Double(classes.count), count: classes.count)
        self.labels = labels ?? classes.indices.map(String.init)
    }

    /// Groups points by label: class `c` holds the rows whose label is the `c`-th
    /// distinct label in increasing order.
    ///
    /// - Parameters:
    ///   - points: `N x d`.
    ///   - labels: `N` integer labels.
    public init(points: Matrix, labels: [Int]) throws {
        guard labels.count == points.rows else {
            throw DataError.dimensionMismatch(expected: points.rows, found: labels.count, context: "label count")
        }
        let distinct = Array(Set(labels)).sorted()
        var rowsByLabel = [Int: [Int]]()
        for (row, label) in labels.enumerated() { rowsByLabel[label, default: []].append(row) }
        var classes = [EmpiricalMeasure]()
        for label in distinct {
            let rows = rowsByLabel[label]!
            var storage = [Float]()
            storage.reserveCapacity(rows.count * points.columns)
            for r in rows { storage.append(contentsOf: points.row(r)) }
            let matrix = try Matrix(rows: rows.count, columns: points.columns, storage: storage)
            do {
                classes.append(try EmpiricalMeasure(points: matrix))
            } catch DataError.nonFiniteValue {
                throw DataError.nonFiniteValue(context: "class \(label)")
            }
        }
        try self.init(classes: classes, labels: distinct.map(String.init))
    }

    /// Moves every particle: `x_ci += factor * field_ci` (the Euclidean exponential map).
    ///
    /// - Precondition: `field` is shaped like the dataset.
    public mutating func translate(by field: ParticleField, scaledBy factor: Float = 1) {
        precondition(field.classes.count == classes.count, "field has \(field.classes.count) classes, dataset \(classes.count)")
        for c in classes.indices {
            precondition(field.classes[c].rows == classes[c].count && field.classes[c].columns == dimension, "field shape mismatch in class \(c)")
        }
        forEachClass { c, measure in
            field.classes[c].withUnsafeBufferPointer { src in
                measure.withUnsafeMutablePoints { dst in
                    for i in 0..<dst.count { dst[i] += factor * src[i] }
                }
            }
        }
    }

    /// Runs `body` on every class, in parallel over classes when the dataset is large
    /// (each class is written by one worker only, so results do not depend on the
    /// thread count).
    mutating func forEachClass(_ body: (Int, inout EmpiricalMeasure) -> Void) {
        let large = classes.count > 1 && classes.reduce(0) { $0 + $1.count * $1.dimension } >= Parallel.elementwiseThreshold
        classes.withUnsafeMutableBufferPointer { all in
            if large {
                Parallel.forEach(chunks: all.count) { c in body(c, &all[c]) }
            } else {
                for c in all.indices { body(c, &all[c]) }
            }
        }
    }

    /// Makes `self` equal to `other`. When both have the same classes' sizes, point
    /// weights, class weights and dimension, the coordinates are copied into this
    /// dataset's own storage (no allocation once that storage is not shared); otherwise
    /// this is plain assignment.
    ///
    /// - Complexity: O(total number of coordinates).
    public mutating func assign(_ other: LabeledDataset) {
        guard classes.count == other.classes.count, classWeights == other.classWeights,
              zip(classes, other.classes).allSatisfy({ $0.count == $1.count && $0.dimension == $1.dimension && $0.weights == $1.weights })
        else {
            self = other
            return
        }
        labels = other.labels
        forEachClass { c, measure in
            other.classes[c].points.withUnsafeBufferPointer { src in
                measure.withUnsafeMutablePoints { dst in
                    dst.baseAddress!.update(from: src.baseAddress!, count: src.count)
                }
            }
        }
    }

    /// Mutates the coordinates of class `c` in place (shape kept).
    public mutating func withUnsafeMutablePoints<R>(ofClass c: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try classes[c].withUnsafeMutablePoints(body)
    }

    /// `true` when every coordinate of every class is finite.
    public var isFinite: Bool { Matrix.allFinite(classes.map(\.points)) }
}
