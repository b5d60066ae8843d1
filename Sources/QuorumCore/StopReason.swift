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

    /// The reason as the word ranks exchange each batch (0: none), for the limits one rank may
    /// reach alone; `--max-states` is decided from shared counts and has none. The highest word
    /// among the ranks wins, so every rank stops for the same reason: memory before an
    /// interruption before the clock.
    @usableFromInline var rankWord: UInt64 {
        switch self {
        case .timeout: 1
        case .interrupted: 2
        case .memory: 3
        case .maxStates: 0
        }
    }

    /// The reason a rank word stands for, with this run's limits; nil for 0.
    @usableFromInline init?(rankWord: UInt64, timeout: Double?, memory: Int?) {
        switch rankWord {
        case 1: self = .timeout(timeout)
        case 2: self = .interrupted
        case 3: self = .memory(memory ?? 0)
        default: return nil
        }
    }

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
