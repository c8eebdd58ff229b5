/// The eigendecomposition `A = Q diag(w) Q^T` of a real symmetric matrix, with
/// orthonormal `Q` and eigenvalues in ascending order.
///
/// Two classical stages (Golub & Van Loan, *Matrix Computations*, 4th ed., sections
/// 8.3.1 and 8.3.3):
/// 1. Householder tridiagonalisation `A = Q_1 T Q_1^T`: for each column a reflector
///    `H = I - 2 v v^T` zeroes the entries below the subdiagonal, and the trailing block is
///    updated by the symmetric rank-2 form `B - 2 (v q^T + q v^T)`, `q = B v - (v^T B v) v`;
///    `Q_1` is accumulated backwards.
/// 2. Implicit symmetric QR steps with the Wilkinson shift on `T`: a Givens rotation
///    started from the shifted first column, then bulge chasing down the unreduced block;
///    off-diagonal entries below `ulp * (|t_kk| + |t_k+1,k+1|)` are set to zero (deflation).
///    The rotations are applied to the rows of `Q^T` (contiguous memory).
///
/// Backward stable: the computed factors reconstruct `A` to a small multiple of
/// `ulp * |A|`, and `Q` is orthonormal to a similar accuracy, also for repeated
/// eigenvalues (whose eigenvectors are then any orthonormal basis of the eigenspace).
///
/// - Complexity: about `(4/3) d^3` flops for the reduction, `(4/3) d^3` to accumulate
///   `Q_1`, and about `6 d^3` for the QR steps with vectors.
public struct SymmetricEigendecomposition: Sendable {
    /// `d`.
    public let dimension: Int
    /// Eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// `Q`, row-major `d x d`: column `k` is the unit eigenvector of `eigenvalues[k]`.
    public let eigenvectors: [Double]

    /// Decomposes `matrix`.
    ///
    /// - Throws: `OptimalTransportError.iterationLimit` if the QR iteration does not
    ///   converge within `50 d` steps (not observed for finite input).
    public init(_ matrix: SymmetricMatrix) throws {
        let d = matrix.dimension
        dimension = d
        var a = matrix.storage
        var diagonal = [Double](repeating: 0, count: d)
        var offDiagonal = [Double](repeating: 0, count: max(d - 1, 0))
        // rowsOfQ holds Q^T: row k will end as the k-th eigenvector.
        var qt = [Double](repeating: 0, count: d * d)
        Self.tridiagonalize(&a, d, &diagonal, &offDiagonal, &qt)
        try Self.diagonalize(&diagonal, &offDiagonal, &qt, d)
        let order = (0..<d).sorted { (diagonal[$0], $0) < (diagonal[$1], $1) }
        eigenvalues = order.map { diagonal[$0] }
        var q = [Double](repeating: 0, count: d * d)
        for (column, k) in order.enumerated() {
            for i in 0..<d { q[i * d + column] = qt[k * d + i] }
        }
        eigenvectors = q
    }

    /// The decomposition of `A + shift I` (same eigenvectors).
    func shifted(by shift: Double) -> SymmetricEigendecomposition {
        SymmetricEigendecomposition(dimension: dimension, eigenvalues: eigenvalues.map { $0 + shift }, eigenvectors: eigenvectors)
    }

    init(dimension: Int, eigenvalues: [Double], eigenvectors: [Double]) {
        self.dimension = dimension
        self.eigenvalues = eigenvalues
        self.eigenvectors = eigenvectors
    }

    /// The unit eigenvector of `eigenvalues[k]`.
    public func eigenvector(_ k: Int) -> [Double] {
        (0..<dimension).map { eigenvectors[$0 * dimension + k] }
    }

