import Datasets
import Foundation
import Rendering

/// The pictures `SnapshotRecorder` draws from the snapshot files when the flow ends
/// (so a resumed run draws the snapshots written before it too):
///
/// - image data (`c x h x w` samples with 1 or 3 channels): `DIR/snapshots.png`, one row
///   per class and one column block per snapshot, showing the first `imagesPerClass`
///   samples that carry the row's label at that snapshot (the labels the snapshot is
///   written with, so a row shows what the classifier is asked to call that class);
///   `DIR/snapshots.gif`, one frame per snapshot, the same rows. Pixels are drawn over
///   the value range of the first snapshot, clamped.
/// - 2-D data: `DIR/snapshots.gif`, a scatter plot per snapshot, every point in the
///   colour of its label over the faint `backdrop` (the target, in the colour of its
///   labels), and `DIR/snapshots.png`, a grid of those plots.
/// - any other data: no pictures.
///
/// `snapshots.png` shows at most `maximumGridSnapshots` snapshots, evenly spaced, the
/// first and the last among them; the GIF shows every one.
public struct SnapshotPictures: Sendable {
    /// Images per class and snapshot (image data).
    public let imagesPerClass: Int
    /// The most snapshots `snapshots.png` shows.
    public let maximumGridSnapshots: Int
    /// 2-D data: the points drawn faintly behind every plot, usually the target.
    public let backdrop: LabeledSamples?

    /// - Throws: `FlowRecordingError.invalidParameter` for `imagesPerClass` or
    ///   `maximumGridSnapshots` outside `1...1000`, or a backdrop that is not 2-D.
    public init(imagesPerClass: Int = 4, maximumGridSnapshots: Int = 12, backdrop: LabeledSamples? = nil) throws {
        guard (1...1000).contains(imagesPerClass) else {
            throw FlowRecordingError.invalidParameter("images per class must lie in 1...1000, got \(imagesPerClass)")
        }
        guard (1...1000).contains(maximumGridSnapshots) else {
            throw FlowRecordingError.invalidParameter("the grid shows 1...1000 snapshots, got \(maximumGridSnapshots)")
        }
        if let backdrop, backdrop.dimension != 2 {
            throw FlowRecordingError.invalidParameter("a backdrop is drawn behind 2-D data; this one has \(backdrop.dimension) dimensions")
        }
        self.imagesPerClass = imagesPerClass
        self.maximumGridSnapshots = maximumGridSnapshots
        self.backdrop = backdrop
    }

    /// Whether samples of `shape` get pictures.
    public static func draws(_ shape: FeatureShape) -> Bool {
        switch shape {
        case let .image(c, _, _): return c == 1 || c == 3
        case let .vector(d): return d == 2
        }
    }

    /// Draws the snapshot files of `layout` into its pictures; returns the files written
    /// (none for data that gets no pictures, or no snapshots). Rows are named after
    /// `classNames` when they cover every label.
    ///
    /// - Throws: `FlowRecordingError.unreadableSnapshot` (also for snapshots of
    ///   different shapes), `.unwritable`, `RenderingError`.
    @discardableResult
    public func write(_ layout: SnapshotLayout, classNames: [String]? = nil) throws -> [URL] {
        let files = layout.existingSnapshots()
        guard let first = files.first else { return [] }
        let shape = try SnapshotLayout.readSnapshot(first.url).featureShape
        guard Self.draws(shape) else { return [] }
        if case let .image(c, h, w) = shape {
            return try writeImages(files, channels: c, height: h, width: w, classNames: classNames, layout: layout)
        }
        return try writeScatter(files, layout: layout)
    }

    /// The positions of the snapshots `snapshots.png` shows among `count`.
    func gridSelection(_ count: Int) -> [Int] {
        guard count > maximumGridSnapshots else { return Array(0..<count) }
        guard maximumGridSnapshots > 1 else { return [count - 1] }
        let picks = (0..<maximumGridSnapshots).map { Int((Double($0) * Double(count - 1) / Double(maximumGridSnapshots - 1)).rounded()) }
        return Array(Set(picks)).sorted()
    }

    /// Reads every snapshot, checking they share one shape.
    private func forEachSnapshot(_ files: [(step: Int, url: URL)], _ body: (Int, LabeledSamples) throws -> Void) throws {
        var shape: FeatureShape?
        for file in files {
            let samples = try SnapshotLayout.readSnapshot(file.url)
            if let shape, shape != samples.featureShape {
                throw FlowRecordingError.unreadableSnapshot(path: file.url.path, reason: "its samples are \(samples.featureShape), the first snapshot's \(shape)")
            }
            shape = samples.featureShape
            try body(file.step, samples)
        }
    }
}

