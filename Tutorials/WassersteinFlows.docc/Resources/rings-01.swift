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
