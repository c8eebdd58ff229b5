import Foundation

/// Why a weight file could not be read.
public enum WeightFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not start with the weight-file signature.
    case notAWeightFile
    /// The file was written by a newer (or unknown) format version.
    case unsupportedVersion(UInt32)
    /// The file ends early: `expected` bytes needed, `actual` present.
    case truncated(expected: Int, actual: Int)
    /// Bytes follow the end of the weights.
    case trailingBytes(Int)
    /// The checksum does not match the contents (the file was damaged).
    case checksumMismatch
    /// The architecture code is unknown.
    case unknownArchitecture(UInt32)
    /// The header or the tensor shapes do not fit the architecture they name.
    case inconsistent(String)
    /// The file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .notAWeightFile: return "not a WassersteinFlows weight file (wrong signature)"
        case .unsupportedVersion(let v): return "unsupported weight-file version \(v) (this build reads version \(WeightFile.version))"
        case let .truncated(expected, actual): return "truncated weight file: \(expected) bytes needed, \(actual) present"
        case .trailingBytes(let n): return "\(n) unexpected bytes after the weights"
        case .checksumMismatch: return "weight file damaged: checksum mismatch"
        case .unknownArchitecture(let code): return "unknown architecture code \(code) in weight file"
        case .inconsistent(let message): return "inconsistent weight file: \(message)"
        case .io(let message): return "cannot access weight file: \(message)"
        }
    }
}

/// The binary weight-file format (version 1), little-endian throughout:
///
///     offset  size  field
///     0       8     signature "WOWNNW\r\n"
///     8       4     format version (1)
///     12      4     architecture: 1 ConvNet, 2 LeNet5, 3 CNN
///     16      8     ConvNet width and depth (0 otherwise), UInt32 each
///     24      16    image channels, height, width; class count (UInt32 each)
///     40      4     normalisation channels (0: none), then that many Float32 means
///                   and that many Float32 deviations
///     ..      4     number of parameter tensors T
///     ..            per tensor: rank (UInt32), then its extents (UInt32 each)
///     ..            all parameter values, Float32, tensors in visiting order
///     end-8   8     FNV-1a 64-bit hash of every preceding byte
public enum WeightFile {
    /// Current format version.
    public static let version: UInt32 = 1
    static let signature: [UInt8] = Array("WOWNNW\r\n".utf8)

    static func fnv1a(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func architectureCode(_ architecture: Architecture) -> (UInt32, UInt32, UInt32) {
        switch architecture {
        case let .convNet(width, depth): return (1, UInt32(width), UInt32(depth))
        case .leNet5: return (2, 0, 0)
        case .cnn: return (3, 0, 0)
        }
    }
}

/// Reads little-endian fields with bounds checks that report truncation.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw WeightFileError.truncated(expected: offset + max(count, 0) + 8, actual: bytes.count)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint32() throws -> UInt32 {
        let b = try take(4)
        var value: UInt32 = 0
        for (i, byte) in b.enumerated() { value |= UInt32(byte) << (8 * i) }
        return value
    }

    mutating func float() throws -> Float { Float(bitPattern: try uint32()) }
}

extension Network {
    /// The network's weights and configuration in the weight-file format (`WeightFile`).
    public func weightFileBytes() -> [UInt8] {
        var out: [UInt8] = WeightFile.signature
        func put(_ v: UInt32) { for i in 0..<4 { out.append(UInt8((v >> (8 * i)) & 0xff)) } }
        let (code, width, depth) = WeightFile.architectureCode(architecture)
        put(WeightFile.version)
        put(code); put(width); put(depth)
        for extent in imageShape { put(UInt32(extent)) }
        put(UInt32(classCount))
        if let normalization {
            put(UInt32(normalization.mean.count))
            for m in normalization.mean { put(m.bitPattern) }
            for s in normalization.standardDeviation { put(s.bitPattern) }
        } else {
            put(0)
        }
        let values = parameterValues
        put(UInt32(values.count))
        for tensor in values {
            put(UInt32(tensor.rank))
            for extent in tensor.shape { put(UInt32(extent)) }
        }
        out.reserveCapacity(out.count + 4 * values.reduce(0) { $0 + $1.count } + 8)
        for tensor in values {
            tensor.withUnsafeBufferPointer { values in for x in values { put(x.bitPattern) } }
        }
        let hash = out.withUnsafeBufferPointer { WeightFile.fnv1a($0) }
        for i in 0..<8 { out.append(UInt8((hash >> (8 * UInt64(i))) & 0xff)) }
        return out
    }

