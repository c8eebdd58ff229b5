/// Sorting of `Float` keys with their original positions (argsort).
///
/// Rows shorter than `insertionThreshold` use insertion sort; longer rows use a stable
/// LSD radix sort on the order-preserving integer image of the keys (three passes of 11
/// bits). Ties keep their original order, so the permutation is deterministic.
/// NaN keys must be rejected before sorting (the toolkit validates its inputs).
public enum ArgSort {
    /// Rows shorter than this are insertion-sorted.
    public static let insertionThreshold = 48

    /// Sorts `keys[0..<count]` ascending in place and writes the original index of each
    /// sorted key to `order[0..<count]`. `scratch` must hold `2 * count` `UInt32` and
    /// `count` `Int32` of workspace (see `Workspace`).
    ///
    /// - Complexity: O(n^2) below the threshold, O(n) (three passes) above.
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
            let bits = keys[i].bitPattern
            // Order-preserving map: flip all bits of negatives, the sign bit of positives.
            bitsA[i] = (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000
            idxA[i] = Int32(i)
        }
        var srcBits = bitsA, dstBits = bitsB, srcIdx = idxA, dstIdx = idxB
        var counts = [Int](repeating: 0, count: 2048)
        for shift in stride(from: 0, to: 33, by: 11) {
            for d in 0..<2048 { counts[d] = 0 }
            for i in 0..<n { counts[Int((srcBits[i] >> UInt32(shift)) & 0x7FF)] += 1 }
            // Skip a pass when every key has the same digit.
            if counts[Int((srcBits[0] >> UInt32(shift)) & 0x7FF)] == n { continue }
            var total = 0
            for d in 0..<2048 { let c = counts[d]; counts[d] = total; total += c }
            for i in 0..<n {
                let digit = Int((srcBits[i] >> UInt32(shift)) & 0x7FF)
                let dst = counts[digit]
                counts[digit] = dst + 1
                dstBits[dst] = srcBits[i]
                dstIdx[dst] = srcIdx[i]
            }
            swap(&srcBits, &dstBits); swap(&srcIdx, &dstIdx)
        }
        for i in 0..<n {
            let bits = srcBits[i]
            keys[i] = Float(bitPattern: (bits & 0x8000_0000) != 0 ? bits & 0x7FFF_FFFF : ~bits)
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
        }
    }
}
