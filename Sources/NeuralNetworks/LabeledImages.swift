/// A batch of images with integer class labels: what classifiers are trained and
/// evaluated on.
public struct LabeledImages: Sendable, Equatable {
    /// Images, shape `(N, C, H, W)`, finite.
    public let images: Tensor
    /// One label in `0..<classCount` per image.
    public let labels: [Int]
    /// Number of classes `K`.
    public let classCount: Int

    /// - Parameter classCount: defaults to `max(labels) + 1`.
    /// - Throws: `NeuralNetworkError.shapeMismatch` unless the images are NCHW with one
    ///   label each, `.invalidArgument` for labels outside `0..<classCount`,
    ///   `.nonFinite` for NaN or infinite pixels.
    public init(images: Tensor, labels: [Int], classCount: Int? = nil) throws {
        guard images.rank == 4, images.batchSize == labels.count else {
            throw NeuralNetworkError.shapeMismatch("labeled images need an (N, C, H, W) tensor and N labels, got \(images.shape) and \(labels.count) labels")
        }
        let classes = classCount ?? ((labels.max() ?? -1) + 1)
        guard classes > 0 else { throw NeuralNetworkError.invalidArgument("labeled images need at least one class") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
            throw NeuralNetworkError.invalidArgument("label \(bad) outside 0..<\(classes)")
        }
        guard images.isFinite else { throw NeuralNetworkError.nonFinite("images contain NaN or infinite values") }
        self.images = images
        self.labels = labels
        self.classCount = classes
    }

    private init(unchecked images: Tensor, labels: [Int], classCount: Int) {
        self.images = images
        self.labels = labels
        self.classCount = classCount
    }

    /// Number of images.
    public var count: Int { labels.count }

    /// Shape of one image, `[C, H, W]`.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }

    /// The images at `indices`, in that order.
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` for an index outside `0..<count`.
    public func subset(_ indices: [Int]) throws -> LabeledImages {
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw NeuralNetworkError.invalidArgument("image index \(bad) is outside 0..<\(count)")
        }
        return LabeledImages(unchecked: try images.gathering(samples: indices), labels: indices.map { labels[$0] }, classCount: classCount)
    }
}
