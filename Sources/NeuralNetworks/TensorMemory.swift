import Foundation

/// Recycling of large tensor buffers.
///
/// Layer outputs and gradients are allocated anew at every step; large ones come straight
/// from the operating system (glibc maps every allocation above 32 MB afresh), so each
/// step would pay a page fault and a page clearing per 4 KB. Buffers of at least
/// 64 KB freed by tensors are instead kept, by exact size, up to `cacheLimit` bytes, and
/// handed to the next tensor of the same size. Thread-safe.
public enum TensorMemory {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var cachedByteCount = 0
    nonisolated(unsafe) private static var limit = 1 << 30

    /// Buffers smaller than this many bytes are not recycled.
    static let minimumRecycledBytes = 1 << 16
    static let alignment = 64

    /// Most bytes kept for reuse (default 1 GiB; 0 disables recycling and frees the cache).
    public static var cacheLimit: Int {
        get { lock.lock(); defer { lock.unlock() }; return limit }
        set {
            lock.lock()
            limit = max(0, newValue)
            lock.unlock()
            trim()
        }
    }

    /// Bytes currently kept for reuse.
    public static var cachedBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return cachedByteCount
    }

    /// Frees every cached buffer.
    public static func releaseCachedMemory() {
        lock.lock()
        let all = cached
        cached = [:]
        cachedByteCount = 0
        lock.unlock()
        for (_, pointers) in all { for p in pointers { p.deallocate() } }
    }

    private static func trim() {
        lock.lock()
        var released: [UnsafeMutableRawPointer] = []
        while cachedByteCount > limit, let (bytes, pointers) = cached.first(where: { !$0.value.isEmpty }) {
            released.append(pointers.last!)
            cached[bytes]!.removeLast()
            cachedByteCount -= bytes
        }
        lock.unlock()
        for p in released { p.deallocate() }
    }

    /// Memory for `count` floats (uninitialised).
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes >= minimumRecycledBytes {
            lock.lock()
            if var list = cached[bytes], let p = list.popLast() {
                cached[bytes] = list
                cachedByteCount -= bytes
                lock.unlock()
                return p.assumingMemoryBound(to: Float.self)
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: alignment)
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Returns memory obtained from `allocate` with the same `count`.
    static func release(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer(pointer)
        if bytes >= minimumRecycledBytes {
            lock.lock()
            if cachedByteCount + bytes <= limit {
                cached[bytes, default: []].append(raw)
                cachedByteCount += bytes
                lock.unlock()
                return
            }
            lock.unlock()
        }
        raw.deallocate()
    }
}

/// The reference-counted element storage of a `Tensor` (copy-on-write).
final class TensorBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Uninitialised storage for `count` floats.
    init(uninitializedCount count: Int) {
        self.count = count
        pointer = TensorMemory.allocate(count)
    }

    convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    convenience init(_ array: [Float]) {
        self.init(uninitializedCount: array.count)
        array.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: array.count) }
        }
    }

    func copy() -> TensorBuffer {
        let other = TensorBuffer(uninitializedCount: count)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    deinit { TensorMemory.release(pointer, count: count) }
}
