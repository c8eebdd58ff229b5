import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow flow`: flows any labeled dataset (a named data set, CSV, NPZ or NPY) toward another.
enum FlowCommand {
    enum IntegratorChoice: String, CaseIterable { case euler, momentum }

    static let spec = CommandSpec(
        "flow",
        abstract: "Flow a labeled dataset toward a target dataset.",
        discussion: "Data: " + DataArguments.help + " CSV files hold one point per line: class,f1,...,fd (a header line is optional). Named image data sets are scaled to [0, 1]. Writes DIR/flowed.csv and DIR/flowed.npz (features, labels; same classes as the source) and DIR/loss.csv (step,loss).",
        options: [
            .option("source", value: "data", help: "Dataset to flow.", required: true),
            .option("target", value: "data", help: "Target dataset.", required: true),
            .option("source-labels", value: "file", help: "Labels (.npy) of an .npy source."),
            .option("target-labels", value: "file", help: "Labels (.npy) of an .npy target."),
            .option("per-class", value: "n", help: "Draw n source samples per class (seeded; default: all)."),
            .option("target-per-class", value: "n", help: "Draw n target samples per class (seeded; default: all)."),
        ] + KernelOptions.specs + [
            .choice("integrator", as: IntegratorChoice.self, value: "name", help: "Explicit Euler or heavy-ball momentum.", default: .euler),
            .option("steps", value: "n", help: "Number of steps (>= 0).", default: "500"),
            .option("lr", value: "tau", help: "Step size (> 0).", default: "0.1"),
            .option("momentum", value: "m", help: "Momentum in [0, 1) for --integrator momentum.", default: "0.9"),
            .option("target-batch", value: "k", help: "Random points per target class per step (default: all)."),
            .option("seed", value: "s", help: "Seed of every random choice.", default: "0"),
            .option("out", value: "dir", help: "Output directory.", required: true),
        ])

    static func run(_ arguments: ParsedArguments) throws {
        let kernel = try KernelOptions.kernel(arguments)
        let steps = try arguments.int("steps", min: 0)
        let learningRate = Float(try arguments.double("lr", greaterThan: 0))
        let momentum = Float(try arguments.double("momentum", min: 0, lessThan: 1))
        let batch = try arguments.optionalInt("target-batch", min: 1)
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let out = URL(fileURLWithPath: try arguments.string("out"))
        let perClass = try arguments.optionalInt("per-class", min: 1)
        let targetPerClass = try arguments.optionalInt("target-per-class", min: 1)
        var draw = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
        let (source, sourceSamples) = try DataArguments.dataset(try arguments.string("source"), labels: try arguments.optionalString("source-labels"),
                                                                perClass: perClass, using: &draw)
        let (target, _) = try DataArguments.dataset(try arguments.string("target"), labels: try arguments.optionalString("target-labels"),
                                                    perClass: targetPerClass, using: &draw)
        guard source.dimension == target.dimension else {
            throw FunctionalError.dimensionMismatch(state: source.dimension, target: target.dimension)
        }
        let mmd = try MMD(kernel: kernel, target: target, targetBatchSize: batch)
        var rng = SeededGenerator(seed: seed)
        let result: FlowResult<LabeledDataset>
        do {
            switch try arguments.choice("integrator", as: IntegratorChoice.self) {
            case .euler:
                var flow = Flow(functional: mmd, integrator: ExplicitEuler(learningRate: learningRate), steps: steps)
                result = try flow.run(from: source, observer: ProgressBar(), using: &rng)
            case .momentum:
                var flow = Flow(functional: mmd, integrator: Momentum(learningRate: learningRate, momentum: momentum), steps: steps)
                result = try flow.run(from: source, observer: ProgressBar(), using: &rng)
            }
        } catch let divergence as FlowDivergence<LabeledDataset> {
            try writeFlowed(divergence.partial.state, shape: sourceSamples.featureShape, to: out)
            try writeLosses(divergence.partial.losses, to: out.appendingPathComponent("loss.csv"))
            throw divergence
        }
        try writeFlowed(result.state, shape: sourceSamples.featureShape, to: out)
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        print("final loss \(result.losses.last!) after \(result.steps) steps in \(String(format: "%.2f", result.seconds)) s")
        print("wrote \(out.path)/flowed.csv, flowed.npz, loss.csv")
    }

    /// Writes the flowed dataset as CSV and as NPZ (features with the source's sample shape).
    static func writeFlowed(_ state: LabeledDataset, shape: FeatureShape, to out: URL) throws {
        try LabeledCSV.write(state, to: out.appendingPathComponent("flowed.csv"))
        try LabeledSamples(state, featureShape: shape).writeNPZ(to: out.appendingPathComponent("flowed.npz").path)
    }
}
