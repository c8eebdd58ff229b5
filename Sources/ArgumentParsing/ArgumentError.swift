/// A command-line usage error. `description` is the message printed after `Error: `.
///
/// Option names are carried as typed (`--steps`), positionals as `<name>`, commands as
/// their full path (`wow data`).
public enum ArgumentError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An option that the command does not declare, with a spelling suggestion (`--steps`).
    case unknownOption(String, suggestion: String?)
    /// An option that needs a value was last on the line or followed by another option.
    case missingValue(option: String)
    /// A required option or positional argument was not given.
    case missingRequired(String)
    /// A value could not be converted or is out of range; `expected` reads
    /// like "a positive integer".
    case invalidValue(option: String, value: String, expected: String)
    /// A value is not one of the declared choices.
    case invalidChoice(option: String, value: String, choices: [String])
    /// A flag was given a value with `--flag=value`.
    case unexpectedFlagValue(option: String, value: String)
    /// A positional token names no subcommand of `command`.
    case unknownSubcommand(String, command: String, available: [String])
    /// A command that only groups subcommands was run without one.
    case missingSubcommand(command: String, available: [String])
    /// A single-value option or flag was given more than once.
    case duplicateOption(String)
    /// More positional tokens than the command declares.
    case unexpectedPositional(String, command: String)
    /// Programming error: an accessor asked for a name the command path does not declare.
    case undeclared(String, command: String)

    /// Whether this is the user's mistake (exit code 64) rather than the program's.
    public var isUsageError: Bool {
        if case .undeclared = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case let .unknownOption(name, suggestion):
            return "unknown option '\(name)'" + (suggestion.map { "; did you mean \($0)?" } ?? "")
        case let .missingValue(option):
            return "missing value for \(option)"
        case let .missingRequired(name):
            return "missing required \(name.hasPrefix("-") ? "option" : "argument") \(name)"
        case let .invalidValue(option, value, expected):
            return "\(option) expects \(expected), got '\(value)'"
        case let .invalidChoice(option, value, choices):
            let hint = EditDistance.suggestion(for: value, among: choices)
            return "\(option) expects one of \(choices.joined(separator: "|")), got '\(value)'"
                + (hint.map { "; did you mean \($0)?" } ?? "")
        case let .unexpectedFlagValue(option, value):
            return "\(option) is a flag and takes no value, got '\(value)'"
        case let .unknownSubcommand(name, command, available):
            let hint = EditDistance.suggestion(for: name, among: available)
            return "unknown subcommand '\(name)' for '\(command)'"
                + (hint.map { "; did you mean '\($0)'?" } ?? "")
                + " (available: \(available.joined(separator: ", ")))"
        case let .missingSubcommand(command, available):
            return "'\(command)' needs a subcommand (available: \(available.joined(separator: ", ")))"
        case let .duplicateOption(name):
            return "\(name) was given more than once"
        case let .unexpectedPositional(token, command):
            return "unexpected argument '\(token)' for '\(command)'"
        case let .undeclared(name, command):
            return "'\(name)' is not declared for '\(command)' (program error)"
        }
    }
}
