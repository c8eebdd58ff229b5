// A consumer of WassersteinFlows (Swift 6 language mode): three kernels written outside
// the library, one for each way of conforming to `MeasureKernel`, each checked against
// the kernel laws and used in a short flow of three Gaussian blobs toward three rings;
// then (Extensions.swift) two kernels on class means, a functional, an integrator and a
// struct observer, each through its law checker and a flow. Exits non-zero unless every
// law holds and every flow cuts its loss by at least `requiredFactor`.

import FlowLaws
import Foundation
import WassersteinFlows

/// Loss must fall at least this many times over each flow.
let requiredFactor = 100.0

// MARK: - 1. A kernel that implements `evaluate` directly

/// `K(mu, nu) = -sqrt(|f(mu) - f(nu)|^2 + offset)` on the moment features
/// `f(mu) = (mean(mu), tr Cov(mu))`: a multiquadric (conditionally positive definite)
/// kernel that sees where a class is and how spread out it is.
///
/// Wasserstein gradient at particle `x` of `mu` (derivative divided by the particle's
/// weight): `dK/dm + dK/dv * 2 (x - m)`.
struct MomentEnergyKernel: MeasureKernel {
    var offset: Double = 0.01

    private struct Features {
        var mean: [Double]
        var spread: Double
    }

    private func features(_ mu: EmpiricalMeasure) -> Features {
        let mean = mu.mean
        var spread = 0.0
        for i in 0..<mu.count {
            var squared = 0.0
            for j in 0..<mu.dimension {
                let delta = Double(mu.points[i, j]) - mean[j]
                squared += delta * delta
            }
            spread += Double(mu.weight(i)) * squared
        }
        return Features(mean: mean, spread: spread)
    }

    func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        let d = try batch.validate()
        let f = batch.measures.map(features)
        var values = [Double]()
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        for index in batch.measures.indices where batch.needsGradient(index) {
            gradients[index] = Matrix(rows: batch.measures[index].count, columns: d)
        }
        /// Adds `weight * grad_W K(., other)(measure)` to the gradient of `measure`.
        func accumulate(_ measure: Int, toward other: Int, weight: Double, root: Double) {
            guard weight != 0, measure != other else { return }
            let mu = batch.measures[measure]
            let dm = (0..<d).map { j in -(f[measure].mean[j] - f[other].mean[j]) / root }
            let dv = -(f[measure].spread - f[other].spread) / root
            for i in 0..<mu.count {
                for j in 0..<d {
                    let g = dm[j] + dv * 2 * (Double(mu.points[i, j]) - f[measure].mean[j])
                    gradients[measure]![i, j] += Float(weight * g)
                }
            }
        }
        for pair in batch.pairs {
            let (a, b) = (f[pair.first], f[pair.second])
            var squared = (a.spread - b.spread) * (a.spread - b.spread)
            for j in 0..<d { squared += (a.mean[j] - b.mean[j]) * (a.mean[j] - b.mean[j]) }
            let root = (squared + offset).squareRoot()
            values.append(-root)
            accumulate(pair.first, toward: pair.second, weight: pair.firstGradientWeight, root: root)
            accumulate(pair.second, toward: pair.first, weight: pair.secondGradientWeight, root: root)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}

// MARK: - 2. A kernel given one pair at a time

/// Energy kernel on the class means, `K(mu, nu) = -sqrt(|m_mu - m_nu|^2 + offset)`
/// (conditionally positive definite): it places classes but ignores their shape.
struct MeanEnergyKernel: PairwiseMeasureKernel {
    var offset: Double = 0.01

    func pair(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, gradient: Bool,
              using generator: inout some RandomNumberGenerator) throws -> (value: Double, gradientFirst: Matrix?, gradientSecond: Matrix?) {
        guard mu.dimension == nu.dimension else {
            throw KernelError.dimensionMismatch(measure: 1, expected: mu.dimension, found: nu.dimension)
        }
        let (m, n) = (mu.mean, nu.mean)
        let root = (zip(m, n).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } + offset).squareRoot()
        guard gradient else { return (-root, nil, nil) }
        // d/dm_mu K = -(m_mu - m_nu) / root: a Wasserstein gradient that is the same at
        // every particle of mu (the particle derivative is weight(i) times it).
        func constant(_ rows: Int, _ difference: [Double]) throws -> Matrix {
            let row = difference.map { Float(-$0 / root) }
            return try Matrix(rows: rows, columns: row.count, storage: Array((0..<rows).map { _ in row }.joined()))
        }
        return (-root,
                try constant(mu.count, zip(m, n).map { $0 - $1 }),
                try constant(nu.count, zip(n, m).map { $0 - $1 }))
    }
}

// MARK: - 3. A sliced kernel given by its profile

/// `K(mu, nu) = -log(1 + SW_2^2(mu, nu) / h)`: conditionally positive definite (log(1+t)
/// is a Bernstein function), heavy-tailed, smooth at 0.
struct LogSW: SlicedKernel {
    var bandwidth: Double = 0.05
    var slicing = Slicing(projections: 200)

    func profile(_ discrepancy: Double) -> KernelProfile {
        KernelProfile(value: -log1p(discrepancy / bandwidth), derivative: -1 / (bandwidth + discrepancy))
    }
}

// MARK: - Checks

func flowRings<K: MeasureKernel, I: Integrator>(
    _ name: String, kernel: K, integrator: I, steps: Int
) throws -> Bool where I.State == LabeledDataset {
    let target = try SyntheticData.rings()
    var rng = SeededGenerator(seed: 42)
    let violations = try checkMeasureKernelLaws(kernel, measures: target.classes)
    for violation in violations { print("  \(name): law violated: \(violation)") }

    let source = try SyntheticData.gaussianClasses(
        classes: 3, pointsPerClass: 80, mean: [-0.3, 0], std: 0.01, using: &rng)
    var flow = Flow(functional: try MMD(kernel: kernel, target: target), integrator: integrator,
                    steps: steps, snapshotInterval: 50)
    let result = try flow.run(from: source, using: &rng)
    let first = result.losses[0], last = result.losses.last!
    let trace = result.snapshots.map { "\($0.step): \(String(format: "%.3e", result.losses[$0.step]))" }
    print("\(name): loss \(trace.joined(separator: ", ")) (\(String(format: "%.2f", result.seconds)) s)")
    let ok = violations.isEmpty && first.isFinite && last.isFinite && last * requiredFactor <= first
    print("\(name): \(ok ? "ok" : "FAILED"): loss \(String(format: "%.3e", first)) -> \(String(format: "%.3e", last))" +
          " (must fall at least \(Int(requiredFactor))x), \(violations.count) law violations")
    return ok
}

var results = [Bool]()
do {
    results.append(try flowRings("MomentEnergyKernel (evaluate) + ExplicitEuler", kernel: MomentEnergyKernel(),
                                 integrator: try ExplicitEuler(learningRate: 0.1), steps: 150))
    results.append(try flowRings("MeanEnergyKernel (PairwiseMeasureKernel) + Momentum", kernel: MeanEnergyKernel(),
                                 integrator: try Momentum(learningRate: 0.1, momentum: 0.9), steps: 150))
    results.append(try flowRings("LogSW (SlicedKernel) + ExplicitEuler", kernel: LogSW(),
                                 integrator: try ExplicitEuler(learningRate: 0.1), steps: 150))
    results += try runExtensionChecks()
} catch {
    print("WoWConsumer: error: \(error)")
    results.append(false)
}
let passed = results.filter { $0 }.count
print("WoWConsumer: \(passed) of \(results.count) checks ok")
exit(passed == results.count ? 0 : 1)
