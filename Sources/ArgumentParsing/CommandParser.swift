/// What the command line asks for.
public enum ParseOutcome: Sendable, Equatable {
    /// Show help for this command path (root first).
    case help([CommandSpec])
    /// Run the selected command with these arguments.
    case run(ParsedArguments)
}

/// Parses a command line against a `CommandSpec` tree.
///
/// Syntax: `--name value`, `--name=value`, `-s value`, `-s=value`, flags `--name`/`-s`,
/// `--` (everything after it is positional), subcommand names as positional tokens,
/// `--help`/`-h` anywhere and `help <subcommand>...`. A value may start with `-` only
/// if it is a number (`--momentum -0.5`) or is given inline (`--label=-x`).
/// Options belong to the command whose name precedes them and are not inherited.
public struct CommandParser: Sendable {
    /// The root command (its name is the executable name).
    public let root: CommandSpec

    /// Creates a parser for `root`.
    public init(root: CommandSpec) { self.root = root }

    /// Parses `arguments` (without the executable name).
    /// - Throws: `ArgumentError` describing the first problem found.
    public func parse(_ arguments: [String]) throws -> ParseOutcome {
        switch parseWithContext(arguments) {
        case let .success(outcome): return outcome
        case let .failure(failure): throw failure.error
        }
    }

    /// Like `parse(_:)`, but a failure also carries the command path reached.
    func parseWithContext(_ arguments: [String]) -> Result<ParseOutcome, ParseFailure> {
        do {
            if let helpPath = try HelpRequestScanner.scan(arguments, root: root) {
                return .success(.help(helpPath))
            }
            var pass = StrictPass(arguments: arguments, root: root)
            do {
                return .success(.run(try pass.run()))
            } catch let error as ArgumentError {
                throw ParseFailure(error: error, path: pass.path)
            }
        } catch let failure as ParseFailure {
            return .failure(failure)
        } catch {
            return .failure(ParseFailure(error: .undeclared("\(error)", command: root.name), path: [root]))
        }
    }
}
