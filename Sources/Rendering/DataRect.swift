/// An axis-aligned rectangle in data coordinates, mapped onto a pixel image.
public struct DataRect: Equatable, Sendable {
    public let xmin: Double
    public let xmax: Double
    public let ymin: Double
    public let ymax: Double

    /// Creates a rectangle.
    /// - Throws: `nonFiniteCoordinate` for NaN/infinite bounds,
    ///   `invalidParameter` unless `xmin < xmax` and `ymin < ymax`.
    public init(xmin: Double, xmax: Double, ymin: Double, ymax: Double) throws {
        for (x, y) in [(xmin, ymin), (xmax, ymax)] where !x.isFinite || !y.isFinite {
            throw RenderingError.nonFiniteCoordinate(x: x, y: y)
        }
        guard xmin < xmax, ymin < ymax, (xmax - xmin).isFinite, (ymax - ymin).isFinite else {
            throw RenderingError.invalidParameter(
                name: "bounds", value: "x \(xmin)...\(xmax), y \(ymin)...\(ymax)",
                reason: "needs xmin < xmax and ymin < ymax")
        }
        self.xmin = xmin; self.xmax = xmax; self.ymin = ymin; self.ymax = ymax
    }

    /// The smallest rectangle that contains all points `(xs[i], ys[i])` plus a
    /// margin of `margin` times the larger data span on every side, widened in one
    /// direction so that `width / height` equals `pixelWidth / pixelHeight`
    /// (one data unit spans the same number of pixels on both axes). A single
    /// point (zero span) gets a span of 1 around it. O(n).
    /// - Throws: `emptyInput`, `seriesLengthMismatch` (xs/ys counts differ),
    ///   `nonFiniteCoordinate`, `invalidSize`, `invalidParameter` (negative or
    ///   non-finite margin).
    public static func fitting(xs: [Double], ys: [Double], margin: Double = 0.05,
                               pixelWidth: Int, pixelHeight: Int) throws -> DataRect {
        guard !xs.isEmpty else { throw RenderingError.emptyInput(what: "points") }
        guard xs.count == ys.count else {
            throw RenderingError.seriesLengthMismatch(name: "points", xCount: xs.count,
                                                      yCount: ys.count)
        }
        guard pixelWidth > 0, pixelHeight > 0 else {
            throw RenderingError.invalidSize(width: pixelWidth, height: pixelHeight)
        }
        guard margin.isFinite, margin >= 0 else {
            throw RenderingError.invalidParameter(name: "margin", value: "\(margin)",
                                                  reason: "must be finite and >= 0")
        }
        var lo = (x: Double.infinity, y: Double.infinity)
        var hi = (x: -Double.infinity, y: -Double.infinity)
        for (x, y) in zip(xs, ys) {
            guard x.isFinite, y.isFinite else { throw RenderingError.nonFiniteCoordinate(x: x, y: y) }
            lo = (min(lo.x, x), min(lo.y, y)); hi = (max(hi.x, x), max(hi.y, y))
        }
        let spanX = hi.x - lo.x, spanY = hi.y - lo.y
        let span = max(spanX, spanY) > 0 ? max(spanX, spanY) : 1
        var w = spanX + 2 * margin * span, h = spanY + 2 * margin * span
        if w <= 0 && h <= 0 { w = span; h = span }
        let aspect = Double(pixelWidth) / Double(pixelHeight)
        if w / h < aspect { w = h * aspect } else { h = w / aspect }
        let cx = (lo.x + hi.x) / 2, cy = (lo.y + hi.y) / 2
        return try DataRect(xmin: cx - w / 2, xmax: cx + w / 2, ymin: cy - h / 2, ymax: cy + h / 2)
    }
}
