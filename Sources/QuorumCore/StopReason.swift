/// Why an exploration ended before it saw every state: the limits every engine obeys, worded in
/// one place (`quorum` prints these, and exits 3).
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// `--max-states`.
    case maxStates(Int)
    /// `--memory`, in bytes; `fullStates` when the structure that filled it keeps whole states
    /// (the temporal checker's graph) rather than fingerprints.
    case memory(Int, fullStates: Bool = false)
    /// `--timeout`, in seconds when the engine knows them (it may only know the deadline).
    case timeout(Double?)
    /// SIGINT or SIGTERM (see ``Interruption``).
    case interrupted

    public var description: String {
        switch self {
        case .maxStates(let limit): "reached --max-states \(limit)"
        case .memory(let bytes, let fullStates): "reached --memory \(bytes) bytes" + (fullStates ? " (the liveness graph holds full states)" : "")
        case .timeout(let seconds?): "reached --timeout \(seconds) s"
        case .timeout(nil): "reached the --timeout"
        case .interrupted: Interruption.reason
        }
    }
}
