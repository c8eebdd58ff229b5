// OptimalTransport: Exact, entropic and Gaussian optimal transport.
