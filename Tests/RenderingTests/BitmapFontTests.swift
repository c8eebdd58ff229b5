import Rendering
import XCTest

/// Any text draws, whatever its characters: letters without a glyph, or whose capital
/// form is several characters, draw as `?` instead of trapping.
final class BitmapFontTests: XCTestCase {
    func testCharactersWithMultiCharacterCapitalsDrawAsTheUnknownGlyph() throws {
        let unknown = BitmapFont.glyph("?")
        XCTAssertEqual(BitmapFont.glyph("ß"), unknown)   // "SS"
        XCTAssertEqual(BitmapFont.glyph("ﬁ"), unknown)   // "FI"
        XCTAssertEqual(BitmapFont.glyph("ŉ"), unknown)   // "ʼN"
        XCTAssertEqual(BitmapFont.glyph("é"), unknown)   // no glyph for É
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        XCTAssertNotEqual(BitmapFont.glyph("A"), unknown)
        var image = try RGBImage(width: 60, height: 10)
        image.drawText("Straße ﬁx", x: 1, y: 1)
        XCTAssertTrue(image.pixels.contains(0), "the text drew nothing")
        let grid = try RGBImage.labeledRows([(label: "Größe", tiles: [try RGBImage(width: 2, height: 2)])])
        XCTAssertGreaterThan(grid.width, BitmapFont.width(of: "Größe"))
    }
}
