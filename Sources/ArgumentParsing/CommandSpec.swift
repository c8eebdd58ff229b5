/// Declares a command: its options, positional arguments and nested subcommands.
///
/// ```swift
/// let data = CommandSpec("data", abstract: "Manage datasets.", subcommands: [
///     CommandSpec("list", abstract: "List datasets."),
///     CommandSpec("fetch", abstract: "Download a dataset.",
///                 positionals: [PositionalSpec("name", help: "Dataset name.")]),
/// ])
/// ```
public struct CommandSpec: Sendable, Equatable {
    /// Name typed on the command line (for the root: the executable name).
    public var name: String
    /// One-line summary shown in help and in the parent's SUBCOMMANDS section.
    public var abstract: String
    /// Longer free text shown in this command's help below the overview.
    public var discussion: String
    /// Named options accepted by this command (not inherited by subcommands).
    public var options: [OptionSpec]
    /// Positional arguments accepted by this command.
    public var positionals: [PositionalSpec]
    /// Nested subcommands, to any depth.
    public var subcommands: [CommandSpec]

    /// Creates a command specification.
    public init(_ name: String, abstract: String = "", discussion: String = "",
                options: [OptionSpec] = [], positionals: [PositionalSpec] = [],
                subcommands: [CommandSpec] = []) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.positionals = positionals
        self.subcommands = subcommands
    }

    /// The option whose long name is `long`, if declared.
    public func option(long: String) -> OptionSpec? { options.first { $0.long == long } }

    /// The option whose short name is `short`, if declared.
    public func option(short: Character) -> OptionSpec? { options.first { $0.short == short } }

    /// The direct subcommand named `name`, if declared.
    public func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }
}
