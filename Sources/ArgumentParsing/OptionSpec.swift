/// Declares one named option of a command: `--long value`, `--long=value`, `-s value`,
/// or a bare flag `--long`.
///
/// ```swift
/// OptionSpec.option("steps", value: "n", help: "Number of steps.", default: "500")
/// OptionSpec.choice("kernel", short: "k", as: KernelName.self, help: "Kernel.", default: .riesz)
/// OptionSpec.flag("verbose", short: "v", help: "Print progress.")
/// ```
///
/// `--help` and `-h` are reserved by the parser; do not declare them.
public struct OptionSpec: Sendable, Equatable {
    /// How many values an option takes.
    public enum Kind: Sendable, Equatable {
        /// A Boolean switch that takes no value; at most once.
        case flag
        /// Exactly one value; giving the option twice is an error.
        case single
        /// One value per occurrence; may be given any number of times.
        case repeated
    }

    /// Long name without the leading dashes, e.g. `"steps"` for `--steps`.
    public var long: String
    /// Optional one-character short name, e.g. `"s"` for `-s`.
    public var short: Character?
    /// Placeholder shown in help, e.g. `"n"` renders as `<n>`.
    public var valueName: String
    /// One-line description shown in the OPTIONS section.
    public var help: String
    /// Value used when the option is absent; shown in help as `default: ...`.
    public var defaultValue: String?
    /// Flag, single value or repeated.
    public var kind: Kind
    /// Allowed values (validated while parsing and listed in help), or `nil` for any value.
    public var choices: [String]?
    /// Whether parsing fails when the option is absent. Ignored for flags.
    public var isRequired: Bool

    /// Creates an option; prefer the static constructors `flag`, `option`, `repeated`, `choice`.
    public init(_ long: String, short: Character? = nil, value: String? = nil, help: String = "",
                default defaultValue: String? = nil, kind: Kind = .single,
                choices: [String]? = nil, required: Bool = false) {
        self.long = long
        self.short = short
        self.valueName = value ?? long
        self.help = help
        self.defaultValue = kind == .flag ? nil : defaultValue
        self.kind = kind
        self.choices = choices
        self.isRequired = kind == .flag ? false : required
    }

    /// A Boolean flag such as `--verbose`.
    public static func flag(_ long: String, short: Character? = nil, help: String = "") -> OptionSpec {
        OptionSpec(long, short: short, help: help, kind: .flag)
    }

    /// An option taking one value, optionally restricted to `choices`.
    public static func option(_ long: String, short: Character? = nil, value: String? = nil,
                              help: String = "", default defaultValue: String? = nil,
                              choices: [String]? = nil, required: Bool = false) -> OptionSpec {
        OptionSpec(long, short: short, value: value, help: help, default: defaultValue,
                   kind: .single, choices: choices, required: required)
    }

    /// An option that may be given several times; read it with `ParsedArguments.strings(_:)`.
    public static func repeated(_ long: String, short: Character? = nil, value: String? = nil,
                                help: String = "", choices: [String]? = nil,
                                required: Bool = false) -> OptionSpec {
        OptionSpec(long, short: short, value: value, help: help, kind: .repeated,
                   choices: choices, required: required)
    }

    /// A single-value option whose allowed values are the raw values of `E.allCases`.
    public static func choice<E: RawRepresentable & CaseIterable>(
        _ long: String, short: Character? = nil, as type: E.Type, value: String? = nil,
        help: String = "", default defaultValue: E? = nil, required: Bool = false
    ) -> OptionSpec where E.RawValue == String {
        OptionSpec(long, short: short, value: value, help: help, default: defaultValue?.rawValue,
                   kind: .single, choices: E.allCases.map(\.rawValue), required: required)
    }

    /// `--long` as typed on the command line.
    public var displayName: String { "--" + long }

    /// Whether the option consumes a value.
    public var takesValue: Bool { kind != .flag }
}
