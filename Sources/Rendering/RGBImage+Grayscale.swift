extension RGBImage {
    /// Builds a grey image from row-major `Float` intensities (top row first).
    ///
    /// Each value is mapped linearly from `range` to 0...255 (lower bound -> black,
    /// upper bound -> white) and clamped; NaN values become black. O(width * height).
    /// - Throws: `invalidSize`, `bufferLengthMismatch` unless
    ///   `grayscale.count == width * height`, `invalidParameter` if `range` is
    ///   empty (`lowerBound == upperBound`) or has a non-finite bound.
    public init(grayscale: [Float], width: Int, height: Int,
                range: ClosedRange<Float> = 0...1) throws {
        try RGBImage.checkSize(width, height)
        guard grayscale.count == width * height else {
            throw RenderingError.bufferLengthMismatch(expected: width * height,
                                                      actual: grayscale.count)
        }
        guard range.lowerBound.isFinite, range.upperBound.isFinite,
              range.upperBound > range.lowerBound else {
            throw RenderingError.invalidParameter(
                name: "range", value: "\(range)",
                reason: "needs finite bounds with lowerBound < upperBound")
        }
        let lo = range.lowerBound, span = range.upperBound - range.lowerBound
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for (i, v) in grayscale.enumerated() {
            var t = (v - lo) / span
            if t.isNaN { t = 0 }
            let g = UInt8((min(max(t, 0), 1) * 255).rounded())
            bytes[3 * i] = g; bytes[3 * i + 1] = g; bytes[3 * i + 2] = g
        }
        try self.init(width: width, height: height, pixels: bytes)
    }
}
