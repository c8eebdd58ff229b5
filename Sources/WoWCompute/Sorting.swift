import _WoWKernels

/// Sorting of `Float` keys, with their original positions (argsort) or keys only.
///
/// On CPUs with AVX2, rows of `networkLengths` (2 to 2048 keys) go through a bitonic
/// sorting network on 8-lane registers (`_WoWKernels/sort.c`), padded to 8, 16 or a
/// power of two of at least 64. For the argsort, each key's order-preserving integer
/// image has its low log2(P) bits replaced by its index, the packed words are sorted as
/// keys, and one insertion pass on the full keys fixes the rare runs whose keys agree
/// on every bit kept; when that pass would shift more than 4 keys per key (long runs of
/// nearly equal keys), the row goes to the paths below instead, so the cost stays O(n)
/// after the network.
///
/// Elsewhere, rows shorter than `insertionThreshold` use insertion sort, longer rows a
/// stable radix sort on the order-preserving integer image of the keys, most
/// significant half first: two LSD passes of 8 bits on the high 16 bits (sign, exponent
/// and the leading 7 mantissa bits), which for projections of real data leaves runs of
/// one or a few equal high halves, then one insertion pass on the full keys; when that
/// pass would shift more than 4 keys per key on average, a full four-pass LSD sort
/// finishes instead. Passes whose digit is common to every key are skipped.
///
/// Every path gives the same result, bit for bit: ascending, -0 before +0, ties in their
/// original order (a stable sort), so the permutation is deterministic. NaN keys must be
/// rejected before sorting (the toolkit validates its inputs).
///
/// - Complexity: the network O(P log^2 P) compare-exchanges over P / 8 registers,
///   branch-free, plus O(n) for packing and the finishing pass (`wow-bench --only sort`
///   times it next to the radix sort). Insertion sort
///   O(n^2); the radix sort O(n + 256) per pass, at most six passes plus at most 4n
///   insertion shifts, so O(n).
public enum ArgSort {
    /// Rows shorter than this are insertion-sorted.
    public static let insertionThreshold = 48

    /// Rows of these lengths go through the AVX2 sorting network when the CPU has AVX2
    /// (`_WoWKernels/sort.c`); the others, or every row on other CPUs, take the radix
    /// sort. Both give the same stable order, bit for bit.
    public static let networkLengths = 2...Int(WOW_SORT_NETWORK_MAX)

    /// Which algorithm sorts a row (for tests and benchmarks; results are identical).
    public enum Method: Sendable {
        /// The network for `networkLengths` when the CPU has AVX2, else insertion or radix.
        case automatic
        /// Insertion sort below `insertionThreshold`, radix sort above.
        case radix
    }

    /// Whether this CPU runs the sorting network.
    public static var networkAvailable: Bool { wow_sort_network_available() != 0 }

