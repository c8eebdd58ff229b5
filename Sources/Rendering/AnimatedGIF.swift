import Foundation

/// An animated GIF (GIF89a) built frame by frame over one global palette.
///
/// Every frame covers the whole logical screen and is stored as palette indices,
/// LZW-compressed at `append` time (so memory holds compressed frames only).
/// The file contains: header, logical screen descriptor, global colour table
/// (padded with black to a power of two, at least 2 entries), an optional
/// NETSCAPE2.0 application extension for infinite looping, then per frame a
/// graphic control extension (delay in 1/100 s) and an image descriptor with
/// LZW data in 255-byte sub-blocks, and finally the trailer byte `0x3B`.
public struct AnimatedGIF: Sendable {
    /// Logical screen width in pixels (1...65535).
    public let width: Int
    /// Logical screen height in pixels (1...65535).
    public let height: Int
    /// The colours (1...256) that frame indices refer to.
    public let palette: [RGB]
    /// Default delay between frames, in hundredths of a second (0...65535).
    public let delayCentiseconds: Int
    /// Whether viewers should repeat the animation forever (NETSCAPE2.0 block).
    public let loop: Bool

    struct Frame: Sendable {
        var delay: UInt16
        var lzw: [UInt8]
    }
    private var frames: [Frame] = []

    /// Number of frames appended so far.
    public var frameCount: Int { frames.count }

    /// Bits per colour-table index: smallest n >= 1 with 2^n >= palette.count.
    var tableBits: Int {
        var n = 1
        while (1 << n) < palette.count { n += 1 }
        return n
    }

    /// Creates an empty animation.
    /// - Throws: `invalidSize` (sizes must be 1...65535), `invalidPaletteSize`
    ///   (1...256 colours), `invalidParameter` for a delay outside 0...65535.
    public init(width: Int, height: Int, palette: [RGB], delayCentiseconds: Int = 5,
                loop: Bool = true) throws {
        guard (1...65535).contains(width), (1...65535).contains(height),
              width * height <= RGBImage.maxPixelCount else {
            throw RenderingError.invalidSize(width: width, height: height)
        }
        guard (1...256).contains(palette.count) else {
            throw RenderingError.invalidPaletteSize(count: palette.count)
        }
        try AnimatedGIF.checkDelay(delayCentiseconds)
        self.width = width
        self.height = height
        self.palette = palette
        self.delayCentiseconds = delayCentiseconds
        self.loop = loop
    }

    static func checkDelay(_ d: Int) throws {
        guard (0...65535).contains(d) else {
            throw RenderingError.invalidParameter(name: "delayCentiseconds", value: "\(d)",
                                                  reason: "must be in 0...65535")
        }
    }

    /// Appends a frame of `width * height` palette indices (row-major, top row
    /// first). `delayCentiseconds` overrides the default delay for this frame.
    /// O(pixel count).
    /// - Throws: `bufferLengthMismatch`, `paletteIndexOutOfRange`, `invalidParameter`.
    public mutating func append(frame indices: [UInt8], delayCentiseconds: Int? = nil) throws {
        guard indices.count == width * height else {
            throw RenderingError.bufferLengthMismatch(expected: width * height,
                                                      actual: indices.count)
        }
        let delay = delayCentiseconds ?? self.delayCentiseconds
        try AnimatedGIF.checkDelay(delay)
        if let bad = indices.first(where: { Int($0) >= palette.count }) {
            throw RenderingError.paletteIndexOutOfRange(index: Int(bad),
                                                        paletteCount: palette.count)
        }
        let lzw = LZWEncoder.compress(indices, minCodeSize: max(2, tableBits))
        frames.append(Frame(delay: UInt16(delay), lzw: lzw))
    }

    /// Quantises `image` to the palette (nearest colour, see
    /// `RGBImage.paletteIndices(for:)`) and appends it. O(pixel count).
    /// - Throws: `invalidSize` if the image size differs from the animation's.
    public mutating func append(frame image: RGBImage, delayCentiseconds: Int? = nil) throws {
        guard image.width == width, image.height == height else {
            throw RenderingError.invalidSize(width: image.width, height: image.height)
        }
        try append(frame: image.paletteIndices(for: palette),
                   delayCentiseconds: delayCentiseconds)
    }

    /// The complete GIF file bytes. O(total compressed size).
    public func data() -> [UInt8] {
        var out = [UInt8]()
        out.appendASCII("GIF89a")
        out.appendLittleEndian16(UInt16(width))
        out.appendLittleEndian16(UInt16(height))
        out.append(0x80 | 0x70 | UInt8(tableBits - 1))  // global table, 8-bit colour resolution
        out += [0, 0]                                    // background index, aspect ratio
        for i in 0..<(1 << tableBits) {
            let c = i < palette.count ? palette[i] : .black
            out += [c.r, c.g, c.b]
        }
        if loop {
            out += [0x21, 0xFF, 0x0B]
            out.appendASCII("NETSCAPE2.0")
            out += [0x03, 0x01, 0x00, 0x00, 0x00]        // loop count 0 = forever
        }
        for frame in frames {
            out += [0x21, 0xF9, 0x04, 0x04]              // GCE, disposal 1 (leave in place)
            out.appendLittleEndian16(frame.delay)
            out += [0x00, 0x00]                          // no transparency, terminator
            out.append(0x2C)                             // image descriptor
            out.appendLittleEndian16(0); out.appendLittleEndian16(0)
            out.appendLittleEndian16(UInt16(width)); out.appendLittleEndian16(UInt16(height))
            out.append(0x00)                             // no local table, not interlaced
            out.append(UInt8(max(2, tableBits)))         // LZW minimum code size
            var start = 0
            while start < frame.lzw.count {
                let end = min(start + 255, frame.lzw.count)
                out.append(UInt8(end - start))
                out += frame.lzw[start..<end]
                start = end
            }
            out.append(0x00)                             // block terminator
        }
        out.append(0x3B)
        return out
    }

    /// Writes `data()` to `url` atomically.
    /// - Throws: `RenderingError.writeFailed`.
    public func write(to url: URL) throws {
        try writeBytes(data(), to: url)
    }
}
