import Rendering
import XCTest

final class ScatterCanvasTests: XCTestCase {
    func testPointLandsOnExpectedPixel() throws {
        let bounds = try DataRect(xmin: 0, xmax: 10, ymin: 0, ymax: 10)
        var canvas = try ScatterCanvas(width: 100, height: 100, bounds: bounds)
        let red = RGB(255, 0, 0)
        try canvas.plot(x: 2.55, y: 7.45, color: red, radius: 0.5, alpha: 1)
        // x 2.55 -> px 25.5 (column 25); y 7.45 -> py 25.5 (row 25, y grows downward).
        XCTAssertEqual(try canvas.image.pixel(x: 25, y: 25), red)
        XCTAssertEqual(try canvas.image.pixel(x: 74, y: 74), .white)
        XCTAssertEqual(try canvas.image.pixel(x: 28, y: 25), .white, "radius 0.5 stays local")
        // Corners: (xmin, ymax) is the top-left pixel, (xmax - eps, ymin + eps) bottom-right.
        try canvas.plot(x: 0.01, y: 9.99, color: red, radius: 0, alpha: 1)
        XCTAssertNotEqual(try canvas.image.pixel(x: 0, y: 0), .white)
        try canvas.plot(x: 9.99, y: 0.01, color: red, radius: 0, alpha: 1)
        XCTAssertNotEqual(try canvas.image.pixel(x: 99, y: 99), .white)
    }

    func testDiscSizeAntialiasingAndAlpha() throws {
        let bounds = try DataRect(xmin: -1, xmax: 1, ymin: -1, ymax: 1)
        var canvas = try ScatterCanvas(width: 41, height: 41, bounds: bounds, background: .white)
        try canvas.plot(x: 0, y: 0, color: .black, radius: 5, alpha: 1)
        XCTAssertEqual(try canvas.image.pixel(x: 20, y: 20), .black)
        XCTAssertEqual(try canvas.image.pixel(x: 23, y: 20), .black)       // inside radius
        XCTAssertEqual(try canvas.image.pixel(x: 28, y: 20), .white)       // outside
        let rim = try canvas.image.pixel(x: 20, y: 25)                     // edge: partial
        XCTAssertTrue(rim.r > 0 && rim.r < 255, "rim pixel should be antialiased: \(rim)")
        var faint = try ScatterCanvas(width: 41, height: 41, bounds: bounds)
        try faint.plot(x: 0, y: 0, color: .black, radius: 3, alpha: 0.5)
        XCTAssertEqual(try faint.image.pixel(x: 20, y: 20), RGB(128, 128, 128))
        try faint.plot(x: 0, y: 0, color: .black, radius: 3, alpha: 0.5)
        XCTAssertEqual(try faint.image.pixel(x: 20, y: 20), RGB(64, 64, 64), "alpha composites")
        faint.clear()
        XCTAssertTrue(faint.image.pixels.allSatisfy { $0 == 255 })
    }

    func testPointsOutsideAreClippedAndBatchPlot() throws {
        let bounds = try DataRect(xmin: 0, xmax: 1, ymin: 0, ymax: 1)
        var canvas = try ScatterCanvas(width: 10, height: 10, bounds: bounds)
        try canvas.plot(x: 50, y: -3, color: .black, radius: 2)
        try canvas.plot(x: -1e300, y: 1e300, color: .black, radius: 2)
        XCTAssertTrue(canvas.image.pixels.allSatisfy { $0 == 255 })
        try canvas.plot(xs: [0.05, 0.95], ys: [0.95, 0.05], color: .black, radius: 0.5)
        XCTAssertEqual(try canvas.image.pixel(x: 0, y: 0), .black)
        XCTAssertEqual(try canvas.image.pixel(x: 9, y: 9), .black)
    }

