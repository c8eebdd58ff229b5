import Rendering
import XCTest

final class RGBImageTests: XCTestCase {
    func testBackgroundGetSetAndLayout() throws {
        var image = try RGBImage(width: 4, height: 3, background: RGB(1, 2, 3))
        XCTAssertEqual(image.pixels.count, 36)
        XCTAssertEqual(try image.pixel(x: 3, y: 2), RGB(1, 2, 3))
        try image.setPixel(x: 2, y: 1, to: RGB(9, 8, 7))
        XCTAssertEqual(try image.pixel(x: 2, y: 1), RGB(9, 8, 7))
        let o = 3 * (1 * 4 + 2)  // row-major, top row first
        XCTAssertEqual(Array(image.pixels[o..<(o + 3)]), [9, 8, 7])
        image.fill(.black)
        XCTAssertTrue(image.pixels.allSatisfy { $0 == 0 })
    }

    func testGrayscaleMapping() throws {
        let image = try RGBImage(grayscale: [-1, 0, 0.5, 1, 2, .nan], width: 3, height: 2, range: 0...1)
        XCTAssertEqual(try image.pixel(x: 0, y: 0), .black)      // clamped
        XCTAssertEqual(try image.pixel(x: 2, y: 0), RGB(128, 128, 128))
        XCTAssertEqual(try image.pixel(x: 0, y: 1), .white)
        XCTAssertEqual(try image.pixel(x: 1, y: 1), .white)      // clamped
        XCTAssertEqual(try image.pixel(x: 2, y: 1), .black)      // NaN -> black
        let shifted = try RGBImage(grayscale: [-1, 1], width: 2, height: 1, range: -1...1)
        XCTAssertEqual(shifted.pixels, [0, 0, 0, 255, 255, 255])
    }

    func testGridPlacesTilesWithPadding() throws {
        let red = try RGBImage(width: 2, height: 2, background: RGB(255, 0, 0))
        let blue = try RGBImage(width: 1, height: 3, background: RGB(0, 0, 255))
        let grid = try RGBImage.grid([red, blue, red], columns: 2, padding: 1, background: .white)
        // Cells are 2x3; 2 columns, 2 rows.
        XCTAssertEqual(grid.width, 1 + 2 * (2 + 1))
        XCTAssertEqual(grid.height, 1 + 2 * (3 + 1))
        XCTAssertEqual(try grid.pixel(x: 0, y: 0), .white)
        XCTAssertEqual(try grid.pixel(x: 1, y: 1), RGB(255, 0, 0))
        XCTAssertEqual(try grid.pixel(x: 2, y: 2), RGB(255, 0, 0))
        XCTAssertEqual(try grid.pixel(x: 1, y: 3), .white)       // below the 2-high tile
        XCTAssertEqual(try grid.pixel(x: 4, y: 3), RGB(0, 0, 255))
        XCTAssertEqual(try grid.pixel(x: 5, y: 1), .white)       // right of the 1-wide tile
        XCTAssertEqual(try grid.pixel(x: 1, y: 5), RGB(255, 0, 0))
        XCTAssertEqual(try grid.pixel(x: 4, y: 5), .white)       // empty last cell
        let single = try RGBImage.grid([red], columns: 5, padding: 0)
        XCTAssertEqual(single, red)
    }

    func testTypedErrors() throws {
        assertThrows(.invalidSize(width: 0, height: 3)) { try RGBImage(width: 0, height: 3) }
        assertThrows(.invalidSize(width: 3, height: -1)) { try RGBImage(width: 3, height: -1) }
        assertThrows(.bufferLengthMismatch(expected: 12, actual: 11)) {
            try RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11))
        }
        assertThrows(.bufferLengthMismatch(expected: 4, actual: 3)) {
            try RGBImage(grayscale: [0, 0, 0], width: 2, height: 2)
        }
        XCTAssertThrowsError(try RGBImage(grayscale: [0], width: 1, height: 1, range: 1...1))
        let tile = try RGBImage(width: 2, height: 2)
        assertThrows(.invalidParameter(name: "padding", value: "-1", reason: "must lie in 0...10000")) {
            _ = try RGBImage.labeledRows([("a", [tile])], padding: -1)
        }
        XCTAssertThrowsError(try RGBImage.labeledRows([("a", [tile])], scale: 0))
        var image = try RGBImage(width: 2, height: 2)
        assertThrows(.pixelOutOfBounds(x: 2, y: 0, width: 2, height: 2)) { try image.pixel(x: 2, y: 0) }
        assertThrows(.pixelOutOfBounds(x: -1, y: 0, width: 2, height: 2)) {
            try image.setPixel(x: -1, y: 0, to: .black)
        }
        assertThrows(.emptyInput(what: "grid tiles")) { try RGBImage.grid([], columns: 2) }
        XCTAssertThrowsError(try RGBImage.grid([image], columns: 0))
        XCTAssertThrowsError(try RGBImage.grid([image], columns: 1, padding: -1))
        XCTAssertThrowsError(try image.paletteIndices(for: []))
    }
}
