import Foundation

/// Limits and choices for one exhaustive exploration.
public struct ExplorationOptions: Sendable {
    /// Report every violated property (each with its own shortest trace) instead of stopping at
    /// the first.
    public var continueAfterViolation = false
    /// Go on past other properties' violations until this one is violated (then stop, as
    /// without `continueAfterViolation`): a variant's check looks for the property it is known to
    /// break, and reports the others found on the way.
    public var stopOnceViolated: String? = nil
    /// Report a state with no enabled action as a violation.
    public var checkDeadlock = false
    /// Stop with an incomplete result after this many distinct states.
    public var maxStates: Int? = nil
    /// Keep the explorer's own tables (visited set, trace links, queues) within this many bytes:
    /// the visited fingerprints and the queues spill to files in ``spillDirectory`` beyond their
    /// shares, so that the run completes with the figures and traces it has without the budget.
    /// It stops incomplete only if the trace links (about two bytes a state) outgrow the rest.
    public var memoryBudget: Int? = nil
    /// Where spill files go under a ``memoryBudget`` (a fresh directory is made in it and removed
    /// at the end); nil for the system's temporary directory.
    public var spillDirectory: String? = nil
    /// Stop with an incomplete result after this many seconds.
    public var timeout: Double? = nil
    /// Only these properties are checked (nil: all of them).
    public var properties: Set<String>? = nil
    /// Symmetry reduction: store one state per class of states equivalent under the spec's
    /// symmetries. The explored states and the traces stay those of the original spec.
    public var symmetry = false
    /// Threads that compute successors and check properties. The figures and the counterexamples
    /// are the same for every number of workers.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Check the spec's temporal properties too (on their own graph, after the exploration).
    public var checkTemporal = true
    /// Temporal properties: judge fairness on the bounded model (see ``TemporalChecker``).
    public var boundedFairness = false
    /// Called about once a second with the figures so far.
    public var progress: (@Sendable (ExplorationProgress) -> Void)? = nil
    /// Count, per action, the states it generated and the new states it found (TLC's
    /// `-coverage`): ``ExplorationResult/coverage``.
    public var coverage = false
    /// Explore over the ranks of this exchange (``OpenMPI`` under `mpirun`, or ``ThreadRanks``):
    /// every rank calls ``Explorer/run()`` with its own exchange and gets the same result, the one
    /// a single process gets; ``memoryBudget`` is per rank. Coverage and temporal properties are
    /// not supported there: `quorum check --distributed` refuses them.
    public var exchange: (any RankExchange)? = nil
    /// Remember the successors beyond the bounds that passed every invariant
    /// (``PassedBeyondBounds``); off only in tests, which compare runs with and without.
    @usableFromInline var remembersPassedBeyondBounds = true

    public init() {}
}

public struct ExplorationProgress: Sendable {
    public let distinctStates: Int
    public let statesGenerated: Int
    public let queue: Int
    public let depth: Int
    public let seconds: Double

    @usableFromInline
    init(distinctStates: Int, statesGenerated: Int, queue: Int, depth: Int, seconds: Double) {
        self.distinctStates = distinctStates
        self.statesGenerated = statesGenerated
        self.queue = queue
        self.depth = depth
        self.seconds = seconds
    }
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

    /// Per action, when ``ExplorationOptions/coverage`` asked for it: the initial states first
    /// (as "Init"), then every action of ``TransitionSystem/actionNames`` (those that never fired
    /// with zeros), then any other that fired, by name. The figures add up to
    /// ``statesGenerated`` and ``distinctStates``.
    public var coverage: [ActionCoverage] = []
    /// What went to disk under ``ExplorationOptions/memoryBudget``; nil without a budget.
    public var spill: SpillFigures? = nil
    /// What went between ranks with ``ExplorationOptions/exchange``; nil in one process.
    public var distribution: DistributionFigures? = nil
    /// Why the run stopped before it was done, when a limit stopped it: with ``Outcome/incomplete(reason:)``,
    /// and also with ``Outcome/violation`` when a violation was found before the limit, so that
    /// a report does not present a run cut short as finished.
    public var stopReason: StopReason? = nil

    public var statesPerSecond: Double { seconds > 0 ? Double(statesGenerated) / seconds : 0 }

