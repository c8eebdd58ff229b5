import LabeledData
import MeasureKernels
import WoWCompute

/// Law checkers for `MeasureKernel` conformers, shared by the toolkit's own kernels and
/// usable from any package that writes its own (they return violations rather than
/// calling a test framework, so XCTest and Swift Testing both work:
/// `XCTAssertEqual(try checkMeasureKernelLaws(...), [])`).
///
/// Checked, with every evaluation drawing from a generator seeded with `seed` (so a
/// sliced kernel sees the same directions in every call):
/// - answers of the requested shape: one finite value per pair, a finite `n x d`
///   gradient for every measure a pair asks a gradient of;
/// - symmetry: `K(mu, nu) = K(nu, mu)`;
/// - Gram consistency: `gram(measures)[i][j] = K(mu_i, mu_j)` from pairwise calls;
/// - self-pairs: for a kernel that declares `selfGradientVanishes`,
///   `grad K(., mu)(mu) = 0` at every particle, to `1e-6` of the largest gradient
///   between distinct measures; for any kernel, `dK(mu, mu)/dx_i = 2 a_i
///   grad_W K(., mu)(mu)(x_i)` (both arguments move; `K` is symmetric) by finite
///   differences;
/// - batch linearity: gradients requested with weights in one batch, through both
///   `firstGradientWeight` and `secondGradientWeight`, equal the weighted sum of pairwise
///   gradients (a measure's second-argument gradient toward `nu` is
///   `grad_W K(nu, .)(mu) = grad_W K(., nu)(mu)` by symmetry);
/// - recycling: `evaluate(_:recycling:using:)` returns the same values and gradients bit
///   for bit whether the recycled matrix fits (garbage-filled), does not fit, or there is
///   none, and never changes a copy of it the caller kept (the checker keeps one, so this
///   exercises the copy-before-write path; writing in place is the conformer's own test);
/// - finite differences: `dK(mu, nu)/dx_i = a_i * grad_W K(., nu)(mu)(x_i)` (the first
///   argument's gradient, `firstGradientWeight`) and `dK(mu, nu)/dy_k = b_k *
///   grad_W K(mu, .)(nu)(y_k)` (the second argument's, `secondGradientWeight`) by central
///   differences with step `epsilon`, to relative tolerance `tolerance`.
///
/// A conformer that throws, answers with the wrong counts or shapes, or returns NaN is
/// reported as a violation; the checker never traps on it.
///
/// - Parameter measures: at least three measures of one dimension, with distinct
///   points (finite differences need the sort orders to be stable under `epsilon`).
/// - Returns: a description of each violated law (empty when all hold).
/// - Throws: `KernelError.invalidParameter` for fewer than three measures.
public func checkMeasureKernelLaws<K: MeasureKernel>(
    _ kernel: K, measures: [EmpiricalMeasure], seed: UInt64 = 7,
    epsilon: Float = 1e-4, tolerance: Double = 2e-2
) throws -> [String] {
    guard measures.count >= 3 else {
        throw KernelError.invalidParameter("the law checker needs at least three measures, got \(measures.count)")
    }
    var laws = KernelLawChecker(kernel: kernel, measures: measures, seed: seed, epsilon: epsilon, tolerance: tolerance)
    laws.run("symmetry and Gram consistency") { try $0.checkSymmetryAndGram() }
    laws.run("self-pairs") { try $0.checkSelfPairs() }
    laws.run("batch linearity") { try $0.checkBatchLinearity() }
    laws.run("recycling") { try $0.checkRecycling() }
    laws.run("finite differences") { try $0.checkFiniteDifferences() }
    return laws.violations
}

/// The state of one `checkMeasureKernelLaws` call: the kernel, its measures, and the
/// violations found so far.
struct KernelLawChecker<K: MeasureKernel> {
    let kernel: K
    let measures: [EmpiricalMeasure]
    let seed: UInt64
    let epsilon: Float
    let tolerance: Double
    var violations: [String] = []

    init(kernel: K, measures: [EmpiricalMeasure], seed: UInt64, epsilon: Float, tolerance: Double) {
        self.kernel = kernel
        self.measures = measures
        self.seed = seed
        self.epsilon = epsilon
        self.tolerance = tolerance
    }

    func fresh() -> SeededGenerator { SeededGenerator(seed: seed) }

    /// Runs one group of laws; an error thrown on the way (the kernel's, or a malformed
    /// answer) becomes a violation of that group.
    mutating func run(_ group: String, _ body: (inout Self) throws -> Void) {
        do { try body(&self) } catch { violations.append("\(group): \(error)") }
    }

    /// `batch` evaluated from a fresh generator, with the answer's counts, shapes and
    /// finiteness checked (`ConformerError` when wrong).
    func evaluate(_ batch: KernelBatch) throws -> KernelBatchResult {
        var rng = fresh()
        return try kernel.checkedEvaluate(batch, using: &rng)
    }

    func value(_ i: EmpiricalMeasure, _ j: EmpiricalMeasure) throws -> Double {
        try evaluate(KernelBatch(measures: [i, j], pairs: [KernelPair(0, 1)])).values[0]
    }

    /// The gradients of `K(mu, nu)` in both arguments, weight 1 each.
    func bothGradients(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure) throws -> (Matrix, Matrix) {
        let batch = KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: 1)])
        let gradients = try evaluate(batch).gradients
        // `checkedEvaluate` guarantees both are present and shaped.
        guard let first = gradients[0], let second = gradients[1] else { return (Matrix(rows: 0, columns: 0), Matrix(rows: 0, columns: 0)) }
        return (first, second)
    }

    /// `grad_W K(., nu)(mu)` alone.
    func gradient(of mu: EmpiricalMeasure, toward nu: EmpiricalMeasure) throws -> Matrix {
        let batch = KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1, firstGradientWeight: 1)])
        return try evaluate(batch).gradients[0] ?? Matrix(rows: 0, columns: 0)
    }

    static func close(_ x: Double, _ y: Double, _ tol: Double = 1e-5) -> Bool {
        abs(x - y) <= tol * max(1, abs(x), abs(y))
    }

    static func largest(_ m: Matrix) -> Double { m.storage.map { Double(abs($0)) }.max() ?? 0 }
}