    func testFittingKeepsEqualAspectAndContainsPoints() throws {
        let xs = [-2.0, 4, 1], ys = [0.0, 1, 0.5]
        let r = try DataRect.fitting(xs: xs, ys: ys, margin: 0.1, pixelWidth: 400, pixelHeight: 200)
        XCTAssertEqual((r.xmax - r.xmin) / (r.ymax - r.ymin), 2, accuracy: 1e-12)
        XCTAssertEqual(r.xmin, -2 - 0.6, accuracy: 1e-12)
        XCTAssertEqual(r.xmax, 4 + 0.6, accuracy: 1e-12)
        XCTAssertEqual((r.ymin + r.ymax) / 2, 0.5, accuracy: 1e-12)
        let tall = try DataRect.fitting(xs: xs, ys: ys, margin: 0, pixelWidth: 100, pixelHeight: 100)
        XCTAssertEqual(tall.xmax - tall.xmin, tall.ymax - tall.ymin, accuracy: 1e-12)
        let one = try DataRect.fitting(xs: [3], ys: [3], pixelWidth: 10, pixelHeight: 10)
        XCTAssertTrue(one.xmin < 3 && 3 < one.xmax && one.ymin < 3 && 3 < one.ymax)
    }

    func testPaletteHelpers() throws {
        XCTAssertEqual(Palette.categorical.count, 10)
        XCTAssertEqual(Set(Palette.categorical).count, 10)
        XCTAssertEqual(Palette.color(forClass: 11), Palette.categorical[1])
        XCTAssertEqual(Palette.color(forClass: -1), Palette.categorical[9])
        XCTAssertEqual(Palette.faint(.black, toward: .white, amount: 0.5), RGB(128, 128, 128))
        XCTAssertEqual(RGB(hex: 0x1F77B4).hexString, "#1f77b4")
        let shades = try Palette.shades(of: Array(Palette.categorical.prefix(3)), levels: 8)
        XCTAssertEqual(shades.first, .white)
        XCTAssertEqual(shades.count, 25)
        XCTAssertThrowsError(try Palette.shades(of: Palette.categorical, levels: 30))
    }

    func testTypedErrors() throws {
        let bounds = try DataRect(xmin: 0, xmax: 1, ymin: 0, ymax: 1)
        var canvas = try ScatterCanvas(width: 10, height: 10, bounds: bounds)
        XCTAssertThrowsError(try canvas.plot(x: .nan, y: 0, color: .black)) { error in
            guard case RenderingError.nonFiniteCoordinate = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try canvas.plot(xs: [0.5, .infinity], ys: [0.5, 0.5], color: .black))
        XCTAssertTrue(canvas.image.pixels.allSatisfy { $0 == 255 }, "nothing drawn on error")
        XCTAssertThrowsError(try canvas.plot(x: 0, y: 0, color: .black, radius: -1))
        XCTAssertThrowsError(try canvas.plot(x: 0, y: 0, color: .black, alpha: 1.5))
        XCTAssertThrowsError(try canvas.plot(x: 0, y: 0, color: .black, alpha: .nan))
        assertThrows(.seriesLengthMismatch(name: "points", xCount: 1, yCount: 2)) {
            try canvas.plot(xs: [0], ys: [0, 1], color: .black)
        }
        assertThrows(.invalidSize(width: -4, height: 10)) { try ScatterCanvas(width: -4, height: 10, bounds: bounds) }
        XCTAssertThrowsError(try DataRect(xmin: 1, xmax: 1, ymin: 0, ymax: 1))
        XCTAssertThrowsError(try DataRect(xmin: .nan, xmax: 1, ymin: 0, ymax: 1))
        assertThrows(.emptyInput(what: "points")) {
            try DataRect.fitting(xs: [], ys: [], pixelWidth: 10, pixelHeight: 10)
        }
        XCTAssertThrowsError(try DataRect.fitting(xs: [.nan], ys: [0], pixelWidth: 10, pixelHeight: 10))
        XCTAssertThrowsError(try DataRect.fitting(xs: [0], ys: [0], pixelWidth: 0, pixelHeight: 10))
    }
}
