import Foundation
import WassersteinFlows

/// Pictures of the rings experiment: flowed classes over the faint target rings, each
/// flowed class in the colour of the ring it landed on (`colours[c]`, a ring index).
enum RingsPicture {
    static let width = 640, height = 300

    static func bounds(_ target: LabeledDataset) throws -> DataRect {
        let xs = target.classes.flatMap { m in (0..<m.count).map { Double(m.points[$0, 0]) } } + [-0.3]
        let ys = target.classes.flatMap { m in (0..<m.count).map { Double(m.points[$0, 1]) } } + [0.0]
        return try DataRect.fitting(xs: xs, ys: ys, margin: 0.08, pixelWidth: width, pixelHeight: height)
    }

    static func draw(_ state: LabeledDataset, target: LabeledDataset, colours: [Int], bounds: DataRect) throws -> RGBImage {
        var canvas = try ScatterCanvas(width: width, height: height, bounds: bounds)
        for (c, measure) in target.classes.enumerated() {
            try plot(measure, on: &canvas, color: Palette.faint(Palette.color(forClass: c)), radius: 2.5)
        }
        for (c, measure) in state.classes.enumerated() {
            try plot(measure, on: &canvas, color: Palette.color(forClass: colours[c]), radius: 2.5)
        }
        return canvas.image
    }

    static func plot(_ measure: EmpiricalMeasure, on canvas: inout ScatterCanvas, color: RGB, radius: Double) throws {
        let xs = (0..<measure.count).map { Double(measure.points[$0, 0]) }
        let ys = (0..<measure.count).map { Double(measure.points[$0, 1]) }
        try canvas.plot(xs: xs, ys: ys, color: color, radius: radius, alpha: 1)
    }

    static func writeFinal(_ state: LabeledDataset, target: LabeledDataset, colours: [Int], to url: URL) throws {
        try draw(state, target: target, colours: colours, bounds: bounds(target)).write(to: url)
    }

    static func writeAnimation(_ snapshots: [FlowSnapshot<LabeledDataset>], target: LabeledDataset, colours: [Int], to url: URL) throws {
        let rect = try bounds(target)
        let colors = (0..<target.classCount).flatMap { [Palette.color(forClass: $0), Palette.faint(Palette.color(forClass: $0))] }
        let palette = try Palette.shades(of: colors, levels: 6)
        var gif = try AnimatedGIF(width: width, height: height, palette: palette, delayCentiseconds: 6)
        for snapshot in snapshots {
            try gif.append(frame: draw(snapshot.state, target: target, colours: colours, bounds: rect))
        }
        try gif.write(to: url)
    }
}
