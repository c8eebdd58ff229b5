import Datasets

/// Why a recorder or a snapshot classifier refused to start, or could not record.
public enum FlowRecordingError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A setting out of range (a snapshot interval <= 0, no images per class, ...).
    case invalidParameter(String)
    /// The classifier's weights file does not exist.
    case missingWeights(path: String)
    /// The weights file cannot be read (damaged, truncated, not a weights file).
    case unreadableWeights(path: String, reason: String)
    /// The weights file holds another network than the one asked for.
    case architectureMismatch(path: String, found: String, expected: String)
    /// A classifier scores images; the flowed data are vectors.
    case notImages(FeatureShape)
    /// The classifier was trained on images of another shape.
    case shapeMismatch(classifier: [Int], data: FeatureShape)
    /// A snapshot carries a label the classifier has no output for.
    case labelOutsideClassifier(label: Int, classCount: Int)
    /// The flow's state is not of the type the recorder was made for.
    case unexpectedState(expected: String, found: String)
    /// A snapshot file already written cannot be read back (for the pictures and the
    /// accuracy of snapshots written before a resume).
    case unreadableSnapshot(path: String, reason: String)
    /// An output file could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidParameter(message):
            return "invalid recording parameter: \(message)"
        case let .missingWeights(path):
            return "no classifier weights at \(path) (write them with `wow train --save FILE`)"
        case let .unreadableWeights(path, reason):
            return "cannot read the classifier weights \(path): \(reason)"
        case let .architectureMismatch(path, found, expected):
            return "\(path) holds \(found) weights, not \(expected)"
        case let .notImages(shape):
            return "a classifier scores images, but the flowed data are vectors of \(shape.count) values; evaluate image data (such as 1x28x28 or 3x32x32 samples) only"
        case let .shapeMismatch(classifier, data):
            return "the classifier was trained on \(classifier.map(String.init).joined(separator: "x")) images, the flowed data are \(data) images"
        case let .labelOutsideClassifier(label, classCount):
            return "a snapshot has label \(label), but the classifier tells \(classCount) classes (0..<\(classCount)); use a classifier trained on the target"
        case let .unexpectedState(expected, found):
            return "the recorder records \(expected) states, the flow runs on \(found)"
        case let .unreadableSnapshot(path, reason):
            return "cannot read the snapshot \(path): \(reason)"
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
