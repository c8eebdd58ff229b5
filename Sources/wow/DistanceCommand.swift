import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow distance`: a distance between two datasets (pooled point clouds or labeled
/// datasets), printed on one line.
enum DistanceCommand {
    enum Metric: String, CaseIterable { case sw, w2, bw, wow, otdd }
    enum LabelDistanceChoice: String, CaseIterable { case exact, gaussian }

    static let spec = CommandSpec(
        "distance",
        abstract: "Print a distance between two datasets.",
        discussion: "Data: " + DataArguments.help + " Metrics (every value printed is SQUARED): "
            + "sw = sliced SW_2^2 between the pooled point clouds (labels ignored; --projections directions, seeded); "
            + "w2 = exact W_2^2 between the pooled point clouds (labels ignored, uniform weights over points, like POT's emd2 with the squared Euclidean cost); "
            + "bw = Bures-Wasserstein BW^2 between the Gaussian fits (mean, maximum-likelihood covariance) of the pooled clouds; "
            + "wow = WW_2^2, the Wasserstein-over-Wasserstein distance between the labeled datasets (exact OT between classes with exact W_2^2 class costs); "
            + "otdd = OTDD^2 (Alvarez-Melis & Fusi 2020): OT between samples with ground cost |x - x'|^2 + W_2^2(label distributions); exact outer OT by default (OTDD(D, D) = 0), or --sinkhorn EPS.",
        options: [
            .option("source", value: "data", help: "First dataset.", required: true),
            .option("target", value: "data", help: "Second dataset.", required: true),
            .option("source-labels", value: "file", help: "Labels (.npy) of an .npy source."),
            .option("target-labels", value: "file", help: "Labels (.npy) of an .npy target."),
            .option("per-class", value: "n", help: "Draw n source samples per class (seeded; default: all)."),
            .option("target-per-class", value: "n", help: "Draw n target samples per class (seeded; default: all)."),
            .choice("metric", as: Metric.self, value: "name", help: "What to compute (all squared): sw, w2, bw, wow or otdd.", default: .otdd),
            .flag("exact", help: "otdd: solve the outer problem exactly (network simplex; the default)."),
            .option("sinkhorn-iterations", value: "n", help: "otdd --sinkhorn: iterations before a plan whose marginals are still off by more than 1e-6 (L1) is refused.", default: "10000"),
            .option("sinkhorn", value: "eps", help: "otdd: entropic outer problem with epsilon = eps * mean cost (the reference uses 0.05); prints the transport cost of the entropic plan."),
            .choice("label-distance", as: LabelDistanceChoice.self, value: "name",
                    help: "otdd, wow: W_2^2 between classes by exact OT, or Bures-Wasserstein between class Gaussian fits.", default: .exact),
            .option("pca", value: "k", help: "otdd, wow with --label-distance gaussian: fit the class Gaussians after PCA to k dimensions."),
            .option("projections", value: "L", help: "sw: number of random directions (> 0).", default: "500"),
            .option("seed", value: "s", help: "Seed of the per-class draws and of the sw directions.", default: "0"),
        ])

    /// The L1 marginal error below which an entropic plan counts as converged (the flows'
    /// setting; ott-jax's default is 1e-3).
    static let sinkhornTolerance = 1e-6

    static func run(_ arguments: ParsedArguments) throws {
        let metric = try arguments.choice("metric", as: Metric.self)
        let exact = try arguments.flag("exact")
        let epsilon = try arguments.optionalDouble("sinkhorn", greaterThan: 0)
        let iterations = try arguments.int("sinkhorn-iterations", min: 1)
        if arguments.isGiven("sinkhorn-iterations") && epsilon == nil {
            throw ArgumentError.invalidValue(option: "--sinkhorn-iterations", value: try arguments.string("sinkhorn-iterations"), expected: "to be given with --sinkhorn")
        }
        if exact, let epsilon {
            throw ArgumentError.invalidValue(option: "--sinkhorn", value: String(epsilon), expected: "to be given without --exact")
        }
        if metric != .otdd && (exact || epsilon != nil) {
            throw ArgumentError.invalidValue(option: "--metric", value: metric.rawValue, expected: "otdd when --exact or --sinkhorn is given")
        }
        let pca = try arguments.optionalInt("pca", min: 1)
        let labelChoice = try arguments.choice("label-distance", as: LabelDistanceChoice.self)
        if arguments.isGiven("label-distance") && metric != .otdd && metric != .wow {
            throw ArgumentError.invalidValue(option: "--metric", value: metric.rawValue, expected: "otdd or wow when --label-distance is given")
        }
        if arguments.isGiven("projections") && metric != .sw {
            throw ArgumentError.invalidValue(option: "--metric", value: metric.rawValue, expected: "sw when --projections is given")
        }
        if pca != nil && labelChoice != .gaussian {
            throw ArgumentError.invalidValue(option: "--label-distance", value: labelChoice.rawValue, expected: "gaussian when --pca is given")
        }
        let labelDistance: LabelDistance = labelChoice == .exact ? .exact : .gaussian(components: pca)
        let projections = try arguments.int("projections", min: 1)
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        var draw = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
        let (source, _, _) = try DataArguments.dataset(try arguments.path("source"), labels: try arguments.optionalString("source-labels"),
                                                    perClass: try arguments.optionalInt("per-class", min: 1), using: &draw)
        let (target, _, _) = try DataArguments.dataset(try arguments.path("target"), labels: try arguments.optionalString("target-labels"),
                                                    perClass: try arguments.optionalInt("target-per-class", min: 1), using: &draw)
        guard source.dimension == target.dimension else {
            throw DatasetDistanceError.dimensionMismatch(source: source.dimension, target: target.dimension)
        }
        let value: Double
        switch metric {
        case .sw:
            var rng = SeededGenerator(seed: seed)
            value = try SlicedWasserstein.squared(pooled(source), pooled(target), slicing: Slicing(projections: projections), using: &rng)
        case .w2:
            value = try ExactWasserstein.squaredDistance(pooled(source), pooled(target))
        case .bw:
            value = try BuresWasserstein.squaredDistance(GaussianSummary(fitting: pooled(source)), GaussianSummary(fitting: pooled(target)))
        case .wow:
            value = try WoWDistance(labelDistance: labelDistance).evaluate(source, target).squaredDistance
        case .otdd:
            let outer: OTDD.OuterSolver = try epsilon.map { .sinkhorn(try Sinkhorn(epsilon: .relativeToMeanCost($0), tolerance: Self.sinkhornTolerance, maxIterations: iterations)) } ?? .exact()
            let output = try OTDD(labelDistance: labelDistance, outerSolver: outer).evaluate(source, target)
            // A plan off its marginals can cost less than the optimum: no value at all
            // rather than a wrong one.
            guard output.converged else {
                throw OptimalTransportError.numericalFailure(
                    "Sinkhorn stopped after \(output.sinkhornIterations ?? 0) iterations with its marginals not yet met, so its cost is not an OTDD value (it can fall below the exact optimum); raise --sinkhorn-iterations, use a larger --sinkhorn epsilon, or --exact")
            }
            value = output.squaredDistance
        }
        // Finite input whose projections or costs overflow Float/Double: no `inf` printed
        // as if it were a distance.
        guard value.isFinite else {
            throw DatasetDistanceError.invalidParameter("the \(metric.rawValue) value is not finite: the data's coordinates are too large for Float arithmetic (near 1e38?); rescale the data")
        }
        print(value)
    }

    /// All points of `dataset`, uniformly weighted (labels ignored).
    static func pooled(_ dataset: LabeledDataset) throws -> EmpiricalMeasure {
        var storage = [Float]()
        storage.reserveCapacity(dataset.pointCount * dataset.dimension)
        for measure in dataset.classes { storage.append(contentsOf: measure.points.storage) }
        return try EmpiricalMeasure(points: Matrix(rows: dataset.pointCount, columns: dataset.dimension, storage: storage))
    }
}
