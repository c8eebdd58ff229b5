/// The random-network embedding of Distribution Matching and of MMDSW with embeddings
/// ("E"): images are mapped by the feature extractor of a freshly initialised ConvNet
/// (by default width 128, depth 3: 2048-d features for 28 x 28 digits), optionally after
/// a drawn DSA augmentation ("A"). The weights are fixed; what is differentiated is a
/// function of the features with respect to the *images*.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let embedding = RandomEmbedding()
/// // One call: fresh network, objective on the features, gradient w.r.t. the images.
/// let (value, gradient) = try embedding.valueAndGradient(at: images, using: &rng) { features in
///     // 1/2 |f|^2 and its gradient with respect to the features.
///     (0.5 * features.storage.reduce(0.0) { $0 + Double($1) * Double($1) }, features)
/// }
/// ```
///
/// For DM, draw once per step and use the same `FrozenEmbedding` for the real batch
/// (`features(of:)`) and the synthetic images (`valueAndGradient(at:objective:)`).
public struct RandomEmbedding: Sendable {
    /// Architecture of the random network (its `features` part is used).
    public var architecture: Architecture
    /// Shape of one image, `[C, H, W]`.
    public var imageShape: [Int]
    /// Input normalisation inside the network (`nil`: images used as given).
    public var normalization: ChannelNormalization?

    public init(architecture: Architecture = .convNet(), imageShape: [Int] = [1, 28, 28],
                normalization: ChannelNormalization? = nil) {
        self.architecture = architecture
        self.imageShape = imageShape
        self.normalization = normalization
    }

    /// Draws fresh network weights, then (when `augmentation` is given) one augmentation.
    ///
    /// - Throws: errors of `Network.init` and `AugmentationStrategy.draw`.
    public func draw(augmentation: AugmentationStrategy? = nil,
                     using generator: inout some RandomNumberGenerator) throws -> FrozenEmbedding {
        let network = try Network(architecture, imageShape: imageShape, classCount: 1,
                                  normalization: normalization, using: &generator)
        let drawn = try augmentation?.draw(imageShape: imageShape, using: &generator)
        return FrozenEmbedding(network: network, augmentation: drawn)
    }

    /// Value and image gradient of `objective(features(images))` for a fresh random
    /// network (and augmentation) per call.
    ///
    /// - Parameter objective: maps the features `(N, featureCount)` to a value and its
    ///   gradient with respect to the features (same shape).
    /// - Returns: the value and its gradient with respect to `images` `(N, C, H, W)`.
    public func valueAndGradient(
        at images: Tensor, augmentation: AugmentationStrategy? = nil,
        using generator: inout some RandomNumberGenerator,
        objective: (Tensor) throws -> (value: Double, gradient: Tensor)
    ) throws -> (value: Double, gradient: Tensor) {
        try draw(augmentation: augmentation, using: &generator).valueAndGradient(at: images, objective: objective)
    }
}

/// A random embedding with its weights (and augmentation) drawn: a fixed,
/// differentiable map from images `(N, C, H, W)` to features `(N, featureCount)`.
public struct FrozenEmbedding {
    /// The network whose `features` part is used (its weights never change here).
    public let network: Network
    /// The augmentation applied before the network, if any.
    public let augmentation: Augmentation?

    public init(network: Network, augmentation: Augmentation? = nil) {
        self.network = network
        self.augmentation = augmentation
    }

    /// Length of the feature vectors.
    public var featureCount: Int { network.featureCount }

    /// Features of `images`, nothing recorded.
    ///
    /// - Throws: `.shapeMismatch` for images of another shape, `.nonFinite` for NaN pixels.
    public func features(of images: Tensor) throws -> Tensor {
        guard images.isFinite else { throw NeuralNetworkError.nonFinite("images contain NaN or infinite values") }
        var x = images
        if let augmentation { x = try augmentation(x) }
        return try network.embed(x)
    }

    /// Features of `images` and the pullback that maps a feature gradient to the image
    /// gradient (the network's weights stay fixed; no parameter gradient is computed).
    public func featuresWithPullback(at images: Tensor) throws -> (features: Tensor, pullback: EmbeddingPullback) {
        guard images.isFinite else { throw NeuralNetworkError.nonFinite("images contain NaN or infinite values") }
        guard images.rank == 4, Array(images.shape.dropFirst()) == network.imageShape else {
            throw NeuralNetworkError.shapeMismatch("the embedding expects images (N, \(network.imageShape.map(String.init).joined(separator: ", "))), got \(images.shape)")
        }
        var augmentation = self.augmentation
        var extractor = network.features
        var x = images
        if augmentation != nil { x = try augmentation!.forward(x, mode: .differentiable) }
        let features = try extractor.forward(x, mode: .differentiable)
        return (features, EmbeddingPullback(extractor: extractor, augmentation: augmentation, featureShape: features.shape))
    }

    /// Value and image gradient of `objective(features(images))`.
    public func valueAndGradient(
        at images: Tensor, objective: (Tensor) throws -> (value: Double, gradient: Tensor)
    ) throws -> (value: Double, gradient: Tensor) {
        let (features, pullback) = try featuresWithPullback(at: images)
        let (value, featureGradient) = try objective(features)
        return (value, try pullback(featureGradient))
    }
}

/// Maps a gradient with respect to the features to the gradient with respect to the
/// images, through the recorded forward pass of a `FrozenEmbedding`.
public struct EmbeddingPullback {
    var extractor: Sequential
    var augmentation: Augmentation?
    let featureShape: [Int]

    /// - Throws: `.shapeMismatch` when the gradient's shape differs from the features',
    ///   `.nonFinite` for NaN entries.
    public func callAsFunction(_ featureGradient: Tensor) throws -> Tensor {
        try featureGradient.requireShape(featureShape, "feature gradient")
        guard featureGradient.isFinite else { throw NeuralNetworkError.nonFinite("the feature gradient contains NaN or infinite values") }
        var extractor = self.extractor
        var g = try extractor.backward(featureGradient, targets: .input)
        if var augmentation { g = try augmentation.backward(g, targets: .input) }
        return g
    }
}
