import LabeledData
import WoWCompute

/// A kernel `K(mu, nu)` between two probability measures (two classes of a labeled
/// dataset), with its Wasserstein gradient in the first argument.
///
/// The single requirement evaluates a whole *batch* of pairs at once, so that a kernel can
/// share work across pairs: sliced kernels draw one set of `L` directions per batch,
/// project every measure once, and accumulate each measure's gradient in projected
/// space before one matrix product maps it back. Kernels that are not sliced (exact
/// `W_2` between classes, Bures-Wasserstein between class Gaussians) conform the same
/// way, typically by looping over the pairs.
///
/// For a pair `(i, j)` with weights `(w_i, w_j)`, the result holds the value
/// `K(mu_i, mu_j)` and adds `w_i * grad_W K(., mu_j)(mu_i)(x)` to the gradient of
/// measure `i` at each of its particles `x` (and `w_j * grad_W K(mu_i, .)(mu_j)(y)` to
/// measure `j`). Gradients are Wasserstein gradients: the particle derivative of the
/// value divided by the particle's weight.
///
/// Self-pairs: `MMD` needs `grad_W K(., mu)(mu)`, the gradient of the first argument at
/// a pair `(mu, mu)`. For kernels of a distance between measures (every sliced kernel, the
/// `W_2` and Bures-Wasserstein kernels) it is zero; for a kernel such as
/// `K(mu, nu) = <m_mu, m_nu>` on class means it is not. A kernel declares the first case
/// with `selfGradientVanishes`, and only then are self-pair gradients not requested.
///
/// Laws (checked for every conformer by `FlowLaws.checkMeasureKernelLaws`): symmetry,
/// Gram consistency with pairwise calls, both arguments' gradients equal to finite
/// differences (on distinct and on self-pairs) and linear in their batch weights,
/// recycling that keeps the bits, results of the requested counts and shapes, and, for
/// kernels that declare `selfGradientVanishes`, `grad K(., mu)(mu) = 0` (never NaN).
///
/// To add a kernel, conform to `SlicedKernel` (give the profile `phi` of the sliced
/// discrepancy) or to `PairwiseMeasureKernel` (give the value and gradient of one pair),
/// or implement `evaluate(_:recycling:using:)` directly. The protocol does not require
/// `Sendable` (a kernel may keep a class-based cache); a `Sendable` kernel makes `MMD`
/// and `Flow` `Sendable`.
public protocol MeasureKernel {
    /// Evaluates the kernel on every pair of `batch` and accumulates the requested
    /// gradients. Random choices (directions, levels) are drawn once per call from
    /// `generator`.
    ///
    /// Gradients may be written into recycled storage: when `recycling[i]` has the shape
    /// of measure `i`'s gradient, the kernel may overwrite it and return it as that
    /// gradient, so a flow that hands back its previous gradient allocates no fresh
    /// gradient storage per step. Entries are taken (left `nil` or unspecified); pass
    /// matrices no one else holds, or they are copied before being written (value
    /// semantics: a copy the caller kept never changes). A kernel with no use for the
    /// storage ignores `recycling`; the results must not depend on it.
    ///
    /// The result holds one value per pair, in order, and one entry per measure: an
    /// `n_i x d` gradient for every measure some pair asks a gradient of (`nil` allowed
    /// for the others). Callers in the toolkit check this (`checkedEvaluate`).
    ///
    /// - Throws: `KernelError` for measures of different dimensions, pair indices out of
    ///   range or invalid kernel parameters.
    func evaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult

    /// `true` when `grad_W K(., mu)(mu) = 0` for every measure `mu` (a kernel of a
    /// distance between measures, minimal at zero distance), so that callers may skip
    /// requesting self-pair gradients. Default: `false` (always correct, possibly slower).
    var selfGradientVanishes: Bool { get }
}

extension MeasureKernel {
    public var selfGradientVanishes: Bool { false }

    /// `evaluate(_:recycling:using:)` with nothing to recycle.
    public func evaluate(_ batch: KernelBatch, using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        var none = [Matrix?]()
        return try evaluate(batch, recycling: &none, using: &generator)
    }

