import _WoWKernels

/// Whether an operand of `gemm` is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// An input of `gemm`: a stored row-major matrix `S`, used as `op(S) = S` or `S^T`,
/// either strided (`base + r * leadingDimension` is row `r`) or a table of row
/// pointers (row `r` of `S` at `rows[r]`), so separately stored blocks, such as the
/// classes of a data set, enter one product without being copied together.
///
/// The pointers must stay valid for the duration of the `gemm` call.
public struct GEMMOperand {
    var raw: wow_operand

    /// A strided row-major matrix.
    public static func matrix(_ base: UnsafePointer<Float>, leadingDimension: Int, _ transpose: Transpose) -> GEMMOperand {
        GEMMOperand(raw: wow_operand(base: base, ld: leadingDimension, trans: transpose == .none ? 0 : 1, rows: nil, packed: 0))
    }

    /// A matrix given by its rows (`rows[r]` is row `r` of the stored matrix).
    public static func rows(_ rows: UnsafePointer<UnsafePointer<Float>?>, _ transpose: Transpose) -> GEMMOperand {
        GEMMOperand(raw: wow_operand(base: nil, ld: 0, trans: transpose == .none ? 0 : 1, rows: rows, packed: 0))
    }

    /// `op(A)` (`rows x depth`) already in the micro-kernel's panel layout (first operand
    /// only), so the product reads it without packing: element `(i, p)` at
    /// `PackedPanels.offset(row: i, column: p, rows: rows, depth: depth)`, in a buffer of
    /// `PackedPanels.count(rows:depth:)` floats. For producers that can write their output
    /// there directly (the sliced kernels' projected gradients).
    package static func packedPanels(_ base: UnsafePointer<Float>, rows: Int) -> GEMMOperand {
        GEMMOperand(raw: wow_operand(base: base, ld: PackedPanels.paddedRows(rows), trans: 0, rows: nil, packed: 1))
    }
}

/// The layout of a pre-packed first operand of `gemm` (`GEMMOperand.packedPanels`): the
/// depth is cut into the product's blocks (equal, at most 800 deep), each block stored as
/// 6-row panels of `kc x 6` floats. The padding rows up to a multiple of 6 are read but
/// only feed rows of `C` that are never stored; keep them finite (zero).
package enum PackedPanels {
    /// `rows` rounded up to a multiple of 6.
    @inlinable public static func paddedRows(_ rows: Int) -> Int { (rows + 5) / 6 * 6 }

    /// Floats in the buffer: `paddedRows(rows) * depth`.
    public static func count(rows: Int, depth: Int) -> Int { paddedRows(rows) * depth }

    /// The depth of the blocks (the last may be shorter).
    public static func blockDepth(_ depth: Int) -> Int { Int(wow_sgemm_kc(Int32(depth))) }

    /// Position of element `(row, column)` (`column < depth`).
    public static func offset(row: Int, column: Int, rows: Int, depth: Int) -> Int {
        Int(wow_sgemm_packed_a_offset(Int32(row), Int32(column), Int32(depth), Int32(paddedRows(rows))))
    }
}

/// The output of `gemm`: strided, or a table of row pointers (row `i` of `C` at `rows[i]`).
public struct GEMMOutput {
    var raw: wow_output

    /// A strided row-major matrix.
    public static func matrix(_ base: UnsafeMutablePointer<Float>, leadingDimension: Int) -> GEMMOutput {
        GEMMOutput(raw: wow_output(base: base, ld: leadingDimension, rows: nil))
    }

    /// A matrix given by its rows.
    ///
    /// - Precondition: `rows[i]` is a valid, non-`nil` pointer for every row `i` the
    ///   product writes (as every pointer handed to `gemm` must be valid).
    public static func rows(_ rows: UnsafePointer<UnsafeMutablePointer<Float>?>) -> GEMMOutput {
        GEMMOutput(raw: wow_output(base: nil, ld: 0, rows: rows))
    }

    func row(_ i: Int) -> UnsafeMutablePointer<Float> {
        if let rows = raw.rows { return rows[i]! }
        return raw.base! + i * raw.ld
    }
}

/// General matrix product `C = alpha * op(A) * op(B) + beta * C` on row-major `Float`
/// matrices.
///
/// A packed, cache-blocked product with a 6 x 16 register tile (AVX2 + FMA when the CPU
/// has them, detected at run time; portable C otherwise). `C` is cut into blocks spread
/// over `Parallel.threads` workers; each element is accumulated over `k` in a fixed
/// order (blocks of equal depth, at most 800, fixed by `k` alone) whatever block it falls
/// in, so results are bitwise identical for every thread count.
///
/// - Parameters:
///   - a: `m x k` (or `k x m` when `transA == .transposed`).
///   - b: `k x n` (or `n x k` when `transB == .transposed`).
///   - c: `m x n`, overwritten (scaled by `beta` first).
/// - Precondition: the shapes agree as above (as for BLAS; every caller in the toolkit
///   derives them from the operands it checked).
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
    gemm(m: m, n: n, k: k, alpha: alpha, .matrix(a, leadingDimension: lda, transA),
         .matrix(b, leadingDimension: ldb, transB), beta: beta, into: .matrix(c, leadingDimension: ldc))
}