    /// Order-preserving map from `Float` bits to `UInt32` (flip all bits of negatives,
    /// the sign bit of the rest) and its inverse.
    @inline(__always) static func orderedBits(_ key: Float) -> UInt32 {
        let bits = key.bitPattern
        return (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000
    }
    @inline(__always) static func float(fromOrdered bits: UInt32) -> Float {
        Float(bitPattern: (bits & 0x8000_0000) != 0 ? bits & 0x7FFF_FFFF : ~bits)
    }

    /// Sorts `keys[0..<count]` ascending in place and writes the original index of each
    /// sorted key to `order[0..<count]`, using `workspace` for scratch memory.
    public static func sort(
        _ keys: UnsafeMutablePointer<Float>, order: UnsafeMutablePointer<Int32>, count n: Int,
        workspace: inout Workspace, method: Method = .automatic
    ) {
        if usesNetwork(n, method) {
            let scratch = workspace.networkScratch(n)
            if wow_argsort_network(keys, order, Int32(n), scratch.keys, scratch.indices) != 0 { return }
        }
        if n < insertionThreshold {
            for i in 0..<n { order[i] = Int32(i) }
            if n < 2 { return }
            for i in 1..<n {
                let key = keys[i], idx = order[i], rank = orderedBits(key)
                var j = i - 1
                while j >= 0 && orderedBits(keys[j]) > rank {
                    keys[j + 1] = keys[j]; order[j + 1] = order[j]
                    j -= 1
                }
                keys[j + 1] = key; order[j + 1] = idx
            }
            return
        }
        workspace.reserve(n)
        let bits = workspace.bitsA, index = workspace.indexA
        for i in 0..<n {
            bits[i] = orderedBits(keys[i])
            index[i] = Int32(i)
        }
        radixSort(n, workspace, withIndex: true)
        for i in 0..<n {
            keys[i] = float(fromOrdered: bits[i])
            order[i] = index[i]
        }
    }

    /// Sorts `keys[0..<count]` ascending in place (no permutation: for measures whose
    /// points never need to be traced back).
    public static func sortKeys(_ keys: UnsafeMutablePointer<Float>, count n: Int, workspace: inout Workspace,
                                method: Method = .automatic) {
        if usesNetwork(n, method) {
            let scratch = workspace.networkScratch(n)
            if wow_sort_keys_network(keys, Int32(n), scratch.keys) != 0 { return }
        }
        if n < insertionThreshold {
            if n < 2 { return }
            for i in 1..<n {
                let key = keys[i], rank = orderedBits(key)
                var j = i - 1
                while j >= 0 && orderedBits(keys[j]) > rank { keys[j + 1] = keys[j]; j -= 1 }
                keys[j + 1] = key
            }
            return
        }
        workspace.reserve(n)
        let bits = workspace.bitsA
        for i in 0..<n { bits[i] = orderedBits(keys[i]) }
        radixSort(n, workspace, withIndex: false)
        for i in 0..<n { keys[i] = float(fromOrdered: bits[i]) }
    }

    @inline(__always) static func usesNetwork(_ n: Int, _ method: Method) -> Bool {
        method == .automatic && networkLengths.contains(n)
    }

    /// Sorts `workspace.bitsA[0..<n]` (and `indexA` alongside when `withIndex`) in place.
    @inline(__always)
    static func radixSort(_ n: Int, _ workspace: Workspace, withIndex: Bool) {
        let bitsA = workspace.bitsA, bitsB = workspace.bitsB
        let indexA = workspace.indexA, indexB = workspace.indexB
        let counts = workspace.counts
        // High half: histograms of bytes 2 and 3 from one read, then two stable passes.
        counts.update(repeating: 0, count: 512)
        for i in 0..<n {
            let b = bitsA[i]
            counts[Int((b >> 16) & 0xFF)] &+= 1
            counts[256 &+ Int(b >> 24)] &+= 1
        }
        var inA = true
        for pass in 0..<2 {
            let histogram = counts + pass * 256
            let shift = UInt32(16 + pass * 8)
            let src = inA ? bitsA : bitsB, dst = inA ? bitsB : bitsA
            if Int(histogram[Int((src[0] >> shift) & 0xFF)]) == n { continue }
            scatter(src, inA ? indexA : indexB, dst, inA ? indexB : indexA, 0, n, shift, histogram, withIndex)
            inA.toggle()
        }
        if !inA {
            bitsA.update(from: bitsB, count: n)
            if withIndex { indexA.update(from: indexB, count: n) }
        }
        // Low half: one insertion pass over the whole row. Keys only move within runs of
        // equal high halves, so on real projections (runs of one to a few) this is about
        // one comparison per key. If shifting exceeds 4 per key on average (long runs),
        // finish with a complete LSD sort instead: stable passes from a stable partial
        // order keep equal keys in their original order.
        var budget = 4 * n
        for i in 1..<n {
            let key = bitsA[i]
            if bitsA[i - 1] <= key { continue }
            let idx = withIndex ? indexA[i] : 0
            var j = i - 1
            while j >= 0 && bitsA[j] > key {
                bitsA[j + 1] = bitsA[j]
                if withIndex { indexA[j + 1] = indexA[j] }
                j -= 1
            }
            bitsA[j + 1] = key
            if withIndex { indexA[j + 1] = idx }
            budget -= i - j
            if budget < 0 {
                fullRadix(n, workspace, withIndex: withIndex)
                return
            }
        }
    }

    /// A complete stable LSD sort of `bitsA[0..<n]` (four 8-bit passes, uniform digits
    /// skipped), in place.
    static func fullRadix(_ n: Int, _ workspace: Workspace, withIndex: Bool) {
        let bitsA = workspace.bitsA, bitsB = workspace.bitsB
        let indexA = workspace.indexA, indexB = workspace.indexB
        let counts = workspace.counts
        counts.update(repeating: 0, count: 1024)
        for i in 0..<n {
            let b = bitsA[i]
            counts[Int(b & 0xFF)] &+= 1
            counts[256 &+ Int((b >> 8) & 0xFF)] &+= 1
            counts[512 &+ Int((b >> 16) & 0xFF)] &+= 1
            counts[768 &+ Int(b >> 24)] &+= 1
        }
        var inA = true
        for pass in 0..<4 {
            let histogram = counts + pass * 256
            let shift = UInt32(pass * 8)
            let src = inA ? bitsA : bitsB, dst = inA ? bitsB : bitsA
            if Int(histogram[Int((src[0] >> shift) & 0xFF)]) == n { continue }
            scatter(src, inA ? indexA : indexB, dst, inA ? indexB : indexA, 0, n, shift, histogram, withIndex)
            inA.toggle()
        }
        if !inA {
            bitsA.update(from: bitsB, count: n)
            if withIndex { indexA.update(from: indexB, count: n) }
        }
    }

    /// One stable counting pass on the digit at `shift` over `[start, end)`; `histogram`
    /// holds the digit counts and is turned into running offsets.
    @inline(__always)
    static func scatter(
        _ srcBits: UnsafeMutablePointer<UInt32>, _ srcIndex: UnsafeMutablePointer<Int32>,
        _ dstBits: UnsafeMutablePointer<UInt32>, _ dstIndex: UnsafeMutablePointer<Int32>,
        _ start: Int, _ end: Int, _ shift: UInt32, _ histogram: UnsafeMutablePointer<UInt32>, _ withIndex: Bool
    ) {
        var total = UInt32(truncatingIfNeeded: start)
        for d in 0..<256 { let c = histogram[d]; histogram[d] = total; total &+= c }
        if withIndex {
            for i in start..<end {
                let bits = srcBits[i]
                let digit = Int((bits >> shift) & 0xFF)
                let dst = Int(histogram[digit])
                histogram[digit] &+= 1
                dstBits[dst] = bits
                dstIndex[dst] = srcIndex[i]
            }
        } else {
            for i in start..<end {
                let bits = srcBits[i]
                let digit = Int((bits >> shift) & 0xFF)
                let dst = Int(histogram[digit])
                histogram[digit] &+= 1
                dstBits[dst] = bits
            }
        }
    }

    /// Reusable scratch memory for `sort`; grows on demand, never shrinks.
    public final class Workspace {
        fileprivate var capacity = 0
        fileprivate var bitsA: UnsafeMutablePointer<UInt32>
        fileprivate var bitsB: UnsafeMutablePointer<UInt32>
        fileprivate var indexA: UnsafeMutablePointer<Int32>
        fileprivate var indexB: UnsafeMutablePointer<Int32>
        fileprivate let counts = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
        fileprivate var networkCapacity = 0
        fileprivate var networkKeys = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        fileprivate var networkIndices = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

        public init() {
            bitsA = .allocate(capacity: 1); bitsB = .allocate(capacity: 1)
            indexA = .allocate(capacity: 1); indexB = .allocate(capacity: 1)
        }

        fileprivate func reserve(_ n: Int) {
            guard n > capacity else { return }
            bitsA.deallocate(); bitsB.deallocate(); indexA.deallocate(); indexB.deallocate()
            bitsA = .allocate(capacity: n); bitsB = .allocate(capacity: n)
            indexA = .allocate(capacity: n); indexB = .allocate(capacity: n)
            capacity = n
        }

        /// Scratch rows for the sorting network (padded length), grown on demand.
        fileprivate func networkScratch(_ n: Int) -> (keys: UnsafeMutablePointer<Int32>, indices: UnsafeMutablePointer<Int32>) {
            let padded = Int(wow_sort_network_padded_count(Int32(n)))
            if padded > networkCapacity {
                networkKeys.deallocate(); networkIndices.deallocate()
                networkKeys = .allocate(capacity: padded); networkIndices = .allocate(capacity: padded)
                networkCapacity = padded
            }
            return (networkKeys, networkIndices)
        }

        deinit {
            networkKeys.deallocate(); networkIndices.deallocate()
            bitsA.deallocate(); bitsB.deallocate(); indexA.deallocate(); indexB.deallocate()
            counts.deallocate()
        }
    }
}
