/// Fixed per-channel standardisation of images, `y[n, c] = (x[n, c] - mean_c) / std_c`,
/// on NCHW batches: the input normalisation a classifier was trained with (pixels in
/// `[0, 1]`, then MNIST's `0.1307 / 0.3081` or Fashion-MNIST's `0.2861 / 0.3530`).
///
/// It has no trainable parameters; networks keep it as their first layer, so weight
/// files carry it and callers always feed raw `[0, 1]` pixels.
public struct ChannelNormalization: Layer, Equatable, Sendable {
    /// Per-channel means.
    public let mean: [Float]
    /// Per-channel standard deviations (positive).
    public let standardDeviation: [Float]
    private var recordedShape: [Int]?

    /// - Throws: `NeuralNetworkError.invalidArgument` unless the arrays have equal,
    ///   positive length, the means are finite and the deviations finite and positive.
    public init(mean: [Float], standardDeviation: [Float]) throws {
        guard !mean.isEmpty, mean.count == standardDeviation.count,
              mean.allSatisfy({ $0.isFinite }), standardDeviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw NeuralNetworkError.invalidArgument("channel normalisation needs one finite mean and one positive deviation per channel")
        }
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// MNIST, one channel: mean 0.1307, deviation 0.3081.
    public static let mnist = try! ChannelNormalization(mean: [0.1307], standardDeviation: [0.3081])
    /// Fashion-MNIST, one channel: mean 0.2861, deviation 0.3530.
    public static let fashionMNIST = try! ChannelNormalization(mean: [0.2861], standardDeviation: [0.3530])

    /// The identity on `channels` channels (mean 0, deviation 1).
    public static func identity(channels: Int) -> ChannelNormalization {
        try! ChannelNormalization(mean: [Float](repeating: 0, count: max(channels, 1)),
                                  standardDeviation: [Float](repeating: 1, count: max(channels, 1)))
    }

    public static func == (lhs: ChannelNormalization, rhs: ChannelNormalization) -> Bool {
        lhs.mean == rhs.mean && lhs.standardDeviation == rhs.standardDeviation
    }

    private func check(_ shape: [Int]) throws -> Int {
        guard shape.count >= 2, shape[1] == mean.count else {
            throw NeuralNetworkError.shapeMismatch("ChannelNormalization(\(mean.count) channels) expects input (N, \(mean.count), ...), got \(shape)")
        }
        return shape.dropFirst(2).reduce(1, *)
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        let plane = try check(input.shape)
        let shape = input.shape
        var output = consume input
        let channels = mean.count
        output.withUnsafeMutableBufferPointer { y in
            guard let base = y.baseAddress else { return }
            for p in 0..<(shape[0] * channels) {
                let c = p % channels, m = mean[c], s = 1 / standardDeviation[c]
                let row = base + p * plane
                for j in 0..<plane { row[j] = (row[j] - m) * s }
            }
        }
        recordedShape = mode == .differentiable ? shape : nil
        return output
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let shape = recordedShape else { throw NeuralNetworkError.missingForward("ChannelNormalization") }
        try outputGradient.requireShape(shape, "ChannelNormalization output gradient")
        guard targets.contains(.input) else { return Tensor() }
        let plane = try check(shape)
        var inputGradient = consume outputGradient
        let channels = mean.count
        inputGradient.withUnsafeMutableBufferPointer { g in
            guard let base = g.baseAddress else { return }
            for p in 0..<(shape[0] * channels) {
                let s = 1 / standardDeviation[p % channels]
                let row = base + p * plane
                for j in 0..<plane { row[j] *= s }
            }
        }
        return inputGradient
    }
}
