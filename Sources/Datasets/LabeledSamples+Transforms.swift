import WoWCompute

/// Per-channel affine normalisation `x' = (x - mean_c) / std_c`.
///
/// The presets are the values the paper's experiments use, for pixels already scaled to
/// `[0, 1]`.
public struct Normalization: Sendable, Equatable {
    /// Mean per channel (or one value for every channel).
    public let mean: [Float]
    /// Standard deviation per channel (or one value), each > 0.
    public let std: [Float]

    /// - Throws: ``DatasetError/invalidArgument(_:)`` for empty or mismatched lists, or a
    ///   non-positive or non-finite deviation.
    public init(mean: [Float], std: [Float]) throws {
        guard !mean.isEmpty, mean.count == std.count else {
            throw DatasetError.invalidArgument("normalisation needs as many means as deviations (got \(mean.count) and \(std.count))")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DatasetError.invalidArgument("normalisation needs finite means and positive deviations")
        }
        self.mean = mean
        self.std = std
    }

    private init(uncheckedMean mean: [Float], std: [Float]) { self.mean = mean; self.std = std }

    /// MNIST: mean 0.1307, std 0.3081.
    public static let mnist = Normalization(uncheckedMean: [0.1307], std: [0.3081])
    /// Fashion-MNIST: mean 0.2861, std 0.3530.
    public static let fashionMNIST = Normalization(uncheckedMean: [0.2861], std: [0.3530])
    /// CIFAR-10, per channel (R, G, B): the constants of the Dataset Condensation / DM code
    /// the paper follows. The std triple is the widely copied one; the per-pixel std of the
    /// training set is about (0.2470, 0.2435, 0.2616).
    public static let cifar10 = Normalization(uncheckedMean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010])

    /// The per-channel mean and (population) standard deviation of `samples`.
    ///
    /// - Throws: ``DatasetError/cannotSatisfy(_:)`` for no samples or a constant channel.
    public static func estimated(from samples: LabeledSamples) throws -> Normalization {
        let channels = samples.featureShape.channels
        let plane = samples.dimension / channels
        guard samples.count > 0 else { throw DatasetError.cannotSatisfy("cannot estimate a normalisation from no samples") }
        var sum = [Double](repeating: 0, count: channels), sumSq = sum
        samples.features.withUnsafeBufferPointer { x in
            for i in 0..<samples.count {
                for c in 0..<channels {
                    let base = i * samples.dimension + c * plane
                    for k in 0..<plane { let v = Double(x[base + k]); sum[c] += v; sumSq[c] += v * v }
                }
            }
        }
        let n = Double(samples.count * plane)
        let mean = sum.map { $0 / n }
        let std = zip(sumSq, mean).map { (max(0, $0 / n - $1 * $1)).squareRoot() }
        guard std.allSatisfy({ $0 > 0 }) else { throw DatasetError.cannotSatisfy("a channel is constant; its deviation is zero") }
        return try Normalization(mean: mean.map(Float.init), std: std.map(Float.init))
    }
}

extension LabeledSamples {
    /// Maps the nominal ``valueRange`` (e.g. `0...255`) affinely onto `0...1`.
    ///
    /// - Throws: ``DatasetError/cannotSatisfy(_:)`` if the range is unknown (for example
    ///   after normalisation) or empty.
    /// - Complexity: O(n d).
    public func scaledToUnitInterval() throws -> LabeledSamples {
        guard let range = valueRange else {
            throw DatasetError.cannotSatisfy("the value range of these samples is unknown (already normalised?); cannot scale to [0, 1]")
        }
        guard range.upperBound > range.lowerBound else {
            throw DatasetError.cannotSatisfy("the value range \(range) is empty; cannot scale to [0, 1]")
        }
        let lower = range.lowerBound, span = range.upperBound - range.lowerBound
        var copy = self
        copy.features.withUnsafeMutableBufferPointer { x in
            for i in x.indices { x[i] = (x[i] - lower) / span }
        }
        copy.valueRange = 0...1
        return copy
    }

