/// One drawn augmentation, applied identically to every image of a batch; a
/// parameterless `Layer` whose backward is the adjoint of the (affine-linear) map.
///
/// Augmentations act on the images as given, before a network's own
/// `ChannelNormalization`; the DSA reference code augments normalised images, so with a
/// normalisation set the brightness shift and the zero fill act on a different scale.
///
/// - `color`: `x + b`, then per pixel `s x + (1 - s) mean_channels(x)` (with more than one
///   channel), then per image `c x + (1 - c) mean(x)`.
/// - `translate`: `y[i, j] = x[i + dy, j + dx]` (0 outside).
/// - `cutout`: zero on rows `top..<top+height`, columns `left..<left+width` (clipped).
/// - `affine`: bilinear resampling at `(xs, ys) = A (xn, yn)` in normalised coordinates
///   `[-1, 1]` with corners aligned and zeros outside (PyTorch `affine_grid` +
///   `grid_sample(align_corners: true)`), `A = [[a, b], [c, d]]`.
/// - `flip`: `y[i, j] = x[i, W - 1 - j]`.
public struct Augmentation: Layer, Sendable {
    /// The drawn transformation and its parameters.
    public enum Transform: Sendable, Equatable {
        case identity
        case color(brightness: Float, saturation: Float, contrast: Float)
        case translate(dx: Int, dy: Int)
        case cutout(top: Int, left: Int, height: Int, width: Int)
        case affine(a: Float, b: Float, c: Float, d: Float)
        case flip
    }

    /// What this augmentation does.
    public let transform: Transform
    /// Shape of the images it applies to, `[C, H, W]`.
    public let imageShape: [Int]
    /// For `affine`: per output pixel, four source indices (-1 outside) and weights.
    private let taps: [Int32]
    private let weights: [Float]
    private var recordedBatch: Int?

    /// An augmentation with explicit parameters for images of shape `[C, H, W]`.
    public init(_ transform: Transform, imageShape: [Int]) {
        self.transform = transform
        self.imageShape = imageShape
        if case let .affine(a, b, c, d) = transform, imageShape.count == 3 {
            (taps, weights) = Augmentation.bilinearTable(a, b, c, d, height: imageShape[1], width: imageShape[2])
        } else {
            (taps, weights) = ([], [])
        }
    }

    static func bilinearTable(_ a: Float, _ b: Float, _ c: Float, _ d: Float, height h: Int, width w: Int) -> ([Int32], [Float]) {
        var taps = [Int32](repeating: -1, count: 4 * h * w)
        var weights = [Float](repeating: 0, count: 4 * h * w)
        func normalized(_ i: Int, _ n: Int) -> Float { n == 1 ? 0 : -1 + 2 * Float(i) / Float(n - 1) }
        for i in 0..<h {
            for j in 0..<w {
                let xn = normalized(j, w), yn = normalized(i, h)
                let xs = a * xn + b * yn, ys = c * xn + d * yn
                let px = (xs + 1) / 2 * Float(w - 1), py = (ys + 1) / 2 * Float(h - 1)
                let x0 = Int(px.rounded(.down)), y0 = Int(py.rounded(.down))
                let fx = px - Float(x0), fy = py - Float(y0)
                let corners = [(y0, x0, (1 - fx) * (1 - fy)), (y0, x0 + 1, fx * (1 - fy)),
                               (y0 + 1, x0, (1 - fx) * fy), (y0 + 1, x0 + 1, fx * fy)]
                for (k, (y, x, weight)) in corners.enumerated() {
                    let slot = 4 * (i * w + j) + k
                    if y >= 0, y < h, x >= 0, x < w {
                        taps[slot] = Int32(y * w + x)
                        weights[slot] = weight
                    }
                }
            }
        }
        return (taps, weights)
    }

    private func check(_ shape: [Int]) throws {
        guard shape.count == 4, Array(shape.dropFirst()) == imageShape else {
            throw NeuralNetworkError.shapeMismatch("augmentation for images \(imageShape) applied to \(shape)")
        }
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        try check(input.shape)
        recordedBatch = mode == .differentiable ? input.batchSize : nil
        return apply(consume input, adjoint: false)
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        guard let batch = recordedBatch else { throw NeuralNetworkError.missingForward("Augmentation") }
        try outputGradient.requireShape([batch] + imageShape, "Augmentation output gradient")
        guard targets.contains(.input) else { return Tensor() }
        return apply(consume outputGradient, adjoint: true)
    }

