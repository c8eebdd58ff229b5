/// Whether an operand of `gemm` is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed
}

/// General matrix product `C = alpha * op(A) * op(B) + beta * C` on row-major `Float`
/// matrices.
///
/// - Parameters:
///   - a: `m x k` (or `k x m` when `transA == .transposed`).
///   - b: `k x n` (or `n x k` when `transB == .transposed`).
///   - c: `m x n`, overwritten.
/// - Complexity: `2 m n k` flops, parallel over row blocks of `C`. Each element of `C`
///   is accumulated over `k` in a fixed order, so results do not depend on the thread
///   count.
public func gemm(
    _ transA: Transpose, _ transB: Transpose,
    alpha: Float = 1, _ a: Matrix, _ b: Matrix, beta: Float = 0, into c: inout Matrix
) {
    let m = transA == .none ? a.rows : a.columns
    let k = transA == .none ? a.columns : a.rows
    let kb = transB == .none ? b.rows : b.columns
    let n = transB == .none ? b.columns : b.rows
    precondition(k == kb && c.rows == m && c.columns == n, "gemm shape mismatch")
    // Bring B into k x n row-major so the inner loop streams contiguous rows of B.
    let bRows: Matrix = transB == .none ? b : b.transposed()
    let lda = a.columns
    let blocks = Parallel.ranges(m, parts: max(1, m / 16))
    a.withUnsafeBufferPointer { aPtr in
        bRows.withUnsafeBufferPointer { bPtr in
            c.withUnsafeMutableBufferPointer { cPtr in
                let cBase = cPtr.baseAddress!
                Parallel.forEach(chunks: blocks.count) { chunk in
                    for i in blocks[chunk] {
                        let row = UnsafeMutableBufferPointer(start: cBase + i * n, count: n)
                        if beta == 0 {
                            for j in 0..<n { row[j] = 0 }
                        } else if beta != 1 {
                            for j in 0..<n { row[j] *= beta }
                        }
                        for p in 0..<k {
                            let aip = alpha * (transA == .none ? aPtr[i * lda + p] : aPtr[p * lda + i])
                            if aip == 0 { continue }
                            let bRow = bPtr.baseAddress! + p * n
                            for j in 0..<n { row[j] += aip * bRow[j] }
                        }
                    }
                }
            }
        }
    }
}
