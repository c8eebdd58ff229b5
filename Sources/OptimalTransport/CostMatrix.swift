/// A ground-cost matrix `C` between `n` source points and `m` target points: the
/// *geometry* of a discrete transport problem (ott-jax's `Geometry`), kept apart from the
/// weights (`TransportProblem`) and from the solvers (`ExactSolver`, `Sinkhorn`).
///
/// Entries are row-major `Double`s, `C_ij = values[i * columns + j]`, all finite. Any
/// finite cost is allowed (negative costs included); `SquaredEuclidean.costMatrix` builds
/// the usual `|x_i - y_j|^2`, and a precomputed matrix (e.g. `W_2^2` between classes for
/// the WoW distance, or an OTDD ground cost) can be wrapped directly.
public struct CostMatrix: Sendable, Equatable {
    /// Number of sources `n`.
    public let rows: Int
    /// Number of targets `m`.
    public let columns: Int
    /// Row-major entries, `rows * columns` of them.
    public let values: [Double]

    /// Wraps row-major `values` as an `rows x columns` cost matrix.
    ///
    /// - Throws: `OptimalTransportError.empty` for a zero dimension,
    ///   `.dimensionMismatch` when `values.count != rows * columns`, `.nonFiniteCost` for
    ///   the first NaN or infinite entry.
    /// - Complexity: O(n m) to validate.
    public init(rows: Int, columns: Int, values: [Double]) throws {
        guard rows > 0, columns > 0 else { throw OptimalTransportError.empty("cost matrix (\(rows) x \(columns))") }
        guard !rows.multipliedReportingOverflow(by: columns).overflow else {
            throw OptimalTransportError.invalidParameter("a \(rows) x \(columns) cost matrix has more than \(Int.max) entries")
        }
        guard values.count == rows * columns else {
            throw OptimalTransportError.dimensionMismatch(expected: rows * columns, found: values.count, context: "cost matrix entries for \(rows) x \(columns)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw OptimalTransportError.nonFiniteCost(row: bad / columns, column: bad % columns)
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A cost matrix from rows of equal length.
    public init(_ rowArrays: [[Double]]) throws {
        let columns = rowArrays.first?.count ?? 0
        for (index, row) in rowArrays.enumerated() where row.count != columns {
            throw OptimalTransportError.dimensionMismatch(expected: columns, found: row.count, context: "cost matrix row \(index)")
        }
        try self.init(rows: rowArrays.count, columns: columns, values: rowArrays.flatMap { $0 })
    }

    /// For builders that guarantee the invariants.
    init(validated values: [Double], rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// `C_ij`.
    @inlinable
    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// The mean entry `(1 / nm) sum_ij C_ij` (the scale of relative Sinkhorn epsilons).
    public var mean: Double { values.reduce(0, +) / Double(values.count) }

    /// The largest absolute entry.
    public var maximumMagnitude: Double { values.reduce(0) { max($0, abs($1)) } }

    /// `C^T`, the cost of the reversed problem.
    public func transposed() -> CostMatrix {
        var result = [Double](repeating: 0, count: values.count)
        for i in 0..<rows { for j in 0..<columns { result[j * rows + i] = values[i * columns + j] } }
        return CostMatrix(validated: result, rows: columns, columns: rows)
    }
}
