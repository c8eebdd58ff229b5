#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
