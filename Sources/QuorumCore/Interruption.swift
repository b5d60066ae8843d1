import Synchronization

/// A request to stop, set from a signal handler (SIGINT, SIGTERM): the explorer, the liveness
/// graph and the simulator end as they would at a time limit, with the result "incomplete" and
/// the figures so far, so that the command line can still write its reports.
public enum Interruption {
    private static let flag = Atomic<Int32>(0)

    /// Asks every running check to stop; returns the signal recorded before, or 0. Safe in a
    /// signal handler (one atomic exchange).
    @discardableResult
    public static func request(signal: Int32) -> Int32 { flag.exchange(signal, ordering: .relaxed) }

    /// The signal that asked to stop, or 0.
    public static var signal: Int32 { flag.load(ordering: .relaxed) }

    public static var requested: Bool { signal != 0 }

    /// Why a check stopped, in the words of its result.
    public static var reason: String { "interrupted by \(signal == 15 ? "SIGTERM" : "SIGINT")" }
}