    /// Rebuilds a network from weight-file bytes.
    ///
    /// - Throws: `WeightFileError` for a wrong signature or version, a truncated or
    ///   damaged file, trailing bytes, or shapes that do not fit the architecture.
    public init(weightFileBytes bytes: [UInt8]) throws {
        let signature = WeightFile.signature
        guard bytes.count >= signature.count else {
            if bytes.elementsEqual(signature.prefix(bytes.count)) && !bytes.isEmpty {
                throw WeightFileError.truncated(expected: signature.count + 8, actual: bytes.count)
            }
            throw WeightFileError.notAWeightFile
        }
        guard Array(bytes.prefix(signature.count)) == signature else { throw WeightFileError.notAWeightFile }
        var reader = ByteReader(bytes: bytes, offset: signature.count)
        let version = try reader.uint32()
        guard version == WeightFile.version else { throw WeightFileError.unsupportedVersion(version) }
        let code = try reader.uint32(), width = Int(try reader.uint32()), depth = Int(try reader.uint32())
        let c = Int(try reader.uint32()), h = Int(try reader.uint32()), w = Int(try reader.uint32())
        let classes = Int(try reader.uint32())
        let normalizationChannels = Int(try reader.uint32())
        guard normalizationChannels <= 4096 else { throw WeightFileError.inconsistent("\(normalizationChannels) normalisation channels") }
        var means: [Float] = [], deviations: [Float] = []
        for _ in 0..<normalizationChannels { means.append(try reader.float()) }
        for _ in 0..<normalizationChannels { deviations.append(try reader.float()) }
        let tensorCount = Int(try reader.uint32())
        guard tensorCount <= 1024 else { throw WeightFileError.inconsistent("\(tensorCount) parameter tensors") }
        var shapes: [[Int]] = []
        var total = 0
        for _ in 0..<tensorCount {
            let rank = Int(try reader.uint32())
            guard rank >= 1, rank <= 8 else { throw WeightFileError.inconsistent("a parameter tensor of rank \(rank)") }
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try reader.uint32())) }
            var count = 1
            for extent in shape {
                // Extents <= 2^28 and running products <= 2^30 cannot overflow.
                guard extent > 0, extent <= 1 << 28 else { throw WeightFileError.inconsistent("parameter tensor of shape \(shape)") }
                count *= extent
                guard count <= 1 << 30 else { throw WeightFileError.inconsistent("parameter tensor of shape \(shape)") }
            }
            total += count
            shapes.append(shape)
        }
        let expected = reader.offset + 4 * total + 8
        guard bytes.count >= expected else { throw WeightFileError.truncated(expected: expected, actual: bytes.count) }
        guard bytes.count == expected else { throw WeightFileError.trailingBytes(bytes.count - expected) }
        let stored = bytes.suffix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let computed = bytes.withUnsafeBufferPointer { WeightFile.fnv1a(UnsafeBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        guard stored == computed else { throw WeightFileError.checksumMismatch }

        let architecture: Architecture
        switch code {
        case 1:
            guard width > 0, width <= 1 << 16, depth > 0, depth <= 64 else {
                throw WeightFileError.inconsistent("ConvNet width \(width), depth \(depth)")
            }
            architecture = .convNet(width: width, depth: depth)
        case 2: architecture = .leNet5
        case 3: architecture = .cnn
        default: throw WeightFileError.unknownArchitecture(code)
        }
        guard c > 0, h > 0, w > 0, c <= 4096, h <= 1 << 14, w <= 1 << 14, classes > 0, classes <= 1 << 20 else {
            throw WeightFileError.inconsistent("image shape [\(c), \(h), \(w)] with \(classes) classes")
        }
        var normalization: ChannelNormalization?
        if normalizationChannels > 0 {
            do {
                normalization = try ChannelNormalization(mean: means, standardDeviation: deviations)
            } catch {
                throw WeightFileError.inconsistent("invalid input normalisation")
            }
        }
        var values: [Tensor] = []
        values.reserveCapacity(shapes.count)
        for shape in shapes {
            let count = shape.reduce(1, *)
            var storage = [Float](repeating: 0, count: count)
            let start = reader.offset
            storage.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let o = start + 4 * i
                    dst[i] = Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24)
                }
            }
            reader.offset += 4 * count
            if storage.contains(where: { !$0.isFinite }) {
                throw WeightFileError.inconsistent("tensor \(values.count) (shape \(shape)) holds a NaN or infinite value")
            }
            values.append(Tensor(uncheckedShape: shape, storage: storage))
        }
        var network: Network
        do {
            var placeholder = SeededGenerator0()
            network = try Network(architecture, imageShape: [c, h, w], classCount: classes,
                                  normalization: normalization, using: &placeholder)
        } catch {
            throw WeightFileError.inconsistent("\(error)")
        }
        do {
            try network.setParameterValues(values)
        } catch {
            throw WeightFileError.inconsistent("the parameter shapes do not fit \(architecture) on [\(c), \(h), \(w)] images: \(error)")
        }
        self = network
    }

    /// Writes the weight file to `url` (atomically).
    ///
    /// - Throws: `WeightFileError.io` when the file cannot be written.
    public func save(to url: URL) throws {
        do {
            try Data(weightFileBytes()).write(to: url, options: .atomic)
        } catch {
            throw WeightFileError.io("\(url.path): \(error.localizedDescription)")
        }
    }

    /// Reads a network from the weight file at `url`.
    ///
    /// - Throws: `WeightFileError` (`.io` when the file cannot be read).
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw WeightFileError.io("\(url.path): \(error.localizedDescription)")
        }
        try self.init(weightFileBytes: [UInt8](data))
    }
}

/// A constant generator for building a network whose weights are overwritten at once.
private struct SeededGenerator0: RandomNumberGenerator {
    mutating func next() -> UInt64 { 0x9E37_79B9_7F4A_7C15 }
}
