/// Second parsing pass: walks the tokens left to right, selects subcommands, records
/// option values, then assigns positionals and checks required arguments.
struct StrictPass {
    let arguments: [String]
    private(set) var path: [CommandSpec]
    private var given: [[String: [String]]] = [[:]]
    private var positionals: [String] = []
    private var index = 0

    init(arguments: [String], root: CommandSpec) {
        self.arguments = arguments
        self.path = [root]
    }

    private var current: CommandSpec { path[path.count - 1] }

    mutating func run() throws -> ParsedArguments {
        var terminated = false
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if terminated {
                positionals.append(token)
            } else if token == "--" {
                terminated = true
            } else if token.hasPrefix("--") {
                try parseLong(token.dropFirst(2))
            } else if TokenKind.looksLikeOption(token) {
                try parseShort(token.dropFirst())
            } else if !current.subcommands.isEmpty {
                try descend(into: token)
            } else {
                positionals.append(token)
            }
        }
        try assignPositionals()
        try checkRequiredOptions()
        return ParsedArguments(commands: path, given: given)
    }

    private mutating func parseLong(_ body: Substring) throws {
        let (name, inline) = TokenKind.splitInline(body)
        guard let spec = current.option(long: name) else {
            throw ArgumentError.unknownOption("--" + name, suggestion: longSuggestion(for: name))
        }
        try record(spec, inline: inline)
    }

    private mutating func parseShort(_ body: Substring) throws {
        let (name, inline) = TokenKind.splitInline(body)
        if name.count == 1, let spec = current.option(short: name.first!) {
            return try record(spec, inline: inline)
        }
        // `-steps` is most likely a mistyped `--steps`.
        let suggestion = name.count > 1 ? longSuggestion(for: name) : nil
        throw ArgumentError.unknownOption("-" + name, suggestion: suggestion)
    }

    private func longSuggestion(for name: String) -> String? {
        let candidates = current.options.map(\.long) + ["help"]
        return EditDistance.suggestion(for: name, among: candidates).map { "--" + $0 }
    }

    private mutating func record(_ spec: OptionSpec, inline: String?) throws {
        let level = path.count - 1
        let existing = given[level][spec.long]
        if spec.kind == .flag {
            if let inline { throw ArgumentError.unexpectedFlagValue(option: spec.displayName, value: inline) }
            if existing != nil { throw ArgumentError.duplicateOption(spec.displayName) }
            given[level][spec.long] = []
            return
        }
        let value: String
        if let inline {
            value = inline
        } else if index < arguments.count, TokenKind.canBeValue(arguments[index]) {
            value = arguments[index]
            index += 1
        } else {
            throw ArgumentError.missingValue(option: spec.displayName)
        }
        if let choices = spec.choices, !choices.contains(value) {
            throw ArgumentError.invalidChoice(option: spec.displayName, value: value, choices: choices)
        }
        if spec.kind == .single, existing != nil { throw ArgumentError.duplicateOption(spec.displayName) }
        given[level][spec.long, default: []].append(value)
    }

    private mutating func descend(into token: String) throws {
        guard let sub = current.subcommand(named: token) else {
            throw ArgumentError.unknownSubcommand(token, command: path.joinedNames,
                                                  available: current.subcommands.map(\.name))
        }
        path.append(sub)
        given.append([:])
    }

    private mutating func assignPositionals() throws {
        var remaining = positionals[...]
        for spec in current.positionals {
            let taken = spec.isRepeated ? Array(remaining) : Array(remaining.prefix(1))
            remaining = remaining.dropFirst(taken.count)
            if taken.isEmpty {
                if !spec.isOptional { throw ArgumentError.missingRequired(spec.displayName) }
                continue
            }
            if let choices = spec.choices, let bad = taken.first(where: { !choices.contains($0) }) {
                throw ArgumentError.invalidChoice(option: spec.displayName, value: bad, choices: choices)
            }
            given[path.count - 1][spec.name] = taken
        }
        if let extra = remaining.first {
            throw ArgumentError.unexpectedPositional(extra, command: path.joinedNames)
        }
    }

    private func checkRequiredOptions() throws {
        for (level, command) in path.enumerated() {
            for spec in command.options where spec.isRequired && given[level][spec.long] == nil {
                throw ArgumentError.missingRequired(spec.displayName)
            }
        }
    }
}
