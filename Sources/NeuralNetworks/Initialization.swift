import WoWCompute

/// Weight initialisation.
public enum Initialization {
    /// A tensor with elements drawn uniformly from `[-bound, bound)`, where
    /// `bound = 1 / sqrt(fanIn)` (PyTorch's and Equinox's default for convolutions and
    /// linear maps, weights and biases alike). Elements are drawn in storage order.
    ///
    /// - Precondition: `fanIn > 0`.
    public static func uniform(shape: [Int], fanIn: Int, using generator: inout some RandomNumberGenerator) -> Tensor {
        precondition(fanIn > 0, "fan-in must be positive")
        let bound = 1 / Double(fanIn).squareRoot()
        var tensor = Tensor(shape: shape)
        tensor.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices {
                buffer[i] = Float((2 * generator.nextUnitDouble() - 1) * bound)
            }
        }
        return tensor
    }
}
