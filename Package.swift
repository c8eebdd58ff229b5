// swift-tools-version:6.0
//
// WassersteinFlows: Wasserstein-over-Wasserstein gradient flows of labeled datasets.
// No package dependencies: the toolchain, Foundation, Dispatch and the system zlib only.
// No unsafe compiler flags anywhere in a library target, so the package builds as a versioned
// dependency of other packages.

import PackageDescription

let swiftSettings: [SwiftSetting] = []

let package = Package(
    name: "WassersteinFlows",
    products: [
        .library(name: "WassersteinFlows", targets: ["WassersteinFlows"]),
        .library(name: "WassersteinFlowsLaws", targets: ["FlowLaws"]),
        .executable(name: "wow", targets: ["wow"]),
        .executable(name: "wow-bench", targets: ["wow-bench"]),
    ],
    targets: [
        // MARK: - Public API

        /// Umbrella: re-exports every public module below.
        .target(
            name: "WassersteinFlows",
            dependencies: ["WoWCompute", "LabeledData", "MeasureKernels", "FlowGeometry", "Functionals",
                           "Integrators", "Flows", "FlowCheckpoints", "Rendering", "NumPyFiles", "Datasets",
                           "OptimalTransport", "TransportKernels", "DatasetDistances", "Baselines",
                           "NeuralNetworks", "FlowRecording"],
            swiftSettings: swiftSettings),
        /// Dense matrices, GEMM, sorting, seeded random numbers, deterministic parallelism.
        .target(name: "WoWCompute", dependencies: ["_WoWKernels"], swiftSettings: swiftSettings),
        /// Labeled datasets (classes of weighted point clouds) and their CSV form.
        .target(name: "LabeledData", dependencies: ["WoWCompute"], swiftSettings: swiftSettings),
        /// `MeasureKernel` and the sliced-Wasserstein kernels between classes.
        .target(name: "MeasureKernels", dependencies: ["WoWCompute", "LabeledData", "_WoWKernels"],
                swiftSettings: swiftSettings),
        /// The state geometry: `FlowManifold`, `TangentVector`, componentwise tangents, and
        /// the conformances of `LabeledDataset` and `ParticleField`. Below both the
        /// functionals (which return tangents) and the integrators (which move along them).
        .target(name: "FlowGeometry", dependencies: ["LabeledData"], swiftSettings: swiftSettings),
        /// `Functional` and the MMD functional over any `MeasureKernel`.
        .target(name: "Functionals",
                dependencies: ["WoWCompute", "LabeledData", "MeasureKernels", "FlowGeometry"],
                swiftSettings: swiftSettings),
        /// `Integrator` and the steppers.
        .target(name: "Integrators", dependencies: ["FlowGeometry"], swiftSettings: swiftSettings),
        /// The flow driver, its result record, observers and stopping rules.
        .target(name: "Flows", dependencies: ["FlowGeometry", "Functionals", "Integrators"],
                swiftSettings: swiftSettings),
        /// Checkpoints of flows as atomically replaced `.npz` files, and SIGINT/SIGTERM as
        /// stop requests.
        .target(name: "FlowCheckpoints",
                dependencies: ["WoWCompute", "FlowGeometry", "Flows", "NumPyFiles", "_WoWKernels"],
                swiftSettings: swiftSettings),
        /// PNG, animated GIF and SVG writers (own code; zlib from the system).
        .target(name: "Rendering", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        /// NumPy `.npy` / `.npz` arrays: read and write, so flows move to and from Python.
        .target(name: "NumPyFiles", dependencies: ["WoWCompute", "CZlib"],
                swiftSettings: swiftSettings),
        /// The `Dataset` protocol, readers for real image data sets, the named registry.
        .target(name: "Datasets",
                dependencies: ["WoWCompute", "LabeledData", "NumPyFiles", "CZlib"],
                swiftSettings: swiftSettings),
        /// Exact (network simplex), entropic (Sinkhorn) and Gaussian (Bures-Wasserstein) OT.
        .target(name: "OptimalTransport", dependencies: ["WoWCompute", "LabeledData"],
                swiftSettings: swiftSettings),
        /// Kernels between classes built on exact W2 and on Bures-Wasserstein distances.
        .target(name: "TransportKernels",
                dependencies: ["WoWCompute", "LabeledData", "MeasureKernels", "OptimalTransport"],
                swiftSettings: swiftSettings),
        /// Distances between labeled datasets (WoW, OTDD) and label assignment after a flow.
        .target(name: "DatasetDistances",
                dependencies: ["WoWCompute", "LabeledData", "OptimalTransport"],
                swiftSettings: swiftSettings),
        /// The OTDD-flow and product-space MMD-flow baselines, as conformers run by `Flow`.
        .target(name: "Baselines",
                dependencies: ["WoWCompute", "LabeledData", "OptimalTransport", "DatasetDistances",
                               "FlowGeometry", "Functionals", "Integrators"],
                swiftSettings: swiftSettings),
        /// Recording a running flow: snapshots of its states as `.npz` files, pictures of them
        /// (image grids, GIFs, scatter plots) and a classifier's accuracy at every snapshot.
        .target(name: "FlowRecording",
                dependencies: ["WoWCompute", "LabeledData", "FlowGeometry", "Flows", "Datasets", "NumPyFiles",
                               "Rendering", "NeuralNetworks", "DatasetDistances"],
                swiftSettings: swiftSettings),
        /// Layers with backpropagation, optimisers, ConvNet / LeNet5 / CNN, augmentations.
        .target(name: "NeuralNetworks", dependencies: ["WoWCompute", "_WoWKernels"],
                swiftSettings: swiftSettings),
        /// Law checkers every conformer must pass (kernels, functionals, integrators, flow
        /// states, data sets); usable from a package that writes its own conformances.
        .target(name: "FlowLaws",
                dependencies: ["WoWCompute", "LabeledData", "MeasureKernels", "FlowGeometry", "Functionals",
                               "Integrators", "Baselines", "Datasets"],
                swiftSettings: swiftSettings),

        // MARK: - Implementation

        /// C micro-kernels (packed SGEMM; AVX2+FMA picked at run time, no compiler flags).
        .target(name: "_WoWKernels"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        /// Hand-written command-line parsing in the style of swift-argument-parser.
        .target(name: "ArgumentParsing", swiftSettings: swiftSettings),
        .executableTarget(name: "wow", dependencies: ["WassersteinFlows", "ArgumentParsing"],
                          swiftSettings: swiftSettings),
        /// Release-build benchmark of the WoW step, GEMM, sorting and thread scaling.
        .executableTarget(name: "wow-bench", dependencies: ["WassersteinFlows", "ArgumentParsing"],
                          swiftSettings: swiftSettings),

        // MARK: - Tests

        .testTarget(name: "WoWComputeTests", dependencies: ["WoWCompute"]),
        .testTarget(name: "LabeledDataTests", dependencies: ["LabeledData"]),
        .testTarget(name: "MeasureKernelsTests", dependencies: ["WassersteinFlows", "FlowLaws", "MeasureKernels", "WoWCompute"]),
        .testTarget(name: "FunctionalsTests", dependencies: ["WassersteinFlows", "FlowLaws"]),
        .testTarget(name: "IntegratorsTests", dependencies: ["WassersteinFlows", "FlowLaws"]),
        .testTarget(name: "FlowsTests", dependencies: ["WassersteinFlows"]),
        .testTarget(name: "FlowRecordingTests", dependencies: ["WassersteinFlows"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering"]),
        .testTarget(name: "ArgumentParsingTests", dependencies: ["ArgumentParsing"]),
        .testTarget(name: "CommandLineTests", dependencies: ["wow", "NumPyFiles"]),
        .testTarget(name: "NumPyFilesTests", dependencies: ["NumPyFiles"], exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "NumPyFiles", "FlowLaws"], exclude: ["Fixtures"]),
        .testTarget(name: "OptimalTransportTests",
                    dependencies: ["WassersteinFlows", "FlowLaws"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks"]),
        .testTarget(name: "BaselinesTests", dependencies: ["WassersteinFlows", "FlowLaws"]),
    ],
    swiftLanguageModes: [.v6]
)
