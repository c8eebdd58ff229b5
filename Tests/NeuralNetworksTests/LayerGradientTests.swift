import XCTest
import WoWCompute
@testable import NeuralNetworks

final class LayerGradientTests: XCTestCase {
    let checker = GradientCheck()

    func normal(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return checker.randomTensor(shape, &rng)
    }

    /// Values bounded away from zero (ReLU's kink) by more than the FD step.
    func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        var t = normal(shape, seed: seed)
        for i in 0..<t.count { let v = t[flat: i]; t[flat: i] = (v < 0 ? -1 : 1) * (0.1 + abs(v)) }
        return t
    }

    /// Distinct values spaced 0.05 apart in random order (no ties in max-pool windows).
    func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.05 - Float(count) * 0.025 }
        values.shuffle(using: &rng)
        return try! Tensor(shape: shape, storage: values)
    }

    /// A layer whose backward is deliberately wrong: the checker must notice.
    struct WrongGradient: Layer {
        var scale = Parameter(try! Tensor(shape: [1], storage: [2]))
        var recorded: Tensor?
        mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows { try body(&scale) }
        mutating func forward(_ input: Tensor, mode: ForwardMode) throws -> Tensor {
            recorded = input
            return try Tensor(shape: input.shape, storage: input.storage.map { $0 * scale.value[0] })
        }
        mutating func backward(_ g: Tensor, targets: GradientTargets) throws -> Tensor {
            scale.gradient[0] += 0.5   // wrong
            return g                   // wrong by the factor `scale`
        }
    }

    func testCheckerDetectsWrongGradients() throws {
        let failures = try checker.check(WrongGradient(), input: normal([2, 3], seed: 0))
        XCTAssertEqual(failures.filter { $0.hasPrefix("input") }.count, 6)
        XCTAssertEqual(failures.filter { $0.hasPrefix("parameter") }.count, 1)
    }

    func testConv2dPaddedStrideOne() throws {
        var rng = SeededGenerator(seed: 1)
        let conv = try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, using: &rng)
        XCTAssertEqual(try checker.check(conv, input: normal([2, 3, 6, 5], seed: 2)), [])
    }

    func testConv2dStrideTwoAndLargePadding() throws {
        var rng = SeededGenerator(seed: 3)
        let conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 3, using: &rng)
        XCTAssertEqual(try checker.check(conv, input: normal([2, 2, 7, 6], seed: 4)), [])
    }

    func testConv2dGroupedImagesAndSeveralChunks() throws {
        // 2 x 2 outputs: images are grouped side by side in one product; batch 40 with
        // enough work is cut into several chunks.
        var rng = SeededGenerator(seed: 5)
        let conv = try Conv2d(inChannels: 4, outChannels: 6, kernelSize: 3, using: &rng)
        XCTAssertGreaterThan(Conv2d.groupSize(try conv.geometry(for: [40, 4, 4, 4])), 1)
        XCTAssertEqual(try checker.check(conv, input: normal([40, 4, 4, 4], seed: 6)), [])
    }

    func testConv2dOneByOneKernel() throws {
        var rng = SeededGenerator(seed: 7)
        let conv = try Conv2d(inChannels: 1, outChannels: 6, kernelSize: 1, using: &rng)
        XCTAssertEqual(try checker.check(conv, input: normal([3, 1, 4, 4], seed: 8)), [])
    }

    func testConv2dOneByOneKernelOnLargeImagesUsesTheImageAsPatchMatrix() throws {
        var rng = SeededGenerator(seed: 35)
        let conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: 1, using: &rng)
        XCTAssertEqual(Conv2d.groupSize(try conv.geometry(for: [2, 2, 16, 16])), 1)
        XCTAssertEqual(try checker.check(conv, input: normal([2, 2, 16, 16], seed: 36)), [])
    }

    func testConv2dRecomputedPatchesGiveTheStoredResult() throws {
        var rng = SeededGenerator(seed: 37)
        var conv = try Conv2d(inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, using: &rng)
        let x = normal([5, 3, 6, 6], seed: 38), g = normal([5, 4, 6, 6], seed: 39)
        func run() throws -> [[Float]] {
            var layer = conv
            _ = try layer.forward(x, mode: .differentiable)
            let dx = try layer.backward(g, targets: .all)
            return [dx.storage] + layer.parameterGradients.map(\.storage)
        }
        let stored = try run()
        let saved = Conv2d.storedPatchLimit
        defer { Conv2d.storedPatchLimit = saved }
        Conv2d.storedPatchLimit = 0
        XCTAssertEqual(try run(), stored)
        XCTAssertEqual(try checker.check(conv, input: x), [])
        conv.zeroGradients()
    }

    func testConv2dMatchesDirectSum() throws {
        var rng = SeededGenerator(seed: 9)
        var conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, using: &rng)
        let x = normal([2, 2, 5, 6], seed: 10)
        let y = try conv.forward(x, mode: .inference)
        XCTAssertEqual(y.shape, [2, 3, 3, 3])
        for n in 0..<2 { for o in 0..<3 { for i in 0..<3 { for j in 0..<3 {
            var total = Double(conv.bias.value[o])
            for c in 0..<2 { for u in 0..<3 { for v in 0..<3 {
                let (r, s) = (i * 2 - 1 + u, j * 2 - 1 + v)
                if r >= 0 && r < 5 && s >= 0 && s < 6 {
                    total += Double(conv.weight.value[o, c, u, v]) * Double(x[n, c, r, s])
                }
            } } }
            XCTAssertEqual(Double(y[n, o, i, j]), total, accuracy: 1e-4)
        } } } }
    }

    func testAvgPool() throws {
        XCTAssertEqual(try checker.check(try AvgPool2d(kernelSize: 2), input: normal([2, 3, 6, 5], seed: 11)), [])
        XCTAssertEqual(try checker.check(try AvgPool2d(kernelSize: 3, stride: 1), input: normal([2, 2, 5, 5], seed: 12)), [])
    }

    func testAvgPoolKernelThreeOnANonDivisibleImage() throws {
        // k = s = 3 on 7x8: a 2x2 output, the last row and last two columns uncovered.
        let x = normal([2, 2, 7, 8], seed: 50)
        XCTAssertEqual(try checker.check(try AvgPool2d(kernelSize: 3), input: x), [])
        var pool = try AvgPool2d(kernelSize: 3)
        let y = try pool.forward(x, mode: .differentiable)
        XCTAssertEqual(y.shape, [2, 2, 2, 2])
        let dy = normal(y.shape, seed: 51)
        let dx = try pool.backward(dy, targets: .input)
        for n in 0..<2 { for c in 0..<2 {
            for i in 0..<2 { for j in 0..<2 {
                var total = 0.0
                for u in 0..<3 { for v in 0..<3 { total += Double(x[n, c, 3 * i + u, 3 * j + v]) } }
                XCTAssertEqual(Double(y[n, c, i, j]), total / 9, accuracy: 1e-6)
            } }
            // Each input's gradient is its window's output gradient / 9 (0 outside every window).
            for r in 0..<7 { for q in 0..<8 {
                let expected = r < 6 && q < 6 ? dy[n, c, r / 3, q / 3] / 9 : 0
                XCTAssertEqual(dx[n, c, r, q], expected, accuracy: 1e-7, "(\(n), \(c), \(r), \(q))")
            } }
        } }
    }

    func testMaxPool() throws {
        XCTAssertEqual(try checker.check(try MaxPool2d(kernelSize: 2, stride: 1), input: distinct([2, 3, 5, 5], seed: 13)), [])
        XCTAssertEqual(try checker.check(try MaxPool2d(kernelSize: 2), input: distinct([2, 2, 6, 7], seed: 14)), [])
        // Rows of 18 outputs: the eight-lane path and its scalar tail.
        XCTAssertEqual(try checker.check(try MaxPool2d(kernelSize: 2, stride: 1), input: distinct([1, 2, 5, 19], seed: 15)), [])
        XCTAssertEqual(try checker.check(try MaxPool2d(kernelSize: 3, stride: 2), input: distinct([1, 2, 7, 9], seed: 16)), [])
        // Against the definition, ties included (first maximum in scan order).
        var pool = try MaxPool2d(kernelSize: 2, stride: 1)
        var rng = SeededGenerator(seed: 17)
        let x = try Tensor(shape: [2, 1, 4, 12], storage: (0..<96).map { _ in Float(rng.next() % 4) })
        let y = try pool.forward(x, mode: .differentiable)
        let dx = try pool.backward(Tensor(shape: y.shape, repeating: 1), targets: .input)
        var expected = Tensor(shape: x.shape)
        for n in 0..<2 { for i in 0..<3 { for j in 0..<11 {
            let window = [(i, j), (i, j + 1), (i + 1, j), (i + 1, j + 1)]
            var best = window[0]
            for w in window.dropFirst() where x[n, 0, w.0, w.1] > x[n, 0, best.0, best.1] { best = w }
            XCTAssertEqual(y[n, 0, i, j], x[n, 0, best.0, best.1])
            expected[n, 0, best.0, best.1] += 1
        } } }
        XCTAssertEqual(dx, expected)
    }

    func testActivationsAndFlatten() throws {
        XCTAssertEqual(try checker.check(ReLU(), input: awayFromZero([3, 2, 4, 4], seed: 15)), [])
        XCTAssertEqual(try checker.check(Sigmoid(), input: normal([3, 7], seed: 16)), [])
        XCTAssertEqual(try checker.check(Flatten(), input: normal([3, 2, 2, 3], seed: 17)), [])
    }

    func testLinear() throws {
        var rng = SeededGenerator(seed: 18)
        XCTAssertEqual(try checker.check(try Linear(inFeatures: 7, outFeatures: 5, using: &rng), input: normal([4, 7], seed: 19)), [])
    }

    func testGroupAndInstanceNorm() throws {
        var norm = try GroupNorm(groups: 2, channels: 4)
        // Non-trivial affine parameters.
        try norm.setParameterValues([normal([4], seed: 20), normal([4], seed: 21)])
        XCTAssertEqual(try checker.check(norm, input: normal([3, 4, 3, 3], seed: 22)), [])
        var instance = try GroupNorm.instanceNorm(channels: 3)
        try instance.setParameterValues([normal([3], seed: 23), normal([3], seed: 24)])
        XCTAssertEqual(try checker.check(instance, input: normal([2, 3, 4, 5], seed: 25)), [])
    }

    func testInstanceNormNormalises() throws {
        var norm = try GroupNorm.instanceNorm(channels: 2)
        let y = try norm.forward(normal([2, 2, 8, 8], seed: 26), mode: .inference)
        for n in 0..<2 { for c in 0..<2 {
            var mean = 0.0, square = 0.0
            for i in 0..<8 { for j in 0..<8 { mean += Double(y[n, c, i, j]); square += Double(y[n, c, i, j] * y[n, c, i, j]) } }
            XCTAssertEqual(mean / 64, 0, accuracy: 1e-5)
            XCTAssertEqual(square / 64, 1, accuracy: 1e-3)
        } }
    }

    func testLogSoftmaxAndNLL() throws {
        XCTAssertEqual(try checker.check(LogSoftmax(), input: normal([3, 5], seed: 27)), [])
        let logits = normal([4, 3], seed: 28)
        var softmax = LogSoftmax()
        let logp = try softmax.forward(logits, mode: .inference)
        let labels = [0, 2, 1, 2]
        let (value, gradient) = try NLLLoss.valueAndGradient(logProbabilities: logp, labels: labels)
        var expected = 0.0
        for (r, label) in labels.enumerated() {
            var lse = 0.0
            for j in 0..<3 { lse += exp(Double(logits[r, j])) }
            expected += log(lse) - Double(logits[r, label])
        }
        XCTAssertEqual(value, expected / 4, accuracy: 1e-5)
        XCTAssertEqual(gradient[1, 2], -0.25)
        XCTAssertEqual(gradient[1, 0], 0)
        XCTAssertThrowsError(try NLLLoss.valueAndGradient(logProbabilities: logp, labels: [0, 1, 2, 3]))
    }

    func testLogSoftmaxIsStableForLargeLogits() throws {
        // log(1 + e^-1 + e^-2000) = 0.3132617 -> [-0.3133, -1.3133, -2000.3133]; without the
        // row maximum subtracted, exp(1000) overflows.
        let lse = log(1 + exp(-1.0))
        var softmax = LogSoftmax()
        let x = try Tensor(shape: [2, 3], storage: [1000, 999, -1000, -1000, 999, 1000])
        let y = try softmax.forward(x, mode: .differentiable)
        XCTAssertTrue(y.isFinite, "\(y.storage)")
        let expected = [-lse, -1 - lse, -2000 - lse, -2000 - lse, -1 - lse, -lse]
        // Float spacing near 1000 is 6e-5 (and 1.2e-4 near 2000).
        for i in 0..<6 { XCTAssertEqual(Double(y[flat: i]), expected[i], accuracy: 3e-4) }
        XCTAssertEqual(Double(y[0, 0]), -0.3133, accuracy: 1e-4)
        XCTAssertEqual(Double(y[0, 1]), -1.3133, accuracy: 1e-4)
        XCTAssertEqual(Double(y[0, 2]), -2000.3133, accuracy: 3e-4)
        // dx = dy - softmax * sum(dy): softmax = (0.7311, 0.2689, 0).
        let dx = try softmax.backward(try Tensor(shape: [2, 3], storage: [1, 0, 0, 0, 2, 1]), targets: .input)
        XCTAssertTrue(dx.isFinite)
        let p0 = 1 / (1 + exp(-1.0)), p1 = 1 - p0
        let expectedGradient = [1 - p0, -p1, 0, 0, 2 - 3 * p1, 1 - 3 * p0]
        for i in 0..<6 { XCTAssertEqual(Double(dx[flat: i]), expectedGradient[i], accuracy: 3e-4) }
    }

    func testChannelNormalization() throws {
        let norm = try ChannelNormalization(mean: [0.5, -1], standardDeviation: [2, 0.5])
        XCTAssertEqual(try checker.check(norm, input: normal([2, 2, 3, 3], seed: 29)), [])
    }

    func testSequentialComposition() throws {
        var rng = SeededGenerator(seed: 30)
        var norm = try GroupNorm.instanceNorm(channels: 3)
        try norm.setParameterValues([normal([3], seed: 31), normal([3], seed: 32)])
        let net = Sequential {
            try! Conv2d(inChannels: 1, outChannels: 3, kernelSize: 3, padding: 1, using: &rng)
            norm
            Sigmoid()
            try! AvgPool2d(kernelSize: 2)
            Flatten()
            try! Linear(inFeatures: 12, outFeatures: 4, using: &rng)
            LogSoftmax()
        }
        XCTAssertEqual(net.parameterCount, 30 + 6 + 52)
        XCTAssertEqual(try checker.check(net, input: normal([2, 1, 4, 4], seed: 33)), [])
    }

    func testLayersLeaveTheCallersTensorsUnchanged() throws {
        // Elementwise layers work in place only on tensors nobody else holds.
        var rng = SeededGenerator(seed: 40)
        let layers: [any Layer] = [ReLU(), Sigmoid(), try GroupNorm(groups: 1, channels: 2), LogSoftmax(),
                                   try ChannelNormalization(mean: [0.1, 0.2], standardDeviation: [0.5, 2]),
                                   Augmentation(.color(brightness: 0.1, saturation: 1.5, contrast: 0.8), imageShape: [2, 3, 3]),
                                   Augmentation(.flip, imageShape: [2, 3, 3]), Flatten(),
                                   try Conv2d(inChannels: 2, outChannels: 2, kernelSize: 1, using: &rng)]
        for var layer in layers {
            let x = layer is LogSoftmax ? normal([2, 18], seed: 41) : normal([2, 2, 3, 3], seed: 41)
            let saved = x
            let y = try layer.forward(x, mode: .differentiable)
            XCTAssertEqual(x, saved, "\(type(of: layer)) forward")
            let g = normal(y.shape, seed: 42)
            let savedG = g
            _ = try layer.backward(g, targets: .all)
            XCTAssertEqual(g, savedG, "\(type(of: layer)) backward")
            XCTAssertEqual(try layer.forward(x, mode: .inference), y, "\(type(of: layer)) repeatable")
        }
    }

    func testShapeErrorsAndMissingForward() throws {
        var rng = SeededGenerator(seed: 34)
        var conv = try Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, using: &rng)
        XCTAssertThrowsError(try conv.forward(Tensor(shape: [1, 3, 5, 5]), mode: .inference)) { error in
            guard case NeuralNetworkError.shapeMismatch = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try conv.forward(Tensor(shape: [1, 2, 2, 2]), mode: .inference))
        _ = try conv.forward(Tensor(shape: [1, 2, 5, 5]), mode: .inference)
        XCTAssertThrowsError(try conv.backward(Tensor(shape: [1, 3, 3, 3]), targets: .all)) { error in
            XCTAssertEqual(error as? NeuralNetworkError, .missingForward("Conv2d"))
        }
        _ = try conv.forward(Tensor(shape: [1, 2, 5, 5]), mode: .differentiable)
        XCTAssertThrowsError(try conv.backward(Tensor(shape: [1, 3, 3, 2]), targets: .all))
        XCTAssertThrowsError(try Conv2d(inChannels: 0, outChannels: 3, kernelSize: 3, using: &rng))
        XCTAssertThrowsError(try GroupNorm(groups: 3, channels: 4))
        var linear = try Linear(inFeatures: 3, outFeatures: 2, using: &rng)
        XCTAssertThrowsError(try linear.forward(Tensor(shape: [2, 4]), mode: .inference))
        XCTAssertThrowsError(try Tensor(shape: [2, 3], storage: [1, 2]))
    }
}
