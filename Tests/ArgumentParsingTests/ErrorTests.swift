import XCTest
import ArgumentParsing

final class ErrorTests: XCTestCase {
    private func message(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) -> String {
        guard let error = Fixtures.parseError(arguments) else {
            XCTFail("expected an error for \(arguments)", file: file, line: line)
            return ""
        }
        return error.description
    }

    func testUnknownOptionWithSuggestion() {
        XCTAssertEqual(Fixtures.parseError(["rings", "--stpes", "3"]),
                       .unknownOption("--stpes", suggestion: "--steps"))
        XCTAssertEqual(message(["rings", "--stpes", "3"]), "unknown option '--stpes'; did you mean --steps?")
        XCTAssertEqual(message(["rings", "--kernal=imq"]), "unknown option '--kernal'; did you mean --kernel?")
        XCTAssertEqual(message(["rings", "--hlep"]), "unknown option '--hlep'; did you mean --help?")
    }

    func testUnknownOptionWithoutSuggestion() {
        XCTAssertEqual(message(["rings", "--zzzzzz"]), "unknown option '--zzzzzz'")
        XCTAssertEqual(message(["rings", "-x"]), "unknown option '-x'")
    }

    func testSingleDashLongNameSuggestsDoubleDash() {
        XCTAssertEqual(message(["rings", "-steps", "3"]), "unknown option '-steps'; did you mean --steps?")
    }

    func testMissingValue() {
        XCTAssertEqual(message(["rings", "--steps"]), "missing value for --steps")
        XCTAssertEqual(message(["rings", "--out", "--verbose"]), "missing value for --out")
        XCTAssertEqual(message(["rings", "-n"]), "missing value for --steps")
        XCTAssertEqual(message(["rings", "--out", "--"]), "missing value for --out")
    }

    func testMissingRequiredOption() {
        XCTAssertEqual(message(["flow", "--source", "a.csv", "--out", "d"]),
                       "missing required option --target")
        XCTAssertEqual(Fixtures.parseError(["flow", "--target", "b", "--out", "d"]), .missingRequired("--source"))
    }

    func testMissingRequiredPositional() {
        XCTAssertEqual(message(["data", "fetch"]), "missing required argument <name>")
    }

    func testInvalidChoiceListsChoicesAndSuggests() {
        XCTAssertEqual(message(["rings", "--kernel", "rbf"]),
                       "--kernel expects one of riesz|gaussian|laplace|imq, got 'rbf'")
        XCTAssertEqual(message(["rings", "-k", "gausian"]),
                       "--kernel expects one of riesz|gaussian|laplace|imq, got 'gausian'; did you mean gaussian?")
        XCTAssertEqual(message(["flow", "--integrator", "rk4", "--source", "a", "--target", "b", "--out", "o"]),
                       "--integrator expects one of euler|momentum, got 'rk4'")
        XCTAssertEqual(message(["paste", "diag"]), "<mode> expects one of rows|cols, got 'diag'")
    }

    func testUnknownSubcommandListsAvailable() {
        XCTAssertEqual(message(["rigns"]),
                       "unknown subcommand 'rigns' for 'wow'; did you mean 'rings'? (available: rings, flow, data, paste)")
        XCTAssertEqual(message(["data", "zap"]),
                       "unknown subcommand 'zap' for 'wow data' (available: list, fetch, show)")
    }

    func testDuplicateOption() {
        XCTAssertEqual(message(["rings", "--steps", "1", "--steps=2"]), "--steps was given more than once")
        XCTAssertEqual(message(["rings", "-v", "--verbose"]), "--verbose was given more than once")
    }

    func testUnexpectedPositional() {
        XCTAssertEqual(message(["rings", "extra"]), "unexpected argument 'extra' for 'wow rings'")
        XCTAssertEqual(message(["data", "fetch", "mnist", "cifar"]),
                       "unexpected argument 'cifar' for 'wow data fetch'")
        XCTAssertEqual(message(["data", "--", "list"]), "unexpected argument 'list' for 'wow data'")
    }

    func testFlagGivenAValue() {
        XCTAssertEqual(message(["rings", "--verbose=yes"]), "--verbose is a flag and takes no value, got 'yes'")
    }

    func testMissingSubcommandAndUndeclaredMessages() {
        XCTAssertEqual(ArgumentError.missingSubcommand(command: "wow data", available: ["list", "fetch"]).description,
                       "'wow data' needs a subcommand (available: list, fetch)")
        let undeclared = ArgumentError.undeclared("nope", command: "wow rings")
        XCTAssertEqual(undeclared.description, "'nope' is not declared for 'wow rings' (program error)")
        XCTAssertFalse(undeclared.isUsageError)
        XCTAssertTrue(ArgumentError.duplicateOption("--x").isUsageError)
    }
}
