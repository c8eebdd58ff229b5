/// Declares a positional argument of a command, e.g. `NAME` in `wow data fetch NAME`.
///
/// Positionals are filled in declaration order; only the last may be `repeated`.
/// A command that has subcommands treats its first positional token as the subcommand
/// name, so such a command should not declare positionals.
public struct PositionalSpec: Sendable, Equatable {
    /// Name used to read the value back and shown in help as `<name>`.
    public var name: String
    /// One-line description shown in the ARGUMENTS section.
    public var help: String
    /// Whether the argument may be omitted.
    public var isOptional: Bool
    /// Whether the argument collects all remaining positional tokens.
    public var isRepeated: Bool
    /// Value used when the argument is absent; shown in help.
    public var defaultValue: String?
    /// Allowed values (validated while parsing and listed in help), or `nil` for any value.
    public var choices: [String]?

    /// Creates a positional argument. Supplying a default makes it optional.
    public init(_ name: String, help: String = "", optional: Bool = false, repeated: Bool = false,
                default defaultValue: String? = nil, choices: [String]? = nil) {
        self.name = name
        self.help = help
        self.isOptional = optional || defaultValue != nil
        self.isRepeated = repeated
        self.defaultValue = defaultValue
        self.choices = choices
    }

    /// `<name>` as shown in usage lines and error messages.
    public var displayName: String { "<\(name)>" }
}
