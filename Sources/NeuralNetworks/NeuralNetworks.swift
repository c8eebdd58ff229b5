// NeuralNetworks: Layers, optimisers and the networks of the experiments.
