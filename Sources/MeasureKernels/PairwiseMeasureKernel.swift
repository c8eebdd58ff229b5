import LabeledData
import WoWCompute

/// A kernel evaluated one pair at a time: conform by giving the value and the
/// Wasserstein gradient of a single pair; `evaluate` is derived (a loop over pairs).
///
/// Suited to kernels with no work to share between pairs, e.g. a kernel on the exact
/// `W_2` between classes. Random choices, if any, are drawn pair by pair in order.
/// Self-pairs `(mu, mu)` are evaluated like any other pair (`pair(mu, mu, ...)`), unless
/// the kernel declares `selfGradientVanishes`, in which case their gradient is not asked
/// for. The gradients `pair` returns are checked (present when asked for, `n x d`) and a
/// wrong one is refused with `ConformerError.malformed`.
public protocol PairwiseMeasureKernel: MeasureKernel {
    /// `K(mu, nu)` and, when `gradient` is true, `grad_W K(., nu)(mu)` at the particles of
    /// `mu` (`n x d`) and `grad_W K(mu, .)(nu)` at the particles of `nu`.
    func pair(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, gradient: Bool,
              using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradientFirst: Matrix?, gradientSecond: Matrix?)
}

extension PairwiseMeasureKernel {
    public func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        _ = try batch.validate()
        var values = [Double]()
        values.reserveCapacity(batch.pairs.count)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        for index in batch.measures.indices where batch.needsGradient(index) {
            gradients[index] = Matrix(rows: batch.measures[index].count, columns: batch.measures[index].dimension)
        }
        for p in batch.pairs {
            var wantsFirst = p.firstGradientWeight != 0, wantsSecond = p.secondGradientWeight != 0
            if p.first == p.second && selfGradientVanishes { wantsFirst = false; wantsSecond = false }
            let mu = batch.measures[p.first], nu = batch.measures[p.second]
            let r = try pair(mu, nu, gradient: wantsFirst || wantsSecond, using: &generator)
            values.append(r.value)
            if wantsFirst {
                gradients[p.first]!.add(try checked(r.gradientFirst, shapedLike: mu, argument: "first"), scaledBy: Float(p.firstGradientWeight))
            }
            if wantsSecond {
                gradients[p.second]!.add(try checked(r.gradientSecond, shapedLike: nu, argument: "second"), scaledBy: Float(p.secondGradientWeight))
            }
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }

    /// `gradient`, or `ConformerError.malformed` when it is missing or not `n x d`.
    private func checked(_ gradient: Matrix?, shapedLike measure: EmpiricalMeasure, argument: String) throws -> Matrix {
        guard let gradient, gradient.rows == measure.count, gradient.columns == measure.dimension else {
            let found = gradient.map { "\($0.rows) x \($0.columns)" } ?? "none"
            throw ConformerError.malformed(conformer: ConformerError.name(of: Self.self),
                                           reason: "pair(_:_:gradient:) gave the \(argument) argument's gradient \(found), expected \(measure.count) x \(measure.dimension)")
        }
        return gradient
    }
}
