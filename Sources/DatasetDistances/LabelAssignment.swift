import LabeledData
import OptimalTransport
import WoWCompute

/// Label assignment after a flow by optimal transport between classes (Bonet, Vauthier &
/// Korba 2025, section 6): a flow moves each class as a whole but may land it on any
/// target class (classes can swap), so each flowed class is given the label of the
/// target class it is matched to.
///
///     D_ck = W_2^2(flowed class c, target class k)          (C x K, `LabelDistance`)
///     C = K:  sigma = argmin_{permutation} sum_c D_{c, sigma(c)}   (`LinearAssignment`)
///     C != K: Gamma = optimal coupling of the class weights for D (network simplex),
///             sigma(c) = argmax_k Gamma_ck
///
/// The `C = K` case is the `C x C` assignment problem of the paper (a bijection, and the
/// exact OT problem between uniform class weights); with different class counts several
/// flowed classes may share a target class.
///
/// ```swift
/// let matching = try LabelAssignment(flowed: result.state, target: target)
/// let labelled = try matching.relabeled(result.state, target: target)
/// ```
///
/// - Complexity: `C K` exact class-to-class problems, then `O(C^3)` for the assignment.
public struct LabelAssignment: Sendable, Equatable {
    /// `mapping[c]` is the target class given to flowed class `c`.
    public let mapping: [Int]
    /// `C x K`: the squared class distances `D_ck` the matching minimised.
    public let classCosts: CostMatrix
    /// The matching's cost: `(1/C) sum_c D_{c, sigma(c)}` when `C = K` (the OT cost with
    /// uniform class weights), the optimal `<Gamma, D>` otherwise.
    public let cost: Double

    /// Matches the classes of `flowed` to those of `target`.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for different feature
    ///   dimensions, `.invalidParameter` for a bad `labelDistance`, the solvers'
    ///   `OptimalTransportError`.
    public init(flowed: LabeledDataset, target: LabeledDataset, labelDistance: LabelDistance = .exact) throws {
        guard flowed.dimension == target.dimension else {
            throw DatasetDistanceError.dimensionMismatch(source: flowed.dimension, target: target.dimension)
        }
        let costs = try labelDistance.squaredDistances(from: flowed.classes, to: target.classes)
        let C = flowed.classCount, K = target.classCount
        if C == K {
            let assignment = try LinearAssignment.solve(costs)
            mapping = assignment.assignment
            cost = assignment.cost / Double(C)
        } else {
            let problem = try TransportProblem(cost: costs, sourceWeights: flowed.classWeights, targetWeights: target.classWeights)
            let output = try ExactSolver().solve(problem)
            var best = [(mass: Double, target: Int)](repeating: (-1, 0), count: C)
            for e in output.plan.nonzeroEntries where e.mass > best[e.source].mass { best[e.source] = (e.mass, e.target) }
            mapping = best.map(\.target)
            cost = output.cost
        }
        classCosts = costs
    }

    /// `flowed` with each class named after its matched target class
    /// (`labels[c] = target.labels[mapping[c]]`); points and weights unchanged.
    ///
    /// The classes keep their order, so `LabeledSamples(_:featureShape:)` would number
    /// them 0, 1, ... again: to save them with the target's labels, use
    /// `LabeledSamples(_:featureShape:classNames:)` with the target samples' class names.
    ///
    /// - Throws: `DatasetDistanceError.invalidParameter` unless `flowed` and `target`
    ///   have the class counts the matching was computed for.
    public func relabeled(_ flowed: LabeledDataset, target: LabeledDataset) throws -> LabeledDataset {
        guard target.classCount == classCosts.columns else {
            throw DatasetDistanceError.invalidParameter("the matching is for a target of \(classCosts.columns) classes, not \(target.classCount)")
        }
        return try flowed.relabeled(by: mapping, toClassesOf: target)
    }
}
