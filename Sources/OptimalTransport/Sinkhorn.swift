/// Entropy-regularised optimal transport by Sinkhorn iterations (Cuturi 2013), in the
/// log domain (stable for small epsilon; Schmitzer 2019, Peyre & Cuturi 2019, section 4.4)
/// or in the scaling form (fast: two matrix-vector products per iteration).
///
///     OT_eps(a, b) = min_{P 1 = a, P^T 1 = b} <P, C> + eps KL(P | a b^T)
///
/// The optimal plan is `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` for dual
/// potentials `(f, g)`, found by alternating the soft c-transforms
///
///     f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps)
///     g_j = -eps log sum_i a_i exp((f_i - C_ij) / eps)
///
/// (the scaling form iterates `u = a / (K v)`, `v = b / (K^T u)` with
/// `K_ij = exp(-(C_ij - r_i - s_j) / eps)`, `r`, `s` row and column offsets that keep
/// `K` in `(0, 1]`). After each `g` update the column marginals are exact; iteration
/// stops when the row marginals are within `tolerance` in L1 norm, or at the iteration
/// cap (reported, not an error: the plan is then a good approximation with known
/// marginal error).
///
/// Gradient: by the envelope theorem `d OT_eps / d x_i = sum_j P_ij dC_ij/dx_i`, for the
/// squared Euclidean cost `2 sum_j P_ij (x_i - y_j)` (`SquaredEuclidean.sourceGradient`).
///
/// Configure once (ott-jax style), then `solve` problems; the output is immutable.
/// Work is split into chunks fixed by the shapes, so results are bitwise identical for
/// every thread count.
///
/// - Complexity: O(n m) per iteration; O(n m) memory (one or two copies of the costs).
public struct Sinkhorn: Sendable {
    /// How the regularisation strength is given.
    public enum Epsilon: Sendable, Hashable {
        /// `eps` itself.
        case absolute(Double)
        /// `eps = factor * mean_ij |C_ij|` (the mean of the cost matrix for nonnegative
        /// costs; POT's and the paper's OTDD use `0.05`). With an all-zero cost matrix,
        /// `eps = factor`.
        case relativeToMeanCost(Double)
    }

    /// Which iteration is run.
    public enum Domain: Sendable, Hashable {
        /// The scaling form when `max_ij (C_ij - r_i - s_j) / eps <= 300` (no
        /// underflow risk), the log domain otherwise; also falls back to the log domain if
        /// the scalings over- or underflow.
        case automatic
        /// Soft c-transforms with log-sum-exp: stable for any epsilon; about 20 times
        /// slower per iteration (two exponentials per entry).
        case logarithmic
        /// Scaling vectors with a precomputed Gibbs kernel: fastest; throws
        /// `OptimalTransportError.numericalFailure` if the scalings over- or underflow.
        case scaling
    }

    public let epsilon: Epsilon
    /// Stop when `sum_i |(P 1)_i - a_i| <= tolerance` (default 1e-9); the output's
    /// `converged` is the same test on both marginals of the returned plan.
    public let tolerance: Double
    /// Iteration cap (default 10,000); one iteration updates `f` and `g` once.
    public let maxIterations: Int
    public let domain: Domain

    /// - Throws: `OptimalTransportError.invalidParameter` for `eps <= 0` (or a
    ///   non-finite value), a negative tolerance or a non-positive iteration cap.
    public init(epsilon: Epsilon = .relativeToMeanCost(0.05), tolerance: Double = 1e-9,
                maxIterations: Int = 10_000, domain: Domain = .automatic) throws {
        switch epsilon {
        case let .absolute(value), let .relativeToMeanCost(value):
            guard value > 0, value.isFinite else {
                throw OptimalTransportError.invalidParameter("epsilon must be positive and finite, got \(value)")
            }
        }
        guard tolerance >= 0, tolerance.isFinite else {
            throw OptimalTransportError.invalidParameter("tolerance must be finite and nonnegative, got \(tolerance)")
        }
        guard maxIterations > 0 else {
            throw OptimalTransportError.invalidParameter("the iteration cap must be positive, got \(maxIterations)")
        }
        self.epsilon = epsilon
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.domain = domain
    }

