import Foundation
import WassersteinFlows

/// Reads the data arguments of `wow flow` (and later commands): a registry name with an
/// optional split, a CSV file (`class,f1,...,fd`), an `.npz` archive, or an `.npy`
/// features file with a separate `.npy` labels file.
enum DataArguments {
    /// Help text shared by commands that take data.
    static let help = "A data set name (see `wow data list`; e.g. fashion-mnist:test), a CSV file (class,f1,...,fd), an .npz archive (features+labels), or an .npy features file with --*-labels."

    /// Loads `reference` as samples; image data sets with a known pixel range are scaled
    /// to [0, 1].
    static func samples(_ reference: String, labels: String?) throws -> LabeledSamples {
        let lower = reference.lowercased()
        if lower.hasSuffix(".npy") {
            guard let labels else {
                throw DatasetError.invalidArgument("\(reference) holds features only; give its labels with --source-labels / --target-labels FILE.npy")
            }
            return try scaled(NPYDataset(features: reference, labels: labels).load())
        }
        guard labels == nil else {
            throw DatasetError.invalidArgument("a labels file is only used with an .npy features file, not with \(reference)")
        }
        if lower.hasSuffix(".npz") { return try scaled(NPYDataset(archive: reference).load()) }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") {
            return try LabeledSamples(LabeledCSV.read(contentsOf: URL(fileURLWithPath: reference)))
        }
        let registry = DatasetRegistry.standard
        if registry.isKnownName(reference) { return try scaled(registry.load(reference)) }
        if DataFile.exists(reference) {
            throw DatasetError.invalidArgument("cannot tell the format of \(reference): use .csv, .npz or .npy (with labels)")
        }
        throw DatasetError.unknownDataset(name: reference, known: registry.entries.map(\.name))
    }

    static func scaled(_ samples: LabeledSamples) throws -> LabeledSamples {
        guard let range = samples.valueRange, range != 0...1, samples.featureShape.isImage else { return samples }
        return try samples.scaledToUnitInterval()
    }

    /// Samples as the flows' labeled dataset, optionally `perClass` drawn per class.
    static func dataset(_ reference: String, labels: String?, perClass: Int?,
                        using generator: inout SeededGenerator) throws -> (LabeledDataset, LabeledSamples) {
        var samples = try samples(reference, labels: labels)
        // Classes without samples (e.g. a split missing a class) are dropped.
        let counts = samples.classCounts
        let present = counts.indices.filter { counts[$0] > 0 }
        if present.count < samples.classCount { samples = try samples.keepingClasses(present) }
        if let perClass { samples = try samples.drawing(perClass: perClass, using: &generator) }
        return (try samples.labeledDataset(), samples)
    }
}
