#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies `body(pointer, range)` to the elements of `tensor` in place, in parallel
/// pieces (elementwise work: the cut does not affect any result).
@inline(__always)
func updateElements(_ tensor: inout Tensor, _ body: (UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
    tensor.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        BatchChunks.forEachElementRange(buffer.count) { range in body(base, range) }
    }
}

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

/// Logistic sigmoid, `y = 1 / (1 + exp(-x))`, elementwise on any shape.
public struct Sigmoid: Layer {
    private var recordedOutput: Tensor?

    public init() {}

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        recordedOutput = nil
        var output = consume input
        updateElements(&output) { y, range in
            for i in range { y[i] = 1 / (1 + expf(-y[i])) }
        }
        if mode == .differentiable { recordedOutput = output }
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let output = recordedOutput else { throw NeuralNetworkError.missingForward("Sigmoid") }
        try outputGradient.requireShape(output.shape, "Sigmoid output gradient")
        guard targets.contains(.input) else { return Tensor() }
        var gradient = consume outputGradient
        output.withUnsafeBufferPointer { yb in
            let y = yb.baseAddress
            updateElements(&gradient) { g, range in
                guard let y else { return }
                for i in range { g[i] *= y[i] * (1 - y[i]) }
            }
        }
        return gradient
    }
}

/// Flattens every batch element to a vector: `(N, d1, d2, ...) -> (N, d1 * d2 * ...)`.
public struct Flatten: Layer {
    private var recordedShape: [Int]?

    public init() {}

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        guard input.rank >= 1 else { throw NeuralNetworkError.shapeMismatch("Flatten needs a batch axis") }
        recordedShape = mode == .differentiable ? input.shape : nil
        return Tensor(shape: [input.batchSize, input.elementsPerSample], sharing: input)
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let shape = recordedShape else { throw NeuralNetworkError.missingForward("Flatten") }
        try outputGradient.requireShape([shape[0], shape.dropFirst().reduce(1, *)], "Flatten output gradient")
        guard targets.contains(.input) else { return Tensor() }
        return Tensor(shape: shape, sharing: outputGradient)
    }
}
