import Foundation

/// A circle in the plane: one class of the rings experiment's target (Figure 1 of
/// Bonet, Vauthier & Korba 2025).
public struct Ring: Sendable, Equatable {
    /// The centre.
    public var centreX: Double, centreY: Double
    /// The radius (positive).
    public var radius: Double

    public init(centreX: Double, centreY: Double, radius: Double) {
        self.centreX = centreX
        self.centreY = centreY
        self.radius = radius
    }
}

/// Why a ring fit was refused, or why a dataset failed its ring check.
public enum RingFitError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Rings, a tolerance or a dataset the fit cannot use.
    case invalidInput(String)
    /// `RingFit.check()`: the classes that are not on a ring of their own, one line each.
    case notOnRings([String])

    public var description: String {
        switch self {
        case let .invalidInput(problem):
            return "cannot fit rings: \(problem)"
        case let .notOnRings(problems):
            return "ring check failed: " + problems.joined(separator: "; ")
        }
    }
}

/// How close every class of a 2-D dataset lies to a set of target rings: the honest
/// summary of the rings experiment, which tells a flow that landed every class on a ring
/// from one that did not move.
///
/// For class `c` (points `x_i`, weights `w_i`) and ring `k` (centre `o_k`, radius `r_k`):
///
///     distance to ring k       D_ck = sum_i w_i | |x_i - o_k| - r_k |
///     the class's ring         k(c) = argmin_k D_ck       (ties: the smaller index)
///     centre offset            O_c  = | sum_i w_i x_i - o_k(c) |
///
/// The class is **on its ring** when `D <= tolerance * r` and `O <= tolerance * r`. The
/// first bound catches points off the circle; the second a class bunched on one side of
/// it (the rings' source blob touches the first ring: `D` is tiny but `O` is the radius).
/// The default tolerance, `0.15` (0.045 for the paper's radius 0.3), leaves room for the
/// jitter of a converged Riesz flow (`wow rings`, seeds 0-3: `D` at most 0.019, `O` at
/// most 0.0074) and none for a class that did not go around its ring (`--steps 0`: `O`
/// about 0.3; 20 steps: `D` 0.15-0.23).
///
/// The check (`check()`, `problems`) also fails when two classes share a ring: a target
/// of one class per ring is only reached with one class on each.
///
/// - Complexity: `O(n K)` for `n` points and `K` rings.
public struct RingFit: Sendable, Equatable {
    /// One class's fit.
    public struct ClassFit: Sendable, Equatable {
        /// The index of the nearest ring, `k(c)`.
        public let ring: Int
        /// `D`: the mean distance of the points to that ring (the circle).
        public let meanDistanceToRing: Double
        /// The mean distance of the points to the ring's centre.
        public let meanDistanceToCentre: Double
        /// The standard deviation of the points' distances to the centre.
        public let spread: Double
        /// `O`: the distance from the class's mean to the ring's centre.
        public let centreOffset: Double
        /// Both `D` and `O` within the tolerance times the radius.
        public let isOnRing: Bool
    }

    /// The default tolerance, relative to each ring's radius.
    public static let defaultTolerance = 0.15

    /// The rings.
    public let rings: [Ring]
    /// The tolerance, relative to the radius.
    public let tolerance: Double
    /// One fit per class, in class order.
    public let classes: [ClassFit]

    /// Fits every class of `dataset` to its nearest ring.
    ///
    /// - Throws: `RingFitError.invalidInput` for points not in 2-D, no rings, a radius or
    ///   centre that is not positive and finite, or a tolerance outside `(0, 1]`.
    public init(_ dataset: LabeledDataset, rings: [Ring], tolerance: Double = defaultTolerance) throws {
        guard dataset.dimension == 2 else {
            throw RingFitError.invalidInput("rings are fitted to points in the plane, not in dimension \(dataset.dimension)")
        }
        guard !rings.isEmpty else { throw RingFitError.invalidInput("no rings") }
        for (k, ring) in rings.enumerated() where !(ring.radius > 0 && ring.radius.isFinite && ring.centreX.isFinite && ring.centreY.isFinite) {
            throw RingFitError.invalidInput("ring \(k) needs a finite centre and a positive finite radius, got radius \(ring.radius)")
        }
        guard tolerance > 0, tolerance <= 1 else {
            throw RingFitError.invalidInput("the tolerance is relative to the radius and must lie in (0, 1], got \(tolerance)")
        }
        self.rings = rings
        self.tolerance = tolerance
        classes = dataset.classes.map { measure in
            let n = measure.count
            let weight = { (i: Int) in Double(measure.weights?[i] ?? 1 / Float(n)) }
            func radius(_ i: Int, _ ring: Ring) -> Double {
                hypot(Double(measure.points[i, 0]) - ring.centreX, Double(measure.points[i, 1]) - ring.centreY)
            }
            let offRing = rings.map { ring in (0..<n).reduce(0.0) { $0 + weight($1) * abs(radius($1, ring) - ring.radius) } }
            let k = offRing.indices.min { (offRing[$0], $0) < (offRing[$1], $1) }!
            let ring = rings[k]
            let meanRadius = (0..<n).reduce(0.0) { $0 + weight($1) * radius($1, ring) }
            let variance = (0..<n).reduce(0.0) { $0 + weight($1) * (radius($1, ring) - meanRadius) * (radius($1, ring) - meanRadius) }
            let mean = measure.mean
            let offset = hypot(mean[0] - ring.centreX, mean[1] - ring.centreY)
            let bound = tolerance * ring.radius
            return ClassFit(ring: k, meanDistanceToRing: offRing[k], meanDistanceToCentre: meanRadius,
                            spread: max(0, variance).squareRoot(), centreOffset: offset,
                            isOnRing: offRing[k] <= bound && offset <= bound)
        }
    }

    /// What fails the check, one sentence each: every class not on its ring, and every
    /// ring with more than one class. Empty when the check passes.
    public var problems: [String] {
        var problems = [String]()
        for (c, fit) in classes.enumerated() where !fit.isOnRing {
            let ring = rings[fit.ring], bound = tolerance * ring.radius
            var reasons = [String]()
            if fit.meanDistanceToRing > bound {
                reasons.append(String(format: "its points lie %.4g from it on average", fit.meanDistanceToRing))
            }
            if fit.centreOffset > bound {
                reasons.append(String(format: "its mean lies %.4g from the centre (the class does not go around the ring)", fit.centreOffset))
            }
            problems.append(String(format: "class %d is not on ring %d (radius %.4g): ", c, fit.ring, ring.radius)
                            + reasons.joined(separator: " and ")
                            + String(format: ", more than %.4g (%g%% of the radius)", bound, tolerance * 100))
        }
        for k in rings.indices {
            let sharing = classes.indices.filter { classes[$0].ring == k }
            if sharing.count > 1 {
                problems.append("classes \(sharing.map(String.init).joined(separator: ", ")) all lie nearest ring \(k)")
            }
        }
        return problems
    }

    /// `true` when every class is on a ring of its own.
    public var passed: Bool { problems.isEmpty }

    /// - Throws: `RingFitError.notOnRings` listing `problems` unless the check passes.
    public func check() throws {
        let problems = problems
        guard problems.isEmpty else { throw RingFitError.notOnRings(problems) }
    }
}
