#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The learning rate of each epoch of a training run, from the base rate.
public protocol LearningRateSchedule: Sendable {
    /// Learning rate for epoch `epoch` (0-based) of a run of `epochs` epochs.
    func learningRate(base: Float, epoch: Int, epochs: Int) -> Float
}

/// The base rate throughout.
public struct ConstantLearningRate: LearningRateSchedule {
    public init() {}
    public func learningRate(base: Float, epoch: Int, epochs: Int) -> Float { base }
}

/// The base rate multiplied by `factor` at every milestone epoch reached:
/// `base * factor^(number of milestones <= epoch)` (the Dataset Condensation evaluation
/// uses one milestone at half the run and `factor = 0.1`).
public struct StepDecay: LearningRateSchedule {
    /// Epochs (0-based) from which the next factor applies.
    public var milestones: [Int]
    /// Multiplier per milestone.
    public var factor: Float

    public init(milestones: [Int], factor: Float = 0.1) {
        self.milestones = milestones
        self.factor = factor
    }

    public func learningRate(base: Float, epoch: Int, epochs: Int) -> Float {
        let reached = milestones.filter { epoch >= $0 }.count
        return base * pow(factor, Float(reached))
    }
}

/// Cosine annealing from the base rate to `minimum` over the run:
/// `minimum + (base - minimum) (1 + cos(pi epoch / epochs)) / 2`.
public struct CosineDecay: LearningRateSchedule {
    /// Rate approached at the end.
    public var minimum: Float

    public init(minimum: Float = 0) { self.minimum = minimum }

    public func learningRate(base: Float, epoch: Int, epochs: Int) -> Float {
        guard epochs > 0 else { return base }
        let phase = Float.pi * Float(epoch) / Float(epochs)
        return minimum + (base - minimum) * (1 + cos(phase)) / 2
    }
}
