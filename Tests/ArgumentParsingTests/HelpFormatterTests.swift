import XCTest
import ArgumentParsing

final class HelpFormatterTests: XCTestCase {
    private let ringsPath = [Fixtures.root, Fixtures.rings]

    func testRingsHelpShowsOverviewUsageChoicesAndDefaults() {
        let help = HelpFormatter.help(for: ringsPath)
        XCTAssertTrue(help.hasPrefix("OVERVIEW: Run the rings demo.\n\nFlows a ring dataset towards a target ring.\n\nUSAGE: wow rings "))
        XCTAssertTrue(help.contains("\nOPTIONS:\n"))
        XCTAssertTrue(help.contains("  -k, --kernel <kernel>"))
        let flat = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        XCTAssertTrue(flat.contains("Kernel between classes. (values: riesz|gaussian|laplace|imq; default: riesz)"))
        XCTAssertTrue(help.contains("Number of steps. (default: 500)"))
        XCTAssertTrue(help.contains("  --tag <tag> ..."))
        XCTAssertTrue(help.contains("  -h, --help"))
        XCTAssertFalse(help.contains("SUBCOMMANDS"))
    }

    func testOptionDescriptionsAreAlignedInOneColumn() throws {
        let help = HelpFormatter.help(for: ringsPath)
        let options = help.components(separatedBy: "OPTIONS:\n")[1].split(separator: "\n")
            .filter { !$0.hasPrefix("    ") }   // skip wrapped continuation lines
        let columns = Set(options.map { line -> Int in
            let label = line.dropFirst(2).range(of: "  ")!.lowerBound
            let text = line[label...].firstIndex { $0 != " " }!
            return line.distance(from: line.startIndex, to: text)
        })
        XCTAssertEqual(columns.count, 1, "descriptions start in one column:\n\(help)")
        XCTAssertEqual(options.first { $0.contains("--steps") }, "  -n, --steps <n>        Number of steps. (default: 500)")
    }

    func testUsageLineListsOptionsAndWrapsAtWidth() {
        let usage = HelpFormatter.usage(for: ringsPath)
        XCTAssertTrue(usage.hasPrefix("wow rings [--kernel <kernel>] [--bandwidth <h>] [--steps <n>]"))
        XCTAssertTrue(usage.contains("[--verbose]"))
        XCTAssertTrue(usage.contains("[--tag <tag> ...]"))
        for (index, line) in usage.split(separator: "\n").enumerated() {
            XCTAssertLessThanOrEqual(line.count + (index == 0 ? 7 : 0), 80)
            if index > 0 { XCTAssertTrue(line.hasPrefix(String(repeating: " ", count: 17) + "[")) }
        }
        XCTAssertEqual(HelpFormatter.usage(for: [Fixtures.root, Fixtures.flow]),
                       "wow flow --source <file> --target <file> [--integrator <integrator>]\n"
                       + "                --out <dir>")
    }

    func testRequiredMarkerAndPositionals() {
        let flow = HelpFormatter.help(for: [Fixtures.root, Fixtures.flow])
        XCTAssertTrue(flow.contains("Source CSV. (required)"))
        XCTAssertTrue(flow.contains("Time stepper. (values: euler|momentum;\n" + String(repeating: " ", count: 29) + "default: euler)\n"),
                      "annotations wrap only between notes")
        let paste = HelpFormatter.help(for: [Fixtures.root, Fixtures.paste])
        XCTAssertTrue(paste.contains("USAGE: wow paste [--force] <mode> [<files> ...]\n"))
        XCTAssertTrue(paste.contains("\nARGUMENTS:\n  <mode>   How to join. (values: rows|cols)\n  <files>  Input files.\n"))
    }

    func testRootHelpListsSubcommands() {
        let help = HelpFormatter.help(for: [Fixtures.root])
        XCTAssertTrue(help.contains("USAGE: wow [--quiet] <subcommand>\n"))
        XCTAssertTrue(help.contains("\nSUBCOMMANDS:\n  rings  Run the rings demo.\n  flow   Flow a source dataset to a target dataset.\n"))
        XCTAssertTrue(help.contains("  data   Manage datasets.\n"))
        XCTAssertTrue(help.contains("See 'wow help <subcommand>' for detailed help."))
    }

    func testNestedGroupHelp() {
        let help = HelpFormatter.help(for: [Fixtures.root, Fixtures.data])
        XCTAssertTrue(help.contains("USAGE: wow data <subcommand>\n"))
        XCTAssertTrue(help.contains("  fetch  Download a dataset.\n"))
        let show = HelpFormatter.help(for: [Fixtures.root, Fixtures.data, Fixtures.data.subcommands[2]])
        XCTAssertTrue(show.contains("USAGE: wow data show [--per-class <k>] --out <file> <name>\n"))
    }

    func testLongLabelsAndLongTextWrap() {
        let spec = CommandSpec("t", options: [
            .option("a-very-long-option-name-indeed", value: "value", help: "Short."),
            .option("b", help: String(repeating: "word ", count: 30)),
        ])
        let help = HelpFormatter.help(for: [spec])
        XCTAssertTrue(help.contains("  --a-very-long-option-name-indeed <value>\n" + String(repeating: " ", count: 30) + "Short.\n"))
        for line in help.split(separator: "\n") { XCTAssertLessThanOrEqual(line.count, 80, String(line)) }
    }
}
