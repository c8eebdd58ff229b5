import Foundation

/// A process-wide cache of large scratch buffers.
///
/// Hot paths that need the same large temporaries on every call (the sliced step
/// allocates tens of megabytes of projections, sort orders and projected gradients per
/// evaluation) borrow them here instead of asking the system for fresh pages each time,
/// which costs a page fault and a page clear per 4 KiB. Buffers are handed out to one
/// borrower at a time and their contents are unspecified (never assume zeros). At most
/// `retainedBytes` stay cached; beyond that the largest cached buffers are released.
/// Thread-safe.
package enum ScratchPool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    nonisolated(unsafe) private static var cachedBytes = 0

    /// The most memory kept cached between borrows (256 MiB).
    package static let retainedBytes = 256 << 20

    /// Calls `body` with an uninitialised buffer of at least `count` elements of `T` (a
    /// trivial type), which goes back to the pool when `body` returns.
    package static func withBuffer<T, R>(_ type: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        let wanted = max(1, count) * MemoryLayout<T>.stride
        let (raw, bytes) = take(wanted)
        defer { give(raw, bytes) }
        return try body(raw.bindMemory(to: T.self, capacity: bytes / MemoryLayout<T>.stride))
    }

    /// The smallest cached buffer that fits without wasting more than 4x, or a new one.
    private static func take(_ wanted: Int) -> (UnsafeMutableRawPointer, Int) {
        lock.lock()
        var best = -1
        for (index, entry) in cached.enumerated() where entry.bytes >= wanted && entry.bytes <= 4 * wanted {
            if best < 0 || entry.bytes < cached[best].bytes { best = index }
        }
        if best >= 0 {
            let entry = cached.remove(at: best)
            cachedBytes -= entry.bytes
            lock.unlock()
            return (entry.pointer, entry.bytes)
        }
        lock.unlock()
        return (UnsafeMutableRawPointer.allocate(byteCount: wanted, alignment: 64), wanted)
    }

    private static func give(_ pointer: UnsafeMutableRawPointer, _ bytes: Int) {
        lock.lock()
        cached.append((pointer, bytes))
        cachedBytes += bytes
        var released = [UnsafeMutableRawPointer]()
        while cachedBytes > retainedBytes, let largest = cached.indices.max(by: { cached[$0].bytes < cached[$1].bytes }) {
            let entry = cached.remove(at: largest)
            cachedBytes -= entry.bytes
            released.append(entry.pointer)
        }
        lock.unlock()
        for pointer in released { pointer.deallocate() }
    }
}
