import XCTest
import Foundation
import WoWCompute
@testable import NeuralNetworks

final class NetworkTests: XCTestCase {
    func randomImages(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return try! Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextUnitDouble()) })
    }

    func testPaperArchitecturesHaveTheDocumentedShapes() throws {
        var rng = SeededGenerator(seed: 1)
        let convNet = try Network(.convNet(), using: &rng)
        XCTAssertEqual(convNet.featureCount, 2048)
        XCTAssertEqual(convNet.parameterCount, 1280 + 256 + 2 * (147_584 + 256) + 20_490)
        let leNet = try Network(.leNet5, using: &rng)
        XCTAssertEqual(leNet.featureCount, 120)
        XCTAssertEqual(leNet.parameterCount, 12 + 2416 + 48_120 + 10_164 + 850)
        let cnn = try Network(.cnn, using: &rng)
        XCTAssertEqual(cnn.featureCount, 1728)
        XCTAssertEqual(cnn.parameterCount, 51 + 885_248 + 32_832 + 650)
        let x = randomImages([2, 1, 28, 28], seed: 2)
        for network in [convNet, leNet, cnn] {
            let logp = try network(x)
            XCTAssertEqual(logp.shape, [2, 10])
            for r in 0..<2 {
                XCTAssertEqual((0..<10).reduce(0.0) { $0 + exp(Double(logp[r, $1])) }, 1, accuracy: 1e-4)
            }
        }
        XCTAssertEqual(try convNet.embed(x).shape, [2, 2048])
        XCTAssertThrowsError(try convNet(randomImages([2, 1, 27, 28], seed: 3)))
        XCTAssertThrowsError(try Network(.leNet5, imageShape: [1, 20, 20], using: &rng))
        XCTAssertEqual(Architecture(name: "convnet"), .convNet(width: 128, depth: 3))
        XCTAssertEqual(Architecture(name: "LeNet5"), .leNet5)
        XCTAssertNil(Architecture(name: "resnet"))
        XCTAssertEqual(Architecture.names.compactMap(Architecture.init(name:)).map(\.name), Architecture.names)
    }

    func testInitialisationIsUniformInTheFanInBound() throws {
        var rng = SeededGenerator(seed: 4)
        let conv = try Conv2d(inChannels: 16, outChannels: 120, kernelSize: 5, using: &rng)
        let bound = 1 / Float(400).squareRoot()
        let w = conv.weight.value.storage
        XCTAssertTrue(w.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(w.max()!, bound, accuracy: bound * 0.01)
        XCTAssertEqual(w.min()!, -bound, accuracy: bound * 0.01)
        XCTAssertEqual(Double(w.reduce(0, +)) / Double(w.count), 0, accuracy: Double(bound) * 0.02)
        var again = SeededGenerator(seed: 4)
        XCTAssertEqual(try Conv2d(inChannels: 16, outChannels: 120, kernelSize: 5, using: &again).weight, conv.weight)
    }

    /// Two classes of 8 x 8 images: bright left half or bright right half, plus noise.
    func separableProblem(count: Int, seed: UInt64) throws -> LabeledImages {
        var rng = SeededGenerator(seed: seed)
        var pixels: [Float] = []
        var labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            for _ in 0..<8 { for c in 0..<8 {
                let bright = (c < 4) == (label == 0)
                pixels.append((bright ? 0.7 : 0.3) + 0.3 * Float(rng.nextStandardNormal()))
            } }
            labels.append(label)
        }
        return try LabeledImages(images: Tensor(shape: [count, 1, 8, 8], storage: pixels), labels: labels)
    }

    func tinyNet(seed: UInt64) throws -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return Sequential([
            try Conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, using: &rng),
            try GroupNorm.instanceNorm(channels: 4), ReLU(), try AvgPool2d(kernelSize: 2),
            try MaxPool2d(kernelSize: 2), Flatten(),
            try Linear(inFeatures: 16, outFeatures: 2, using: &rng), LogSoftmax(),
        ])
    }

    func testTrainingATinyNetSeparatesTwoClasses() throws {
        let train = try separableProblem(count: 200, seed: 5), test = try separableProblem(count: 100, seed: 6)
        var model = try tinyNet(seed: 7)
        var trainer = Trainer(optimizer: AdamW(learningRate: 1e-2, weightDecay: 1e-4), epochs: 4, batchSize: 20,
                              schedule: StepDecay(milestones: [3], factor: 0.5))
        var events = 0, epochSummaries: [EpochSummary] = []
        var rng = SeededGenerator(seed: 8)
        let history = try trainer.fit(&model, on: train, validation: test, progress: { event in
            events += 1
            if case .epoch(let summary) = event { epochSummaries.append(summary) }
        }, using: &rng)
        XCTAssertEqual(events, 4 * 10 + 4)
        XCTAssertEqual(history.epochs, epochSummaries)
        XCTAssertEqual(history.epochs.map(\.learningRate), [1e-2, 1e-2, 1e-2, 5e-3])
        XCTAssertEqual(trainer.optimizer.learningRate, 1e-2)
        XCTAssertLessThan(history.epochs.last!.loss, history.epochs.first!.loss)
        let evaluation = try model.evaluate(on: test, batchSize: 20)
        XCTAssertGreaterThanOrEqual(evaluation.pooledAccuracy, 0.95)
        XCTAssertEqual(evaluation.count, 100)
        XCTAssertEqual(history.epochs.last!.validation, evaluation)
        XCTAssertEqual(try model.predictions(for: test.images).count, 100)
    }

    func testTrainerFeedsTheAugmentedImagesToTheNetwork() throws {
        /// Records the minibatches a wrapped network is trained on.
        final class InputLog { var batches: [Tensor] = [] }
        struct InputSpy: Layer {
            var inner: Sequential
            let log: InputLog
            mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows { try inner.visitParameters(body) }
            mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
                let x = copy input
                if mode == .differentiable { log.batches.append(x) }
                return try inner.forward(x, mode: mode)
            }
            mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
                try inner.backward(outputGradient, targets: targets)
            }
        }
        let shape = [1, 6, 6]
        let data = try LabeledImages(images: randomImages([12] + shape, seed: 40), labels: (0..<12).map { $0 % 2 })
        let flip = Augmentation(.flip, imageShape: shape)
        let flippedData = try LabeledImages(images: try flip(data.images), labels: data.labels)
        // Flip with probability 1 or 0: the same generator draws, so the same minibatches.
        var always = AugmentationStrategy(kinds: [.flip]), never = always
        always.flipProbability = 1
        never.flipProbability = 0
        func train(_ data: LabeledImages, _ augmentation: AugmentationStrategy?) throws -> (weights: [[UInt32]], batches: [Tensor]) {
            var init0 = SeededGenerator(seed: 41)
            var model = InputSpy(inner: Sequential([Flatten(), try Linear(inFeatures: 36, outFeatures: 2, using: &init0), LogSoftmax()]),
                                 log: InputLog())
            var trainer = Trainer(optimizer: SGD(learningRate: 0.5), epochs: 2, batchSize: 4, augmentation: augmentation)
            var rng = SeededGenerator(seed: 42)
            try trainer.fit(&model, on: data, using: &rng)
            return (model.parameterValues.map { $0.storage.map(\.bitPattern) }, model.log.batches)
        }
        let flipped = try train(data, always), identity = try train(data, never), plain = try train(data, nil)
        XCTAssertEqual(flipped.batches.count, 6)
        XCTAssertEqual(identity.batches.count, 6)
        // The network saw the flipped minibatches, not the originals.
        for (seen, original) in zip(flipped.batches, identity.batches) {
            XCTAssertNotEqual(seen, original)
            XCTAssertEqual(try flip(seen), original)
        }
        XCTAssertNotEqual(flipped.weights, identity.weights)
        XCTAssertNotEqual(flipped.weights, plain.weights)
        // Flipping every minibatch is training on flipped images (bitwise).
        let preflipped = try train(flippedData, never)
        XCTAssertEqual(flipped.weights, preflipped.weights)
        XCTAssertEqual(flipped.batches, preflipped.batches)
    }

    func testEvaluationReportsPooledAndMeanBatchAccuracy() throws {
        // A fixed "model": log-probabilities from the first two pixels.
        struct FirstPixels: Layer {
            mutating func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
                let n = input.batchSize
                return try Tensor(shape: [n, 2], storage: (0..<n).flatMap { [input[$0, 0, 0, 0], input[$0, 0, 0, 1]] })
            }
            mutating func backward(_ g: Tensor, targets: GradientTargets) throws -> Tensor { g }
        }
        // 5 images, batch 2: predictions right, right | wrong, right | wrong.
        let pixels: [Float] = [1, 0, 1, 0, 0, 1, 0, 1, 1, 0]
        let data = try LabeledImages(images: Tensor(shape: [5, 1, 1, 2], storage: pixels), labels: [0, 0, 0, 1, 1])
        let e = try FirstPixels().evaluate(on: data, batchSize: 2)
        XCTAssertEqual(e.correct, 3)
        XCTAssertEqual(e.pooledAccuracy, 0.6)
        XCTAssertEqual(e.meanBatchAccuracy, (1 + 0.5 + 0) / 3, accuracy: 1e-12)
        XCTAssertThrowsError(try LabeledImages(images: Tensor(shape: [2, 1, 1, 2]), labels: [0, 3], classCount: 2))
        XCTAssertThrowsError(try LabeledImages(images: Tensor(shape: [2, 1, 1, 2], repeating: .nan), labels: [0, 1]))
    }

    func withThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = count
        return try body()
    }

    func testTrainedWeightsAreBitwiseIdenticalForOneAndTwoThreads() throws {
        var rng = SeededGenerator(seed: 9)
        var labels: [Int] = []
        for i in 0..<24 { labels.append(i % 3) }
        let data = try LabeledImages(images: randomImages([24, 1, 12, 12], seed: 10), labels: labels)
        func run(_ architecture: Architecture) throws -> [[UInt32]] {
            var init0 = SeededGenerator(seed: 11)
            var network = try Network(architecture, imageShape: [1, 12, 12], classCount: 3,
                                      normalization: .mnist, using: &init0)
            var trainer = Trainer(optimizer: AdamW.paper, epochs: 1, batchSize: 12, augmentation: .digits)
            var shuffle = SeededGenerator(seed: 12)
            try trainer.fit(&network, on: data, using: &shuffle)
            return network.parameterValues.map { $0.storage.map(\.bitPattern) }
        }
        _ = rng.next()
        let architecture = Architecture.convNet(width: 8, depth: 2)
        let one = try withThreads(1) { try run(architecture) }
        let two = try withThreads(2) { try run(architecture) }
        XCTAssertEqual(one, two)
        var init0 = SeededGenerator(seed: 11)
        let untrained = try Network(architecture, imageShape: [1, 12, 12], classCount: 3, using: &init0)
        XCTAssertNotEqual(one, untrained.parameterValues.map { $0.storage.map(\.bitPattern) })
    }

    func testPaperLeNet5StepIsBitwiseIdenticalForOneAndTwoThreads() throws {
        let data = try LabeledImages(images: randomImages([32, 1, 28, 28], seed: 13), labels: (0..<32).map { $0 % 10 })
        func run() throws -> [[UInt32]] {
            var init0 = SeededGenerator(seed: 14)
            var network = try Network(.leNet5, using: &init0)
            var trainer = Trainer(optimizer: SGD(learningRate: 0.1, momentum: 0.9), epochs: 1, batchSize: 32)
            var shuffle = SeededGenerator(seed: 15)
            try trainer.fit(&network, on: data, using: &shuffle)
            return network.parameterValues.map { $0.storage.map(\.bitPattern) }
        }
        XCTAssertEqual(try withThreads(1, run), try withThreads(2, run))
    }

    func testOutputsDoNotDependOnBatchCompositionOrThreads() throws {
        var rng = SeededGenerator(seed: 30)
        let network = try Network(.convNet(width: 8, depth: 2), imageShape: [1, 12, 12], classCount: 3,
                                  normalization: .mnist, using: &rng)
        let x = randomImages([20, 1, 12, 12], seed: 31)
        let batched = try withThreads(2) { try network(x) }
        let single = try withThreads(1) { try network(x) }
        XCTAssertEqual(batched.storage.map(\.bitPattern), single.storage.map(\.bitPattern))
        for i in [0, 7, 19] {
            let alone = try network(x.samples(i..<(i + 1)))
            XCTAssertEqual(alone.storage.map(\.bitPattern), try batched.samples(i..<(i + 1)).storage.map(\.bitPattern))
        }
        // The paper's ConvNet (width 128): layers 2-3 have depth 128 x 9 = 1152, more than one
        // of the product's depth blocks, so an image alone must still add its bias after the
        // product, as a group does.
        let paper = try Network(.convNet(width: 128, depth: 3), imageShape: [1, 28, 28], classCount: 10,
                                normalization: .mnist, using: &rng)
        let images = randomImages([4, 1, 28, 28], seed: 33)
        let together = try paper(images)
        for i in [0, 3] {
            XCTAssertEqual(try paper(images.samples(i..<(i + 1))).storage.map(\.bitPattern),
                           try together.samples(i..<(i + 1)).storage.map(\.bitPattern), "image \(i)")
        }
        // Embedding gradients of one and of several images, 1 vs 2 threads.
        let embedding = RandomEmbedding(architecture: .convNet(width: 8, depth: 2), imageShape: [1, 12, 12])
        for count in [1, 5] {
            func gradient() throws -> [UInt32] {
                var g = SeededGenerator(seed: 32)
                return try embedding.valueAndGradient(at: x.samples(0..<count), augmentation: .digits, using: &g) { f in
                    (f.sum, Tensor(shape: f.shape, repeating: 1))
                }.gradient.storage.map(\.bitPattern)
            }
            XCTAssertEqual(try withThreads(1, gradient), try withThreads(2, gradient))
        }
    }

    func testWeightFileRoundTripAndErrors() throws {
        var rng = SeededGenerator(seed: 16)
        let network = try Network(.leNet5, normalization: .fashionMNIST, using: &rng)
        let bytes = network.weightFileBytes()
        // Header 56 bytes (signature 8, version, code, width, depth, C, H, W, classes, one
        // normalisation channel: count + mean + deviation, tensor count), 10 tensor shapes
        // (3 x (20 + 8) + 2 x (12 + 8) = 124), 61,562 floats, checksum 8.
        XCTAssertEqual(bytes.count, 56 + 124 + 4 * 61_562 + 8)
        let loaded = try Network(weightFileBytes: bytes)
        XCTAssertEqual(loaded.architecture, .leNet5)
        XCTAssertEqual(loaded.normalization, .fashionMNIST)
        XCTAssertEqual(loaded.parameterValues, network.parameterValues)
        let x = randomImages([3, 1, 28, 28], seed: 17)
        XCTAssertEqual(try loaded(x), try network(x))

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(UInt32.random(in: 0...UInt32.max)).wnn")
        defer { try? FileManager.default.removeItem(at: url) }
        try network.save(to: url)
        XCTAssertEqual(try Network(contentsOf: url).parameterValues, network.parameterValues)

        func error(_ bytes: [UInt8]) -> WeightFileError? {
            do { _ = try Network(weightFileBytes: bytes); return nil } catch { return error as? WeightFileError }
        }
        XCTAssertEqual(error([]), .notAWeightFile)
        XCTAssertEqual(error(Array("not a weight file at all".utf8)), .notAWeightFile)
        XCTAssertEqual(error(Array(bytes.prefix(5))), .truncated(expected: 16, actual: 5))
        if case .truncated(let expected, let actual)? = error(Array(bytes.prefix(bytes.count - 100))) {
            XCTAssertEqual(expected, bytes.count)
            XCTAssertEqual(actual, bytes.count - 100)
        } else { XCTFail("expected truncation") }
        if case .truncated? = error(Array(bytes.prefix(30))) {} else { XCTFail("expected truncation in the header") }
        XCTAssertEqual(error(bytes + [0, 0, 0]), .trailingBytes(3))
        var damaged = bytes
        damaged[bytes.count / 2] ^= 0x40
        XCTAssertEqual(error(damaged), .checksumMismatch)
        var newer = bytes
        newer[8] = 7
        XCTAssertEqual(error(newer), .unsupportedVersion(7))
        XCTAssertThrowsError(try Network(contentsOf: url.appendingPathExtension("missing"))) { e in
            guard case WeightFileError.io = e else { return XCTFail("\(e)") }
            XCTAssertTrue("\(e)".contains("missing"))
        }
        // A file naming another architecture with LeNet5's tensors: well-formed but inconsistent.
        var relabeled = bytes
        relabeled[12] = 3
        let body = Array(relabeled.dropLast(8))
        let hash = body.withUnsafeBufferPointer { WeightFile.fnv1a($0) }
        relabeled = body + (0..<8).map { UInt8((hash >> (8 * UInt64($0))) & 0xff) }
        guard case .inconsistent? = error(relabeled) else { return XCTFail("expected inconsistency") }
        // A NaN weight with a valid checksum: refused, not evaluated to NaN losses.
        var poisoned = Array(bytes.dropLast(8))
        let nan = Float.nan.bitPattern
        for k in 0..<4 { poisoned[56 + 124 + 4 * 100 + k] = UInt8((nan >> (8 * UInt32(k))) & 0xff) }
        let poisonedHash = poisoned.withUnsafeBufferPointer { WeightFile.fnv1a($0) }
        poisoned += (0..<8).map { UInt8((poisonedHash >> (8 * UInt64($0))) & 0xff) }
        guard case .inconsistent(let message)? = error(poisoned) else { return XCTFail("expected a non-finite weight error") }
        XCTAssertTrue(message.contains("NaN"), message)
        XCTAssertTrue(WeightFileError.checksumMismatch.description.contains("checksum"))
    }

    func testClassifierTrainingRecipeIsSeededAndValidates() throws {
        // 28 x 28 digits stand-in: class 0 bright top half, class 1 bright bottom half.
        var rng = SeededGenerator(seed: 20)
        var pixels: [Float] = [], labels: [Int] = []
        for i in 0..<32 {
            let label = i % 2
            for r in 0..<28 { for _ in 0..<28 {
                pixels.append(((r < 14) == (label == 0) ? 0.8 : 0.1) + 0.05 * Float(rng.nextStandardNormal()))
            } }
            labels.append(label)
        }
        let data = try LabeledImages(images: Tensor(shape: [32, 1, 28, 28], storage: pixels), labels: labels)
        let recipe = ClassifierTraining(architecture: .cnn, epochs: 3, batchSize: 16, learningRate: 1e-3,
                                        normalization: .mnist)
        let first = try recipe.run(on: data, validation: data, seed: 5)
        let second = try recipe.run(on: data, validation: data, seed: 5)
        XCTAssertEqual(first.network.parameterValues, second.network.parameterValues)
        XCTAssertEqual(first.history.epochs.count, 3)
        XCTAssertEqual(first.evaluation, first.history.epochs.last?.validation)
        // Tested once, after the last epoch, unless asked for more.
        XCTAssertEqual(first.history.epochs.map { $0.validation != nil }, [false, false, true])
        XCTAssertGreaterThanOrEqual(first.evaluation!.pooledAccuracy, 0.9)
        var everyTwo = recipe
        everyTwo.epochs = 5
        everyTwo.validationInterval = 2
        let tested = try everyTwo.run(on: data, validation: data, seed: 5)
        XCTAssertEqual(tested.history.epochs.map { $0.validation != nil }, [false, true, false, true, true])
        // Testing more often changes nothing in the training.
        var quiet = everyTwo
        quiet.validationInterval = nil
        XCTAssertEqual(try quiet.run(on: data, validation: data, seed: 5).network.parameterValues, tested.network.parameterValues)
        quiet.validationInterval = 0
        XCTAssertThrowsError(try quiet.run(on: data, validation: data))
        XCTAssertEqual(first.network.classCount, 2)
        XCTAssertEqual(first.network.normalization, .mnist)
        let other = try recipe.run(on: data, seed: 6)
        XCTAssertNotEqual(other.network.parameterValues, first.network.parameterValues)
        XCTAssertNil(other.evaluation)
        var bad = recipe
        bad.batchSize = 0
        XCTAssertThrowsError(try bad.run(on: data))
        bad = recipe
        bad.learningRate = -1
        XCTAssertThrowsError(try bad.run(on: data))
        let small = try LabeledImages(images: Tensor(shape: [2, 1, 10, 10]), labels: [0, 1])
        XCTAssertThrowsError(try ClassifierTraining(architecture: .leNet5, epochs: 1).run(on: small))
        XCTAssertThrowsError(try recipe.run(on: data, validation: small))
    }
}
