/// The result of parsing: which command was selected and the raw values given to it
/// (and to the commands above it), read back through throwing typed accessors.
///
/// Names are option long names (`"steps"`) or positional names (`"name"`). They are
/// looked up from the innermost command outwards. An absent value falls back to the
/// declared default; accessors without `optional` in their name throw
/// `ArgumentError.missingRequired` when there is neither.
public struct ParsedArguments: Sendable, Equatable {
    /// The selected command path, root first.
    public let commands: [CommandSpec]
    /// Values given on the command line, per level of `commands`, keyed by name.
    let given: [[String: [String]]]

    /// Creates parsed arguments; `given[i]` holds the values for `commands[i]`.
    public init(commands: [CommandSpec], given: [[String: [String]]]) {
        precondition(!commands.isEmpty && commands.count == given.count)
        self.commands = commands
        self.given = given
    }

    /// Names of the selected command path, root first, e.g. `["wow", "data", "fetch"]`.
    public var commandPath: [String] { commands.map(\.name) }

    /// The innermost selected command.
    public var command: CommandSpec { commands[commands.count - 1] }

    /// Whether `name` was given explicitly on the command line (defaults do not count).
    public func isGiven(_ name: String) -> Bool {
        (try? lookup(name).values) != nil
    }

    /// Every option of the innermost command with the value it takes in this run (given,
    /// or its default; flags `true`/`false`; repeated values joined by `,`), except
    /// `excluding` and options with neither value nor default: what identifies a run.
    public func effectiveOptions(excluding: Set<String> = []) -> [String: String] {
        var result = [String: String]()
        for option in command.options where !excluding.contains(option.long) {
            if option.kind == .flag {
                result[option.long] = String((try? flag(option.long)) ?? false)
            } else if let values = try? strings(option.long), !values.isEmpty {
                result[option.long] = values.joined(separator: ",")
            }
        }
        return result
    }

    /// Whether the flag `name` was given.
    public func flag(_ name: String) throws -> Bool {
        let entry = try lookup(name)
        guard case let .option(spec) = entry.declaration, spec.kind == .flag else {
            throw ArgumentError.undeclared("--" + name, command: commandPath.joined(separator: " "))
        }
        return entry.values != nil
    }

    /// The value of `name` (the last one if repeated), its default, or `nil`.
    public func optionalString(_ name: String) throws -> String? {
        let entry = try lookup(name)
        return entry.values?.last ?? entry.declaration.defaultValue
    }

    /// The value of `name` or its default; throws if there is neither.
    public func string(_ name: String) throws -> String {
        guard let value = try optionalString(name) else {
            throw ArgumentError.missingRequired(try lookup(name).declaration.displayName)
        }
        return value
    }

    /// All values of a repeated option or positional, in order; the default (if any)
    /// when absent, else an empty array.
    public func strings(_ name: String) throws -> [String] {
        let entry = try lookup(name)
        return entry.values ?? entry.declaration.defaultValue.map { [$0] } ?? []
    }

    /// Declaration and given values of `name`, searched from the innermost command out.
    func lookup(_ name: String) throws -> (declaration: Declaration, values: [String]?) {
        for level in commands.indices.reversed() {
            let command = commands[level]
            if let spec = command.option(long: name) {
                return (.option(spec), given[level][name])
            }
            if let spec = command.positionals.first(where: { $0.name == name }) {
                return (.positional(spec), given[level][name])
            }
        }
        throw ArgumentError.undeclared(name, command: commandPath.joined(separator: " "))
    }
}

/// An option or positional declaration, as found by `ParsedArguments.lookup`.
enum Declaration {
    case option(OptionSpec)
    case positional(PositionalSpec)

    var displayName: String {
        switch self {
        case let .option(spec): return spec.displayName
        case let .positional(spec): return spec.displayName
        }
    }

    var defaultValue: String? {
        switch self {
        case let .option(spec): return spec.defaultValue
        case let .positional(spec): return spec.defaultValue
        }
    }
}
