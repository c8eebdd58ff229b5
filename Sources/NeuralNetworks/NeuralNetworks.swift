// NeuralNetworks: small, fast, deterministic neural networks for the experiments.
//
// - `Tensor` (NCHW `Float`), the `Layer` protocol (forward, backward to inputs and
//   parameters, `ParameterContainer` for parameter access), `Sequential`.
// - Layers: `Conv2d`, `AvgPool2d`, `MaxPool2d`, `ReLU`, `Sigmoid`, `GroupNorm`
//   (instance norm), `Linear`, `Flatten`, `LogSoftmax` + `NLLLoss`,
//   `ChannelNormalization`, `Augmentation`.
// - `Optimizer`: `AdamW`, `SGD`; `LearningRateSchedule`; `Trainer` and `evaluate`.
// - `Network` with the paper's `Architecture`s (ConvNet, LeNet5, CNN), weight files.
// - `RandomEmbedding` / `FrozenEmbedding`: gradients of functions of ConvNet features
//   with respect to the input images; `AugmentationStrategy`: DSA augmentations.
//
// Every random choice takes `using generator: inout some RandomNumberGenerator`; every
// result is bitwise independent of `Parallel.threads`.
