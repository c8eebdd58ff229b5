/// The evaluation networks of the paper (section 8 of PAPER.md), by name.
///
/// - `convNet`: `depth` x [Conv 3x3 -> `width` channels (padding 3 on the first layer
///   for 1-channel input, else 1), instance norm with affine, ReLU, AvgPool 2], flatten
///   (`width * 4 * 4 = 2048` features for 28 x 28 digits), Linear -> classes. Used to
///   evaluate dataset distillation; its features are the random embedding of DM / MMDSW.
/// - `leNet5` (the reference variant): Conv 1->6 k1, ReLU, AvgPool 2, Conv 6->16 k5,
///   ReLU, AvgPool 2, Conv 16->120 k5, ReLU, flatten (120 features), Linear 120->84,
///   ReLU, Linear 84->classes. Used for transfer learning.
/// - `cnn`: Conv 1->3 k4, MaxPool 2 stride 1, ReLU, flatten (1728 features), Linear
///   1728->512, sigmoid, Linear 512->64, ReLU, Linear 64->classes. The pretrained
///   classifier of domain adaptation.
///
/// Every network ends with `LogSoftmax`.
public enum Architecture: Hashable, Sendable, CustomStringConvertible {
    case convNet(width: Int = 128, depth: Int = 3)
    case leNet5
    case cnn

    /// The command-line names, in order: `convnet`, `lenet5`, `cnn`.
    public static let names = ["convnet", "lenet5", "cnn"]

    /// The architecture with a command-line name (`convnet` is the paper's width 128,
    /// depth 3); `nil` for an unknown name.
    public init?(name: String) {
        switch name.lowercased() {
        case "convnet": self = .convNet()
        case "lenet5": self = .leNet5
        case "cnn": self = .cnn
        default: return nil
        }
    }

    /// The command-line name.
    public var name: String {
        switch self {
        case .convNet: return "convnet"
        case .leNet5: return "lenet5"
        case .cnn: return "cnn"
        }
    }

    public var description: String {
        switch self {
        case .convNet(let width, let depth): return "ConvNet(width: \(width), depth: \(depth))"
        case .leNet5: return "LeNet5"
        case .cnn: return "CNN"
        }
    }
}
