import WassersteinFlows

// The target: three rings of 80 points each, radius 0.3,
// centred at (0, 0), (-0.75, 0) and (-1.5, 0).
let target = try SyntheticData.rings()

// The source: three classes of 80 points, all drawn around (-0.3, 0).
var rng = SeededGenerator(seed: 0)
let source = try SyntheticData.gaussianClasses(
    classes: 3, pointsPerClass: 80, mean: [-0.3, 0], std: 0.01, using: &rng)

print("target: \(target.classCount) classes, \(target.pointCount) points")
print("source: \(source.classCount) classes, \(source.pointCount) points")

// K(mu, nu) = -SW_2(mu, nu), estimated with 500 random directions per step.
let kernel = try RieszSW(exponent: 1, slicing: Slicing(projections: 500))

// F(P) = 1/2 MMD_K^2(P, Q) between the flowed dataset P and the target Q.
let mmd = try MMD(kernel: kernel, target: target)

var probe = SeededGenerator(seed: 1)
print("F(source) = \(try mmd.value(at: source, using: &probe))")

// Explicit Euler: every particle moves against its WoW gradient, x <- x - 0.1 g.
var flow = Flow(functional: mmd, integrator: try ExplicitEuler(learningRate: 0.1),
                steps: 501, snapshotInterval: 50)
var progress = ProgressBar()
let result = try flow.run(from: source, observer: &progress, using: &rng)

print("loss \(result.losses[0]) -> \(result.losses.last!) after \(result.steps) steps")