// MARK: - Image data

extension SnapshotPictures {
    /// One snapshot's tiles: `tiles[k]` holds up to `imagesPerClass` images of label `k`,
    /// each `c * h * w` bytes (channel-major).
    private struct ImageBlock {
        var step: Int
        var tiles: [[[UInt8]]]
    }

    private func writeImages(_ files: [(step: Int, url: URL)], channels c: Int, height h: Int, width w: Int,
                             classNames: [String]?, layout: SnapshotLayout) throws -> [URL] {
        var blocks = [ImageBlock]()
        var range: ClosedRange<Double>?
        var rowCount = classNames?.count ?? 0
        try forEachSnapshot(files) { step, samples in
            let values = samples.features.storage
            if range == nil {
                // In Double: finite Float extremes (+-3e38) would overflow the span.
                let finite = values.lazy.filter(\.isFinite).map(Double.init)
                let low = finite.min() ?? 0, high = finite.max() ?? 1
                range = high > low ? low...high : (low - 0.5)...(low + 0.5)
            }
            let lo = range!.lowerBound, span = range!.upperBound - range!.lowerBound
            rowCount = max(rowCount, (samples.labels.max() ?? -1) + 1)
            var tiles = [[[UInt8]]](repeating: [], count: rowCount)
            let d = samples.dimension
            for (i, label) in samples.labels.enumerated() where tiles[label].count < imagesPerClass {
                tiles[label].append(values[(i * d)..<((i + 1) * d)].map { v in
                    let t = (Double(v) - lo) / span
                    return t.isNaN ? 0 : UInt8((min(max(t, 0), 1) * 255).rounded())
                })
            }
            blocks.append(ImageBlock(step: step, tiles: tiles))
        }
        let names = classNames.flatMap { $0.count >= rowCount ? $0 : nil } ?? (0..<rowCount).map(String.init)
        let labels = (0..<rowCount).map { names[$0] == String($0) ? names[$0] : "\($0) \(names[$0])" }
        // One caption width for all, so every GIF frame has the same size.
        let captionWidth = blocks.map { BitmapFont.width(of: caption($0.step)) }.max() ?? 0
        let grid = try compose(gridSelection(blocks.count).map { blocks[$0] }, rowLabels: labels, captionWidth: captionWidth,
                               channels: c, height: h, width: w)
        try writePicture(grid, to: layout.gridPicture)
        var palette: [RGB]
        if c == 1 {
            palette = (0...255).map { RGB(UInt8($0), UInt8($0), UInt8($0)) }
        } else {
            let levels: [UInt8] = [0, 51, 102, 153, 204, 255]
            palette = levels.flatMap { r in levels.flatMap { g in levels.map { b in RGB(r, g, b) } } }
            palette += (1...39).map { k in let v = UInt8(k * 255 / 40); return RGB(v, v, v) }
        }
        let frames = try blocks.map { try compose([$0], rowLabels: labels, captionWidth: captionWidth, channels: c, height: h, width: w) }
        try writeAnimation(frames, palette: palette, to: layout.animation)
        return [layout.gridPicture, layout.animation]
    }

    /// Rows of tiles, one column block per snapshot captioned with its step, row labels
    /// on the left.
    private func caption(_ step: Int) -> String { "step \(step)" }

    private func compose(_ blocks: [ImageBlock], rowLabels: [String], captionWidth: Int,
                         channels c: Int, height h: Int, width w: Int) throws -> RGBImage {
        let pad = 2, gap = 8, glyph = BitmapFont.glyphHeight
        let captions = blocks.map { caption($0.step) }
        let labelWidth = (rowLabels.map { BitmapFont.width(of: $0) }.max() ?? 0) + 2 * pad
        let blockWidth = max(imagesPerClass * (w + pad) - pad, captionWidth)
        let header = glyph + 2 * pad
        let rowHeight = max(h, glyph)
        let width = labelWidth + blocks.count * (blockWidth + gap) - gap + pad
        let height = header + rowLabels.count * (rowHeight + pad) + pad
        guard width > 0, height > 0, width <= 60_000, height <= 60_000 else {
            throw FlowRecordingError.invalidParameter("a picture of \(width) x \(height) pixels is too large; show fewer images per class")
        }
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for (b, block) in blocks.enumerated() {
            let x0 = labelWidth + b * (blockWidth + gap)
            for (row, tiles) in block.tiles.enumerated() where row < rowLabels.count {
                let y0 = header + row * (rowHeight + pad)
                for (k, tile) in tiles.enumerated() {
                    let left = x0 + k * (w + pad)
                    for y in 0..<h {
                        for x in 0..<w {
                            let out = 3 * ((y0 + y) * width + left + x)
                            for channel in 0..<3 {
                                pixels[out + channel] = tile[(c == 1 ? 0 : channel) * h * w + y * w + x]
                            }
                        }
                    }
                }
            }
        }
        var image = try RGBImage(width: width, height: height, pixels: pixels)
        for (b, caption) in captions.enumerated() {
            image.drawText(caption, x: labelWidth + b * (blockWidth + gap), y: pad)
        }
        for (row, label) in rowLabels.enumerated() {
            image.drawText(label, x: pad, y: header + row * (rowHeight + pad) + (rowHeight - glyph) / 2)
        }
        return image
    }
}

