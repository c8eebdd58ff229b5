import WoWCompute

/// Affine map `y = W x + b` on a batch of vectors `(N, in) -> (N, out)`.
///
/// Forward and backward are single matrix products over the whole batch with the
/// parallel, thread-count-independent GEMM of `WoWCompute`; the weight gradient
/// `dW += dY^T X` accumulates over the batch in a fixed order.
///
/// - Complexity: `2 N in out` flops forward; twice that backward.
public struct Linear: Layer {
    /// Input features.
    public let inFeatures: Int
    /// Output features.
    public let outFeatures: Int
    /// Weights, shape `(out, in)`.
    public var weight: Parameter
    /// Biases, shape `(out)`.
    public var bias: Parameter

    private var recordedInput: Tensor?

    /// A linear map initialised uniformly in `+-1/sqrt(in)` (weights, then biases).
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` for non-positive sizes.
    public init(inFeatures: Int, outFeatures: Int, using generator: inout some RandomNumberGenerator) throws {
        guard inFeatures > 0, outFeatures > 0 else {
            throw NeuralNetworkError.invalidArgument("Linear needs positive sizes, got \(inFeatures) -> \(outFeatures)")
        }
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(try Initialization.uniform(shape: [outFeatures, inFeatures], fanIn: inFeatures, using: &generator))
        bias = Parameter(try Initialization.uniform(shape: [outFeatures], fanIn: inFeatures, using: &generator))
    }

    /// A linear map with the given weights `(out, in)` and biases `(out)`.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the shapes do not fit.
    public init(weight: Tensor, bias: Tensor) throws {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0, bias.shape == [weight.shape[0]] else {
            throw NeuralNetworkError.shapeMismatch("Linear needs weights (out, in) and bias (out), got \(weight.shape) and \(bias.shape)")
        }
        outFeatures = weight.shape[0]
        inFeatures = weight.shape[1]
        self.weight = Parameter(weight)
        self.bias = Parameter(bias)
    }

    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&weight)
        try body(&bias)
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        guard input.rank == 2, input.shape[1] == inFeatures else {
            throw NeuralNetworkError.shapeMismatch("Linear(\(inFeatures) -> \(outFeatures)) expects input (N, \(inFeatures)), got \(input.shape)")
        }
        let n = input.batchSize
        var output = Tensor(shape: [n, outFeatures])
        recordedInput = mode == .differentiable ? input : nil
        guard n > 0 else { return output }
        let (inF, outF) = (inFeatures, outFeatures)
        input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        let yp = y.baseAddress!
                        for r in 0..<n { (yp + r * outF).update(from: b.baseAddress!, count: outF) }
                        gemm(.none, .transposed, m: n, n: outF, k: inF, x.baseAddress!, lda: inF,
                             w.baseAddress!, ldb: inF, beta: 1, yp, ldc: outF)
                    }
                }
            }
        }
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let input = recordedInput else { throw NeuralNetworkError.missingForward("Linear") }
        let n = input.batchSize
        try outputGradient.requireShape([n, outFeatures], "Linear output gradient")
        let (inF, outF) = (inFeatures, outFeatures)
        var inputGradient = targets.contains(.input) ? Tensor(shape: [n, inF]) : Tensor()
        guard n > 0 else { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            let dyp = dy.baseAddress!
            if targets.contains(.parameters) {
                input.withUnsafeBufferPointer { x in
                    weight.gradient.withUnsafeMutableBufferPointer { dw in
                        gemm(.transposed, .none, m: outF, n: inF, k: n, dyp, lda: outF, x.baseAddress!, ldb: inF,
                             beta: 1, dw.baseAddress!, ldc: inF)
                    }
                }
                bias.gradient.withUnsafeMutableBufferPointer { db in
                    for r in 0..<n {
                        let row = dyp + r * outF
                        for o in 0..<outF { db[o] += row[o] }
                    }
                }
            }
            if targets.contains(.input) {
                weight.value.withUnsafeBufferPointer { w in
                    inputGradient.withUnsafeMutableBufferPointer { dx in
                        gemm(.none, .none, m: n, n: inF, k: outF, dyp, lda: outF, w.baseAddress!, ldb: inF,
                             beta: 0, dx.baseAddress!, ldc: inF)
                    }
                }
            }
        }
        return inputGradient
    }
}
