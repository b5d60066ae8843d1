/// Entry points for a protocol's own tests:
///
/// ```swift
/// @Test func raftKeepsElectionSafety() async throws {
///     try await Quorum.simulate(Raft(servers: 5), runs: 2_000, seed: 7).expectNoViolation()
/// }
/// ```
public enum Quorum {
    /// Seeded random runs of `system`, checking every property (or those named) after every step.
    public static func simulate<System: TransitionSystem>(
        _ system: System, runs: Int = 1_000, depth: Int = 200, seed: UInt64 = 1, properties: Set<String>? = nil
    ) async -> SimulationResult<System> {
        var options = SimulationOptions()
        options.runs = runs
        options.depth = depth
        options.seed = seed
        options.properties = properties
        return Simulator(system, options: options).run()
    }

    /// Exhaustive exploration of `system` within its bounds: its invariants and step properties
    /// on every reachable state, and its temporal properties on the state graph (``Checker``).
    public static func check<System: TransitionSystem>(_ system: System, properties: Set<String>? = nil) async -> CheckResult<System> {
        var options = ExplorationOptions()
        options.properties = properties
        return Checker(system, options: options).run()
    }
}

/// A property that failed where a test expected none; the description carries the shrunk trace.
public struct PropertyViolation: Error, CustomStringConvertible {
    public let description: String
}

extension SimulationResult {
    /// Throws, with the shrunk trace in the message, if a run broke a property.
    public func expectNoViolation() throws {
        guard let failure else { return }
        throw PropertyViolation(description: "\(failure.property) (\(failure.kind.rawValue)) fails in run \(failure.run); "
            + "shrunk from \(failure.original.length) to \(failure.shrunk.length) steps:\n"
            + failure.shrunk.steps.enumerated().map { "  \($0.offset + 1). \($0.element.action)" }.joined(separator: "\n"))
    }
}

extension PropertyViolation {
    init<System>(_ v: Violation<System>) {
        description = "\(v.property) (\(v.kind.rawValue)) fails after \(v.trace.length) steps:\n"
            + v.trace.steps.enumerated().map { "  \($0.offset + 1). \($0.element.action)" }.joined(separator: "\n")
    }
}

extension ExplorationResult {
    /// Throws, with the trace in the message, if a property fails within the bounds.
    public func expectNoViolation() throws {
        if let v = violations.first { throw PropertyViolation(v) }
    }
}