    /// `Q diag(f(w)) Q^T`: a spectral function of the matrix (square root, inverse square
    /// root, ...).
    ///
    /// - Complexity: O(d^3).
    public func mapping(_ f: (Double) -> Double) -> SymmetricMatrix {
        let d = dimension
        let fw = eigenvalues.map(f)
        // Rows of Q^T scaled by f(w): out_ij = sum_k Q_ik f(w_k) Q_jk, accumulated as
        // rank-one updates f(w_k) q_k q_k^T over the upper triangle (contiguous rows).
        var qt = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for k in 0..<d { qt[k * d + i] = eigenvectors[i * d + k] } }
        var out = [Double](repeating: 0, count: d * d)
        qt.withUnsafeBufferPointer { qb in
            out.withUnsafeMutableBufferPointer { ob in
                let q = qb.baseAddress!, o = ob.baseAddress!
                for k in 0..<d where fw[k] != 0 {
                    let v = q + k * d, scale = fw[k]
                    for i in 0..<d {
                        let vi = scale * v[i], row = o + i * d
                        for j in i..<d { row[j] += vi * v[j] }
                    }
                }
                for i in 0..<d { for j in 0..<i { o[i * d + j] = o[j * d + i] } }
            }
        }
        return SymmetricMatrix(symmetrizing: out, dimension: d)
    }

    /// `Q diag(w) Q^T`, which reconstructs the decomposed matrix.
    public func reconstructed() -> SymmetricMatrix { mapping { $0 } }

    // MARK: - Stage 1: Householder tridiagonalisation

    static func tridiagonalize(_ a: inout [Double], _ d: Int, _ diagonal: inout [Double], _ off: inout [Double], _ qt: inout [Double]) {
        var reflectors = [[Double]?](repeating: nil, count: d)
        a.withUnsafeMutableBufferPointer { ab in
            let a = ab.baseAddress!
            var p = [Double](repeating: 0, count: d)
            for k in 0..<max(d - 2, 0) {
                let len = d - k - 1
                let x = a + k * d + k + 1   // row k right of the diagonal = column k below it
                var tail = 0.0
                for r in 1..<len { tail += x[r] * x[r] }
                diagonal[k] = a[k * d + k]
                if tail == 0 {
                    off[k] = x[0]
                    continue
                }
                let norm = (x[0] * x[0] + tail).squareRoot()
                let alpha = x[0] >= 0 ? -norm : norm
                var v = (0..<len).map { x[$0] }
                v[0] -= alpha
                let vnorm = (v[0] * v[0] + tail).squareRoot()
                for r in 0..<len { v[r] /= vnorm }
                off[k] = alpha
                // Trailing block B = A[k+1..., k+1...]: B <- B - 2 (v q^T + q v^T).
                let base = (k + 1) * d + (k + 1)
                var kappa = 0.0
                for r in 0..<len {
                    let row = a + base + r * d
                    var s = 0.0
                    for c in 0..<len { s += row[c] * v[c] }
                    p[r] = s
                    kappa += v[r] * s
                }
                for r in 0..<len { p[r] -= kappa * v[r] }
                for r in 0..<len {
                    let row = a + base + r * d
                    let vr = 2 * v[r], pr = 2 * p[r]
                    for c in 0..<len { row[c] -= vr * p[c] + pr * v[c] }
                }
                reflectors[k] = v
            }
            if d >= 2 {
                diagonal[d - 2] = a[(d - 2) * d + d - 2]
                off[d - 2] = a[(d - 2) * d + d - 1]
            }
            diagonal[d - 1] = a[(d - 1) * d + d - 1]
        }
        // Backward accumulation of Q = H_0 H_1 ... H_{d-3}, then store Q^T.
        var q = [Double](repeating: 0, count: d * d)
        for i in 0..<d { q[i * d + i] = 1 }
        q.withUnsafeMutableBufferPointer { qb in
            let q = qb.baseAddress!
            var w = [Double](repeating: 0, count: d)
            for k in stride(from: d - 3, through: 0, by: -1) {
                guard let v = reflectors[k] else { continue }
                let len = d - k - 1, base = (k + 1) * d + (k + 1)
                // w^T = v^T Q_sub; Q_sub -= 2 v w^T.
                for c in 0..<len { w[c] = 0 }
                for r in 0..<len {
                    let row = q + base + r * d, vr = v[r]
                    for c in 0..<len { w[c] += vr * row[c] }
                }
                for r in 0..<len {
                    let row = q + base + r * d, vr = 2 * v[r]
                    for c in 0..<len { row[c] -= vr * w[c] }
                }
            }
        }
        for i in 0..<d { for j in 0..<d { qt[j * d + i] = q[i * d + j] } }
    }

    // MARK: - Stage 2: implicit symmetric QR with Wilkinson shifts

    static func diagonalize(_ t: inout [Double], _ e: inout [Double], _ qt: inout [Double], _ d: Int) throws {
        guard d > 1 else { return }
        let ulp = Double.ulpOfOne
        // Besides the usual relative test, an off-diagonal entry below ulp * |T| is
        // negligible: a cluster of eigenvalues near zero (a rank-deficient covariance)
        // otherwise keeps rounding noise of size ulp * |T| that never meets a test
        // relative to its own tiny diagonal, and the iteration stalls. The eigenvalues
        // stay accurate to ulp * |A|, as documented.
        var norm = 0.0
        for k in 0..<d { norm = max(norm, abs(t[k]) + (k < d - 1 ? abs(e[k]) : 0) + (k > 0 ? abs(e[k - 1]) : 0)) }
        let absoluteFloor = ulp * norm
        @inline(__always) func negligible(_ k: Int) -> Bool {
            abs(e[k]) <= ulp * (abs(t[k]) + abs(t[k + 1])) || abs(e[k]) <= absoluteFloor
                || abs(e[k]) < Double.leastNormalMagnitude
        }
        var hi = d - 1
        var steps = 0
        while hi > 0 {
            if negligible(hi - 1) { e[hi - 1] = 0; hi -= 1; continue }
            var lo = hi - 1
            while lo > 0 && !negligible(lo - 1) { lo -= 1 }
            if lo > 0 { e[lo - 1] = 0 }
            steps += 1
            if steps > 50 * d { throw OptimalTransportError.iterationLimit(solver: "symmetric QR eigenvalue iteration", limit: 50 * d) }
            // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to t[hi].
            let delta = (t[hi - 1] - t[hi]) / 2
            let b = e[hi - 1]
            let root = (delta * delta + b * b).squareRoot()
            let mu = t[hi] - b * b / (delta + (delta >= 0 ? root : -root))
            var x = t[lo] - mu, z = e[lo]
            try qt.withUnsafeMutableBufferPointer { qb in
                let q = qb.baseAddress!
                for k in lo..<hi {
                    let r = (x * x + z * z).squareRoot()
                    let c = r > 0 ? x / r : 1, s = r > 0 ? -z / r : 0
                    if k > lo { e[k - 1] = r }
                    let tk = t[k], tk1 = t[k + 1], ek = e[k]
                    let cc = c * c, ss = s * s, cs = c * s
                    t[k] = cc * tk - 2 * cs * ek + ss * tk1
                    t[k + 1] = ss * tk + 2 * cs * ek + cc * tk1
                    e[k] = cs * (tk - tk1) + (cc - ss) * ek
                    if k < hi - 1 {
                        z = -s * e[k + 1]
                        e[k + 1] *= c
                        x = e[k]
                    }
                    let rowK = q + k * d, rowK1 = q + (k + 1) * d
                    for j in 0..<d {
                        let u = rowK[j], w = rowK1[j]
                        rowK[j] = c * u - s * w
                        rowK1[j] = s * u + c * w
                    }
                }
                guard t[lo].isFinite, t[hi].isFinite else {
                    throw OptimalTransportError.numericalFailure("eigenvalue iteration produced non-finite values")
                }
            }
        }
    }
}
