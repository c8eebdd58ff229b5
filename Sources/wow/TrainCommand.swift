import ArgumentParsing
import Foundation
import WassersteinFlows

/// Networks selectable on the command line.
enum ArchitectureChoice: String, CaseIterable {
    case convnet, lenet5, cnn

    var architecture: Architecture {
        switch self {
        case .convnet: return .convNet()
        case .lenet5: return .leNet5
        case .cnn: return .cnn
        }
    }
}

/// Input normalisations selectable on the command line.
enum NormalizationChoice: String, CaseIterable {
    case auto, none, mnist, fashion = "fashion-mnist"
}

/// `wow train` and `wow eval`: the evaluation classifiers of the paper's image experiments.
enum TrainCommand {
    static let dataOptions: [OptionSpec] = [
        .option("image-shape", value: "CxHxW", help: "Read vector data as images of this shape (e.g. 1x28x28 for flowed CSV/NPZ)."),
        .choice("normalize", as: NormalizationChoice.self, value: "name",
                help: "Input normalisation stored in the network: auto (the named training set's customary one, else none), none, mnist (.1307/.3081), fashion-mnist (.2861/.3530).",
                default: .auto),
    ]

    static let spec = CommandSpec(
        "train",
        abstract: "Train a classifier (ConvNet, LeNet5 or CNN) and print its test accuracy.",
        discussion: "Data: " + DataArguments.help + " Images are scaled to [0, 1]. AdamW (weight decay 1e-4), batches shuffled with the seed; the same seed gives the same weights for any thread count.",
        options: [
            .choice("arch", as: ArchitectureChoice.self, value: "name", help: "Network.", required: true),
            .option("train", value: "data", help: "Training data.", required: true),
            .option("test", value: "data", help: "Test data.", required: true),
            .option("train-labels", value: "file", help: "Labels (.npy) of .npy training data."),
            .option("test-labels", value: "file", help: "Labels (.npy) of .npy test data."),
            .option("epochs", value: "e", help: "Passes over the training data (>= 1).", default: "10"),
            .option("eval-every", value: "k", help: "Also test after every k epochs (default: test once, after the last epoch; training loss and accuracy are printed every epoch)."),
            .option("batch", value: "b", help: "Minibatch size (>= 1).", default: "64"),
            .option("lr", value: "rate", help: "AdamW learning rate (> 0).", default: "3e-4"),
            .option("seed", value: "s", help: "Seed of the initial weights, shuffles and augmentations.", default: "0"),
            .option("save", value: "file", help: "Write the trained weights here."),
        ] + dataOptions)

    static let evalSpec = CommandSpec(
        "eval",
        abstract: "Evaluate saved classifier weights on labeled data.",
        discussion: "Data: " + DataArguments.help,
        options: [
            .choice("arch", as: ArchitectureChoice.self, value: "name", help: "Network the weights belong to.", required: true),
            .option("weights", value: "file", help: "Weights written by `wow train --save`.", required: true),
            .option("data", value: "data", help: "Labeled data to classify.", required: true),
            .option("labels", value: "file", help: "Labels (.npy) of .npy data."),
            .option("image-shape", value: "CxHxW", help: "Read vector data as images of this shape."),
        ])

