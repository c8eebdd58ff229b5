import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Rendering
import XCTest

final class SVGLinePlotTests: XCTestCase {
    func parse(_ svg: String) throws -> XMLDocument {
        try XMLDocument(xmlString: svg, options: [])
    }

    /// All elements named `name` (namespace-agnostic), in document order.
    func elements(_ doc: XMLDocument, named name: String) -> [XMLElement] {
        var out: [XMLElement] = []
        func walk(_ node: XMLNode) {
            if let e = node as? XMLElement, e.localName == name { out.append(e) }
            for child in node.children ?? [] { walk(child) }
        }
        if let root = doc.rootElement() { walk(root) }
        return out
    }

    /// Attribute lookup via `attributes` (on Linux `attribute(forName:)` misses
    /// attributes of elements that live in a default namespace).
    func attr(_ e: XMLElement, _ name: String) -> String? {
        e.attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }

    func texts(_ doc: XMLDocument) -> [String] {
        elements(doc, named: "text").compactMap(\.stringValue)
    }

    func polylinePoints(_ doc: XMLDocument, series: String) throws -> [(Double, Double)] {
        let matching = elements(doc, named: "polyline").filter {
            attr($0, "data-series") == series
        }
        XCTAssertLessThanOrEqual(matching.count, 1)
        guard let element = matching.first,
              let points = attr(element, "points") else { return [] }
        return points.split(separator: " ").map { pair in
            let p = pair.split(separator: ",").map { Double($0)! }
            return (p[0], p[1])
        }
    }

    func testValidXMLWithTitleLabelsLegendAndEscaping() throws {
        var plot = SVGLinePlot(title: "Loss <MMD> & \"friends\"", xLabel: "step", yLabel: "energy")
        try plot.addSeries(name: "class A & B", x: [0, 1, 2, 3], y: [3, 1, 4, 1.5])
        try plot.addSeries(name: "b", y: [2, 2.5, 0.5])
        let svg = try plot.svg()
        XCTAssertTrue(svg.hasPrefix("<?xml"))
        let doc = try parse(svg)
        let root = try XCTUnwrap(doc.rootElement())
        XCTAssertEqual(root.localName, "svg")
        XCTAssertEqual(attr(root, "width"), "640")
        let texts = texts(doc)
        XCTAssertTrue(texts.contains("Loss <MMD> & \"friends\""), "title round-trips through escaping")
        XCTAssertTrue(texts.contains("step"))
        XCTAssertTrue(texts.contains("energy"))
        XCTAssertTrue(texts.contains("class A & B"), "legend entry")
        XCTAssertTrue(texts.contains("b"))
        XCTAssertEqual(try polylinePoints(doc, series: "class A & B").count, 4)
        XCTAssertEqual(try polylinePoints(doc, series: "b").count, 3)
        // Tick labels are numeric and cover the y data range 0.5...4.
        let numeric = texts.compactMap(Double.init)
        XCTAssertTrue(numeric.contains(0) && numeric.contains(4), "\(numeric)")
        // Higher y is drawn higher (smaller SVG y).
        let a = try polylinePoints(doc, series: "class A & B")
        guard a.count == 4 else { return }
        XCTAssertLessThan(a[2].1, a[1].1)
        XCTAssertLessThan(a[0].0, a[1].0)
    }

    func testLogAxisDropsNonPositiveValues() throws {
        var plot = SVGLinePlot(title: "log", logY: true)
        try plot.addSeries(name: "s", x: [0, 1, 2, 3, 4], y: [1, 0, 10, -5, 1000])
        let doc = try parse(try plot.svg())
        let points = try polylinePoints(doc, series: "s")
        XCTAssertEqual(points.count, 3, "y = 0 and y = -5 are skipped")
        guard points.count == 3 else { return }
        // Equal ratios give equal pixel steps on a log axis: 1 -> 10 is half of 10 -> 1000.
        XCTAssertEqual((points[0].1 - points[1].1) * 2, points[1].1 - points[2].1, accuracy: 0.02)
        let texts = texts(doc)
        XCTAssertTrue(texts.contains("1") && texts.contains("10") && texts.contains("1000"), "\(texts)")
    }

    func testLogAxisWithNothingPositiveThrows() throws {
        var plot = SVGLinePlot(logY: true)
        try plot.addSeries(name: "s", y: [0, -1])
        assertThrows(.noPlottableData(reason: "no positive y values for the log axis")) { try plot.svg() }
    }

    func testSinglePointAndConstantSeries() throws {
        var plot = SVGLinePlot()
        try plot.addSeries(name: "one", x: [5], y: [5])
        let doc = try parse(try plot.svg())
        XCTAssertEqual(elements(doc, named: "circle").count, 1)
        XCTAssertEqual(try polylinePoints(doc, series: "one").count, 1)
    }

    func testWriteToFile() throws {
        var plot = SVGLinePlot(title: "t")
        try plot.addSeries(name: "s", y: [1, 2, 3])
        let url = temporaryURL("p.svg")
        defer { try? FileManager.default.removeItem(at: url) }
        try plot.write(to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), try plot.svg())
    }

    func testTypedErrors() throws {
        var plot = SVGLinePlot()
        assertThrows(.noSeries) { try plot.svg() }
        assertThrows(.emptySeries(name: "e")) { try plot.addSeries(name: "e", x: [], y: []) }
        assertThrows(.seriesLengthMismatch(name: "m", xCount: 2, yCount: 1)) {
            try plot.addSeries(name: "m", x: [1, 2], y: [1])
        }
        XCTAssertThrowsError(try plot.addSeries(name: "n", x: [1, 2], y: [1, .nan])) { error in
            guard case RenderingError.nonFiniteCoordinate = error else { return XCTFail("\(error)") }
        }
        XCTAssertTrue(plot.series.isEmpty)
        try plot.addSeries(name: "ok", y: [1])
        plot.width = 10
        assertThrows(.invalidSize(width: 10, height: 400)) { try plot.svg() }
        plot.width = 230  // the plot area would run backwards
        assertThrows(.invalidSize(width: 230, height: 400)) { try plot.svg() }
        plot.width = 240
        XCTAssertNoThrow(try plot.svg())
        // Ranges Double cannot tick: an error, not a trap.
        for (x, y) in [([0, 1], [-1e308, 1e308]), ([-1.7e308, 1.7e308], [0, 1]), ([0, 1], [0, Double.leastNonzeroMagnitude])] as [([Double], [Double])] {
            var wide = SVGLinePlot()
            try wide.addSeries(name: "w", x: x, y: y)
            XCTAssertThrowsError(try wide.svg()) { error in
                guard case RenderingError.noPlottableData = error else { return XCTFail("\(x) \(y): \(error)") }
            }
        }
    }
}
