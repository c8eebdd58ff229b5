#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Dispatches a command line to one handler per command path.
///
/// Handlers are keyed by the path below the root joined with spaces (`"rings"`,
/// `"data fetch"`; `""` for the root itself). Exit codes: 0 on success or help,
/// 64 (`EX_USAGE`) for usage errors (including `ArgumentError`s thrown by a handler's
/// accessors), 1 for any other error a handler throws.
public struct CommandLineTool {
    /// Runs the selected command. Throw `ArgumentError` for bad arguments.
    public typealias Handler = (ParsedArguments) throws -> Void

    /// Exit code after success or help.
    public static let exitSuccess: Int32 = 0
    /// Exit code when a handler throws something other than a usage error.
    public static let exitFailure: Int32 = 1
    /// Exit code for usage errors (`EX_USAGE` from sysexits.h).
    public static let exitUsage: Int32 = 64

    /// The command tree.
    public var root: CommandSpec
    /// Handlers keyed by space-joined subcommand path below the root.
    public var handlers: [String: Handler]
    /// Printed as `NAME VERSION` for `--version` (alone, as the first argument); `nil`:
    /// no `--version` option.
    public var version: String?

    /// Creates a tool for `root` with `handlers` keyed like `"data fetch"`.
    public init(root: CommandSpec, version: String? = nil, handlers: [String: Handler]) {
        self.root = root
        self.version = version
        self.handlers = handlers
    }

    /// Parses and dispatches `arguments` (without the executable name), writing help to
    /// `output` and errors to `errorOutput`, and returns the exit code. Never exits.
    public func run(_ arguments: [String],
                    output: (String) -> Void = { print($0, terminator: "") },
                    errorOutput: (String) -> Void = CommandLineTool.writeToStandardError) -> Int32 {
        if let version, arguments == ["--version"] {
            output("\(root.name) \(version)\n")
            return Self.exitSuccess
        }
        let parsed: ParsedArguments
        switch CommandParser(root: root).parseWithContext(arguments) {
        case let .failure(failure):
            return report(failure.error, path: failure.path, to: errorOutput)
        case let .success(.help(path)):
            output(HelpFormatter.help(for: path))
            return Self.exitSuccess
        case let .success(.run(arguments)):
            parsed = arguments
        }
        let key = parsed.commandPath.dropFirst().joined(separator: " ")
        guard let handler = handlers[key] else {
            let command = parsed.command
            let error: ArgumentError = command.subcommands.isEmpty
                ? .undeclared("handler", command: parsed.commandPath.joined(separator: " "))
                : .missingSubcommand(command: parsed.commandPath.joined(separator: " "),
                                     available: command.subcommands.map(\.name))
            return report(error, path: parsed.commands, to: errorOutput)
        }
        do {
            try handler(parsed)
            return Self.exitSuccess
        } catch let error as ArgumentError {
            return report(error, path: parsed.commands, to: errorOutput)
        } catch {
            errorOutput("Error: \(Self.message(for: error))\n")
            return Self.exitFailure
        }
    }

    /// Runs the tool on the process arguments and exits with its exit code.
    public static func main(root: CommandSpec, version: String? = nil,
                            arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                            handlers: [String: Handler]) -> Never {
        let code = CommandLineTool(root: root, version: version, handlers: handlers).run(arguments)
        exit(code)
    }

    /// Writes `text` to the standard error stream unbuffered.
    public static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints `Error: ...`, the usage line and a `--help` hint; returns 64 (or 1 for
    /// program errors).
    private func report(_ error: ArgumentError, path: [CommandSpec], to errorOutput: (String) -> Void) -> Int32 {
        guard error.isUsageError else {
            errorOutput("Error: \(error)\n")
            return Self.exitFailure
        }
        var text = "Error: \(error)\n"
        text += "Usage: \(HelpFormatter.usage(for: path))\n"
        text += "  See '\(path.joinedNames) --help' for more information.\n"
        errorOutput(text)
        return Self.exitUsage
    }

    /// `errorDescription` of a `LocalizedError`, `localizedDescription` of an `NSError`,
    /// else `String(describing:)`.
    static func message(for error: Error) -> String {
        if let localized = error as? LocalizedError, let text = localized.errorDescription { return text }
        if type(of: error) is NSError.Type { return (error as NSError).localizedDescription }
        return String(describing: error)
    }
}
