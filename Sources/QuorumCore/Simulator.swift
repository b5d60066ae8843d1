import Foundation

/// Limits and choices for randomized simulation.
public struct SimulationOptions: Sendable {
    public var runs = 1_000
    /// Steps per run, at most.
    public var depth = 200
    public var seed: UInt64 = 1
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Stop after this many seconds: no run starts after it, and the runs in progress stop where
    /// they are (cut short; their steps were checked and count).
    public var timeout: Double? = nil
    /// Only these properties are checked (nil: all of them).
    public var properties: Set<String>? = nil
    /// Swarm testing: each run draws its own weight for every kind of action, so that some runs
    /// crash servers often, some drop or duplicate heavily, and some run nearly fault-free.
    public var swarm = true
    /// Shrink a failing run to a locally minimal trace.
    public var shrink = true
    /// Network partitions (with `swarm`): about a third of the runs cut the processes into two
    /// sides for stretches of steps, during which no message crosses the cut (it waits, or is
    /// dropped by the spec's own DropMessage).
    public var partitions = true
    /// Only the runs `index`, `index + count`, `index + 2 count`, ... of `0..<runs`: one of `count`
    /// processes sharing a simulation (`quorum simulate --shard i/n`). The shards' failures,
    /// the one of the smallest run index first, are the single process's.
    public var shard: (index: Int, count: Int) = (0, 1)
    /// Simulate over the ranks of this exchange (``OpenMPI`` under `mpirun`, or ``ThreadRanks``):
    /// rank `r` takes shard `r` of `size`, in rounds, and every rank returns the merged result,
    /// which is a single process's: the same runs counted, the same first failure.
    public var exchange: (any RankExchange)? = nil
    /// A guided search instead of independent runs (see ``Guidance``): `runs` counts its walks.
    public var guidance: Guidance? = nil

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

        @usableFromInline
        init(run: Int, property: String, kind: PropertyKind, original: Trace<System>, shrunk: Trace<System>) {
            self.run = run
            self.property = property
            self.kind = kind
            self.original = original
            self.shrunk = shrunk
        }
    }

    public var runs: Int
    public var steps: Int
    public var seconds: Double
    /// Steps taken per kind of action, over all runs.
    public var coverage: [String: Int]
    /// The largest value of each of the spec's metrics seen in any state.
    public var deepest: [String: Int]
    /// Steps taken while a network partition was in force, over all runs.
    public var partitionedSteps = 0
    /// The failing run with the smallest index, if any.
    public var failure: Failure?
    /// The properties every step was checked against.
    public var properties: [String] = []
    /// The time limit stopped the simulation: runs were left unstarted or cut short.
    public var stoppedByTimeout = false
    /// The cells a guided search archived (nil for independent runs).
    public var cells: Int? = nil

    public var stepsPerSecond: Double { seconds > 0 ? Double(steps) / seconds : 0 }

    /// No runs yet.
    @usableFromInline init() {
        (runs, steps, seconds, coverage, deepest) = (0, 0, 0, [:], [:])
    }
}

/// Random walks through a transition system, checking every property after every step.
///
/// Runs are independent and numbered; run `i` draws from `SeededGenerator(seed:run:)`, so results
/// do not depend on the number of workers: the failure reported is the failing run with the
/// smallest index, and every run before it has been executed.
public struct Simulator<System: TransitionSystem> {
    public let system: System
    public let options: SimulationOptions
    /// The spec's invariants, then its `C ⇒ []P` temporal properties as the invariant P of the
    /// runs whose initial state satisfies C.
    @usableFromInline let invariants: [Invariant<System.State>]
    /// Per entry of `invariants`: the condition on a run's initial state (nil: every run).
    @usableFromInline let conditions: [(@Sendable (System.State) -> Bool)?]
    /// How many entries of `invariants` are invariants proper (the rest are temporal properties).
    @usableFromInline let plainInvariants: Int
    @usableFromInline let actionProperties: [ActionProperty<System.State, System.Action>]
    /// The invariants as the simulator checks them after a step: each invariant's parts that
    /// record their reads (see ``Invariant/recordingReads``), or the invariant whole, which
    /// reports that it read everything; and the invariant each part belongs to.
    @usableFromInline let parts: [@Sendable (System.State, inout VariableSet) -> Bool]
    @usableFromInline let partOf: [Int]
    /// The spec's initial states, computed once: a spec may compute them (every ring order of
    /// distinct identifiers), and every run draws one.
    @usableFromInline let initialStates: [System.State]

