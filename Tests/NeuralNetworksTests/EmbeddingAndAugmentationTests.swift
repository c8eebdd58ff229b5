import XCTest
import WoWCompute
@testable import NeuralNetworks

final class EmbeddingAndAugmentationTests: XCTestCase {
    let checker = GradientCheck()

    func images(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return try! Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextUnitDouble()) })
    }

    func testEmbeddingGradientMatchesFiniteDifferences() throws {
        let embedding = RandomEmbedding(architecture: .convNet(width: 4, depth: 2), imageShape: [1, 8, 8])
        var rng = SeededGenerator(seed: 1)
        let frozen = try embedding.draw(using: &rng)
        XCTAssertEqual(frozen.featureCount, 4 * 3 * 3)
        let x = images([2, 1, 8, 8], seed: 2)
        let objective: (Tensor) throws -> (value: Double, gradient: Tensor) = { f in
            (0.5 * f.storage.reduce(0.0) { $0 + Double($1) * Double($1) }, f)
        }
        let (value, gradient) = try frozen.valueAndGradient(at: x, objective: objective)
        XCTAssertEqual(gradient.shape, x.shape)
        XCTAssertEqual(value, try objective(try frozen.features(of: x)).value, accuracy: 1e-9)
        let h: Float = 1e-3
        var mismatches = 0
        for i in stride(from: 0, to: x.count, by: 5) {
            var plus = x, minus = x
            plus[flat: i] += h
            minus[flat: i] -= h
            let numeric = (try objective(try frozen.features(of: plus)).value - objective(try frozen.features(of: minus)).value)
                / (Double(plus[flat: i]) - Double(minus[flat: i]))
            if !checker.close(Double(gradient[flat: i]), numeric) { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0)
        // Fresh network per call: two calls with one generator differ, the same seed agrees.
        var a = SeededGenerator(seed: 3), b = SeededGenerator(seed: 3)
        let first = try embedding.valueAndGradient(at: x, using: &a, objective: objective)
        let second = try embedding.valueAndGradient(at: x, using: &a, objective: objective)
        let repeated = try embedding.valueAndGradient(at: x, using: &b, objective: objective)
        XCTAssertNotEqual(first.value, second.value)
        XCTAssertEqual(first.gradient, repeated.gradient)
        var nan = x
        nan[flat: 3] = .nan
        XCTAssertThrowsError(try frozen.valueAndGradient(at: nan, objective: objective))
    }

    func testEmbeddingWithAugmentationMatchesFiniteDifferences() throws {
        let embedding = RandomEmbedding(architecture: .convNet(width: 3, depth: 1), imageShape: [1, 6, 6])
        var rng = SeededGenerator(seed: 4)
        let frozen = FrozenEmbedding(network: try embedding.draw(using: &rng).network,
                                     augmentation: Augmentation(.affine(a: 0.9, b: 0.2, c: -0.2, d: 0.9), imageShape: [1, 6, 6]))
        let x = images([1, 1, 6, 6], seed: 5)
        let objective: (Tensor) throws -> (value: Double, gradient: Tensor) = { f in
            (f.storage.enumerated().reduce(0.0) { $0 + Double($1.element) * Double($1.offset % 3 - 1) },
             try Tensor(shape: f.shape, storage: (0..<f.count).map { Float($0 % 3 - 1) }))
        }
        let (_, gradient) = try frozen.valueAndGradient(at: x, objective: objective)
        for i in 0..<x.count {
            var plus = x, minus = x
            plus[flat: i] += 1e-3
            minus[flat: i] -= 1e-3
            let numeric = (try objective(try frozen.features(of: plus)).value - objective(try frozen.features(of: minus)).value)
                / (Double(plus[flat: i]) - Double(minus[flat: i]))
            XCTAssertTrue(checker.close(Double(gradient[flat: i]), numeric), "pixel \(i): \(gradient[flat: i]) vs \(numeric)")
        }
    }

    func testEveryAugmentationBackwardMatchesFiniteDifferences() throws {
        let shape = [3, 6, 7]
        let transforms: [Augmentation.Transform] = [
            .identity, .color(brightness: 0.2, saturation: 1.4, contrast: 0.7), .translate(dx: 2, dy: -1),
            .translate(dx: -3, dy: 4), .cutout(top: -2, left: 3, height: 4, width: 4),
            .affine(a: 1.1, b: 0, c: 0, d: 0.85), .affine(a: 0.96, b: 0.26, c: -0.26, d: 0.96), .flip,
        ]
        for transform in transforms {
            let layer = Augmentation(transform, imageShape: shape)
            XCTAssertEqual(try checker.check(layer, input: images([2] + shape, seed: 6)), [], "\(transform)")
        }
    }

    func testAugmentationSemantics() throws {
        let x = images([1, 1, 5, 5], seed: 7)
        let shape = [1, 5, 5]
        let shifted = try Augmentation(.translate(dx: 1, dy: 2), imageShape: shape)(x)
        XCTAssertEqual(shifted[0, 0, 0, 0], x[0, 0, 2, 1])
        XCTAssertEqual(shifted[0, 0, 4, 4], 0)
        let cut = try Augmentation(.cutout(top: 1, left: 2, height: 2, width: 2), imageShape: shape)(x)
        XCTAssertEqual(cut[0, 0, 1, 2], 0)
        XCTAssertEqual(cut[0, 0, 2, 3], 0)
        XCTAssertEqual(cut[0, 0, 3, 3], x[0, 0, 3, 3])
        let flipped = try Augmentation(.flip, imageShape: shape)(x)
        XCTAssertEqual(flipped[0, 0, 1, 0], x[0, 0, 1, 4])
        let same = try Augmentation(.affine(a: 1, b: 0, c: 0, d: 1), imageShape: shape)(x)
        for i in 0..<x.count { XCTAssertEqual(same[flat: i], x[flat: i], accuracy: 1e-6) }
        // A quarter turn maps corners to corners.
        let turned = try Augmentation(.affine(a: 0, b: 1, c: -1, d: 0), imageShape: shape)(x)
        XCTAssertEqual(turned[0, 0, 0, 0], x[0, 0, 4, 0], accuracy: 1e-6)
        // Contrast keeps the mean; brightness shifts it.
        let colored = try Augmentation(.color(brightness: 0.1, saturation: 1, contrast: 0.5), imageShape: shape)(x)
        XCTAssertEqual(colored.sum / 25, x.sum / 25 + 0.1, accuracy: 1e-5)
    }

    /// The colour map in `Double`: `x + b`, per pixel `s x + (1 - s) mean_channels(x)`, then
    /// per image `c x + (1 - c) mean(x)`.
    static func colorReference(_ x: Tensor, brightness b: Double, saturation s: Double, contrast c: Double) -> [Double] {
        let (channels, plane) = (x.shape[1], x.shape[2] * x.shape[3])
        let sample = channels * plane
        var out = x.storage.map { Double($0) + b }
        for n in 0..<x.shape[0] {
            let base = n * sample
            for j in 0..<plane {
                let mean = (0..<channels).reduce(0.0) { $0 + out[base + $1 * plane + j] } / Double(channels)
                for k in 0..<channels { out[base + k * plane + j] = s * out[base + k * plane + j] + (1 - s) * mean }
            }
            let mean = out[base..<(base + sample)].reduce(0, +) / Double(sample)
            for i in base..<(base + sample) { out[i] = c * out[i] + (1 - c) * mean }
        }
        return out
    }

    func testColorAugmentationForwardValues() throws {
        // By hand, one 3-channel 1x2 image: pixels (0.1, 0.4, 0.7) and (0.3, 0.3, 0.6).
        let tiny = try Tensor(shape: [1, 3, 1, 2], storage: [0.1, 0.3, 0.4, 0.3, 0.7, 0.6])
        func apply(_ b: Float, _ s: Float, _ c: Float) throws -> [Float] {
            try Augmentation(.color(brightness: b, saturation: s, contrast: c), imageShape: [3, 1, 2])(tiny).storage
        }
        func assertClose(_ a: [Float], _ b: [Float], _ what: String, line: UInt = #line) {
            XCTAssertEqual(a.count, b.count, what, line: line)
            for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: 1e-6, "\(what): \(a) vs \(b)", line: line) }
        }
        // Brightness alone adds 0.1.
        assertClose(try apply(0.1, 1, 1), [0.2, 0.4, 0.5, 0.4, 0.8, 0.7], "brightness")
        // Saturation 2 alone: pixel means 0.4 and 0.4, so x -> 2x - 0.4.
        assertClose(try apply(0, 2, 1), [-0.2, 0.2, 0.4, 0.2, 1.0, 0.8], "saturation")
        // Contrast 0.25 alone: image mean 0.4, so x -> 0.25x + 0.3.
        assertClose(try apply(0, 1, 0.25), [0.325, 0.375, 0.4, 0.375, 0.475, 0.45], "contrast")
        // All three: +0.1 gives pixel means 0.5, 0.5 -> (-0.1, 0.5, 1.1), (0.3, 0.3, 0.9);
        // image mean 0.5, contrast 0.25 -> 0.25x + 0.375.
        assertClose(try apply(0.1, 2, 0.25), [0.35, 0.45, 0.5, 0.45, 0.65, 0.6], "combined")

        // A batch of 3-channel 4x5 images against the Double reference, per image means.
        let x = images([2, 3, 4, 5], seed: 12)
        for (b, s, c) in [(0.2, 1.4, 0.7), (-0.3, 0.3, 1.35), (0.0, 0.0, 1.0), (0.0, 1.0, 0.6)] as [(Double, Double, Double)] {
            let y = try Augmentation(.color(brightness: Float(b), saturation: Float(s), contrast: Float(c)), imageShape: [3, 4, 5])(x)
            let expected = Self.colorReference(x, brightness: b, saturation: s, contrast: c)
            for i in 0..<x.count {
                XCTAssertEqual(Double(y[flat: i]), expected[i], accuracy: 1e-5, "(b, s, c) = \((b, s, c)), element \(i)")
            }
        }

        // The drawn factors follow the documented ranges: b = (u1 - 1/2) brightness,
        // s = u2 saturation, c = u3 + contrast (after the kind draw).
        var strategy = AugmentationStrategy(kinds: [.color])
        (strategy.brightness, strategy.saturation, strategy.contrast) = (0.8, 1.5, 0.25)
        var rng = SeededGenerator(seed: 13)
        for _ in 0..<5 {
            var replay = rng
            let drawn = try strategy.draw(imageShape: [3, 4, 5], using: &rng)
            _ = replay.next(upperBound: UInt64(1))
            let (u1, u2, u3) = (Float(replay.nextUnitDouble()), Float(replay.nextUnitDouble()), Float(replay.nextUnitDouble()))
            XCTAssertEqual(drawn.transform, .color(brightness: (u1 - 0.5) * 0.8, saturation: u2 * 1.5, contrast: u3 + 0.25))
            XCTAssertEqual(replay, rng)
        }
    }

    func testDrawsAreSeededSharedAndFollowTheStrategy() throws {
        var a = SeededGenerator(seed: 8), b = SeededGenerator(seed: 8)
        var kinds: Set<String> = []
        for _ in 0..<200 {
            let first = try AugmentationStrategy.digits.draw(imageShape: [1, 28, 28], using: &a)
            let second = try AugmentationStrategy.digits.draw(imageShape: [1, 28, 28], using: &b)
            XCTAssertEqual(first.transform, second.transform)
            switch first.transform {
            case .flip: XCTFail("digits never flip")
            case let .translate(dx, dy): XCTAssertTrue(abs(dx) <= 4 && abs(dy) <= 4); kinds.insert("crop")
            case let .cutout(top, left, height, width):
                XCTAssertEqual([height, width], [14, 14]); XCTAssertTrue((-7...21).contains(top) && (-7...21).contains(left))
                kinds.insert("cutout")
            case let .affine(a, b, _, d):
                if b == 0 { XCTAssertTrue((1 / 1.2...1.2).contains(a) && (1 / 1.2...1.2).contains(d)); kinds.insert("scale") }
                else { XCTAssertLessThanOrEqual(abs(asin(b)), 15 * .pi / 180 + 1e-5); kinds.insert("rotate") }
            case let .color(brightness, saturation, contrast):
                XCTAssertTrue(abs(brightness) <= 0.5 && (0...2).contains(saturation) && (0.5...1.5).contains(contrast))
                kinds.insert("color")
            case .identity: XCTFail("digits draw no identity")
            }
        }
        XCTAssertEqual(kinds, ["crop", "cutout", "scale", "rotate", "color"])
        // Shared parameters: every image of a batch gets the same transformation.
        var rng = SeededGenerator(seed: 9)
        let one = images([1, 1, 28, 28], seed: 10)
        let batch = try Tensor.concatenating([one, one, one])
        for _ in 0..<10 {
            let out = try AugmentationStrategy.all.draw(imageShape: [1, 28, 28], using: &rng)(batch)
            XCTAssertEqual(try out.samples(0..<1), try out.samples(2..<3))
        }
        XCTAssertThrowsError(try AugmentationStrategy(kinds: []).draw(imageShape: [1, 28, 28], using: &rng))
        XCTAssertThrowsError(try Augmentation(.flip, imageShape: [1, 28, 28])(images([1, 1, 27, 28], seed: 11)))
    }

    func testTensorBasics() throws {
        var t = try Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(t[1, 2], 6)
        t[0, 1] = 9
        XCTAssertEqual(t.storage, [1, 9, 3, 4, 5, 6])
        XCTAssertEqual(t.matrix.rows, 2)
        XCTAssertEqual(try t.reshaped(to: [3, 2]).shape, [3, 2])
        XCTAssertThrowsError(try t.reshaped(to: [4, 2]))
        XCTAssertEqual(try t.gathering(samples: [1, 0]).storage, [4, 5, 6, 1, 9, 3])
        let m = try Matrix(rows: 2, columns: 4, storage: [Float](repeating: 1, count: 8))
        XCTAssertEqual(try Tensor(images: m, channels: 1, height: 2, width: 2).shape, [2, 1, 2, 2])
        XCTAssertThrowsError(try Tensor(images: m, channels: 1, height: 3, width: 2))
        // Value semantics: copies and reshaped views are independent once mutated.
        let original = t
        var copy = t
        var view = try t.reshaped(to: [6])
        copy[0, 0] = -1
        view[flat: 5] = 42
        XCTAssertEqual(t, original)
        XCTAssertEqual(t[1, 2], 6)
        XCTAssertEqual(copy[0, 0], -1)
        XCTAssertEqual(view[flat: 5], 42)
        XCTAssertNotEqual(try Tensor(shape: [1], storage: [.nan]), try Tensor(shape: [1], storage: [.nan]))
    }

    func testLargeBuffersAreRecycledWithinTheLimit() {
        let saved = TensorMemory.cacheLimit
        defer { TensorMemory.cacheLimit = saved }
        TensorMemory.releaseCachedMemory()
        XCTAssertEqual(TensorMemory.cachedBytes, 0)
        do { _ = Tensor(shape: [1 << 16], repeating: 1) }
        XCTAssertEqual(TensorMemory.cachedBytes, 1 << 18)
        let reused = Tensor(shape: [1 << 16], repeating: 2)
        XCTAssertEqual(TensorMemory.cachedBytes, 0)
        XCTAssertEqual(reused[flat: 123], 2)
        do { _ = Tensor(shape: [100], repeating: 1) }
        XCTAssertEqual(TensorMemory.cachedBytes, 0, "small buffers are not cached")
        TensorMemory.cacheLimit = 0
        do { _ = Tensor(shape: [1 << 16], repeating: 1) }
        XCTAssertEqual(TensorMemory.cachedBytes, 0)
    }
}