    @usableFromInline
    init(outcome: Outcome, distinctStates: Int, statesGenerated: Int, diameter: Int, seconds: Double,
         violations: [Violation<System>], collisionProbability: Double, bytesPerState: Double) {
        self.outcome = outcome
        self.distinctStates = distinctStates
        self.statesGenerated = statesGenerated
        self.diameter = diameter
        self.seconds = seconds
        self.violations = violations
        self.collisionProbability = collisionProbability
        self.bytesPerState = bytesPerState
    }
}

/// Where a violation was seen, in the order a single-threaded breadth-first search meets them:
/// by parent, then by action. The smallest position of a property is its shortest trace.
@usableFromInline
struct Position: Comparable {
    @usableFromInline var parent: UInt32
    /// -1 for a deadlock of the parent itself.
    @usableFromInline var action: Int
    @inlinable init(parent: UInt32, action: Int) {
        self.parent = parent
        self.action = action
    }
    @inlinable static func < (a: Position, b: Position) -> Bool { (a.parent, a.action) < (b.parent, b.action) }
}

/// Breadth-first, exhaustive exploration within a system's bounds.
///
/// The visited set holds fingerprints only; every stored state keeps a link to its predecessor and
/// the position of the action that reached it, and a counterexample is rebuilt by re-executing the
/// pure transition functions along those links. Breadth-first order makes each trace a shortest one.
///
/// Work proceeds in batches of parents: workers compute successors, check properties and drop
/// the successors visited before the batch, in parallel; one thread then inserts the rest in
/// parent order, so that state ids, figures and traces do not depend on the number of workers.
///
/// Speed depends on release builds specialising `run()` for each spec: `run()` is `@inlinable`,
/// and ``AnyModel`` (built in the spec's own module) calls it, so each spec's module compiles a
/// copy for its `System`. Without that, `quorum bench` shows the explorer three to four times
/// slower; `.ci/run` measures the ratio and fails when it is lost.
public struct Explorer<System: TransitionSystem> {
    public let system: System
    public var options: ExplorationOptions
    /// Parents per batch. Fixed, so that a run stopped at a violation has the same figures for
    /// every number of workers.
    @inlinable static var batchSize: Int { 2048 }
    /// A successor of phase 1 whose lookup waits for its prefetched slot: its fingerprint, where
    /// it came from, what it changed, its action's kind (with coverage), and whether it lies
    /// within the bounds (a lookup in the visited table) or beyond (in ``PassedBeyondBounds``).
    @usableFromInline typealias Waiting = (print: UInt64, parent: UInt32, action: Int, changed: VariableSet, kind: Int, within: Bool)
    /// How far ahead of its inserts phase 2 prefetches their slots in the visited table.
    @inlinable static var insertsAhead: Int { 8 }

    public init(_ system: System, options: ExplorationOptions = ExplorationOptions()) {
        self.system = system
        self.options = options
    }

    /// What one worker found in its slice of a batch.
    @usableFromInline
    struct Slice {
        @usableFromInline var successors: [(fingerprint: UInt64, parent: UInt32, action: UInt32, state: System.State)] = []
        /// With invariants to skip: the variables each of `successors` changed from its parent.
        @usableFromInline var changes: [VariableSet] = []
        @usableFromInline var generated = 0
        /// (property, position) pairs; properties are numbered invariants first, then action
        /// properties, then deadlock.
        @usableFromInline var failures: [(property: Int, position: Position)] = []
        /// With coverage: per action kind, its name and the successors it generated; and the kind
        /// of each of `successors`.
        @usableFromInline var generatedByKind: [Int: (name: String, count: Int)] = [:]
        @usableFromInline var successorKinds: [Int] = []
        /// The fingerprints of `successors`: a successor already among them is dropped here, as
        /// phase 2 would drop it, and is not copied into the slice. Many successors new before
        /// the batch are reached more than once within it (Raft: 1.0 M copies of a whole state
        /// for 0.6 M distinct states).
        @usableFromInline var seen = FingerprintSet(capacity: 1 << 8)
        @inlinable init() {}

