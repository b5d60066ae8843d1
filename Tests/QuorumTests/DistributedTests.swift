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
                                            maxStates: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        var options = ExplorationOptions()
        options.symmetry = symmetry
        options.stopOnceViolated = lookingFor
        options.maxStates = maxStates
        options.checkTemporal = false
        options.workers = 1
        let single = Explorer(system, options: options).run()
        let base = options
        let results = ThreadRanks.run(size: ranks) { exchange in
            var options = base
            options.exchange = exchange
            return Explorer(system, options: options).run()
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
        // 185,369 states, 2 and 3 ranks; with symmetry, 3 ranks.
        expectSameRun(Paxos(maxBallot: 2), ranks: 2)
        expectSameRun(Paxos(maxBallot: 2), ranks: 3)
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

    @Test func statesWithReferencesTravelAsJSON() {
        #expect(!_isPOD(TwoPhaseCommit.State.self))
        expectSameRun(TwoPhaseCommit(resourceManagers: 5), ranks: 2)
        expectSameRun(TwoPhaseCommit(resourceManagers: 5, mutation: .commitWithoutAllPrepared), ranks: 3, lookingFor: "TCConsistent")
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
