import FlowGeometry

/// Law checker for `FlowManifold` (and `TangentVector`) conformers, at `state` with a
/// tangent `tangent` there:
/// - moving along `zero` leaves the state unchanged, and so does moving along
///   `riemannianGradient(zero)`;
/// - `move(along: t, scaledBy: s)` lands where scaling a copy of `t` by `s`, then
///   `move(along:)`, does (to `tolerance` times the move's length);
/// - `scale(by:adding:)` equals `scale(by:)` then `add(_:scaledBy: 1)`, bit for bit (its
///   documented rounding);
/// - `assign` makes a moved copy equal to the state again;
/// - `tangentMismatch` accepts `tangent` and `zero`, and rejects `mismatched` when given;
///   the state has no `shapeMismatch` with itself;
/// - the (finite) state reports `isFinite`.
///
/// - Parameter distance: a distance between states (e.g. `largestCoordinateDifference`).
/// - Returns: a description of each violated law.
public func checkFlowManifoldLaws<M: FlowManifold>(
    state: M, tangent: M.Tangent, zero: M.Tangent, mismatched: M.Tangent? = nil,
    tolerance: Double = 1e-5, distance: (M, M) -> Double
) -> [String] {
    var violations = [String]()
    if !state.isFinite { violations.append("the state does not report isFinite") }
    if let reason = state.tangentMismatch(tangent) { violations.append("tangentMismatch rejects the tangent: \(reason)") }
    if let reason = state.tangentMismatch(zero) { violations.append("tangentMismatch rejects the zero tangent: \(reason)") }
    if let mismatched, state.tangentMismatch(mismatched) == nil {
        violations.append("tangentMismatch accepts a tangent of another shape")
    }
    if let reason = state.shapeMismatch(state) { violations.append("the state has a shape mismatch with itself: \(reason)") }
    guard violations.isEmpty else { return violations }  // moving would break move(along:)'s precondition

    var still = state
    still.move(along: zero)
    if distance(still, state) != 0 { violations.append("moving along the zero tangent moved the state") }
    let convertedZero = state.riemannianGradient(zero)
    if let reason = state.tangentMismatch(convertedZero) {
        violations.append("riemannianGradient(zero) does not fit the state: \(reason)")
    } else {
        still = state
        still.move(along: convertedZero)
        if distance(still, state) != 0 { violations.append("moving along riemannianGradient(zero) moved the state") }
    }

    let factor: Float = -0.37
    var fused = state, separate = state, scaled = tangent
    fused.move(along: tangent, scaledBy: factor)
    scaled.scale(by: factor)
    separate.move(along: scaled)
    let length = distance(separate, state)
    if !(distance(fused, separate) <= tolerance * max(length, 1e-30)) {
        violations.append("move(along:scaledBy:) misses scale-then-move by \(distance(fused, separate)) (move length \(length))")
    }

    var oneStep = tangent, twoSteps = tangent
    oneStep.scale(by: 0.5, adding: zero.adding(tangent))
    twoSteps.scale(by: 0.5)
    twoSteps.add(zero.adding(tangent), scaledBy: 1)
    var a = state, b = state
    a.move(along: oneStep)
    b.move(along: twoSteps)
    if distance(a, b) != 0 { violations.append("scale(by:adding:) differs from scale(by:) then add(_:scaledBy: 1)") }

    var copy = state
    copy.move(along: tangent)
    copy.assign(state)
    if distance(copy, state) != 0 { violations.append("assign left the state \(distance(copy, state)) away from its argument") }
    return violations
}

extension TangentVector {
    /// `self + other`.
    fileprivate func adding(_ other: Self) -> Self {
        var sum = self
        sum.add(other, scaledBy: 1)
        return sum
    }
}
