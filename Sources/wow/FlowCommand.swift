import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow flow`: flows any labeled dataset given as CSV toward another.
enum FlowCommand {
    enum IntegratorChoice: String, CaseIterable { case euler, momentum }

    static let spec = CommandSpec(
        "flow",
        abstract: "Flow a labeled dataset (CSV) toward a target dataset (CSV).",
        discussion: "CSV files hold one point per line: class,f1,...,fd (a header line is optional). Writes DIR/flowed.csv (same classes as the source) and DIR/loss.csv (step,loss).",
        options: [
            .option("source", value: "file", help: "Dataset to flow (CSV).", required: true),
            .option("target", value: "file", help: "Target dataset (CSV).", required: true),
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
        let source = try LabeledCSV.read(contentsOf: URL(fileURLWithPath: try arguments.string("source")))
        let target = try LabeledCSV.read(contentsOf: URL(fileURLWithPath: try arguments.string("target")))
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
            try LabeledCSV.write(divergence.partial.state, to: out.appendingPathComponent("flowed.csv"))
            try writeLosses(divergence.partial.losses, to: out.appendingPathComponent("loss.csv"))
            throw divergence
        }
        try LabeledCSV.write(result.state, to: out.appendingPathComponent("flowed.csv"))
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        print("final loss \(result.losses.last!) after \(result.steps) steps in \(String(format: "%.2f", result.seconds)) s")
        print("wrote \(out.path)/flowed.csv, loss.csv")
    }
}
