import LabeledData
import MeasureKernels
import OptimalTransport
import WoWCompute

/// A kernel `K(mu, nu) = phi(W_2^2(mu, nu))` of the *exact* squared 2-Wasserstein
/// distance between two classes (an OTDD-style kernel between classes; Bonet, Vauthier &
/// Korba 2025, section 3).
///
/// Conform by giving the profile `phi` (and optionally a configured `solver`); `evaluate`
/// is provided. Each pair is solved exactly: `OneDimensionalOT` (sorted quantile
/// coupling) when `d = 1`, otherwise the squared Euclidean cost matrix
/// (`SquaredEuclidean`, `.automatic` evaluation) and `solver` (the network simplex by
/// default). The
/// Wasserstein gradient at a particle `x_i` of `mu` is
///
///     grad_W K(., nu)(mu)(x_i) = phi'(W_2^2) * 2 (x_i - T(x_i)),   T(x_i) = (1 / a_i) sum_j P_ij y_j,
///
/// `T` the barycentric projection of the optimal plan `P` (the same convention as the
/// sliced kernels: the particle derivative divided by the particle's weight). `W_2^2` is
/// only piecewise smooth (it is not differentiable where the optimal plan is not unique);
/// this is its gradient wherever it is differentiable. Self-pairs and `W_2 = 0` get a
/// zero gradient (never NaN, also for Riesz profiles).
///
/// Pairs are solved in parallel (one task per pair; results combined in pair order, so
/// bitwise identical for every thread count). Deterministic: the generator is not used.
///
/// - Complexity: per pair `O(n m d)` for the costs plus the exact solver
///   (`O((n + m) log(n + m))` when `d = 1`).
public protocol ExactWassersteinKernel: MeasureKernel {
    /// The exact solver used for `d >= 2` (default: `ExactSolver()`).
    var solver: ExactSolver { get }
    /// `phi(S)` and `phi'(S)` at `S = W_2^2`.
    func profile(_ squaredDistance: Double) -> KernelProfile
}

extension ExactWassersteinKernel {
    public var solver: ExactSolver { ExactSolver() }

    /// `true`: the kernel is a function of `W_2^2`, whose gradient vanishes at `W_2 = 0`.
    public var selfGradientVanishes: Bool { true }

    public func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        try ExactWassersteinEvaluation.run(batch, solver: solver, profile: profile)
    }
}

/// The exact squared 2-Wasserstein distance between empirical measures, as a function.
public enum ExactWasserstein {
    /// `W_2^2(mu, nu)`: `OneDimensionalOT` when `d = 1`, `ExactSolver` otherwise.
    ///
    /// - Throws: `KernelError.dimensionMismatch` for different dimensions, or the
    ///   solver's `OptimalTransportError`.
    public static func squaredDistance(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, solver: ExactSolver = ExactSolver()) throws -> Double {
        try ExactWassersteinEvaluation.run(KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1)]), solver: solver,
                                           profile: { KernelProfile(value: $0, derivative: 1) }).values[0]
    }
}
