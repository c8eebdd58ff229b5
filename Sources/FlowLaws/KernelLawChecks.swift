import LabeledData
import MeasureKernels
import WoWCompute

extension KernelLawChecker {
    /// `K(mu_i, mu_j) = K(mu_j, mu_i)`, finite, and equal to the Gram matrix's entry.
    mutating func checkSymmetryAndGram() throws {
        var rng = fresh()
        let gram = try kernel.gram(measures, using: &rng)
        for i in measures.indices {
            for j in measures.indices where j >= i {
                let kij = try value(measures[i], measures[j]), kji = try value(measures[j], measures[i])
                if !Self.close(kij, kji) { violations.append("not symmetric: K(mu_\(i), mu_\(j)) = \(kij), K(mu_\(j), mu_\(i)) = \(kji)") }
                if !Self.close(gram[i][j], kij) { violations.append("Gram entry (\(i), \(j)) = \(gram[i][j]) differs from the pairwise value \(kij)") }
            }
        }
    }

    /// A declared vanishing self-gradient is zero (relative to the gradient scale between
    /// distinct measures); any self-gradient matches finite differences of `K(mu, mu)`.
    mutating func checkSelfPairs() throws {
        let mu = measures[0]
        let selfGradient = try gradient(of: mu, toward: mu)
        if kernel.selfGradientVanishes {
            let scale = max(Self.largest(try gradient(of: mu, toward: measures[1])), 1e-30)
            let largest = Self.largest(selfGradient)
            if largest > 1e-6 * scale {
                violations.append("the kernel declares selfGradientVanishes, but grad K(., mu)(mu) reaches \(largest) (the gradient toward another measure reaches \(scale))")
            }
            return
        }
        // K(mu, mu) moves in both arguments: dK(mu, mu)/dx_i = 2 a_i grad_W K(., mu)(mu)(x_i).
        violations += try finiteDifferenceViolations(selfGradient, factor: 2, moving: mu, label: "self-pair") { moved in
            try value(moved, moved)
        }
    }

    /// Weighted gradients requested in one batch equal the weighted sum of pairwise ones.
    mutating func checkBatchLinearity() throws {
        // Measure 0 is the first argument of (0, 1) and the second of (2, 0); measures 1
        // and 2 take the other sides.
        let w1 = 0.7, w2 = -1.3, w3 = 0.4, w4 = 1.9
        let batch = KernelBatch(measures: [measures[0], measures[1], measures[2]],
                                pairs: [KernelPair(0, 1, firstGradientWeight: w1, secondGradientWeight: w3),
                                        KernelPair(2, 0, firstGradientWeight: w4, secondGradientWeight: w2)])
        let combined = try evaluate(batch).gradients
        var expected0 = try gradient(of: measures[0], toward: measures[1])
        expected0.scale(by: Float(w1))
        expected0.add(try gradient(of: measures[0], toward: measures[2]), scaledBy: Float(w2))
        var expected1 = try gradient(of: measures[1], toward: measures[0])
        expected1.scale(by: Float(w3))
        var expected2 = try gradient(of: measures[2], toward: measures[0])
        expected2.scale(by: Float(w4))
        for (index, expected) in [(0, expected0), (1, expected1), (2, expected2)] {
            guard let got = combined[index] else { continue }  // `checkedEvaluate` refused a missing one
            let scale = max(1e-6, Self.largest(expected))
            let worst = zip(got.storage, expected.storage).map { Double(abs($0 - $1)) }.max() ?? 0
            if worst > 1e-4 * scale {
                violations.append("batched gradient of measure \(index) differs from the weighted sum of pairwise gradients by \(worst)")
            }
        }
    }

    /// Recycled storage changes no bit of the answer and no copy the caller kept.
    mutating func checkRecycling() throws {
        let batch = KernelBatch(measures: [measures[0], measures[1], measures[2]],
                                pairs: [KernelPair(0, 1, firstGradientWeight: 0.7, secondGradientWeight: 0.4),
                                        KernelPair(2, 0, firstGradientWeight: 1.9, secondGradientWeight: -1.3)])
        let plain = try evaluate(batch)
        let fitting = Matrix(rows: measures[0].count, columns: measures[0].dimension, repeating: .nan)
        for (label, offered) in [("a fitting", fitting), ("a wrongly shaped", Matrix(rows: 1, columns: 1, repeating: 3))] {
            let kept = offered, snapshot = offered.storage.map(\.bitPattern)
            var recycled: [Matrix?] = [offered, nil, nil]
            var rng = fresh()
            let reused = try kernel.checkedEvaluate(batch, recycling: &recycled, using: &rng)
            if reused.values.map(\.bitPattern) != plain.values.map(\.bitPattern)
                || reused.gradients.map({ $0?.storage.map(\.bitPattern) }) != plain.gradients.map({ $0?.storage.map(\.bitPattern) }) {
                violations.append("evaluate(recycling:) with \(label) matrix differs from evaluating with nothing to recycle")
            }
            if kept.storage.map(\.bitPattern) != snapshot {
                violations.append("evaluate(recycling:) changed a copy of the recycled matrix the caller kept")
            }
        }
    }

    /// Both arguments' gradients of `K(mu_0, mu_1)` against central differences.
    mutating func checkFiniteDifferences() throws {
        let mu = measures[0], nu = measures[1]
        let (first, second) = try bothGradients(mu, nu)
        violations += try finiteDifferenceViolations(first, factor: 1, moving: mu, label: "first argument") { try value($0, nu) }
        violations += try finiteDifferenceViolations(second, factor: 1, moving: nu, label: "second argument") { try value(mu, $0) }
    }

    /// `d value(moving)/dx_ij = factor * a_i * gradient[i, j]` by central differences, on
    /// the first four particles and three coordinates.
    func finiteDifferenceViolations(
        _ gradient: Matrix, factor: Double, moving: EmpiricalMeasure, label: String,
        _ value: (EmpiricalMeasure) throws -> Double
    ) throws -> [String] {
        var violations = [String]()
        let gradientScale = max(1e-8, factor * Self.largest(gradient))
        for i in 0..<min(moving.count, 4) {
            for j in 0..<min(moving.dimension, 3) {
                var plus = moving.points, minus = moving.points
                plus[i, j] += epsilon
                minus[i, j] -= epsilon
                let kp = try value(try EmpiricalMeasure(points: plus, weights: moving.weights))
                let km = try value(try EmpiricalMeasure(points: minus, weights: moving.weights))
                let step = Double((moving.points[i, j] + epsilon) - (moving.points[i, j] - epsilon))
                guard step > 0 else {
                    violations.append("finite differences in the \(label): epsilon \(epsilon) vanishes at coordinate \(moving.points[i, j]) in Float; choose a larger epsilon")
                    return violations
                }
                let numeric = (kp - km) / step
                let analytic = factor * Double(moving.weight(i)) * Double(gradient[i, j])
                if !(abs(numeric - analytic) <= tolerance * Double(moving.weight(i)) * gradientScale) {
                    violations.append("finite differences in the \(label) at particle \(i), coordinate \(j): numeric \(numeric), analytic \(analytic)")
                }
            }
        }
        return violations
    }
}
