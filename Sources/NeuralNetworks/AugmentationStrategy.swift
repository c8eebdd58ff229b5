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
