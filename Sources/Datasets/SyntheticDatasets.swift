import LabeledData
import WoWCompute

/// The three rings of the paper's Figure 1 as a ``Dataset`` (one split, ``DatasetSplit/all``).
///
/// Deterministic: ring `c` holds `pointsPerRing` points at angles `2 pi k / pointsPerRing`.
public struct RingsDataset: Dataset, Sendable {
    public let pointsPerRing: Int
    public let radius: Float
    public let centres: [[Float]]
    public let info: DatasetInfo

    /// - Throws: ``DatasetError/invalidArgument(_:)`` for no points, no centres, or
    ///   centres that are not 2-D.
    public init(pointsPerRing: Int = 80, radius: Float = 0.3, centres: [[Float]] = [[0, 0], [-0.75, 0], [-1.5, 0]]) throws {
        guard pointsPerRing > 0, !centres.isEmpty, centres.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isFinite) }),
              radius.isFinite else {
            throw DatasetError.invalidArgument("rings need a positive point count, a finite radius and finite 2-D centres")
        }
        self.pointsPerRing = pointsPerRing
        self.radius = radius
        self.centres = centres
        info = DatasetInfo(name: "rings", classNames: centres.indices.map { "ring \($0)" }, featureShape: .vector(2),
                           splits: [(.all, pointsPerRing * centres.count)])
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        let rings = try SyntheticData.rings(pointsPerRing: pointsPerRing, radius: radius,
                                            centres: centres.map { ($0[0], $0[1]) })
        var samples = try LabeledSamples(rings)
        samples = try LabeledSamples(features: samples.features, labels: samples.labels,
                                     featureShape: .vector(2), classNames: info.classNames)
        return samples
    }
}

/// Classes drawn from isotropic Gaussians `N(mean_c, std^2 I)`, one per class, with a
/// seed per data set; splits draw from independent streams derived from the seed, so
/// `train` and `test` are independent samples of the same mixture.
public struct GaussianMixtureDataset: Dataset, Sendable {
    public let means: [[Float]]
    public let std: Float
    public let seed: UInt64
    public let info: DatasetInfo

    /// - Parameters:
    ///   - means: one mean per class, all of the same dimension.
    ///   - std: the common standard deviation (>= 0).
    ///   - perClass: samples per class for each split (e.g. `[.train: 100, .test: 50]`).
    ///   - seed: the seed of every draw.
    /// - Throws: ``DatasetError/invalidArgument(_:)`` for empty or ragged means, a
    ///   negative deviation or non-positive counts.
    public init(means: [[Float]], std: Float, perClass: [(split: DatasetSplit, count: Int)] = [(.all, 100)], seed: UInt64 = 0) throws {
        guard let d = means.first?.count, d > 0, means.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else {
            throw DatasetError.invalidArgument("a Gaussian mixture needs at least one mean, all finite and of one dimension")
        }
        guard std.isFinite, std >= 0 else { throw DatasetError.invalidArgument("the standard deviation must be finite and >= 0, got \(std)") }
        guard !perClass.isEmpty, perClass.allSatisfy({ $0.count > 0 }) else {
            throw DatasetError.invalidArgument("every split needs a positive count per class")
        }
        let largest = perClass.map(\.count).max() ?? 0
        guard !largest.multipliedReportingOverflow(by: means.count).overflow,
              !(largest * means.count).multipliedReportingOverflow(by: d).overflow else {
            throw DatasetError.invalidArgument("\(largest) samples per class of \(means.count) classes in \(d) dimensions are too many to hold")
        }
        self.means = means
        self.std = std
        self.seed = seed
        info = DatasetInfo(name: "gaussian-mixture", classNames: means.indices.map(String.init), featureShape: .vector(d),
                           splits: perClass.map { ($0.split, $0.count * means.count) })
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        let index = info.splits.firstIndex(where: { $0.split == split })!
        let perClass = info.splits[index].count! / means.count
        var generator = SeededGenerator(seed: splitSeed(seed, index))
        let d = means[0].count
        var storage = [Float]()
        storage.reserveCapacity(perClass * means.count * d)
        var labels = [Int]()
        for (c, mean) in means.enumerated() {
            for _ in 0..<perClass {
                for j in 0..<d { storage.append(mean[j] + std * Float(generator.nextStandardNormal())) }
                labels.append(c)
            }
        }
        return try LabeledSamples(features: try Matrix(rows: labels.count, columns: d, storage: storage), labels: labels,
                                  featureShape: info.featureShape, classNames: info.classNames)
    }
}

/// Gaussian noise shaped like another data set: the same classes and feature shape, every
/// feature i.i.d. `N(mean, std^2)`. The usual starting point of a distillation or
/// generative flow ("flow noise toward Fashion-MNIST").
public struct GaussianNoiseDataset: Dataset, Sendable {
    public let mean: Float
    public let std: Float
    public let seed: UInt64
    public let info: DatasetInfo

    /// - Parameters:
    ///   - like: the data set whose classes and feature shape to copy.
    ///   - perClass: samples per class (one split, ``DatasetSplit/all``).
    ///   - mean, std: the distribution of every feature (`std >= 0`).
    ///   - seed: the seed of the draw.
    public init(like template: DatasetInfo, perClass: Int, mean: Float = 0, std: Float = 1, seed: UInt64 = 0) throws {
        guard perClass > 0 else { throw DatasetError.invalidArgument("noise needs a positive count per class, got \(perClass)") }
        try template.featureShape.validate()
        guard template.classCount > 0 else {
            throw DatasetError.invalidArgument("noise like \(template.name) needs a template with at least one class")
        }
        let (total, overflow) = perClass.multipliedReportingOverflow(by: template.classCount)
        guard !overflow, !total.multipliedReportingOverflow(by: template.featureShape.count).overflow else {
            throw DatasetError.invalidArgument("\(perClass) samples per class of \(template.classCount) classes shaped \(template.featureShape) are too many to hold")
        }
        guard mean.isFinite, std.isFinite, std >= 0 else {
            throw DatasetError.invalidArgument("noise needs a finite mean and a finite std >= 0")
        }
        self.mean = mean
        self.std = std
        self.seed = seed
        info = DatasetInfo(name: "noise-like-\(template.name)", classNames: template.classNames,
                           featureShape: template.featureShape, splits: [(.all, total)])
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        var generator = SeededGenerator(seed: splitSeed(seed, 0))
        let n = info.splits[0].count!, d = info.featureShape.count
        let perClass = n / info.classCount
        var storage = [Float](repeating: 0, count: n * d)
        for i in storage.indices { storage[i] = mean + std * Float(generator.nextStandardNormal()) }
        let labels = (0..<info.classCount).flatMap { repeatElement($0, count: perClass) }
        return try LabeledSamples(features: try Matrix(rows: n, columns: d, storage: storage), labels: labels,
                                  featureShape: info.featureShape, classNames: info.classNames)
    }
}

/// A seed for split `index`, decorrelated from the base seed (SplitMix64 finaliser).
func splitSeed(_ seed: UInt64, _ index: Int) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
