import WoWCompute

/// Principal component analysis: the top-`k` eigenvectors of the (weighted) covariance
/// of a point cloud, and the projection onto them. OTDD embeds labels by projecting the
/// points of every class onto the top principal components (2 in the paper's baselines)
/// before fitting class Gaussians.
///
/// Covariance `S = sum_i w_i (x_i - m)(x_i - m)^T` (weights `1/n` by default) from one
/// GEMM on the centred points; components from `SymmetricEigendecomposition`. Each
/// component's sign is fixed so that its largest-magnitude coordinate is positive, so the
/// result is deterministic.
///
/// - Complexity: O(n d^2) for the covariance, O(d^3) for the eigendecomposition.
public struct PrincipalComponents: Sendable {
    /// The mean `m` that is subtracted before projecting (length `d`).
    public let mean: [Float]
    /// `k x d`, orthonormal rows: the principal directions, by decreasing variance.
    public let components: Matrix
    /// The variance along each component (the top `k` eigenvalues, decreasing).
    public let variances: [Double]
    /// `tr S`, the total variance (so `variances.sum / totalVariance` is the fraction kept).
    public let totalVariance: Double

    /// Fits `k` components to the rows of `points`.
    ///
    /// - Parameters:
    ///   - points: `n x d`, finite.
    ///   - weights: `n` nonnegative weights summing to one (within 1e-6), or `nil` for `1/n`.
    ///   - count: `k`, `1 <= k <= d`.
    /// - Throws: `OptimalTransportError` for empty or non-finite points, bad weights or `k`
    ///   out of range.
    public init(fitting points: Matrix, weights: [Double]? = nil, components count: Int) throws {
        let n = points.rows, d = points.columns
        guard n > 0, d > 0 else { throw OptimalTransportError.empty("point cloud for PCA") }
        guard (1...d).contains(count) else {
            throw OptimalTransportError.invalidParameter("number of components must lie in 1...\(d), got \(count)")
        }
        guard points.isFinite else { throw OptimalTransportError.nonFiniteInput("points for PCA") }
        let w = try TransportProblem.normalized(weights, count: n, side: "point", tolerance: 1e-6)
        var mean = [Double](repeating: 0, count: d)
        points.withUnsafeBufferPointer { x in
            for i in 0..<n { for k in 0..<d { mean[k] += w[i] * Double(x[i * d + k]) } }
        }
        // Rows scaled by sqrt(w_i), so that Xw^T Xw is the weighted covariance.
        var scaled = points
        scaled.withUnsafeMutableBufferPointer { x in
            for i in 0..<n {
                let s = w[i].squareRoot()
                for k in 0..<d { x[i * d + k] = Float((Double(x[i * d + k]) - mean[k]) * s) }
            }
        }
        var gram = Matrix(rows: d, columns: d)
        gemm(.transposed, .none, scaled, scaled, into: &gram)
        let covariance = SymmetricMatrix(symmetrizing: gram.storage.map(Double.init), dimension: d)
        let spectrum = try SymmetricEigendecomposition(covariance)
        var rows = [Float]()
        rows.reserveCapacity(count * d)
        var variances = [Double]()
        for c in 0..<count {
            let k = d - 1 - c
            var v = spectrum.eigenvector(k)
            let pivot = v.indices.max { (abs(v[$0]), $1) < (abs(v[$1]), $0) }!
            if v[pivot] < 0 { v = v.map { -$0 } }
            rows.append(contentsOf: v.map { Float($0) })
            variances.append(max(0, spectrum.eigenvalues[k]))
        }
        self.mean = mean.map { Float($0) }
        self.components = try Matrix(rows: count, columns: d, storage: rows)
        self.variances = variances
        self.totalVariance = covariance.trace
    }

    /// `(x_i - m) W^T`: the coordinates of each row of `points` (`n x d`) along the
    /// components, `n x k`.
    ///
    /// - Throws: `OptimalTransportError.dimensionMismatch` when `points` has another `d`.
    public func project(_ points: Matrix) throws -> Matrix {
        let d = components.columns
        guard points.columns == d else {
            throw OptimalTransportError.dimensionMismatch(expected: d, found: points.columns, context: "point dimension for PCA projection")
        }
        var centred = points
        centred.withUnsafeMutableBufferPointer { x in
            for i in 0..<points.rows { for k in 0..<d { x[i * d + k] -= mean[k] } }
        }
        var out = Matrix(rows: points.rows, columns: components.rows)
        gemm(.none, .transposed, centred, components, into: &out)
        return out
    }

    /// `m + z W`: points (`n x d`) from their coordinates `z` (`n x k`).
    public func reconstruct(_ coordinates: Matrix) throws -> Matrix {
        guard coordinates.columns == components.rows else {
            throw OptimalTransportError.dimensionMismatch(expected: components.rows, found: coordinates.columns, context: "number of PCA coordinates")
        }
        var out = Matrix(rows: coordinates.rows, columns: components.columns)
        gemm(.none, .none, coordinates, components, into: &out)
        let d = components.columns
        out.withUnsafeMutableBufferPointer { x in
            for i in 0..<coordinates.rows { for k in 0..<d { x[i * d + k] += mean[k] } }
        }
        return out
    }
}
