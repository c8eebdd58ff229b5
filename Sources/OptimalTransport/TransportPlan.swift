import WoWCompute

/// A coupling `P` (`n x m`, entries `P_ij >= 0`) between the sources and targets of a
/// transport problem: the primal output of every solver.
///
/// Exact solvers return *sparse* plans (a basic solution has at most `n + m - 1` nonzero
/// entries); Sinkhorn returns a *dense* one (every entry positive). Both answer the same
/// questions: marginals, the cost `<P, C>`, and products with point clouds, from which
/// barycentric projections and gradients are built.
public struct TransportPlan: Sendable, Equatable {
    /// One nonzero entry `P_ij`.
    public struct Entry: Sendable, Hashable {
        public var source: Int
        public var target: Int
        public var mass: Double
        public init(source: Int, target: Int, mass: Double) {
            self.source = source
            self.target = target
            self.mass = mass
        }
    }

    enum Storage: Sendable, Equatable {
        /// Nonzero entries sorted by (source, target).
        case sparse([Entry])
        /// Row-major `n x m` masses.
        case dense([Double])
    }

    /// `n`.
    public let sourceCount: Int
    /// `m`.
    public let targetCount: Int
    let storage: Storage

    /// A sparse plan from its nonzero entries (any order; zero masses are dropped).
    ///
    /// - Throws: `OptimalTransportError.invalidParameter` for an index out of range or a
    ///   negative or non-finite mass, or a repeated `(source, target)` pair.
    public init(sourceCount: Int, targetCount: Int, entries: [Entry]) throws {
        guard sourceCount > 0, targetCount > 0 else { throw OptimalTransportError.empty("transport plan") }
        for e in entries {
            guard (0..<sourceCount).contains(e.source), (0..<targetCount).contains(e.target) else {
                throw OptimalTransportError.invalidParameter("plan entry (\(e.source), \(e.target)) outside \(sourceCount) x \(targetCount)")
            }
            guard e.mass.isFinite, e.mass >= 0 else {
                throw OptimalTransportError.invalidParameter("plan entry (\(e.source), \(e.target)) has mass \(e.mass)")
            }
        }
        let sorted = entries.filter { $0.mass > 0 }.sorted { ($0.source, $0.target) < ($1.source, $1.target) }
        for k in sorted.indices.dropFirst() where sorted[k].source == sorted[k - 1].source && sorted[k].target == sorted[k - 1].target {
            throw OptimalTransportError.invalidParameter("plan entry (\(sorted[k].source), \(sorted[k].target)) given twice")
        }
        self.init(sourceCount: sourceCount, targetCount: targetCount, storage: .sparse(sorted))
    }

    init(sourceCount: Int, targetCount: Int, storage: Storage) {
        self.sourceCount = sourceCount
        self.targetCount = targetCount
        self.storage = storage
    }

    /// `true` for a plan stored as its nonzero entries (exact solvers).
    public var isSparse: Bool {
        if case .sparse = storage { return true }
        return false
    }

    /// The nonzero entries, sorted by source then target.
    ///
    /// - Complexity: O(1) for sparse plans, O(n m) for dense ones.
    public var nonzeroEntries: [Entry] {
        switch storage {
        case let .sparse(entries): return entries
        case let .dense(masses):
            var out = [Entry]()
            for i in 0..<sourceCount {
                for j in 0..<targetCount where masses[i * targetCount + j] > 0 {
                    out.append(Entry(source: i, target: j, mass: masses[i * targetCount + j]))
                }
            }
            return out
        }
    }

    /// The row-major `n x m` masses.
    public func denseMasses() -> [Double] {
        switch storage {
        case let .dense(masses): return masses
        case let .sparse(entries):
            var out = [Double](repeating: 0, count: sourceCount * targetCount)
            for e in entries { out[e.source * targetCount + e.target] += e.mass }
            return out
        }
    }

