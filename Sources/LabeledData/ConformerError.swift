/// A conformer (a kernel, functional or integrator, possibly from another package)
/// returned something the toolkit cannot use. The toolkit checks every result where it
/// comes back from a conformer, once per call, and refuses it with this error instead of
/// trapping or computing with it.
public enum ConformerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A result of the wrong count or shape, or a missing one.
    case malformed(conformer: String, reason: String)
    /// A NaN or infinite result at a finite input. `Flow.run` reports it as a
    /// `FlowDivergence` (keeping the last good state) with this as its cause.
    case nonFinite(conformer: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(conformer, reason): return "\(conformer) returned a malformed result: \(reason)"
        case let .nonFinite(conformer, reason): return "\(conformer) returned a non-finite result: \(reason)"
        }
    }

    /// The conformer's type name as the errors print it.
    public static func name<T>(of type: T.Type) -> String { String(reflecting: type) }
}
