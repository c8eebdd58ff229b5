import XCTest

extension CommandLineTests {
    /// `wow train` tests once, after the last epoch, unless `--eval-every k` asks for more.
    func testTrainTestsOnceUnlessAskedEveryKEpochs() throws {
        let env = fixtureEnvironment
        let base = ["train", "--arch", "lenet5", "--train", "fashion-mnist:train", "--test", "fashion-mnist:test",
                    "--epochs", "3", "--batch", "4"]
        let once = try wow(base, environment: env)
        XCTAssertEqual(once.status, 0, once.stderr)
        let epochLines = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("epoch ") } }
        XCTAssertEqual(epochLines(once.stdout).map { $0.contains("test accuracy") }, [false, false, true], once.stdout)
        let everyTwo = try wow(base + ["--eval-every", "2"], environment: env)
        XCTAssertEqual(everyTwo.status, 0, everyTwo.stderr)
        XCTAssertEqual(epochLines(everyTwo.stdout).map { $0.contains("test accuracy") }, [false, true, true], everyTwo.stdout)
        XCTAssertEqual(try wow(base + ["--eval-every", "0"], environment: env).status, 64)
    }
}
