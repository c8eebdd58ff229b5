import Foundation
import WassersteinFlows

let registry = DatasetRegistry.standard
var rng = SeededGenerator(seed: 0)
let digits = try registry.load("mnist-5k:train").drawing(perClass: 50, using: &rng).scaledToUnitInterval()
let garments = try registry.load("fashion-mnist:train").drawing(perClass: 100, using: &rng).scaledToUnitInterval()
let source = try digits.labeledDataset()
let target = try garments.labeledDataset()
let mmd = try MMD(kernel: RieszSW(), target: target)
var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 100), steps: 200)
var progress = ProgressBar()
let result = try flow.run(from: source, observer: &progress, using: &rng)
let assignment = try LabelAssignment(flowed: result.state, target: target)

// Name every flowed class after the garment it was matched to, then keep the images
// with the garments' labels (positions in `garments.classNames`, the labels Fashion-MNIST
// itself uses), as NumPy arrays: features (500, 1, 28, 28) float32, labels (500,) int64.
let relabelled = try assignment.relabeled(result.state, target: target)
let flowed = try LabeledSamples(relabelled, featureShape: digits.featureShape,
                                classNames: garments.classNames)
try flowed.writeNPZ(to: "flowed.npz")
// In Python: np.load("flowed.npz")["features"]; or look at them:
// swift run -c release wow data show flowed.npz --per-class 6 --out flowed.png