// MARK: - 2-D data

extension SnapshotPictures {
    static let plotWidth = 480, plotHeight = 360

    private struct Points {
        var step: Int
        var xs: [Double], ys: [Double], labels: [Int]
    }

    private func writeScatter(_ files: [(step: Int, url: URL)], layout: SnapshotLayout) throws -> [URL] {
        var snapshots = [Points]()
        try forEachSnapshot(files) { step, samples in
            let values = samples.features.storage
            snapshots.append(Points(step: step, xs: stride(from: 0, to: values.count, by: 2).map { Double(values[$0]) },
                                    ys: stride(from: 1, to: values.count, by: 2).map { Double(values[$0]) }, labels: samples.labels))
        }
        let backdrop = self.backdrop.map { b in
            let values = b.features.storage
            return Points(step: 0, xs: stride(from: 0, to: values.count, by: 2).map { Double(values[$0]) },
                          ys: stride(from: 1, to: values.count, by: 2).map { Double(values[$0]) }, labels: b.labels)
        }
        let everything = snapshots + (backdrop.map { [$0] } ?? [])
        let bounds = try DataRect.fitting(xs: everything.flatMap(\.xs), ys: everything.flatMap(\.ys), margin: 0.06,
                                          pixelWidth: Self.plotWidth, pixelHeight: Self.plotHeight)
        let frames = try snapshots.map { points in
            var canvas = try ScatterCanvas(width: Self.plotWidth, height: Self.plotHeight, bounds: bounds)
            if let backdrop { try plot(backdrop, on: &canvas, faint: true) }
            try plot(points, on: &canvas, faint: false)
            var image = canvas.image
            image.drawText("step \(points.step)", x: 6, y: 6)
            return image
        }
        let grid = try RGBImage.grid(gridSelection(frames.count).map { frames[$0] }, columns: 4, padding: 4, background: RGB(200, 200, 200))
        try writePicture(grid, to: layout.gridPicture)
        let colours = Palette.categorical.flatMap { [$0, Palette.faint($0)] } + [.black]
        try writeAnimation(frames, palette: Palette.shades(of: colours, levels: 6), to: layout.animation)
        return [layout.gridPicture, layout.animation]
    }

    private func plot(_ points: Points, on canvas: inout ScatterCanvas, faint: Bool) throws {
        for label in Set(points.labels).sorted() {
            let members = points.labels.indices.filter { points.labels[$0] == label }
            let colour = Palette.color(forClass: label)
            try canvas.plot(xs: members.map { points.xs[$0] }, ys: members.map { points.ys[$0] },
                            color: faint ? Palette.faint(colour) : colour, radius: 2.5, alpha: 1)
        }
    }
}

// MARK: - Files

extension SnapshotPictures {
    private func writePicture(_ image: RGBImage, to url: URL) throws {
        do { try image.write(to: url) } catch { throw FlowRecordingError.unwritable(path: url.path, reason: "\(error)") }
    }

    /// One frame per picture, 0.4 s each, the last one held for 2 s.
    private func writeAnimation(_ frames: [RGBImage], palette: [RGB], to url: URL) throws {
        guard let first = frames.first else { return }
        var gif = try AnimatedGIF(width: first.width, height: first.height, palette: palette, delayCentiseconds: 40)
        for (k, frame) in frames.enumerated() {
            try gif.append(frame: frame, delayCentiseconds: k == frames.count - 1 ? 200 : nil)
        }
        do { try gif.write(to: url) } catch { throw FlowRecordingError.unwritable(path: url.path, reason: "\(error)") }
    }
}