    /// `evaluate(_:recycling:using:)`, with the result checked against the batch: one
    /// finite value per pair, and a finite `n_i x d` gradient for every measure a pair
    /// asks a gradient of (missing gradients of the others are fine; present ones must
    /// have the right shape).
    ///
    /// - Throws: `ConformerError.malformed` or `.nonFinite` naming this kernel's type, or
    ///   what `evaluate` throws.
    public func checkedEvaluate(
        _ batch: KernelBatch, recycling: inout [Matrix?], using generator: inout some RandomNumberGenerator
    ) throws -> KernelBatchResult {
        let result = try evaluate(batch, recycling: &recycling, using: &generator)
        try result.check(against: batch, kernel: ConformerError.name(of: Self.self))
        return result
    }

    /// `checkedEvaluate` with nothing to recycle.
    public func checkedEvaluate(_ batch: KernelBatch, using generator: inout some RandomNumberGenerator) throws -> KernelBatchResult {
        var none = [Matrix?]()
        return try checkedEvaluate(batch, recycling: &none, using: &generator)
    }
}

/// One kernel evaluation requested in a `KernelBatch`.
public struct KernelPair: Sendable, Hashable {
    /// Index of the first measure.
    public var first: Int
    /// Index of the second measure.
    public var second: Int
    /// Coefficient of `grad_W K(., mu_second)(mu_first)` in the gradient of `first`
    /// (0: not needed).
    public var firstGradientWeight: Double
    /// Coefficient of `grad_W K(mu_first, .)(mu_second)` in the gradient of `second`
    /// (0: not needed).
    public var secondGradientWeight: Double

    public init(_ first: Int, _ second: Int, firstGradientWeight: Double = 0, secondGradientWeight: Double = 0) {
        self.first = first
        self.second = second
        self.firstGradientWeight = firstGradientWeight
        self.secondGradientWeight = secondGradientWeight
    }
}

/// Measures and the pairs of them to evaluate in one call (sharing random choices).
public struct KernelBatch: Sendable {
    /// The measures; pairs refer to them by index.
    public var measures: [EmpiricalMeasure]
    /// The requested evaluations.
    public var pairs: [KernelPair]

    public init(measures: [EmpiricalMeasure], pairs: [KernelPair]) {
        self.measures = measures
        self.pairs = pairs
    }

    /// Checks indices, dimensions and weights; returns the common dimension.
    public func validate() throws -> Int {
        guard let d = measures.first?.dimension else { throw KernelError.emptyBatch }
        for (index, measure) in measures.enumerated() where measure.dimension != d {
            throw KernelError.dimensionMismatch(measure: index, expected: d, found: measure.dimension)
        }
        for pair in pairs {
            guard measures.indices.contains(pair.first), measures.indices.contains(pair.second) else {
                throw KernelError.pairOutOfRange(first: pair.first, second: pair.second, measures: measures.count)
            }
            guard pair.firstGradientWeight.isFinite, pair.secondGradientWeight.isFinite else {
                throw KernelError.invalidParameter("gradient weights must be finite")
            }
        }
        return d
    }

    /// `true` when some pair asks for the gradient of measure `index`.
    public func needsGradient(_ index: Int) -> Bool {
        pairs.contains {
            ($0.first == index && $0.firstGradientWeight != 0) || ($0.second == index && $0.secondGradientWeight != 0)
        }
    }
}

/// What `MeasureKernel.evaluate` returns.
public struct KernelBatchResult: Sendable {
    /// `K(mu_first, mu_second)` for each requested pair, in order.
    public var values: [Double]
    /// For each measure, the accumulated weighted Wasserstein gradient (`n x d`), or
    /// `nil` when no pair asked for it.
    public var gradients: [Matrix?]

    public init(values: [Double], gradients: [Matrix?]) {
        self.values = values
        self.gradients = gradients
    }

