import XCTest
import ArgumentParsing

final class CommandLineToolTests: XCTestCase {
    private struct Failure: Error, CustomStringConvertible { var description: String { "disk full" } }

    private struct Outcome { var code: Int32; var out: String; var err: String; var ran: [String] }

    private func run(_ arguments: [String], handlerError: Error? = nil) -> Outcome {
        var ran: [String] = []
        var out = "", err = ""
        let record: CommandLineTool.Handler = { args in
            ran.append(args.commandPath.joined(separator: " "))
            if let handlerError { throw handlerError }
            _ = try args.int("steps", min: 1)
        }
        let tool = CommandLineTool(root: Fixtures.root, handlers: [
            "rings": record,
            "flow": { args in ran.append("flow \(try args.string("source"))") },
            "data list": { _ in ran.append("data list") },
            "data fetch": { args in ran.append("fetch \(try args.string("name"))") },
            "paste": { _ in },
        ])
        let code = tool.run(arguments, output: { out += $0 }, errorOutput: { err += $0 })
        return Outcome(code: code, out: out, err: err, ran: ran)
    }

    func testDispatchesToHandlerByPath() {
        let rings = run(["rings", "--steps", "5"])
        XCTAssertEqual(rings.code, 0)
        XCTAssertEqual(rings.ran, ["wow rings"])
        XCTAssertEqual(rings.out + rings.err, "")
        XCTAssertEqual(run(["data", "fetch", "mnist"]).ran, ["fetch mnist"])
        XCTAssertEqual(run(["data", "list"]).ran, ["data list"])
        XCTAssertEqual(run(["flow", "--source", "a", "--target", "b", "--out", "o"]).ran, ["flow a"])
    }

    func testHelpGoesToStdoutWithExitZero() {
        let help = run(["data", "fetch", "--help"])
        XCTAssertEqual(help.code, 0)
        XCTAssertTrue(help.out.hasPrefix("OVERVIEW: Download a dataset.\n"))
        XCTAssertTrue(help.out.contains("USAGE: wow data fetch <name>\n"))
        XCTAssertEqual(help.err, "")
        XCTAssertEqual(help.ran, [])
        XCTAssertTrue(run(["help", "rings"]).out.contains("(values: riesz|gaussian|laplace|imq; default: riesz)"))
    }

    func testParseErrorPrintsMessageUsageAndHint() {
        let result = run(["rings", "--stpes", "5"])
        XCTAssertEqual(result.code, 64)
        XCTAssertEqual(result.out, "")
        XCTAssertEqual(result.ran, [])
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "Error: unknown option '--stpes'; did you mean --steps?")
        XCTAssertEqual(lines[1], "Usage: wow rings [--kernel <kernel>] [--bandwidth <h>] [--steps <n>]")
        XCTAssertEqual(lines[2], "                 [--lr <tau>] [--momentum <m>] [--seed <s>] [--out <dir>]")
        XCTAssertTrue(result.err.hasSuffix("\n  See 'wow rings --help' for more information.\n"))
    }

    func testUsageLineIsForInnermostCommandReached() {
        let result = run(["data", "show"])
        XCTAssertTrue(result.err.hasPrefix("Error: missing required argument <name>\nUsage: wow data show "))
        XCTAssertTrue(result.err.contains("See 'wow data show --help'"))
    }

    func testAccessorErrorsInHandlerAreUsageErrors() {
        let result = run(["rings", "--steps", "abc"])
        XCTAssertEqual(result.code, 64)
        XCTAssertEqual(result.ran, ["wow rings"])
        XCTAssertTrue(result.err.hasPrefix("Error: --steps expects a positive integer, got 'abc'\nUsage: wow rings "))
    }

    func testHandlerErrorsExitOne() {
        let result = run(["rings"], handlerError: Failure())
        XCTAssertEqual(result.code, 1)
        XCTAssertEqual(result.err, "Error: disk full\n")
    }

    func testLocalizedErrorDescriptionIsUsed() {
        let error = NSError(domain: "x", code: 2, userInfo: [NSLocalizedDescriptionKey: "cannot open file"])
        XCTAssertEqual(run(["rings"], handlerError: error).err, "Error: cannot open file\n")
    }

    func testGroupWithoutSubcommandIsUsageError() {
        let result = run(["data"])
        XCTAssertEqual(result.code, 64)
        XCTAssertTrue(result.err.hasPrefix(
            "Error: 'wow data' needs a subcommand (available: list, fetch, show)\nUsage: wow data <subcommand>\n"))
        XCTAssertEqual(run([]).code, 64)
    }

    func testMissingHandlerForLeafIsProgramError() {
        let result = run(["data", "show", "m", "--out", "f"])
        XCTAssertEqual(result.code, 1)
        XCTAssertEqual(result.err, "Error: 'handler' is not declared for 'wow data show' (program error)\n")
    }

    func testExitCodeConstants() {
        XCTAssertEqual(CommandLineTool.exitSuccess, 0)
        XCTAssertEqual(CommandLineTool.exitFailure, 1)
        XCTAssertEqual(CommandLineTool.exitUsage, 64)
    }
}
