import OptimalTransport

/// Small symmetric `k x k` blocks stored row-major in a flat `[Double]` (one per sample):
/// the covariance part of the product states.
enum CovarianceBlocks {
    /// `S <- (I + V) S (I + V)`, symmetrised exactly: the Bures-Wasserstein exponential
    /// map `exp_S(V)` (Malago, Montrucchio & Pistone 2018). With `V = 0` the block is left
    /// bitwise unchanged.
    static func exponentialMap(_ s: UnsafeMutablePointer<Double>, along v: UnsafePointer<Double>, k: Int,
                               scratch: UnsafeMutablePointer<Double>) {
        var zero = true
        for e in 0..<(k * k) where v[e] != 0 { zero = false; break }
        if zero { return }
        // scratch = S (I + V)
        for r in 0..<k {
            for c in 0..<k {
                var acc = s[r * k + c]
                for l in 0..<k { acc += s[r * k + l] * v[l * k + c] }
                scratch[r * k + c] = acc
            }
        }
        // S = (I + V) scratch
        for r in 0..<k {
            for c in 0..<k {
                var acc = scratch[r * k + c]
                for l in 0..<k { acc += v[r * k + l] * scratch[l * k + c] }
                s[r * k + c] = acc
            }
        }
        for r in 0..<k {
            for c in (r + 1)..<k {
                let mean = (s[r * k + c] + s[c * k + r]) / 2
                s[r * k + c] = mean
                s[c * k + r] = mean
            }
        }
    }

    /// The smallest eigenvalue of a symmetric block (closed forms for `k <= 2`).
    static func smallestEigenvalue(_ s: ArraySlice<Double>, k: Int) throws -> Double {
        let b = Array(s)
        switch k {
        case 1:
            return b[0]
        case 2:
            let half = (b[0] - b[3]) / 2
            return (b[0] + b[3]) / 2 - (half * half + b[1] * b[1]).squareRoot()
        default:
            return try SymmetricEigendecomposition(SymmetricMatrix(dimension: k, storage: b)).eigenvalues[0]
        }
    }

    /// The largest `|B_ij - B_ji|` of a block, relative to `max(1, max |B_ij|)`.
    static func relativeAsymmetry(_ s: ArraySlice<Double>, k: Int) -> Double {
        let b = Array(s)
        let scale = max(1, b.reduce(0) { max($0, abs($1)) })
        var worst = 0.0
        for r in 0..<k { for c in (r + 1)..<k { worst = max(worst, abs(b[r * k + c] - b[c * k + r])) } }
        return worst / scale
    }
}
