import XCTest
import WoWCompute
import NeuralNetworks

/// One scalar parameter with a settable gradient.
struct ScalarModel: ParameterContainer {
    var p: Parameter
    init(_ value: Float) { p = Parameter(try! Tensor(shape: [1], storage: [value])) }
    mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows { try body(&p) }
    var value: Float { p.value[0] }
    mutating func setGradient(_ g: Float) { p.gradient[0] = g }
}

/// One parameter vector of `count` elements with settable gradients (long enough for the
/// optimisers' eight-lane loops and their scalar tails).
struct VectorModel: ParameterContainer {
    var p: Parameter
    init(_ values: [Float]) { p = Parameter(try! Tensor(shape: [values.count], storage: values)) }
    mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows { try body(&p) }
    var values: [Float] { p.value.storage }
    mutating func setGradients(_ g: [Float]) { p.gradient = try! Tensor(shape: [g.count], storage: g) }
}

final class OptimizerTests: XCTestCase {
    /// Gradient of element `i` at step `t` (mixed signs and magnitudes).
    static func gradient(_ i: Int, _ t: Int) -> Float { Float(sin(0.7 * Double(i) + 1.3 * Double(t)) * (1 + 0.1 * Double(i))) }
    static func initial(_ i: Int) -> Float { Float(cos(0.45 * Double(i)) * 2 - 0.3) }

