extension RGBImage {
    /// Tiles images into a grid, row by row, `columns` per row.
    ///
    /// Every cell is as large as the largest tile; each tile sits at its cell's
    /// top-left corner. `padding` pixels of `background` separate cells and surround
    /// the grid. The result is
    /// `columns*cellW + (columns+1)*padding` wide (columns is capped at the tile
    /// count) and `rows*cellH + (rows+1)*padding` high. O(total output pixels).
    /// - Throws: `emptyInput` with no tiles, `invalidParameter` if `columns < 1`
    ///   or `padding < 0`, `invalidSize` if the grid is too large.
    public static func grid(_ tiles: [RGBImage], columns: Int, padding: Int = 2,
                            background: RGB = .white) throws -> RGBImage {
        guard !tiles.isEmpty else { throw RenderingError.emptyInput(what: "grid tiles") }
        guard columns >= 1 else {
            throw RenderingError.invalidParameter(name: "columns", value: "\(columns)",
                                                  reason: "must be at least 1")
        }
        guard padding >= 0, padding <= maxPixelCount else {
            throw RenderingError.invalidParameter(name: "padding", value: "\(padding)",
                                                  reason: "must be non-negative")
        }
        let cols = min(columns, tiles.count)
        let rows = (tiles.count + cols - 1) / cols
        let cellW = tiles.map(\.width).max()!, cellH = tiles.map(\.height).max()!
        let (w, o1) = cols.multipliedReportingOverflow(by: cellW + padding)
        let (h, o2) = rows.multipliedReportingOverflow(by: cellH + padding)
        guard !o1, !o2 else { throw RenderingError.invalidSize(width: Int.max, height: Int.max) }
        var out = try RGBImage(width: w + padding, height: h + padding, background: background)
        for (i, tile) in tiles.enumerated() {
            let x0 = padding + (i % cols) * (cellW + padding)
            let y0 = padding + (i / cols) * (cellH + padding)
            for y in 0..<tile.height {
                let src = 3 * y * tile.width
                let dst = 3 * ((y0 + y) * out.width + x0)
                out.pixels.replaceSubrange(dst..<(dst + 3 * tile.width),
                                           with: tile.pixels[src..<(src + 3 * tile.width)])
            }
        }
        return out
    }
}
