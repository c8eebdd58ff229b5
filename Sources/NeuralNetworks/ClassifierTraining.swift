import WoWCompute

/// One call from labeled images to a trained classifier of the paper: builds the
/// network, trains it with AdamW (the paper's `lr = 3e-4`, `wd = 1e-4`, batch 64 by
/// default) and evaluates it on a held-out set. The entry point of `wow train`.
///
/// ```swift
/// let recipe = ClassifierTraining(architecture: .leNet5, epochs: 60, normalization: .mnist)
/// let result = try recipe.run(on: train, validation: test, seed: 0)
/// print(result.evaluation!.pooledAccuracy)
/// try result.network.save(to: url)
/// ```
///
/// With the same seed the trained weights are bitwise identical for every thread count.
public struct ClassifierTraining: Sendable {
    /// Which network.
    public var architecture: Architecture
    /// Passes over the training set.
    public var epochs: Int
    /// Minibatch size.
    public var batchSize: Int
    /// AdamW learning rate (initial, before the schedule).
    public var learningRate: Float
    /// AdamW decoupled weight decay.
    public var weightDecay: Float
    /// Input normalisation stored in the network (`nil`: none).
    public var normalization: ChannelNormalization?
    /// Augmentation drawn per minibatch (`nil`: none).
    public var augmentation: AugmentationStrategy?
    /// Learning rate per epoch.
    public var schedule: any LearningRateSchedule
    /// Evaluate the validation set after every this many epochs too (`nil`, the
    /// default: once, after the last epoch). The paper's protocols test once.
    public var validationInterval: Int?

    public init(architecture: Architecture, epochs: Int, batchSize: Int = 64, learningRate: Float = 3e-4,
                weightDecay: Float = 1e-4, normalization: ChannelNormalization? = nil,
                augmentation: AugmentationStrategy? = nil,
                schedule: any LearningRateSchedule = ConstantLearningRate(), validationInterval: Int? = nil) {
        self.validationInterval = validationInterval
        self.architecture = architecture
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.normalization = normalization
        self.augmentation = augmentation
        self.schedule = schedule
    }

    /// A trained network, its training history and its final evaluation.
    public struct Result {
        /// The trained network (save it with `save(to:)`).
        public var network: Network
        /// Per-epoch summaries.
        public var history: TrainingHistory
        /// Evaluation on the validation set after the last epoch, when one was given.
        public var evaluation: Evaluation?
    }

    /// Builds and trains the network on `data`; the generator seeded with `seed` draws
    /// the initial weights, then the shuffles and augmentations.
    ///
    /// - Parameter validation: evaluated at the end, and every `validationInterval` epochs
    ///   when that is set (reported in `progress`).
    /// - Throws: `NeuralNetworkError` for images of a shape the architecture cannot take,
    ///   invalid settings (`epochs < 0`, `batchSize < 1`, a negative rate or decay), a
    ///   validation set of another image shape or class count, or a diverging loss.
    public func run(on data: LabeledImages, validation: LabeledImages? = nil, seed: UInt64 = 0,
                    progress: ((TrainingEvent) -> Void)? = nil) throws -> Result {
        guard epochs >= 0, batchSize > 0, (validationInterval ?? 1) > 0 else {
            throw NeuralNetworkError.invalidArgument("training needs epochs >= 0 and a positive batch size and validation interval (got \(epochs), \(batchSize), \(validationInterval ?? 1))")
        }
        if let validation {
            guard validation.imageShape == data.imageShape else {
                throw NeuralNetworkError.shapeMismatch("validation images are \(validation.imageShape), training images \(data.imageShape)")
            }
            guard validation.classCount <= data.classCount else {
                throw NeuralNetworkError.invalidArgument("the validation set has \(validation.classCount) classes, the training set \(data.classCount)")
            }
        }
        let optimizer = AdamW(learningRate: learningRate, weightDecay: weightDecay)
        try optimizer.validate()
        var generator = SeededGenerator(seed: seed)
        var network = try Network(architecture, imageShape: data.imageShape, classCount: data.classCount,
                                  normalization: normalization, using: &generator)
        var trainer = Trainer(optimizer: optimizer, epochs: epochs, batchSize: batchSize, schedule: schedule,
                              augmentation: augmentation, validationInterval: validationInterval ?? max(1, epochs))
        let history = try trainer.fit(&network, on: data, validation: validation, progress: progress, using: &generator)
        let evaluation: Evaluation?
        if let last = history.epochs.last?.validation {
            evaluation = last
        } else {
            evaluation = try validation.map { try network.evaluate(on: $0, batchSize: batchSize) }
        }
        return Result(network: network, history: history, evaluation: evaluation)
    }
}
