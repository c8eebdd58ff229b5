import LabeledData
import WoWCompute

/// One named array of a checkpoint: a flat list of values and its shape.
public enum CheckpointArray: Sendable, Equatable {
    case float32([Float], shape: [Int])
    case float64([Double], shape: [Int])
    case int64([Int64], shape: [Int])
    case uint64([UInt64], shape: [Int])

    /// The array's shape.
    public var shape: [Int] {
        switch self {
        case let .float32(_, shape), let .float64(_, shape), let .int64(_, shape), let .uint64(_, shape): return shape
        }
    }
}

extension CheckpointArray {
    /// `strings` as a table of UTF-8 bytes, one row per string, padded with -1 (what
    /// `CheckpointArrays.textRows` reads).
    public static func textRows(_ strings: [String]) -> CheckpointArray {
        let bytes = strings.map { Array($0.utf8).map(Int64.init) }
        let width = bytes.map(\.count).max() ?? 0
        return .int64(bytes.flatMap { $0 + Array(repeating: -1, count: width - $0.count) }, shape: [strings.count, width])
    }
}

/// The named arrays a value saves into a checkpoint. Names are relative; the flow's
/// checkpoint prefixes them (`state/`, `integrator/`, `functional/`).
public typealias CheckpointArrays = [String: CheckpointArray]

/// A value that a checkpoint stores whole and rebuilds from its arrays alone: flow
/// states and tangents.
///
/// Law: `try Self(checkpointArrays: x.checkpointArrays)` equals `x`, bit for bit.
public protocol CheckpointCodable {
    /// Everything needed to rebuild the value.
    var checkpointArrays: CheckpointArrays { get }
    /// Rebuilds a value from `checkpointArrays` of one.
    ///
    /// - Throws: `CheckpointError` for a missing, misshapen or wrongly typed array.
    init(checkpointArrays: CheckpointArrays) throws
}

/// A configured object (an integrator, a functional) whose *memory* a checkpoint stores:
/// what changes during a run (a velocity, Adam's moments and step count). The
/// configuration itself (learning rate, kernel) comes from the options the run is
/// resumed with, which the checkpoint's identity pins.
///
/// A flow can only be checkpointed when its integrator and functional adopt this
/// protocol, so that a resumed run continues bit for bit; conformers without memory adopt
/// it with an empty `memoryArrays`. Law: restoring `memoryArrays` into a fresh value
/// configured the same way gives a value that continues exactly as the original.
public protocol CheckpointableMemory {
    /// The memory, as named arrays (empty for memoryless conformers).
    var memoryArrays: CheckpointArrays { get }
    /// Replaces the memory with `arrays` (as written by `memoryArrays`).
    ///
    /// - Throws: `CheckpointError` for missing, misshapen or wrongly typed arrays.
    mutating func restoreMemory(from arrays: CheckpointArrays) throws
}

/// Why a checkpoint (or part of one) was refused.
public enum CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A member is missing, of the wrong type or shape.
    case malformed(String)
    /// The file is not a checkpoint, is truncated or fails its checksum.
    case corrupt(file: String, reason: String)
    /// The checkpoint was written by another run (other data or options).
    case mismatch(file: String, differences: [String])
    /// The checkpoint could not be written (no space, no permission...).
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(message): return "malformed checkpoint: \(message)"
        case let .corrupt(file, reason): return "\(file) is not a usable checkpoint: \(reason)"
        case let .mismatch(file, differences):
            return "\(file) was written by another run: " + differences.joined(separator: "; ")
        case let .unwritable(file, reason): return "cannot write the checkpoint \(file): \(reason)"
        }
    }
}

extension CheckpointArrays {
    /// The arrays whose names start with `prefix`, with it removed.
    public func strippingPrefix(_ prefix: String) -> CheckpointArrays {
        var result = CheckpointArrays()
        for (name, array) in self where name.hasPrefix(prefix) { result[String(name.dropFirst(prefix.count))] = array }
        return result
    }

    /// `self` with `prefix` before every name.
    public func prefixed(_ prefix: String) -> CheckpointArrays {
        Dictionary(uniqueKeysWithValues: map { (prefix + $0.key, $0.value) })
    }

    /// The `Float` array `name`, of `count` values when given.
    public func floats(_ name: String, count: Int? = nil) throws -> [Float] {
        guard case let .float32(values, _)? = self[name] else { throw CheckpointError.malformed("no float32 array '\(name)'") }
        try Self.checkCount(values.count, count, name)
        return values
    }

    public func doubles(_ name: String, count: Int? = nil) throws -> [Double] {
        guard case let .float64(values, _)? = self[name] else { throw CheckpointError.malformed("no float64 array '\(name)'") }
        try Self.checkCount(values.count, count, name)
        return values
    }

    public func integers(_ name: String, count: Int? = nil) throws -> [Int64] {
        guard case let .int64(values, _)? = self[name] else { throw CheckpointError.malformed("no int64 array '\(name)'") }
        try Self.checkCount(values.count, count, name)
        return values
    }

