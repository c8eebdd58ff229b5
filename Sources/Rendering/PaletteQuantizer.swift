extension RGBImage {
    /// Maps every pixel to the index of the nearest palette colour (squared
    /// Euclidean RGB distance; ties go to the lowest index).
    ///
    /// Distinct colours are cached, so cost is O(pixels + distinct colours *
    /// palette.count).
    /// - Throws: `invalidPaletteSize` unless the palette has 1...256 colours.
    public func paletteIndices(for palette: [RGB]) throws -> [UInt8] {
        guard (1...256).contains(palette.count) else {
            throw RenderingError.invalidPaletteSize(count: palette.count)
        }
        var cache: [RGB: UInt8] = [:]
        var out = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let c = RGB(pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2])
            if let hit = cache[c] { out[i] = hit; continue }
            var best = 0, bestDistance = Int.max
            for (j, p) in palette.enumerated() {
                let d = c.squaredDistance(to: p)
                if d < bestDistance { bestDistance = d; best = j }
            }
            cache[c] = UInt8(best)
            out[i] = UInt8(best)
        }
        return out
    }
}
