import Foundation
import Testing
@testable import QuorumCore
import Paxos
import Raft
import TwoPhaseCommit
import MultiPaxos

/// Under `--memory`, the explorer spills its visited fingerprints and its queues to disk: the
/// figures and the counterexamples must be those of the run without a budget.
@Suite struct SpillTests {
    /// The same run without and with `budget`: figures, and every violation's trace.
    func expectSameRun<S: TransitionSystem>(_ system: S, budget: Int, symmetry: Bool = false,
                                            lookingFor: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        var options = ExplorationOptions()
        options.symmetry = symmetry
        // A mutant's run goes on past other properties to the one it breaks, as `check` does.
        options.stopOnceViolated = lookingFor
        options.checkTemporal = false
        let free = Explorer(system, options: options).run()
        options.memoryBudget = budget
        let spilled = Explorer(system, options: options).run()
        // The budget is small enough that both the table and the queues went to disk.
        #expect(free.spill == nil, sourceLocation: sourceLocation)
        #expect((spilled.spill?.merges ?? 0) > 0, sourceLocation: sourceLocation)
        #expect((spilled.spill?.queuedStates ?? 0) > 0, sourceLocation: sourceLocation)
        #expect(spilled.outcome == free.outcome, sourceLocation: sourceLocation)
        #expect(spilled.stopReason == nil, sourceLocation: sourceLocation)
        #expect(spilled.distinctStates == free.distinctStates, sourceLocation: sourceLocation)
        #expect(spilled.statesGenerated == free.statesGenerated, sourceLocation: sourceLocation)
        #expect(spilled.diameter == free.diameter, sourceLocation: sourceLocation)
        #expect(spilled.violations.map(\.property) == free.violations.map(\.property), sourceLocation: sourceLocation)
        for (a, b) in zip(spilled.violations, free.violations) {
            #expect(a.trace.initial == b.trace.initial, sourceLocation: sourceLocation)
            #expect(a.trace.steps.map(\.action) == b.trace.steps.map(\.action), sourceLocation: sourceLocation)
            #expect(a.trace.steps.map(\.state) == b.trace.steps.map(\.state), sourceLocation: sourceLocation)
        }
    }

    @Test func packedStatesSpillWithTheSameFigures() {
        // 185,369 states: a 1 MB budget leaves the table room for about 30,000 fingerprints and
        // each queue a few hundred states in memory, so both spill many times.
        expectSameRun(Paxos(maxBallot: 2), budget: 1 << 20)
        expectSameRun(Paxos(maxBallot: 2), budget: 256 << 10, symmetry: true)
    }