        /// Empty again, keeping the arrays' storage for the next batch.
        @inlinable mutating func clear() {
            successors.removeAll(keepingCapacity: true)
            changes.removeAll(keepingCapacity: true)
            generated = 0
            failures.removeAll(keepingCapacity: true)
            generatedByKind.removeAll(keepingCapacity: true)
            successorKinds.removeAll(keepingCapacity: true)
            if seen.count > 0 { seen.removeAll() }
        }
    }

    /// One worker's ``Slice``, kept from batch to batch: a fresh slice grew its successors
    /// (about 400 bytes each for Raft) by copying, batch after batch.
    @usableFromInline
    final class SliceStore: @unchecked Sendable {
        @usableFromInline var slice = Slice()
        @usableFromInline init() {}

        /// The kept slice, emptied, and no longer referenced here (so that appending to it copies nothing).
        @inlinable func take() -> Slice {
            var taken = Slice()
            swap(&taken, &slice)
            taken.clear()
            return taken
        }
    }

    @inlinable
    public func run() -> ExplorationResult<System> {
        if let exchange = options.exchange { return runDistributed(exchange) }
        // Two specialisations, so that counting coverage costs nothing when it is off.
        return options.coverage ? run(counting: CoverageOn.self) : run(counting: CoverageOff.self)
    }

