import FlowGeometry
import LabeledData
import MeasureKernels
import WoWCompute

/// Half the squared maximum mean discrepancy between labeled datasets, with a kernel
/// `K` between classes:
///
///     F(P) = 1/2 MMD_K^2(P, Q)
///          = 1/2 [ sum_cc' a_c a_c' K(mu_c, mu_c') + sum_kk' b_k b_k' K(nu_k, nu_k')
///                  - 2 sum_ck a_c b_k K(mu_c, nu_k) ]
///
/// for `P = sum_c a_c delta_{mu_c}` (the flowed dataset) and `Q = sum_k b_k delta_{nu_k}`
/// (the target). Its WoW gradient at class `mu_c`, particle `x`, is the closed form
/// (Bonet, Vauthier & Korba 2025, section 4)
///
///     sum_c' a_c' grad_W K(., mu_c')(mu_c)(x) - sum_k b_k grad_W K(., nu_k)(mu_c)(x),
///
/// where the self-pair term `a_c grad_W K(., mu_c)(mu_c)` is requested from the kernel
/// unless it declares `selfGradientVanishes` (every sliced, `W_2` and Bures-Wasserstein
/// kernel does; a kernel on class means such as `<m_mu, m_nu>` does not). All pairs of
/// one evaluation go to the kernel as one batch, so sliced kernels share one set of
/// directions per step. The kernel's answer is checked (`checkedEvaluate`): a wrong count,
/// a missing or misshapen gradient, NaN or infinity is refused with `ConformerError`
/// naming the kernel.
///
/// Target minibatching: with `targetBatchSize = k`, each evaluation uses a fresh random
/// subset of `min(k, n_k)` points of every target class, drawn without replacement.
///
/// - Complexity: one kernel batch over `C + K` measures and `(C + K)(C + K + 1)/2` pairs
///   (`C (C + 1)/2 + C K` when `includesTargetTerm` is false).
public struct MMD<Kernel: MeasureKernel>: Functional {
    public var kernel: Kernel
    /// The target dataset `Q`.
    public var target: LabeledDataset
    /// Points per target class per evaluation, or `nil` for all.
    public var targetBatchSize: Int?
    /// Whether the value includes the target-target term (constant in `P` without
    /// minibatching; it makes the value the true `1/2 MMD^2`, which is >= 0 for p.d.
    /// kernels). Turn off to save time when only gradients matter.
    public var includesTargetTerm: Bool

    /// - Throws: `FunctionalError.invalidParameter` for a non-positive batch size.
    public init(kernel: Kernel, target: LabeledDataset, targetBatchSize: Int? = nil, includesTargetTerm: Bool = true) throws {
        if let targetBatchSize, targetBatchSize <= 0 {
            throw FunctionalError.invalidParameter("target batch size must be positive, got \(targetBatchSize)")
        }
        self.kernel = kernel
        self.target = target
        self.targetBatchSize = targetBatchSize
        self.includesTargetTerm = includesTargetTerm
    }

    public func valueAndGradient(at state: LabeledDataset, into gradient: inout ParticleField?,
                                 using generator: inout some RandomNumberGenerator) throws -> Double {
        var recycled = Self.take(&gradient)
        let (value, fresh) = try evaluate(at: state, recycling: &recycled, using: &generator)
        gradient = fresh
        return value
    }

    /// The class matrices of `gradient`, which is left `nil` (so that, when the caller kept
    /// no other copy, they are the only references to their storage and can be written
    /// in place); a separate function so that no local outlives the handover.
    static func take(_ gradient: inout ParticleField?) -> [Matrix?] {
        guard let field = gradient else { return [] }
        gradient = nil
        return field.classes.map { $0 }
    }

    func evaluate(at state: LabeledDataset, recycling: inout [Matrix?],
                  using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradient: ParticleField) {
        guard state.dimension == target.dimension else {
            throw FunctionalError.dimensionMismatch(state: state.dimension, target: target.dimension)
        }
        let C = state.classCount, K = target.classCount
        var measures = state.classes
        for nu in target.classes {
            if let size = targetBatchSize, size < nu.count {
                measures.append(try nu.subset(sampleWithoutReplacement(size, from: nu.count, using: &generator)))
            } else {
                measures.append(nu)
            }
        }
        let a = state.classWeights, b = target.classWeights
        let selfGradients = !kernel.selfGradientVanishes
        // Pairs and their coefficients in F; gradients weighted per the closed form.
        var pairs = [KernelPair]()
        var coefficients = [Double]()
        for c in 0..<C {
            for c2 in c..<C {
                if c == c2 {
                    // d/dmu_c of 1/2 a_c^2 K(mu_c, mu_c) is a_c^2 times the first
                    // argument's gradient (K is symmetric); divided by a_c: weight a_c.
                    pairs.append(KernelPair(c, c, firstGradientWeight: selfGradients ? a[c] : 0))
                    coefficients.append(0.5 * a[c] * a[c])
                } else {
                    pairs.append(KernelPair(c, c2, firstGradientWeight: a[c2], secondGradientWeight: a[c]))
                    coefficients.append(a[c] * a[c2])
                }
            }
            for k in 0..<K {
                pairs.append(KernelPair(c, C + k, firstGradientWeight: -b[k]))
                coefficients.append(-a[c] * b[k])
            }
        }
        if includesTargetTerm {
            for k in 0..<K {
                for k2 in k..<K {
                    pairs.append(KernelPair(C + k, C + k2))
                    coefficients.append(k == k2 ? 0.5 * b[k] * b[k] : b[k] * b[k2])
                }
            }
        }
        let result = try kernel.checkedEvaluate(KernelBatch(measures: measures, pairs: pairs), recycling: &recycling, using: &generator)
        var value = 0.0
        for (coefficient, k) in zip(coefficients, result.values) { value += coefficient * k }
        let gradient = ParticleField(classes: (0..<C).map { c in
            result.gradients[c] ?? Matrix(rows: state.classes[c].count, columns: state.dimension)
        })
        return (value, gradient)
    }
}

extension MMD: Sendable where Kernel: Sendable {}

/// `count` distinct indices of `0..<population`, in increasing order (partial
/// Fisher-Yates on the generator).
func sampleWithoutReplacement(_ count: Int, from population: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
    var pool = Array(0..<population)
    for i in 0..<count {
        let j = i + Int(generator.next(upperBound: UInt64(population - i)))
        pool.swapAt(i, j)
    }
    return pool[0..<count].sorted()
}

/// The MMD keeps nothing between evaluations (target minibatches come from the flow's
/// generator).
extension MMD: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays { [:] }
    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {}
}
