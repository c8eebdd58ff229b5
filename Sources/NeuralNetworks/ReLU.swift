/// Rectified linear unit, `y = max(x, 0)`, elementwise on any shape (NaN stays NaN).
///
/// The gradient at `x = 0` is taken as 0 (PyTorch's convention). Works in place on a
/// uniquely referenced input or gradient.
public struct ReLU: Layer {
    private var recordedOutput: Tensor?

    public init() {}

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        recordedOutput = nil
        var output = consume input
        updateElements(&output) { y, range in
            let zero = SIMD8<Float>()
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = VectorOps.load(y + i)
                VectorOps.store(v.replacing(with: zero, where: v .< zero), y + i)
                i += 8
            }
            while i < range.upperBound { if y[i] < 0 { y[i] = 0 }; i += 1 }
        }
        if mode == .differentiable { recordedOutput = output }
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let output = recordedOutput else { throw NeuralNetworkError.missingForward("ReLU") }
        try outputGradient.requireShape(output.shape, "ReLU output gradient")
        guard targets.contains(.input) else { return Tensor() }
        var gradient = consume outputGradient
        output.withUnsafeBufferPointer { yb in
            let y = yb.baseAddress
            updateElements(&gradient) { g, range in
                guard let y else { return }
                // Branch-free select (the sign of y is unpredictable).
                let zero = SIMD8<Float>()
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let keep = VectorOps.load(y + i) .> zero
                    VectorOps.store(zero.replacing(with: VectorOps.load(g + i), where: keep), g + i)
                    i += 8
                }
                while i < range.upperBound { if !(y[i] > 0) { g[i] = 0 }; i += 1 }
            }
        }
        return gradient
    }
}
