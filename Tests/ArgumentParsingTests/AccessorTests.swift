import XCTest
import ArgumentParsing

final class AccessorTests: XCTestCase {
    private func error(_ body: () throws -> Any) -> String? {
        do { _ = try body(); return nil } catch { return "\(error)" }
    }

    func testDefaultsAreUsedWhenAbsent() throws {
        let args = try Fixtures.run(["rings"])
        XCTAssertEqual(try args.int("steps"), 500)
        XCTAssertEqual(try args.double("bandwidth"), 1.0)
        XCTAssertEqual(try args.string("out"), "runs/rings")
        XCTAssertEqual(try args.choice("kernel", as: KernelName.self), .riesz)
    }

    func testOptionalVariantsReturnNilWithoutDefault() throws {
        let args = try Fixtures.run(["rings"])
        XCTAssertNil(try args.optionalDouble("momentum"))
        XCTAssertNil(try args.optionalInt("seed"))
        XCTAssertNil(try args.optionalString("seed"))
        XCTAssertEqual(try args.optionalInt("steps"), 500, "defaults still apply")
        XCTAssertEqual(try Fixtures.run(["rings", "--seed", "9"]).optionalInt("seed"), 9)
    }

    func testNonOptionalAccessorWithoutValueThrowsMissing() throws {
        let args = try Fixtures.run(["rings"])
        XCTAssertEqual(error { try args.double("momentum") }, "missing required option --momentum")
        XCTAssertEqual(error { try args.string("seed") }, "missing required option --seed")
    }

    func testIntValidationMessages() throws {
        let bad = try Fixtures.run(["rings", "--steps", "abc"])
        XCTAssertEqual(error { try bad.int("steps", min: 1) }, "--steps expects a positive integer, got 'abc'")
        let zero = try Fixtures.run(["rings", "--steps", "0"])
        XCTAssertEqual(error { try zero.int("steps", min: 1) }, "--steps expects a positive integer, got '0'")
        XCTAssertEqual(try zero.int("steps", min: 0), 0)
        let big = try Fixtures.run(["rings", "--steps", "11"])
        XCTAssertEqual(error { try big.int("steps", min: 1, max: 10) }, "--steps expects an integer in 1...10, got '11'")
        XCTAssertEqual(error { try big.int("steps", max: 10) }, "--steps expects an integer <= 10, got '11'")
        XCTAssertEqual(error { try big.int("steps", min: 12) }, "--steps expects an integer >= 12, got '11'")
        let fraction = try Fixtures.run(["rings", "--steps", "2.5"])
        XCTAssertEqual(error { try fraction.int("steps") }, "--steps expects an integer, got '2.5'")
        let negative = try Fixtures.run(["rings", "--seed", "-1"])
        XCTAssertEqual(error { try negative.int("seed", min: 0) }, "--seed expects a non-negative integer, got '-1'")
    }

    func testDoubleValidationMessages() throws {
        let zero = try Fixtures.run(["rings", "--lr", "0"])
        XCTAssertEqual(error { try zero.double("lr", greaterThan: 0) }, "--lr expects a positive number, got '0'")
        XCTAssertEqual(try zero.double("lr", min: 0), 0)
        let nan = try Fixtures.run(["rings", "--lr", "nan"])
        XCTAssertEqual(error { try nan.double("lr") }, "--lr expects a number, got 'nan'")
        let text = try Fixtures.run(["rings", "--bandwidth", "wide"])
        XCTAssertEqual(error { try text.double("bandwidth", greaterThan: 0) },
                       "--bandwidth expects a positive number, got 'wide'")
        let m = try Fixtures.run(["rings", "--momentum", "1"])
        XCTAssertEqual(error { try m.double("momentum", min: 0, lessThan: 1) },
                       "--momentum expects a number >= 0 and < 1, got '1'")
        XCTAssertEqual(error { try m.double("momentum", max: 0.5) },
                       "--momentum expects a number <= 0.5, got '1'")
        XCTAssertEqual(try m.double("momentum", greaterThan: -1, max: 1), 1)
    }

    func testInvalidDefaultIsReportedToo() throws {
        let spec = CommandSpec("t", options: [.option("n", default: "x")])
        guard case let .run(args) = try CommandParser(root: spec).parse([]) else { return XCTFail() }
        XCTAssertEqual(error { try args.int("n") }, "--n expects an integer, got 'x'")
    }

    func testChoiceAccessors() throws {
        let args = try Fixtures.run(["rings", "--kernel", "laplace"])
        XCTAssertEqual(try args.choice("kernel", as: KernelName.self), .laplace)
        XCTAssertEqual(try args.optionalChoice("kernel", as: KernelName.self), .laplace)
        // A free-form option read as an enum is validated by the accessor.
        let free = try Fixtures.run(["rings", "--out", "cubic"])
        XCTAssertEqual(error { try free.choice("out", as: KernelName.self) },
                       "--out expects one of riesz|gaussian|laplace|imq, got 'cubic'")
        XCTAssertNil(try Fixtures.run(["rings"]).optionalChoice("seed", as: KernelName.self))
    }

    func testRepeatedTypedAccessors() throws {
        let spec = CommandSpec("t", options: [.repeated("k", choices: ["riesz", "imq"]), .repeated("x")])
        guard case let .run(args) = try CommandParser(root: spec).parse(["--k", "imq", "--k", "riesz",
                                                                          "--x", "1", "--x", "-2.5"]) else {
            return XCTFail()
        }
        XCTAssertEqual(try args.choices("k", as: KernelName.self), [.imq, .riesz])
        XCTAssertEqual(try args.doubles("x"), [1, -2.5])
        XCTAssertEqual(error { try args.ints("x") }, "--x expects an integer, got '-2.5'")
    }

    func testPositionalAccessorsAndParentLookup() throws {
        let args = try Fixtures.run(["-q", "data", "show", "mnist", "--per-class", "5", "--out", "m.png"])
        XCTAssertEqual(args.commandPath, ["wow", "data", "show"])
        XCTAssertEqual(try args.string("name"), "mnist")
        XCTAssertEqual(try args.int("per-class", min: 1), 5)
        XCTAssertTrue(try args.flag("quiet"), "names resolve outwards through the path")
    }

    func testUndeclaredNamesAreProgramErrors() throws {
        let args = try Fixtures.run(["rings"])
        XCTAssertThrowsError(try args.string("nope")) { error in
            XCTAssertEqual(error as? ArgumentError, .undeclared("nope", command: "wow rings"))
        }
        XCTAssertThrowsError(try args.flag("steps"))
        XCTAssertFalse(args.isGiven("nope"))
    }
}
