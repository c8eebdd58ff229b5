import WassersteinFlows

let registry = DatasetRegistry.standard
var rng = SeededGenerator(seed: 0)
let digits = try registry.load("mnist-5k:train").drawing(perClass: 50, using: &rng).scaledToUnitInterval()
let garments = try registry.load("fashion-mnist:train").drawing(perClass: 100, using: &rng).scaledToUnitInterval()
let source = try digits.labeledDataset()
let target = try garments.labeledDataset()

// The same parts as for the rings: a kernel between classes, the MMD, an integrator.
// In d = 784 the gradient of each point is small (it carries mass 1/50), so the step
// size is large.
let mmd = try MMD(kernel: RieszSW(), target: target)
var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 100), steps: 200)
var progress = ProgressBar()
let result = try flow.run(from: source, observer: &progress, using: &rng)
print("loss \(result.losses.first!) -> \(result.losses.last!)")
