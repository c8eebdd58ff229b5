import Dispatch
import Foundation

/// Deterministic data parallelism.
///
/// Work is cut into a fixed number of chunks that depends only on the problem, never on
/// the number of threads, and each output element is written by exactly one chunk in a
/// fixed order. Results are therefore bit-for-bit identical for every thread count.
public enum Parallel {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var _threads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Number of worker threads used by the toolkit's parallel loops (default: the number
    /// of active processors). Set to 1 to run everything on the calling thread.
    public static var threads: Int {
        get { lock.lock(); defer { lock.unlock() }; return _threads }
        set { lock.lock(); _threads = max(1, newValue); lock.unlock() }
    }

    /// Runs `body(chunk)` for every chunk in `0..<chunks`, spread over `threads` workers
    /// that take the next unclaimed chunk when they finish one (dynamic scheduling: a
    /// chunk's result does not depend on which worker runs it, so results stay
    /// bit-for-bit independent of the thread count).
    ///
    /// `body` must only write state owned by its chunk.
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        forEach(chunks: chunks, workers: Int.max) { chunk, _ in body(chunk) }
    }

    /// `forEach` that also tells `body` which worker runs the chunk (`0..<workers`), for
    /// per-worker scratch memory. `workers` caps the worker count (it must be at least
    /// 1; `threads` is used when it is larger).
    public static func forEach(chunks: Int, workers requested: Int, _ body: (Int, Int) -> Void) {
        guard chunks > 0 else { return }
        let workers = max(1, min(threads, chunks, requested))
        if workers <= 1 {
            for chunk in 0..<chunks { body(chunk, 0) }
            return
        }
        let next = ChunkCounter()
        withoutActuallyEscaping(body) { body in
            let work = ChunkBody(run: body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                while true {
                    let chunk = next.claim()
                    guard chunk < chunks else { return }
                    work.run(chunk, worker)
                }
            }
        }
    }

    /// The loop body handed to the workers. Sending it is sound under `forEach`'s
    /// contract, which is what makes the results thread-count independent: each chunk
    /// writes only state it owns, and the body does not outlive the call
    /// (`concurrentPerform` returns after every worker has finished).
    private struct ChunkBody: @unchecked Sendable {
        let run: (Int, Int) -> Void
    }

    /// A shared counter handing out chunk indices.
    private final class ChunkCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func claim() -> Int {
            lock.lock(); defer { lock.unlock() }
            value += 1
            return value - 1
        }
    }

    /// Elements from which an elementwise pass over several separately stored arrays (the
    /// classes of a data set) is spread over the workers, one array per task; below it
    /// the wake-up costs more than the pass.
    public static let elementwiseThreshold = 1 << 16

    /// Splits `0..<count` into `parts` near-equal contiguous ranges (fixed for a given
    /// `count` and `parts`).
    public static func ranges(_ count: Int, parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        guard count > 0 else { return [] }
        return (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
    }
}
