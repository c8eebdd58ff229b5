import XCTest
import WoWCompute
import NeuralNetworks

/// Finite-difference checks shared by every layer test: the gradient a layer's
/// `backward` returns (inputs) or accumulates (parameters) must match central
/// differences of the scalar `L(x) = sum_i w_i y_i(x)` for a random `w`, summed in
/// `Double`.
struct GradientCheck {
    var epsilon: Float = 1e-2
    var absoluteTolerance = 2e-3
    var relativeTolerance = 2e-2
    /// At most this many coordinates are checked per tensor (chosen at random).
    var maximumChecks = 60

    func randomTensor(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        return try! Tensor(shape: shape, storage: (0..<count).map { _ in Float(rng.nextStandardNormal()) })
    }

    static func loss(_ y: Tensor, _ w: Tensor) -> Double {
        var total = 0.0
        for i in 0..<y.count { total += Double(y[flat: i]) * Double(w[flat: i]) }
        return total
    }

    func indices(_ count: Int, _ rng: inout SeededGenerator) -> [Int] {
        if count <= maximumChecks { return Array(0..<count) }
        var all = Array(0..<count)
        all.shuffle(using: &rng)
        return Array(all.prefix(maximumChecks)).sorted()
    }

    func close(_ analytic: Double, _ numeric: Double) -> Bool {
        abs(analytic - numeric) <= absoluteTolerance + relativeTolerance * max(abs(analytic), abs(numeric))
    }

    /// Returns a description of every mismatch (empty when the layer passes).
    func check<L: Layer>(_ layer: L, input: Tensor, seed: UInt64 = 99) throws -> [String] {
        var rng = SeededGenerator(seed: seed)
        var failures: [String] = []
        var model = layer
        model.zeroGradients()
        let y = try model.forward(input, mode: .differentiable)
        let w = randomTensor(y.shape, &rng)
        let dx = try model.backward(w, targets: .all)
        guard dx.shape == input.shape else { return ["input gradient has shape \(dx.shape), input \(input.shape)"] }
        let value: (L, Tensor) throws -> Double = { layer, x in
            var copy = layer
            return GradientCheck.loss(try copy.forward(x, mode: .inference), w)
        }
        for i in indices(input.count, &rng) {
            var plus = input, minus = input
            plus[flat: i] += epsilon
            minus[flat: i] -= epsilon
            let numeric = (try value(layer, plus) - value(layer, minus)) / (Double(plus[flat: i]) - Double(minus[flat: i]))
            if !close(Double(dx[flat: i]), numeric) {
                failures.append("input[\(i)]: analytic \(dx[flat: i]), numeric \(numeric)")
            }
        }
        let gradients = model.parameterGradients
        let values = layer.parameterValues
        for (p, value0) in values.enumerated() {
            for i in indices(value0.count, &rng) {
                var plusValues = values, minusValues = values
                plusValues[p][flat: i] += epsilon
                minusValues[p][flat: i] -= epsilon
                var plusLayer = layer, minusLayer = layer
                try plusLayer.setParameterValues(plusValues)
                try minusLayer.setParameterValues(minusValues)
                let step = Double(plusValues[p][flat: i]) - Double(minusValues[p][flat: i])
                let numeric = (try value(plusLayer, input) - value(minusLayer, input)) / step
                if !close(Double(gradients[p][flat: i]), numeric) {
                    failures.append("parameter \(p)[\(i)]: analytic \(gradients[p][flat: i]), numeric \(numeric)")
                }
            }
        }
        return failures
    }
}
