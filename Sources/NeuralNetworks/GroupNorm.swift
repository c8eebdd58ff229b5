/// Group normalisation with a per-channel affine map (Wu & He 2018), on NCHW batches.
///
/// The `C` channels are split into `G` groups of consecutive channels; each group of
/// each image is normalised by its own mean and (biased) variance:
/// `y = gamma_c * (x - mean) / sqrt(var + eps) + beta_c`. With `G = C` this is instance
/// normalisation with affine parameters (the ConvNet's `instancenorm`, Equinox's
/// `GroupNorm(C, C)`); there are no running statistics, so training and evaluation
/// compute the same thing.
///
/// - Complexity: `O(N C H W)`.
public struct GroupNorm: Layer {
    /// Number of groups `G` (divides `C`).
    public let groups: Int
    /// Number of channels `C`.
    public let channels: Int
    /// `eps` added to the variance.
    public let epsilon: Float
    /// `gamma`, shape `(C)`, initialised to 1.
    public var scale: Parameter
    /// `beta`, shape `(C)`, initialised to 0.
    public var shift: Parameter

    private var recordedInput: Tensor?
    /// Per image and group: mean and `1 / sqrt(var + eps)`.
    private var recordedStatistics: [Float] = []

    /// - Throws: `NeuralNetworkError.invalidArgument` unless `groups > 0`, `channels > 0`,
    ///   `groups` divides `channels` and `epsilon > 0`.
    public init(groups: Int, channels: Int, epsilon: Float = 1e-5) throws {
        guard groups > 0, channels > 0, channels % groups == 0, epsilon > 0 else {
            throw NeuralNetworkError.invalidArgument("GroupNorm needs groups dividing channels and eps > 0 (got G=\(groups), C=\(channels), eps=\(epsilon))")
        }
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        scale = Parameter(Tensor(shape: [channels], repeating: 1))
        shift = Parameter(Tensor(shape: [channels], repeating: 0))
    }