/// `C = alpha * op(A) * op(B) + beta * C` on general operands (strided or row tables),
/// with `op(A)` of shape `m x k` and `op(B)` of shape `k x n`. Same blocking, threading
/// and determinism as the matrix form.
///
/// - Precondition: only `a` may be `.packedPanels`, and then made for `m` rows; every
///   pointer covers the rows and columns the product reads or writes.
public func gemm(
    m: Int, n: Int, k: Int, alpha: Float = 1, _ a: GEMMOperand, _ b: GEMMOperand,
    beta: Float = 0, into c: GEMMOutput
) {
    guard m > 0, n > 0 else { return }
    precondition(b.raw.packed == 0, "gemm: only the first operand can be pre-packed")
    precondition(a.raw.packed == 0 || a.raw.ld == PackedPanels.paddedRows(m), "gemm: pre-packed A has a different row count than m")
    var opA = a.raw, opB = b.raw, out = c.raw
    if m * n * max(k, 1) < 1 << 16 {
        wow_sgemm_op(Int32(m), Int32(n), Int32(k), alpha, &opA, &opB, beta, &out)
        return
    }
    // With beta == 0 the first k block overwrites C, so no clearing pass is needed.
    let overwriteFirst = beta == 0 && k > 0 && alpha != 0
    if !overwriteFirst {
        for i in 0..<m {
            let row = c.row(i)
            if beta == 0 { row.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { row[j] *= beta } }
        }
    }
    guard k > 0, alpha != 0 else { return }
    // Tiles: row blocks of whole 6-row register tiles, and column blocks (multiples of 16)
    // when there are too few row blocks to keep the workers busy. The tiling never changes
    // a result (each element is summed over the same k blocks in the same order whatever
    // tile it falls in), so it may follow the worker count: row blocks of at most 120
    // rows, as many as a multiple of the workers, with the tiles spread evenly over them
    // (17 blocks on 2 workers would leave one idle for a block).
    // Column passes of at most 2048 columns are split evenly (multiples of 16).
    let kcMax = Int(wow_sgemm_kc(Int32(k)))
    let workers = Parallel.threads
    let tilesM = (m + 5) / 6
    var rowBlocks = (m + 119) / 120
    if rowBlocks > 1 { rowBlocks = min(tilesM, (rowBlocks + workers - 1) / workers * workers) }
    let passes = (n + 2047) / 2048
    let ncMax = ((n + passes - 1) / passes + 15) / 16 * 16
    // Packing buffers come from the scratch pool: products run every step, and fresh
    // multi-megabyte buffers would cost a page fault per 4 KiB each time.
    let packedBCount = wow_sgemm_packed_b_count(Int32(kcMax), Int32(min(n, ncMax)))
    let packedACount = wow_sgemm_packed_a_count(Int32(kcMax))
    ScratchPool.withBuffer(Float.self, count: packedBCount + packedACount * workers) { packedB in
    let scratch = packedB + packedBCount
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
                var opB = opB
                wow_sgemm_pack_b_op(Int32(kc), Int32(width), &opB, Int32(p0), Int32(j0 + first), packedB + first * kc)
            }
            let packed = UnsafePointer(packedB)
            let overwrite: Int32 = overwriteFirst && p0 == 0 ? 1 : 0
            Parallel.forEach(chunks: rowBlocks * colBlocks, workers: workers) { task, worker in
                let block = task / colBlocks
                let r0 = block * tilesM / rowBlocks * 6, rows = min((block + 1) * tilesM / rowBlocks * 6, m) - r0
                let col0 = (task % colBlocks) * panelsPerBlock * 16
                guard col0 < nc else { return }
                let cols = min(panelsPerBlock * 16, nc - col0)
                var opA = opA, out = out
                wow_sgemm_block_op(Int32(rows), Int32(cols), Int32(kc), alpha, &opA, Int32(r0), Int32(p0),
                                   packed, Int32(col0), &out, Int32(r0), Int32(j0 + col0), overwrite,
                                   scratch + worker * packedACount)
            }
        }
    }
    }
}

/// `true` when the AVX2 + FMA micro-kernel is in use on this CPU.
public var gemmUsesFMA: Bool { wow_sgemm_uses_fma() != 0 }

/// Runs `iterations` rounds of 12 independent 8-lane fused multiply-add chains on the
/// calling thread (no memory traffic) and returns the flops done: 0 when the FMA
/// micro-kernel is not in use. Benchmarks time it on every worker at once to measure the
/// machine's fp32 peak, against which GEMM speed is reported.
public func fusedMultiplyAddProbe(iterations: Int) -> Int {
    var sink: Float = 0
    let flops = wow_fma_probe_flops(iterations, &sink)
    return sink.isNaN ? 0 : flops
}
