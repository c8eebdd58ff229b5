import WassersteinFlows

/// Law checkers for `MeasureKernel` conformers, shared by the toolkit's own kernels and
/// usable from any package that writes its own (they return violations rather than
/// calling a test framework, so XCTest and Swift Testing both work:
/// `XCTAssertEqual(try checkMeasureKernelLaws(...), [])`).
///
/// Checked, with every evaluation drawing from a generator seeded with `seed` (so a
/// sliced kernel sees the same directions in every call):
/// - symmetry: `K(mu, nu) = K(nu, mu)`;
/// - Gram consistency: `gram(measures)[i][j] = K(mu_i, mu_j)` from pairwise calls;
/// - self-pairs: `grad K(., mu)(mu)` is zero (and finite) at every particle;
/// - batch linearity: gradients requested with weights in one batch, through both
///   `firstGradientWeight` and `secondGradientWeight`, equal the weighted sum of pairwise
///   gradients (a measure's second-argument gradient toward `nu` is
///   `grad_W K(nu, .)(mu) = grad_W K(., nu)(mu)` by symmetry);
/// - recycling: `evaluate(_:recycling:using:)` returns `evaluate`'s values and gradients
///   bit for bit, whether the recycled matrix fits (garbage-filled) or not, and never
///   changes a copy of it the caller kept (the checker keeps one, so this exercises the
///   copy-before-write path; writing in place is the conformer's own test);
/// - finite differences: `dK(mu, nu)/dx_i = a_i * grad_W K(., nu)(mu)(x_i)` (the first
///   argument's gradient, `firstGradientWeight`) and `dK(mu, nu)/dy_k = b_k *
///   grad_W K(mu, .)(nu)(y_k)` (the second argument's, `secondGradientWeight`) by central
///   differences with step `epsilon`, to relative tolerance `tolerance`.
///
/// - Parameter measures: at least three measures of one dimension, with distinct
///   points (finite differences need the sort orders to be stable under `epsilon`).
/// - Returns: a description of each violated law (empty when all hold).
public func checkMeasureKernelLaws<K: MeasureKernel>(
    _ kernel: K, measures: [EmpiricalMeasure], seed: UInt64 = 7,
    epsilon: Float = 1e-4, tolerance: Double = 2e-2
) throws -> [String] {
    guard measures.count >= 3 else {
        throw KernelError.invalidParameter("the law checker needs at least three measures, got \(measures.count)")
    }
    var violations = [String]()
    func fresh() -> SeededGenerator { SeededGenerator(seed: seed) }
    func close(_ x: Double, _ y: Double, _ tol: Double = 1e-5) -> Bool {
        abs(x - y) <= tol * max(1, abs(x), abs(y))
    }

    // Symmetry and Gram consistency.
    var rng = fresh()
    let gram = try kernel.gram(measures, using: &rng)
    for i in measures.indices {
        for j in measures.indices where j >= i {
            var r1 = fresh(), r2 = fresh()
            let kij = try kernel.value(measures[i], measures[j], using: &r1)
            let kji = try kernel.value(measures[j], measures[i], using: &r2)
            if !kij.isFinite { violations.append("K(mu_\(i), mu_\(j)) = \(kij) is not finite") }
            if !close(kij, kji) { violations.append("not symmetric: K(mu_\(i), mu_\(j)) = \(kij), K(mu_\(j), mu_\(i)) = \(kji)") }
            if !close(gram[i][j], kij) { violations.append("Gram entry (\(i), \(j)) = \(gram[i][j]) differs from the pairwise value \(kij)") }
        }
    }

    // Self-pairs: zero gradient, never NaN.
    var r = fresh()
    let selfGradient = try kernel.gradient(of: measures[0], toward: measures[0], using: &r)
    if !selfGradient.isFinite || selfGradient.storage.contains(where: { $0 != 0 }) {
        violations.append("grad K(., mu)(mu) is not zero (max |g| = \(selfGradient.storage.map { abs($0) }.max() ?? 0))")
    }

    // Batch linearity, through both gradient weights: measure 0 is the first argument of
    // (0, 1) and the second of (2, 0); measures 1 and 2 take the other sides.
    let w1 = 0.7, w2 = -1.3, w3 = 0.4, w4 = 1.9
    var rb = fresh()
    let batch = KernelBatch(measures: [measures[0], measures[1], measures[2]],
                            pairs: [KernelPair(0, 1, firstGradientWeight: w1, secondGradientWeight: w3),
                                    KernelPair(2, 0, firstGradientWeight: w4, secondGradientWeight: w2)])
    let combined = try kernel.evaluate(batch, using: &rb).gradients
    func pairwise(_ i: Int, toward j: Int) throws -> Matrix {
        var r = fresh()
        return try kernel.gradient(of: measures[i], toward: measures[j], using: &r)
    }
    var expected0 = try pairwise(0, toward: 1)
    expected0.scale(by: Float(w1))
    expected0.add(try pairwise(0, toward: 2), scaledBy: Float(w2))
    var expected1 = try pairwise(1, toward: 0)
    expected1.scale(by: Float(w3))
    var expected2 = try pairwise(2, toward: 0)
    expected2.scale(by: Float(w4))
    for (index, expected) in [(0, expected0), (1, expected1), (2, expected2)] {
        guard index < combined.count, let got = combined[index] else {
            violations.append("batched gradient of measure \(index) is missing (requested through \(index == 0 ? "both weights" : index == 1 ? "secondGradientWeight" : "firstGradientWeight"))")
            continue
        }
        guard got.rows == expected.rows, got.columns == expected.columns else {
            violations.append("batched gradient of measure \(index) is \(got.rows) x \(got.columns), expected \(expected.rows) x \(expected.columns)")
            continue
        }
        let scale = max(1e-6, expected.storage.map { Double(abs($0)) }.max() ?? 0)
        let worst = zip(got.storage, expected.storage).map { Double(abs($0 - $1)) }.max() ?? 0
        if worst > 1e-4 * scale {
            violations.append("batched gradient of measure \(index) differs from the weighted sum of pairwise gradients by \(worst)")
        }
    }

    // Recycling: same bits as `evaluate`, a kept copy untouched.
    let fitting = Matrix(rows: measures[0].count, columns: measures[0].dimension, repeating: .nan)
    for (label, offered) in [("a fitting", fitting), ("a wrongly shaped", Matrix(rows: 1, columns: 1, repeating: 3))] {
        let kept = offered, snapshot = offered.storage.map(\.bitPattern)
        var recycled: [Matrix?] = [offered, nil, nil]
        var rr = fresh(), rp = fresh()
        let reused = try kernel.evaluate(batch, recycling: &recycled, using: &rr)
        let plain = try kernel.evaluate(batch, using: &rp)
        if reused.values.map(\.bitPattern) != plain.values.map(\.bitPattern)
            || reused.gradients.map({ $0?.storage.map(\.bitPattern) }) != plain.gradients.map({ $0?.storage.map(\.bitPattern) }) {
            violations.append("evaluate(recycling:) with \(label) matrix differs from evaluate")
        }
        if kept.storage.map(\.bitPattern) != snapshot {
            violations.append("evaluate(recycling:) changed a copy of the recycled matrix the caller kept")
        }
    }

    // Finite differences of K(mu, nu) in the particles of mu (first argument, gradient
    // from `firstGradientWeight`) and of nu (second argument, `secondGradientWeight`).
    let mu = measures[0], nu = measures[1]
    var rg = fresh()
    let both = try kernel.evaluate(KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1, firstGradientWeight: 1, secondGradientWeight: 1)]),
                                   using: &rg).gradients
    for (argument, label) in [(0, "first"), (1, "second")] {
        let moving = argument == 0 ? mu : nu
        guard argument < both.count, let gradient = both[argument],
              gradient.rows == moving.count, gradient.columns == moving.dimension else {
            violations.append("the \(label) argument's gradient is missing or misshapen")
            continue
        }
        let gradientScale = max(1e-8, gradient.storage.map { Double(abs($0)) }.max() ?? 0)
        for i in 0..<min(moving.count, 4) {
            for j in 0..<min(moving.dimension, 3) {
                var plus = moving.points, minus = moving.points
                plus[i, j] += epsilon
                minus[i, j] -= epsilon
                var rp = fresh(), rm = fresh()
                let movedPlus = try EmpiricalMeasure(points: plus, weights: moving.weights)
                let movedMinus = try EmpiricalMeasure(points: minus, weights: moving.weights)
                let kp = try argument == 0 ? kernel.value(movedPlus, nu, using: &rp) : kernel.value(mu, movedPlus, using: &rp)
                let km = try argument == 0 ? kernel.value(movedMinus, nu, using: &rm) : kernel.value(mu, movedMinus, using: &rm)
                let step = Double((moving.points[i, j] + epsilon) - (moving.points[i, j] - epsilon))
                let numeric = (kp - km) / step
                let analytic = Double(moving.weight(i)) * Double(gradient[i, j])
                if abs(numeric - analytic) > tolerance * Double(moving.weight(i)) * gradientScale {
                    violations.append("finite differences in the \(label) argument at particle \(i), coordinate \(j): numeric \(numeric), analytic \(analytic)")
                }
            }
        }
    }
    return violations
}
