/// Updates a model's parameters from their accumulated gradients.
///
/// An optimiser keeps per-parameter state (moments, momentum buffers) matched to the
/// visiting order of `ParameterContainer`; step it on the same model every time. The
/// learning rate is a property so that schedules (`LearningRateSchedule`) can set it
/// between steps.
public protocol Optimizer {
    /// Step size used by the next `step`.
    var learningRate: Float { get set }

    /// Applies one update to every parameter of `model` from `Parameter.gradient`.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the model's parameters differ in
    ///   number or shape from those of earlier steps.
    mutating func step(_ model: inout some ParameterContainer) throws
}

/// Per-parameter optimiser buffers, created on the first step and checked afterwards.
struct OptimizerSlots {
    var buffers: [[Float]] = []

    /// Makes sure there are `perParameter` buffers for every parameter of `model`
    /// (zero-filled on first use); throws if the model changed shape.
    mutating func prepare(for model: inout some ParameterContainer, perParameter: Int) throws {
        var counts: [Int] = []
        model.visitParameters { counts.append($0.value.count) }
        if buffers.isEmpty {
            buffers = counts.flatMap { count in (0..<perParameter).map { _ in [Float](repeating: 0, count: count) } }
            return
        }
        guard buffers.count == counts.count * perParameter,
              zip(counts, stride(from: 0, to: buffers.count, by: perParameter)).allSatisfy({ buffers[$0.1].count == $0.0 }) else {
            throw NeuralNetworkError.shapeMismatch("the model's parameters changed since the optimiser's first step")
        }
    }
}