    /// The map (or its adjoint) on a batch; pointwise kinds work in place on `input`.
    private func apply(_ input: consuming Tensor, adjoint: Bool) -> Tensor {
        let (channels, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        let plane = h * w, sample = channels * plane
        let n = input.batchSize
        let shape = input.shape
        switch transform {
        case .identity:
            return input
        case let .color(shift, saturation, contrast):
            var out = consume input
            out.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                BatchChunks.forEach(BatchChunks.ranges(batch: n, workPerSample: 4 * sample)) { _, range in
                    for s in range {
                        let x = base + s * sample
                        if !adjoint {
                            for i in 0..<sample { x[i] += shift }
                            Augmentation.mixChannels(x, channels, plane, saturation)
                            Augmentation.mixAll(x, sample, contrast)
                        } else {
                            Augmentation.mixAll(x, sample, contrast)
                            Augmentation.mixChannels(x, channels, plane, saturation)
                        }
                    }
                }
            }
            return out
        case .flip:
            var out = consume input
            out.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for row in 0..<(n * channels * h) {
                    let r = base + row * w
                    var (i, j) = (0, w - 1)
                    while i < j { let t = r[i]; r[i] = r[j]; r[j] = t; i += 1; j -= 1 }
                }
            }
            return out
        case let .cutout(top, left, height, width):
            var out = consume input
            let rows = max(0, top)..<max(max(0, top), min(h, top + height))
            let cols = max(0, left)..<max(max(0, left), min(w, left + width))
            out.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, !cols.isEmpty else { return }
                for p in 0..<(n * channels) {
                    for i in rows { (base + p * plane + i * w + cols.lowerBound).update(repeating: 0, count: cols.count) }
                }
            }
            return out
        case let .translate(dx, dy):
            // Forward reads x[i + dy, j + dx]; the adjoint writes back to the same place,
            // which is the forward map with the opposite shift.
            let (sx, sy) = adjoint ? (-dx, -dy) : (dx, dy)
            var out = Tensor(shape: shape)
            input.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    guard let x = src.baseAddress, let y = dst.baseAddress else { return }
                    let cols = max(0, -sx)..<max(max(0, -sx), min(w, w - sx))
                    guard !cols.isEmpty else { return }
                    for p in 0..<(n * channels) {
                        for i in 0..<h where i + sy >= 0 && i + sy < h {
                            (y + p * plane + i * w + cols.lowerBound)
                                .update(from: x + p * plane + (i + sy) * w + cols.lowerBound + sx, count: cols.count)
                        }
                    }
                }
            }
            return out
        case .affine:
            var out = Tensor(shape: shape)
            input.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    taps.withUnsafeBufferPointer { tb in
                        weights.withUnsafeBufferPointer { wb in
                            guard let x = src.baseAddress, let y = dst.baseAddress else { return }
                            let t = tb.baseAddress!, wt = wb.baseAddress!
                            BatchChunks.forEach(BatchChunks.ranges(batch: n * channels, workPerSample: 8 * plane)) { _, range in
                                for p in range {
                                    let xs = x + p * plane, ys = y + p * plane
                                    for o in 0..<plane {
                                        for k in 0..<4 {
                                            let index = Int(t[4 * o + k])
                                            if index < 0 { continue }
                                            if adjoint { ys[index] += wt[4 * o + k] * xs[o] } else { ys[o] += wt[4 * o + k] * xs[index] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return out
        }
    }

    /// `x <- s x + (1 - s) mean_channels(x)` per pixel (self-adjoint).
    static func mixChannels(_ x: UnsafeMutablePointer<Float>, _ channels: Int, _ plane: Int, _ s: Float) {
        guard channels > 1 else { return }
        for j in 0..<plane {
            var mean: Float = 0
            for c in 0..<channels { mean += x[c * plane + j] }
            mean /= Float(channels)
            for c in 0..<channels { x[c * plane + j] = s * x[c * plane + j] + (1 - s) * mean }
        }
    }

    /// `x <- c x + (1 - c) mean(x)` over one image (self-adjoint).
    static func mixAll(_ x: UnsafeMutablePointer<Float>, _ count: Int, _ c: Float) {
        let mean = VectorOps.sum(x, count) / Float(count)
        let offset = (1 - c) * mean
        for i in 0..<count { x[i] = c * x[i] + offset }
    }
}