    static func run(_ arguments: ParsedArguments) throws {
        let arch = try arguments.choice("arch", as: ArchitectureChoice.self)
        let epochs = try arguments.int("epochs", min: 1)
        let batch = try arguments.int("batch", min: 1)
        let rate = Float(try arguments.double("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)))
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let shape = try imageShape(arguments)
        let trainReference = try arguments.path("train")
        let train = try images(trainReference, labels: try arguments.optionalString("train-labels"), shape: shape)
        let test = try images(try arguments.path("test"), labels: try arguments.optionalString("test-labels"), shape: shape)
        let normalization = try self.normalization(try arguments.choice("normalize", as: NormalizationChoice.self),
                                                   reference: trainReference, channels: train.imageShape[0])
        let recipe = ClassifierTraining(architecture: arch.architecture, epochs: epochs, batchSize: batch,
                                        learningRate: rate, normalization: normalization,
                                        validationInterval: try arguments.optionalInt("eval-every", min: 1))
        print("training \(arch.rawValue) on \(train.count) images \(train.imageShape) (\(train.classCount) classes), testing on \(test.count)")
        let result = try recipe.run(on: train, validation: test, seed: seed) { event in
            if case let .epoch(summary) = event {
                var line = "epoch \(summary.epoch + 1)/\(epochs): " + String(format: "loss %.4f, train accuracy %.2f%%, %.0f images/s",
                                  summary.loss, 100 * summary.accuracy, summary.imagesPerSecond)
                if let v = summary.validation { line += String(format: ", test accuracy %.2f%%", 100 * v.pooledAccuracy) }
                print(line)
            }
        }
        if let evaluation = result.evaluation { printEvaluation(evaluation) }
        if let path = try arguments.optionalString("save") {
            try result.network.save(to: URL(fileURLWithPath: path))
            print("wrote \(path)")
        }
    }

    static func evaluate(_ arguments: ParsedArguments) throws {
        let arch = try arguments.choice("arch", as: ArchitectureChoice.self)
        let path = try arguments.path("weights")
        let network = try Network(contentsOf: URL(fileURLWithPath: path))
        guard network.architecture.name == arch.rawValue else {
            throw DatasetError.invalidArgument("\(path) holds \(network.architecture.name) weights, not \(arch.rawValue)")
        }
        let data = try images(try arguments.path("data"), labels: try arguments.optionalString("labels"), shape: try imageShape(arguments))
        printEvaluation(try network.evaluate(on: data))
    }

    static func printEvaluation(_ evaluation: Evaluation) {
        print(String(format: "test accuracy %.2f%% (%d of %d; mean of per-batch accuracies %.2f%%), mean loss %.4f",
                     100 * evaluation.pooledAccuracy, evaluation.correct, evaluation.count,
                     100 * evaluation.meanBatchAccuracy, evaluation.meanLoss))
    }

    /// Parses `--image-shape CxHxW`.
    static func imageShape(_ arguments: ParsedArguments) throws -> FeatureShape? {
        guard let text = try arguments.optionalString("image-shape") else { return nil }
        let parts = text.split(separator: "x").map { Int($0) }
        guard parts.count == 3, let c = parts[0], let h = parts[1], let w = parts[2], c > 0, h > 0, w > 0 else {
            throw ArgumentError.invalidValue(option: "image-shape", value: text, expected: "CxHxW with positive integers, e.g. 1x28x28")
        }
        let shape = FeatureShape.image(channels: c, height: h, width: w)
        do { try shape.validate() } catch {
            throw ArgumentError.invalidValue(option: "image-shape", value: text, expected: "at most \(Int32.max) values per image")
        }
        return shape
    }

    /// Loads labeled images (scaled to [0, 1] when their range is known).
    static func images(_ reference: String, labels: String?, shape: FeatureShape?) throws -> LabeledImages {
        var samples = try DataArguments.samples(reference, labels: labels)
        if let shape, shape != samples.featureShape {
            guard shape.count == samples.dimension else {
                throw DatasetError.shapeMismatch("\(reference) has \(samples.dimension) features per sample; \(shape) needs \(shape.count)")
            }
            samples = try LabeledSamples(features: samples.features, labels: samples.labels, featureShape: shape,
                                         classNames: samples.classNames, valueRange: samples.valueRange)
        }
        guard case let .image(c, h, w) = samples.featureShape else {
            throw DatasetError.shapeMismatch("\(reference) holds vectors of \(samples.dimension) values, not images; give --image-shape CxHxW")
        }
        return try LabeledImages(images: try Tensor(images: samples.features, channels: c, height: h, width: w),
                                 labels: samples.labels, classCount: samples.classCount)
    }

    static func normalization(_ choice: NormalizationChoice, reference: String, channels: Int) throws -> ChannelNormalization? {
        switch choice {
        case .none: return nil
        case .mnist: return .mnist
        case .fashion: return .fashionMNIST
        case .auto:
            let registry = DatasetRegistry.standard
            guard registry.isKnownName(reference),
                  let dataset = try? registry.dataset(named: DatasetRegistry.parseReference(reference).name),
                  let n = dataset.info.normalization, n.mean.count == channels || n.mean.count == 1 else { return nil }
            return try ChannelNormalization(mean: n.mean, standardDeviation: n.std)
        }
    }
}
