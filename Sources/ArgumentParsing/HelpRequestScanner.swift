/// First parsing pass: finds `--help`/`-h` anywhere before `--`, or the `help` pseudo
/// subcommand (`wow help data fetch`), and the innermost command selected so far.
///
/// The scan is tolerant: unknown options and bad values are skipped so that help is
/// shown even for an otherwise invalid line. Values of known options are skipped, but a
/// value cannot start with `-` unless it is a number (write `--out=-h` for that), so
/// `--out -h` is a help request.
enum HelpRequestScanner {
    /// The command path whose help was requested, or `nil` if none was.
    static func scan(_ arguments: [String], root: CommandSpec) throws -> [CommandSpec]? {
        var path = [root]
        var wantsHelp = false
        var afterHelpWord = false
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if token == "--" { break }
            if token == "--help" || token == "-h" { wantsHelp = true; continue }
            let current = path[path.count - 1]
            if TokenKind.looksLikeOption(token) {
                if token.contains("=") { continue }
                let spec = token.hasPrefix("--")
                    ? current.option(long: String(token.dropFirst(2)))
                    : (token.count == 2 ? current.option(short: token.last!) : nil)
                if let spec, spec.takesValue, index < arguments.count,
                   TokenKind.canBeValue(arguments[index]) {
                    index += 1
                }
                continue
            }
            guard !current.subcommands.isEmpty else { continue }
            if let sub = current.subcommand(named: token) {
                path.append(sub)
            } else if afterHelpWord {
                let error = ArgumentError.unknownSubcommand(
                    token, command: path.joinedNames, available: current.subcommands.map(\.name))
                throw ParseFailure(error: error, path: path)
            } else if token == "help" {
                afterHelpWord = true
                wantsHelp = true
            }
        }
        return wantsHelp ? path : nil
    }
}
