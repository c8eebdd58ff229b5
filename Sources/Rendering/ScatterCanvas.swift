/// A raster canvas for scatter plots: data coordinates in `bounds` are mapped
/// linearly onto a `width` x `height` image (x to the right, y upward, so
/// `ymax` is the top row).
///
/// Discs are antialiased (coverage falls off over one pixel at the rim) and
/// alpha-blended onto whatever is already drawn. Points partly or wholly outside
/// the image are clipped silently.
public struct ScatterCanvas: Sendable {
    /// The data rectangle shown.
    public let bounds: DataRect
    /// The background colour the canvas started with.
    public let background: RGB
    /// The rendered image so far.
    public private(set) var image: RGBImage

    /// Image width in pixels.
    public var width: Int { image.width }
    /// Image height in pixels.
    public var height: Int { image.height }

    /// Creates a blank canvas.
    /// - Throws: `invalidSize` for non-positive sizes.
    public init(width: Int, height: Int, bounds: DataRect, background: RGB = .white) throws {
        self.bounds = bounds
        self.background = background
        self.image = try RGBImage(width: width, height: height, background: background)
    }

    /// Continuous pixel coordinates of a data point: pixel `(i, j)` covers
    /// `[i, i+1) x [j, j+1)`, so a point maps into pixel `(floor(px), floor(py))`.
    public func pixelPosition(x: Double, y: Double) -> (px: Double, py: Double) {
        let px = (x - bounds.xmin) / (bounds.xmax - bounds.xmin) * Double(width)
        let py = (bounds.ymax - y) / (bounds.ymax - bounds.ymin) * Double(height)
        return (px, py)
    }

    /// Draws a filled disc of `radius` pixels centred on data point `(x, y)`
    /// with opacity `alpha` (0...1). O(radius^2).
    /// - Throws: `nonFiniteCoordinate` for NaN/infinite `x`/`y`;
    ///   `invalidParameter` for a negative/non-finite radius or alpha outside 0...1.
    public mutating func plot(x: Double, y: Double, color: RGB, radius: Double = 2,
                              alpha: Double = 1) throws {
        guard x.isFinite, y.isFinite else { throw RenderingError.nonFiniteCoordinate(x: x, y: y) }
        guard radius.isFinite, radius >= 0, radius <= 1e4 else {
            throw RenderingError.invalidParameter(name: "radius", value: "\(radius)",
                                                  reason: "must be finite, in 0...10000")
        }
        guard alpha >= 0, alpha <= 1 else {
            throw RenderingError.invalidParameter(name: "alpha", value: "\(alpha)",
                                                  reason: "must be in 0...1")
        }
        let (cx, cy) = pixelPosition(x: x, y: y)
        let reach = radius + 0.5
        let limit = Double(max(width, height)) + reach
        guard cx > -reach, cy > -reach, cx < limit, cy < limit else { return }
        let x0 = max(0, Int((cx - reach).rounded(.down)))
        let x1 = min(width - 1, Int((cx + reach).rounded(.up)))
        let y0 = max(0, Int((cy - reach).rounded(.down)))
        let y1 = min(height - 1, Int((cy + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        for j in y0...y1 {
            for i in x0...x1 {
                let dx = Double(i) + 0.5 - cx, dy = Double(j) + 0.5 - cy
                let dist = (dx * dx + dy * dy).squareRoot()
                // Even a zero-radius point lights the pixel containing it.
                let coverage = i == Int(cx.rounded(.down)) && j == Int(cy.rounded(.down))
                    ? max(min(reach - dist, 1), 0.5)
                    : min(max(reach - dist, 0), 1)
                guard coverage > 0 else { continue }
                let old = image.unsafePixel(i, j)
                image.unsafeSetPixel(i, j, old.blended(toward: color, amount: alpha * coverage))
            }
        }
    }

    /// Draws one disc per point `(xs[k], ys[k])`, all with the same style.
    /// Validates every point first, so nothing is drawn when it throws. O(n * radius^2).
    /// - Throws: as `plot(x:y:color:radius:alpha:)`, plus `seriesLengthMismatch`.
    public mutating func plot(xs: [Double], ys: [Double], color: RGB, radius: Double = 2,
                              alpha: Double = 1) throws {
        guard xs.count == ys.count else {
            throw RenderingError.seriesLengthMismatch(name: "points", xCount: xs.count,
                                                      yCount: ys.count)
        }
        for k in xs.indices where !xs[k].isFinite || !ys[k].isFinite {
            throw RenderingError.nonFiniteCoordinate(x: xs[k], y: ys[k])
        }
        for (x, y) in zip(xs, ys) {
            try plot(x: x, y: y, color: color, radius: radius, alpha: alpha)
        }
    }

    /// Clears the canvas back to `background`. O(pixels).
    public mutating func clear() { image.fill(background) }
}
