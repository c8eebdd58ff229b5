import LabeledData
import OptimalTransport
import WoWCompute

/// How the squared 2-Wasserstein distance between two classes (two "label
/// distributions", each the empirical measure of one class's features) is computed.
///
/// - `exact`: `W_2^2(mu, nu)` by exact optimal transport between the class point clouds
///   (squared Euclidean cost, network simplex). Identical classes get exactly 0.
/// - `gaussian`: the Bures-Wasserstein distance between the Gaussian fits `N(m, S)` of
///   the classes (weighted mean, maximum-likelihood covariance, `GaussianSummary`),
///
///       BW^2 = |m1 - m2|^2 + tr S1 + tr S2 - 2 tr (S1^{1/2} S2 S1^{1/2})^{1/2},
///
///   optionally after projecting every class onto the top `components` principal axes
///   of all the points of both datasets (OTDD's cheap mode; Alvarez-Melis & Fusi 2020,
///   section 4). It equals the exact `W_2^2` when the classes are Gaussian (in the
///   limit of many samples) and is a lower bound of it in general (Gelbrich 1990).
///   `ridge` is added to singular covariances (see `GaussianSummary`).
///
/// Both are symmetric and vanish on identical classes. Values are *squared* distances.
public enum LabelDistance: Sendable, Equatable {
    case exact
    case gaussian(components: Int? = nil, ridge: Double = GaussianSummary.defaultRidge)

    /// Checks the configuration.
    ///
    /// - Throws: `DatasetDistanceError.invalidParameter` for `components < 1` or a ridge
    ///   that is not positive and finite.
    public func validate() throws {
        guard case let .gaussian(components, ridge) = self else { return }
        if let components, components < 1 {
            throw DatasetDistanceError.invalidParameter("the number of PCA components must be at least 1, got \(components)")
        }
        guard ridge > 0, ridge.isFinite else {
            throw DatasetDistanceError.invalidParameter("the covariance ridge must be positive and finite, got \(ridge)")
        }
    }

    /// The `C x K` matrix of squared label distances `D_ck = W_2^2(mu_c, nu_k)` between
    /// the classes of `source` (rows) and of `target` (columns).
    ///
    /// Pairs are solved in parallel, one task per pair; every entry depends on its pair
    /// only, so the matrix is bitwise identical for every thread count.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for different feature
    ///   dimensions (or `components > d`), `.invalidParameter` for a bad configuration,
    ///   the solvers' `OptimalTransportError`.
    /// - Complexity: exact: per pair `O(n m d)` for the costs plus the network simplex;
    ///   Gaussian: `O(N d^2 + d^3)` for the PCA, `O(n_c k^2)` per fit and `O(k^3)` per
    ///   pair in the `k`-dimensional (projected) space.
    public func squaredDistances(from source: [EmpiricalMeasure], to target: [EmpiricalMeasure]) throws -> CostMatrix {
        try validate()
        guard let first = source.first, !target.isEmpty else {
            throw DatasetDistanceError.invalidParameter("both sides need at least one class")
        }
        let d = first.dimension
        for measure in source + target where measure.dimension != d {
            throw DatasetDistanceError.dimensionMismatch(source: d, target: measure.dimension)
        }
        let C = source.count, K = target.count
        var results = [Result<Double, Error>?](repeating: nil, count: C * K)
        switch self {
        case .exact:
            let solver = ExactSolver()
            results.withUnsafeMutableBufferPointer { out in
                let out = out
                Parallel.forEach(chunks: C * K) { index in
                    let mu = source[index / K], nu = target[index % K]
                    out[index] = Result {
                        if mu == nu { return 0 }
                        return max(0, try solver.solve(TransportProblem(source: mu, target: nu)).cost)
                    }
                }
            }
        case let .gaussian(components, ridge):
            let (sourceFits, targetFits) = try Self.gaussianFits(source, target, components: components, ridge: ridge)
            results.withUnsafeMutableBufferPointer { out in
                let out = out
                Parallel.forEach(chunks: C * K) { index in
                    let c = index / K, k = index % K
                    out[index] = Result {
                        if source[c] == target[k] { return 0 }
                        return try BuresWasserstein.squaredDistance(sourceFits[c], targetFits[k])
                    }
                }
            }
        }
        return try CostMatrix(rows: C, columns: K, values: results.map { try $0!.get() })
    }

    /// Gaussian fits of every class, after the optional PCA fitted on all points of both
    /// sides (uniform weights over points).
    static func gaussianFits(_ source: [EmpiricalMeasure], _ target: [EmpiricalMeasure], components: Int?,
                             ridge: Double) throws -> ([GaussianSummary], [GaussianSummary]) {
        var classes = source + target
        if let components {
            let d = source[0].dimension
            guard components <= d else {
                throw DatasetDistanceError.invalidParameter("cannot keep \(components) PCA components of \(d)-dimensional features")
            }
            var pooled = [Float]()
            pooled.reserveCapacity(classes.reduce(0) { $0 + $1.count } * d)
            for measure in classes { pooled.append(contentsOf: measure.points.storage) }
            let points = try Matrix(rows: pooled.count / d, columns: d, storage: pooled)
            let pca = try PrincipalComponents(fitting: points, components: components)
            classes = try classes.map { try EmpiricalMeasure(points: pca.project($0.points), weights: $0.weights) }
        }
        let fits = try classes.map { try GaussianSummary(fitting: $0, ridge: ridge) }
        return (Array(fits[..<source.count]), Array(fits[source.count...]))
    }
}
