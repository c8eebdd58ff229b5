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
