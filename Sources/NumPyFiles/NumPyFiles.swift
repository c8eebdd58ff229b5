// NumPyFiles: NumPy `.npy` / `.npz` arrays.
