import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow rings`: Figure 1 of Bonet, Vauthier & Korba (2025).
enum RingsCommand {
    static let spec = CommandSpec(
        "rings",
        abstract: "Flow three Gaussian blobs onto three rings (Figure 1 of the paper).",
        discussion: "Target: 3 rings of 80 points, radius 0.3, centres (0,0), (-0.75,0), (-1.5,0). Source: 3 classes of 80 points from N((-0.3,0), 0.01^2 I). Writes DIR/loss.csv, initial.csv, final.csv, target.csv, flow.gif, final.png, loss.svg.",
        options: KernelOptions.specs + [
            .option("steps", value: "n", help: "Number of steps (>= 0).", default: "501"),
            .option("lr", value: "tau", help: "Step size (> 0).", default: "0.1"),
            .option("momentum", value: "m", help: "Heavy-ball momentum in [0, 1); 0 gives explicit Euler.", default: "0"),
            .option("seed", value: "s", help: "Seed of every random choice.", default: "0"),
            .option("out", value: "dir", help: "Output directory.", default: "runs/rings"),
        ])

    static let centres: [(Float, Float)] = [(0, 0), (-0.75, 0), (-1.5, 0)]

    static func run(_ arguments: ParsedArguments) throws {
        let kernel = try KernelOptions.kernel(arguments)
        let steps = try arguments.int("steps", min: 0)
        let learningRate = Float(try arguments.double("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)))
        let momentum = Float(try arguments.double("momentum", min: 0, lessThan: 1))
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let out = URL(fileURLWithPath: try arguments.path("out"))

        var rng = SeededGenerator(seed: seed)
        let target = try SyntheticData.rings(pointsPerRing: 80, radius: 0.3, centres: centres)
        let source = try SyntheticData.gaussianClasses(classes: 3, pointsPerClass: 80, mean: [-0.3, 0], std: 0.01, using: &rng)
        let mmd = try MMD(kernel: kernel, target: target)
        let interval = max(1, steps / 60)
        let result: FlowResult<LabeledDataset>
        if momentum > 0 {
            var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: learningRate, momentum: momentum), steps: steps, snapshotInterval: interval)
            result = try endingProgressLine { var bar = ProgressBar(); return try flow.run(from: source, observer: &bar, using: &rng) }
        } else {
            var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: learningRate), steps: steps, snapshotInterval: interval)
            result = try endingProgressLine { var bar = ProgressBar(); return try flow.run(from: source, observer: &bar, using: &rng) }
        }

        let columns = ["x", "y"]
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        try LabeledCSV.write(source, to: out.appendingPathComponent("initial.csv"), featureNames: columns)
        try LabeledCSV.write(result.state, to: out.appendingPathComponent("final.csv"), featureNames: columns)
        try LabeledCSV.write(target, to: out.appendingPathComponent("target.csv"), featureNames: columns)
        try RingsPicture.writeFinal(result.state, target: target, to: out.appendingPathComponent("final.png"))
        try RingsPicture.writeAnimation(result.snapshots, target: target, to: out.appendingPathComponent("flow.gif"))
        try writeLossPlot(result.losses, title: "wow rings: 1/2 MMD^2", to: out.appendingPathComponent("loss.svg"))

        print(String(format: "final loss %.4e after %d steps in %.2f s (%.0f steps/s)",
                     result.losses.last!, result.steps, result.seconds, Double(result.steps) / max(result.seconds, 1e-9)))
        for line in ringSummary(result.state) { print(line) }
        print("wrote \(out.path)/{loss.csv,initial.csv,final.csv,target.csv,flow.gif,final.png,loss.svg}")
    }

    /// For each flowed class: the ring centre nearest its mean, and the mean and spread
    /// (standard deviation) of its points' distances to that centre.
    static func ringSummary(_ state: LabeledDataset) -> [String] {
        state.classes.enumerated().map { c, measure in
            let mean = measure.mean
            let centre = centres.min { a, b in
                hypot(Double(a.0) - mean[0], Double(a.1) - mean[1]) < hypot(Double(b.0) - mean[0], Double(b.1) - mean[1])
            }!
            let distances = (0..<measure.count).map { i in
                hypot(Double(measure.points[i, 0] - centre.0), Double(measure.points[i, 1] - centre.1))
            }
            let average = distances.reduce(0, +) / Double(distances.count)
            let spread = (distances.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(distances.count)).squareRoot()
            return String(format: "class %d: ring at (%.2f, %.2f), mean distance to centre %.4f, spread %.4f",
                          c, centre.0, centre.1, average, spread)
        }
    }
}
