import FlowGeometry

/// Explicit Euler keeps no memory.
extension ExplicitEuler: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays { [:] }
    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {}
}

/// The geodesic step keeps no memory.
extension GeodesicStep: CheckpointableMemory {
    public var memoryArrays: CheckpointArrays { [:] }
    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {}
}

/// Heavy ball keeps its velocity (`velocity/...`; absent before the first step).
extension Momentum: CheckpointableMemory where State.Tangent: CheckpointCodable {
    public var memoryArrays: CheckpointArrays {
        velocity.map { $0.checkpointArrays.prefixed("velocity/") } ?? [:]
    }

    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {
        let stored = arrays.strippingPrefix("velocity/")
        velocity = stored.isEmpty ? nil : try State.Tangent(checkpointArrays: stored)
    }
}

/// AdamW keeps its step count and both moments (`first/...`, `second/...`).
extension AdamWStep: CheckpointableMemory where State.Tangent: CheckpointCodable {
    public var memoryArrays: CheckpointArrays {
        var arrays: CheckpointArrays = ["steps": .int64([Int64(stepCount)], shape: [1])]
        if let firstMoment { arrays.merge(firstMoment.checkpointArrays.prefixed("first/")) { $1 } }
        if let secondMoment { arrays.merge(secondMoment.checkpointArrays.prefixed("second/")) { $1 } }
        return arrays
    }

    public mutating func restoreMemory(from arrays: CheckpointArrays) throws {
        let steps = try arrays.integer("steps")
        guard steps >= 0 else { throw CheckpointError.malformed("AdamW step count \(steps)") }
        let first = arrays.strippingPrefix("first/"), second = arrays.strippingPrefix("second/")
        guard first.isEmpty == second.isEmpty, first.isEmpty == (steps == 0) else {
            throw CheckpointError.malformed("AdamW moments and step count \(steps) disagree")
        }
        stepCount = steps
        firstMoment = first.isEmpty ? nil : try State.Tangent(checkpointArrays: first)
        secondMoment = second.isEmpty ? nil : try State.Tangent(checkpointArrays: second)
    }
}
