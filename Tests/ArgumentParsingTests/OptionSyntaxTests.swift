import XCTest
import ArgumentParsing

final class OptionSyntaxTests: XCTestCase {
    func testSeparateValue() throws {
        let args = try Fixtures.run(["rings", "--steps", "20", "--out", "runs/x"])
        XCTAssertEqual(args.commandPath, ["wow", "rings"])
        XCTAssertEqual(try args.int("steps"), 20)
        XCTAssertEqual(try args.string("out"), "runs/x")
    }

    func testInlineValue() throws {
        let args = try Fixtures.run(["rings", "--steps=30", "--out=a=b", "--lr="])
        XCTAssertEqual(try args.int("steps"), 30)
        XCTAssertEqual(try args.string("out"), "a=b", "only the first '=' separates")
        XCTAssertEqual(try args.string("lr"), "")
    }

    func testShortNames() throws {
        let args = try Fixtures.run(["rings", "-n", "7", "-o=dir", "-k", "imq", "-v"])
        XCTAssertEqual(try args.int("steps"), 7)
        XCTAssertEqual(try args.string("out"), "dir")
        XCTAssertEqual(try args.choice("kernel", as: KernelName.self), .imq)
        XCTAssertTrue(try args.flag("verbose"))
    }

    func testFlagsAbsentAndPresent() throws {
        XCTAssertFalse(try Fixtures.run(["rings"]).flag("verbose"))
        XCTAssertTrue(try Fixtures.run(["rings", "--verbose"]).flag("verbose"))
    }

    func testNegativeNumbersAsValues() throws {
        let args = try Fixtures.run(["rings", "--momentum", "-0.5", "--seed", "-3", "--lr", "-1e-3"])
        XCTAssertEqual(try args.double("momentum"), -0.5)
        XCTAssertEqual(try args.int("seed"), -3)
        XCTAssertEqual(try args.double("lr"), -0.001)
        XCTAssertEqual(try Fixtures.run(["rings", "-n", "-4"]).string("steps"), "-4")
    }

    func testDashPrefixedNonNumberNeedsInlineForm() throws {
        XCTAssertEqual(Fixtures.parseError(["rings", "--out", "-x"]), .missingValue(option: "--out"))
        XCTAssertEqual(try Fixtures.run(["rings", "--out=-x"]).string("out"), "-x")
        XCTAssertEqual(try Fixtures.run(["rings", "--out", "-"]).string("out"), "-")
    }

    func testRepeatedOption() throws {
        let args = try Fixtures.run(["rings", "--tag", "a", "--tag=b", "--tag", "c"])
        XCTAssertEqual(try args.strings("tag"), ["a", "b", "c"])
        XCTAssertEqual(try Fixtures.run(["rings"]).strings("tag"), [])
    }

    func testPositionalsInOrderWithRepeatedTail() throws {
        let args = try Fixtures.run(["paste", "rows", "a.csv", "-f", "b.csv"])
        XCTAssertEqual(try args.string("mode"), "rows")
        XCTAssertEqual(try args.strings("files"), ["a.csv", "b.csv"])
        XCTAssertTrue(try args.flag("force"))
        XCTAssertEqual(try Fixtures.run(["paste", "cols"]).strings("files"), [])
    }

    func testNegativeNumberAsPositional() throws {
        XCTAssertEqual(try Fixtures.run(["paste", "rows", "-7"]).strings("files"), ["-7"])
    }

    func testTerminatorMakesEverythingPositional() throws {
        let args = try Fixtures.run(["paste", "rows", "--", "--force", "-h", "--help", "x"])
        XCTAssertEqual(try args.strings("files"), ["--force", "-h", "--help", "x"])
        XCTAssertFalse(try args.flag("force"))
    }

    func testOptionsBeforeSubcommandBelongToParent() throws {
        let args = try Fixtures.run(["-q", "rings", "--steps", "3"])
        XCTAssertTrue(try args.flag("quiet"))
        XCTAssertEqual(try args.int("steps"), 3)
        XCTAssertEqual(Fixtures.parseError(["rings", "--quiet"]),
                       .unknownOption("--quiet", suggestion: nil), "options are not inherited")
    }

    func testIsGivenIgnoresDefaults() throws {
        let args = try Fixtures.run(["rings", "--lr", "0.2"])
        XCTAssertTrue(args.isGiven("lr"))
        XCTAssertFalse(args.isGiven("steps"))
        XCTAssertEqual(try args.int("steps"), 500)
    }
}
