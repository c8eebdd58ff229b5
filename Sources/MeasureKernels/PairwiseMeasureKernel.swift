import LabeledData
import WoWCompute

/// A kernel evaluated one pair at a time: conform by giving the value and the
/// Wasserstein gradient of a single pair; `evaluate` is derived (a loop over pairs).
///
/// Suited to kernels with no work to share between pairs, e.g. a kernel on the exact
/// `W_2` between classes. Random choices, if any, are drawn pair by pair in order.
public protocol PairwiseMeasureKernel: MeasureKernel {
    /// `K(mu, nu)` and, when `gradient` is true, `grad_W K(., nu)(mu)` at the particles of
    /// `mu` (`n x d`) and `grad_W K(mu, .)(nu)` at the particles of `nu`.
    func pair(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, gradient: Bool,
              using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradientFirst: Matrix?, gradientSecond: Matrix?)
}

extension PairwiseMeasureKernel {
    public func evaluate(_ batch: KernelBatch, using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        _ = try batch.validate()
        var values = [Double]()
        values.reserveCapacity(batch.pairs.count)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        for index in batch.measures.indices where batch.needsGradient(index) {
            gradients[index] = Matrix(rows: batch.measures[index].count, columns: batch.measures[index].dimension)
        }
        for p in batch.pairs {
            let wantsGradient = p.firstGradientWeight != 0 || p.secondGradientWeight != 0
            if p.first == p.second {
                // Self-pairs: K(mu, mu) is a constant of mu; its gradient is zero.
                values.append(try pair(batch.measures[p.first], batch.measures[p.first], gradient: false, using: &generator).value)
                continue
            }
            let r = try pair(batch.measures[p.first], batch.measures[p.second], gradient: wantsGradient, using: &generator)
            values.append(r.value)
            if p.firstGradientWeight != 0, let g = r.gradientFirst {
                gradients[p.first]!.add(g, scaledBy: Float(p.firstGradientWeight))
            }
            if p.secondGradientWeight != 0, let g = r.gradientSecond {
                gradients[p.second]!.add(g, scaledBy: Float(p.secondGradientWeight))
            }
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}
