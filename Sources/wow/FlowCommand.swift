import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow flow`: flows any labeled dataset (a named data set, CSV, NPZ or NPY) toward another.
enum FlowCommand {
    enum IntegratorChoice: String, CaseIterable { case euler, momentum }
    enum Method: String, CaseIterable { case mmd, otdd, product }

    static let spec = CommandSpec(
        "flow",
        abstract: "Flow a labeled dataset toward a target dataset.",
        discussion: "Data: " + DataArguments.help + " CSV files hold one point per line: class,f1,...,fd; an optional header may name the label column anywhere (" + CSVLabelColumn.labelNamesText + ", any case); a header naming two is refused, and so is one naming none whose first column is called like a feature (x, x1, pixel0). Named image data sets are scaled to [0, 1]. Writes DIR/flowed.csv and DIR/flowed.npz (features and labels: the target's labels and class names, see --assign-labels) and DIR/loss.csv (step,loss); with --snapshot-every k, the states every k steps in DIR/snapshots/step-NNNNNN.npz and pictures of them in DIR/snapshots.png and DIR/snapshots.gif; with --classifier, a classifier's accuracy on every snapshot in DIR/accuracy.csv and DIR/accuracy.svg. "
            + "Methods: mmd = the WoW flow of 1/2 MMD^2 with a sliced kernel between classes; "
            + "otdd = the OTDD flow (Alvarez-Melis & Fusi 2021): every sample carries its class's Gaussian after PCA to --components dimensions and descends the OT cost with ground cost |x - x'|^2 + BW^2 (AdamW, Sinkhorn with epsilon 0.05 * mean cost unless --exact); "
            + "product = the product-space MMD flow (Hua et al. 2023): Gaussian product kernel exp(-|dx|^2/200) exp(-|dm|^2/100) exp(-|dSigma|^2/2000), noise injection, heavy ball on x and m, Bures-Wasserstein exponential map on Sigma. "
            + "mmd labels the flowed classes with --assign-labels; otdd and product label every flowed sample by OT between the target class Gaussians and the samples (cost BW) and clip image features to [0, 1].",
        options: [
            .option("source", value: "data", help: "Dataset to flow.", required: true),
            .option("target", value: "data", help: "Target dataset.", required: true),
            .option("source-labels", value: "file", help: "Labels (.npy) of an .npy source."),
            .option("target-labels", value: "file", help: "Labels (.npy) of an .npy target."),
            .option("per-class", value: "n", help: "Draw n source samples per class (seeded; default: all)."),
            .option("target-per-class", value: "n", help: "Draw n target samples per class (seeded; default: all)."),
            .choice("method", as: Method.self, value: "name", help: "mmd (the WoW flow), otdd or product (the baselines).", default: .mmd),
            .choice("assign-labels", as: LabelAssignmentMethod.self, value: "rule",
                    help: "mmd: how the flowed classes get the target's labels: ot (exact W2^2 between every pair of classes, then the optimal C x C assignment, as in the paper), nearest (each class takes the majority class of its points' nearest target points) or none (keep the source labels). Default: ot when source and target have the same number of classes or both have named (non-numeric) classes, none otherwise. ot solves C x K exact OT problems between whole classes (about 40 s for 400 against 6,000 images per class on two cores); nearest is faster."),
        ] + KernelOptions.specs + [
            .choice("integrator", as: IntegratorChoice.self, value: "name", help: "mmd: explicit Euler or heavy-ball momentum.", default: .euler),
            .option("steps", value: "n", help: "Number of steps (>= 0).", default: "500"),
            .option("lr", value: "tau", help: "Step size (> 0); default 0.1 (mmd), 0.001 (otdd, AdamW), 1 (product)."),
            .option("momentum", value: "m", help: "Momentum in [0, 1) for --integrator momentum and --method product.", default: "0.9"),
            .option("components", value: "k", help: "otdd, product: PCA dimensions of the Gaussian label embedding.", default: "2"),
            .option("sinkhorn", value: "eps", help: "otdd: epsilon of the entropic outer problem, relative to the mean cost.", default: "0.05"),
            .flag("exact", help: "otdd: solve the outer problem exactly (network simplex) instead of by Sinkhorn."),
            .option("noise", value: "s", help: "product: standard deviation of the injected noise (>= 0).", default: "0.01"),
            .option("target-batch", value: "k", help: "Random points per target class per step (default: all)."),
            .option("seed", value: "s", help: "Seed of every random choice.", default: "0"),
            .option("out", value: "dir", help: "Output directory.", required: true),
        ] + FlowRunning.specs + FlowRunning.recordingSpecs)

    static func run(_ arguments: ParsedArguments) throws {
        let method = try arguments.choice("method", as: Method.self)
        try refuseInapplicableOptions(arguments, method: method)
        try FlowRunning.checkRecordingOptions(arguments)
        if method != .mmd { return try runBaseline(arguments, method: method) }
        let kernel = try KernelOptions.kernel(arguments)
        let steps = try arguments.int("steps", min: 0)
        let learningRate = Float(try arguments.optionalDouble("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)) ?? 0.1)
        let momentum = Float(try arguments.double("momentum", min: 0, lessThan: 1))
        let batch = try arguments.optionalInt("target-batch", min: 1)
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let out = URL(fileURLWithPath: try arguments.path("out"))
        let perClass = try arguments.optionalInt("per-class", min: 1)
        let targetPerClass = try arguments.optionalInt("target-per-class", min: 1)
        var draw = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
        let (source, sourceShape, _) = try DataArguments.dataset(try arguments.path("source"), labels: try arguments.optionalString("source-labels"),
                                                                   perClass: perClass, using: &draw)
        let (target, targetShape, targetClassNames) = try DataArguments.dataset(try arguments.path("target"), labels: try arguments.optionalString("target-labels"),
                                                                                  perClass: targetPerClass, using: &draw)
        guard source.dimension == target.dimension else {
            throw FunctionalError.dimensionMismatch(state: source.dimension, target: target.dimension)
        }
        let chosen = try arguments.optionalChoice("assign-labels", as: LabelAssignmentMethod.self)
        let assignment = chosen ?? .defaultMethod(source: source, target: target)
        let sourceLabels = source.labels, sourceClassCount = source.classCount
        // The final output and every snapshot are labelled alike.
        let labelling = FlowedLabelling(target: target, method: assignment, featureShape: sourceShape,
                                        targetClassNames: targetClassNames)
        func labelled(_ state: LabeledDataset) throws -> (LabeledSamples, mapping: [Int]?) {
            if assignment != .none {
                print("assigning the target's labels (--assign-labels \(assignment.rawValue)): \(state.classCount) x \(target.classCount) classes")
            }
            return try labelling.samples(state)
        }
        var recorder = try FlowRunning.recorder(arguments, out: out, featureShape: sourceShape, backdrop: target.dimension == 2 ? try LabeledSamples(target, featureShape: targetShape, integerLabels: true) : nil) {
            (state: LabeledDataset) in try labelling.samples(state).samples
        }
        if recorder?.classifier != nil, assignment == .none {
            print("note: --assign-labels none: the classifier is scored against the source's labels")
        }
        let mmd = try MMD(kernel: kernel, target: target, targetBatchSize: batch)
        let plan = try FlowRunning.plan(arguments, out: out, source: source, target: target)
        let result: FlowResult<LabeledDataset>
        do {
            switch try arguments.choice("integrator", as: IntegratorChoice.self) {
            case .euler:
                var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: learningRate), steps: steps)
                flow.keepsSnapshots = false
                result = try FlowRunning.run(&flow, from: consume source, seed: seed, plan: plan, recorder: &recorder)
            case .momentum:
                var flow = Flow(functional: mmd, integrator: try Momentum(learningRate: learningRate, momentum: momentum), steps: steps)
                flow.keepsSnapshots = false
                result = try FlowRunning.run(&flow, from: consume source, seed: seed, plan: plan, recorder: &recorder)
            }
        } catch let divergence as FlowDivergence<LabeledDataset> {
            try writeFlowed(labelled(divergence.partial.state).0, to: out)
            try writeLosses(divergence.partial.losses, to: out.appendingPathComponent("loss.csv"))
            throw divergence
        }
        let (flowed, mapping) = try labelled(result.state)
        try writeFlowed(flowed, to: out)
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        print("final loss \(result.losses.last!) after \(result.steps) steps in \(String(format: "%.2f", result.seconds)) s")
        if let mapping {
            let how = assignment == .ot ? "by OT between classes" : "by nearest-neighbour vote"
            print("labelled \(how) (--assign-labels \(assignment.rawValue)): "
                  + mapping.enumerated().map { "\(sourceLabels[$0.offset]) -> \(target.labels[$0.element])" }.joined(separator: ", "))
        } else {
            let why = chosen == nil ? " (the default for \(sourceClassCount) and \(target.classCount) numbered classes)" : ""
            print("kept the source labels (--assign-labels none\(why)); --assign-labels ot or nearest gives the target's")
        }
        print("wrote \(out.path)/flowed.csv, flowed.npz, loss.csv")
        FlowRunning.report(recorder)
    }

    /// Options that only one method reads are errors with the others (an ignored option
    /// would silently run something else than asked).
    static func refuseInapplicableOptions(_ arguments: ParsedArguments, method: Method) throws {
        let readers: [String: Set<Method>] = [
            "kernel": [.mmd], "bandwidth": [.mmd], "exponent": [.mmd], "projections": [.mmd], "estimator": [.mmd],
            "integrator": [.mmd], "target-batch": [.mmd], "assign-labels": [.mmd],
            "components": [.otdd, .product], "sinkhorn": [.otdd], "exact": [.otdd], "noise": [.product], "momentum": [.mmd, .product],
        ]
        for (option, methods) in readers.sorted(by: { $0.key < $1.key }) where arguments.isGiven(option) && !methods.contains(method) {
            throw ArgumentError.invalidValue(option: "--method", value: method.rawValue,
                                             expected: methods.map(\.rawValue).sorted().joined(separator: " or ") + " when --\(option) is given")
        }
        if try method == .mmd && arguments.isGiven("momentum") && arguments.choice("integrator", as: IntegratorChoice.self) == .euler {
            throw ArgumentError.invalidValue(option: "--integrator", value: "euler", expected: "momentum when --momentum is given")
        }
        if arguments.isGiven("sinkhorn") && arguments.isGiven("exact") {
            throw ArgumentError.invalidValue(option: "--sinkhorn", value: try arguments.string("sinkhorn"), expected: "to be given without --exact")
        }
    }

    /// Writes the flowed samples as CSV and as NPZ, with the same labels.
    static func writeFlowed(_ samples: LabeledSamples, to out: URL) throws {
        try samples.writeCSV(to: out.appendingPathComponent("flowed.csv").path)
        try samples.writeNPZ(to: out.appendingPathComponent("flowed.npz").path)
    }
}

extension FlowCommand {
    /// `--method otdd|product`: embeds both datasets (PCA + class Gaussians), runs the
    /// baseline with the same `Flow` driver, labels the result by OT against the target
    /// class Gaussians and writes it like the WoW flow.
    static func runBaseline(_ arguments: ParsedArguments, method: Method) throws {
        let steps = try arguments.int("steps", min: 0)
        let components = try arguments.int("components", min: 1)
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let out = URL(fileURLWithPath: try arguments.path("out"))
        var draw = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
        let (source, sourceShape, _) = try DataArguments.dataset(try arguments.path("source"), labels: try arguments.optionalString("source-labels"),
                                                                   perClass: try arguments.optionalInt("per-class", min: 1), using: &draw)
        let (target, targetShape, targetClassNames) = try DataArguments.dataset(try arguments.path("target"), labels: try arguments.optionalString("target-labels"),
                                                                                  perClass: try arguments.optionalInt("target-per-class", min: 1), using: &draw)
        guard source.dimension == target.dimension else {
            throw FunctionalError.dimensionMismatch(state: source.dimension, target: target.dimension)
        }
        let problem = try ProductSpaceProblem(source: source, target: target, components: components)
        // Pixels are clipped to [0, 1] as in the reference; other features are left alone.
        let clipping: ClosedRange<Float>? = sourceShape.isImage ? 0...1 : nil
        let plan = try FlowRunning.plan(arguments, out: out, source: problem.source, target: problem.target)
        // The final output and every snapshot are labelled alike.
        let shape = sourceShape
        func labelled(_ state: GaussianLabeledSamples) throws -> LabeledSamples {
            try LabeledSamples(problem.labeledDataset(state, clippingTo: clipping), featureShape: shape, classNames: targetClassNames)
        }
        var recorder = try FlowRunning.recorder(arguments, out: out, featureShape: shape, backdrop: target.dimension == 2 ? try LabeledSamples(target, featureShape: targetShape, integerLabels: true) : nil, samples: labelled)
        let result: FlowResult<GaussianLabeledSamples>
        do {
            switch method {
            case .otdd:
                let learningRate = Float(try arguments.optionalDouble("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)) ?? 1e-3)
                let outer: OTDD.OuterSolver = try arguments.flag("exact")
                    ? .exact()
                    : .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost(try arguments.double("sinkhorn", greaterThan: 0)), tolerance: 1e-6))
                var flow = Flow(functional: OTDDObjective(target: problem.target, outerSolver: outer),
                                integrator: try AdamWStep<GaussianLabeledSamples>(learningRate: learningRate), steps: steps)
                result = try FlowRunning.run(&flow, from: problem.source, seed: seed, plan: plan, recorder: &recorder)
            case .product:
                let learningRate = Float(try arguments.optionalDouble("lr", greaterThan: 0, max: Double(Float.greatestFiniteMagnitude)) ?? 1)
                let momentum = Float(try arguments.double("momentum", min: 0, lessThan: 1))
                let mmd = try ProductSpaceMMD(target: problem.target, noiseLevel: try arguments.double("noise", min: 0))
                var flow = Flow(functional: mmd, integrator: try ProductSpaceMomentum(learningRate: learningRate, momentum: momentum), steps: steps)
                result = try FlowRunning.run(&flow, from: problem.source, seed: seed, plan: plan, recorder: &recorder)
            case .mmd:
                preconditionFailure("the WoW MMD flow is run by FlowCommand.run")
            }
        } catch let divergence as FlowDivergence<GaussianLabeledSamples> {
            try writeLosses(divergence.partial.losses, to: out.appendingPathComponent("loss.csv"))
            throw divergence
        }
        let flowed = try problem.labeledDataset(result.state, clippingTo: clipping)
        try writeFlowed(labelled(result.state), to: out)
        try writeLosses(result.losses, to: out.appendingPathComponent("loss.csv"))
        print("final loss \(result.losses.last!) after \(result.steps) steps in \(String(format: "%.2f", result.seconds)) s")
        print("labelled by OT to the target classes: " + zip(flowed.labels, flowed.classes).map { "\($0.0) \($0.1.count)" }.joined(separator: ", "))
        print("wrote \(out.path)/flowed.csv, flowed.npz, loss.csv")
        FlowRunning.report(recorder)
    }
}
