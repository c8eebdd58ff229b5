import Baselines
import FlowGeometry
import Integrators
import LabeledData

/// Law checker for `Integrator` conformers:
/// - from rest, a zero gradient leaves the state unchanged (over three steps);
/// - with `firstStep`, one step from rest along its small gradient `g` lands on
///   `exp_x(d)` for the expected move `d` to first order: within `tolerance` times the
///   length of that move (`firstStep.distance` between the landing point and `x`). For the
///   gradient-descent steppers (`ExplicitEuler`, `GeodesicStep`, `Momentum`,
///   `ProductSpaceMomentum`) `d = -tau grad_R F(x)`, i.e. `x - tau g` on a flat state
///   (`IntegratorFirstStep.descent`); adaptive steppers name their own first move (AdamW's
///   is about `-lr sign(g)`).
///
/// - Parameters:
///   - makeIntegrator: a fresh integrator (at rest).
///   - zero: the zero tangent at `state`.
///   - firstStep: the first-step law to check as well (`nil`: the zero-gradient law only).
/// A step that throws is reported as a violation.
///
/// - Returns: a description of each violated law.
public func checkIntegratorLaws<I: Integrator>(
    _ makeIntegrator: () -> I, state: I.State, zero: I.State.Tangent,
    firstStep: IntegratorFirstStep<I.State>? = nil
) -> [String] where I.State: Equatable {
    var violations = [String]()
    var integrator = makeIntegrator()
    var moved = state
    do {
        for _ in 0..<3 { try integrator.step(&moved, gradient: zero) }
        if moved != state { violations.append("a zero gradient moved the state") }
    } catch {
        violations.append("a step along the zero gradient threw: \(error)")
    }

    if let law = firstStep {
        var stepper = makeIntegrator()
        var stepped = state
        do { try stepper.step(&stepped, gradient: law.gradient) } catch {
            return violations + ["the first step threw: \(error)"]
        }
        let move = law.expectedMove(state)
        if let reason = state.tangentMismatch(move) { return violations + ["the expected first move does not fit the state: \(reason)"] }
        var expected = state
        expected.move(along: move)
        let length = law.distance(expected, state)
        let miss = law.distance(stepped, expected)
        if !(length > 0) || !length.isFinite {
            violations.append("the expected first move has length \(length): the first-step law is vacuous")
        } else if !(miss <= law.tolerance * length) {
            violations.append("the first step from rest misses exp_x(expected move) by \(miss), \(miss / length) of the move's length \(length)")
        }
    }
    return violations
}

/// The first-step law of `checkIntegratorLaws`: from rest, one step along the small
/// gradient `gradient` lands on `exp_x(expectedMove(x))` to first order.
public struct IntegratorFirstStep<State: FlowManifold> {
    /// The gradient `g` handed to the first step.
    public var gradient: State.Tangent
    /// The tangent `d` the first step should move along, given the state `x`.
    public var expectedMove: (State) -> State.Tangent
    /// A distance between states (e.g. the largest coordinate difference).
    public var distance: (State, State) -> Double
    /// Allowed miss, relative to the length of the expected move.
    public var tolerance: Double

    /// A first step that should move along `expectedMove`.
    public init(gradient: State.Tangent, expectedMove: State.Tangent, tolerance: Double = 1e-3,
                distance: @escaping (State, State) -> Double) {
        self.gradient = gradient
        self.expectedMove = { _ in expectedMove }
        self.tolerance = tolerance
        self.distance = distance
    }

    /// Gradient descent from rest: `d = -tau grad_R F(x)` (`State.riemannianGradient`),
    /// so a flat state moves to `x - tau g`.
    public static func descent(gradient: State.Tangent, learningRate: Float, tolerance: Double = 1e-3,
                               distance: @escaping (State, State) -> Double) -> IntegratorFirstStep {
        var law = IntegratorFirstStep(gradient: gradient, expectedMove: gradient, tolerance: tolerance, distance: distance)
        law.expectedMove = { state in
            var move = state.riemannianGradient(gradient)
            move.scale(by: -learningRate)
            return move
        }
        return law
    }
}

extension IntegratorFirstStep where State == LabeledDataset {
    /// `descent` with the largest particle-coordinate difference as the distance.
    public static func descent(gradient: ParticleField, learningRate: Float, tolerance: Double = 1e-3) -> IntegratorFirstStep {
        descent(gradient: gradient, learningRate: learningRate, tolerance: tolerance, distance: largestCoordinateDifference)
    }
}

extension IntegratorFirstStep where State == GaussianLabeledSamples {
    /// `descent` with the largest difference of a feature, mean or covariance entry as the
    /// distance.
    public static func descent(gradient: GaussianLabeledTangent, learningRate: Float, tolerance: Double = 1e-3) -> IntegratorFirstStep {
        descent(gradient: gradient, learningRate: learningRate, tolerance: tolerance, distance: largestCoordinateDifference)
    }
}

/// The largest difference of one particle coordinate between two datasets of the same
/// shape (infinity when the shapes differ).
public func largestCoordinateDifference(_ a: LabeledDataset, _ b: LabeledDataset) -> Double {
    guard a.classes.count == b.classes.count else { return .infinity }
    var worst = 0.0
    for (x, y) in zip(a.classes, b.classes) {
        guard x.points.rows == y.points.rows, x.points.columns == y.points.columns else { return .infinity }
        for (p, q) in zip(x.points.storage, y.points.storage) { worst = max(worst, abs(Double(p) - Double(q))) }
    }
    return worst
}

/// The largest difference of one feature, mean or covariance entry between two product
/// states of the same shape (infinity when the shapes differ).
public func largestCoordinateDifference(_ a: GaussianLabeledSamples, _ b: GaussianLabeledSamples) -> Double {
    guard a.features.rows == b.features.rows, a.features.columns == b.features.columns,
          a.means.count == b.means.count, a.covariances.count == b.covariances.count else { return .infinity }
    var worst = 0.0
    for (p, q) in zip(a.features.storage, b.features.storage) { worst = max(worst, abs(Double(p) - Double(q))) }
    for (p, q) in zip(a.means, b.means) { worst = max(worst, abs(p - q)) }
    for (p, q) in zip(a.covariances, b.covariances) { worst = max(worst, abs(p - q)) }
    return worst
}
