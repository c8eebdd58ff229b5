import FlowGeometry
import Functionals
import LabeledData
import WoWCompute

/// Law checker for `Functional` conformers, on any state:
/// - the gradient exists, fits the state (`tangentMismatch`) and is finite;
/// - storage reuse keeps the bits: `valueAndGradient(at:into:using:)` handed nothing, or
///   handed back its own previous gradient, gives the same value and gradient, and a
///   copy of the handed-back gradient the caller kept is unchanged;
/// - `value(at:using:)` and `valueAndGradient(at:using:)` equal the requirement's value;
/// - finite differences under the documented gradient scaling: along each direction
///   `v`, `(F(exp_x(eps v)) - F(exp_x(-eps v))) / (2 eps)` equals `pairing(x, grad F, v)`
///   to relative tolerance `tolerance` (of the largest `|pairing|` over the directions).
///
/// Every evaluation draws from a generator seeded with `seed`, so random choices
/// (slicing directions, minibatches) are the same in every call. A conformer that throws
/// or returns something malformed is reported as a violation; the checker never traps.
///
/// - Parameters:
///   - pairing: `d/dt F(exp_x(t v)) = pairing(x, gradient, v)`; for a labeled dataset the
///     WoW metric `LabeledDataset.metric` (use the overload without this parameter).
///   - directions: tangents at `state` to differentiate along.
/// - Returns: a description of each violated law (empty when all hold).
public func checkFunctionalLaws<F: Functional>(
    _ functional: F, at state: F.State, directions: [F.State.Tangent],
    pairing: (F.State, F.State.Tangent, F.State.Tangent) -> Double,
    seed: UInt64 = 7, epsilon: Float = 1e-3, tolerance: Double = 2e-2
) -> [String] where F.State.Tangent: Equatable {
    var violations = [String]()
    func attempt<T>(_ what: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            violations.append("\(what) threw: \(error)")
            return nil
        }
    }
    func evaluate(at x: F.State, into gradient: inout F.State.Tangent?) throws -> Double {
        var rng = SeededGenerator(seed: seed)
        return try functional.valueAndGradient(at: x, into: &gradient, using: &rng)
    }
    var first: F.State.Tangent?
    guard let value = attempt("valueAndGradient(at:into:using:)", { try evaluate(at: state, into: &first) }) else { return violations }
    guard let gradient = first else { return violations + ["valueAndGradient(at:into:using:) left no gradient"] }
    if let reason = state.tangentMismatch(gradient) { return violations + ["the gradient does not fit the state: \(reason)"] }
    if !value.isFinite || !gradient.isFinite { violations.append("the value (\(value)) or the gradient is not finite") }

    // Storage reuse: hand the gradient back, keep a copy.
    let kept = gradient
    var handed: F.State.Tangent? = gradient
    if let again = attempt("valueAndGradient(at:into:using:) with storage", { try evaluate(at: state, into: &handed) }) {
        if again.bitPattern != value.bitPattern || handed != gradient {
            violations.append("reusing the previous gradient's storage changed the value or the gradient")
        }
        if kept != gradient { violations.append("reusing storage changed a copy of the gradient the caller kept") }
    }
    var rv = SeededGenerator(seed: seed), rg = SeededGenerator(seed: seed)
    if let alone = attempt("value(at:using:)", { try functional.value(at: state, using: &rv) }), alone.bitPattern != value.bitPattern {
        violations.append("value(at:using:) = \(alone) differs from valueAndGradient's \(value)")
    }
    if let pair = attempt("valueAndGradient(at:using:)", { try functional.valueAndGradient(at: state, using: &rg) }),
       pair.value.bitPattern != value.bitPattern || pair.gradient != gradient {
        violations.append("valueAndGradient(at:using:) differs from valueAndGradient(at:into:using:)")
    }

    // Directional derivatives against the pairing.
    var fitting = [(Int, F.State.Tangent)]()
    for (k, v) in directions.enumerated() {
        if let reason = state.tangentMismatch(v) {
            violations.append("direction \(k) does not fit the state (\(reason)): not checked")
        } else {
            fitting.append((k, v))
        }
    }
    let analytic = Dictionary(uniqueKeysWithValues: fitting.map { ($0.0, pairing(state, gradient, $0.1)) })
    let scale = max(analytic.values.map(abs).max() ?? 0, 1e-12)
    for (k, v) in fitting {
        var plus = state, minus = state
        plus.move(along: v, scaledBy: epsilon)
        minus.move(along: v, scaledBy: -epsilon)
        var none: F.State.Tangent?
        guard let fp = attempt("F at a moved state", { try evaluate(at: plus, into: &none) }),
              let fm = attempt("F at a moved state", { try evaluate(at: minus, into: &none) }) else { continue }
        let numeric = (fp - fm) / (2 * Double(epsilon))
        let paired = analytic[k] ?? .nan
        if !(abs(numeric - paired) <= tolerance * scale) {
            violations.append("direction \(k): finite differences give \(numeric), the gradient paired with the direction \(paired)")
        }
    }
    return violations
}

/// `checkFunctionalLaws` on a labeled dataset under the WoW scaling
/// (`g_ci = dF/dx_ci / (a_c w_ci)`, paired by `LabeledDataset.metric`), along one random
/// direction supported on each class and one on all classes (drawn from `seed`).
public func checkFunctionalLaws<F: Functional>(
    _ functional: F, at state: LabeledDataset, seed: UInt64 = 7, epsilon: Float = 1e-3, tolerance: Double = 2e-2
) -> [String] where F.State == LabeledDataset {
    var rng = SeededGenerator(seed: seed ^ 0x5eed)
    func direction(on classes: Set<Int>) -> ParticleField {
        ParticleField(classes: state.classes.enumerated().map { c, measure in
            var m = Matrix(rows: measure.count, columns: measure.dimension)
            if classes.contains(c) {
                for i in 0..<m.rows { for j in 0..<m.columns { m[i, j] = Float.random(in: -1...1, using: &rng) } }
            }
            return m
        })
    }
    let directions = state.classes.indices.map { direction(on: [$0]) } + [direction(on: Set(state.classes.indices))]
    return checkFunctionalLaws(functional, at: state, directions: directions, pairing: { (try? $0.metric($1, $2)) ?? .nan },
                               seed: seed, epsilon: epsilon, tolerance: tolerance)
}
