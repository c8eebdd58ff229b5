import Foundation
import WoWCompute

/// Small synthetic labeled datasets used by the examples, the rings experiment and the
/// tests.
public enum SyntheticData {
    /// The target of the paper's Figure 1: rings of `pointsPerRing` points at angles
    /// `2 pi k / pointsPerRing`, radius `radius`, one class per centre.
    /// Defaults: 3 rings of 80 points, radius 0.3, centres (0,0), (-0.75,0), (-1.5,0).
    public static func rings(
        pointsPerRing: Int = 80, radius: Float = 0.3,
        centres: [(Float, Float)] = [(0, 0), (-0.75, 0), (-1.5, 0)]
    ) throws -> LabeledDataset {
        guard pointsPerRing > 0, !centres.isEmpty else { throw DataError.noClasses }
        let classes = try centres.map { centre -> EmpiricalMeasure in
            var storage = [Float]()
            for k in 0..<pointsPerRing {
                let angle = 2 * Double.pi * Double(k) / Double(pointsPerRing)
                storage.append(centre.0 + radius * Float(cos(angle)))
                storage.append(centre.1 + radius * Float(sin(angle)))
            }
            return try EmpiricalMeasure(points: Matrix(rows: pointsPerRing, columns: 2, storage: storage))
        }
        return try LabeledDataset(classes: classes)
    }

    /// `classes` classes of `pointsPerClass` points each, all drawn i.i.d. from the
    /// isotropic Gaussian `N(mean, std^2 I)` (the rings experiment's source: 3 x 80 points
    /// around (-0.3, 0) with std 0.01).
    public static func gaussianClasses(
        classes: Int = 3, pointsPerClass: Int = 80, mean: [Float] = [-0.3, 0], std: Float = 0.01,
        using generator: inout some RandomNumberGenerator
    ) throws -> LabeledDataset {
        guard classes > 0 else { throw DataError.noClasses }
        guard pointsPerClass > 0 else { throw DataError.emptyMeasure(context: "each Gaussian class") }
        guard !mean.isEmpty, std.isFinite, std >= 0, mean.allSatisfy(\.isFinite) else {
            throw DataError.nonFiniteValue(context: "Gaussian parameters (mean must be non-empty, std finite and >= 0)")
        }
        let d = mean.count
        let (perClass, o1) = pointsPerClass.multipliedReportingOverflow(by: d)
        let (total, o2) = perClass.multipliedReportingOverflow(by: classes)
        guard !o1, !o2, total <= 1 << 34 else {
            throw DataError.tooLarge("\(classes) classes of \(pointsPerClass) points in dimension \(d)")
        }
        let measures = try (0..<classes).map { _ -> EmpiricalMeasure in
            var storage = [Float]()
            storage.reserveCapacity(pointsPerClass * d)
            for _ in 0..<pointsPerClass {
                for j in 0..<d { storage.append(mean[j] + std * Float(generator.nextStandardNormal())) }
            }
            return try EmpiricalMeasure(points: Matrix(rows: pointsPerClass, columns: d, storage: storage))
        }
        return try LabeledDataset(classes: measures)
    }
}
