// TransportKernels: Kernels between classes on exact W2 and Bures-Wasserstein distances.
