import LabeledData
import OptimalTransport
import WoWCompute

/// Label assignment after a flow by a 1-nearest-neighbour majority vote, the alternative
/// to `LabelAssignment` in the reference code (Bonet, Vauthier & Korba 2025): every point
/// of a flowed class takes the class of its nearest target point (squared Euclidean
/// distance, all target points pooled), and the class is given the most frequent one.
///
///     votes_ck = #{ x in flowed class c : nearest target point of x lies in class k }
///     mapping[c] = argmax_k votes_ck
///
/// Ties go to the tied class whose voters are nearest in total, then to the smaller index.
/// Unlike the OT assignment, two flowed classes may receive the same label.
///
/// - Complexity: `O(N M d)` (one GEMM-backed distance block per flowed class), `O(M d)`
///   memory per block row.
public struct NearestNeighborVote: Sendable, Equatable {
    /// `mapping[c]` is the target class given to flowed class `c`.
    public let mapping: [Int]
    /// `C x K` vote counts.
    public let votes: [[Int]]

    /// The fraction of the points of class `c` that voted for `mapping[c]`.
    public func agreement(ofClass c: Int) -> Double {
        Double(votes[c][mapping[c]]) / Double(votes[c].reduce(0, +))
    }

    /// Votes every flowed class onto the classes of `target`.
    ///
    /// - Throws: `DatasetDistanceError.dimensionMismatch` for different feature dimensions.
    public init(flowed: LabeledDataset, target: LabeledDataset) throws {
        guard flowed.dimension == target.dimension else {
            throw DatasetDistanceError.dimensionMismatch(source: flowed.dimension, target: target.dimension)
        }
        let pooled = try StackedSamples(target)
        let K = target.classCount, m = pooled.points.rows
        var votes = [[Int]]()
        var mapping = [Int]()
        for measure in flowed.classes {
            let costs = try SquaredEuclidean.costMatrix(measure.points, pooled.points).values
            var counts = [Int](repeating: 0, count: K)
            var distances = [Double](repeating: 0, count: K)
            for i in 0..<measure.count {
                var best = 0
                for j in 1..<max(m, 1) where costs[i * m + j] < costs[i * m + best] { best = j }
                counts[pooled.classOf[best]] += 1
                distances[pooled.classOf[best]] += costs[i * m + best]
            }
            let winner = (0..<K).min { (-counts[$0], distances[$0], $0) < (-counts[$1], distances[$1], $1) }!
            votes.append(counts)
            mapping.append(winner)
        }
        self.mapping = mapping
        self.votes = votes
    }

    /// `flowed` with each class named after the target class it voted for
    /// (`labels[c] = target.labels[mapping[c]]`); see `LabelAssignment.relabeled`.
    ///
    /// - Throws: `DatasetDistanceError.invalidParameter` unless `flowed` has the classes
    ///   the vote was taken for and `target` every voted class.
    public func relabeled(_ flowed: LabeledDataset, target: LabeledDataset) throws -> LabeledDataset {
        try flowed.relabeled(by: mapping, toClassesOf: target)
    }
}
