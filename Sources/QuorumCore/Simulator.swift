import Foundation

/// Limits and choices for randomized simulation.
public struct SimulationOptions: Sendable {
    public var runs = 1_000
    /// Steps per run, at most.
    public var depth = 100
    public var seed: UInt64 = 1
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Stop starting new runs after this many seconds.
    public var timeout: Double? = nil
    /// Only these properties are checked (nil: all of them).
    public var properties: Set<String>? = nil
    /// Swarm testing: each run draws its own weight for every kind of action, so that some runs
    /// crash servers often, some drop or duplicate heavily, and some run nearly fault-free.
    public var swarm = true
    /// Shrink a failing run to a locally minimal trace.
    public var shrink = true

    public init() {}
}

/// What a batch of random runs found.
public struct SimulationResult<System: TransitionSystem>: Sendable {
    public struct Failure: Sendable {
        /// The index of the failing run; the same seed, parameters and options reproduce it.
        public let run: Int
        public let property: String
        public let kind: PropertyKind
        public let original: Trace<System>
        public let shrunk: Trace<System>
    }

    public var runs: Int
    public var steps: Int
    public var seconds: Double
    /// Steps taken per kind of action, over all runs.
    public var coverage: [String: Int]
    /// The largest value of each of the spec's metrics seen in any state.
    public var deepest: [String: Int]
    /// The failing run with the smallest index, if any.
    public var failure: Failure?

    public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : 0 }
}

/// Random walks through a transition system, checking every property after every step.
///
/// Runs are independent and numbered; run `i` draws from `SeededGenerator(seed:run:)`, so results
/// do not depend on the number of workers: the failure reported is the failing run with the
/// smallest index, and every run before it has been executed.
public struct Simulator<System: TransitionSystem> {
    public let system: System
    public var options: SimulationOptions

    public init(_ system: System, options: SimulationOptions = SimulationOptions()) {
        self.system = system
        self.options = options
    }

    struct RunOutcome {
        var steps = 0
        var coverage: [String: Int] = [:]
        var deepest: [String: Int] = [:]
        var failure: (property: Int, trace: Trace<System>)? = nil
    }

    var invariants: [Invariant<System.State>] { system.invariants.filter { options.properties?.contains($0.name) ?? true } }
    var actionProperties: [ActionProperty<System.State, System.Action>] {
        system.actionProperties.filter { options.properties?.contains($0.name) ?? true }
    }

    public func run() -> SimulationResult<System> {
        let start = Date()
        let workers = max(1, min(options.workers, options.runs))
        let lock = NSLock()
        nonisolated(unsafe) var firstFailing = Int.max
        nonisolated(unsafe) var outcomes: [Int: RunOutcome] = [:]
        nonisolated(unsafe) var executed = 0
        let deadline = options.timeout.map { start.addingTimeInterval($0) }
        let runs = options.runs
        nonisolated(unsafe) let simulator = self

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < runs {
                let stop = lock.withLock { index > firstFailing }
                if stop { break }
                if let deadline, Date() >= deadline { break }
                let outcome = simulator.simulate(run: index)
                lock.withLock {
                    executed += 1
                    if outcome.failure != nil {
                        firstFailing = min(firstFailing, index)
                        outcomes[index] = outcome
                    } else {
                        outcomes[index] = RunOutcome(steps: outcome.steps, coverage: outcome.coverage, deepest: outcome.deepest)
                    }
                }
                index += workers
            }
        }

        var result = SimulationResult<System>(runs: 0, steps: 0, seconds: 0, coverage: [:], deepest: [:], failure: nil)
        for (index, outcome) in outcomes.sorted(by: { $0.key < $1.key }) where index <= firstFailing {
            result.runs += 1
            result.steps += outcome.steps
            for (name, count) in outcome.coverage { result.coverage[name, default: 0] += count }
            for (name, value) in outcome.deepest { result.deepest[name] = max(result.deepest[name] ?? value, value) }
        }
        if firstFailing != Int.max, let failed = outcomes[firstFailing]?.failure {
            let (name, kind) = describe(failed.property)
            let shrunk = options.shrink ? shrink(failed.trace, property: failed.property) : failed.trace
            result.failure = .init(run: firstFailing, property: name, kind: kind, original: failed.trace, shrunk: shrunk)
        }
        _ = executed
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    func describe(_ property: Int) -> (String, PropertyKind) {
        property < invariants.count ? (invariants[property].name, .invariant)
            : (actionProperties[property - invariants.count].name, .actionProperty)
    }