    /// What is wrong with this result as the answer to `batch` (counts, shapes, missing
    /// gradients, NaN or infinity), or `nil` when nothing is. `malformed` tells which kind
    /// of problem it is (`malformed`: a count or shape; otherwise NaN or infinity).
    public func problem(answering batch: KernelBatch) -> (reason: String, malformed: Bool)? {
        guard values.count == batch.pairs.count else {
            return ("\(values.count) values for \(batch.pairs.count) pairs", true)
        }
        guard gradients.count == batch.measures.count else {
            return ("\(gradients.count) gradient entries for \(batch.measures.count) measures", true)
        }
        for (index, measure) in batch.measures.enumerated() {
            guard let gradient = gradients[index] else {
                if batch.needsGradient(index) { return ("no gradient for measure \(index), which a pair asks for", true) }
                continue
            }
            if gradient.rows != measure.count || gradient.columns != measure.dimension {
                return ("the gradient of measure \(index) is \(gradient.rows) x \(gradient.columns), the measure is \(measure.count) x \(measure.dimension)", true)
            }
        }
        for (value, pair) in zip(values, batch.pairs) where !value.isFinite {
            return ("K(mu_\(pair.first), mu_\(pair.second)) = \(value)", false)
        }
        // One pass over all gradients, spread over the workers; the culprit is looked for
        // only when there is one.
        guard Matrix.allFinite(gradients.compactMap { $0 }) else {
            for (index, gradient) in gradients.enumerated() where gradient.map({ !$0.isFinite }) ?? false {
                return ("the gradient of measure \(index) holds NaN or infinity", false)
            }
            return nil
        }
        return nil
    }

    /// Throws `ConformerError` naming `kernel` when `problem(answering:)` finds one.
    public func check(against batch: KernelBatch, kernel: String) throws {
        guard let (reason, malformed) = problem(answering: batch) else { return }
        throw malformed ? ConformerError.malformed(conformer: kernel, reason: reason)
                     : ConformerError.nonFinite(conformer: kernel, reason: reason)
    }
}

/// Why a kernel evaluation was refused.
public enum KernelError: Error, CustomStringConvertible, Sendable, Equatable {
    case emptyBatch
    case dimensionMismatch(measure: Int, expected: Int, found: Int)
    case pairOutOfRange(first: Int, second: Int, measures: Int)
    /// A kernel parameter outside its domain (bandwidth <= 0, exponent outside (0, 2), ...).
    case invalidParameter(String)
    /// An estimator that cannot handle this input (e.g. non-uniform weights).
    case unsupported(String)

    public var description: String {
        switch self {
        case .emptyBatch: return "kernel batch has no measures"
        case let .dimensionMismatch(measure, expected, found):
            return "measure \(measure) has dimension \(found), expected \(expected)"
        case let .pairOutOfRange(first, second, measures):
            return "pair (\(first), \(second)) refers to a measure outside 0..<\(measures)"
        case let .invalidParameter(message): return "invalid kernel parameter: \(message)"
        case let .unsupported(message): return "unsupported: \(message)"
        }
    }
}

extension MeasureKernel {
    /// `K(mu, nu)`.
    public func value(_ mu: EmpiricalMeasure, _ nu: EmpiricalMeasure, using generator: inout some RandomNumberGenerator) throws -> Double {
        try checkedEvaluate(KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1)]), using: &generator).values[0]
    }

    /// The Wasserstein gradient `grad_W K(., nu)(mu)` at every particle of `mu`, `n x d`.
    public func gradient(of mu: EmpiricalMeasure, toward nu: EmpiricalMeasure, using generator: inout some RandomNumberGenerator) throws -> Matrix {
        let batch = KernelBatch(measures: [mu, nu], pairs: [KernelPair(0, 1, firstGradientWeight: 1)])
        let result = try checkedEvaluate(batch, using: &generator)
        guard let gradient = result.gradients[0] else {
            // Only when the first gradient weight is 0, which it is not here.
            throw ConformerError.malformed(conformer: ConformerError.name(of: Self.self), reason: "no gradient for measure 0")
        }
        return gradient
    }

    /// The Gram matrix `K(mu_i, mu_j)` of `measures`, from one batch (shared random
    /// choices), symmetric by construction of the request (upper triangle evaluated).
    public func gram(_ measures: [EmpiricalMeasure], using generator: inout some RandomNumberGenerator) throws -> [[Double]] {
        var pairs = [KernelPair]()
        for i in measures.indices { for j in i..<measures.count { pairs.append(KernelPair(i, j)) } }
        let values = try checkedEvaluate(KernelBatch(measures: measures, pairs: pairs), using: &generator).values
        var gram = [[Double]](repeating: [Double](repeating: 0, count: measures.count), count: measures.count)
        for (pair, value) in zip(pairs, values) {
            gram[pair.first][pair.second] = value
            gram[pair.second][pair.first] = value
        }
        return gram
    }
}
