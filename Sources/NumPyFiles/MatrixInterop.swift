import WoWCompute

extension NumPyArray {
    /// A `float32` array of shape `(rows, columns)` holding `matrix`'s elements.
    ///
    /// Both layouts are row-major, so this is a copy of the storage, O(rows * columns);
    /// `numpy.load` gives back an array `a` with `a[r, c] == matrix[r, c]`.
    public init(_ matrix: Matrix) {
        self.shape = [matrix.rows, matrix.columns]
        self.elements = .float32(matrix.storage)
    }
}

extension Matrix {
    /// The matrix of a two-dimensional array: `self[r, c] == array[r, c]`.
    ///
    /// Elements of other dtypes convert as `NumPyArray.floatValues()` does (`float64` rounds
    /// to the nearest `Float`). O(rows * columns).
    ///
    /// - Throws: `NumPyFileError` with `.rankMismatch` unless `array.rank == 2`.
    public init(_ array: NumPyArray) throws {
        guard array.rank == 2 else {
            throw NumPyFileError(problem: .rankMismatch(expected: 2, shape: array.shape))
        }
        try self.init(rows: array.shape[0], columns: array.shape[1], storage: array.floatValues())
    }
}
