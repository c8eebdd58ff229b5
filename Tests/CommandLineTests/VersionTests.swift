import XCTest

extension CommandLineTests {
    /// `wow --version` prints the release this build is (the CHANGELOG's newest version
    /// section) and exits 0; `--version` after a subcommand is an unknown option.
    func testVersion() throws {
        let run = try wow("--version")
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, "wow 0.2.0\n")
        XCTAssertNotEqual(try wow("rings", "--version").status, 0)
    }
}