    /// `P_ij` (0 outside the support).
    public func mass(source i: Int, target j: Int) -> Double {
        switch storage {
        case let .dense(masses): return masses[i * targetCount + j]
        case let .sparse(entries):
            var lo = 0, hi = entries.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if (entries[mid].source, entries[mid].target) < (i, j) { lo = mid + 1 } else { hi = mid }
            }
            return lo < entries.count && entries[lo].source == i && entries[lo].target == j ? entries[lo].mass : 0
        }
    }

    /// Row sums `P 1` (equal to the source weights for a feasible plan).
    public var sourceMarginal: [Double] {
        var r = [Double](repeating: 0, count: sourceCount)
        forEachEntry { i, _, p in r[i] += p }
        return r
    }

    /// Column sums `P^T 1` (equal to the target weights for a feasible plan).
    public var targetMarginal: [Double] {
        var c = [Double](repeating: 0, count: targetCount)
        forEachEntry { _, j, p in c[j] += p }
        return c
    }

    /// `sum_ij P_ij`.
    public var totalMass: Double {
        var t = 0.0
        forEachEntry { _, _, p in t += p }
        return t
    }

    /// `<P, C> = sum_ij P_ij C_ij`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` when `C` is not `n x m`.
    public func cost(_ c: CostMatrix) throws -> Double {
        guard c.rows == sourceCount, c.columns == targetCount else {
            throw OptimalTransportError.dimensionMismatch(expected: sourceCount * targetCount, found: c.rows * c.columns, context: "cost matrix for the plan")
        }
        var total = 0.0
        c.values.withUnsafeBufferPointer { cv in forEachEntry { i, j, p in total += p * cv[i * targetCount + j] } }
        return total
    }

    /// Calls `body(i, j, P_ij)` for every stored entry (row-major order).
    public func forEachEntry(_ body: (Int, Int, Double) -> Void) {
        switch storage {
        case let .sparse(entries):
            for e in entries { body(e.source, e.target, e.mass) }
        case let .dense(masses):
            masses.withUnsafeBufferPointer { p in
                for i in 0..<sourceCount { for j in 0..<targetCount { body(i, j, p[i * targetCount + j]) } }
            }
        }
    }

    /// `P Y` (`n x d`) for target points `Y` (`m x d`).
    ///
    /// - Complexity: O(nnz d) (sparse, accumulated in `Double`) or one GEMM (dense).
    public func apply(to target: Matrix) throws -> Matrix {
        guard target.rows == targetCount else {
            throw OptimalTransportError.dimensionMismatch(expected: targetCount, found: target.rows, context: "target points for the plan")
        }
        return product(target, transposed: false)
    }

    /// `P^T X` (`m x d`) for source points `X` (`n x d`).
    public func applyTransposed(to source: Matrix) throws -> Matrix {
        guard source.rows == sourceCount else {
            throw OptimalTransportError.dimensionMismatch(expected: sourceCount, found: source.rows, context: "source points for the plan")
        }
        return product(source, transposed: true)
    }

    /// The barycentric projection `T(x_i) = (1 / r_i) sum_j P_ij y_j`, `r_i = sum_j P_ij`
    /// (`n x d`; rows with `r_i = 0` are zero). For an optimal plan this is the
    /// (approximate) Monge map, and `2 (x_i - T(x_i))` the Wasserstein gradient of
    /// `W_2^2(., nu)` at `x_i`.
    public func barycentricProjection(of target: Matrix) throws -> Matrix {
        var projected = try apply(to: target)
        let rowMass = sourceMarginal
        let d = target.columns
        projected.withUnsafeMutableBufferPointer { p in
            for i in 0..<sourceCount {
                let s: Float = rowMass[i] > 0 ? Float(1 / rowMass[i]) : 0
                for k in 0..<d { p[i * d + k] *= s }
            }
        }
        return projected
    }

    /// `P^T`, the plan of the reversed problem.
    public func transposed() -> TransportPlan {
        switch storage {
        case let .sparse(entries):
            let swapped = entries.map { Entry(source: $0.target, target: $0.source, mass: $0.mass) }
                .sorted { ($0.source, $0.target) < ($1.source, $1.target) }
            return TransportPlan(sourceCount: targetCount, targetCount: sourceCount, storage: .sparse(swapped))
        case let .dense(masses):
            var t = [Double](repeating: 0, count: masses.count)
            for i in 0..<sourceCount { for j in 0..<targetCount { t[j * sourceCount + i] = masses[i * targetCount + j] } }
            return TransportPlan(sourceCount: targetCount, targetCount: sourceCount, storage: .dense(t))
        }
    }

    private func product(_ points: Matrix, transposed: Bool) -> Matrix {
        let d = points.columns
        let outRows = transposed ? targetCount : sourceCount
        switch storage {
        case let .sparse(entries):
            var acc = [Double](repeating: 0, count: outRows * d)
            points.withUnsafeBufferPointer { y in
                acc.withUnsafeMutableBufferPointer { a in
                    for e in entries {
                        let (row, from) = transposed ? (e.target, e.source) : (e.source, e.target)
                        for k in 0..<d { a[row * d + k] += e.mass * Double(y[from * d + k]) }
                    }
                }
            }
            return try! Matrix(rows: outRows, columns: d, storage: acc.map { Float($0) })
        case let .dense(masses):
            let p = try! Matrix(rows: sourceCount, columns: targetCount, storage: masses.map { Float($0) })
            var out = Matrix(rows: outRows, columns: d)
            gemm(transposed ? .transposed : .none, .none, p, points, into: &out)
            return out
        }
    }
}
