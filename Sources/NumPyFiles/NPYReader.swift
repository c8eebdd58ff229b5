import Foundation

/// What an `.npy` reader does with an array stored in Fortran (column-major) order.
public enum FortranOrderHandling: Sendable, Equatable {
    /// Throw `NumPyFileError` with `.fortranOrder` (the default: the caller learns that the
    /// producer wrote a transposed layout instead of getting silently reordered data).
    /// Arrays of rank 0 or 1 have the same layout in both orders and are always accepted.
    case reject
    /// Reorder the elements into C order, so `array[i, j, ...]` is the value NumPy shows at
    /// `a[i, j, ...]`. O(count) extra time and one extra copy.
    case convertToCOrder
}

extension NumPyArray {
    /// Decodes an `.npy` file image (see `NPYHeader` for the layout).
    ///
    /// All dtypes of `NumPyDType` are read in either byte order (`'<'`, `'>'`, `'|'`, `'='`);
    /// big-endian data is byte-swapped. The data must hold exactly
    /// `product(shape) * itemSize` bytes after the header. O(header + count).
    ///
    /// - Parameters:
    ///   - path: the file name to put in errors, if any.
    ///   - fortranOrder: how to treat `fortran_order: True` (default: reject).
    /// - Throws: `NumPyFileError` with `.badMagic`, `.unsupportedVersion`, `.truncatedHeader`,
    ///   `.malformedHeader`, `.unsupportedDType`, `.fortranOrder`, `.invalidShape`,
    ///   `.shapeOverflow`, `.truncatedData` or `.trailingData`. Never traps, whatever the bytes.
    public init(npyData: Data, path: String? = nil, fortranOrder: FortranOrderHandling = .reject) throws {
        self = try locatingErrors(path: path) {
            try npyData.withUnsafeBytes { try NumPyArray.decodeNPY($0, fortranOrder: fortranOrder) }
        }
    }

    /// Reads the `.npy` file at `url`; errors name `url.path`.
    ///
    /// - Throws: `NumPyFileError` with `.fileNotFound` / `.unreadable`, or as `init(npyData:)`.
    public init(contentsOf url: URL, fortranOrder: FortranOrderHandling = .reject) throws {
        try self.init(npyData: try readFile(url), path: url.path, fortranOrder: fortranOrder)
    }

    /// Header, length checks, element decoding and (if asked) Fortran-to-C reordering.
    static func decodeNPY(_ bytes: UnsafeRawBufferPointer, fortranOrder: FortranOrderHandling) throws -> NumPyArray {
        let header = try NPYHeader.parse(bytes)
        if header.fortranOrder && header.shape.count > 1 && fortranOrder == .reject {
            throw NumPyFileError(problem: .fortranOrder(shape: header.shape))
        }
        let available = bytes.count - header.dataOffset
        guard available >= header.dataByteCount else {
            throw NumPyFileError(problem: .truncatedData(expectedBytes: header.dataByteCount, availableBytes: available))
        }
        guard available == header.dataByteCount else {
            throw NumPyFileError(problem: .trailingData(expectedBytes: header.dataByteCount, availableBytes: available))
        }
        let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
        var elements = Elements.decode(header.dtype, from: data, count: header.count, swap: header.isByteSwapped)
        if header.fortranOrder {
            elements = elements.fortranToC(shape: header.shape)
        }
        return try NumPyArray(shape: header.shape, elements: elements)
    }
}
