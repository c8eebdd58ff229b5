/// Accuracy and loss of a classifier on a labeled set.
///
/// Two accuracies are reported: the pooled one (correct / total) and the mean of the
/// per-batch accuracies (what the reference code prints; it weights the last, smaller
/// batch like a full one). Batches are taken in order.
public struct Evaluation: Sendable, Equatable {
    /// Number of images.
    public let count: Int
    /// Number classified correctly.
    public let correct: Int
    /// Batch size of the per-batch accuracies.
    public let batchSize: Int
    /// Mean of the per-batch accuracies.
    public let meanBatchAccuracy: Double
    /// Mean negative log-likelihood per image.
    public let meanLoss: Double

    /// `correct / count`.
    public var pooledAccuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
}

/// Index of the largest value of each row of `(N, K)` scores (first on ties).
func argmaxRows(_ scores: Tensor) -> [Int] {
    let k = scores.shape[1]
    return scores.withUnsafeBufferPointer { buffer in
        (0..<scores.batchSize).map { r in
            var best = 0
            for j in 1..<k where buffer[r * k + j] > buffer[r * k + best] { best = j }
            return best
        }
    }
}

extension Layer {
    /// Class scores (log-probabilities for the module's networks) for every image,
    /// computed in blocks of `blockSize` images without recording anything.
    ///
    /// - Throws: errors of `forward`; `.nonFinite` for NaN inputs.
    public func scores(for images: Tensor, blockSize: Int = 256) throws -> Tensor {
        guard images.isFinite else { throw NeuralNetworkError.nonFinite("images contain NaN or infinite values") }
        guard blockSize > 0 else { throw NeuralNetworkError.invalidArgument("block size must be positive") }
        var model = self
        var parts: [Tensor] = []
        var start = 0
        while start < images.batchSize {
            let end = min(images.batchSize, start + blockSize)
            parts.append(try model.forward(images.samples(start..<end), mode: .inference))
            start = end
        }
        return try Tensor.concatenating(parts)
    }

    /// The predicted class of every image (argmax of the scores).
    public func predictions(for images: Tensor, blockSize: Int = 256) throws -> [Int] {
        let s = try scores(for: images, blockSize: blockSize)
        guard s.rank == 2, s.shape[1] > 0 else {
            throw NeuralNetworkError.shapeMismatch("a classifier must output (N, K) scores, got \(s.shape)")
        }
        return argmaxRows(s)
    }

    /// Accuracy and mean loss on `data`, the model's output taken as log-probabilities.
    ///
    /// Per-sample outputs do not depend on how images are grouped, so the forward passes
    /// run in large blocks while accuracies are tallied per `batchSize` images.
    /// - Throws: `.invalidArgument` for a non-positive batch size or an empty set, errors
    ///   of `forward`.
    public func evaluate(on data: LabeledImages, batchSize: Int = 64) throws -> Evaluation {
        guard batchSize > 0, data.count > 0 else {
            throw NeuralNetworkError.invalidArgument("evaluation needs a positive batch size and at least one image")
        }
        let block = batchSize * max(1, (256 + batchSize - 1) / batchSize)
        let logp = try scores(for: data.images, blockSize: block)
        guard logp.rank == 2, logp.shape[1] >= data.classCount else {
            throw NeuralNetworkError.shapeMismatch("the model outputs \(logp.shape), the data has \(data.classCount) classes")
        }
        let predicted = argmaxRows(logp)
        let k = logp.shape[1]
        var correct = 0, batchAccuracies = 0.0, batches = 0, loss = 0.0
        var start = 0
        while start < data.count {
            let end = min(data.count, start + batchSize)
            var hits = 0
            for i in start..<end {
                if predicted[i] == data.labels[i] { hits += 1 }
                loss -= Double(logp[flat: i * k + data.labels[i]])
            }
            correct += hits
            batchAccuracies += Double(hits) / Double(end - start)
            batches += 1
            start = end
        }
        return Evaluation(count: data.count, correct: correct, batchSize: batchSize,
                          meanBatchAccuracy: batchAccuracies / Double(batches), meanLoss: loss / Double(data.count))
    }
}
