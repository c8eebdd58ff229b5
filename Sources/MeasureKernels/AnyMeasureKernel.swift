import WoWCompute

/// A type-erased `MeasureKernel`, for kernels chosen at run time (from a command-line
/// option, a configuration file) where a generic parameter cannot be fixed statically.
///
/// `MMD<AnyMeasureKernel>` works with any `Sendable` kernel; the cost is one dynamic
/// dispatch per batch.
public struct AnyMeasureKernel: MeasureKernel, Sendable {
    /// The wrapped kernel.
    public let base: any MeasureKernel & Sendable

    public init(_ base: any MeasureKernel & Sendable) {
        self.base = base
    }

    public var selfGradientVanishes: Bool { base.selfGradientVanishes }

    public func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        try base.evaluate(batch, recycling: &recycling, using: &generator)
    }
}
