#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The families of differentiable augmentations of Differentiable Siamese Augmentation
/// (DSA; Zhao & Bilen 2021), as used by DM and the paper's MMDSW distillation.
public enum AugmentationKind: String, CaseIterable, Sendable {
    /// Brightness shift, saturation and contrast, applied in that order.
    case color
    /// Translation by whole pixels with zero fill.
    case crop
    /// A square set to zero.
    case cutout
    /// Scaling of each axis (bilinear resampling).
    case scale
    /// Rotation about the centre (bilinear resampling).
    case rotate
    /// Horizontal mirror, with a probability.
    case flip
}

/// Which augmentations may be drawn and their ranges (the DSA defaults).
///
/// `draw` picks one kind uniformly and draws its parameters once for the whole batch
/// (the "Siamese" part: every image of a call gets the same transformation).
public struct AugmentationStrategy: Sendable, Equatable {
    /// Kinds drawn from, uniformly.
    public var kinds: [AugmentationKind]
    /// Brightness shift `(u - 0.5) * brightness`.
    public var brightness: Float = 1
    /// Saturation factor `u * saturation` (mixes channels; no effect on grey images).
    public var saturation: Float = 2
    /// Contrast factor `u + contrast`.
    public var contrast: Float = 0.5
    /// Largest shift as a fraction of the side: `round(side * cropRatio)` pixels (4 for 28).
    public var cropRatio: Float = 0.125
    /// Cutout side as a fraction of the image side (14 x 14 for 28 x 28).
    public var cutoutRatio: Float = 0.5
    /// Per-axis scale factor range `[1/scaleRatio, scaleRatio]`.
    public var scaleRatio: Float = 1.2
    /// Rotation angle range `[-rotationDegrees, rotationDegrees]`.
    public var rotationDegrees: Float = 15
    /// Probability that a drawn flip mirrors the images.
    public var flipProbability: Float = 0.5

    public init(kinds: [AugmentationKind]) {
        self.kinds = kinds
    }

    /// The paper's augmentations for digits: color, crop, cutout, scale, rotate (no flip).
    public static let digits = AugmentationStrategy(kinds: [.color, .crop, .cutout, .scale, .rotate])
    /// All six DSA augmentations (natural images).
    public static let all = AugmentationStrategy(kinds: AugmentationKind.allCases)

    /// Draws one augmentation for images of shape `[C, H, W]`.
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` for an empty kind list, an image
    ///   shape that is not `[C, H, W]` of positive sizes, or ranges out of bounds.
    public func draw(imageShape: [Int], using generator: inout some RandomNumberGenerator) throws -> Augmentation {
        guard !kinds.isEmpty else { throw NeuralNetworkError.invalidArgument("no augmentation kinds to draw from") }
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else {
            throw NeuralNetworkError.invalidArgument("augmentations need an image shape [C, H, W], got \(imageShape)")
        }
        guard scaleRatio >= 1, (0...1).contains(cutoutRatio), cropRatio >= 0, (0...1).contains(flipProbability),
              [brightness, saturation, contrast, rotationDegrees].allSatisfy({ $0.isFinite }) else {
            throw NeuralNetworkError.invalidArgument("augmentation ranges out of bounds")
        }
        let (h, w) = (imageShape[1], imageShape[2])
        func uniform() -> Float { Float(generator.nextUnitDouble()) }
        func integer(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(generator.next(upperBound: UInt64(range.count)))
        }
        let kind = kinds[Int(generator.next(upperBound: UInt64(kinds.count)))]
        let transform: Augmentation.Transform
        switch kind {
        case .color:
            let b = (uniform() - 0.5) * brightness
            let s = uniform() * saturation
            let c = uniform() + contrast
            transform = .color(brightness: b, saturation: s, contrast: c)
        case .crop:
            let sx = Int(Float(w) * cropRatio + 0.5), sy = Int(Float(h) * cropRatio + 0.5)
            let dx = integer(-sx...sx), dy = integer(-sy...sy)
            transform = .translate(dx: dx, dy: dy)
        case .cutout:
            let ch = Int(Float(h) * cutoutRatio + 0.5), cw = Int(Float(w) * cutoutRatio + 0.5)
            let cy = integer(0...(h - ch % 2)), cx = integer(0...(w - cw % 2))
            transform = .cutout(top: cy - ch / 2, left: cx - cw / 2, height: ch, width: cw)
        case .scale:
            let low = 1 / scaleRatio
            let sx = uniform() * (scaleRatio - low) + low, sy = uniform() * (scaleRatio - low) + low
            transform = .affine(a: sx, b: 0, c: 0, d: sy)
        case .rotate:
            let theta = (uniform() - 0.5) * 2 * rotationDegrees / 180 * Float.pi
            transform = .affine(a: cos(theta), b: sin(theta), c: -sin(theta), d: cos(theta))
        case .flip:
            transform = uniform() < flipProbability ? .flip : .identity
        }
        return Augmentation(transform, imageShape: imageShape)
    }
}

/// One drawn augmentation, applied identically to every image of a batch; a
/// parameterless `Layer` whose backward is the adjoint of the (affine-linear) map.
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