    @inlinable
    func run<Counting: CoverageMode>(counting: Counting.Type) -> ExplorationResult<System> {
        let start = Date()
        let selected = options.properties
        let invariants = system.invariants.filter { selected?.contains($0.name) ?? true }
        let actionProperties = system.actionProperties.filter { selected?.contains($0.name) ?? true }
        let deadlockIndex = invariants.count + actionProperties.count
        // For an invariant that strengthens another checked before it, that one's index: its
        // verdict on a state is then known when this one's is wanted (``Invariant/strengthens``).
        let strengthened: [Int?] = invariants.indices.map { i in
            guard i < 64, let name = invariants[i].strengthens, invariants[i].holdsBeyond != nil else { return nil }
            return invariants.indices.first { $0 < i && invariants[$0].name == name }
        }
        // The properties' predicates, taken out of their structs once: the loops below read them
        // for every evaluation, and reading `invariants[i].holds` there copied the whole
        // `Invariant`, retaining and releasing each of its strings, arrays and closures.
        let holdsAfterStep: [@Sendable (System.State, VariableSet) -> Bool] = invariants.map { invariant in { invariant.holds($0, changed: $1) } }
        let holdsBeyond = invariants.map(\.holdsBeyond)
        let stepHolds = actionProperties.map(\.holds)
        let checkDeadlock = options.checkDeadlock && (selected?.contains("Deadlock") ?? true)
        let propertyCount = deadlockIndex + (checkDeadlock ? 1 : 0)
        let workers = max(1, options.workers)
        let system = self.system
        let symmetry = options.symmetry && system.hasSymmetry
        func fingerprint(_ state: System.State) -> UInt64 {
            symmetry ? system.symmetricFingerprint(state) : state.fingerprint
        }

        var links = TraceLinks()
        // Under a budget: four tenths for the visited table, a tenth for each queue's memory, the
        // rest for the trace links; what does not fit goes to files.
        let spill = options.memoryBudget.flatMap { _ in try? SpillDirectory(under: options.spillDirectory) }
        let disk = spill.map { DiskFingerprints(directory: $0) }
        let tableShare = (options.memoryBudget ?? 0) * 4 / 10
        let queueBytes = spill == nil ? nil : (options.memoryBudget ?? 0) / 10
        var visited = FingerprintSet(capacity: spill == nil ? 1 << 12 : max(64, min(1 << 12, tableShare / 11)))
        var spilled = SpillFigures()
        var found: [Int: (position: Position, trace: Trace<System>)] = [:]
        var live = Array(repeating: true, count: propertyCount)
        var generated = 0
        var diameter = 0
        var stopReason: StopReason? = nil
        var lastProgress = start.timeIntervalSinceReferenceDate


        // The links are a parameter, not a capture: captured by a local function, every append to
        // them in phase 2 was a dynamic exclusivity check (callgrind: 72 M instructions on Raft).
        func rebuild(_ id: UInt32, _ links: TraceLinks) -> Trace<System> {
            var path: [Int] = []
            var cursor = id
            while case .step(let parent, let action) = links[cursor] {
                path.append(action)
                cursor = parent
            }
            guard case .root(let initialIndex) = links[cursor] else { preconditionFailure("every path starts at a root") }
            return Trace(system, from: system.initialStates[initialIndex], enabledIndices: path.reversed())
        }

        /// The trace of a violation seen at `position`: up to the parent, plus the action if any.
        func trace(at position: Position, _ links: TraceLinks) -> Trace<System> {
            var trace = rebuild(position.parent, links)
            if position.action >= 0 { trace.take(enabledIndices: [position.action], of: system) }
            return trace
        }

        func record(_ failures: [(property: Int, position: Position)]) {
            for (property, position) in failures where live[property] {
                if let existing = found[property], existing.position <= position { continue }
                found[property] = (position, Trace(initial: system.initialStates[0]))
            }
        }

        /// Checks the invariants still live on `state`; returns the ones that fail.
        func failing(_ state: System.State, _ live: [Bool]) -> [Int] {
            var out: [Int] = []
            for (i, invariant) in invariants.enumerated() where live[i] && !invariant.holds(state) { out.append(i) }
            return out
        }

        // Initial states: a violation there is a trace of length zero.
        let codec = system.stateBytes
        var frontier = StateQueue<System.State>(memoryBytes: queueBytes, directory: spill, codec: codec)
        var initialFailures: [Int: Trace<System>] = [:]
        for (index, state) in system.initialStates.enumerated() {
            generated += 1
            for i in failing(state, live) where initialFailures[i] == nil { initialFailures[i] = Trace(initial: state) }
            guard system.isWithinBounds(state), visited.insert(fingerprint(state)) else { continue }
            links.appendRoot(initialIndex: index)
            frontier.append((UInt32(links.count - 1), state))
        }
        let coverage = Counting.on
        var covered = CoverageCount(coverage ? system.actionNames : [], initial: (generated, links.count))
        var violations: [Violation<System>] = []
        let stopAt = options.continueAfterViolation ? nil : options.stopOnceViolated
        func stops() -> Bool {
            if let stopAt { return violations.contains { $0.property == stopAt } }
            return !violations.isEmpty && !options.continueAfterViolation
        }
        func done() -> Bool {
            if stops() { return true }
            return propertyCount > 0 && !live.contains(true)
        }
        for (i, trace) in initialFailures.sorted(by: { $0.key < $1.key }) {
            live[i] = false
            violations.append(Violation(property: invariants[i].name, kind: .invariant, trace: trace))
        }
        if stops() { frontier.removeAll() }

        var depth = 0
        var next = StateQueue<System.State>(memoryBytes: queueBytes, directory: spill, codec: codec)
        // Under a budget a batch's new states are gathered here before they join `next`, which
        // may be writing them to a file; without one they go straight into `next`'s memory.
        var fresh: [(id: UInt32, state: System.State)] = []
        let gathers = spill != nil
        // One table per worker (a part of ``parallel(workers:count:_:)``), kept from batch to batch.
        let remembers = options.remembersPassedBeyondBounds && !invariants.isEmpty
        let passedBeyondBounds = (0..<workers).map { _ in PassedBeyondBounds(slots: remembers ? 1 << 18 : 1) }
        let sliceStores = (0..<workers).map { _ in SliceStore() }
        explore: while !frontier.isEmpty {
            var batchStart = 0
            while batchStart < frontier.count {
                let batchEnd = min(batchStart + Self.batchSize, frontier.count)
                let batch = frontier.batch(batchStart..<batchEnd)
                let liveNow = live
                // Whether a live step property has a frame, so that a step's changes are worth computing.
                let framed = actionProperties.indices.contains { liveNow[invariants.count + $0] && actionProperties[$0].frame != nil }
                // The live invariants whose footprint a step must touch for them to be checked
                // again: its parent passed them all. Empty when none has a footprint.
                let footprints = invariants.indices.map { liveNow[$0] ? invariants[$0].footprint : 0 }
                // Likewise a step property with a frame is evaluated only on a step that touches it (one
                // without is evaluated on every step, stuttering ones too).
                let frames = actionProperties.indices.map { liveNow[invariants.count + $0] ? actionProperties[$0].frame ?? .max : 0 }
                let skips = footprints.contains { $0 != .max } && footprints.contains { $0 != 0 }
                // What a successor must touch for any invariant or step property to be evaluated
                // on it: asked first, so that most successors skip the loops over the properties.
                let anyFootprint = footprints.reduce(0, |)
                let anyFrame = frames.reduce(0, |), everyStep = frames.contains(.max)

                // Phase 1, in parallel: successors, action properties, out-of-bounds invariants;
                // successors visited before this batch are dropped here.
                let slices = visited.withReader { visitedBefore in
                    Self.parallel(workers: workers, count: batchEnd - batchStart) { part, range in
                        let passed = passedBeyondBounds[part]
                        var slice = sliceStores[part].take()
                        var actions: [System.Action] = []
                        guard !range.isEmpty else { return slice }
                        // The two states each successor is written over in turn, read in place by
                        // the calls below. A successor's slot in the visited table (within the
                        // bounds) or in `passed` (beyond them) is prefetched when it is made and
                        // read when the next one is made, so that a cache miss waits behind that
                        // work rather than in front of it (Raft: about 15 % of the time): meanwhile it is
                        // `pending`, in `held`, and the next successor is written over the other.
                        var first = batch[range.lowerBound].state, second = first
                        var pending: Waiting? = nil
                        withUnsafeMutablePointer(to: &first) { first in
                        withUnsafeMutablePointer(to: &second) { second in
                            var target = first, held = second
                            // The slice and the held state are parameters, not captures: a local
                            // function that captured the slice made every access to it a dynamic
                            // exclusivity check (callgrind: 3.3 M `swift_beginAccess` calls on Raft).
                            func settle(_ p: Waiting,
                                        _ held: UnsafeMutablePointer<System.State>, _ slice: inout Slice) {
                                if p.within {
                                    if !visitedBefore.contains(p.print) && !(disk?.contains(p.print) ?? false) && slice.seen.insert(p.print) {
                                        slice.successors.append((p.print, p.parent, UInt32(p.action), held.pointee))
                                        if Counting.on { slice.successorKinds.append(p.kind) }
                                        if skips { slice.changes.append(p.changed) }
                                    }
                                    return
                                }
                                // Beyond the bounds: checked unless the same state passed before
                                // (``PassedBeyondBounds``), and remembered when it passes.
                                if passed.contains(p.print) { return }
                                if checkBeyond(held, p.parent, p.action, p.changed, &slice) { passed.insert(p.print) }
                            }
                            /// The live invariants that the step touched, on a successor beyond the bounds.
                            func checkBeyond(_ state: UnsafeMutablePointer<System.State>, _ parent: UInt32, _ action: Int, _ changed: VariableSet,
                                             _ slice: inout Slice) -> Bool {
                                var held = true
                                for i in invariants.indices
                                where footprints[i] & changed != 0 && !holdsAfterStep[i](state.pointee, changed) {
                                    slice.failures.append((i, Position(parent: parent, action: action)))
                                    held = false
                                }
                                return held
                            }
                            for p in range {
                                let (id, state) = batch[p]
                                // The parent through a pointer: the calls below that need it in memory
                                // (step properties, the comparison) are rare, and with the value the
                                // compiler stored a copy of it for every successor.
                                withUnsafePointer(to: state) { parent in
                                    system.forEachSuccessor(of: state, actions: &actions, into: target) { k, action, successor in
                                        slice.generated += 1
                                        // Counting.on, not a captured Bool: a constant in each specialisation.
                                        let kind = Counting.on ? action.kind : 0
                                        if Counting.on { slice.generatedByKind[kind, default: (action.name, 0)].count += 1 }
                                        let changed = framed || skips ? system.changedVariables(between: parent, and: successor, by: action) : .max
                                        if everyStep || anyFrame & changed != 0 {
                                            for a in actionProperties.indices
                                            where (frames[a] == .max || frames[a] & changed != 0) && !stepHolds[a](parent.pointee, action, successor.pointee) {
                                                slice.failures.append((invariants.count + a, Position(parent: id, action: k)))
                                            }
                                        }
                                        // A step that changed nothing leads back to its parent, visited and
                                        // checked: no fingerprint, lookup or invariant is needed. The
                                        // comparison confirms what `changed` says, bytewise: equal bytes
                                        // are the same state, and unequal ones (padding) only mean the
                                        // lookup below finds the parent. `==` was a call per stuttering
                                        // step (most of Paxos's steps).
                                        if changed == 0 && memcmp(parent, successor, MemoryLayout<System.State>.size) == 0 { return successor }
                                        // Every parent is within the bounds: only what changed is checked.
                                        let print: UInt64
                                        let within = system.isWithinBounds(successor.pointee, changed: changed)
                                        if within {
                                            print = symmetry ? system.symmetricFingerprint(successor.pointee) : System.State.fingerprint(at: successor)
                                            visitedBefore.prefetch(print)
                                        } else {
                                            guard anyFootprint & changed != 0 else { return successor }
                                            guard remembers else {
                                                _ = checkBeyond(successor, id, k, changed, &slice)
                                                return successor
                                            }
                                            print = System.State.fingerprint(at: successor)
                                            passed.prefetch(print)
                                        }
                                        if let q = pending { settle(q, held, &slice) }
                                        pending = (print, id, k, changed, kind, within)
                                        // This one waits in place; the next is written over the other.
                                        held = successor
                                        target = successor == first ? second : first
                                        return target
                                    }
                                }
                                if actions.isEmpty && checkDeadlock && liveNow[deadlockIndex] {
                                    slice.failures.append((deadlockIndex, Position(parent: id, action: -1)))
                                }
                            }
                            if let q = pending { settle(q, held, &slice) }
                        }
                        }
                        return slice
                    }
                }

                // A full table goes to disk before it would outgrow its share; the workers looked
                // each successor up in both, so the union is all that phase 2 needs.
                if let disk, visited.count > 0,
                   visited.bytes(after: slices.reduce(0) { $0 + $1.successors.count }) > tableShare {
                    do {
                        try disk.merge(visited.sortedKeys())
                        spilled.merges += 1
                    } catch {
                        stopReason = .memory(options.memoryBudget!)
                        break explore
                    }
                    visited.removeAll()
                }

                // Phase 2, one thread, in parent order: which successors are new.
                fresh.removeAll(keepingCapacity: true)
                let firstNew = next.count
                var newLinks: [(parent: UInt32, action: UInt32)] = []
                var newChanges: [VariableSet] = []
                for slice in slices {
                    generated += slice.generated
                    record(slice.failures)
                    if coverage {
                        covered.add(slice.generatedByKind)
                        for (n, (s, kind)) in zip(slice.successors, slice.successorKinds).enumerated() where visited.insert(s.fingerprint) {
                            covered.found(kind)
                            links.append(parent: s.parent, action: s.action)
                            newLinks.append((s.parent, s.action))
                            if skips { newChanges.append(slice.changes[n]) }
                            if gathers { fresh.append((UInt32(links.count - 1), s.state)) } else { next.append((UInt32(links.count - 1), s.state)) }
                        }
                        continue
                    }
                    // Read in place: each successor was copied out of the slice, new or not (on
                    // Raft, 250 bytes a copy: 0.7 % of its instructions).
                    slice.successors.withUnsafeBufferPointer { successors in
                        // Each insert's slot is asked for a few inserts ahead, as phase 1 asks for its lookups'.
                        for n in successors.indices.prefix(Self.insertsAhead) { visited.prefetch(successors[n].fingerprint) }
                        for n in successors.indices {
                            if n + Self.insertsAhead < successors.count { visited.prefetch(successors[n + Self.insertsAhead].fingerprint) }
                            guard visited.insert(successors[n].fingerprint) else { continue }
                            let s = successors.baseAddress! + n
                            links.append(parent: s.pointee.parent, action: s.pointee.action)
                            newLinks.append((s.pointee.parent, s.pointee.action))
                            if skips { newChanges.append(slice.changes[n]) }
                            if gathers { fresh.append((UInt32(links.count - 1), s.pointee.state)) } else { next.append(id: UInt32(links.count - 1), state: s.pointer(to: \.state)!) }
                        }
                    }
                }
                // Each slice's storage goes back to its worker for the next batch.
                for (part, slice) in slices.enumerated() { sliceStores[part].slice = slice }

                // Phase 3, in parallel: the invariants of the new states.
                let newCount = gathers ? fresh.count : next.count - firstNew
                if !invariants.isEmpty && newCount > 0 {
                    let checked = Self.parallel(workers: workers, count: newCount) { range in
                        var failures: [(property: Int, position: Position)] = []
                        for n in range {
                            let state = gathers ? fresh[n].state : next.memory[firstNew + n].state
                            let changed = skips ? newChanges[n] : .max
                            // The invariants (of the first 64) that fail here, for those that strengthen them.
                            var failed: UInt64 = 0
                            for i in invariants.indices where footprints[i] & changed != 0 {
                                let holds: Bool
                                if let j = strengthened[i], liveNow[j] {
                                    // A live invariant not evaluated here holds here: its footprint was left alone.
                                    holds = failed & (1 << UInt64(j)) == 0 && holdsBeyond[i]!(state, changed)
                                } else {
                                    holds = holdsAfterStep[i](state, changed)
                                }
                                if holds { continue }
                                if i < 64 { failed |= 1 << UInt64(i) }
                                // Found at the step that reached it: parent order and id order agree.
                                failures.append((i, Position(parent: newLinks[n].parent, action: Int(newLinks[n].action))))
                            }
                        }
                        return failures
                    }
                    for failures in checked { record(failures) }
                }
                if gathers && next.packs {
                    // The queue holds states as bytes: the workers write them.
                    let encoded = Self.parallel(workers: workers, count: fresh.count) { range in range.map { codec.encode(fresh[$0].state) } }
                    var n = 0
                    for part in encoded {
                        for record in part {
                            next.append(id: fresh[n].id, encoded: record)
                            n += 1
                        }
                    }
                } else if gathers {
                    next.append(contentsOf: fresh)
                }

                // A property found in this batch cannot be found earlier in a later batch.
                let newlyFound = found.filter { live[$0.key] }.sorted { ($0.value.position, $0.key) < ($1.value.position, $1.key) }
                for (property, entry) in newlyFound {
                    live[property] = false
                    let kind: PropertyKind = property < invariants.count ? .invariant
                        : property < deadlockIndex ? .actionProperty : .deadlock
                    let name = property < invariants.count ? invariants[property].name
                        : property < deadlockIndex ? actionProperties[property - invariants.count].name : "Deadlock"
                    violations.append(Violation(property: name, kind: kind, trace: trace(at: entry.position, links)))
                }
                if done() { break explore }

                batchStart = batchEnd
                let now = Date().timeIntervalSinceReferenceDate
                if let limit = options.maxStates, links.count >= limit {
                    stopReason = .maxStates(limit)
                    break explore
                }
                if let budget = options.memoryBudget {
                    // Count the table the visited set would grow into during the next batch.
                    let table = disk == nil ? visited.bytes(after: Self.batchSize * 8) : max(visited.bytes, tableShare) + disk!.bytes
                    let queues = frontier.bytes + next.bytes
                    if table + links.bytes + queues > budget {
                        stopReason = .memory(budget)
                        break explore
                    }
                }
                if let timeout = options.timeout, now - start.timeIntervalSinceReferenceDate >= timeout {
                    stopReason = .timeout(timeout)
                    break explore
                }
                if Interruption.requested {
                    stopReason = .interrupted
                    break explore
                }
                if let progress = options.progress, now - lastProgress >= 1 {
                    lastProgress = now
                    progress(ExplorationProgress(
                        distinctStates: links.count, statesGenerated: generated, queue: next.count + frontier.count - batchEnd,
                        depth: depth + 1, seconds: now - start.timeIntervalSinceReferenceDate))
                }
            }
            if !next.isEmpty { diameter = depth + 1 }
            swap(&frontier, &next)
            next.removeAll()
            depth += 1
        }

        let outcome: ExplorationResult<System>.Outcome
        if !violations.isEmpty {
            outcome = .violation
        } else if let stopReason {
            outcome = .incomplete(reason: stopReason.description)
        } else {
            outcome = .ok
        }
        let n = Double(links.count)
        let collision = n * Double(generated - links.count) / pow(2, 64)
        let bytes = Double(visited.bytes + links.bytes)
        var result = ExplorationResult(
            outcome: outcome, distinctStates: links.count, statesGenerated: generated,
            diameter: diameter, seconds: Date().timeIntervalSince(start), violations: violations,
            collisionProbability: collision, bytesPerState: links.count == 0 ? 0 : bytes / n)
        if coverage { result.coverage = covered.sorted(listed: system.actionNames.count) }
        result.stopReason = stopReason
        if let disk {
            spilled.fingerprints = disk.count
            spilled.queuedStates = frontier.spilledInAll + next.spilledInAll
            spilled.queueBytes = frontier.bytesSpilledInAll + next.bytesSpilledInAll
            result.spill = spilled
        }
        return result
    }

