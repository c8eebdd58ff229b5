/// Stochastic gradient descent with momentum, dampening, optional Nesterov momentum and
/// (coupled, L2) weight decay, as PyTorch's `SGD`:
///
///     d <- g + wd p
///     b <- d (first step),  b <- mu b + (1 - dampening) d (afterwards)
///     d <- d + mu b (Nesterov) or d <- b
///     p <- p - lr d
///
/// With `momentum = 0` no buffer is kept and `p <- p - lr (g + wd p)`.
public struct SGD: Optimizer {
    public var learningRate: Float
    /// `mu`.
    public var momentum: Float
    /// Fraction of the new gradient *not* added to the buffer after the first step.
    public var dampening: Float
    /// `wd` (added to the gradient).
    public var weightDecay: Float
    /// Nesterov momentum.
    public var nesterov: Bool
    /// Number of steps taken.
    public private(set) var stepCount = 0
    private var slots = OptimizerSlots()

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// - Throws: `NeuralNetworkError.invalidArgument` for a negative or non-finite rate,
    ///   momentum, dampening or decay, or Nesterov without momentum.
    public func validate() throws {
        guard learningRate.isFinite, learningRate >= 0, momentum.isFinite, momentum >= 0,
              dampening.isFinite, weightDecay.isFinite, weightDecay >= 0, !nesterov || (momentum > 0 && dampening == 0) else {
            throw NeuralNetworkError.invalidArgument("SGD needs lr, momentum, wd >= 0 (Nesterov: momentum > 0, no dampening)")
        }
    }

    public mutating func step(_ model: inout some ParameterContainer) throws {
        try validate()
        let useBuffer = momentum != 0
        if useBuffer { try slots.prepare(for: &model, perParameter: 1) }
        let first = stepCount == 0
        stepCount += 1
        let (lr, mu, wd, damp, nesterov) = (learningRate, momentum, weightDecay, dampening, self.nesterov)
        var index = 0
        var buffers = slots.buffers
        slots.buffers = []
        model.visitParameters { parameter in
            parameter.gradient.withUnsafeBufferPointer { gb in
                parameter.value.withUnsafeMutableBufferPointer { pb in
                    guard let g = gb.baseAddress, let p = pb.baseAddress else { return }
                    if !useBuffer {
                        BatchChunks.forEachElementRange(pb.count) { range in
                            for i in range { p[i] -= lr * (g[i] + wd * p[i]) }
                        }
                        return
                    }
                    buffers[index].withUnsafeMutableBufferPointer { bb in
                        let b = bb.baseAddress!
                        BatchChunks.forEachElementRange(pb.count) { range in
                            var i = range.lowerBound
                            while i + 8 <= range.upperBound {
                                let d = VectorOps.load(g + i) + wd * VectorOps.load(p + i)
                                let bi = first ? d : mu * VectorOps.load(b + i) + (1 - damp) * d
                                VectorOps.store(bi, b + i)
                                VectorOps.store(VectorOps.load(p + i) - lr * (nesterov ? d + mu * bi : bi), p + i)
                                i += 8
                            }
                            while i < range.upperBound {
                                let d = g[i] + wd * p[i]
                                b[i] = first ? d : mu * b[i] + (1 - damp) * d
                                p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
                                i += 1
                            }
                        }
                    }
                }
            }
            index += 1
        }
        slots.buffers = buffers
    }
}
