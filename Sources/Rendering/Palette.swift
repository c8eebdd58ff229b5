/// Ready-made colours for categorical plots and helpers to derive GIF palettes.
public enum Palette {
    /// Ten well-separated colours for class labels (the familiar "tab10" set).
    public static let categorical: [RGB] = [
        RGB(hex: 0x1F77B4), RGB(hex: 0xFF7F0E), RGB(hex: 0x2CA02C), RGB(hex: 0xD62728),
        RGB(hex: 0x9467BD), RGB(hex: 0x8C564B), RGB(hex: 0xE377C2), RGB(hex: 0x7F7F7F),
        RGB(hex: 0xBCBD22), RGB(hex: 0x17BECF),
    ]

    /// The categorical colour for class `index` (wraps around; negative indices
    /// are taken modulo the palette size). O(1).
    public static func color(forClass index: Int) -> RGB {
        let n = categorical.count
        return categorical[((index % n) + n) % n]
    }

    /// A washed-out version of `color`: blended `amount` (0...1) of the way
    /// toward `background`. O(1).
    public static func faint(_ color: RGB, toward background: RGB = .white,
                             amount: Double = 0.7) -> RGB {
        color.blended(toward: background, amount: amount)
    }

    /// A GIF-ready palette: `background` first, then for each colour `levels`
    /// shades running from the full colour toward the background (excluded), so
    /// antialiased, alpha-blended plots quantise well. Duplicates are removed.
    /// Holds at most `1 + colors.count * levels` entries. O(that count).
    /// - Throws: `invalidParameter` if `levels < 1`; `invalidPaletteSize` if the
    ///   result would exceed 256 colours.
    public static func shades(of colors: [RGB], background: RGB = .white,
                              levels: Int = 8) throws -> [RGB] {
        guard levels >= 1 else {
            throw RenderingError.invalidParameter(name: "levels", value: "\(levels)",
                                                  reason: "must be at least 1")
        }
        var out = [background]
        var seen: Set<RGB> = [background]
        for c in colors {
            for k in 0..<levels {
                let shade = c.blended(toward: background, amount: Double(k) / Double(levels))
                if seen.insert(shade).inserted { out.append(shade) }
            }
        }
        guard out.count <= 256 else { throw RenderingError.invalidPaletteSize(count: out.count) }
        return out
    }
}
