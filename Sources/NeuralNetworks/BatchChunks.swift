import WoWCompute

/// How a batch is cut into chunks for the parallel loops of the layers.
///
/// The cut depends on the batch size and the work per sample only (never on the number
/// of threads), and parameter gradients are accumulated per chunk and summed in chunk
/// order, so every result is bitwise independent of `Parallel.threads`.
enum BatchChunks {
    /// At most this many chunks per batch.
    static let maximumChunks = 8
    /// Below this many scalar operations in total the batch stays in one chunk (the cost
    /// of waking workers would dominate).
    static let minimumParallelWork = 1 << 15

    /// Contiguous sample ranges covering `0..<batch`, each of at least
    /// `minimumPerChunk` samples when the batch allows it.
    static func ranges(batch: Int, workPerSample: Int, minimumPerChunk: Int = 1) -> [Range<Int>] {
        guard batch > 0 else { return [] }
        let total = batch * max(workPerSample, 1)
        let parts = total < minimumParallelWork ? 1 : max(1, min(batch / max(minimumPerChunk, 1), maximumChunks))
        return Parallel.ranges(batch, parts: parts)
    }

    /// Runs `body` on every chunk in parallel.
    static func forEach(_ ranges: [Range<Int>], _ body: (Int, Range<Int>) -> Void) {
        if ranges.count == 1 {
            body(0, ranges[0])
            return
        }
        Parallel.forEach(chunks: ranges.count) { chunk in body(chunk, ranges[chunk]) }
    }

    /// Runs `body` over `0..<count` in pieces (for elementwise work, where the cut does
    /// not affect any result).
    static func forEachElementRange(_ count: Int, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let piece = 1 << 15
        let parts = (count + piece - 1) / piece
        if parts == 1 {
            body(0..<count)
            return
        }
        Parallel.forEach(chunks: parts) { p in body((p * piece)..<min(count, (p + 1) * piece)) }
    }
}

/// Applies `body(pointer, range)` to the elements of `tensor` in place, in parallel
/// pieces (elementwise work: the cut does not affect any result).
@inline(__always)
func updateElements(_ tensor: inout Tensor, _ body: (UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
    tensor.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        BatchChunks.forEachElementRange(buffer.count) { range in body(base, range) }
    }
}

/// A scratch buffer of `Float` owned by one chunk of a parallel loop.
struct Scratch {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    init(_ count: Int) {
        self.count = max(count, 1)
        pointer = .allocate(capacity: self.count)
    }
    func free() { pointer.deallocate() }
}

/// Per-chunk partial sums of parameter gradients, reduced in chunk order.
struct PartialSums {
    let chunks: Int
    let size: Int
    let storage: UnsafeMutablePointer<Float>

    init(chunks: Int, size: Int) {
        self.chunks = chunks
        self.size = size
        storage = .allocate(capacity: max(chunks * size, 1))
        storage.initialize(repeating: 0, count: max(chunks * size, 1))
    }

    func chunk(_ index: Int) -> UnsafeMutablePointer<Float> { storage + index * size }

    /// `destination += partial[0] + partial[1] + ...`, chunk by chunk in order.
    func add(into destination: UnsafeMutablePointer<Float>) {
        for c in 0..<chunks {
            let src = storage + c * size
            for i in 0..<size { destination[i] += src[i] }
        }
    }

    func free() { storage.deallocate() }
}
