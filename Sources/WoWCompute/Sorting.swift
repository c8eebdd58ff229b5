/// Sorting of `Float` keys with their original positions (argsort).
///
/// Rows shorter than `insertionThreshold` use insertion sort; longer rows use a stable
/// LSD radix sort on the order-preserving integer image of the keys: four passes of 8
/// bits (256 buckets suit the row lengths of the WoW step, 50 to a few thousand), all
/// four histograms from one read, passes whose digit is common to every key skipped.
/// Ties keep their original order, so the permutation is deterministic.
/// NaN keys must be rejected before sorting (the toolkit validates its inputs).
public enum ArgSort {
    /// Rows shorter than this are insertion-sorted.
    public static let insertionThreshold = 48

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
    /// `count` `Int32` of workspace (see `Workspace`).
    ///
    /// - Complexity: O(n^2) below the threshold, O(n + 256) per pass (at most four) above.
    public static func sort(
        _ keys: UnsafeMutablePointer<Float>, order: UnsafeMutablePointer<Int32>, count n: Int,
        workspace: inout Workspace
    ) {
        if n < insertionThreshold {
            for i in 0..<n { order[i] = Int32(i) }
            if n < 2 { return }
            for i in 1..<n {
                let key = keys[i], idx = order[i]
                var j = i - 1
                while j >= 0 && keys[j] > key {
                    keys[j + 1] = keys[j]; order[j + 1] = order[j]
                    j -= 1
                }
                keys[j + 1] = key; order[j + 1] = idx
            }
            return
        }
        workspace.reserve(n)
        let bitsA = workspace.bitsA, bitsB = workspace.bitsB
        let idxA = workspace.indexA, idxB = workspace.indexB
        for i in 0..<n {
            bitsA[i] = orderedBits(keys[i])
            idxA[i] = Int32(i)
        }
        var srcBits = bitsA, dstBits = bitsB, srcIdx = idxA, dstIdx = idxB
        // Four 8-bit digits; all four histograms in one read pass.
        let counts = workspace.counts
        counts.update(repeating: 0, count: 1024)
        for i in 0..<n {
            let b = srcBits[i]
            counts[Int(b & 0xFF)] += 1
            counts[256 + Int((b >> 8) & 0xFF)] += 1
            counts[512 + Int((b >> 16) & 0xFF)] += 1
            counts[768 + Int(b >> 24)] += 1
        }
        for pass in 0..<4 {
            let shift = UInt32(pass * 8)
            let histogram = counts + pass * 256
            // Skip a pass when every key has the same digit.
            if histogram[Int((srcBits[0] >> shift) & 0xFF)] == n { continue }
            var total = 0
            for d in 0..<256 { let c = histogram[d]; histogram[d] = total; total += c }
            for i in 0..<n {
                let bits = srcBits[i]
                let digit = Int((bits >> shift) & 0xFF)
                let dst = histogram[digit]
                histogram[digit] = dst + 1
                dstBits[dst] = bits
                dstIdx[dst] = srcIdx[i]
            }
            swap(&srcBits, &dstBits); swap(&srcIdx, &dstIdx)
        }
        for i in 0..<n {
            keys[i] = float(fromOrdered: srcBits[i])
            order[i] = srcIdx[i]
        }
    }

    /// Reusable scratch memory for `sort`; grows on demand, never shrinks.
    public final class Workspace {
        fileprivate var capacity = 0
        fileprivate var bitsA: UnsafeMutablePointer<UInt32>
        fileprivate var bitsB: UnsafeMutablePointer<UInt32>
        fileprivate var indexA: UnsafeMutablePointer<Int32>
        fileprivate var indexB: UnsafeMutablePointer<Int32>
        fileprivate let counts = UnsafeMutablePointer<Int>.allocate(capacity: 1024)

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

        deinit {
            bitsA.deallocate(); bitsB.deallocate(); indexA.deallocate(); indexB.deallocate()
            counts.deallocate()
        }
    }
}
