import DatasetDistances
import Functionals
import Integrators
import LabeledData
import OptimalTransport
import WoWCompute

/// The objective of the OTDD flow (Alvarez-Melis & Fusi 2021, "Dataset dynamics via
/// gradient flows in probability space"; the baseline of Bonet, Vauthier & Korba 2025,
/// section 6): the optimal transport cost between the flowed samples
/// `z_i = (x_i, m_i, Sigma_i)` and the target samples `z'_j = (x'_j, m'_j, Sigma'_j)` for
/// the OTDD ground cost with Gaussian label embeddings,
///
///     C_ij = |x_i - x'_j|^2 + BW^2((m_i, Sigma_i), (m'_j, Sigma'_j)),
///     F(z) = min_P <P, C>                               (exact outer solver)
///     F(z) = min_P <P, C> + eps KL(P | a b^T)           (Sinkhorn outer solver)
///
/// Gradient by the envelope theorem (the plan `P` is held at its optimum): with
/// `T_ij` the Bures-Wasserstein map from `Sigma_i` to `Sigma'_j`,
///
///     dF/dx_i = sum_j P_ij 2 (x_i - x'_j),   dF/dm_i = sum_j P_ij 2 (m_i - m'_j),
///     dF/dSigma_i = sum_j P_ij (I - T_ij),
///
/// returned divided by the sample weight `a_i` (the Wasserstein-gradient convention of
/// the toolkit; the reference multiplies its autodiff gradient by `N` for the same
/// effect). When epsilon is relative to the mean cost (`eps = f mean(C)`, the reference's
/// 0.05), epsilon moves with the state; its contribution
/// `KL(P | a b^T) * f / (N M) * sum_j dC_ij / dz_i` is included, so value and gradient
/// agree to finite differences in every mode. The exact cost is only piecewise smooth:
/// where the optimal plan is not unique, this is the gradient for the plan the solver
/// returned (the derivative of the cost along the pieces that plan is optimal on).
///
/// Deterministic: the generator is not used. Work is split in chunks fixed by the shapes,
/// so results are bitwise identical for every thread count.
///
/// - Complexity: `O(N M d)` for the feature costs (GEMM), `O(N M k^2)` for the label
///   costs (`k <= 2` closed forms), the outer solver, and `O(N M d)` (dense plan, GEMM) or
///   `O((N + M) d)` (exact, sparse plan) for the gradient.
public struct OTDDObjective: Functional, Sendable {
    public typealias State = GaussianLabeledSamples

    /// The fixed target samples.
    public let target: GaussianLabeledSamples
    /// Exact (network simplex) or entropic (Sinkhorn) outer problem.
    public let outerSolver: OTDD.OuterSolver

    /// - Parameter outerSolver: the reference flow uses entropic OT with
    ///   `epsilon = 0.05 * mean cost`: `.sinkhorn(Sinkhorn(epsilon: .relativeToMeanCost(0.05), tolerance: 1e-6))`
    ///   (a marginal tolerance of 1e-6 is ample for a flow; ott-jax's default is 1e-3).
    ///   Once classes contract, Sinkhorn converges slowly at small epsilon; a run that hits
    ///   the iteration cap still returns the (approximate) plan's value and gradient.
    public init(target: GaussianLabeledSamples, outerSolver: OTDD.OuterSolver = .exact()) {
        self.target = target
        self.outerSolver = outerSolver
    }

    /// The ground cost `C` (`N x M`) between `state` and the target.
    ///
    /// - Throws: `BaselineError.dimensionMismatch` when feature or label dimensions differ.
    public func groundCost(at state: GaussianLabeledSamples) throws -> CostMatrix {
        try groundCostAndPairs(at: state).cost
    }