    @inlinable
    public init(_ system: System, options: SimulationOptions = SimulationOptions()) {
        self.system = system
        self.options = options
        initialStates = system.initialStates
        let plain = system.invariants.filter { options.properties?.contains($0.name) ?? true }
        let always = system.temporalProperties.filter { $0.form == .always && (options.properties?.contains($0.name) ?? $0.byDefault) }
        let invariants = plain + always.map { Invariant($0.name, $0.summary, holds: $0.goal) }
        self.invariants = invariants
        conditions = plain.map { _ in nil } + always.map(\.trigger)
        plainInvariants = plain.count
        actionProperties = system.actionProperties.filter { options.properties?.contains($0.name) ?? true }
        parts = invariants.flatMap { invariant -> [@Sendable (System.State, inout VariableSet) -> Bool] in
            if !invariant.recordingReads.isEmpty { return invariant.recordingReads }
            let holds = invariant.holds
            return [{ state, reads in
                reads = .max
                return holds(state)
            }]
        }
        partOf = invariants.indices.flatMap { i in Array(repeating: i, count: max(1, invariants[i].recordingReads.count)) }
    }

    /// Which entries of `invariants` a run from `initial` checks.
    @inlinable func active(from initial: System.State) -> [Bool] { conditions.map { $0?(initial) ?? true } }

    @usableFromInline struct RunOutcome {
        @usableFromInline var steps = 0
        /// Steps per kind of action, and the kinds' names.
        @usableFromInline var coverage: [Int: Int] = [:]
        @usableFromInline var names: [Int: String] = [:]
        @usableFromInline var deepest: [String: Int] = [:]
        /// The largest value of each metric so far, by position (see `observe`); `deepest` once the run ends.
        @usableFromInline var metricValues: [Int] = []
        @usableFromInline var metricNames: [String] = []
        @usableFromInline var partitionedSteps = 0
        @usableFromInline var failure: (property: Int, trace: Trace<System>)? = nil
        /// The deadline stopped the run before its depth.
        @usableFromInline var cutShort = false
        @inlinable init() {}
    }


    @inlinable
    public func run() -> SimulationResult<System> {
        if let guidance = options.guidance { return runGuided(guidance) }
        if let exchange = options.exchange { return runDistributed(exchange) }
        let start = Date()
        let deadline = options.timeout.map { start.addingTimeInterval($0) }
        let shard = options.shard
        let tally = execute(RunSequence(first: shard.index, step: shard.count, end: options.runs), deadline: deadline)
        return finish(tally, seconds: Date().timeIntervalSince(start))
    }

    /// The result of the runs `tally` holds: the failure shrunk, the properties named.
    @inlinable func finish(_ tally: Tally, seconds: Double) -> SimulationResult<System> {
        var result = tally.result
        if let failed = tally.failed {
            let (name, kind) = describe(failed.property)
            let shrunk = options.shrink ? shrink(failed.trace, property: failed.property) : failed.trace
            result.failure = .init(run: tally.firstFailing, property: name, kind: kind, original: failed.trace, shrunk: shrunk)
        }
        result.properties = invariants.map(\.name) + actionProperties.map(\.name)
        result.stoppedByTimeout = tally.timedOut && result.failure == nil
        result.seconds = seconds
        return result
    }

