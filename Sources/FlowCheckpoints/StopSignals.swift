import _WoWKernels

/// SIGINT and SIGTERM as a polite stop request for checkpointed flows: after `install()`,
/// the first such signal sets `requested` (the flow saves a checkpoint after its current
/// step and ends with `FlowInterrupted`); a second one ends the process at once with the
/// signal's default action.
///
/// The handler only sets an atomic flag (async-signal-safe, in C).
public enum StopSignals {
    /// Installs the handlers for SIGINT and SIGTERM (idempotent).
    public static func install() { wow_install_stop_handlers() }
    /// Whether a stop was requested since `install()` (or `reset()`).
    public static var requested: Bool { wow_stop_requested() != 0 }
    /// Restores the default actions of SIGINT and SIGTERM (after the checkpointed part of
    /// a run) and clears the request.
    public static func uninstall() { wow_uninstall_stop_handlers() }
    /// Clears the request.
    public static func reset() { wow_reset_stop_request() }
}
