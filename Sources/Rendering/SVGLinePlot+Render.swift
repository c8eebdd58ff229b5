import Foundation

extension SVGLinePlot {
    /// Renders the plot as a standalone SVG 1.1 document (UTF-8 XML with
    /// declaration; all text escaped). O(total points).
    /// - Throws: `noSeries`; `emptySeries` for a series without points;
    ///   `invalidSize` if `width < 240` or `height < 150` (or over 100000);
    ///   `noPlottableData` if, in log mode, no series has a positive y value, or if a data
    ///   range is too wide or too narrow for Double ticks (e.g. `-1e308...1e308`).
    public func svg() throws -> String {
        // The plot area runs from x = 70 to width - 150, so narrower plots would mirror.
        guard (240...100_000).contains(width), (150...100_000).contains(height) else {
            throw RenderingError.invalidSize(width: width, height: height)
        }
        guard !series.isEmpty else { throw RenderingError.noSeries }
        if let bad = series.first(where: { $0.x.isEmpty }) {
            throw RenderingError.emptySeries(name: bad.name)
        }
        // Plottable points per series, y already transformed for log mode.
        let paths: [[(x: Double, y: Double)]] = series.map { s in
            zip(s.x, s.y).compactMap { x, y in
                logY ? (y > 0 ? (x, log10(y)) : nil) : (x, y)
            }
        }
        let all = paths.joined()
        guard let first = all.first else {
            throw RenderingError.noPlottableData(reason: "no positive y values for the log axis")
        }
        var xr = (first.x, first.x), yr = (first.y, first.y)
        for p in all {
            xr = (min(xr.0, p.x), max(xr.1, p.x)); yr = (min(yr.0, p.y), max(yr.1, p.y))
        }
        guard let xAxis = AxisScale.linear(min: xr.0, max: xr.1) else {
            throw RenderingError.noPlottableData(reason: "the x values span \(xr.0)...\(xr.1), beyond what the axis can tick")
        }
        let linearY = logY ? nil : AxisScale.linear(min: yr.0, max: yr.1)
        guard logY || linearY != nil else {
            throw RenderingError.noPlottableData(reason: "the y values span \(yr.0)...\(yr.1), beyond what the axis can tick")
        }
        let yAxis = linearY ?? AxisScale.log10(min: pow(10, yr.0), max: pow(10, yr.1))

        // Plot area in pixels.
        let left = 70.0, right = Double(width) - 150, top = 40.0, bottom = Double(height) - 50
        func px(_ x: Double) -> Double { left + (x - xAxis.lo) / (xAxis.hi - xAxis.lo) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - yAxis.lo) / (yAxis.hi - yAxis.lo) * (bottom - top) }
        let n = SVGText.num, esc = SVGText.escape
        let yLabelText = logY ? (yLabel.isEmpty ? "(log scale)" : yLabel + " (log scale)") : yLabel

        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" \
        viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
        <rect x="0" y="0" width="\(width)" height="\(height)" fill="white"/>
        <text x="\(n((left + right) / 2))" y="24" text-anchor="middle" font-size="16">\(esc(title))</text>

        """
        s += "<g class=\"ticks\" stroke=\"#dddddd\" stroke-width=\"1\">\n"
        for t in xAxis.ticks { s += "<line x1=\"\(n(px(t.position)))\" y1=\"\(n(top))\" x2=\"\(n(px(t.position)))\" y2=\"\(n(bottom))\"/>\n" }
        for t in yAxis.ticks { s += "<line x1=\"\(n(left))\" y1=\"\(n(py(t.position)))\" x2=\"\(n(right))\" y2=\"\(n(py(t.position)))\"/>\n" }
        s += "</g>\n<g class=\"tick-labels\" fill=\"#333333\">\n"
        for t in xAxis.ticks {
            s += "<text x=\"\(n(px(t.position)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">\(esc(t.label))</text>\n"
        }
        for t in yAxis.ticks {
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t.position) + 4))\" text-anchor=\"end\">\(esc(t.label))</text>\n"
        }
        s += "</g>\n"
        s += "<rect class=\"frame\" x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(bottom - top))\" fill=\"none\" stroke=\"black\"/>\n"
        s += "<text x=\"\(n((left + right) / 2))\" y=\"\(height - 12)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        s += "<text x=\"16\" y=\"\(n((top + bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(n((top + bottom) / 2)))\">\(esc(yLabelText))</text>\n"
        s += "<clipPath id=\"plot-area\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(bottom - top))\"/></clipPath>\n"
        s += "<g class=\"series\" clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"1.5\">\n"
        for (k, path) in paths.enumerated() where !path.isEmpty {
            let c = series[k].color.hexString
            let pts = path.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            s += "<polyline data-series=\"\(esc(series[k].name))\" stroke=\"\(c)\" points=\"\(pts)\"/>\n"
            if path.count == 1 {
                s += "<circle cx=\"\(n(px(path[0].x)))\" cy=\"\(n(py(path[0].y)))\" r=\"3\" fill=\"\(c)\"/>\n"
            }
        }
        s += "</g>\n<g class=\"legend\">\n"
        for (k, item) in series.enumerated() {
            let y = top + 10 + Double(k) * 18
            s += "<line x1=\"\(n(right + 12))\" y1=\"\(n(y))\" x2=\"\(n(right + 36))\" y2=\"\(n(y))\" stroke=\"\(item.color.hexString)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(n(right + 42))\" y=\"\(n(y + 4))\">\(esc(item.name))</text>\n"
        }
        s += "</g>\n</svg>\n"
        return s
    }
}
