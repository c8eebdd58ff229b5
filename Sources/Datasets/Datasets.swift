// Datasets: The `Dataset` protocol and data set readers.
