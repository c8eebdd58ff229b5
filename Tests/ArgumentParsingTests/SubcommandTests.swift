import XCTest
import ArgumentParsing

final class SubcommandTests: XCTestCase {
    func testNestedSelection() throws {
        XCTAssertEqual(try Fixtures.run(["data", "list"]).commandPath, ["wow", "data", "list"])
        let fetch = try Fixtures.run(["data", "fetch", "mnist"])
        XCTAssertEqual(fetch.commandPath, ["wow", "data", "fetch"])
        XCTAssertEqual(fetch.command.name, "fetch")
        XCTAssertEqual(try fetch.string("name"), "mnist")
    }

    func testGroupWithoutSubcommandParsesToGroup() throws {
        XCTAssertEqual(try Fixtures.run([]).commandPath, ["wow"])
        XCTAssertEqual(try Fixtures.run(["data"]).commandPath, ["wow", "data"])
    }

    func testArbitraryDepth() throws {
        var spec = CommandSpec("leaf", options: [.option("x", default: "0")])
        for name in ["d", "c", "b", "a"] { spec = CommandSpec(name, subcommands: [spec]) }
        let root = CommandSpec("tool", subcommands: [spec])
        guard case let .run(args) = try CommandParser(root: root).parse(["a", "b", "c", "d", "leaf", "--x", "-1"]) else {
            return XCTFail()
        }
        XCTAssertEqual(args.commandPath, ["tool", "a", "b", "c", "d", "leaf"])
        XCTAssertEqual(try args.int("x"), -1)
        guard case let .help(path) = try CommandParser(root: root).parse(["a", "b", "--help", "c"]) else {
            return XCTFail()
        }
        XCTAssertEqual(path.map(\.name), ["tool", "a", "b", "c"])
    }

    func testInnermostOptionsOnlyAfterSubcommand() {
        XCTAssertEqual(Fixtures.parseError(["data", "show", "m", "--steps", "3", "--out", "f"])?.description,
                       "unknown option '--steps'")
    }

    func testRequiredChecksApplyOnlyToSelectedPath() throws {
        XCTAssertNoThrow(try Fixtures.run(["rings"]))
        XCTAssertEqual(Fixtures.parseError(["data", "show", "m"]), .missingRequired("--out"))
    }
}
