import Foundation
import Testing
@testable import QuorumCore
import Paxos
import Raft
import TwoPhaseCommit

/// The distributed explorer, its ranks as threads (``ThreadRanks``): every rank must report the
/// figures and the counterexamples of a single process. `.ci/run` runs the same through `mpirun`.
@Suite struct DistributedTests {
    /// One process's run and the run over `ranks` ranks: same outcome, figures, violations and traces on every rank.
    func expectSameRun<S: TransitionSystem>(_ system: S, ranks: Int, symmetry: Bool = false, lookingFor: String? = nil,
                                            maxStates: Int? = nil, budget: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        var options = ExplorationOptions()
        options.symmetry = symmetry
        options.stopOnceViolated = lookingFor
        options.maxStates = maxStates
        options.checkTemporal = false
        options.workers = 1
        let single = Explorer(system, options: options).run()
        options.memoryBudget = budget
        let base = options
        let results = ThreadRanks.run(size: ranks) { exchange in
            var options = base
            options.exchange = exchange
            return Explorer(system, options: options).run()
        }
        if budget != nil {
            // Small enough that the tables and the queues went to disk.
            #expect(results.allSatisfy { ($0.spill?.merges ?? 0) >= ranks && ($0.spill?.queuedStates ?? 0) > 0 }, sourceLocation: sourceLocation)
        }
        #expect(results.count == ranks, sourceLocation: sourceLocation)
        for result in results {
            #expect(result.outcome == single.outcome, sourceLocation: sourceLocation)
            #expect(result.stopReason == single.stopReason, sourceLocation: sourceLocation)
            #expect(result.distinctStates == single.distinctStates, sourceLocation: sourceLocation)
            #expect(result.statesGenerated == single.statesGenerated, sourceLocation: sourceLocation)
            #expect(result.diameter == single.diameter, sourceLocation: sourceLocation)
            #expect(result.violations.map(\.property) == single.violations.map(\.property), sourceLocation: sourceLocation)
            for (a, b) in zip(result.violations, single.violations) {
                #expect(a.trace.initial == b.trace.initial, sourceLocation: sourceLocation)
                #expect(a.trace.steps.map(\.action) == b.trace.steps.map(\.action), sourceLocation: sourceLocation)
                #expect(a.trace.steps.map(\.state) == b.trace.steps.map(\.state), sourceLocation: sourceLocation)
            }
        }
    }

    @Test func figuresAreThoseOfOneProcess() {
        // TLC's 617,361 states over 3 ranks; Paxos with symmetry (17,153 states). (.ci/distributed
        // runs these and Paxos without symmetry through mpirun with 2 and 3 ranks.)
        expectSameRun(Raft(maxLogLength: 0), ranks: 3)
        expectSameRun(Paxos(maxBallot: 2), ranks: 3, symmetry: true)
        expectSameRun(Paxos(maxBallot: 1), ranks: 1)
        // Stopped by a limit: the same batch, so the same figures.
        expectSameRun(Paxos(maxBallot: 2), ranks: 2, maxStates: 10_000)
    }

