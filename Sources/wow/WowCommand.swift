import ArgumentParsing
import Foundation
import WassersteinFlows

enum WowCommand {
    static let spec = CommandSpec(
        "wow",
        abstract: "Wasserstein-over-Wasserstein gradient flows of labeled datasets.",
        discussion: "Flows a labeled dataset (a distribution over its classes) toward a target by minimising 1/2 MMD^2 with a kernel between classes built on sliced-Wasserstein distances. See README.md. `wow --version` prints the version.",
        subcommands: [RingsCommand.spec, FlowCommand.spec, DistanceCommand.spec, DataCommand.spec,
                      TrainCommand.spec, TrainCommand.evalSpec])
}

/// Kernels selectable on the command line.
enum KernelChoice: String, CaseIterable {
    case riesz, gaussian, laplace, imq
}

/// One-dimensional estimators selectable on the command line.
enum EstimatorChoice: String, CaseIterable {
    case exact, reference
}

/// The kernel options shared by `rings` and `flow`.
enum KernelOptions {
    static let specs: [OptionSpec] = [
        .choice("kernel", as: KernelChoice.self, value: "name",
                help: "Kernel between classes: riesz -SW_2^r, gaussian exp(-SW_2^2/(2h)), laplace exp(-SW_1/h), imq 1/sqrt(h+SW_2^2).",
                default: .riesz),
        .option("bandwidth", value: "h", help: "Bandwidth h of the gaussian, laplace and imq kernels (> 0).", default: "0.1"),
        .option("exponent", value: "r", help: "Exponent r of the riesz kernel, in (0, 2).", default: "1"),
        .option("projections", value: "L", help: "Slicing directions per step (> 0).", default: "500"),
        .choice("estimator", as: EstimatorChoice.self, value: "name",
                help: "1-D distances: exact (sorting) or reference (the paper code's approximate percentile estimator).",
                default: .exact),
    ]

    static func kernel(_ arguments: ParsedArguments) throws -> AnyMeasureKernel {
        let projections = try arguments.int("projections", min: 1)
        let estimator: SliceEstimator = try arguments.choice("estimator", as: EstimatorChoice.self) == .exact ? .exact : .referencePercentiles()
        let slicing = Slicing(projections: projections, estimator: estimator)
        switch try arguments.choice("kernel", as: KernelChoice.self) {
        case .riesz:
            return AnyMeasureKernel(try RieszSW(exponent: arguments.double("exponent", greaterThan: 0, lessThan: 2), slicing: slicing))
        case .gaussian:
            return AnyMeasureKernel(try GaussianSW(bandwidth: arguments.double("bandwidth", greaterThan: 0), slicing: slicing))
        case .laplace:
            return AnyMeasureKernel(try LaplaceSW(bandwidth: arguments.double("bandwidth", greaterThan: 0), slicing: slicing))
        case .imq:
            return AnyMeasureKernel(try IMQSW(bandwidth: arguments.double("bandwidth", greaterThan: 0), slicing: slicing))
        }
    }
}

/// Writes `step,loss` rows.
func writeLosses(_ losses: [Double], to url: URL) throws {
    var text = "step,loss\n"
    for (step, loss) in losses.enumerated() { text += "\(step),\(loss)\n" }
    try LabeledCSV.writeText(text, to: url)
}

/// Writes an SVG plot of the loss (log scale when every value is positive).
func writeLossPlot(_ losses: [Double], title: String, to url: URL) throws {
    var plot = SVGLinePlot(title: title, xLabel: "step", yLabel: "loss", logY: losses.allSatisfy { $0 > 0 })
    try plot.addSeries(name: "1/2 MMD^2", y: losses)
    try plot.write(to: url)
}
