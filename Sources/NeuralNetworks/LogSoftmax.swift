#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-softmax over the features of each batch element, `(N, K) -> (N, K)`:
/// `y_k = x_k - log sum_j exp(x_j)` (computed after subtracting the row maximum).
///
/// Backward: `dx = dy - softmax(x) * sum_k dy_k`.
public struct LogSoftmax: Layer {
    private var recordedOutput: Tensor?

    public init() {}

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        guard input.rank == 2, input.shape[1] > 0 else {
            throw NeuralNetworkError.shapeMismatch("LogSoftmax expects input (N, K) with K > 0, got \(input.shape)")
        }
        let k = input.shape[1], rows = input.batchSize
        var output = consume input
        output.withUnsafeMutableBufferPointer { y in
            for r in 0..<rows {
                let row = y.baseAddress! + r * k
                var m = row[0]
                for j in 1..<k { m = max(m, row[j]) }
                var total: Float = 0
                for j in 0..<k { total += expf(row[j] - m) }
                let shift = m + logf(total)
                for j in 0..<k { row[j] -= shift }
            }
        }
        recordedOutput = mode == .differentiable ? output : nil
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let output = recordedOutput else { throw NeuralNetworkError.missingForward("LogSoftmax") }
        try outputGradient.requireShape(output.shape, "LogSoftmax output gradient")
        guard targets.contains(.input) else { return Tensor() }
        var inputGradient = consume outputGradient
        let k = output.shape[1]
        inputGradient.withUnsafeMutableBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                for r in 0..<output.batchSize {
                    let gr = g.baseAddress! + r * k, yr = y.baseAddress! + r * k
                    var total: Float = 0
                    for j in 0..<k { total += gr[j] }
                    for j in 0..<k { gr[j] -= expf(yr[j]) * total }
                }
            }
        }
        return inputGradient
    }
}

/// Negative log-likelihood of integer labels under log-probabilities `(N, K)`, averaged
/// over the batch: `L = -(1/N) sum_n logp[n, y_n]` (cross-entropy when the
/// log-probabilities come from `LogSoftmax`).
public enum NLLLoss {
    /// The loss and its gradient with respect to the log-probabilities
    /// (`-1/N` at each label, 0 elsewhere).
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the shapes disagree,
    ///   `.invalidArgument` for a label outside `0..<K`.
    public static func valueAndGradient(logProbabilities: Tensor, labels: [Int]) throws -> (value: Double, gradient: Tensor) {
        guard logProbabilities.rank == 2, logProbabilities.shape[0] == labels.count, labels.count > 0 else {
            throw NeuralNetworkError.shapeMismatch("NLLLoss needs log-probabilities (N, K) and N labels, got \(logProbabilities.shape) and \(labels.count) labels")
        }
        let (n, k) = (labels.count, logProbabilities.shape[1])
        var gradient = Tensor(shape: [n, k])
        var total = 0.0
        for (row, label) in labels.enumerated() {
            guard label >= 0, label < k else {
                throw NeuralNetworkError.invalidArgument("label \(label) outside 0..<\(k)")
            }
            total -= Double(logProbabilities[flat: row * k + label])
            gradient[flat: row * k + label] = -1 / Float(n)
        }
        return (total / Double(n), gradient)
    }
}
