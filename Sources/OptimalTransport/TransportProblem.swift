import LabeledData
import WoWCompute

/// A discrete (balanced) optimal transport problem: a cost matrix `C` (`n x m`) and two
/// probability vectors, `a` on the sources and `b` on the targets (ott-jax's
/// `LinearProblem`):
///
///     minimise  <P, C> = sum_ij P_ij C_ij   over  P >= 0,  P 1 = a,  P^T 1 = b.
///
/// Weights may be arbitrary nonnegative numbers (zeros allowed) that sum to one within
/// `massTolerance`; they are then rescaled to sum to one exactly (up to rounding), so
/// that both marginals carry the same mass. The problem is validated once here; solvers
/// take it as is.
public struct TransportProblem: Sendable {
    /// The ground cost, `n x m`.
    public let cost: CostMatrix
    /// Source weights `a` (length `n`, nonnegative, summing to one).
    public let sourceWeights: [Double]
    /// Target weights `b` (length `m`, nonnegative, summing to one).
    public let targetWeights: [Double]

    /// Default tolerance on `|sum(weights) - 1|`.
    public static let defaultMassTolerance = 1e-6

    /// - Parameters:
    ///   - cost: the `n x m` ground cost.
    ///   - sourceWeights: `n` weights, or `nil` for uniform `1/n`.
    ///   - targetWeights: `m` weights, or `nil` for uniform `1/m`.
    ///   - massTolerance: allowed `|sum - 1|` for each weight vector.
    /// - Throws: `OptimalTransportError.dimensionMismatch` for weight counts that do not
    ///   match the cost matrix, `.invalidWeights` for negative, NaN or infinite weights,
    ///   `.unnormalizedWeights` when a vector does not sum to one.
    public init(cost: CostMatrix, sourceWeights: [Double]? = nil, targetWeights: [Double]? = nil,
                massTolerance: Double = TransportProblem.defaultMassTolerance) throws {
        guard massTolerance >= 0, massTolerance.isFinite else {
            throw OptimalTransportError.invalidParameter("mass tolerance must be finite and nonnegative, got \(massTolerance)")
        }
        self.cost = cost
        self.sourceWeights = try Self.normalized(sourceWeights, count: cost.rows, side: "source", tolerance: massTolerance)
        self.targetWeights = try Self.normalized(targetWeights, count: cost.columns, side: "target", tolerance: massTolerance)
    }

    /// The problem between two empirical measures with the squared Euclidean cost
    /// `C_ij = |x_i - y_j|^2` (so the optimal cost is `W_2^2(mu, nu)`).
    ///
    /// The measures' weights are already validated by `EmpiricalMeasure`; they are
    /// rescaled in `Double` to sum to one.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` when the dimensions differ.
    public init(source: EmpiricalMeasure, target: EmpiricalMeasure,
                evaluation: SquaredEuclidean.Evaluation = .automatic) throws {
        let cost = try SquaredEuclidean.costMatrix(source.points, target.points, evaluation: evaluation)
        self.cost = cost
        self.sourceWeights = Self.weights(of: source)
        self.targetWeights = Self.weights(of: target)
    }

    /// Number of sources `n`.
    public var sourceCount: Int { cost.rows }
    /// Number of targets `m`.
    public var targetCount: Int { cost.columns }

    /// `true` when `n = m` and every weight is `1/n` (an assignment problem).
    public var isUniformSquare: Bool {
        guard sourceCount == targetCount, let a0 = sourceWeights.first else { return false }
        return sourceWeights.allSatisfy { $0 == a0 } && targetWeights.allSatisfy { $0 == a0 }
    }

    /// `sum_i a_i u_i + sum_j b_j v_j`, the dual objective of potentials `(u, v)`.
    public func dualObjective(source u: [Double], target v: [Double]) -> Double {
        zip(sourceWeights, u).reduce(0) { $0 + $1.0 * $1.1 } + zip(targetWeights, v).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The measure's weights in `Double`, summing to one.
    static func weights(of measure: EmpiricalMeasure) -> [Double] {
        guard let w = measure.weights else {
            return [Double](repeating: 1 / Double(measure.count), count: measure.count)
        }
        let total = w.reduce(0.0) { $0 + Double($1) }
        return w.map { Double($0) / total }
    }

    static func normalized(_ weights: [Double]?, count: Int, side: String, tolerance: Double) throws -> [Double] {
        guard let weights else { return [Double](repeating: 1 / Double(count), count: count) }
        guard weights.count == count else {
            throw OptimalTransportError.dimensionMismatch(expected: count, found: weights.count, context: "\(side) weight count")
        }
        if let bad = weights.firstIndex(where: { !$0.isFinite }) {
            throw OptimalTransportError.invalidWeights(side: side, problem: "weight \(bad) is \(weights[bad])")
        }
        if let bad = weights.firstIndex(where: { $0 < 0 }) {
            throw OptimalTransportError.invalidWeights(side: side, problem: "weight \(bad) is negative (\(weights[bad]))")
        }
        let total = weights.reduce(0, +)
        guard abs(total - 1) <= tolerance, total > 0 else {
            throw OptimalTransportError.unnormalizedWeights(side: side, sum: total, tolerance: tolerance)
        }
        return total == 1 ? weights : weights.map { $0 / total }
    }
}
