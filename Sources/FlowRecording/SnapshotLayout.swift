import Datasets
import Foundation
import NumPyFiles
import WoWCompute

/// Where `SnapshotRecorder` writes, inside a run's output directory `DIR`:
///
/// - `DIR/snapshots/step-000500.npz`: the state after 500 steps, one file per snapshot
///   (the step zero-padded to six digits, more digits past 999,999). The members are
///   those of the run's `flowed.npz`: `features` (float32, `[n, d]`, or `[n, c, h, w]`
///   for images) and `labels` (int64, `[n]`), labelled as the final output is (for
///   `wow flow`: the target's labels, by the run's `--assign-labels`); the snapshot of
///   the final step is byte for byte `flowed.npz`. Read them with
///   `numpy.load(path)` or `NPYDataset(archive:)`.
/// - `DIR/snapshots.png`: image data: one row per class, one column block per
///   snapshot (at most `SnapshotPictures.maximumGridSnapshots`, evenly spaced, the first
///   and last always among them), the first few images carrying that label at that
///   snapshot; 2-D data: a grid of scatter plots, one per snapshot.
/// - `DIR/snapshots.gif`: one frame per snapshot (the same pictures).
/// - `DIR/accuracy.csv` (`step,accuracy`, accuracy as a fraction in `[0, 1]`) and
///   `DIR/accuracy.svg`: with a `SnapshotClassifier`, its accuracy on every snapshot.
public struct SnapshotLayout: Sendable, Equatable {
    /// The run's output directory `DIR`.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `DIR/snapshots`.
    public var snapshotDirectory: URL { directory.appendingPathComponent("snapshots") }
    /// `DIR/snapshots.png`.
    public var gridPicture: URL { directory.appendingPathComponent("snapshots.png") }
    /// `DIR/snapshots.gif`.
    public var animation: URL { directory.appendingPathComponent("snapshots.gif") }
    /// `DIR/accuracy.csv`.
    public var accuracyTable: URL { directory.appendingPathComponent("accuracy.csv") }
    /// `DIR/accuracy.svg`.
    public var accuracyPlot: URL { directory.appendingPathComponent("accuracy.svg") }

    /// `step-000500.npz` for step 500.
    public static func fileName(step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".npz"
    }

    /// The step of a snapshot file name (`step-000500.npz` -> 500); `nil` for any other name.
    public static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".npz") else { return nil }
        let digits = name.dropFirst(5).dropLast(4)
        guard digits.count >= 6, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// `DIR/snapshots/step-000500.npz` for step 500.
    public func snapshotFile(step: Int) -> URL {
        snapshotDirectory.appendingPathComponent(Self.fileName(step: step))
    }

    /// The snapshot files present, by increasing step (other files are ignored).
    public func existingSnapshots() -> [(step: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: snapshotDirectory.path)) ?? []
        return names.compactMap { name in Self.step(ofFileName: name).map { ($0, snapshotDirectory.appendingPathComponent(name)) } }
            .sorted { $0.step < $1.step }
    }

    /// Reads a snapshot file back as samples; `classNames` name the classes when there are
    /// enough of them, else they are named `"0"`, `"1"`, ...
    ///
    /// - Throws: `FlowRecordingError.unreadableSnapshot`.
    public static func readSnapshot(_ url: URL, classNames: [String]? = nil) throws -> LabeledSamples {
        func unreadable(_ reason: String) -> FlowRecordingError { .unreadableSnapshot(path: url.path, reason: reason) }
        let archive: NPZArchive
        do { archive = try NPZArchive(contentsOf: url) } catch { throw unreadable("\(error)") }
        guard let x = archive["features"], let y = archive["labels"] else { throw unreadable("it lacks a features or a labels member") }
        let shape: FeatureShape
        switch x.shape.count {
        case 2: shape = .vector(x.shape[1])
        case 4: shape = .image(channels: x.shape[1], height: x.shape[2], width: x.shape[3])
        default: throw unreadable("features of shape \(x.shape)")
        }
        do {
            let labels = try y.intValues()
            guard labels.count == x.shape[0] else { throw unreadable("\(x.shape[0]) samples but \(labels.count) labels") }
            let largest = labels.max() ?? 0
            let names = classNames.flatMap { $0.count > largest ? $0 : nil }
            return try LabeledSamples(features: Matrix(rows: x.shape[0], columns: shape.count, storage: x.floatValues()),
                                      labels: labels, featureShape: shape, classNames: names)
        } catch let error as FlowRecordingError {
            throw error
        } catch {
            throw unreadable("\(error)")
        }
    }

    /// Writes `samples` as the snapshot of `step` (atomically).
    func write(_ samples: LabeledSamples, step: Int) throws {
        let url = snapshotFile(step: step)
        do {
            try FileManager.default.createDirectory(at: snapshotDirectory, withIntermediateDirectories: true)
            try samples.writeNPZ(to: url.path)
        } catch {
            throw FlowRecordingError.unwritable(path: url.path, reason: "\(error)")
        }
    }
}

/// Writes `text` to `url` atomically.
func writeText(_ text: String, to url: URL) throws {
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
        throw FlowRecordingError.unwritable(path: url.path, reason: error.localizedDescription)
    }
}
