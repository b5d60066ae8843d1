import Foundation

/// Limits and choices for one exhaustive exploration.
public struct ExplorationOptions: Sendable {
    /// Report every violated property (each with its own shortest trace) instead of stopping at
    /// the first.
    public var continueAfterViolation = false
    /// Report a state with no enabled action as a violation.
    public var checkDeadlock = false
    /// Stop with an incomplete result after this many distinct states.
    public var maxStates: Int? = nil
    /// Stop with an incomplete result after this many seconds.
    public var timeout: Double? = nil
    /// Only these properties are checked (nil: all of them).
    public var properties: Set<String>? = nil
    /// Called about once a second with the figures so far.
    public var progress: (@Sendable (ExplorationProgress) -> Void)? = nil

    public init() {}
}

public struct ExplorationProgress: Sendable {
    public let distinctStates: Int
    public let statesGenerated: Int
    public let queue: Int
    public let depth: Int
    public let seconds: Double
}

/// The figures of a run, with TLC's meanings.
public struct ExplorationResult<System: TransitionSystem>: Sendable {
    public enum Outcome: Sendable, Equatable {
        case ok
        case violation
        case incomplete(reason: String)
    }

    public var outcome: Outcome
    /// States stored: reachable and within the bounds.
    public var distinctStates: Int
    /// Initial states plus every successor computed, duplicates and out-of-bounds ones included.
    public var statesGenerated: Int
    /// The longest shortest path from an initial state, in steps (TLC prints this plus one as "depth").
    public var diameter: Int
    public var seconds: Double
    public var violations: [Violation<System>]
    /// TLC's optimistic estimate of the chance that two distinct states shared a fingerprint.
    public var collisionProbability: Double
    /// Bytes held by the visited set and the trace links at the end of the run.
    public var bytesPerState: Double

    public var statesPerSecond: Double { seconds > 0 ? Double(statesGenerated) / seconds : 0 }
}

/// How a stored state was reached: the id of its predecessor (or `root` for an initial state)
/// and the index of the action among those enabled there (or of the initial state).
private struct Link {
    var parent: UInt32
    var index: UInt32
    static let root = UInt32.max
}

/// Breadth-first, exhaustive exploration within a system's bounds.
///
/// The visited set holds fingerprints only; every stored state keeps a link to its predecessor and
/// the position of the action that reached it, and a counterexample is rebuilt by re-executing the
/// pure transition functions along those links. Breadth-first order makes each trace a shortest one.
public struct Explorer<System: TransitionSystem> {
    public let system: System
    public var options: ExplorationOptions

    public init(_ system: System, options: ExplorationOptions = ExplorationOptions()) {
        self.system = system
        self.options = options
    }

