import ArgumentParsing

/// Kernel names as the `wow` tool would declare them.
enum KernelName: String, CaseIterable {
    case riesz, gaussian, laplace, imq
}

/// A `wow`-like command tree used throughout the tests.
enum Fixtures {
    static let rings = CommandSpec(
        "rings", abstract: "Run the rings demo.",
        discussion: "Flows a ring dataset towards a target ring.",
        options: [
            .choice("kernel", short: "k", as: KernelName.self, help: "Kernel between classes.", default: .riesz),
            .option("bandwidth", value: "h", help: "Kernel bandwidth.", default: "1.0"),
            .option("steps", short: "n", value: "n", help: "Number of steps.", default: "500"),
            .option("lr", value: "tau", help: "Step size.", default: "0.1"),
            .option("momentum", value: "m", help: "Momentum coefficient."),
            .option("seed", value: "s", help: "Random seed."),
            .option("out", short: "o", value: "dir", help: "Output directory.", default: "runs/rings"),
            .flag("verbose", short: "v", help: "Print progress."),
            .repeated("tag", help: "Label attached to the run."),
        ])

    static let flow = CommandSpec(
        "flow", abstract: "Flow a source dataset to a target dataset.",
        options: [
            .option("source", value: "file", help: "Source CSV.", required: true),
            .option("target", value: "file", help: "Target CSV.", required: true),
            .option("integrator", help: "Time stepper.", default: "euler", choices: ["euler", "momentum"]),
            .option("out", value: "dir", help: "Output directory.", required: true),
        ])

    static let data = CommandSpec(
        "data", abstract: "Manage datasets.",
        subcommands: [
            CommandSpec("list", abstract: "List known datasets."),
            CommandSpec("fetch", abstract: "Download a dataset.",
                        positionals: [PositionalSpec("name", help: "Dataset name.")]),
            CommandSpec("show", abstract: "Render a dataset.",
                        options: [
                            .option("per-class", value: "k", help: "Points per class.", default: "50"),
                            .option("out", value: "file", help: "Output image.", required: true),
                        ],
                        positionals: [PositionalSpec("name", help: "Dataset name.")]),
        ])

    static let paste = CommandSpec(
        "paste", abstract: "Concatenate files.",
        options: [.flag("force", short: "f")],
        positionals: [
            PositionalSpec("mode", help: "How to join.", choices: ["rows", "cols"]),
            PositionalSpec("files", help: "Input files.", optional: true, repeated: true),
        ])

    static let root = CommandSpec(
        "wow", abstract: "Wasserstein-over-Wasserstein gradient flows.",
        options: [.flag("quiet", short: "q", help: "Suppress output.")],
        subcommands: [rings, flow, data, paste])

    /// Parses and expects a `.run` outcome.
    static func run(_ arguments: [String]) throws -> ParsedArguments {
        switch try CommandParser(root: root).parse(arguments) {
        case let .run(parsed): return parsed
        case let .help(path): throw TestFailure("unexpected help for \(path.map(\.name))")
        }
    }

    /// Parses and returns the thrown `ArgumentError` (or fails).
    static func parseError(_ arguments: [String]) -> ArgumentError? {
        do {
            _ = try CommandParser(root: root).parse(arguments)
            return nil
        } catch {
            return error as? ArgumentError
        }
    }

    /// Parses and returns the help path's names, or nil when no help was requested.
    static func helpPath(_ arguments: [String]) throws -> [String]? {
        if case let .help(path) = try CommandParser(root: root).parse(arguments) { return path.map(\.name) }
        return nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
