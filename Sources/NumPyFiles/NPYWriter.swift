import Foundation

extension NumPyArray {
    /// The `.npy` file image of this array: a version 1.0 header (see `NPYHeader`) padded so
    /// the data starts at a multiple of 64 bytes, then the elements little endian in C order.
    /// `numpy.load` returns an array of the same dtype, shape and bit patterns. O(count).
    ///
    /// - Throws: `NumPyFileError` with `.invalidParameter` when the rank exceeds
    ///   `NPYHeader.maximumRank` (NumPy could not load the file).
    public func npyData() throws -> Data {
        let header = try NPYHeader.encoded(dtype: dtype, shape: shape)
        let byteCount = count * dtype.itemSize
        var data = Data(count: header.count + byteCount)
        data.withUnsafeMutableBytes { out in
            out.copyBytes(from: header)
            elements.encode(into: UnsafeMutableRawBufferPointer(rebasing: out[header.count...]))
        }
        return data
    }

    /// Writes `npyData()` to `url` atomically, creating parent directories.
    ///
    /// - Throws: `NumPyFileError` with `.unwritable` naming `url.path`, or as `npyData()`.
    public func write(to url: URL) throws {
        let data = try locatingErrors(path: url.path) { try npyData() }
        try writeFileAtomically(data, to: url)
    }
}