    public func words(_ name: String, count: Int? = nil) throws -> [UInt64] {
        guard case let .uint64(values, _)? = self[name] else { throw CheckpointError.malformed("no uint64 array '\(name)'") }
        try Self.checkCount(values.count, count, name)
        return values
    }

    /// The strings stored by `CheckpointArray.textRows` as `name`.
    ///
    /// - Throws: `CheckpointError.malformed` unless `name` is an `int64` table of UTF-8
    ///   bytes padded with -1, of a shape that fits its values.
    public func textRows(_ name: String) throws -> [String] {
        guard case let .int64(codes, shape)? = self[name], shape.count == 2, shape[0] >= 0, shape[1] >= 0 else {
            throw CheckpointError.malformed("no text table '\(name)'")
        }
        let (cells, overflow) = shape[0].multipliedReportingOverflow(by: shape[1])
        guard !overflow, cells == codes.count, codes.allSatisfy({ (-1...255).contains($0) }) else {
            throw CheckpointError.malformed("'\(name)' is not a text table of shape \(shape)")
        }
        return (0..<shape[0]).map { r in
            String(decoding: codes[(r * shape[1])..<((r + 1) * shape[1])].filter { $0 >= 0 }.map { UInt8($0) }, as: UTF8.self)
        }
    }

    /// The single integer `name`.
    public func integer(_ name: String) throws -> Int {
        Int(try integers(name, count: 1)[0])
    }

    private static func checkCount(_ found: Int, _ expected: Int?, _ name: String) throws {
        if let expected, found != expected {
            throw CheckpointError.malformed("'\(name)' has \(found) values, expected \(expected)")
        }
    }
}

// MARK: - The toolkit's values

extension SeededGenerator: CheckpointCodable {
    public var checkpointArrays: CheckpointArrays { ["state": .uint64(state, shape: [4])] }

    public init(checkpointArrays arrays: CheckpointArrays) throws {
        do { try self.init(state: try arrays.words("state", count: 4)) } catch let error as ShapeError {
            throw CheckpointError.malformed(error.message)
        }
    }
}

extension Matrix {
    /// `self` as a float32 checkpoint array of shape `[rows, columns]`.
    public var checkpointArray: CheckpointArray { .float32(storage, shape: [rows, columns]) }

    /// The matrix stored as `name`, of shape `[rows, columns]`.
    public init(checkpoint arrays: CheckpointArrays, name: String) throws {
        guard case let .float32(values, shape)? = arrays[name], shape.count == 2 else {
            throw CheckpointError.malformed("no float32 matrix '\(name)'")
        }
        do { try self.init(rows: shape[0], columns: shape[1], storage: values) } catch {
            throw CheckpointError.malformed("'\(name)': \(error)")
        }
    }
}

/// A field stores `classes` and one matrix per class (`class/<c>`).
extension ParticleField: CheckpointCodable {
    public var checkpointArrays: CheckpointArrays {
        var arrays: CheckpointArrays = ["classes": .int64([Int64(classes.count)], shape: [1])]
        for (c, m) in classes.enumerated() { arrays["class/\(c)"] = m.checkpointArray }
        return arrays
    }

    public init(checkpointArrays arrays: CheckpointArrays) throws {
        let count = try arrays.integer("classes")
        guard count >= 0, count <= arrays.count else { throw CheckpointError.malformed("\(count) classes") }
        self.init(classes: try (0..<count).map { try Matrix(checkpoint: arrays, name: "class/\($0)") })
    }
}

/// A dataset stores its classes' points (`points/<c>`), point weights when not uniform
/// (`weights/<c>`), its class weights and its labels (UTF-8, one row per label, padded).
extension LabeledDataset: CheckpointCodable {
    public var checkpointArrays: CheckpointArrays {
        var arrays: CheckpointArrays = ["classes": .int64([Int64(classCount)], shape: [1]),
                                        "class_weights": .float64(classWeights, shape: [classCount])]
        for (c, measure) in classes.enumerated() {
            arrays["points/\(c)"] = measure.points.checkpointArray
            if let w = measure.weights { arrays["weights/\(c)"] = .float32(w, shape: [w.count]) }
        }
        arrays["labels"] = .textRows(labels)
        return arrays
    }

    public init(checkpointArrays arrays: CheckpointArrays) throws {
        let count = try arrays.integer("classes")
        guard count > 0, count <= arrays.count else { throw CheckpointError.malformed("\(count) classes") }
        let classWeights = try arrays.doubles("class_weights", count: count)
        let labels = try arrays.textRows("labels")
        guard labels.count == count else { throw CheckpointError.malformed("\(labels.count) labels for \(count) classes") }
        do {
            let classes = try (0..<count).map { c in
                let points = try Matrix(checkpoint: arrays, name: "points/\(c)")
                let weights = arrays["weights/\(c)"] == nil ? nil : try arrays.floats("weights/\(c)", count: points.rows)
                return try EmpiricalMeasure(points: points, weights: weights)
            }
            try self.init(classes: classes, classWeights: classWeights, labels: labels)
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.malformed("the stored dataset: \(error)")
        }
    }
}