    /// Executes `runs` on the workers, in index order as far as the totals go: every run before
    /// the first failing one is executed and counted, none after it.
    @inlinable func execute(_ runs: RunSequence, deadline: Date?) -> Tally {
        let workers = max(1, min(options.workers, runs.count))
        let tally = Tally(workers: workers, first: (0..<workers).map { $0 < runs.count ? runs[$0] : Int.max })
        nonisolated(unsafe) let simulator = self

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var position = worker
            while position < runs.count {
                let index = runs[position]
                if tally.locked({ index > $0.firstFailing }) { break }
                if (deadline.map { Date() >= $0 } ?? false) || Interruption.requested {
                    tally.locked { $0.timedOut = true }
                    break
                }
                let outcome = simulator.simulate(run: index, deadline: deadline)
                position += workers
                tally.locked { $0.finished(index, outcome, worker: worker, next: position < runs.count ? runs[position] : Int.max) }
            }
            tally.locked { $0.finished(worker: worker) }
        }
        return tally
    }

    /// The runs' totals while workers finish them. A finished run waits in `pending` until every
    /// run with a smaller index has finished too; then it is folded into `result` and dropped, so
    /// that memory stays flat however long `--time` lets a simulation go, and the totals do not
    /// depend on how the workers interleaved.
    @usableFromInline final class Tally: @unchecked Sendable {
        @usableFromInline let lock = NSLock()
        @usableFromInline var firstFailing = Int.max
        @usableFromInline var timedOut = false
        @usableFromInline var result = SimulationResult<System>()
        @usableFromInline var failed: (property: Int, trace: Trace<System>)? = nil
        @usableFromInline var pending: [Int: RunOutcome] = [:]
        /// The run each worker takes next (Int.max once it stopped).
        @usableFromInline var running: [Int]

        /// `first`: the run each worker takes first.
        @inlinable init(workers: Int, first: [Int]) { running = first }

        @inlinable func locked<T>(_ body: (Tally) -> T) -> T { lock.withLock { body(self) } }

        @inlinable func finished(_ index: Int, _ outcome: RunOutcome, worker: Int, next: Int) {
            if outcome.cutShort { timedOut = true }
            if outcome.failure != nil { firstFailing = min(firstFailing, index) }
            pending[index] = outcome
            running[worker] = next
            fold()
        }

        @inlinable func finished(worker: Int) {
            running[worker] = Int.max
            fold()
        }

        @inlinable func fold() {
            let low = running.min() ?? Int.max
            for index in pending.keys.sorted() where index < low {
                let outcome = pending.removeValue(forKey: index)!
                guard index <= firstFailing else { continue }
                result.runs += 1
                result.steps += outcome.steps
                result.partitionedSteps += outcome.partitionedSteps
                for (kind, count) in outcome.coverage { result.coverage[outcome.names[kind] ?? "?", default: 0] += count }
                for (name, value) in outcome.deepest { result.deepest[name] = max(result.deepest[name] ?? value, value) }
                if index == firstFailing { failed = outcome.failure }
            }
        }
    }

    @inlinable func describe(_ property: Int) -> (String, PropertyKind) {
        property < invariants.count ? (invariants[property].name, property < plainInvariants ? .invariant : .temporal)
            : (actionProperties[property - invariants.count].name, .actionProperty)
    }

    /// One random walk. Only the actions are recorded while it runs; the states of a failing run
    /// are recomputed from them.
    @inlinable func simulate(run index: Int, deadline: Date? = nil) -> RunOutcome {
        var rng = SeededGenerator(seed: options.seed, run: index)
        var outcome = RunOutcome()
        // Kinds of action met so far in this run, with their weights and step counts (a handful:
        // a linear search beats hashing).
        var kindIDs: [Int] = [], weights: [Int] = [], taken: [Int] = []
        let initial = initialStates[rng.below(initialStates.count)]
        var state = initial
        let active = active(from: initial)
        var path: [System.Action] = []
        func finish() {
            for (slot, kind) in kindIDs.enumerated() where taken[slot] > 0 { outcome.coverage[kind] = taken[slot] }
            for (name, value) in zip(outcome.metricNames, outcome.metricValues) {
                outcome.deepest[name] = max(outcome.deepest[name] ?? value, value)
            }
        }
        // What each part read when it last held; a step that changes none of it leaves the
        // verdict as it was, and the part is not evaluated again. Parts come in invariant order,
        // so the first that fails here belongs to the first invariant the initial state breaks.
        var reads = [VariableSet](repeating: .max, count: parts.count)
        for p in parts.indices where active[partOf[p]] {
            var read: VariableSet = 0
            if !parts[p](state, &read) {
                outcome.failure = (partOf[p], Trace(initial: initial))
                return outcome
            }
            reads[p] = read
        }
        var actions: [System.Action] = []
        // Per enabled action, its kind's slot (-1 when excluded); per slot, its actions not
        // excluded; the slots with any, in order of their first action. Plain buffers: they are
        // written for every enabled action of every step.
        var slots = Scratch(), members = Scratch(), present: [Int] = []
        defer { slots.deallocate(); members.deallocate() }
        var successor = state
        // The partition schedule: a third of the runs alternate healthy stretches and partitions,
        // each partition a random cut (one side's processes as a bit set) lasting 5 to 40 steps.
        let partitioned = options.swarm && options.partitions && rng.below(3) == 0
        var cut: UInt64 = 0
        var stretch = partitioned ? 1 + rng.below(30) : Int.max
        for step in 0..<options.depth {
            // The clock is read every 1,024 steps (a few nanoseconds a step at most).
            if step & 1023 == 1023, Interruption.requested || (deadline.map { Date() >= $0 } ?? false) {
                outcome.cutShort = true
                break
            }
            if partitioned {
                stretch -= 1
                if stretch == 0 {
                    if cut == 0 {
                        cut = rng.next() | 1  // process 0 on one side; the other side may be empty
                        stretch = 5 + rng.below(36)
                    } else {
                        cut = 0
                        stretch = 1 + rng.below(30)
                    }
                }
                if cut != 0 { outcome.partitionedSteps += 1 }
            }
            actions.removeAll(keepingCapacity: true)
            system.enabledActions(in: state, into: &actions)
            // A kind's weight is shared by its enabled actions, so that an action every server can
            // always take (Restart) does not crowd out the rest. Draw a kind by weight, then one of
            // its actions; a successor beyond the bounds is excluded and another drawn.
            slots.reserve(actions.count)
            present.removeAll(keepingCapacity: true)
            var total = 0
            var lastKind = Int.min, lastSlot = -1  // specs list the actions of a kind together
            for (k, action) in actions.enumerated() {
                let kind = action.kind
                var slot = kind == lastKind ? lastSlot : kindIDs.firstIndex(of: kind) ?? -1
                if slot < 0 {
                    slot = kindIDs.count
                    kindIDs.append(kind)
                    weights.append(swarmWeight(&rng))
                    taken.append(0)
                    members.reserve(kindIDs.count)
                    members[slot] = 0
                    outcome.names[kind] = action.name
                }
                (lastKind, lastSlot) = (kind, slot)
                if cut != 0, let link = action.link,
                   (cut >> UInt64(link.from & 63)) & 1 != (cut >> UInt64(link.to & 63)) & 1 {
                    slots[k] = -1  // held back by the partition
                    continue
                }
                slots[k] = slot
                if members[slot] == 0 {
                    present.append(slot)
                    total += weights[slot]
                }
                members[slot] += 1
            }
            let chosen = choose(slots, members, &present, total, weights, &rng, successor: &successor, of: state, actions)
            for slot in present { members[slot] = 0 }
            guard let index = chosen else { break }
            let action = actions[index]
            taken[slots[index]] += 1
            outcome.steps += 1
            path.append(action)
            if let broken = firstBroken(active, state, action, successor, reads: &reads) {
                finish()
                outcome.failure = (broken, Trace(system, from: initial, actions: path))
                return outcome
            }
            state = successor
            // Sampled, not taken at every step: the figures only show how deep runs go.
            if outcome.steps % 8 == 0 { observe(state, into: &outcome) }
        }
        observe(state, into: &outcome)
        finish()
        return outcome
    }

    /// A kind of action's weight for one run (swarm testing: 0, 1, 4 or 16, so that some runs
    /// never take the kind and some take little else), or 1 without swarm.
    @inlinable func swarmWeight(_ rng: inout SeededGenerator) -> Int {
        options.swarm ? [0, 1, 1, 4, 16][rng.below(5)] : 1
    }

    @inlinable func observe(_ state: System.State, into outcome: inout RunOutcome) {
        // Metrics come in the same order every time: match by position, and by name only when
        // the list changes.
        let metrics = system.metrics(of: state)
        if outcome.metricValues.count != metrics.count {
            for (name, value) in metrics { outcome.deepest[name] = max(outcome.deepest[name] ?? value, value) }
            outcome.metricValues = metrics.map { outcome.deepest[$0.0]! }
            outcome.metricNames = metrics.map(\.0)
            return
        }
        for k in metrics.indices where metrics[k].1 > outcome.metricValues[k] { outcome.metricValues[k] = metrics[k].1 }
    }

    /// The first property that fails on the step, skipping the parts of invariants that read none
    /// of the variables the step changed, and updating what each part evaluated read.
    @inlinable func firstBroken(_ active: [Bool], _ before: System.State, _ action: System.Action, _ after: System.State,
                     reads: inout [VariableSet]) -> Int? {
        let changed = system.changedVariables(from: before, to: after)
        if let a = actionProperties.firstIndex(where: { !$0.holds(before, action, after, changed: changed) }) {
            return invariants.count + a
        }
        for p in parts.indices where reads[p] & changed != 0 && active[partOf[p]] {
            var read: VariableSet = 0
            if !parts[p](after, &read) { return partOf[p] }
            reads[p] = read
        }
        return nil
    }
}

/// Run indices `first`, `first + step`, ... below `end`: all runs, or one shard's.
@usableFromInline
struct RunSequence: Sendable {
    @usableFromInline let first: Int
    @usableFromInline let step: Int
    @usableFromInline let count: Int

    @inlinable init(first: Int, step: Int, end: Int) {
        self.first = first
        self.step = step
        count = first < end ? (end - first + step - 1) / step : 0
    }

    @inlinable subscript(position: Int) -> Int { first + position * step }
}
