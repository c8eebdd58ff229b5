/// Errors thrown by every API of the `Rendering` module.
///
/// Bad input (zero or negative sizes, pixel buffers of the wrong length, non-finite
/// coordinates, empty series, palette problems) is reported with one of these cases
/// rather than a trap. `description` gives a human-readable message.
public enum RenderingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Width or height is zero, negative, or too large for the format.
    case invalidSize(width: Int, height: Int)
    /// A pixel or index buffer does not hold exactly `expected` elements.
    case bufferLengthMismatch(expected: Int, actual: Int)
    /// A pixel coordinate lies outside the image.
    case pixelOutOfBounds(x: Int, y: Int, width: Int, height: Int)
    /// A colour palette has an unusable number of entries (GIF needs 1...256).
    case invalidPaletteSize(count: Int)
    /// A frame refers to a palette index that does not exist.
    case paletteIndexOutOfRange(index: Int, paletteCount: Int)
    /// A coordinate (or range bound) is NaN or infinite.
    case nonFiniteCoordinate(x: Double, y: Double)
    /// A numeric parameter is outside its valid domain.
    case invalidParameter(name: String, value: String, reason: String)
    /// An input collection that must be non-empty is empty (e.g. no tiles, no points).
    case emptyInput(what: String)
    /// A plot series has no points.
    case emptySeries(name: String)
    /// A plot series has x and y arrays of different lengths.
    case seriesLengthMismatch(name: String, xCount: Int, yCount: Int)
    /// A plot has no series at all.
    case noSeries
    /// After filtering (e.g. non-positive values on a log axis) nothing is left to plot.
    case noPlottableData(reason: String)
    /// zlib reported an error code while compressing.
    case compressionFailed(code: Int32)
    /// Writing the encoded bytes to disk failed.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSize(w, h):
            return "invalid image size \(w)x\(h): width and height must be positive and within format limits"
        case let .bufferLengthMismatch(expected, actual):
            return "buffer has \(actual) elements but \(expected) were expected"
        case let .pixelOutOfBounds(x, y, w, h):
            return "pixel (\(x), \(y)) is outside the \(w)x\(h) image"
        case let .invalidPaletteSize(count):
            return "palette has \(count) colours; between 1 and 256 are required"
        case let .paletteIndexOutOfRange(index, count):
            return "palette index \(index) is out of range for a palette of \(count) colours"
        case let .nonFiniteCoordinate(x, y):
            return "non-finite coordinate (\(x), \(y)); NaN and infinity cannot be plotted"
        case let .invalidParameter(name, value, reason):
            return "invalid \(name) = \(value): \(reason)"
        case let .emptyInput(what):
            return "\(what) must not be empty"
        case let .emptySeries(name):
            return "series '\(name)' has no points"
        case let .seriesLengthMismatch(name, xc, yc):
            return "series '\(name)' has \(xc) x values but \(yc) y values"
        case .noSeries:
            return "the plot has no series"
        case let .noPlottableData(reason):
            return "nothing to plot: \(reason)"
        case let .compressionFailed(code):
            return "zlib compression failed with code \(code)"
        case let .writeFailed(path, reason):
            return "could not write '\(path)': \(reason)"
        }
    }
}