    /// One random walk.
    func simulate(run index: Int) -> RunOutcome {
        var rng = SeededGenerator(seed: options.seed, run: index)
        var outcome = RunOutcome()
        var weights: [String: Int] = [:]
        let initial = system.initialStates[rng.below(system.initialStates.count)]
        var trace = Trace<System>(initial: initial)
        var state = initial
        if let broken = firstBroken(state) {
            outcome.failure = (broken, trace)
            return outcome
        }
        var actions: [System.Action] = []
        var kinds: [(name: String, weight: Int, members: [Int])] = []
        for _ in 0..<options.depth {
            actions.removeAll(keepingCapacity: true)
            system.enabledActions(in: state, into: &actions)
            // Group the enabled actions by kind; a kind's weight is shared by its actions, so that
            // an action every server can always take (Restart) does not crowd out the rest.
            kinds.removeAll(keepingCapacity: true)
            for (k, action) in actions.enumerated() {
                let name = action.name
                if let g = kinds.firstIndex(where: { $0.name == name }) {
                    kinds[g].members.append(k)
                } else {
                    let weight: Int
                    if let known = weights[name] {
                        weight = known
                    } else {
                        weight = options.swarm ? [0, 1, 1, 4, 16][rng.below(5)] : 1
                        weights[name] = weight
                    }
                    kinds.append((name, weight, [k]))
                }
            }
            if kinds.allSatisfy({ $0.weight == 0 }) { for g in kinds.indices { kinds[g].weight = 1 } }
            // Draw a kind by weight, then one of its actions; a successor beyond the bounds is
            // discarded and another drawn.
            var next: (System.Action, System.State)? = nil
            while next == nil {
                let total = kinds.reduce(0) { $0 + $1.weight }
                guard total > 0 else { break }
                var pick = rng.below(total)
                var g = 0
                while pick >= kinds[g].weight {
                    pick -= kinds[g].weight
                    g += 1
                }
                let m = rng.below(kinds[g].members.count)
                let action = actions[kinds[g].members[m]]
                let successor = system.apply(action, to: state)
                if system.isWithinBounds(successor) {
                    next = (action, successor)
                } else {
                    kinds[g].members.remove(at: m)
                    if kinds[g].members.isEmpty { kinds.remove(at: g) }
                }
            }
            guard let (action, successor) = next else { break }
            outcome.steps += 1
            outcome.coverage[action.name, default: 0] += 1
            trace.append(action, successor)
            if let broken = firstBroken(state, action, successor) {
                outcome.failure = (broken, trace)
                return outcome
            }
            state = successor
            for (name, value) in system.metrics(of: state) { outcome.deepest[name] = max(outcome.deepest[name] ?? value, value) }
        }
        return outcome
    }

    /// The first property that fails on the step (or on the initial state when there is no step).
    func firstBroken(_ before: System.State, _ action: System.Action? = nil, _ after: System.State? = nil) -> Int? {
        guard let action, let after else {
            return invariants.firstIndex { !$0.holds(before) }
        }
        if let a = actionProperties.firstIndex(where: { !$0.holds(before, action, after) }) { return invariants.count + a }
        return invariants.firstIndex { !$0.holds(after) }
    }

    /// Replays `actions` from `initial`, skipping any action that is not enabled (or would leave the
    /// bounds) when its turn comes, until `property` breaks. Returns the actions actually taken up to
    /// and including the breaking step, or nil when the property never breaks. Skipping, rather
    /// than rejecting, lets one removal take the steps that depended on it along.
    func breaks(_ property: Int, _ initial: System.State, _ actions: [System.Action]) -> [System.Action]? {
        var state = initial
        if property < invariants.count && !invariants[property].holds(state) { return [] }
        var taken: [System.Action] = []
        for action in actions {
            guard system.enabledActions(in: state).contains(action) else { continue }
            let next = system.apply(action, to: state)
            guard system.isWithinBounds(next) else { continue }
            taken.append(action)
            if property < invariants.count {
                if !invariants[property].holds(next) { return taken }
            } else if !actionProperties[property - invariants.count].holds(state, action, next) {
                return taken
            }
            state = next
        }
        return nil
    }

    /// Shrinks a failing trace by removing steps (in halving chunks, then one by one; the steps that
    /// depended on a removed one go with it) while what remains still breaks the same property. The
    /// result is locally minimal: without any one of its steps the property holds.
    func shrink(_ trace: Trace<System>, property: Int) -> Trace<System> {
        guard var actions = breaks(property, trace.initial, trace.steps.map(\.action)) else { return trace }
        var chunk = max(1, actions.count / 2)
        while true {
            var removed = false
            var start = 0
            while start < actions.count {
                var candidate = actions
                candidate.removeSubrange(start..<min(start + chunk, actions.count))
                if let taken = breaks(property, trace.initial, candidate), taken.count < actions.count {
                    actions = taken
                    removed = true
                } else {
                    start += chunk
                }
            }
            if chunk == 1 && !removed { break }
            if !removed { chunk = max(1, chunk / 2) }
        }
        var shrunk = Trace<System>(initial: trace.initial)
        var state = trace.initial
        for action in actions {
            state = system.apply(action, to: state)
            shrunk.append(action, state)
        }
        return shrunk
    }
}
