import _WoWKernels

/// Whether an operand of `gemm` is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// General matrix product `C = alpha * op(A) * op(B) + beta * C` on row-major `Float`
/// matrices.
///
/// A packed, cache-blocked product with a 6 x 16 register tile (AVX2 + FMA when the CPU
/// has them, detected at run time; portable C otherwise). `C` is cut into blocks fixed by
/// the shape alone and the blocks are spread over `Parallel.threads` workers; each
/// element is accumulated over `k` in a fixed order, so results are bitwise identical
/// for every thread count.
///
/// - Parameters:
///   - a: `m x k` (or `k x m` when `transA == .transposed`).
///   - b: `k x n` (or `n x k` when `transB == .transposed`).
///   - c: `m x n`, overwritten (scaled by `beta` first).
/// - Complexity: `2 m n k` flops.
public func gemm(
    _ transA: Transpose, _ transB: Transpose,
    alpha: Float = 1, _ a: Matrix, _ b: Matrix, beta: Float = 0, into c: inout Matrix
) {
    let m = transA == .none ? a.rows : a.columns
    let k = transA == .none ? a.columns : a.rows
    let kb = transB == .none ? b.rows : b.columns
    let n = transB == .none ? b.columns : b.rows
    precondition(k == kb && c.rows == m && c.columns == n, "gemm shape mismatch")
    a.withUnsafeBufferPointer { aPtr in
        b.withUnsafeBufferPointer { bPtr in
            c.withUnsafeMutableBufferPointer { cPtr in
                gemm(transA, transB, m: m, n: n, k: k, alpha: alpha,
                     aPtr.baseAddress!, lda: a.columns, bPtr.baseAddress!, ldb: b.columns,
                     beta: beta, cPtr.baseAddress!, ldc: n)
            }
        }
    }
}

/// `gemm` on raw row-major buffers with leading dimensions (for workspaces).
public func gemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    let ta: Int32 = transA == .none ? 0 : 1, tb: Int32 = transB == .none ? 0 : 1
    if m * n * max(k, 1) < 1 << 16 {
        wow_sgemm(Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), ta, b, Int32(ldb), tb, beta, c, Int32(ldc))
        return
    }
    for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
    }
    guard k > 0, alpha != 0 else { return }
    // Tiles depend on the shape alone (never on the thread count): row blocks of 120
    // (a multiple of the 6-row register tile), and column blocks (multiples of 16) when
    // there are too few row blocks to keep the workers busy.
    let kcMax = 256, ncMax = 2048, rowBlock = 120
    let rowBlocks = (m + rowBlock - 1) / rowBlock
    let packedB = UnsafeMutablePointer<Float>.allocate(capacity: wow_sgemm_packed_b_count(Int32(min(k, kcMax)), Int32(min(n, ncMax))))
    defer { packedB.deallocate() }
    let packedACount = wow_sgemm_packed_a_count(Int32(min(k, kcMax)))
    for j0 in stride(from: 0, to: n, by: ncMax) {
        let nc = min(ncMax, n - j0)
        let panels = (nc + 15) / 16
        let colBlocks = max(1, min(panels, (8 + rowBlocks - 1) / rowBlocks))
        let panelsPerBlock = (panels + colBlocks - 1) / colBlocks
        for p0 in stride(from: 0, to: k, by: kcMax) {
            let kc = min(kcMax, k - p0)
            // Pack B in parallel by groups of 16-column panels (disjoint destinations).
            let packGroups = (panels + 7) / 8
            Parallel.forEach(chunks: packGroups) { group in
                let first = group * 8 * 16, width = min(8 * 16, nc - first)
                wow_sgemm_pack_b(Int32(kc), Int32(width), b, Int32(ldb), tb, Int32(p0), Int32(j0 + first),
                                 packedB + first * kc)
            }
            let packed = UnsafePointer(packedB)
            Parallel.forEach(chunks: rowBlocks * colBlocks) { task in
                let r0 = (task / colBlocks) * rowBlock, rows = min(rowBlock, m - r0)
                let col0 = (task % colBlocks) * panelsPerBlock * 16
                guard col0 < nc else { return }
                let cols = min(panelsPerBlock * 16, nc - col0)
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: packedACount)
                defer { scratch.deallocate() }
                wow_sgemm_block(Int32(rows), Int32(cols), Int32(kc), alpha, a, Int32(lda), ta, Int32(r0), Int32(p0),
                                packed, Int32(col0), c + r0 * ldc + j0 + col0, Int32(ldc), scratch)
            }
        }
    }
}

/// `true` when the AVX2 + FMA micro-kernel is in use on this CPU.
public var gemmUsesFMA: Bool { wow_sgemm_uses_fma() != 0 }