    /// The absolute epsilon this configuration uses for `cost`.
    public func absoluteEpsilon(for cost: CostMatrix) -> Double {
        switch epsilon {
        case let .absolute(value): return value
        case let .relativeToMeanCost(factor):
            let sum = cost.values.withUnsafeBufferPointer { c in
                var s0 = 0.0, s1 = 0.0
                var k = 0
                while k + 2 <= c.count { s0 += abs(c[k]); s1 += abs(c[k + 1]); k += 2 }
                if k < c.count { s0 += abs(c[k]) }
                return s0 + s1
            }
            let scale = sum / Double(cost.values.count)
            return factor * (scale > 0 ? scale : 1)
        }
    }

    /// Runs Sinkhorn on `problem`.
    ///
    /// - Throws: `OptimalTransportError.invalidParameter` when the absolute epsilon
    ///   underflows to 0, `.numericalFailure` when the iterates stop being finite (only
    ///   possible in the `.scaling` domain, which the `.automatic` domain avoids).
    public func solve(_ problem: TransportProblem) throws -> SinkhornOutput {
        let eps = absoluteEpsilon(for: problem.cost)
        guard eps > 0, eps.isFinite else {
            throw OptimalTransportError.invalidParameter("epsilon \(eps) is not positive and finite for this cost scale")
        }
        var engine = SinkhornIterations(problem: problem, epsilon: eps, tolerance: tolerance, maxIterations: maxIterations)
        let output: SinkhornOutput
        switch domain {
        case .logarithmic:
            output = try engine.runLogarithmic()
        case .scaling:
            guard let scaled = try engine.runScaling(checkRange: false) else {
                throw OptimalTransportError.numericalFailure("Sinkhorn scalings over- or underflowed at epsilon \(eps); use the logarithmic domain")
            }
            output = scaled
        case .automatic:
            output = try engine.runScaling(checkRange: true) ?? engine.runLogarithmic()
        }
        guard output.transportCost.isFinite, output.regularizedCost.isFinite, output.marginalError.isFinite else {
            throw OptimalTransportError.numericalFailure("Sinkhorn costs overflowed (cost scale \(problem.cost.maximumMagnitude)); rescale the cost matrix")
        }
        return output
    }
}

/// What `Sinkhorn.solve` returns.
public struct SinkhornOutput: Sendable {
    /// The absolute regularisation strength used.
    public let epsilon: Double
    /// The entropic plan `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` (dense).
    public let plan: TransportPlan
    /// Source potentials `f`.
    public let sourcePotentials: [Double]
    /// Target potentials `g`.
    public let targetPotentials: [Double]
    /// `<P, C>`, the transport cost of the entropic plan (POT's `sinkhorn2`). Tends to the
    /// exact optimal cost as `eps -> 0`.
    public let transportCost: Double
    /// `<P, C> + eps KL(P | a b^T)`, the regularised objective at `P` (at convergence
    /// `<a, f> + <b, g>`); its gradient in the source points is the envelope gradient.
    public let regularizedCost: Double
    /// Iterations run.
    public let iterations: Int
    /// `max(sum_i |(P 1)_i - a_i|, sum_j |(P^T 1)_j - b_j|)`, measured on the returned plan.
    /// Both domains return the plan right after a `g` (or `v`) update, so the column sums
    /// equal `b` up to rounding and this is in effect the row error.
    public let marginalError: Double
    /// `marginalError <= tolerance`.
    public let converged: Bool
    /// The tolerance the run used.
    public let tolerance: Double
    /// The iteration cap the run used.
    public let maxIterations: Int
    /// The iteration that ran: `.logarithmic` or `.scaling`.
    public let domain: Sinkhorn.Domain
}
