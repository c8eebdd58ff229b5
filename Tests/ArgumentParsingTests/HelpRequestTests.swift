import XCTest
import ArgumentParsing

final class HelpRequestTests: XCTestCase {
    func testHelpFlagAtEachLevel() throws {
        XCTAssertEqual(try Fixtures.helpPath(["--help"]), ["wow"])
        XCTAssertEqual(try Fixtures.helpPath(["-h"]), ["wow"])
        XCTAssertEqual(try Fixtures.helpPath(["rings", "--help"]), ["wow", "rings"])
        XCTAssertEqual(try Fixtures.helpPath(["data", "-h"]), ["wow", "data"])
        XCTAssertEqual(try Fixtures.helpPath(["data", "show", "--help"]), ["wow", "data", "show"])
    }

    func testHelpFlagAnywhereSelectsInnermostCommand() throws {
        XCTAssertEqual(try Fixtures.helpPath(["--help", "data", "fetch"]), ["wow", "data", "fetch"])
        XCTAssertEqual(try Fixtures.helpPath(["rings", "--steps", "abc", "-h", "--bogus"]), ["wow", "rings"])
        XCTAssertEqual(try Fixtures.helpPath(["data", "show", "x", "--out", "f", "--help"]), ["wow", "data", "show"])
    }

    func testHelpAfterTerminatorOrAsValueIsNotHelp() throws {
        XCTAssertNil(try Fixtures.helpPath(["paste", "rows", "--", "--help"]))
        XCTAssertNil(try Fixtures.helpPath(["rings", "--out", "help"]))
        XCTAssertEqual(try Fixtures.helpPath(["rings", "--out", "-h"]), ["wow", "rings"],
                       "-h is never taken as a value")
    }

    func testHelpSubcommand() throws {
        XCTAssertEqual(try Fixtures.helpPath(["help"]), ["wow"])
        XCTAssertEqual(try Fixtures.helpPath(["help", "rings"]), ["wow", "rings"])
        XCTAssertEqual(try Fixtures.helpPath(["help", "data", "show"]), ["wow", "data", "show"])
        XCTAssertEqual(try Fixtures.helpPath(["data", "help", "fetch"]), ["wow", "data", "fetch"])
    }

    func testHelpSubcommandWithUnknownName() {
        XCTAssertEqual(Fixtures.parseError(["help", "ringz"]),
                       .unknownSubcommand("ringz", command: "wow", available: ["rings", "flow", "data", "paste"]))
        XCTAssertEqual(Fixtures.parseError(["help", "data", "fecth"])?.description,
                       "unknown subcommand 'fecth' for 'wow data'; did you mean 'fetch'? (available: list, fetch, show)")
    }

    func testHelpIsPositionalForLeafCommands() {
        XCTAssertEqual(Fixtures.parseError(["rings", "help"]), .unexpectedPositional("help", command: "wow rings"))
    }
}
