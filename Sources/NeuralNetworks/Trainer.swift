import Dispatch

/// Progress after one minibatch.
public struct BatchProgress: Sendable, Equatable {
    /// Epoch (0-based) and number of epochs.
    public let epoch: Int, epochs: Int
    /// Minibatch (0-based) within the epoch and number of minibatches.
    public let batch: Int, batches: Int
    /// Mean loss and accuracy on this minibatch (before the update).
    public let loss: Double, accuracy: Double
    /// Learning rate used for the update.
    public let learningRate: Float
}

/// Summary of one epoch.
public struct EpochSummary: Sendable, Equatable {
    /// Epoch (0-based).
    public let epoch: Int
    /// Mean training loss and accuracy over the epoch's minibatches (weighted by size,
    /// each measured before its update).
    public let loss: Double, accuracy: Double
    /// Learning rate of the epoch.
    public let learningRate: Float
    /// Wall-clock seconds of the epoch's training steps and training images per second.
    public let seconds: Double, imagesPerSecond: Double
    /// Evaluation on the validation set, when one was given.
    public let validation: Evaluation?
}

/// What a training run reports to its progress callback.
public enum TrainingEvent: Sendable {
    case batch(BatchProgress)
    case epoch(EpochSummary)
}

/// Per-epoch summaries of a training run.
public struct TrainingHistory: Sendable, Equatable {
    public var epochs: [EpochSummary] = []
    public init() {}
}

/// Minibatch training of a classifier whose output is log-probabilities (every
/// `Network`): cross-entropy (`NLLLoss`), shuffled minibatches, a learning-rate schedule
/// per epoch, optional DSA augmentation (one draw per minibatch), and a progress callback.
///
/// All randomness (shuffling, augmentation draws) comes from the generator passed to
/// `fit`; with the same seed the trained weights are bitwise identical for every
/// `Parallel.threads`.
public struct Trainer<Opt: Optimizer> {
    /// The optimiser (its state persists across `fit` calls).
    public var optimizer: Opt
    /// Passes over the training set.
    public var epochs: Int
    /// Minibatch size (the last minibatch of an epoch may be smaller).
    public var batchSize: Int
    /// Learning rate per epoch from the optimiser's initial rate.
    public var schedule: any LearningRateSchedule
    /// Augmentation drawn per minibatch (none by default).
    public var augmentation: AugmentationStrategy?
    /// Shuffle the training set every epoch (default `true`).
    public var shuffle: Bool
    /// Evaluate the validation set (when `fit` is given one) after every this many epochs
    /// (epochs `k, 2k, ...`, counting from 1) and after the last; default 1 (every epoch).
    /// Evaluation costs a forward pass over the whole set, which on a small training set
    /// can dwarf the epoch itself.
    public var validationInterval: Int

    public init(optimizer: Opt, epochs: Int, batchSize: Int = 64,
                schedule: any LearningRateSchedule = ConstantLearningRate(),
                augmentation: AugmentationStrategy? = nil, shuffle: Bool = true, validationInterval: Int = 1) {
        self.validationInterval = validationInterval
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchSize = batchSize
        self.schedule = schedule
        self.augmentation = augmentation
        self.shuffle = shuffle
    }

    /// Trains `model` on `data`.
    ///
    /// - Parameters:
    ///   - validation: evaluated after every `validationInterval`-th epoch and after the
    ///     last when given (reported in those epochs' summaries).
    ///   - progress: called after every minibatch and every epoch.
    /// - Throws: `.invalidArgument` for non-positive batch size or negative epochs,
    ///   `.nonFinite` when the loss becomes NaN or infinite, errors of the layers.
    @discardableResult
    public mutating func fit<Model: Layer>(
        _ model: inout Model, on data: LabeledImages, validation: LabeledImages? = nil,
        progress: ((TrainingEvent) -> Void)? = nil,
        using generator: inout some RandomNumberGenerator
    ) throws -> TrainingHistory {
        guard batchSize > 0, epochs >= 0, validationInterval > 0 else {
            throw NeuralNetworkError.invalidArgument("training needs a positive batch size and validation interval and a non-negative number of epochs")
        }
        guard data.count > 0 else { throw NeuralNetworkError.invalidArgument("the training set is empty") }
        let baseRate = optimizer.learningRate
        defer { optimizer.learningRate = baseRate }
        var history = TrainingHistory()
        var order = Array(0..<data.count)
        let batchSize = min(batchSize, data.count)  // a larger batch is the whole set
        let batches = (data.count + batchSize - 1) / batchSize
        for epoch in 0..<epochs {
            let rate = schedule.learningRate(base: baseRate, epoch: epoch, epochs: epochs)
            optimizer.learningRate = rate
            if shuffle { shuffleInPlace(&order, using: &generator) }
            var lossSum = 0.0, correct = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for b in 0..<batches {
                let indices = Array(order[(b * batchSize)..<min(data.count, (b + 1) * batchSize)])
                let labels = indices.map { data.labels[$0] }
                var images = try data.images.gathering(samples: indices)
                if let augmentation {
                    var drawn = try augmentation.draw(imageShape: data.imageShape, using: &generator)
                    images = try drawn.forward(images, mode: .inference)
                }
                model.zeroGradients()
                let logp = try model.forward(images, mode: .differentiable)
                let (loss, gradient) = try NLLLoss.valueAndGradient(logProbabilities: logp, labels: labels)
                guard loss.isFinite else {
                    throw NeuralNetworkError.nonFinite("the training loss is \(loss) at epoch \(epoch), minibatch \(b)")
                }
                _ = try model.backward(gradient, targets: .parameters)
                try optimizer.step(&model)
                let hits = zip(argmaxRows(logp), labels).filter { $0 == $1 }.count
                lossSum += loss * Double(labels.count)
                correct += hits
                progress?(.batch(BatchProgress(epoch: epoch, epochs: epochs, batch: b, batches: batches, loss: loss,
                                               accuracy: Double(hits) / Double(labels.count), learningRate: rate)))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let due = (epoch + 1) % validationInterval == 0 || epoch == epochs - 1
            let evaluation = due ? try validation.map { try model.evaluate(on: $0, batchSize: batchSize) } : nil
            let summary = EpochSummary(epoch: epoch, loss: lossSum / Double(data.count),
                                       accuracy: Double(correct) / Double(data.count), learningRate: rate,
                                       seconds: seconds, imagesPerSecond: Double(data.count) / max(seconds, 1e-9),
                                       validation: evaluation)
            history.epochs.append(summary)
            progress?(.epoch(summary))
        }
        return history
    }
}

/// Fisher-Yates shuffle drawing from `generator` (the same permutation for the same
/// generator state on every platform).
func shuffleInPlace<T>(_ array: inout [T], using generator: inout some RandomNumberGenerator) {
    guard array.count > 1 else { return }
    for i in stride(from: array.count - 1, to: 0, by: -1) {
        let j = Int(generator.next(upperBound: UInt64(i + 1)))
        if i != j { array.swapAt(i, j) }
    }
}
