import Datasets

/// Law checker for `Dataset` conformers: a data set yields what its `info` says.
///
/// For every split listed in `info.splits` (loading each one), checks that
/// - the samples have `info.featureShape` and `info.classNames`;
/// - the sample count equals the listed count when one is listed;
/// - every label is in `0..<classCount` and every value is finite (re-checked here so a
///   conformer that bypasses `LabeledSamples`' checks is caught);
/// - values lie in `info.valueRange` when one is declared;
/// - loading the same split twice gives identical samples (determinism);
/// - a split not listed is refused with `DatasetError.unknownSplit`.
///
/// - Returns: a description of each violated law (empty when all hold).
public func checkDatasetLaws<D: Dataset>(_ dataset: D) throws -> [String] {
    var violations = [String]()
    let info = dataset.info
    if info.splits.isEmpty { violations.append("info lists no split") }
    for (split, count) in info.splits {
        let samples = try dataset.load(split)
        let name = "\(info.name):\(split)"
        if samples.featureShape != info.featureShape {
            violations.append("\(name): shape \(samples.featureShape), info says \(info.featureShape)")
        }
        if samples.classNames != info.classNames {
            violations.append("\(name): class names \(samples.classNames), info says \(info.classNames)")
        }
        if let count, samples.count != count {
            violations.append("\(name): \(samples.count) samples, info says \(count)")
        }
        if samples.features.rows != samples.count || samples.features.columns != info.featureShape.count {
            violations.append("\(name): features are \(samples.features.rows)x\(samples.features.columns)")
        }
        if samples.labels.contains(where: { $0 < 0 || $0 >= info.classCount }) {
            violations.append("\(name): a label is outside 0..<\(info.classCount)")
        }
        if !samples.features.isFinite { violations.append("\(name): non-finite values") }
        if let range = info.valueRange, samples.features.storage.contains(where: { !range.contains($0) }) {
            violations.append("\(name): a value lies outside the declared range \(range)")
        }
        if try dataset.load(split) != samples { violations.append("\(name): two loads differ") }
    }
    let bogus = DatasetSplit("no-such-split-\(info.splits.count)")
    do {
        _ = try dataset.load(bogus)
        violations.append("\(info.name): loading an unlisted split did not throw")
    } catch DatasetError.unknownSplit {
    } catch {
        violations.append("\(info.name): an unlisted split threw \(error) instead of unknownSplit")
    }
    return violations
}
