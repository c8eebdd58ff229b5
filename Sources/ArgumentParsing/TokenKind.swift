/// Classification of raw command-line tokens shared by the parsing passes.
enum TokenKind {
    /// Whether `token` parses as a number, e.g. `-0.5`, `-3`, `1e-3`.
    static func isNumber(_ token: String) -> Bool { Double(token) != nil }

    /// Whether `token` is an option (or the `--` terminator) rather than a value:
    /// it starts with `-`, is longer than `-`, and is not a number.
    static func looksLikeOption(_ token: String) -> Bool {
        token.hasPrefix("-") && token.count > 1 && !isNumber(token)
    }

    /// Whether `token` may be taken as the value of a preceding option. Negative numbers
    /// and a lone `-` may; `--name`, `-x` and `--` may not (use `--name=-x` for those).
    static func canBeValue(_ token: String) -> Bool { !looksLikeOption(token) }

    /// `"name=value"` split at the first `=`; `value` is `nil` without one.
    static func splitInline(_ body: Substring) -> (name: String, value: String?) {
        guard let eq = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<eq]), String(body[body.index(after: eq)...]))
    }
}

/// A usage error together with the command path at which it happened (for the usage line).
struct ParseFailure: Error {
    var error: ArgumentError
    var path: [CommandSpec]
}

extension Array where Element == CommandSpec {
    /// The path as typed, e.g. `"wow data fetch"`.
    var joinedNames: String { map(\.name).joined(separator: " ") }
}