    /// Splits `0..<count` into at most `workers` contiguous ranges, runs `body` on each (in parallel
    /// when there is more than one) and returns the results in range order.
    @inlinable
    static func parallel<R>(workers: Int, count: Int, _ body: (Range<Int>) -> R) -> [R] {
        parallel(workers: workers, count: count) { _, range in body(range) }
    }

    /// The same, telling `body` which part (`0..<workers`) it runs: no two running at once get
    /// the same, so each may use that part's own tables.
    @inlinable
    static func parallel<R>(workers: Int, count: Int, _ body: (Int, Range<Int>) -> R) -> [R] {
        let parts = min(workers, max(1, count / 64))
        if parts <= 1 { return [body(0, 0..<count)] }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: parts)
        results.initialize(repeating: nil)
        defer { results.deinitialize(); results.deallocate() }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let body = body
            nonisolated(unsafe) let results = results
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let lower = count * part / parts, upper = count * (part + 1) / parts
                results[part] = body(part, lower..<upper)
            }
        }
        return results.map { $0! }
    }
}

/// TLC's coverage of one action: the states it generated (successors computed, duplicates and
/// states beyond the bounds included) and the new states it found (those it reached first, in the
/// explorer's breadth-first order: its state ids).
public struct ActionCoverage: Sendable, Equatable, Codable {
    public let action: String
    public var generated: Int
    public var distinct: Int

