import LabeledData
import OptimalTransport

/// The Wasserstein-over-Wasserstein distance between labeled datasets (Bonet, Vauthier &
/// Korba 2025, section 2): the 2-Wasserstein distance on the space of probability
/// measures, between `P = sum_c a_c delta_{mu_c}` and `Q = sum_k b_k delta_{nu_k}`,
///
///     WW_2^2(P, Q) = min_{Gamma >= 0, Gamma 1 = a, Gamma^T 1 = b} sum_ck Gamma_ck W_2^2(mu_c, nu_k),
///
/// a `C x K` optimal transport problem whose ground cost is the squared 2-Wasserstein
/// distance between classes (`LabelDistance.exact` by default; `.gaussian` gives the
/// Bures-Wasserstein variant) and whose marginals are the class weights. Solved exactly
/// (network simplex). The value returned as `squaredDistance` is **squared**
/// (`WW_2^2`); `distance` is its square root.
///
/// Properties: symmetric, zero for identical datasets (exactly: identical classes have
/// cost 0 and the identity coupling certifies the zero optimum), a metric on datasets
/// seen as measures over measures; for single-class datasets it is `W_2^2(mu, nu)`.
///
/// ```swift
/// let ww2 = try WoWDistance().evaluate(p, q).squaredDistance
/// ```
///
/// - Complexity: `C K` exact class-to-class problems (in parallel) plus one `C x K`
///   network simplex.
public struct WoWDistance: Sendable {
    /// How the class-to-class costs `W_2^2(mu_c, nu_k)` are computed.
    public let labelDistance: LabelDistance
    /// The solver of the outer `C x K` problem.
    public let solver: ExactSolver

    /// - Throws: `DatasetDistanceError.invalidParameter` for an invalid `labelDistance`.
    public init(labelDistance: LabelDistance = .exact, solver: ExactSolver = ExactSolver()) throws {
        try labelDistance.validate()
        self.labelDistance = labelDistance
        self.solver = solver
    }

    /// `WW_2^2(p, q)` with its class costs and optimal class coupling.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for datasets of different
    ///   feature dimensions; the solvers' `OptimalTransportError`.
    public func evaluate(_ p: LabeledDataset, _ q: LabeledDataset) throws -> WoWDistanceOutput {
        guard p.dimension == q.dimension else {
            throw DatasetDistanceError.dimensionMismatch(source: p.dimension, target: q.dimension)
        }
        let classCosts = try labelDistance.squaredDistances(from: p.classes, to: q.classes)
        let problem = try TransportProblem(cost: classCosts, sourceWeights: p.classWeights, targetWeights: q.classWeights)
        let (cost, plan) = try ZeroCostCertificate.solve(problem, solver: solver)
        return WoWDistanceOutput(squaredDistance: cost, classCosts: classCosts, plan: plan)
    }
}

/// What `WoWDistance.evaluate` returns.
public struct WoWDistanceOutput: Sendable {
    /// `WW_2^2(P, Q)` (squared).
    public let squaredDistance: Double
    /// `WW_2(P, Q)`.
    public var distance: Double { squaredDistance.squareRoot() }
    /// `C x K`: `W_2^2(mu_c, nu_k)`.
    public let classCosts: CostMatrix
    /// An optimal coupling `Gamma` of the class weights (`C x K`, sparse).
    public let plan: TransportPlan
}