    public func run() -> ExplorationResult<System> {
        let start = Date()
        let selected = options.properties
        let invariants = system.invariants.filter { selected?.contains($0.name) ?? true }
        let actionProperties = system.actionProperties.filter { selected?.contains($0.name) ?? true }
        let checkDeadlock = options.checkDeadlock && (selected?.contains("Deadlock") ?? true)
        // Properties still worth checking; one that has failed keeps its first (shortest) trace.
        var liveInvariants = Array(invariants.indices)
        var liveActionProperties = Array(actionProperties.indices)
        var deadlockLive = checkDeadlock

        var visited = FingerprintSet()
        var links: [Link] = []
        var violations: [Violation<System>] = []
        var generated = 0
        var diameter = 0
        var stopReason: String? = nil

        var frontier: [(id: UInt32, state: System.State)] = []
        var next: [(id: UInt32, state: System.State)] = []
        var actions: [System.Action] = []
        var lastProgress = start.timeIntervalSinceReferenceDate
        var sinceClock = 0

        func done() -> Bool {
            if !violations.isEmpty && !options.continueAfterViolation { return true }
            return liveInvariants.isEmpty && liveActionProperties.isEmpty && !deadlockLive
                && !(invariants.isEmpty && actionProperties.isEmpty && !checkDeadlock)
        }

        func checkInvariants(_ state: System.State, reachedFrom parent: UInt32?, by action: System.Action?) {
            var i = 0
            while i < liveInvariants.count {
                let invariant = invariants[liveInvariants[i]]
                if invariant.holds(state) {
                    i += 1
                    continue
                }
                var trace = parent.map { rebuild($0) } ?? Trace(initial: state)
                if let action, parent != nil { trace.append(action, state) }
                violations.append(Violation(property: invariant.name, kind: .invariant, trace: trace))
                liveInvariants.remove(at: i)
            }
        }

        func rebuild(_ id: UInt32) -> Trace<System> {
            var path: [UInt32] = []
            var cursor = id
            while links[Int(cursor)].parent != Link.root {
                path.append(links[Int(cursor)].index)
                cursor = links[Int(cursor)].parent
            }
            var trace = Trace<System>(initial: system.initialStates[Int(links[Int(cursor)].index)])
            var state = trace.initial
            for index in path.reversed() {
                let action = system.enabledActions(in: state)[Int(index)]
                state = system.apply(action, to: state)
                trace.append(action, state)
            }
            return trace
        }

        for (index, state) in system.initialStates.enumerated() {
            generated += 1
            checkInvariants(state, reachedFrom: nil, by: nil)
            guard system.isWithinBounds(state), visited.insert(state.fingerprint) else { continue }
            let id = UInt32(links.count)
            links.append(Link(parent: Link.root, index: UInt32(index)))
            frontier.append((id, state))
        }

        var depth = 0
        explore: while !frontier.isEmpty && !done() {
            diameter = depth
            for (id, state) in frontier {
                actions.removeAll(keepingCapacity: true)
                system.enabledActions(in: state, into: &actions)
                if actions.isEmpty && deadlockLive {
                    violations.append(Violation(property: "Deadlock", kind: .deadlock, trace: rebuild(id)))
                    deadlockLive = false
                    if done() { break explore }
                }
                for (index, action) in actions.enumerated() {
                    let successor = system.apply(action, to: state)
                    generated += 1
                    var p = 0
                    while p < liveActionProperties.count {
                        let property = actionProperties[liveActionProperties[p]]
                        if property.holds(state, action, successor) {
                            p += 1
                            continue
                        }
                        var trace = rebuild(id)
                        trace.append(action, successor)
                        violations.append(Violation(property: property.name, kind: .actionProperty, trace: trace))
                        liveActionProperties.remove(at: p)
                    }
                    if !system.isWithinBounds(successor) {
                        checkInvariants(successor, reachedFrom: id, by: action)
                    } else if visited.insert(successor.fingerprint) {
                        let newID = UInt32(links.count)
                        links.append(Link(parent: id, index: UInt32(index)))
                        checkInvariants(successor, reachedFrom: id, by: action)
                        next.append((newID, successor))
                    }
                    if done() { break explore }
                }
                sinceClock += actions.count + 1
                if sinceClock >= 2048 {
                    sinceClock = 0
                    let now = Date().timeIntervalSinceReferenceDate
                    if let limit = options.maxStates, links.count >= limit {
                        stopReason = "reached --max-states \(limit)"
                        break explore
                    }
                    if let timeout = options.timeout, now - start.timeIntervalSinceReferenceDate >= timeout {
                        stopReason = "reached --timeout \(timeout) s"
                        break explore
                    }
                    if let progress = options.progress, now - lastProgress >= 1 {
                        lastProgress = now
                        progress(ExplorationProgress(
                            distinctStates: links.count, statesGenerated: generated,
                            queue: next.count, depth: depth + 1,
                            seconds: now - start.timeIntervalSinceReferenceDate))
                    }
                }
            }
            if !next.isEmpty { diameter = depth + 1 }
            swap(&frontier, &next)
            next.removeAll(keepingCapacity: true)
            depth += 1
        }

        let outcome: ExplorationResult<System>.Outcome
        if !violations.isEmpty {
            outcome = .violation
        } else if let stopReason {
            outcome = .incomplete(reason: stopReason)
        } else {
            outcome = .ok
        }
        let n = Double(links.count)
        let collision = n * Double(generated - links.count) / pow(2, 64)
        let bytes = Double(visited.bytes + links.capacity * MemoryLayout<Link>.stride)
        return ExplorationResult(
            outcome: outcome, distinctStates: links.count, statesGenerated: generated,
            diameter: diameter, seconds: Date().timeIntervalSince(start), violations: violations,
            collisionProbability: collision, bytesPerState: links.isEmpty ? 0 : bytes / n)
    }
}