    /// Applies `x' = (x - mean_c) / std_c` channel by channel.
    ///
    /// The result has no nominal ``valueRange``.
    ///
    /// - Throws: ``DatasetError/shapeMismatch(_:)`` if the normalisation has neither one
    ///   value nor one per channel.
    /// - Complexity: O(n d).
    public func normalized(_ normalization: Normalization) throws -> LabeledSamples {
        let channels = featureShape.channels
        guard normalization.mean.count == 1 || normalization.mean.count == channels else {
            throw DatasetError.shapeMismatch("a normalisation with \(normalization.mean.count) channels cannot apply to \(channels)-channel samples")
        }
        let plane = dimension / channels
        var copy = self
        let d = dimension, n = count
        copy.features.withUnsafeMutableBufferPointer { x in
            for i in 0..<n {
                for c in 0..<channels {
                    let k = normalization.mean.count == 1 ? 0 : c
                    let mean = normalization.mean[k], inverse = 1 / normalization.std[k]
                    let base = i * d + c * plane
                    for p in 0..<plane { x[base + p] = (x[base + p] - mean) * inverse }
                }
            }
        }
        copy.valueRange = nil
        return copy
    }

    /// Resizes every image to `height x width` by bilinear interpolation with half-pixel
    /// centres (the convention of PyTorch's `interpolate(mode="bilinear",
    /// align_corners=False)` without antialiasing): output pixel (i, j) samples the input
    /// at `((i + 0.5) H/h - 0.5, (j + 0.5) W/w - 0.5)`, clamped to the border.
    ///
    /// Used to bring the 8x8 UCI digits to MNIST's 28x28. The value range is kept (bilinear
    /// weights are convex).
    ///
    /// - Throws: ``DatasetError/shapeMismatch(_:)`` for samples that are not images,
    ///   ``DatasetError/invalidArgument(_:)`` for a non-positive size.
    /// - Complexity: O(n C h w).
    public func resized(height: Int, width: Int) throws -> LabeledSamples {
        guard case let .image(channels, inHeight, inWidth) = featureShape else {
            throw DatasetError.shapeMismatch("only images can be resized; these samples are vectors of \(dimension)")
        }
        let shape = FeatureShape.image(channels: channels, height: height, width: width)
        try shape.validate()
        let rowTaps = Self.bilinearTaps(output: height, input: inHeight)
        let columnTaps = Self.bilinearTaps(output: width, input: inWidth)
        let outD = shape.count, inD = dimension, n = count
        var storage = [Float](repeating: 0, count: n * outD)
        features.withUnsafeBufferPointer { x in
            storage.withUnsafeMutableBufferPointer { y in
                for s in 0..<n {
                    for c in 0..<channels {
                        let inBase = s * inD + c * inHeight * inWidth
                        let outBase = s * outD + c * height * width
                        for i in 0..<height {
                            let (r0, r1, tr) = rowTaps[i]
                            for j in 0..<width {
                                let (c0, c1, tc) = columnTaps[j]
                                let top = x[inBase + r0 * inWidth + c0] * (1 - tc) + x[inBase + r0 * inWidth + c1] * tc
                                let bottom = x[inBase + r1 * inWidth + c0] * (1 - tc) + x[inBase + r1 * inWidth + c1] * tc
                                y[outBase + i * width + j] = top * (1 - tr) + bottom * tr
                            }
                        }
                    }
                }
            }
        }
        return LabeledSamples(unchecked: try Matrix(rows: n, columns: outD, storage: storage), labels: labels,
                              featureShape: shape, classNames: classNames, valueRange: valueRange)
    }

    /// For each output index: the two input indices and the weight of the second.
    static func bilinearTaps(output: Int, input: Int) -> [(Int, Int, Float)] {
        let scale = Double(input) / Double(output)
        return (0..<output).map { i in
            let position = max(0, (Double(i) + 0.5) * scale - 0.5)
            let lower = min(Int(position), input - 1)
            let upper = min(lower + 1, input - 1)
            return (lower, upper, Float(position - Double(lower)))
        }
    }
}
