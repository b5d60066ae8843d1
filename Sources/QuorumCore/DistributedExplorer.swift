import Foundation

/// Breadth-first exploration over several ranks (processes under `mpirun`, or ``ThreadRanks``):
/// each state is owned by the rank its fingerprint names, each rank expands the states it owns
/// and sends every successor to its owner, batch by batch, level by level.
///
/// The figures and the counterexamples are those of a single process, by construction:
/// - State ids are the single process's: a batch is the same range of parent ids; an owner keeps
///   the first arrival of a fingerprint in (parent id, action) order, which is the order in which
///   one process meets them; the ranks then exchange the (parent id, action) keys of their new
///   states, so each rank numbers its own among all of them.
/// - A violation is placed by (parent id, action) as in ``Explorer``; the ranks take the least
///   position of each property after every batch, and rebuild its trace by following the links
///   from rank to rank (each link names the rank that holds the parent).
/// - Stopping (a violation, `maxStates`, `timeout`, an interruption) is decided after a batch from
///   figures every rank shares, so every rank stops at the same batch.
///
/// Under `memoryBudget` each rank spills as one process does (the budget is per rank).
/// Not here: coverage counts and temporal properties; `quorum check --distributed` refuses the
/// options that ask for them.
extension Explorer {
    @inlinable
    func runDistributed(_ exchange: any RankExchange) -> ExplorationResult<System> {
        let start = Date()
        let selected = options.properties
        let invariants = system.invariants.filter { selected?.contains($0.name) ?? true }
        let actionProperties = system.actionProperties.filter { selected?.contains($0.name) ?? true }
        let deadlockIndex = invariants.count + actionProperties.count
        let checkDeadlock = options.checkDeadlock && (selected?.contains("Deadlock") ?? true)
        let propertyCount = deadlockIndex + (checkDeadlock ? 1 : 0)
        let workers = max(1, options.workers)
        let system = self.system
        let symmetry = options.symmetry && system.hasSymmetry
        func fingerprint(_ state: System.State) -> UInt64 {
            symmetry ? system.symmetricFingerprint(state) : state.fingerprint
        }
        let ranks = exchange.size, me = exchange.rank
        // By the low half of the key (the visited table places keys by the high half); the key,
        // not the fingerprint, so that the two fingerprints a table takes as one have one owner.
        func owner(_ print: UInt64) -> Int { Int(((FingerprintSet.key(print) & 0xffff_ffff) &* UInt64(ranks)) >> 32) }

        // Under a budget, per rank as in one process: four tenths for the visited table, a tenth for
        // each queue's memory, a twentieth for the cache of fingerprints sent; files for the rest.
        let budget = options.memoryBudget
        let spill = budget.flatMap { _ in try? SpillDirectory(under: options.spillDirectory) }
        let disk = spill.map { DiskFingerprints(directory: $0) }
        let tableShare = (budget ?? 0) * 4 / 10
        let queueBytes = spill == nil ? nil : (budget ?? 0) / 10
        var spilled = SpillFigures()
        var diskFailed = false
        var visited = FingerprintSet()
        // Fingerprints this rank has sent to their owners: an owner has seen each of them since,
        // so a successor with one of them is a duplicate, and is not sent again. A cache: emptied
        // when it outgrows twice the visited set, which costs only repeated sends.
        var sentBefore = FingerprintSet()
        var links = RankLinks()
        // Per property, this rank's least position and the rank that holds the position's parent.
        var found: [Int: (position: Position, parentRank: Int)] = [:]
        var live = Array(repeating: true, count: propertyCount)
        var successorsGenerated = 0
        var diameter = 0
        var stopReason: StopReason? = nil
        var lastProgress = start.timeIntervalSinceReferenceDate
        // This rank's traffic to the others, and per level its seconds computing and exchanging.
        var bytesSent = 0, recordsSent = 0, keyBytesSent = 0
        var levelCompute: [Double] = [], levelExchange: [Double] = []
        var clock = Date().timeIntervalSinceReferenceDate
        /// Seconds since the last call, added to this level's computing or exchanging.
        func lap(exchanging: Bool) {
            let now = Date().timeIntervalSinceReferenceDate
            if exchanging { levelExchange[levelExchange.count - 1] += now - clock } else { levelCompute[levelCompute.count - 1] += now - clock }
            clock = now
        }

        /// The trace to state `id` of rank `rank`: every rank takes part, the holder of each link
        /// broadcasting it.
        func rebuild(rank: Int, id: UInt32) -> Trace<System> {
            var path: [Int] = []
            var cursor = (rank: rank, id: id)
            while true {
                let mine = cursor.rank == me ? links.words(of: cursor.id) : []
                let link = RankBytes.values(exchange.broadcast(RankBytes.words(mine), from: cursor.rank))
                if link[0] == RankLinks.root {
                    return Trace(system, from: system.initialStates[Int(link[1])], enabledIndices: path.reversed())
                }
                path.append(Int(link[2]))
                cursor = (Int(link[0]), UInt32(link[1]))
            }
        }

        func record(_ failures: [(property: Int, position: Position, parentRank: Int)]) {
            for (property, position, parentRank) in failures where live[property] {
                if let existing = found[property], existing.position <= position { continue }
                found[property] = (position, parentRank)
            }
        }

        // Initial states: every rank computes them all, numbers them alike and keeps its own.
        let codec = system.stateBytes
        var frontier = StateQueue<System.State>(memoryBytes: queueBytes, directory: spill, codec: codec)
        // Per batch of the level (2,048 ids), how many of its parents this rank holds.
        var frontierCounts: [Int] = []
        var nextCounts: [Int] = []
        func tally(_ id: Int, from levelStart: Int, in counts: inout [Int]) {
            let k = (id - levelStart) / Self.batchSize
            if counts.count <= k { counts.append(contentsOf: repeatElement(0, count: k + 1 - counts.count)) }
            counts[k] += 1
        }
        var initialFailures: [Int: Trace<System>] = [:]
        var seen = FingerprintSet(capacity: 64)
        var distinct = 0
        var initialGenerated = 0
        for (index, state) in system.initialStates.enumerated() {
            initialGenerated += 1
            for (i, invariant) in invariants.enumerated() where initialFailures[i] == nil && !invariant.holds(state) {
                initialFailures[i] = Trace(initial: state)
            }
            let print = fingerprint(state)
            guard system.isWithinBounds(state), seen.insert(print) else { continue }
            if owner(print) == me {
                _ = visited.insert(print)
                links.appendRoot(id: UInt32(distinct), initialIndex: index)
                frontier.append((UInt32(distinct), state))
                tally(distinct, from: 0, in: &frontierCounts)
            }
            distinct += 1
        }
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

        var depth = 0
        var levelStart = 0
        var levelEnd = stops() ? 0 : distinct
        var next = StateQueue<System.State>(memoryBytes: queueBytes, directory: spill, codec: codec)
        var generatedSoFar = initialGenerated
        explore: while levelStart < levelEnd {
            levelCompute.append(0)
            levelExchange.append(0)
            var cursor = 0
            var batchStart = levelStart
            while batchStart < levelEnd {
                let batchEnd = min(batchStart + Self.batchSize, levelEnd)
                let k = (batchStart - levelStart) / Self.batchSize
                let mine = k < frontierCounts.count ? frontierCounts[k] : 0
                let batch = frontier.batch(cursor..<cursor + mine)
                cursor += mine
                let liveNow = live
                let framed = actionProperties.indices.contains { liveNow[invariants.count + $0] && actionProperties[$0].frame != nil }
                // As in `Explorer`: an out-of-bounds successor is checked only for the live
                // invariants whose footprint its step touched.
                let footprints = invariants.indices.map { liveNow[$0] ? invariants[$0].footprint : 0 }
                // Likewise a step property with a frame is evaluated only on a step that touches it (one
                // without is evaluated on every step, stuttering ones too).
                let frames = actionProperties.indices.map { liveNow[invariants.count + $0] ? actionProperties[$0].frame ?? .max : 0 }
                let skips = footprints.contains { $0 != .max } && footprints.contains { $0 != 0 }

                // Phase 1, in parallel: successors, action properties, out-of-bounds invariants;
                // each successor is addressed to its owner (this rank drops those it has seen).
                let slices = visited.withReader { visitedBefore in sentBefore.withReader { sentBefore in
                    Self.parallel(workers: workers, count: batch.count) { range in
                        var outgoing = Array(repeating: [UInt8](), count: ranks)
                        var failures: [(property: Int, position: Position, parentRank: Int)] = []
                        var generated = 0
                        var actions: [System.Action] = []
                        guard !range.isEmpty else { return (outgoing: outgoing, failures: failures, generated: generated) }
                        // As in `Explorer`: each successor is written over memory this worker owns
                        // and read there, and the parent through a pointer.
                        var scratch = batch[range.lowerBound].state
                        withUnsafeMutablePointer(to: &scratch) { successor in
                            for p in range {
                                let (id, state) = batch[p]
                                withUnsafePointer(to: state) { parent in
                                    system.forEachSuccessor(of: state, actions: &actions, into: successor) { k, action in
                                        generated += 1
                                        var changed = framed ? system.changedVariables(between: parent, and: successor, by: action) : .max
                                        for a in actionProperties.indices where (frames[a] == .max || frames[a] & changed != 0)
                                            && !actionProperties[a].holds(parent.pointee, action, successor.pointee) {
                                            failures.append((invariants.count + a, Position(parent: id, action: k), me))
                                        }
                                        if system.isWithinBounds(successor.pointee) {
                                            let print = symmetry ? system.symmetricFingerprint(successor.pointee) : System.State.fingerprint(at: successor)
                                            let to = owner(print)
                                            if to == me ? visitedBefore.contains(print) || (disk?.contains(print) ?? false)
                                                : sentBefore.contains(print) { return }
                                            SuccessorRecord.append(print: print, parent: id, action: UInt32(k), state: codec.encode(successor.pointee),
                                                                   to: &outgoing[to])
                                        } else {
                                            if skips && !framed { changed = system.changedVariables(between: parent, and: successor, by: action) }
                                            for i in invariants.indices
                                            where footprints[i] & changed != 0 && !invariants[i].holds(successor.pointee, changed: changed) {
                                                failures.append((i, Position(parent: id, action: k), me))
                                            }
                                        }
                                    }
                                }
                                if actions.isEmpty && checkDeadlock && liveNow[deadlockIndex] {
                                    failures.append((deadlockIndex, Position(parent: id, action: -1), me))
                                }
                            }
                        }
                        return (outgoing: outgoing, failures: failures, generated: generated)
                    }
                } }
                if budget.map({ sentBefore.bytes > $0 / 20 }) ?? (sentBefore.count > 2 * visited.count + (1 << 20)) {
                    sentBefore.removeAll()
                }
                var parts = Array(repeating: [UInt8](), count: ranks)
                for slice in slices {
                    successorsGenerated += slice.generated
                    record(slice.failures)
                    parts[me].append(contentsOf: slice.outgoing[me])
                    // Of the successors for others, the first of each fingerprint in key order,
                    // and none sent in an earlier batch: the others would lose to it.
                    for r in 0..<ranks where r != me {
                        SuccessorRecord.forEach(slice.outgoing[r]) { print, record in
                            guard sentBefore.insert(print) else { return }
                            parts[r].append(contentsOf: record)
                            recordsSent += 1
                        }
                    }
                }
                for r in 0..<ranks where r != me { bytesSent += parts[r].count }
                lap(exchanging: false)
                // A rank's own successors stay out of the exchange (no copies through MPI).
                let own = parts[me]
                parts[me] = []
                var received = exchange.allToAll(parts)
                received[me] = own
                lap(exchanging: true)

                // Phase 2, one thread: of what arrived, in (parent id, action) order, the new states.
                var arrivals: [SuccessorRecord] = []
                for (source, bytes) in received.enumerated() { SuccessorRecord.read(bytes, from: source, into: &arrivals) }
                arrivals.sort { $0.key < $1.key }
                // A full table goes to disk before it would outgrow its share.
                if let disk, visited.count > 0, visited.bytes(after: arrivals.count) > tableShare {
                    do {
                        try disk.merge(visited.sortedKeys())
                        spilled.merges += 1
                        visited.removeAll()
                    } catch {
                        diskFailed = true
                    }
                }
                var fresh: [SuccessorRecord] = []
                for arrival in arrivals where !(disk?.contains(arrival.print) ?? false) && visited.insert(arrival.print) {
                    fresh.append(arrival)
                }

                // The new states, and phase 3, in parallel: their invariants. A failure is placed by
                // the key (parent id, action), which needs no id.
                let newStates = fresh.map { arrival in
                    (state: received[arrival.source].withUnsafeBytes {
                        codec.decode(UnsafeRawBufferPointer(rebasing: $0[arrival.state]))
                    }, arrival: arrival)
                }
                if !invariants.isEmpty && !newStates.isEmpty {
                    let checked = Self.parallel(workers: workers, count: newStates.count) { range in
                        var failures: [(property: Int, position: Position, parentRank: Int)] = []
                        for n in range {
                            let (state, arrival) = newStates[n]
                            for i in invariants.indices where liveNow[i] && !invariants[i].holds(state) {
                                failures.append((i, Position(parent: arrival.parent, action: Int(arrival.action)), arrival.source))
                            }
                        }
                        return failures
                    }
                    for failures in checked { record(failures) }
                }

                // One gather a batch: each rank's control words (per property its least position and
                // the rank that holds the position's parent; its stop code; its successors generated)
                // and its new states' keys. Every rank then decides alike.
                let now = Date().timeIntervalSinceReferenceDate
                var stopHere: StopReason? = nil
                if let timeout = options.timeout, now - start.timeIntervalSinceReferenceDate >= timeout { stopHere = .timeout(timeout) }
                if Interruption.requested { stopHere = .interrupted }
                if let budget {
                    let table = disk == nil ? visited.bytes(after: Self.batchSize * 8) : max(visited.bytes, tableShare) + disk!.bytes
                    if diskFailed || table + links.bytes + frontier.bytes + next.bytes + sentBefore.bytes > budget { stopHere = .memory(budget) }
                }
                var control: [UInt64] = []
                for p in 0..<propertyCount {
                    let mine = live[p] ? found[p] : nil
                    control.append(mine.map { Self.word($0.position) } ?? .max)
                    control.append(mine.map { UInt64($0.parentRank) } ?? .max)
                }
                control.append(stopHere?.rankWord ?? 0)
                control.append(UInt64(successorsGenerated))
                keyBytesSent += fresh.count * 8 * (ranks - 1)
                lap(exchanging: false)
                let gathered = exchange.allGather(RankBytes.words(control + fresh.map(\.key))).map(RankBytes.values)
                lap(exchanging: true)
                let keys = gathered.map { $0.dropFirst(control.count) }
                var least = Array(repeating: UInt64.max, count: propertyCount)
                var holder = Array(repeating: UInt64.max, count: propertyCount)
                var stop: UInt64 = 0, generatedAll: UInt64 = 0
                for words in gathered {
                    for p in 0..<propertyCount where (words[2 * p], words[2 * p + 1]) < (least[p], holder[p]) {
                        (least[p], holder[p]) = (words[2 * p], words[2 * p + 1])
                    }
                    stop = max(stop, words[2 * propertyCount])
                    generatedAll += words[2 * propertyCount + 1]
                }
                generatedSoFar = initialGenerated + Int(generatedAll)

                // Ids: each new state's place among every rank's new states of the batch.
                var below = keys.map(\.startIndex)
                for (i, (state, arrival)) in newStates.enumerated() {
                    var id = distinct + i
                    for r in 0..<ranks where r != me {
                        while below[r] < keys[r].endIndex && keys[r][below[r]] < arrival.key { below[r] += 1 }
                        id += below[r] - keys[r].startIndex
                    }
                    links.append(id: UInt32(id), parentRank: arrival.source, parent: arrival.parent, action: arrival.action)
                    next.append((UInt32(id), state))
                    tally(id, from: levelEnd, in: &nextCounts)
                }
                distinct += keys.reduce(0) { $0 + $1.count }
                lap(exchanging: false)

                // Traces are rebuilt by broadcasts from rank to rank: exchanging.
                let newlyFound = (0..<propertyCount).filter { live[$0] && least[$0] != .max }.sorted { (least[$0], $0) < (least[$1], $1) }
                for property in newlyFound {
                    live[property] = false
                    let position = Self.position(least[property])
                    var trace = rebuild(rank: Int(holder[property]), id: position.parent)
                    if position.action >= 0 { trace.take(enabledIndices: [position.action], of: system) }
                    let kind: PropertyKind = property < invariants.count ? .invariant
                        : property < deadlockIndex ? .actionProperty : .deadlock
                    let name = property < invariants.count ? invariants[property].name
                        : property < deadlockIndex ? actionProperties[property - invariants.count].name : "Deadlock"
                    violations.append(Violation(property: name, kind: kind, trace: trace))
                }
                lap(exchanging: true)
                if done() { break explore }

                batchStart = batchEnd
                if let limit = options.maxStates, distinct >= limit {
                    stopReason = .maxStates(limit)
                    break explore
                }
                if let reason = StopReason(rankWord: stop, timeout: options.timeout, memory: budget) {
                    stopReason = reason
                    break explore
                }
                if let progress = options.progress, now - lastProgress >= 1 {
                    lastProgress = now
                    progress(ExplorationProgress(
                        distinctStates: distinct, statesGenerated: generatedSoFar, queue: levelEnd - batchEnd + distinct - levelEnd,
                        depth: depth + 1, seconds: now - start.timeIntervalSinceReferenceDate))
                }
            }
            if distinct > levelEnd { diameter = depth + 1 }
            levelStart = levelEnd
            levelEnd = distinct
            swap(&frontier, &next)
            next.removeAll()
            frontierCounts = nextCounts
            nextCounts = []
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
        let totals = exchange.allReduce([UInt64(successorsGenerated), UInt64(visited.bytes + links.bytes),
                                         UInt64(bytesSent), UInt64(recordsSent), UInt64(keyBytesSent), UInt64(spilled.merges),
                                         UInt64(disk?.count ?? 0), UInt64(frontier.spilledInAll + next.spilledInAll),
                                         UInt64(frontier.bytesSpilledInAll + next.bytesSpilledInAll)], .sum)
        // The slowest rank's seconds per level, in microseconds.
        let slowest = exchange.allReduce((levelCompute + levelExchange).map { UInt64($0 * 1e6) }, .max)
        let generated = initialGenerated + Int(totals[0])
        let n = Double(distinct)
        var result = ExplorationResult(
            outcome: outcome, distinctStates: distinct, statesGenerated: generated,
            diameter: diameter, seconds: Date().timeIntervalSince(start), violations: violations,
            collisionProbability: n * Double(generated - distinct) / pow(2, 64),
            bytesPerState: distinct == 0 ? 0 : Double(totals[1]) / n)
        result.stopReason = stopReason
        var figures = DistributionFigures(ranks: ranks)
        figures.bytesSent = Int(totals[2])
        figures.statesSent = Int(totals[3])
        figures.keyBytesSent = Int(totals[4])
        figures.computeSeconds = slowest.prefix(levelCompute.count).map { Double($0) / 1e6 }
        figures.exchangeSeconds = slowest.dropFirst(levelCompute.count).map { Double($0) / 1e6 }
        result.distribution = figures
        if budget != nil {
            (spilled.merges, spilled.fingerprints, spilled.queuedStates, spilled.queueBytes) = (Int(totals[5]), Int(totals[6]), Int(totals[7]), Int(totals[8]))
            result.spill = spilled
        }
        return result
    }

    /// A position as one word that orders as the position does.
    @inlinable static func word(_ position: Position) -> UInt64 {
        UInt64(position.parent) << 32 | UInt64(UInt32(position.action + 1))
    }

    @inlinable static func position(_ word: UInt64) -> Position {
        Position(parent: UInt32(word >> 32), action: Int(word & 0xffff_ffff) - 1)
    }
}

/// A successor on its way to its owner: its fingerprint, the parent's id and the action's index
/// (together its place in a single process's order), and the state's bytes.
@usableFromInline
struct SuccessorRecord {
    @usableFromInline let print: UInt64
    /// `parent << 32 | action`.
    @usableFromInline let key: UInt64
    @usableFromInline let source: Int
    /// Where the state's bytes are in the sender's buffer.
    @usableFromInline let state: Range<Int>

