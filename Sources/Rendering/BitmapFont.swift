/// A 5 x 7 pixel bitmap font for labels in raster images (digits, letters shown as
/// capitals, and `-/:._()=+`; any other character draws as `?`).
///
/// Each glyph is seven rows of five bits, most significant bit leftmost. Glyphs advance
/// by six pixels (one column of spacing) times the scale.
public enum BitmapFont {
    /// Glyph height in pixels at scale 1.
    public static let glyphHeight = 7
    /// Horizontal advance per character at scale 1.
    public static let advance = 6

    static let glyphs: [Character: [UInt8]] = [
        "0": [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], "1": [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        "2": [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], "3": [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        "4": [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], "5": [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        "6": [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], "7": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        "8": [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], "9": [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        "A": [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], "B": [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        "C": [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], "D": [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        "E": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], "F": [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        "G": [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], "H": [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        "I": [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], "J": [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        "K": [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], "L": [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        "M": [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], "N": [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        "O": [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "P": [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        "Q": [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], "R": [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        "S": [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], "T": [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        "U": [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], "V": [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        "W": [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], "X": [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        "Y": [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], "Z": [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        "-": [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00], "/": [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10],
        ":": [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00], ".": [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        "_": [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F], " ": [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        "(": [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], ")": [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        "=": [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00], "+": [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        "?": unknown,
    ]

    /// The seven row bitmaps of `character` (capitals for letters, `?` if unknown).
    ///
    /// A character whose capital form is several characters (`ß` -> `SS`, `ﬁ` -> `FI`)
    /// has no single glyph and draws as `?`.
    public static func glyph(_ character: Character) -> [UInt8] {
        let upper = character.uppercased()
        guard upper.count == 1, let key = upper.first, let bits = glyphs[key] else { return unknown }
        return bits
    }

    /// The glyph of `?`, drawn for every character the font lacks.
    static let unknown: [UInt8] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04]

    /// Width in pixels of `text` at `scale` (no trailing spacing).
    public static func width(of text: String, scale: Int = 1) -> Int {
        text.isEmpty ? 0 : (text.count * advance - 1) * scale
    }
}

extension RGBImage {
    /// Draws `text` with its top-left corner at (`x`, `y`) in the 5 x 7 ``BitmapFont``,
    /// each font pixel a `scale` x `scale` block; pixels outside the image are skipped.
    ///
    /// - Complexity: O(characters x 35 x scale^2).
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGB = .black, scale: Int = 1) {
        let scale = max(1, scale)
        for (k, character) in text.enumerated() {
            let rows = BitmapFont.glyph(character)
            let left = x + k * BitmapFont.advance * scale
            for (r, bits) in rows.enumerated() {
                for c in 0..<5 where bits & (0x10 >> UInt8(c)) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = left + c * scale + dx, py = y + r * scale + dy
                            if contains(x: px, y: py) { unsafeSetPixel(px, py, color) }
                        }
                    }
                }
            }
        }
    }

    /// A grid of image rows, each row labelled on its left (e.g. one row per class).
    ///
    /// - Parameters:
    ///   - rows: a label and the tiles of each row (tiles of one size are best; each cell
    ///     is as large as the largest tile).
    ///   - padding: pixels between cells and around the grid.
    ///   - scale: font scale of the labels.
    /// - Throws: `emptyInput` when there is no tile; `invalidParameter` for a negative
    ///   padding or a scale outside `1...64`.
    public static func labeledRows(_ rows: [(label: String, tiles: [RGBImage])], padding: Int = 2,
                                   scale: Int = 1, background: RGB = .white) throws -> RGBImage {
        guard (0...10_000).contains(padding) else {
            throw RenderingError.invalidParameter(name: "padding", value: String(padding), reason: "must lie in 0...10000")
        }
        guard (1...64).contains(scale) else {
            throw RenderingError.invalidParameter(name: "scale", value: String(scale), reason: "must lie in 1...64")
        }
        let tiles = rows.flatMap(\.tiles)
        guard !tiles.isEmpty else { throw RenderingError.emptyInput(what: "labelled grid tiles") }
        let columns = rows.map(\.tiles.count).max()!
        let cellW = tiles.map(\.width).max()!, cellH = tiles.map(\.height).max()!
        let labelWidth = (rows.map { BitmapFont.width(of: $0.label, scale: scale) }.max() ?? 0) + 2 * padding
        let rowHeight = max(cellH, BitmapFont.glyphHeight * scale)
        let width = labelWidth + columns * (cellW + padding) + padding
        let height = rows.count * (rowHeight + padding) + padding
        var out = try RGBImage(width: width, height: height, background: background)
        for (r, row) in rows.enumerated() {
            let y0 = padding + r * (rowHeight + padding)
            out.drawText(row.label, x: padding, y: y0 + (rowHeight - BitmapFont.glyphHeight * scale) / 2, scale: scale)
            for (c, tile) in row.tiles.enumerated() {
                let x0 = labelWidth + c * (cellW + padding)
                for y in 0..<tile.height {
                    for x in 0..<tile.width { out.unsafeSetPixel(x0 + x, y0 + y, tile.unsafePixel(x, y)) }
                }
            }
        }
        return out
    }
}
