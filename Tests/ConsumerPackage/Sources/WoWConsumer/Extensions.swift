// Conformances beyond kernels, as an outside package writes them: two kernels on class
// means (one whose self-pair gradient does not vanish), a functional, an integrator and
// a struct observer. `runExtensionChecks()` runs the law checkers on each and flows with
// each; every check prints one line and returns whether it passed.

import FlowLaws
import Foundation
import WassersteinFlows

// MARK: - Kernels on class means

/// `K(mu, nu) = <m_mu, m_nu>`, the linear kernel on class means behind Distribution
/// Matching. `grad_W K(., nu)(mu) = m_nu` at every particle, so the self-pair gradient
/// `m_mu` does not vanish (the default `selfGradientVanishes = false` is the truth).
struct MeanInnerProductKernel: MeasureKernel {
    func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                  using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        _ = try batch.validate()
        let means = batch.measures.map(\.mean)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        var values = [Double]()
        for pair in batch.pairs {
            values.append(zip(means[pair.first], means[pair.second]).reduce(0) { $0 + $1.0 * $1.1 })
            addConstantGradient(&gradients, batch, pair.first, means[pair.second], pair.firstGradientWeight)
            addConstantGradient(&gradients, batch, pair.second, means[pair.first], pair.secondGradientWeight)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}

/// `K(mu, nu) = exp(-|m_mu - m_nu|^2 / h)`; `grad_W K(., nu)(mu) = -2 K (m_mu - m_nu) / h`.
struct MeanGaussianKernel: MeasureKernel {
    var bandwidth = 0.5
    func evaluate(_ batch: KernelBatch, recycling: inout [Matrix?],
                  using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        _ = try batch.validate()
        let means = batch.measures.map(\.mean)
        var gradients = [Matrix?](repeating: nil, count: batch.measures.count)
        var values = [Double]()
        for pair in batch.pairs {
            let difference = zip(means[pair.first], means[pair.second]).map { $0 - $1 }
            let k = exp(-difference.reduce(0) { $0 + $1 * $1 } / bandwidth)
            values.append(k)
            let g = difference.map { -2 * k * $0 / bandwidth }
            addConstantGradient(&gradients, batch, pair.first, g, pair.firstGradientWeight)
            addConstantGradient(&gradients, batch, pair.second, g.map { -$0 }, pair.secondGradientWeight)
        }
        return KernelBatchResult(values: values, gradients: gradients)
    }
}

/// Adds `weight * vector` at every particle of measure `index` (nothing for weight 0).
func addConstantGradient(_ gradients: inout [Matrix?], _ batch: KernelBatch, _ index: Int, _ vector: [Double], _ weight: Double) {
    guard weight != 0 else { return }
    let measure = batch.measures[index]
    var g = gradients[index] ?? Matrix(rows: measure.count, columns: measure.dimension)
    for i in 0..<measure.count { for j in 0..<measure.dimension { g[i, j] += Float(weight * vector[j]) } }
    gradients[index] = g
}

// MARK: - A functional

/// `F(P) = 1/2 sum_c a_c |m_c - t_c|^2`: each class's mean pulled to a fixed point.
/// `dF/dx_ci = a_c w_ci (m_c - t_c)`, so under the WoW scaling (divide by `a_c w_ci`) the
/// gradient is `m_c - t_c` at every particle of class `c`.
struct MeanAnchoring: Functional {
    var anchors: [[Double]]

    func valueAndGradient(at state: LabeledDataset, into gradient: inout ParticleField?,
                          using generator: inout some RandomNumberGenerator) throws -> Double {
        guard anchors.count == state.classCount, anchors.allSatisfy({ $0.count == state.dimension }) else {
            throw FunctionalError.invalidParameter("one \(state.dimension)-d anchor per class needed")
        }
        var value = 0.0
        var field = ParticleField(zerosLike: state)
        for (c, measure) in state.classes.enumerated() {
            let difference = zip(measure.mean, anchors[c]).map { $0 - $1 }
            value += 0.5 * state.classWeights[c] * difference.reduce(0) { $0 + $1 * $1 }
            for i in 0..<measure.count { for j in 0..<measure.dimension { field.classes[c][i, j] = Float(difference[j]) } }
        }
        gradient = field
        return value
    }
}

// MARK: - An integrator

/// Gradient descent with the step capped per particle: `x <- x - tau g / max(1, |g|/c)`.
struct CappedEuler: Integrator {
    var learningRate: Float
    var cap: Float = 1

    func step(_ state: inout LabeledDataset, gradient: ParticleField) throws {
        if let reason = state.tangentMismatch(gradient) {
            throw IntegratorError.shapeMismatch(integrator: "CappedEuler", reason: reason)
        }
        var move = gradient
        for c in move.classes.indices {
            for i in 0..<move.classes[c].rows {
                var norm: Float = 0
                for j in 0..<move.classes[c].columns { norm += move.classes[c][i, j] * move.classes[c][i, j] }
                let shrink = max(1, norm.squareRoot() / cap)
                for j in 0..<move.classes[c].columns { move.classes[c][i, j] /= shrink }
            }
        }
        state.move(along: move, scaledBy: -learningRate)
    }
}

// MARK: - A struct observer

/// Records every loss and the mean of class 0 at each step (a value type: the records
/// stay in the variable handed to `Flow.run`).
struct TrailRecorder: FlowObserver {
    var losses: [Double] = []
    var firstClassMeans: [[Double]] = []
    var finished = false

    mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {
        losses.append(progress.loss)
        if let dataset = state as? LabeledDataset { firstClassMeans.append(dataset.classes[0].mean) }
    }
    mutating func flowDidFinish() { finished = true }
}

// MARK: - Checks

/// Prints one line and returns `ok`.
func report(_ name: String, _ violations: [String], _ detail: String = "") -> Bool {
    for violation in violations { print("  \(name): law violated: \(violation)") }
    print("\(name): \(violations.isEmpty ? "ok" : "FAILED")\(detail.isEmpty ? "" : ": \(detail)")")
    return violations.isEmpty
}

/// A flow with a struct observer: the loss must fall `factor` times, the observer must
/// hold one record per loss and have seen the state move.
func observedFlow<F: Functional, I: Integrator>(_ name: String, _ functional: F, _ integrator: I,
                                                from source: LabeledDataset, steps: Int, factor: Double) throws -> Bool
where F.State == LabeledDataset, I.State == LabeledDataset {
    var flow = Flow(functional: functional, integrator: integrator, steps: steps)
    var recorder = TrailRecorder()
    var rng = SeededGenerator(seed: 9)
    let result = try flow.run(from: source, observer: &recorder, using: &rng)
    var problems = [String]()
    if recorder.losses != result.losses { problems.append("the struct observer holds \(recorder.losses.count) losses, the flow \(result.losses.count)") }
    if !recorder.finished { problems.append("the observer was not told the flow finished") }
    if recorder.firstClassMeans.first == recorder.firstClassMeans.last { problems.append("the observer never saw the state move") }
    let (first, last) = (result.losses[0], result.losses.last!)
    if !(last * factor <= first) { problems.append("loss \(first) -> \(last) fell less than \(factor)x") }
    return report(name, problems, String(format: "loss %.3e -> %.3e in %d steps", first, last, steps))
}

func runExtensionChecks() throws -> [Bool] {
    var rng = SeededGenerator(seed: 3)
    let target = try SyntheticData.rings()
    let source = try SyntheticData.gaussianClasses(classes: 3, pointsPerClass: 80, mean: [-0.3, 0], std: 0.01, using: &rng)
    let weighted = try LabeledDataset(classes: source.classes, classWeights: [0.2, 0.3, 0.5])
    var results = [Bool]()
    for (name, kernel) in [("MeanInnerProductKernel", AnyKernel(MeanInnerProductKernel())), ("MeanGaussianKernel", AnyKernel(MeanGaussianKernel()))] {
        results.append(report("\(name): kernel laws", try kernel.laws(target.classes)))
        results.append(report("\(name): MMD functional laws", kernel.functionalLaws(target: target, at: weighted)))
    }
    let anchoring = MeanAnchoring(anchors: target.classes.map(\.mean))
    results.append(report("MeanAnchoring: functional laws", checkFunctionalLaws(anchoring, at: weighted)))
    let zero = ParticleField(zerosLike: source)
    var small = zero
    for c in small.classes.indices { for i in 0..<small.classes[c].rows { small.classes[c][i, 0] = 0.01 } }
    results.append(report("CappedEuler: integrator laws",
                          checkIntegratorLaws({ CappedEuler(learningRate: 0.5) }, state: source, zero: zero,
                                              firstStep: .descent(gradient: small, learningRate: 0.5))))
    results.append(try observedFlow("MMD<MeanInnerProductKernel> + Momentum, struct observer",
                                    try MMD(kernel: MeanInnerProductKernel(), target: target),
                                    try Momentum(learningRate: 0.1, momentum: 0.5), from: source, steps: 150, factor: 100))
    results.append(try observedFlow("MMD<MeanGaussianKernel> + ExplicitEuler, struct observer",
                                    try MMD(kernel: MeanGaussianKernel(bandwidth: 2), target: target),
                                    try ExplicitEuler(learningRate: 1), from: source, steps: 300, factor: 100))
    results.append(try observedFlow("MeanAnchoring + CappedEuler, struct observer", anchoring,
                                    CappedEuler(learningRate: 0.2), from: source, steps: 150, factor: 100))
    return results
}

/// Two kernel types through one list (the checkers are generic).
struct AnyKernel {
    let laws: ([EmpiricalMeasure]) throws -> [String]
    let functionalLaws: (LabeledDataset, LabeledDataset) -> [String]

    init<K: MeasureKernel>(_ kernel: K) {
        laws = { try checkMeasureKernelLaws(kernel, measures: $0) }
        functionalLaws = { target, state in
            do { return checkFunctionalLaws(try MMD(kernel: kernel, target: target), at: state) } catch { return ["\(error)"] }
        }
    }

    func functionalLaws(target: LabeledDataset, at state: LabeledDataset) -> [String] { functionalLaws(target, state) }
}
