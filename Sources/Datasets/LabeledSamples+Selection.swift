import WoWCompute

extension LabeledSamples {
    /// Draws `n` samples of every class without replacement, uniformly at random.
    ///
    /// The result lists class 0's draws first, then class 1's, and so on; within a class
    /// the order is the draw order. The same generator state gives the same draw.
    ///
    /// - Parameters:
    ///   - n: samples per class, `n >= 1`.
    ///   - allowingFewer: when true, a class with fewer than `n` samples gives all of them
    ///     (in random order) instead of an error.
    ///   - generator: the source of randomness.
    /// - Throws: ``DatasetError/cannotSatisfy(_:)`` naming the first class with fewer than
    ///   `n` samples (unless `allowingFewer`).
    /// - Complexity: O(n C d + total) time.
    public func drawing(perClass n: Int, allowingFewer: Bool = false,
                        using generator: inout some RandomNumberGenerator) throws -> LabeledSamples {
        guard n >= 1 else { throw DatasetError.invalidArgument("samples per class must be at least 1, got \(n)") }
        let byClass = indicesByClass()
        var chosen = [Int]()
        chosen.reserveCapacity(min(n, count) * classCount)
        for (c, pool) in byClass.enumerated() {
            guard pool.count >= n || allowingFewer else {
                throw DatasetError.cannotSatisfy("class '\(classNames[c])' has \(pool.count) samples; \(n) were asked for")
            }
            var pool = pool
            let n = min(n, pool.count)
            // Partial Fisher-Yates: the first n slots become a uniform draw without replacement.
            for i in 0..<n {
                let j = i + Int(generator.next(upperBound: UInt64(pool.count - i)))
                pool.swapAt(i, j)
            }
            chosen.append(contentsOf: pool[0..<n])
        }
        return try selecting(chosen)
    }

    /// A k-shot subset: `k` samples per class drawn without replacement (same as
    /// ``drawing(perClass:allowingFewer:using:)``, named after the few-shot protocol of the transfer
    /// experiments).
    public func kShot(_ k: Int, using generator: inout some RandomNumberGenerator) throws -> LabeledSamples {
        try drawing(perClass: k, using: &generator)
    }

    /// A deterministic per-class split in stored order: the first `count` samples of each
    /// class go to `head`, the rest to `tail` (used for the documented `mnist-5k` split).
    ///
    /// - Throws: ``DatasetError/cannotSatisfy(_:)`` if a class has fewer than `count`.
    public func splittingPerClass(first count: Int) throws -> (head: LabeledSamples, tail: LabeledSamples) {
        guard count >= 0 else { throw DatasetError.invalidArgument("split size must be non-negative, got \(count)") }
        var head = [Int](), tail = [Int]()
        var seen = [Int](repeating: 0, count: classCount)
        for (i, label) in labels.enumerated() {
            if seen[label] < count { head.append(i) } else { tail.append(i) }
            seen[label] += 1
        }
        if let short = seen.firstIndex(where: { $0 < count }) {
            throw DatasetError.cannotSatisfy("class '\(classNames[short])' has \(seen[short]) samples; a split of \(count) per class was asked for")
        }
        return (try selecting(head), try selecting(tail))
    }

    /// Keeps the samples of the given classes.
    ///
    /// - Parameters:
    ///   - classes: labels to keep, in the order of the new labels when relabelling.
    ///   - relabel: when true (default) the kept classes become `0..<classes.count` in the
    ///     order given, with their names; when false labels and names are unchanged.
    /// - Throws: ``DatasetError/invalidArgument(_:)`` for an unknown or repeated class.
    public func keepingClasses(_ classes: [Int], relabel: Bool = true) throws -> LabeledSamples {
        guard !classes.isEmpty else { throw DatasetError.invalidArgument("keep at least one class") }
        var newLabel = [Int](repeating: -1, count: classCount)
        for (k, c) in classes.enumerated() {
            guard c >= 0, c < classCount else {
                throw DatasetError.invalidArgument("class \(c) is outside 0..<\(classCount)")
            }
            guard newLabel[c] < 0 else { throw DatasetError.invalidArgument("class \(c) is listed twice") }
            newLabel[c] = k
        }
        let kept = labels.indices.filter { newLabel[labels[$0]] >= 0 }
        let subset = try selecting(kept)
        guard relabel else { return subset }
        return LabeledSamples(unchecked: subset.features, labels: subset.labels.map { newLabel[$0] },
                              featureShape: featureShape, classNames: classes.map { classNames[$0] },
                              valueRange: valueRange)
    }

    /// Row indices grouped by class.
    func indicesByClass() -> [[Int]] {
        var groups = [[Int]](repeating: [], count: classCount)
        for (i, label) in labels.enumerated() { groups[label].append(i) }
        return groups
    }
}
