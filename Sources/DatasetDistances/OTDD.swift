import LabeledData
import OptimalTransport
import WoWCompute

/// The optimal transport dataset distance (OTDD; Alvarez-Melis & Fusi 2020, "Geometric
/// Dataset Distances via Optimal Transport"): optimal transport between the *samples* of
/// two labeled datasets, with a ground cost that compares features and labels,
///
///     c((x, y), (x', y')) = |x - x'|^2 + W_2^2(mu_y, nu_y'),
///     OTDD^2(D, D') = min_{P 1 = a, P^T 1 = b} sum_ij P_ij c(z_i, z'_j),
///
/// where `mu_y` is the empirical measure of the class of `y` in `D` (its "label
/// distribution") and `nu_y'` that of `y'` in `D'`. Sample weights are
/// `a_i = a_c b_ci` (class weight times point weight; `1/N` for balanced data).
///
/// Ingredients (configure once, then `evaluate`):
/// - label distances (`LabelDistance`): `.exact` (`W_2^2` between the class point clouds
///   by exact OT) or `.gaussian` (Bures-Wasserstein between class Gaussian fits,
///   optionally after PCA), computed once for the `C x K` class pairs;
/// - the outer problem (`OuterSolver`): `.exact` (network simplex) or `.sinkhorn`
///   (entropic; OTDD's and the reference code's choice is `epsilon = 0.05 * mean cost`,
///   `Sinkhorn.Epsilon.relativeToMeanCost(0.05)`).
///
/// The value returned as `squaredDistance` is **squared**: the transport cost `<P, C>` of
/// the optimal (exact) or entropic (Sinkhorn) plan, in squared feature units;
/// `distance` is its square root.
///
/// **Self-distance.** In exact mode `OTDD(D, D) = 0` exactly. A known complaint about the
/// original library is a positive self-distance: it solves the outer problem with
/// entropic OT (Sinkhorn, no debiasing), whose plan spreads mass off the diagonal. Here the
/// outer problem is solved exactly, and the ground cost of a dataset against itself has
/// an exactly zero diagonal: `|x - x|^2 = 0` (pairs of identical points are set to 0
/// even when the cost comes from the GEMM expansion) and `W_2^2(mu_y, mu_y) = 0`
/// (identical classes are recognised before any solver runs, and the Gaussian path
/// rounds `BW^2` of equal Gaussians to exactly 0). With nonnegative costs the identity
/// coupling then costs 0 and is optimal; it is checked first and returned as the
/// certificate. With Sinkhorn the self-distance is positive, of order epsilon.
///
/// Symmetric: `OTDD(D, D') = OTDD(D', D)` (the ground cost is symmetric; exact mode gives
/// the same optimum, Sinkhorn the same value up to its tolerance).
///
/// - Complexity: the label distances (see `LabelDistance`), `O(N M d)` for the feature
///   costs (GEMM for large problems), then the network simplex or `O(N M)` per Sinkhorn
///   iteration; `O(N M)` memory.
public struct OTDD: Sendable {
    /// How the outer (sample-to-sample) problem is solved.
    public enum OuterSolver: Sendable {
        /// Exact optimal transport (network simplex).
        case exact(ExactSolver = ExactSolver())
        /// Entropic optimal transport; the value is the transport cost of the entropic
        /// plan (POT's `sinkhorn2`), which tends to the exact value as epsilon shrinks.
        case sinkhorn(Sinkhorn)
    }

    /// How `W_2^2` between label distributions is computed (once per class pair).
    public let labelDistance: LabelDistance
    /// How the `N x M` sample-to-sample problem is solved.
    public let outerSolver: OuterSolver

    /// - Throws: `DatasetDistanceError.invalidParameter` for an invalid `labelDistance`.
    ///   (Sinkhorn parameters are validated when the `Sinkhorn` value is made.)
    public init(labelDistance: LabelDistance = .exact, outerSolver: OuterSolver = .exact()) throws {
        try labelDistance.validate()
        self.labelDistance = labelDistance
        self.outerSolver = outerSolver
    }

    /// `OTDD^2(source, target)` with its ingredients.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for different feature
    ///   dimensions; the solvers' `OptimalTransportError` (iteration caps, Sinkhorn
    ///   epsilon underflow).
    public func evaluate(_ source: LabeledDataset, _ target: LabeledDataset) throws -> OTDDOutput {
        guard source.dimension == target.dimension else {
            throw DatasetDistanceError.dimensionMismatch(source: source.dimension, target: target.dimension)
        }
        let labelCosts = try labelDistance.squaredDistances(from: source.classes, to: target.classes)
        let x = try StackedSamples(source), y = try StackedSamples(target)
        var values = try squaredEuclideanCosts(x.points, y.points)
        let m = y.points.rows
        for i in 0..<x.points.rows {
            let c = x.classOf[i]
            for j in 0..<m { values[i * m + j] += labelCosts[c, y.classOf[j]] }
        }
        let cost = try CostMatrix(rows: x.points.rows, columns: m, values: values)
        let problem = try TransportProblem(cost: cost, sourceWeights: x.weights, targetWeights: y.weights)
        switch outerSolver {
        case let .exact(solver):
            let (value, plan) = try ZeroCostCertificate.solve(problem, solver: solver)
            return OTDDOutput(squaredDistance: value, regularizedCost: nil, labelCosts: labelCosts, plan: plan,
                              sinkhornIterations: nil, converged: true)
        case let .sinkhorn(solver):
            let output = try solver.solve(problem)
            return OTDDOutput(squaredDistance: max(0, output.transportCost), regularizedCost: output.regularizedCost,
                              labelCosts: labelCosts, plan: output.plan, sinkhornIterations: output.iterations,
                              converged: output.converged)
        }
    }
}

/// What `OTDD.evaluate` returns.
public struct OTDDOutput: Sendable {
    /// `OTDD^2 = <P, C>` (squared), `P` the exact or entropic plan.
    public let squaredDistance: Double
    /// `OTDD`.
    public var distance: Double { squaredDistance.squareRoot() }
    /// Sinkhorn only: `<P, C> + eps KL(P | a b^T)`.
    public let regularizedCost: Double?
    /// `C x K`: the squared label distances `W_2^2(mu_c, nu_k)`.
    public let labelCosts: CostMatrix
    /// `N x M` coupling of the samples, each dataset's samples listed class by class
    /// (sparse when exact, dense for Sinkhorn).
    public let plan: TransportPlan
    /// Sinkhorn only: iterations run.
    public let sinkhornIterations: Int?
    /// `false` when Sinkhorn stopped at its iteration cap (always `true` when exact).
    public let converged: Bool
}
