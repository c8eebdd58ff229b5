/// A classifier of the paper: an input normalisation, a feature extractor and a
/// classifier head ending with log-probabilities; itself a `Layer`.
///
/// `features` maps images `(N, C, H, W)` to feature vectors `(N, featureCount)`
/// (the ConvNet's 2048-d embedding for 28 x 28 digits); `classifier` maps features to
/// log-probabilities `(N, classCount)`. Parameters are visited features first, then the
/// head, layer by layer (weights before biases): the order of weight files.
public struct Network: Layer {
    /// Which network.
    public let architecture: Architecture
    /// Shape of one input image, `[C, H, W]`.
    public let imageShape: [Int]
    /// Number of classes.
    public let classCount: Int
    /// Input normalisation applied first (`nil`: images are used as given).
    public let normalization: ChannelNormalization?
    /// Length of the feature vectors.
    public let featureCount: Int
    /// Normalisation and feature extractor, ending with `Flatten`.
    public var features: Sequential
    /// Head: linear layers and `LogSoftmax`.
    public var classifier: Sequential

    /// A freshly initialised network (uniform `+-1/sqrt(fan_in)`, layer by layer).
    ///
    /// - Parameters:
    ///   - imageShape: `[C, H, W]`; defaults to 28 x 28 grey images.
    ///   - normalization: per-channel standardisation applied to the input, or `nil`.
    /// - Throws: `NeuralNetworkError.invalidArgument` when the image is too small for the
    ///   architecture or a size is not positive, `.shapeMismatch` when the normalisation
    ///   has another channel count.
    public init(_ architecture: Architecture, imageShape: [Int] = [1, 28, 28], classCount: Int = 10,
                normalization: ChannelNormalization? = nil,
                using generator: inout some RandomNumberGenerator) throws {
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }), classCount > 0 else {
            throw NeuralNetworkError.invalidArgument("a network needs an image shape [C, H, W] of positive sizes and at least one class")
        }
        if let normalization, normalization.mean.count != imageShape[0] {
            throw NeuralNetworkError.shapeMismatch("normalisation for \(normalization.mean.count) channels, images have \(imageShape[0])")
        }
        let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        var layers: [any Layer] = []
        if let normalization { layers.append(normalization) }
        var head: [any Layer] = []
        var featureCount = 0
        switch architecture {
        case let .convNet(width, depth):
            guard width > 0, depth > 0 else {
                throw NeuralNetworkError.invalidArgument("ConvNet needs positive width and depth")
            }
            var (channels, height, wide) = (c, h, w)
            for d in 0..<depth {
                let padding = (c == 1 && d == 0) ? 3 : 1
                layers.append(try Conv2d(inChannels: channels, outChannels: width, kernelSize: 3, padding: padding, using: &generator))
                height += 2 * padding - 2
                wide += 2 * padding - 2
                layers.append(try GroupNorm.instanceNorm(channels: width))
                layers.append(ReLU())
                guard height >= 2, wide >= 2 else {
                    throw NeuralNetworkError.invalidArgument("images of \(h) x \(w) are too small for a ConvNet of depth \(depth)")
                }
                layers.append(try AvgPool2d(kernelSize: 2))
                height /= 2
                wide /= 2
                channels = width
            }
            layers.append(Flatten())
            featureCount = width * height * wide
            head = [try Linear(inFeatures: featureCount, outFeatures: classCount, using: &generator), LogSoftmax()]
        case .leNet5:
            let h1 = (h / 2 - 4) / 2 - 4, w1 = (w / 2 - 4) / 2 - 4
            guard h / 2 >= 5, (h / 2 - 4) / 2 >= 5, w / 2 >= 5, (w / 2 - 4) / 2 >= 5 else {
                throw NeuralNetworkError.invalidArgument("images of \(h) x \(w) are too small for LeNet5 (at least 28 x 28)")
            }
            layers += [
                try Conv2d(inChannels: c, outChannels: 6, kernelSize: 1, using: &generator), ReLU(), try AvgPool2d(kernelSize: 2),
                try Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5, using: &generator), ReLU(), try AvgPool2d(kernelSize: 2),
                try Conv2d(inChannels: 16, outChannels: 120, kernelSize: 5, using: &generator), ReLU(), Flatten(),
            ]
            featureCount = 120 * h1 * w1
            head = [try Linear(inFeatures: featureCount, outFeatures: 84, using: &generator), ReLU(),
                    try Linear(inFeatures: 84, outFeatures: classCount, using: &generator), LogSoftmax()]
        case .cnn:
            guard h >= 5, w >= 5 else {
                throw NeuralNetworkError.invalidArgument("images of \(h) x \(w) are too small for the CNN")
            }
            layers += [try Conv2d(inChannels: c, outChannels: 3, kernelSize: 4, using: &generator),
                       try MaxPool2d(kernelSize: 2, stride: 1), ReLU(), Flatten()]
            featureCount = 3 * (h - 4) * (w - 4)
            head = [try Linear(inFeatures: featureCount, outFeatures: 512, using: &generator), Sigmoid(),
                    try Linear(inFeatures: 512, outFeatures: 64, using: &generator), ReLU(),
                    try Linear(inFeatures: 64, outFeatures: classCount, using: &generator), LogSoftmax()]
        }
        self.architecture = architecture
        self.imageShape = imageShape
        self.classCount = classCount
        self.normalization = normalization
        self.featureCount = featureCount
        self.features = Sequential(layers)
        self.classifier = Sequential(head)
    }

    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        try features.visitParameters(body)
        try classifier.visitParameters(body)
    }

    private func checkInput(_ input: Tensor) throws {
        guard input.rank == 4, Array(input.shape.dropFirst()) == imageShape else {
            throw NeuralNetworkError.shapeMismatch("\(architecture) expects images (N, \(imageShape.map(String.init).joined(separator: ", "))), got \(input.shape)")
        }
    }

    /// Log-probabilities `(N, classCount)` of images `(N, C, H, W)`.
    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        try checkInput(input)
        let features = try self.features.forward(consume input, mode: mode)
        return try classifier.forward(consume features, mode: mode)
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        let featureGradient = try classifier.backward(consume outputGradient, targets: targets.union(.input))
        return try features.backward(consume featureGradient, targets: targets)
    }

    /// Feature vectors `(N, featureCount)` of images `(N, C, H, W)`, with nothing recorded.
    ///
    /// - Throws: `.shapeMismatch` for images of another shape, `.nonFinite` for NaN pixels.
    public func embed(_ images: Tensor) throws -> Tensor {
        try checkInput(images)
        return try features.scores(for: images)
    }
}
