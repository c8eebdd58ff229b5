/// An 8-bit RGB raster image.
///
/// Layout: `pixels` holds `width * height * 3` bytes, RGB interleaved, row-major,
/// top row first (pixel `(x, y)` starts at byte `3 * (y * width + x)`).
/// Coordinates are zero-based with `y` growing downward.
public struct RGBImage: Equatable, Sendable {
    /// Width in pixels (> 0).
    public let width: Int
    /// Height in pixels (> 0).
    public let height: Int
    /// Interleaved RGB bytes, `width * height * 3` of them.
    public internal(set) var pixels: [UInt8]

    /// Largest accepted pixel count (2^28), keeping byte counts far from overflow.
    public static let maxPixelCount = 1 << 28

    /// Validates a size; throws `RenderingError.invalidSize` when unusable.
    static func checkSize(_ width: Int, _ height: Int) throws {
        guard width > 0, height > 0, width <= maxPixelCount, height <= maxPixelCount,
              width * height <= maxPixelCount else {
            throw RenderingError.invalidSize(width: width, height: height)
        }
    }

    /// Creates an image filled with `background`. O(width * height).
    /// - Throws: `RenderingError.invalidSize` for non-positive or huge sizes.
    public init(width: Int, height: Int, background: RGB = .white) throws {
        try RGBImage.checkSize(width, height)
        self.width = width
        self.height = height
        var buffer = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            buffer[3 * i] = background.r
            buffer[3 * i + 1] = background.g
            buffer[3 * i + 2] = background.b
        }
        self.pixels = buffer
    }

    /// Wraps an existing interleaved RGB buffer (see the type's layout notes). O(1).
    /// - Throws: `invalidSize`, or `bufferLengthMismatch` unless
    ///   `pixels.count == width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        try RGBImage.checkSize(width, height)
        guard pixels.count == width * height * 3 else {
            throw RenderingError.bufferLengthMismatch(expected: width * height * 3,
                                                      actual: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether `(x, y)` lies inside the image.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < width && y < height
    }

    /// The colour at `(x, y)`. O(1).
    /// - Throws: `RenderingError.pixelOutOfBounds`.
    public func pixel(x: Int, y: Int) throws -> RGB {
        guard contains(x: x, y: y) else {
            throw RenderingError.pixelOutOfBounds(x: x, y: y, width: width, height: height)
        }
        return unsafePixel(x, y)
    }

    /// Sets the colour at `(x, y)`. O(1).
    /// - Throws: `RenderingError.pixelOutOfBounds`.
    public mutating func setPixel(x: Int, y: Int, to color: RGB) throws {
        guard contains(x: x, y: y) else {
            throw RenderingError.pixelOutOfBounds(x: x, y: y, width: width, height: height)
        }
        unsafeSetPixel(x, y, color)
    }

    /// Fills the whole image with one colour. O(width * height).
    public mutating func fill(_ color: RGB) {
        for i in 0..<(width * height) { unsafeSetPixel(i % width, i / width, color) }
    }

    /// Unchecked read; callers guarantee bounds.
    @inline(__always)
    func unsafePixel(_ x: Int, _ y: Int) -> RGB {
        let o = 3 * (y * width + x)
        return RGB(pixels[o], pixels[o + 1], pixels[o + 2])
    }

    /// Unchecked write; callers guarantee bounds.
    @inline(__always)
    mutating func unsafeSetPixel(_ x: Int, _ y: Int, _ c: RGB) {
        let o = 3 * (y * width + x)
        pixels[o] = c.r; pixels[o + 1] = c.g; pixels[o + 2] = c.b
    }
}