    func testAdamWVectorPathMatchesADoubleReference() throws {
        // 19 elements: two eight-lane chunks and a three-element tail, three steps with decay.
        let count = 19, (lr, b1, b2, eps, wd) = (0.05, 0.9, 0.999, 1e-8, 0.2)
        var model = VectorModel((0..<count).map(Self.initial))
        var adam = AdamW(learningRate: Float(lr), beta1: Float(b1), beta2: Float(b2), epsilon: Float(eps), weightDecay: Float(wd))
        var p = (0..<count).map { Double(Self.initial($0)) }
        var m = [Double](repeating: 0, count: count), v = m
        for t in 1...3 {
            let g = (0..<count).map { Self.gradient($0, t) }
            model.setGradients(g)
            try adam.step(&model)
            for i in 0..<count {
                let gi = Double(g[i])
                p[i] *= 1 - lr * wd
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                let mHat = m[i] / (1 - pow(b1, Double(t))), vHat = v[i] / (1 - pow(b2, Double(t)))
                p[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            for i in 0..<count {
                XCTAssertEqual(Double(model.values[i]), p[i], accuracy: 2e-6 * max(1, abs(p[i])), "step \(t), element \(i)")
            }
        }
        XCTAssertEqual(adam.stepCount, 3)
    }

    func testAdamWMatchesHandComputedSteps() throws {
        // lr 0.1, betas (0.9, 0.999), eps 1e-8, wd 0.01, p0 = 1, gradients 0.5 then -0.2.
        // Step 1: p = 1 * (1 - 0.001) = 0.999; m = 0.05; v = 0.00025;
        //   mhat = 0.5, sqrt(vhat) = 0.5 -> p = 0.999 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.899.
        // Step 2: p = 0.899 * 0.999 = 0.898101; m = 0.9 * 0.05 + 0.1 * -0.2 = 0.025;
        //   v = 0.999 * 0.00025 + 0.001 * 0.04 = 0.00028975;
        //   step = 0.1 / (1 - 0.81) = 0.526315789..., denom = sqrt(v) / sqrt(1 - 0.998001) + 1e-8
        //   = 0.0170220445 / 0.0447101778 = 0.380719...; p = 0.898101 - 0.526316 * 0.025 / 0.380719.
        var model = ScalarModel(1)
        var adam = AdamW(learningRate: 0.1, weightDecay: 0.01)
        model.setGradient(0.5)
        try adam.step(&model)
        XCTAssertEqual(model.value, 0.899, accuracy: 1e-6)
        model.setGradient(-0.2)
        try adam.step(&model)
        let denom = (0.00028975).squareRoot() / (1 - 0.998001).squareRoot() + 1e-8
        XCTAssertEqual(Double(model.value), 0.898101 - (0.1 / 0.19) * 0.025 / denom, accuracy: 2e-6)
        XCTAssertEqual(adam.stepCount, 2)
    }

    func testSGDVectorPathMatchesADoubleReference() throws {
        // 19 elements (eight-lane chunks and a tail), three steps, decay with heavy-ball
        // momentum and dampening, and decay with Nesterov momentum.
        let count = 19, (lr, mu, wd) = (0.1, 0.9, 0.3)
        for (nesterov, damp) in [(false, 0.25), (true, 0.0)] {
            var model = VectorModel((0..<count).map(Self.initial))
            var sgd = SGD(learningRate: Float(lr), momentum: Float(mu), dampening: Float(damp), weightDecay: Float(wd),
                          nesterov: nesterov)
            var p = (0..<count).map { Double(Self.initial($0)) }
            var b = [Double](repeating: 0, count: count)
            for t in 1...3 {
                let g = (0..<count).map { Self.gradient($0, t) }
                model.setGradients(g)
                try sgd.step(&model)
                for i in 0..<count {
                    let d = Double(g[i]) + wd * p[i]
                    b[i] = t == 1 ? d : mu * b[i] + (1 - damp) * d
                    p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
                    XCTAssertEqual(Double(model.values[i]), p[i], accuracy: 2e-6 * max(1, abs(p[i])),
                                   "nesterov \(nesterov), step \(t), element \(i)")
                }
            }
        }
    }

    func testSGDMomentumWeightDecayAndNesterov() throws {
        // lr 0.1, momentum 0.9, wd 0.1, p0 = 2, g = 1 twice.
        // Step 1: d = 1 + 0.2 = 1.2, b = 1.2, p = 2 - 0.12 = 1.88.
        // Step 2: d = 1 + 0.188 = 1.188, b = 0.9 * 1.2 + 1.188 = 2.268, p = 1.88 - 0.2268 = 1.6532.
        var model = ScalarModel(2)
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        model.setGradient(1)
        try sgd.step(&model)
        XCTAssertEqual(model.value, 1.88, accuracy: 1e-6)
        try sgd.step(&model)
        XCTAssertEqual(model.value, 1.6532, accuracy: 1e-6)
        // Nesterov, no decay: step 1: b = 1, p = 2 - 0.1 * (1 + 0.9) = 1.81;
        // step 2: b = 1.9, p = 1.81 - 0.1 * (1 + 1.71) = 1.539.
        var nesterovModel = ScalarModel(2)
        var nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        nesterovModel.setGradient(1)
        try nesterov.step(&nesterovModel)
        XCTAssertEqual(nesterovModel.value, 1.81, accuracy: 1e-6)
        try nesterov.step(&nesterovModel)
        XCTAssertEqual(nesterovModel.value, 1.539, accuracy: 1e-6)
        // Plain SGD.
        var plainModel = ScalarModel(1)
        var plain = SGD(learningRate: 0.5)
        plainModel.setGradient(0.25)
        try plain.step(&plainModel)
        XCTAssertEqual(plainModel.value, 0.875)
    }

    func testOptimizersRejectBadSettingsAndChangedModels() throws {
        var model = ScalarModel(1)
        var bad = AdamW(learningRate: -1)
        XCTAssertThrowsError(try bad.step(&model))
        var badSGD = SGD(learningRate: 0.1, nesterov: true)
        XCTAssertThrowsError(try badSGD.step(&model))
        var adam = AdamW()
        try adam.step(&model)
        var other = Sequential([])
        XCTAssertThrowsError(try adam.step(&other))
    }

    func testSchedules() {
        XCTAssertEqual(ConstantLearningRate().learningRate(base: 0.1, epoch: 5, epochs: 10), 0.1)
        let step = StepDecay(milestones: [2, 4], factor: 0.5)
        XCTAssertEqual([0, 1, 2, 3, 4, 9].map { step.learningRate(base: 1, epoch: $0, epochs: 10) }, [1, 1, 0.5, 0.5, 0.25, 0.25])
        let cosine = CosineDecay(minimum: 0.1)
        XCTAssertEqual(cosine.learningRate(base: 1, epoch: 0, epochs: 4), 1, accuracy: 1e-6)
        XCTAssertEqual(cosine.learningRate(base: 1, epoch: 2, epochs: 4), 0.55, accuracy: 1e-6)
    }
}
