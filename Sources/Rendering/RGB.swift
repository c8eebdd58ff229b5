/// An 8-bit-per-channel sRGB colour.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    /// Red channel, 0...255.
    public var r: UInt8
    /// Green channel, 0...255.
    public var g: UInt8
    /// Blue channel, 0...255.
    public var b: UInt8

    /// Creates a colour from its three channels.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r; self.g = g; self.b = b
    }

    /// Creates a colour from a 24-bit `0xRRGGBB` value (higher bits are ignored).
    public init(hex: UInt32) {
        self.init(UInt8((hex >> 16) & 0xFF), UInt8((hex >> 8) & 0xFF), UInt8(hex & 0xFF))
    }

    public static let black = RGB(0, 0, 0)
    public static let white = RGB(255, 255, 255)

    /// Linear blend `self * (1 - amount) + other * amount`, with `amount` clamped
    /// to 0...1 (NaN counts as 0). O(1).
    public func blended(toward other: RGB, amount: Double) -> RGB {
        let t = amount.isNaN ? 0 : min(max(amount, 0), 1)
        func mix(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) * (1 - t) + Double(b) * t).rounded())
        }
        return RGB(mix(r, other.r), mix(g, other.g), mix(b, other.b))
    }

    /// `#rrggbb` form, as used in SVG and CSS.
    public var hexString: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for c in [r, g, b] {
            s.append(digits[Int(c >> 4)]); s.append(digits[Int(c & 0xF)])
        }
        return s
    }

    public var description: String { hexString }

    /// Squared Euclidean distance in RGB space (used for palette quantisation).

    func squaredDistance(to o: RGB) -> Int {
        let dr = Int(r) - Int(o.r), dg = Int(g) - Int(o.g), db = Int(b) - Int(o.b)
        return dr * dr + dg * dg + db * db
    }
}
