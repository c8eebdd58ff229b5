import Foundation
import ArgumentParsing
import WassersteinFlows

/// Reads the data arguments of `wow flow` (and later commands): a registry name with an
/// optional split, a CSV file (`class,f1,...,fd`), an `.npz` archive, or an `.npy`
/// features file with a separate `.npy` labels file.
enum DataArguments {
    /// Help text shared by commands that take data.
    static let help = "A data set name (see `wow data list`; e.g. fashion-mnist:test), a CSV file (class,f1,...,fd; gzip or not), an .npz archive (features+labels, or x_train+y_train and x_test+y_test: name the split as FILE.npz:test, train by default), or an .npy features file with --*-labels."

    /// Loads `reference` as samples; image data sets with a known pixel range are scaled
    /// to [0, 1].
    static func samples(_ reference: String, labels: String?) throws -> LabeledSamples {
        let lower = reference.lowercased()
        if lower.hasSuffix(".npy") {
            guard let labels else {
                throw DatasetError.invalidArgument("\(reference) holds features only; give its labels (.npy) with --source-labels / --target-labels (flow, distance), --labels (data show, eval) or --train-labels / --test-labels (train)")
            }
            return try scaled(NPYDataset(features: reference, labels: labels).load())
        }
        guard labels == nil else {
            throw DatasetError.invalidArgument("a labels file is only used with an .npy features file, not with \(reference)")
        }
        if lower.hasSuffix(".npz") { return try scaled(NPYDataset(archive: reference).load()) }
        // `archive.npz:train` / `:test` / `:all`: one split of an archive.
        if let colon = reference.lastIndex(of: ":"), reference[..<colon].lowercased().hasSuffix(".npz") {
            let archive = try NPYDataset(archive: String(reference[..<colon]))
            return try scaled(archive.load(DatasetSplit(String(reference[reference.index(after: colon)...]))))
        }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") {
            return try csvSamples(reference)
        }
        let registry = DatasetRegistry.standard
        if registry.isKnownName(reference) { return try scaled(registry.load(reference)) }
        if DataFile.exists(reference) {
            throw DatasetError.invalidArgument("cannot tell the format of \(reference): use .csv, .npz or .npy (with labels)")
        }
        throw DatasetError.unknownDataset(name: reference, known: registry.entries.map(\.name))
    }

    /// A labeled CSV file (gzip or not). Non-negative integer labels are kept as the
    /// samples' labels (class `k` is label `k`, so a file without class 0 still scores
    /// against the right outputs of a classifier); other integer labels are numbered in
    /// increasing order.
    static func csvSamples(_ path: String) throws -> LabeledSamples {
        let bytes = try DataFile.bytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DatasetError.corruptFile(path: path, location: nil, problem: "not UTF-8 text")
        }
        return try LabeledSamples(LabeledCSV.parse(text, source: path), integerLabels: true)
    }

    static func scaled(_ samples: LabeledSamples) throws -> LabeledSamples {
        guard let range = samples.valueRange, range != 0...1, samples.featureShape.isImage else { return samples }
        return try samples.scaledToUnitInterval()
    }

    /// Samples as the flows' labeled dataset, optionally `perClass` drawn per class, with
    /// the shape of one sample and the class names of the whole file (their positions are
    /// the file's labels, also of classes without samples). The samples themselves are
    /// not kept (the dataset holds the only copy of the features).
    static func dataset(_ reference: String, labels: String?, perClass: Int?,
                        using generator: inout SeededGenerator) throws -> (LabeledDataset, FeatureShape, classNames: [String]) {
        var samples = try samples(reference, labels: labels)
        let classNames = samples.classNames
        // Classes without samples (e.g. a split missing a class) are dropped.
        let counts = samples.classCounts
        let present = counts.indices.filter { counts[$0] > 0 }
        if present.count < samples.classCount { samples = try samples.keepingClasses(present) }
        if let perClass { samples = try samples.drawing(perClass: perClass, using: &generator) }
        return (try samples.labeledDataset(), samples.featureShape, classNames)
    }
}

extension ParsedArguments {
    /// A file or directory option's value; an empty value is refused (it would silently
    /// mean the current directory).
    func path(_ name: String) throws -> String {
        let value = try string(name)
        guard !value.isEmpty else { throw ArgumentError.invalidValue(option: "--\(name)", value: "", expected: "a non-empty path") }
        return value
    }
}

/// Runs a flow that draws a progress bar on standard error; if it throws, ends the bar's
/// line first so the error message starts on a line of its own.
func endingProgressLine<T>(_ body: () throws -> T) rethrows -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("\n".utf8))
        throw error
    }
}
