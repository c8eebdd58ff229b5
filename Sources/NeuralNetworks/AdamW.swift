#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `AdamW`:
///
///     p <- p (1 - lr wd)
///     m <- m + (1 - b1) (g - m)          v <- b2 v + (1 - b2) g^2
///     p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
///
/// The paper's classifiers use `lr = 3e-4`, `wd = 1e-4` (`AdamW.paper`). Every parameter,
/// biases included, is decayed (as in PyTorch and optax by default). One fused pass per
/// parameter tensor, spread over the workers (elementwise, so thread-count independent).
public struct AdamW: Optimizer {
    public var learningRate: Float
    /// `b1`.
    public var beta1: Float
    /// `b2`.
    public var beta2: Float
    /// `eps`.
    public var epsilon: Float
    /// `wd` (decoupled: multiplied by the learning rate).
    public var weightDecay: Float
    /// Number of steps taken (`t` of the last step).
    public private(set) var stepCount = 0
    private var firstMoments = OptimizerSlots()
    private var secondMoments = OptimizerSlots()

    /// - Precondition: none; out-of-range values are reported by `validate()`.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 1e-2) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// The paper's setting: `lr = 3e-4`, `wd = 1e-4`, betas `(0.9, 0.999)`, `eps = 1e-8`.
    public static var paper: AdamW { AdamW(learningRate: 3e-4, weightDecay: 1e-4) }

    /// - Throws: `NeuralNetworkError.invalidArgument` for a negative or non-finite rate,
    ///   betas outside `[0, 1)`, non-positive `eps` or negative decay.
    public func validate() throws {
        guard learningRate.isFinite, learningRate >= 0, (0..<1).contains(beta1), (0..<1).contains(beta2),
              epsilon > 0, weightDecay.isFinite, weightDecay >= 0 else {
            throw NeuralNetworkError.invalidArgument("AdamW needs lr >= 0, betas in [0, 1), eps > 0, wd >= 0")
        }
    }

    /// The fused update of elements `range`, eight lanes at a time (each element sees the
    /// same operations in the same order as the scalar tail).
    @inline(__always)
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                       _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>, decay: Float, b1: Float, b2: Float,
                       eps: Float, stepSize: Float, root2: Float) {
        typealias V = SIMD8<Float>
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let gi = VectorOps.load(g + i)
            var pi = VectorOps.load(p + i) * decay
            var mi = VectorOps.load(m + i)
            mi += (1 - b1) * (gi - mi)
            let vi = VectorOps.load(v + i) * b2 + (1 - b2) * gi * gi
            pi -= stepSize * (mi / (vi.squareRoot() / root2 + eps))
            VectorOps.store(pi, p + i)
            VectorOps.store(mi, m + i)
            VectorOps.store(vi, v + i)
            i += 8
        }
        while i < range.upperBound {
            let gi = g[i]
            p[i] *= decay
            m[i] += (1 - b1) * (gi - m[i])
            v[i] = v[i] * b2 + (1 - b2) * gi * gi
            p[i] -= stepSize * (m[i] / (v[i].squareRoot() / root2 + eps))
            i += 1
        }
    }

    public mutating func step(_ model: inout some ParameterContainer) throws {
        try validate()
        try firstMoments.prepare(for: &model, perParameter: 1)
        try secondMoments.prepare(for: &model, perParameter: 1)
        stepCount += 1
        let t = Double(stepCount)
        let correction1 = 1 - pow(Double(beta1), t), correction2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(Double(learningRate) / correction1)
        let root2 = Float(correction2.squareRoot())
        let decay = 1 - learningRate * weightDecay
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        var index = 0
        var first = firstMoments.buffers, second = secondMoments.buffers
        firstMoments.buffers = []
        secondMoments.buffers = []
        model.visitParameters { parameter in
            parameter.gradient.withUnsafeBufferPointer { gb in
                parameter.value.withUnsafeMutableBufferPointer { pb in
                    first[index].withUnsafeMutableBufferPointer { mb in
                        second[index].withUnsafeMutableBufferPointer { vb in
                            guard let g = gb.baseAddress, let p = pb.baseAddress, let m = mb.baseAddress, let v = vb.baseAddress else { return }
                            BatchChunks.forEachElementRange(pb.count) { range in
                                AdamW.update(p, g, m, v, range, decay: decay, b1: b1, b2: b2, eps: eps,
                                             stepSize: stepSize, root2: root2)
                            }
                        }
                    }
                }
            }
            index += 1
        }
        firstMoments.buffers = first
        secondMoments.buffers = second
    }
}
