import WoWCompute

/// Weight initialisation.
public enum Initialization {
    /// A tensor with elements drawn uniformly from `[-bound, bound)`, where
    /// `bound = 1 / sqrt(fanIn)` (PyTorch's and Equinox's default for convolutions and
    /// linear maps, weights and biases alike). Elements are drawn in storage order.
    ///
    /// - Throws: `NeuralNetworkError.invalidArgument` unless `fanIn > 0` and the shape has
    ///   no negative extent and at most `Int.max` elements.
    public static func uniform(shape: [Int], fanIn: Int, using generator: inout some RandomNumberGenerator) throws -> Tensor {
        guard fanIn > 0 else { throw NeuralNetworkError.invalidArgument("the fan-in must be positive, got \(fanIn)") }
        guard shape.allSatisfy({ $0 >= 0 }), Tensor.elementCount(shape) != nil else {
            throw NeuralNetworkError.invalidArgument("cannot initialise a tensor of shape \(shape)")
        }
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
