import Foundation
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

/// A smoothed energy-distance kernel between classes:
/// K(mu, nu) = phi(SW_2^2(mu, nu)) with phi(S) = -sqrt(S + offset).
///
/// Like the Riesz kernel with r = 1 far apart, but differentiable at S = 0.
struct SmoothEnergySW: SlicedKernel {
    /// The smoothing offset, > 0.
    let offset: Double
    let slicing: Slicing

    init(offset: Double = 0.01, slicing: Slicing = Slicing()) throws {
        guard offset > 0, offset.isFinite else {
            throw KernelError.invalidParameter("offset must be positive and finite, got \(offset)")
        }
        try slicing.validate()
        self.offset = offset
        self.slicing = slicing
    }

    // phi(S) and phi'(S); SlicedKernel derives evaluate (values and gradients) from them.
    func profile(_ discrepancy: Double) -> KernelProfile {
        let root = (discrepancy + offset).squareRoot()
        return KernelProfile(value: -root, derivative: -0.5 / root)
    }
}

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

// Each class should have settled on one ring: its mean close to a ring centre,
// its particles about one radius (0.3) away from that centre.
let centres: [(x: Double, y: Double)] = [(0, 0), (-0.75, 0), (-1.5, 0)]
for (c, measure) in result.state.classes.enumerated() {
    let mean = measure.mean
    let centre = centres.min { a, b in
        hypot(a.x - mean[0], a.y - mean[1]) < hypot(b.x - mean[0], b.y - mean[1])
    }!
    var distance = 0.0
    for i in 0..<measure.count {
        distance += hypot(Double(measure.points[i, 0]) - centre.x,
                          Double(measure.points[i, 1]) - centre.y)
    }
    distance /= Double(measure.count)
    print("class \(c): ring at (\(centre.x), \(centre.y)), mean distance \(distance)")
}

// Draw the target rings in faint grey and the flowed classes on top, one colour each.
func coordinates(_ measures: [EmpiricalMeasure], _ j: Int) -> [[Double]] {
    measures.map { m in (0..<m.count).map { Double(m.points[$0, j]) } }
}
let (targetXs, targetYs) = (coordinates(target.classes, 0), coordinates(target.classes, 1))
let (flowedXs, flowedYs) = (coordinates(result.state.classes, 0), coordinates(result.state.classes, 1))
let bounds = try DataRect.fitting(xs: (targetXs + flowedXs).flatMap { $0 },
                                  ys: (targetYs + flowedYs).flatMap { $0 },
                                  margin: 0.08, pixelWidth: 480, pixelHeight: 240)
var canvas = try ScatterCanvas(width: 480, height: 240, bounds: bounds)
for c in targetXs.indices {
    try canvas.plot(xs: targetXs[c], ys: targetYs[c], color: Palette.faint(RGB(hex: 0x7F7F7F)), radius: 4)
}
for c in flowedXs.indices {
    try canvas.plot(xs: flowedXs[c], ys: flowedYs[c], color: Palette.color(forClass: c), radius: 2, alpha: 0.9)
}
try canvas.image.write(to: URL(fileURLWithPath: "rings-flowed.png"))
