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

// Which garment did each digit become? Exact W2^2 between every flowed class and every
// target class, then the optimal one-to-one assignment.
let assignment = try LabelAssignment(flowed: result.state, target: target)
for (digit, garment) in assignment.mapping.enumerated() {
    print("digit \(source.labels[digit]) -> \(target.labels[garment])")
}

// The WoW distance (squared) to the target, before and after.
let wow = try WoWDistance()
print("WoW^2 before \(try wow.evaluate(source, target).squaredDistance), after \(try wow.evaluate(result.state, target).squaredDistance)")