    @Test func counterexamplesAreThoseOfOneProcess() {
        // Each goes on past Inv and InductiveInv to Agreement, so several properties are placed
        // across ranks and the least position must win.
        for mutation in Paxos.Mutation.allCases {
            expectSameRun(Paxos(maxBallot: 2, mutation: mutation), ranks: 3, lookingFor: mutation.breaks)
        }
        expectSameRun(Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart), ranks: 2, lookingFor: "ElectionSafety")
    }

    @Test func eachRankSpillsUnderItsBudget() {
        // 185,369 states over 3 ranks, 1 MB each: a table of about 50,000 fingerprints for about
        // 62,000 each, and trace links of about 4 bytes a state (250 KB).
        expectSameRun(Paxos(maxBallot: 2), ranks: 3, budget: 1 << 20)
        // 211,098 states over 2 ranks, 1.75 MB each.
        expectSameRun(Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart), ranks: 2, lookingFor: "ElectionSafety", budget: 1_792 << 10)
    }

    @Test func statesWithReferencesTravelAsTheirChangedSlots() {
        #expect(!_isPOD(TwoPhaseCommit.State.self))
        expectSameRun(TwoPhaseCommit(resourceManagers: 5), ranks: 2)
        expectSameRun(TwoPhaseCommit(resourceManagers: 5, mutation: .commitWithoutAllPrepared), ranks: 3, lookingFor: "TCConsistent")
    }

    /// One process's random runs and the runs over `ranks` ranks: the same runs counted, the same first failure.
    func expectSameSimulation<S: TransitionSystem>(_ system: S, ranks: Int, runs: Int, properties: Set<String>? = nil,
                                                   sourceLocation: SourceLocation = #_sourceLocation) {
        var options = SimulationOptions()
        options.runs = runs
        options.workers = 1
        options.properties = properties
        let single = Simulator(system, options: options).run()
        let base = options
        let results = ThreadRanks.run(size: ranks) { exchange in
            var options = base
            options.exchange = exchange
            return Simulator(system, options: options).run()
        }
        for result in results {
            #expect(result.runs == single.runs, sourceLocation: sourceLocation)
            #expect(result.steps == single.steps, sourceLocation: sourceLocation)
            #expect(result.partitionedSteps == single.partitionedSteps, sourceLocation: sourceLocation)
            #expect(result.coverage == single.coverage, sourceLocation: sourceLocation)
            #expect(result.deepest == single.deepest, sourceLocation: sourceLocation)
            #expect(result.failure?.run == single.failure?.run, sourceLocation: sourceLocation)
            #expect(result.failure?.property == single.failure?.property, sourceLocation: sourceLocation)
            #expect(result.failure?.shrunk.steps.map(\.state) == single.failure?.shrunk.steps.map(\.state), sourceLocation: sourceLocation)
        }
    }

    @Test func simulationOverRanksIsOneProcesssSimulation() throws {
        // No failure: every run counted once.
        expectSameSimulation(Paxos(acceptors: 5, values: 3, maxBallot: 4), ranks: 3, runs: 500)
        // A failure: the least failing run, the runs before it counted, those after it not.
        let mutant = Paxos(acceptors: 5, values: 3, maxBallot: 4, mutation: .ignoreHighestVote)
        expectSameSimulation(mutant, ranks: 3, runs: 100_000, properties: ["Agreement"])
        expectSameSimulation(Raft(servers: 5, values: 2, maxTerm: 8, maxLogLength: 6, maxMessages: 8, mutation: .forgetVoteOnRestart),
                             ranks: 2, runs: 100_000, properties: ["ElectionSafety"])
    }

    @Test func shardsTogetherFindTheSingleProcesssFailure() throws {
        let mutant = Paxos(acceptors: 5, values: 3, maxBallot: 4, mutation: .ignoreHighestVote)
        var options = SimulationOptions()
        options.runs = 100_000
        options.properties = ["Agreement"]
        let single = try #require(Simulator(mutant, options: options).run().failure)
        let shards = (0..<3).map { i in
            var shard = options
            shard.shard = (i, 3)
            return Simulator(mutant, options: shard).run()
        }
        let first = try #require(shards.compactMap(\.failure).min { $0.run < $1.run })
        #expect(first.run == single.run)
        #expect(first.shrunk.steps.map(\.state) == single.shrunk.steps.map(\.state))
        for (i, shard) in shards.enumerated() {
            if let failure = shard.failure { #expect(failure.run % 3 == i) }
        }
    }

    @Test func threadRanksExchangeAsCollectivesDo() {
        let results = ThreadRanks.run(size: 3) { exchange in
            let me = UInt8(exchange.rank)
            let received = exchange.allToAll((0..<3).map { [me, UInt8($0)] })
            let gathered = exchange.allGather([me])
            let sums = exchange.allReduce([UInt64(me), 1], .sum)
            let least = exchange.allReduce([UInt64(me) + 5], .min)
            let most = exchange.allReduce([UInt64(me) + 5], .max)
            let root = exchange.broadcast([me, me], from: 2)
            return "\(received) \(gathered) \(sums) \(least) \(most) \(root)"
        }
        #expect(results == (0..<3).map { r in "\((0..<3).map { [UInt8($0), UInt8(r)] }) [[0], [1], [2]] [3, 3] [5] [7] [2, 2]" })
    }
}
