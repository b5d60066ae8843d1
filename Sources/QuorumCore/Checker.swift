import Foundation

/// What `quorum check` runs, as one call with one result: the explorer over every reachable
/// state, then the temporal checker over the state graph for the temporal properties selected
/// (unless the explorer already found a violation and `continueAfterViolation` is off).
///
/// ```swift
/// let result = Checker(Raft(maxLogLength: 0)).run()
/// try result.expectNoViolation()   // invariants, step properties, temporal properties checked by default
/// ```
public struct Checker<System: TransitionSystem> {
    public let system: System
    public var options: ExplorationOptions

    @inlinable public init(_ system: System, options: ExplorationOptions = ExplorationOptions()) {
        self.system = system
        self.options = options
    }

    /// The temporal properties a run checks: those named in `options.properties`, else those
    /// checked by default.
    @inlinable public var temporalProperties: [TemporalProperty<System.State, System.Action>] {
        system.temporalProperties.filter { options.properties?.contains($0.name) ?? $0.byDefault }
    }

    @inlinable public func run() -> CheckResult<System> {
        let exploration = Explorer(system, options: options).run()
        var result = CheckResult(exploration: exploration, temporal: nil)
        let temporal = temporalProperties
        guard options.checkTemporal, options.exchange == nil, !temporal.isEmpty, exploration.outcome != .violation || options.continueAfterViolation else {
            return result
        }
        let remaining = options.timeout.map { max(0.001, $0 - exploration.seconds) }
        result.temporal = TemporalChecker(system, properties: temporal, maxStates: options.maxStates, timeout: remaining,
                                          boundedFairness: options.boundedFairness, memoryBudget: options.memoryBudget).run()
        return result
    }
}

/// The explorer's result and, when temporal properties were checked, the temporal checker's.
public struct CheckResult<System: TransitionSystem>: Sendable {
    public var exploration: ExplorationResult<System>
    /// Nil when no temporal property was checked.
    public var temporal: TemporalResult<System>?

    @inlinable init(exploration: ExplorationResult<System>, temporal: TemporalResult<System>?) {
        self.exploration = exploration
        self.temporal = temporal
    }

    /// Every violation found: the explorer's, then the temporal checker's.
    public var violations: [Violation<System>] { exploration.violations + (temporal?.violations ?? []) }

    /// A violation if either found one; otherwise incomplete if either stopped early.
    public var outcome: ExplorationResult<System>.Outcome {
        if !violations.isEmpty { return .violation }
        if case .incomplete = exploration.outcome { return exploration.outcome }
        if let reason = temporal?.incomplete { return .incomplete(reason: "temporal properties: " + reason) }
        return .ok
    }

    /// Throws, with the trace in the message, if a property fails within the bounds, or if the
    /// check stopped before it saw every state (an incomplete check proves nothing).
    public func expectNoViolation() throws {
        if let v = violations.first { throw PropertyViolation(v) }
        if case .incomplete(let reason) = outcome { throw PropertyViolation(description: "the check is incomplete: \(reason)") }
    }
}