    /// Instance normalisation with affine parameters: `GroupNorm(groups: C, channels: C)`.
    public static func instanceNorm(channels: Int, epsilon: Float = 1e-5) throws -> GroupNorm {
        try GroupNorm(groups: channels, channels: channels, epsilon: epsilon)
    }

    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try body(&scale)
        try body(&shift)
    }

    private func check(_ shape: [Int]) throws -> (n: Int, plane: Int) {
        guard shape.count >= 2, shape[1] == channels else {
            throw NeuralNetworkError.shapeMismatch("GroupNorm(\(channels) channels) expects input (N, \(channels), ...), got \(shape)")
        }
        return (shape[0], shape.dropFirst(2).reduce(1, *))
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        let (n, plane) = try check(input.shape)
        var output = Tensor(uninitializedShape: input.shape)
        var statistics = [Float](repeating: 0, count: 2 * n * groups)
        let perGroup = channels / groups, groupSize = perGroup * plane, eps = epsilon, groups = self.groups
        let sample = channels * plane
        input.withUnsafeBufferPointer { xb in
            output.withUnsafeMutableBufferPointer { yb in
                statistics.withUnsafeMutableBufferPointer { sb in
                    scale.value.withUnsafeBufferPointer { gb in
                        shift.value.withUnsafeBufferPointer { bb in
                            guard let x = xb.baseAddress, let y = yb.baseAddress, n > 0 else { return }
                            let stats = sb.baseAddress!, gamma = gb.baseAddress!, beta = bb.baseAddress!
                            BatchChunks.forEach(BatchChunks.ranges(batch: n, workPerSample: 4 * sample)) { _, range in
                                for s in range {
                                    for g in 0..<groups {
                                        let offset = s * sample + g * groupSize
                                        let src = x + offset
                                        let mean = VectorOps.sum(src, groupSize) / Float(groupSize)
                                        let variance = VectorOps.sumOfSquaredDeviations(src, groupSize, from: mean) / Float(groupSize)
                                        let invStd = 1 / (variance + eps).squareRoot()
                                        stats[2 * (s * groups + g)] = mean
                                        stats[2 * (s * groups + g) + 1] = invStd
                                        for cc in 0..<perGroup {
                                            let c = g * perGroup + cc
                                            let a = gamma[c] * invStd, b = beta[c] - mean * a
                                            let xs = src + cc * plane, ys = y + offset + cc * plane
                                            for j in 0..<plane { ys[j] = xs[j] * a + b }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        recordedInput = mode == .differentiable ? input : nil
        recordedStatistics = mode == .differentiable ? statistics : []
        return output
    }

    /// With `xhat = (x - mean) * r` (`r = 1 / sqrt(var + eps)`), `M` elements per group:
    /// `dgamma_c = sum dy xhat`, `dbeta_c = sum dy`,
    /// `dx = r (gamma_c dy - mean_g(gamma dy) - xhat mean_g(gamma dy xhat))`.
    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let input = recordedInput else { throw NeuralNetworkError.missingForward("GroupNorm") }
        try outputGradient.requireShape(input.shape, "GroupNorm output gradient")
        let (n, plane) = try check(input.shape)
        let wantInput = targets.contains(.input), wantParameters = targets.contains(.parameters)
        guard n > 0, wantInput || wantParameters else { return Tensor() }
        // The input gradient overwrites the output gradient in place (each group's sums are
        // taken before its elements are rewritten).
        var gradient = consume outputGradient
        if wantInput {
            gradient.withUnsafeMutableBufferPointer { g in
                backward(dy: UnsafePointer(g.baseAddress!), dx: g.baseAddress!, input: input, n: n, plane: plane, wantParameters: wantParameters)
            }
            return gradient
        }
        gradient.withUnsafeBufferPointer { g in
            backward(dy: g.baseAddress!, dx: nil, input: input, n: n, plane: plane, wantParameters: wantParameters)
        }
        return Tensor()
    }

    private mutating func backward(dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, input: Tensor,
                                   n: Int, plane: Int, wantParameters: Bool) {
        let perGroup = channels / groups, groupSize = perGroup * plane, groups = self.groups, channels = self.channels
        let sample = channels * plane
        let ranges = BatchChunks.ranges(batch: n, workPerSample: 4 * sample)
        let scaleSums = PartialSums(chunks: wantParameters ? ranges.count : 0, size: channels)
        let shiftSums = PartialSums(chunks: wantParameters ? ranges.count : 0, size: channels)
        defer { scaleSums.free(); shiftSums.free() }
        input.withUnsafeBufferPointer { xb in
        recordedStatistics.withUnsafeBufferPointer { sb in
        scale.value.withUnsafeBufferPointer { gb in
            let x = xb.baseAddress!, stats = sb.baseAddress!, gamma = gb.baseAddress!
            BatchChunks.forEach(ranges) { chunk, range in
                let channelSums = UnsafeMutablePointer<Float>.allocate(capacity: 2 * perGroup)
                defer { channelSums.deallocate() }
                for s in range {
                    for g in 0..<groups {
                        let offset = s * sample + g * groupSize
                        let mean = stats[2 * (s * groups + g)], invStd = stats[2 * (s * groups + g) + 1]
                        var a: Float = 0, b: Float = 0
                        for cc in 0..<perGroup {
                            let c = g * perGroup + cc
                            let dys = dy + offset + cc * plane, xs = x + offset + cc * plane
                            let s1 = VectorOps.sum(dys, plane)
                            let s2 = VectorOps.dotCentered(dys, xs, plane, mean) * invStd
                            channelSums[2 * cc] = s1
                            channelSums[2 * cc + 1] = s2
                            a += gamma[c] * s1
                            b += gamma[c] * s2
                        }
                        if wantParameters {
                            let dGamma = scaleSums.chunk(chunk), dBeta = shiftSums.chunk(chunk)
                            for cc in 0..<perGroup {
                                dBeta[g * perGroup + cc] += channelSums[2 * cc]
                                dGamma[g * perGroup + cc] += channelSums[2 * cc + 1]
                            }
                        }
                        guard let dx else { continue }
                        let meanA = a / Float(groupSize), meanB = b / Float(groupSize)
                        // dx = k dy + c1 (x - mean) + c0 with this channel's constants.
                        let c1 = -meanB * invStd * invStd, c0 = -meanA * invStd
                        for cc in 0..<perGroup {
                            let k = gamma[g * perGroup + cc] * invStd
                            let dys = dy + offset + cc * plane, xs = x + offset + cc * plane
                            let dxs = dx + offset + cc * plane
                            for j in 0..<plane { dxs[j] = k * dys[j] + (c1 * (xs[j] - mean) + c0) }
                        }
                    }
                }
            }
        }
        }
        }
        if wantParameters {
            scale.gradient.withUnsafeMutableBufferPointer { scaleSums.add(into: $0.baseAddress!) }
            shift.gradient.withUnsafeMutableBufferPointer { shiftSums.add(into: $0.baseAddress!) }
        }
    }
}
