/// Renders usage lines and full help text for a command path.
///
/// Help layout: `OVERVIEW`, discussion, `USAGE`, `ARGUMENTS`, `OPTIONS` (with choices,
/// defaults and required markers) and `SUBCOMMANDS`, in aligned columns.
public enum HelpFormatter {
    /// The usage synopsis, e.g. `wow rings [--steps <n>] [--out <dir>]`, wrapped between
    /// items so that continuation lines align after a 7-character prefix such as `"Usage: "`.
    public static func usage(for path: [CommandSpec], width: Int = 80) -> String {
        let command = path[path.count - 1]
        let head = path.joinedNames
        var words = command.options.map(synopsis)
        words += command.positionals.map(synopsis)
        if !command.subcommands.isEmpty { words.append("<subcommand>") }
        return TextLayout.wrap(words: [head] + words, width: width, indent: 7 + head.count + 1, startColumn: 7)
    }

    /// The complete help text for the last command of `path`, ending in a newline.
    public static func help(for path: [CommandSpec], width: Int = 80) -> String {
        let command = path[path.count - 1]
        var out = ""
        if !command.abstract.isEmpty {
            out += "OVERVIEW: " + TextLayout.wrap(command.abstract, width: width, indent: 2, startColumn: 10) + "\n\n"
        }
        if !command.discussion.isEmpty {
            out += TextLayout.wrap(command.discussion, width: width) + "\n\n"
        }
        out += "USAGE: " + usage(for: path, width: width) + "\n"
        if !command.positionals.isEmpty {
            out += "\nARGUMENTS:\n" + TextLayout.table(command.positionals.map(row), width: width)
        }
        let helpRow = (label: "-h, --help", units: words("Show help information."))
        out += "\nOPTIONS:\n" + TextLayout.table(command.options.map(row) + [helpRow], width: width)
        if !command.subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            out += TextLayout.table(command.subcommands.map { ($0.name, words($0.abstract)) }, width: width)
            out += "\n  See '\(path[0].name) help <subcommand>' for detailed help.\n"
        }
        return out
    }

    static func synopsis(_ option: OptionSpec) -> String {
        var text = option.displayName
        if option.takesValue { text += " <\(option.valueName)>" }
        if option.kind == .repeated { text += " ..." }
        return option.isRequired ? text : "[\(text)]"
    }

    static func synopsis(_ positional: PositionalSpec) -> String {
        let text = positional.displayName + (positional.isRepeated ? " ..." : "")
        return positional.isOptional ? "[\(text)]" : text
    }

    static func row(_ option: OptionSpec) -> (label: String, units: [String]) {
        var label = option.short.map { "-\($0), " } ?? ""
        label += option.displayName
        if option.takesValue { label += " <\(option.valueName)>" }
        if option.kind == .repeated { label += " ..." }
        return (label, annotate(option.help, choices: option.choices, default: option.defaultValue,
                                required: option.isRequired))
    }

    static func row(_ positional: PositionalSpec) -> (label: String, units: [String]) {
        (positional.displayName, annotate(positional.help, choices: positional.choices,
                                          default: positional.defaultValue, required: false))
    }

    /// The words of `help` followed by `(values: a|b;`, `default: a)` or `(required)`, each
    /// note kept on one line.
    static func annotate(_ help: String, choices: [String]?, default value: String?, required: Bool) -> [String] {
        var notes: [String] = []
        if let choices { notes.append("values: " + choices.joined(separator: "|")) }
        if let value { notes.append("default: " + value) }
        if required { notes.append("required") }
        guard !notes.isEmpty else { return words(help) }
        let units = notes.indices.map { index in
            (index == 0 ? "(" : "") + notes[index] + (index == notes.count - 1 ? ")" : ";")
        }
        return words(help) + units
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }
}
