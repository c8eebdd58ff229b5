import WoWCompute

/// A data set stored as IDX image and label files per split (MNIST, Fashion-MNIST,
/// KMNIST and anything else in that format; gzip or not).
///
/// Images of shape `[n, h, w]` become 1-channel `h x w` images; `[n, d]` become vectors.
/// Labels must be a 1-D array of `n` integers in `0..<classNames.count`.
public struct IDXDataset: Dataset, Sendable {
    /// Image and label file paths of one split.
    public struct Files: Sendable, Equatable {
        public var images: String
        public var labels: String
        public init(images: String, labels: String) { self.images = images; self.labels = labels }
    }

    /// The files of each split, in the order of `info.splits`.
    public let files: [(split: DatasetSplit, files: Files)]
    public let info: DatasetInfo

    /// Describes an IDX data set; reads only the file headers (to learn shapes and counts).
    ///
    /// - Parameters:
    ///   - name: the data set's name.
    ///   - files: image and label files for each split.
    ///   - classNames: one name per class.
    ///   - normalization: the customary normalisation, if any.
    /// - Throws: ``DatasetError`` if a file is missing or its header is corrupt, if images
    ///   and labels disagree in count, or if splits disagree in image shape.
    public init(name: String, files: [(split: DatasetSplit, files: Files)], classNames: [String],
                normalization: Normalization? = nil) throws {
        guard !files.isEmpty else { throw DatasetError.invalidArgument("an IDX data set needs at least one split") }
        var splits = [(split: DatasetSplit, count: Int?)]()
        var shape: FeatureShape?
        for (split, pair) in files {
            let (_, imageShape) = try IDXArray.shape(ofFileAt: pair.images)
            let (_, labelShape) = try IDXArray.shape(ofFileAt: pair.labels)
            let sampleShape = try Self.featureShape(imageShape, path: pair.images)
            guard labelShape.count == 1 else {
                throw DatasetError.corruptFile(path: pair.labels, location: nil, problem: "labels must be a 1-D IDX array, found shape \(labelShape)")
            }
            guard labelShape[0] == imageShape[0] else {
                throw DatasetError.inconsistentFiles(first: pair.images, second: pair.labels,
                                                     problem: "\(imageShape[0]) images but \(labelShape[0]) labels")
            }
            if let shape, shape != sampleShape {
                throw DatasetError.shapeMismatch("split \(split) has \(sampleShape) images, another split \(shape)")
            }
            shape = sampleShape
            splits.append((split, imageShape[0]))
        }
        self.files = files
        self.info = DatasetInfo(name: name, classNames: classNames, featureShape: shape!, splits: splits,
                                valueRange: 0...255, normalization: normalization)
    }

    public func load(_ split: DatasetSplit) throws -> LabeledSamples {
        try checkSplit(split)
        let pair = files.first(where: { $0.split == split })!.files
        let images = try IDXArray(contentsOf: pair.images)
        let labels = try IDXArray(contentsOf: pair.labels)
        let shape = try Self.featureShape(images.shape, path: pair.images)
        guard labels.shape.count == 1, labels.shape[0] == images.shape[0] else {
            throw DatasetError.inconsistentFiles(first: pair.images, second: pair.labels,
                                                 problem: "\(images.shape[0]) images but labels of shape \(labels.shape)")
        }
        let classes = info.classCount
        var integerLabels = [Int]()
        integerLabels.reserveCapacity(labels.values.count)
        for (i, value) in labels.values.enumerated() {
            guard value >= 0, value < Float(classes), value == value.rounded() else {
                throw DatasetError.corruptFile(path: pair.labels, location: "label \(i)", problem: "label \(value) is not a class in 0..<\(classes)")
            }
            integerLabels.append(Int(value))
        }
        let features = try Matrix(rows: images.shape[0], columns: shape.count, storage: images.values)
        do {
            return try LabeledSamples(features: features, labels: integerLabels, featureShape: shape,
                                      classNames: info.classNames, valueRange: images.elementType == .uint8 ? 0...255 : nil)
        } catch DatasetError.nonFinite {
            throw DatasetError.corruptFile(path: pair.images, location: nil, problem: "contains a NaN or infinite value")
        }
    }

    static func featureShape(_ shape: [Int], path: String) throws -> FeatureShape {
        switch shape.count {
        case 2 where shape[1] > 0: return .vector(shape[1])
        case 3 where shape[1] > 0 && shape[2] > 0: return .image(channels: 1, height: shape[1], width: shape[2])
        case 4 where shape[1] > 0 && shape[2] > 0 && shape[3] > 0:
            return .image(channels: shape[1], height: shape[2], width: shape[3])
        default:
            throw DatasetError.corruptFile(path: path, location: nil, problem: "expected images of shape [n, h, w] (or [n, d], [n, c, h, w]), found \(shape)")
        }
    }
}
