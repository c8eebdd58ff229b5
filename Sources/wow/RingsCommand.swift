import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow rings`: Figure 1 of Bonet, Vauthier & Korba (2025).
enum RingsCommand {
    static let spec = CommandSpec(
        "rings",
        abstract: "Flow three Gaussian blobs onto three rings (Figure 1 of the paper).",
        discussion: "Target: 3 rings of 80 points, radius 0.3, centres (0,0), (-0.75,0), (-1.5,0). Source: 3 classes of 80 points from N((-0.3,0), 0.01^2 I). Writes DIR/loss.csv, initial.csv, final.csv, target.csv, flow.gif, final.png, loss.svg; every flowed class is drawn in the colour of the ring it landed on. "
            + "Prints, per class, the nearest target ring, the mean distance of the class's points to that ring (the circle), their mean distance to its centre and its spread, and how far the class's mean lies from the centre. "
            + "A class is on its ring when both the mean distance to the ring and the distance from its mean to the centre are at most 15% of the radius (0.045); the check also needs every class on a ring of its own.",
        options: KernelOptions.specs + [
            .option("steps", value: "n", help: "Number of steps (>= 0).", default: "501"),
            .option("lr", value: "tau", help: "Step size (> 0).", default: "0.1"),
            .option("momentum", value: "m", help: "Heavy-ball momentum in [0, 1); 0 gives explicit Euler.", default: "0"),
            .option("seed", value: "s", help: "Seed of every random choice.", default: "0"),
            .option("out", value: "dir", help: "Output directory.", default: "runs/rings"),
            .flag("check", help: "Exit with an error (status 1) when a class is not on a ring of its own (see above)."),
        ])

    static let centres: [(Float, Float)] = [(0, 0), (-0.75, 0), (-1.5, 0)]
    static let radius: Float = 0.3
    static var rings: [Ring] { centres.map { Ring(centreX: Double($0.0), centreY: Double($0.1), radius: Double(radius)) } }

    static func run(_ arguments: ParsedArguments) throws {
        let kernel = try KernelOptions.kernel(arguments)
        let steps = try arguments.int("steps", min: 0)
        let learningRate = Float(try arguments.double("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)))
        let momentum = Float(try arguments.double("momentum", min: 0, lessThan: 1))
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let out = URL(fileURLWithPath: try arguments.path("out"))

        var rng = SeededGenerator(seed: seed)
        let target = try SyntheticData.rings(pointsPerRing: 80, radius: radius, centres: centres)
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

        let fit = try RingFit(result.state, rings: rings)
        let colours = fit.classes.map(\.ring)  // a flowed class in the colour of its ring
        let columns = ["x", "y"]
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        try LabeledCSV.write(source, to: out.appendingPathComponent("initial.csv"), featureNames: columns)
        try LabeledCSV.write(result.state, to: out.appendingPathComponent("final.csv"), featureNames: columns)
        try LabeledCSV.write(target, to: out.appendingPathComponent("target.csv"), featureNames: columns)
        try RingsPicture.writeFinal(result.state, target: target, colours: colours, to: out.appendingPathComponent("final.png"))
        try RingsPicture.writeAnimation(result.snapshots, target: target, colours: colours, to: out.appendingPathComponent("flow.gif"))
        try writeLossPlot(result.losses, title: "wow rings: 1/2 MMD^2", to: out.appendingPathComponent("loss.svg"))

        print(String(format: "final loss %.4e after %d steps in %.2f s (%.0f steps/s)",
                     result.losses.last!, result.steps, result.seconds, Double(result.steps) / max(result.seconds, 1e-9)))
        let checking = try arguments.flag("check")
        for line in summary(fit, checking: checking) { print(line) }
        print("wrote \(out.path)/{loss.csv,initial.csv,final.csv,target.csv,flow.gif,final.png,loss.svg}")
        if checking { try fit.check() }
    }

    /// One line per flowed class (its ring, the distances of `RingFit`), then the check's
    /// verdict (its reasons are the error's message under `--check`).
    static func summary(_ fit: RingFit, checking: Bool) -> [String] {
        var lines = fit.classes.enumerated().map { c, f in
            let ring = fit.rings[f.ring]
            return String(format: "class %d: ring %d at (%.2f, %.2f) radius %.2f: mean distance to ring %.4f (%.1f%% of the radius), "
                          + "mean distance to centre %.4f, spread %.4f, class mean %.4f from the centre (%.1f%%): ",
                          c, f.ring, ring.centreX, ring.centreY, ring.radius, f.meanDistanceToRing, 100 * f.meanDistanceToRing / ring.radius,
                          f.meanDistanceToCentre, f.spread, f.centreOffset, 100 * f.centreOffset / ring.radius)
                + (f.isOnRing ? "on the ring" : "NOT on the ring")
        }
        let problems = fit.problems
        lines.append(problems.isEmpty
            ? String(format: "check passed: every class on a ring of its own (within %g%% of the radius)", fit.tolerance * 100)
            : checking ? "check failed" : "check failed: " + problems.joined(separator: "; ") + " (--check makes this an error)")
        return lines
    }
}
