/// Whether a forward pass records what the backward pass needs.
public enum ForwardMode: Sendable, Equatable {
    /// Evaluate only; nothing is kept, `backward` afterwards throws.
    case inference
    /// Keep what `backward` needs (inputs, normalised activations, masks).
    case differentiable
}

/// Which gradients a backward pass computes.
public struct GradientTargets: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The gradient with respect to the layer's input (returned by `backward`).
    public static let input = GradientTargets(rawValue: 1)
    /// The gradients with respect to the parameters (added to `Parameter.gradient`).
    public static let parameters = GradientTargets(rawValue: 2)
    /// Both.
    public static let all: GradientTargets = [.input, .parameters]
}

/// A trainable tensor and the gradient accumulated for it.
public struct Parameter: Sendable, Equatable {
    /// Current value.
    public var value: Tensor
    /// Accumulated gradient of the loss with respect to `value` (same shape).
    public var gradient: Tensor

    /// A parameter with the given value and a zero gradient.
    public init(_ value: Tensor) {
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }
}

/// Something that owns parameters, in a fixed order.
///
/// Optimisers, weight files and gradient checks see a model only through this protocol.
public protocol ParameterContainer {
    /// Calls `body` on every parameter, always in the same order.
    mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows
}

extension ParameterContainer {
    /// Sets every parameter gradient to zero.
    public mutating func zeroGradients() {
        visitParameters { $0.gradient.zero() }
    }

    /// Number of scalar parameters.
    public var parameterCount: Int {
        var copy = self
        var total = 0
        copy.visitParameters { total += $0.value.count }
        return total
    }

    /// Copies of the parameter values, in visiting order.
    public var parameterValues: [Tensor] {
        var copy = self
        var values: [Tensor] = []
        copy.visitParameters { values.append($0.value) }
        return values
    }

    /// Copies of the parameter gradients, in visiting order.
    public var parameterGradients: [Tensor] {
        var copy = self
        var gradients: [Tensor] = []
        copy.visitParameters { gradients.append($0.gradient) }
        return gradients
    }

    /// Replaces the parameter values (same count and shapes, in visiting order).
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the count or a shape differs;
    ///   the container is left unchanged then.
    public mutating func setParameterValues(_ values: [Tensor]) throws {
        var copy = self
        var index = 0
        try copy.visitParameters { parameter in
            guard index < values.count else {
                throw NeuralNetworkError.shapeMismatch("only \(values.count) parameter tensors given")
            }
            guard values[index].shape == parameter.value.shape else {
                throw NeuralNetworkError.shapeMismatch(
                    "parameter \(index) has shape \(parameter.value.shape), got \(values[index].shape)")
            }
            parameter.value = values[index]
            index += 1
        }
        guard index == values.count else {
            throw NeuralNetworkError.shapeMismatch("the model has \(index) parameter tensors, got \(values.count)")
        }
        self = copy
    }
}

/// A differentiable map from a batch of tensors to a batch of tensors.
///
/// `forward` evaluates the layer on a batch (axis 0 is the batch axis); in
/// `.differentiable` mode it records what `backward` needs. `backward` takes the
/// gradient of a scalar loss with respect to the last output and returns the gradient
/// with respect to the last input; with `.parameters` among the targets it also *adds*
/// the parameter gradients to `Parameter.gradient` (call `zeroGradients()` between
/// steps). Parameters are exposed through `ParameterContainer`; layers without any use
/// the default (none).
///
/// Both take their tensor argument `consuming`: a caller that passes its last reference
/// (as `Sequential` does) lets elementwise layers work in place instead of allocating.
/// Conformers may declare the parameters without `consuming`.
///
/// Layers are values: copying a layer copies its parameters and its recorded state.
/// Every layer spreads its work over `Parallel.threads` workers in chunks fixed by the
/// problem alone and sums parameter gradients in a fixed order, so results are bitwise
/// identical for every thread count.
public protocol Layer: ParameterContainer {
    /// Evaluates the layer on a batch.
    ///
    /// - Throws: `NeuralNetworkError.shapeMismatch` when the input shape does not fit.
    mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor

    /// Back-propagates `outputGradient` (shape of the last output) through the last
    /// recorded forward pass.
    ///
    /// - Returns: the gradient with respect to the input when `targets` contains
    ///   `.input`, otherwise an empty tensor.
    /// - Throws: `NeuralNetworkError.missingForward` without a recorded forward pass,
    ///   `.shapeMismatch` when the gradient's shape differs from the output's.
    mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor
}

extension ParameterContainer where Self: Layer {
    /// Parameterless layers: nothing to visit.
    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {}
}

extension Layer {
    /// Evaluates the layer without recording anything (a copy of the layer runs, so the
    /// recorded state of `self` is untouched).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        var copy = self
        return try copy.forward(input, mode: .inference)
    }
}