    @inlinable init(print: UInt64, key: UInt64, source: Int, state: Range<Int>) {
        self.print = print
        self.key = key
        self.source = source
        self.state = state
    }

    @inlinable var parent: UInt32 { UInt32(key >> 32) }
    @inlinable var action: UInt32 { UInt32(key & 0xffff_ffff) }

    @inlinable static func append(print: UInt64, parent: UInt32, action: UInt32, state bytes: [UInt8], to buffer: inout [UInt8]) {
        withUnsafeBytes(of: print.littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: (UInt64(parent) << 32 | UInt64(action)).littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(contentsOf: bytes)
    }

    /// Calls `body` with each record of `buffer`: its fingerprint and its bytes.
    @inlinable static func forEach(_ buffer: [UInt8], _ body: (UInt64, UnsafeRawBufferPointer) -> Void) {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let print = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let end = offset + 20 + Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)))
                body(print, UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
            }
        }
    }

    @inlinable static func read(_ buffer: [UInt8], from source: Int, into records: inout [SuccessorRecord]) {
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let print = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let key = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self)))
                records.append(SuccessorRecord(print: print, key: key, source: source, state: offset + 20..<offset + 20 + length))
                offset += 20 + length
            }
        }
    }
}

/// What a distributed exploration sent between its ranks, and where its time went: the figures
/// from which its speed on more machines is projected (docs/PERFORMANCE.md).
public struct DistributionFigures: Sendable, Equatable, Codable {
    public var ranks: Int
    /// Successor records sent to another rank (a rank's own stay in memory), and their bytes:
    /// fingerprint, parent id and action (20 bytes) and the state.
    public var statesSent = 0
    public var bytesSent = 0
    /// Bytes of the new states' keys that every rank sends every other to number them.
    public var keyBytesSent = 0
    /// Per level, the slowest rank's seconds computing (successors, properties, the visited set)
    /// and exchanging (waiting for the others included).
    public var computeSeconds: [Double] = []
    public var exchangeSeconds: [Double] = []

    public init(ranks: Int) { self.ranks = ranks }
}
