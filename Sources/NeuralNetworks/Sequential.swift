/// Layers applied one after the other; itself a `Layer`.
///
/// `backward` runs the layers in reverse; the first layer is not asked for its input
/// gradient when the caller does not want it (saving, e.g., a first convolution's
/// input gradient during training). Parameters are visited layer by layer.
public struct Sequential: Layer {
    /// The layers, first applied first.
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) {
        self.layers = layers
    }

    public init(@SequentialBuilder _ build: () throws -> [any Layer]) rethrows {
        self.layers = try build()
    }

    public mutating func visitParameters(_ body: (inout Parameter) throws -> Void) rethrows {
        for index in layers.indices {
            try layers[index].visitParameters(body)
        }
    }

    public mutating func forward(_ input: consuming Tensor, mode: ForwardMode) throws -> Tensor {
        var x = input
        for index in layers.indices {
            x = try layers[index].forward(consume x, mode: mode)
        }
        return x
    }

    public mutating func backward(_ outputGradient: consuming Tensor, targets: GradientTargets) throws -> Tensor {
        var g = outputGradient
        for index in layers.indices.reversed() {
            var layerTargets = targets
            if index > 0 { layerTargets.insert(.input) }
            g = try layers[index].backward(consume g, targets: layerTargets)
        }
        return g
    }
}

/// Builds the layer list of a `Sequential` from a block of layer expressions.
@resultBuilder
public enum SequentialBuilder {
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}
