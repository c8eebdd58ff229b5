import WoWCompute

/// The squared Euclidean ground cost `c(x, y) = |x - y|^2` between point clouds.
///
/// Two ways to build the `n x m` matrix from `X` (`n x d`) and `Y` (`m x d`):
/// - `.direct`: `C_ij = sum_k (x_ik - y_jk)^2` accumulated in `Double`; accurate to a few
///   ulps of `C_ij` whatever the offset of the clouds. `3 n m d` flops.
/// - `.gemm`: `C_ij = |x_i|^2 + |y_j|^2 - 2 x_i . y_j` with the cross term from the
///   packed `Float` GEMM, after both clouds are centred on the mean of their union (which
///   removes most of the cancellation), and clamped at 0. Absolute error about
///   `1e-7 (|x_i - c|^2 + |y_j - c|^2)`, `c` the common mean. `2 n m d` flops at GEMM speed.
/// - `.automatic` (default): `.direct` when `d <= 8` or `n m d <= 2^18` (small problems,
///   where accuracy is free), `.gemm` otherwise. The choice depends on the shapes only.
///
/// Work is split into chunks fixed by the shapes, so the matrix is bitwise identical for
/// every thread count.
public enum SquaredEuclidean {
    /// How the cost matrix is evaluated.
    public enum Evaluation: Sendable, Hashable {
        case automatic
        case direct
        case gemm
    }

