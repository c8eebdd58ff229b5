/// The shape of one sample's features.
///
/// Images are stored channel-major (C x H x W, row-major within a channel), the layout
/// of NumPy/PyTorch `NCHW` arrays with the batch axis removed; a plain feature vector
/// has no spatial structure.
public enum FeatureShape: Sendable, Hashable, CustomStringConvertible {
    /// A feature vector of the given length.
    case vector(Int)
    /// An image with `channels` planes of `height` x `width` pixels.
    case image(channels: Int, height: Int, width: Int)

    /// Number of scalar features per sample (`d`).
    public var count: Int {
        switch self {
        case let .vector(d): return d
        case let .image(c, h, w): return c * h * w
        }
    }

    /// Whether the shape has spatial structure.
    public var isImage: Bool {
        if case .image = self { return true }
        return false
    }

    /// Number of channels (1 for a plain vector).
    public var channels: Int {
        if case let .image(c, _, _) = self { return c }
        return 1
    }

    /// Checks that every extent is positive and that a sample has at most `Int32.max`
    /// values (so `count` cannot overflow).
    public func validate() throws {
        switch self {
        case let .vector(d):
            guard d > 0 else { throw DatasetError.invalidArgument("a feature vector needs a positive length, got \(d)") }
        case let .image(c, h, w):
            guard c > 0, h > 0, w > 0 else {
                throw DatasetError.invalidArgument("an image needs positive channels, height and width, got \(c)x\(h)x\(w)")
            }
            let (plane, o1) = h.multipliedReportingOverflow(by: w)
            let (all, o2) = plane.multipliedReportingOverflow(by: c)
            guard !o1, !o2, all <= Int(Int32.max) else {
                throw DatasetError.invalidArgument("an image of \(c)x\(h)x\(w) values is too large (at most \(Int32.max) values per sample)")
            }
        }
    }

    public var description: String {
        switch self {
        case let .vector(d): return "\(d)"
        case let .image(c, h, w): return "\(c)x\(h)x\(w)"
        }
    }
}
