import Foundation

/// A line chart of one or more named (x, y) series, rendered as standalone SVG.
///
/// The y axis may be logarithmic (`logY`); in that mode points whose y value is
/// zero or negative are skipped (they cannot be placed on a log scale), and the
/// line joins the remaining neighbours. Ticks use "nice" 1-2-5 steps (linear) or
/// whole decades (log). The chart has a title, axis labels and a legend at the
/// right. Rendering is O(total points).
public struct SVGLinePlot: Sendable {
    /// One named polyline.
    public struct Series: Sendable, Equatable {
        public let name: String
        public let x: [Double]
        public let y: [Double]
        public let color: RGB
    }

    /// Title drawn above the plot (may be empty).
    public var title: String
    /// Label under the x axis (may be empty).
    public var xLabel: String
    /// Label left of the y axis (may be empty).
    public var yLabel: String
    /// Whether the y axis is log10 (non-positive y values are then skipped).
    public var logY: Bool
    /// Total width in pixels (at least 200).
    public var width: Int
    /// Total height in pixels (at least 150).
    public var height: Int
    /// Series added so far, in drawing and legend order.
    public private(set) var series: [Series] = []

    /// Creates an empty plot; add data with `addSeries`.
    public init(title: String = "", xLabel: String = "", yLabel: String = "",
                logY: Bool = false, width: Int = 640, height: Int = 400) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
        self.logY = logY; self.width = width; self.height = height
    }

    /// Adds a series; `color` defaults to `Palette.color(forClass: series.count)`.
    /// O(n).
    /// - Throws: `emptySeries`, `seriesLengthMismatch`, `nonFiniteCoordinate`
    ///   (NaN or infinite values are rejected, not skipped).
    public mutating func addSeries(name: String, x: [Double], y: [Double],
                                   color: RGB? = nil) throws {
        guard !x.isEmpty || !y.isEmpty else { throw RenderingError.emptySeries(name: name) }
        guard x.count == y.count else {
            throw RenderingError.seriesLengthMismatch(name: name, xCount: x.count, yCount: y.count)
        }
        for i in x.indices where !x[i].isFinite || !y[i].isFinite {
            throw RenderingError.nonFiniteCoordinate(x: x[i], y: y[i])
        }
        series.append(Series(name: name, x: x, y: y,
                             color: color ?? Palette.color(forClass: series.count)))
    }

    /// Convenience: adds a series with x = 0, 1, 2, ... (e.g. a loss per step).
    /// - Throws: as `addSeries(name:x:y:color:)`.
    public mutating func addSeries(name: String, y: [Double], color: RGB? = nil) throws {
        try addSeries(name: name, x: y.indices.map(Double.init), y: y, color: color)
    }

    /// Writes `svg()` to `url` atomically (UTF-8).
    /// - Throws: as `svg()`, or `writeFailed`.
    public func write(to url: URL) throws {
        try writeBytes(Array(try svg().utf8), to: url)
    }
}
