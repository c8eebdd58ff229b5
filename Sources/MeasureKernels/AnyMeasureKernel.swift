import WoWCompute

/// A type-erased `MeasureKernel`, for kernels chosen at run time (from a command-line
/// option, a configuration file) where a generic parameter cannot be fixed statically.
///
/// `MMD<AnyMeasureKernel>` works with any kernel; the cost is one dynamic dispatch per
/// batch.
public struct AnyMeasureKernel: MeasureKernel {
    /// The wrapped kernel.
    public let base: any MeasureKernel

    public init(_ base: any MeasureKernel) {
        self.base = base
    }

    public func evaluate(_ batch: KernelBatch, using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        try base.evaluate(batch, using: &generator)
    }

    public func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        try base.evaluate(batch, recycling: &recycling, using: &generator)
    }
}