    public init(action: String, generated: Int, distinct: Int) {
        self.action = action
        self.generated = generated
        self.distinct = distinct
    }
}

/// Whether the explorer counts coverage: a type, so that `run` is compiled once with and once
/// without, each with its branches folded.
@usableFromInline protocol CoverageMode { static var on: Bool { get } }
@usableFromInline enum CoverageOn: CoverageMode { @inlinable static var on: Bool { true } }
@usableFromInline enum CoverageOff: CoverageMode { @inlinable static var on: Bool { false } }

/// The explorer's coverage counts, merged from its workers' slices in parent order.
@usableFromInline
struct CoverageCount {
    @usableFromInline var rows: [ActionCoverage]
    /// The row of each action kind seen so far.
    @usableFromInline var rowOfKind: [Int: Int] = [:]

    @inlinable init(_ names: [String], initial: (generated: Int, distinct: Int)) {
        rows = [ActionCoverage(action: "Init", generated: initial.generated, distinct: initial.distinct)]
            + names.map { ActionCoverage(action: $0, generated: 0, distinct: 0) }
    }

    @inlinable mutating func row(_ kind: Int, _ name: String) -> Int {
        if let row = rowOfKind[kind] { return row }
        let row = rows.firstIndex { $0.action == name && $0.action != "Init" } ?? {
            rows.append(ActionCoverage(action: name, generated: 0, distinct: 0))
            return rows.count - 1
        }()
        rowOfKind[kind] = row
        return row
    }

    @inlinable mutating func add(_ generated: [Int: (name: String, count: Int)]) {
        for (kind, entry) in generated { rows[row(kind, entry.name)].generated += entry.count }
    }

    /// The rows, those of actions the spec does not list by name (which depend on which worker
    /// met them first) in order of name.
    @inlinable func sorted(listed: Int) -> [ActionCoverage] {
        Array(rows.prefix(1 + listed)) + rows.dropFirst(1 + listed).sorted { $0.action < $1.action }
    }

    @inlinable mutating func found(_ kind: Int) {
        rows[rowOfKind[kind]!].distinct += 1
    }
}

/// What an exploration under a memory budget put on disk.
public struct SpillFigures: Sendable, Equatable, Codable {
    /// Times the visited table was merged into the file of fingerprints.
    public var merges = 0
    /// Fingerprints in that file at the end.
    public var fingerprints = 0
    /// States written to the queues' files, and their bytes.
    public var queuedStates = 0
    public var queueBytes = 0
    public init() {}
}