    @Test func mutantsSpillWithTheSameCounterexamples() {
        // Each goes on past Inv and InductiveInv to Agreement: 39,164 to 98,133 states.
        for mutation in Paxos.Mutation.allCases {
            expectSameRun(Paxos(maxBallot: 2, mutation: mutation), budget: 512 << 10, lookingFor: mutation.breaks)
        }
        // 211,098 states to ElectionSafety's 18 steps, past InductiveElectionSafety's 4.
        expectSameRun(Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart), budget: 2 << 20, lookingFor: "ElectionSafety")
    }

    @Test func statesWithReferencesSpillAsTheirChangedSlots() {
        #expect(!_isPOD(TwoPhaseCommit.State.self))
        // 8,832 states at five resource managers.
        expectSameRun(TwoPhaseCommit(resourceManagers: 5), budget: 128 << 10)
        // 3,574 states to TCConsistent's violation at six: at five, its 1,694 fit the table's share.
        expectSameRun(TwoPhaseCommit(resourceManagers: 6, mutation: .commitWithoutAllPrepared), budget: 96 << 10, lookingFor: "TCConsistent")
        // 15,709 states with one write and no read.
        var p = MultiPaxos.Parameters()
        p.reads = 0
        expectSameRun(MultiPaxos(p), budget: 256 << 10)
    }

    /// A state written as the slots where it differs from blank reads back to itself, and is far
    /// smaller than its JSON: MultiPaxos with two writes, 10,540 slots a state. The differing
    /// slots, found variable by variable without writing the rows, are those of the full rows.
    @Test func aStateReadsBackFromItsChangedSlots() throws {
        var p = MultiPaxos.Parameters()
        p.writes = 2
        let model = MultiPaxos(p), bytes = model.stateBytes
        let layout = model.layout, blankRow = layout.slots(of: model.blank)
        var queue = model.initialStates, seen = Set<MultiPaxosVariables>(), next = 0
        var written = 0, json = 0
        while next < queue.count && seen.count < 3_000 {
            let s = queue[next]
            next += 1
            guard seen.insert(s).inserted else { continue }
            let row = layout.slots(of: s)
            var differing: [Int] = []
            layout.forEachSlot(of: s, differingFrom: model.blank) { differing += [$0, $1] }
            #expect(differing == row.indices.filter { row[$0] != blankRow[$0] }.flatMap { [$0, row[$0]] })
            let encoded = bytes.encode(s)
            #expect(encoded.withUnsafeBytes { bytes.decode($0) } == s)
            written += encoded.count
            json += try JSONEncoder().encode(s).count
            queue += model.enabledActions(in: s).map { model.apply($0, to: s) }
        }
        #expect(seen.count == 3_000)
        #expect(written * 10 < json, "\(written) bytes against \(json) of JSON")
    }

    /// Under a budget, a queue of states with references holds them as their bytes, so that what
    /// it holds is what the budget counts; past its share it spills, and reads back in order.
    @Test func aQueueHoldsStatesWithReferencesAsTheirBytesUnderABudget() throws {
        var p = MultiPaxos.Parameters()
        p.writes = 2
        let model = MultiPaxos(p)
        var states = model.initialStates, next = 0
        while states.count < 2_000 {
            let s = states[next]
            states += model.enabledActions(in: s).map { model.apply($0, to: s) }
            next += 1
        }
        let directory = try SpillDirectory(under: nil)
        var queue = StateQueue<MultiPaxosVariables>(memoryBytes: 64 << 10, directory: directory, codec: model.stateBytes)
        #expect(queue.packs)
        for (k, s) in states.enumerated() { queue.append((UInt32(k), s)) }
        #expect(queue.count == states.count)
        #expect(queue.bytes <= 64 << 10)
        #expect(queue.inMemory > 500 && queue.spilled > 0, "\(queue.inMemory) in memory, \(queue.spilled) spilled")
        var read: [(id: UInt32, state: MultiPaxosVariables)] = []
        for start in stride(from: 0, to: states.count, by: 300) {
            let batch = queue.batch(start..<min(start + 300, states.count))
            read += (0..<batch.count).map { batch[$0] }
        }
        #expect(read.map(\.id) == (0..<UInt32(states.count)).map { $0 })
        #expect(read.map(\.state) == states)
        // Without a budget the states are held as they are.
        #expect(!StateQueue<MultiPaxosVariables>(codec: model.stateBytes).packs)
    }

    @Test func diskFingerprintsAnswerAsASetDoes() throws {
        let directory = try SpillDirectory(under: nil)
        let disk = DiskFingerprints(directory: directory)
        var generator = SeededGenerator(seed: 7)
        var all = Set<UInt64>([0, 1, .max])
        try disk.merge(all.map(FingerprintSet.key).sorted().reduce(into: []) { if $0.last != $1 { $0.append($1) } })
        for round in 0..<4 {
            var table = FingerprintSet()
            for _ in 0..<(1_000 * (round + 1)) {
                let x = generator.next() >> UInt64(round * 8)
                if !all.contains(x) && !disk.contains(x) && table.insert(x) { all.insert(x) }
            }
            try disk.merge(table.sortedKeys())
        }
        #expect(disk.count == all.count - 1)  // 0 and 1 share a key
        for x in all { #expect(disk.contains(x)) }
        for _ in 0..<10_000 {
            let x = generator.next()
            #expect(disk.contains(x) == all.contains(x) || (x == 0 || x == 1))
        }
    }

    @Test func theSpillDirectoryIsRemoved() throws {
        let parent = NSTemporaryDirectory() + "quorum-spill-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var options = ExplorationOptions()
        options.memoryBudget = 128 << 10
        options.spillDirectory = parent
        let result = Explorer(TwoPhaseCommit(resourceManagers: 5), options: options).run()
        #expect(result.outcome == .ok)
        #expect((result.spill?.queuedStates ?? 0) > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }
}
