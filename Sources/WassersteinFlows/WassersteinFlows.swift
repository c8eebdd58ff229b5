// The umbrella module: `import WassersteinFlows` brings in every public module.
@_exported import FlowGeometry
@_exported import Flows
@_exported import FlowCheckpoints
@_exported import FlowRecording
@_exported import Functionals
@_exported import Integrators
@_exported import LabeledData
@_exported import MeasureKernels
@_exported import Rendering
@_exported import WoWCompute
@_exported import NumPyFiles
@_exported import Datasets
@_exported import OptimalTransport
@_exported import TransportKernels
@_exported import NeuralNetworks
@_exported import DatasetDistances
@_exported import Baselines

/// The toolkit's version (semantic versioning; the git tag of a release is this string).
public enum WassersteinFlowsVersion {
    /// `"0.2.0"`.
    public static let current = "0.2.0"
}