    /// `C_ij = |x_i - y_j|^2` for the rows of `x` (`n x d`) and `y` (`m x d`).
    ///
    /// - Throws: `OptimalTransportError.empty` for no points, `.dimensionMismatch` when
    ///   the dimensions differ, `.nonFiniteInput` for NaN or infinite coordinates.
    /// - Complexity: O(n m d).
    public static func costMatrix(_ x: Matrix, _ y: Matrix, evaluation: Evaluation = .automatic) throws -> CostMatrix {
        guard x.rows > 0, y.rows > 0, x.columns > 0 else { throw OptimalTransportError.empty("point cloud") }
        guard x.columns == y.columns else {
            throw OptimalTransportError.dimensionMismatch(expected: x.columns, found: y.columns, context: "target point dimension")
        }
        guard x.isFinite else { throw OptimalTransportError.nonFiniteInput("source points") }
        guard y.isFinite else { throw OptimalTransportError.nonFiniteInput("target points") }
        let n = x.rows, m = y.rows, d = x.columns
        let useGEMM: Bool
        switch evaluation {
        case .direct: useGEMM = false
        case .gemm: useGEMM = true
        case .automatic: useGEMM = d > 8 && n * m * d > 1 << 18
        }
        let values = useGEMM ? viaGEMM(x, y) : direct(x, y)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            // Finite coordinates can still overflow when squared (|x| > 1e19).
            throw OptimalTransportError.nonFiniteCost(row: bad / m, column: bad % m)
        }
        return CostMatrix(validated: values, rows: n, columns: m)
    }

    /// Rows per parallel chunk (fixed: results must not depend on the thread count).
    static let rowChunk = 8

    static func direct(_ x: Matrix, _ y: Matrix) -> [Double] {
        let n = x.rows, m = y.rows, d = x.columns
        var values = [Double](repeating: 0, count: n * m)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                values.withUnsafeMutableBufferPointer { out in
                    let xp = xp.baseAddress!, yp = yp.baseAddress!, out = out.baseAddress!
                    Parallel.forEach(chunks: (n + rowChunk - 1) / rowChunk) { chunk in
                        for i in (chunk * rowChunk)..<min(n, (chunk + 1) * rowChunk) {
                            let xi = xp + i * d
                            for j in 0..<m {
                                let yj = yp + j * d
                                var s = 0.0
                                for k in 0..<d {
                                    let delta = Double(xi[k]) - Double(yj[k])
                                    s += delta * delta
                                }
                                out[i * m + j] = s
                            }
                        }
                    }
                }
            }
        }
        return values
    }

    static func viaGEMM(_ x: Matrix, _ y: Matrix) -> [Double] {
        let n = x.rows, m = y.rows, d = x.columns
        // Centre both clouds on the mean of their union (sums in Double, row by row).
        let centre = UnsafeMutablePointer<Double>.allocate(capacity: d)
        centre.initialize(repeating: 0, count: d)
        defer { centre.deallocate() }
        for cloud in [x, y] {
            cloud.withUnsafeBufferPointer { p in
                let p = p.baseAddress!
                for r in 0..<cloud.rows {
                    let row = p + r * d
                    for k in 0..<d { centre[k] += Double(row[k]) }
                }
            }
        }
        let c = UnsafeMutablePointer<Float>.allocate(capacity: d)
        defer { c.deallocate() }
        for k in 0..<d { c[k] = Float(centre[k] / Double(n + m)) }
        func centred(_ cloud: Matrix) -> (Matrix, [Double]) {
            var out = cloud
            var norms = [Double](repeating: 0, count: cloud.rows)
            out.withUnsafeMutableBufferPointer { p in
                norms.withUnsafeMutableBufferPointer { norms in
                    let p = p.baseAddress!
                    for r in 0..<cloud.rows {
                        let row = p + r * d
                        var s: Float = 0, t: Float = 0
                        var k = 0
                        while k + 2 <= d {
                            let v0 = row[k] - c[k], v1 = row[k + 1] - c[k + 1]
                            row[k] = v0; row[k + 1] = v1
                            s += v0 * v0; t += v1 * v1
                            k += 2
                        }
                        var rest = 0.0
                        if k < d { let v = row[k] - c[k]; row[k] = v; rest = Double(v) * Double(v) }
                        // Float partial sums of centred values (|error| ~ 1e-7 |x - c|^2, the
                        // same order as the GEMM's), combined in Double.
                        norms[r] = Double(s) + Double(t) + rest
                    }
                }
            }
            return (out, norms)
        }
        let (xc, nx) = centred(x)
        let (yc, ny) = centred(y)
        var cross = Matrix(rows: n, columns: m)
        gemm(.none, .transposed, xc, yc, into: &cross)
        var values = [Double](repeating: 0, count: n * m)
        cross.withUnsafeBufferPointer { g in
            values.withUnsafeMutableBufferPointer { out in
                nx.withUnsafeBufferPointer { nx in
                    ny.withUnsafeBufferPointer { ny in
                        let g = g.baseAddress!, out = out.baseAddress!, nx = nx.baseAddress!, ny = ny.baseAddress!
                        Parallel.forEach(chunks: (n + 63) / 64) { chunk in
                            for i in (chunk * 64)..<min(n, chunk * 64 + 64) {
                                let base = i * m, xi = nx[i]
                                for j in 0..<m { out[base + j] = max(0, xi + ny[j] - 2 * Double(g[base + j])) }
                            }
                        }
                    }
                }
            }
        }
        return values
    }

    /// The gradient of the transport cost `<P, C(X, Y)> = sum_ij P_ij |x_i - y_j|^2` with
    /// respect to the source points at a fixed plan `P`:
    ///
    ///     grad_{x_i} = sum_j P_ij 2 (x_i - y_j) = 2 (r_i x_i - (P Y)_i),   r_i = sum_j P_ij.
    ///
    /// By the envelope theorem this is the gradient of the optimal cost when `P` is the
    /// optimal plan: of the exact `W_2^2` (where the plan is unique), and of the entropic
    /// cost `<P, C> + eps KL(P | a b^T)` for the Sinkhorn plan. Dividing row `i` by the
    /// weight `a_i` gives the Wasserstein gradient `2 (x_i - T(x_i))`, `T` the
    /// barycentric projection.
    ///
    /// - Parameters:
    ///   - plan: `n x m`.
    ///   - source: `X`, `n x d`.
    ///   - target: `Y`, `m x d`.
    /// - Returns: `n x d`.
    /// - Throws: `OptimalTransportError.dimensionMismatch` for inconsistent shapes.
    /// - Complexity: O(nnz(P) d) for a sparse plan, one `n x m x d` GEMM for a dense one.
    public static func sourceGradient(plan: TransportPlan, source: Matrix, target: Matrix) throws -> Matrix {
        guard source.rows == plan.sourceCount else {
            throw OptimalTransportError.dimensionMismatch(expected: plan.sourceCount, found: source.rows, context: "source points for the plan")
        }
        guard source.columns == target.columns else {
            throw OptimalTransportError.dimensionMismatch(expected: source.columns, found: target.columns, context: "target point dimension")
        }
        var gradient = try plan.apply(to: target)   // P Y
        let rowMass = plan.sourceMarginal
        let d = source.columns
        source.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<source.rows {
                    let r = Float(rowMass[i])
                    for k in 0..<d { g[i * d + k] = 2 * (r * x[i * d + k] - g[i * d + k]) }
                }
            }
        }
        return gradient
    }
}
