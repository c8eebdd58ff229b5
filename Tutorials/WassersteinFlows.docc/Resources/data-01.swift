import WassersteinFlows

// Real data: `swift run -c release wow data fetch mnist-5k` and
// `... wow data fetch fashion-mnist` put the files where the registry looks.
let registry = DatasetRegistry.standard
var rng = SeededGenerator(seed: 0)

// 50 digits and 100 garments per class, drawn without replacement, pixels in [0, 1].
let digits = try registry.load("mnist-5k:train")
    .drawing(perClass: 50, using: &rng)
    .scaledToUnitInterval()
let garments = try registry.load("fashion-mnist:train")
    .drawing(perClass: 100, using: &rng)
    .scaledToUnitInterval()

let source = try digits.labeledDataset()     // 10 classes of 50 points in R^784
let target = try garments.labeledDataset()   // 10 classes of 100 points in R^784
print("source: \(source.classCount) classes, target: \(target.labels)")