    func groundCostAndPairs(at state: GaussianLabeledSamples) throws -> (cost: CostMatrix, pairs: BuresPairs) {
        guard state.featureDimension == target.featureDimension else {
            throw BaselineError.dimensionMismatch(expected: target.featureDimension, found: state.featureDimension, context: "feature dimension of the flowed samples")
        }
        guard state.labelDimension == target.labelDimension else {
            throw BaselineError.dimensionMismatch(expected: target.labelDimension, found: state.labelDimension, context: "label-embedding dimension of the flowed samples")
        }
        let pairs = try BuresPairs(sourceMeans: state.means, sourceCovariances: state.covariances,
                                   targetMeans: target.means, targetCovariances: target.covariances, k: state.labelDimension)
        var values = try SquaredEuclidean.costMatrix(state.features, target.features).values
        let n = state.count, m = target.count
        let chunk = 16
        var failures = [Error?](repeating: nil, count: (n + chunk - 1) / chunk)
        values.withUnsafeMutableBufferPointer { out in
            failures.withUnsafeMutableBufferPointer { errors in
                let out = out, errors = errors
                Parallel.forEach(chunks: errors.count) { block in
                    do {
                        for i in (block * chunk)..<min(n, (block + 1) * chunk) {
                            for j in 0..<m { out[i * m + j] += try pairs.squaredDistance(i, j) }
                        }
                    } catch { errors[block] = error }
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }
        return (try CostMatrix(rows: n, columns: m, values: values), pairs)
    }

    /// `F` at `state` (`<P, C>` exact, the regularised cost with Sinkhorn) and its
    /// gradient per unit sample weight (see the type's documentation).
    ///
    /// - Throws: `BaselineError.dimensionMismatch` for feature or label dimensions that
    ///   differ from the target's; `OptimalTransportError` from the solvers (non-finite
    ///   costs, iteration caps of the network simplex).
    public func valueAndGradient(at state: GaussianLabeledSamples, into gradient: inout GaussianLabeledTangent?,
                                 using generator: inout some RandomNumberGenerator) throws -> Double {
        Self.handing(try evaluate(at: state, using: &generator), to: &gradient)
    }

    /// `F(state)` and its gradient, in fresh storage.
    func evaluate(at state: GaussianLabeledSamples, using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradient: GaussianLabeledTangent) {
        let (cost, pairs) = try groundCostAndPairs(at: state)
        let problem = try TransportProblem(cost: cost, sourceWeights: state.weights, targetWeights: target.weights)
        let value: Double, plan: TransportPlan
        var uniformWeight = 0.0      // the epsilon-dependence term, spread over every pair
        switch outerSolver {
        case let .exact(solver):
            let output = try solver.solve(problem)
            (value, plan) = (output.cost, output.plan)
        case let .sinkhorn(solver):
            let output = try solver.solve(problem)
            (value, plan) = (output.regularizedCost, output.plan)
            if case let .relativeToMeanCost(factor) = solver.epsilon, cost.mean > 0 {
                let divergence = (output.regularizedCost - output.transportCost) / output.epsilon
                uniformWeight = factor * divergence / Double(cost.rows * cost.columns)
            }
        }
        return (value, try gradient(state: state, plan: plan, pairs: pairs, uniformWeight: uniformWeight))
    }

    /// `(1 / a_i) sum_j W_ij dC_ij / dz_i` with `W = P + w 1 1^T`.
    func gradient(state: GaussianLabeledSamples, plan: TransportPlan, pairs: BuresPairs, uniformWeight w: Double) throws -> GaussianLabeledTangent {
        let n = state.count, m = target.count, k = state.labelDimension, d = state.featureDimension
        var features = try SquaredEuclidean.sourceGradient(plan: plan, source: state.features, target: target.features)
        var columnSum = [Double](repeating: 0, count: d)
        if w != 0 {
            target.features.withUnsafeBufferPointer { y in
                for j in 0..<m { for e in 0..<d { columnSum[e] += Double(y[j * d + e]) } }
            }
        }
        state.features.withUnsafeBufferPointer { x in
            features.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    let inverse = 1 / state.weights[i]
                    for e in 0..<d {
                        var value = Double(g[i * d + e])
                        if w != 0 { value += w * 2 * (Double(m) * Double(x[i * d + e]) - columnSum[e]) }
                        g[i * d + e] = Float(value * inverse)
                    }
                }
            }
        }
        var means = [Double](repeating: 0, count: n * k)
        var covariances = [Double](repeating: 0, count: n * k * k)
        let masses: [Double]? = w != 0 || !plan.isSparse ? plan.denseMasses() : nil
        try means.withUnsafeMutableBufferPointer { mg in
            try covariances.withUnsafeMutableBufferPointer { sg in
                let mg = mg.baseAddress!, sg = sg.baseAddress!
                if let masses {
                    let chunk = 16
                    var failures = [Error?](repeating: nil, count: (n + chunk - 1) / chunk)
                    failures.withUnsafeMutableBufferPointer { errors in
                        let errors = errors
                        Parallel.forEach(chunks: errors.count) { block in
                            do {
                                for i in (block * chunk)..<min(n, (block + 1) * chunk) {
                                    for j in 0..<m {
                                        let weight = masses[i * m + j] + w
                                        guard weight != 0 else { continue }
                                        try pairs.accumulateGradient(i, j, weight: weight, meanGradient: mg + i * k, covarianceGradient: sg + i * k * k)
                                    }
                                }
                            } catch { errors[block] = error }
                        }
                    }
                    if let failure = failures.compactMap({ $0 }).first { throw failure }
                } else {
                    for e in plan.nonzeroEntries {
                        try pairs.accumulateGradient(e.source, e.target, weight: e.mass, meanGradient: mg + e.source * k,
                                                     covarianceGradient: sg + e.source * k * k)
                    }
                }
                for i in 0..<n {
                    let inverse = 1 / state.weights[i]
                    for e in 0..<k { mg[i * k + e] *= inverse }
                    for e in 0..<(k * k) { sg[i * k * k + e] *= inverse }
                }
            }
        }
        return GaussianLabeledTangent(features: features, means: means, covariances: covariances)
    }
}
