import Testing
import QuorumCore
import Paxos
import Raft
import TwoPhaseCommit

/// `check --coverage`: per action, the states it generated and the new states it found.
@Suite struct CoverageTests {
    static func coverage<System: TransitionSystem>(_ system: System, workers: Int = 2) -> ExplorationResult<System> {
        var options = ExplorationOptions()
        options.coverage = true
        options.workers = workers
        return Explorer(system, options: options).run()
    }

    /// Every generated state is some action's (or an initial one), every distinct state was found
    /// by exactly one; the rows do not depend on the workers.
    @Test func theFiguresAddUpAndDoNotDependOnTheWorkers() {
        let paxos = Self.coverage(Paxos())
        #expect(paxos.coverage.map(\.generated).reduce(0, +) == paxos.statesGenerated)
        #expect(paxos.coverage.map(\.distinct).reduce(0, +) == paxos.distinctStates)
        #expect(paxos.coverage == Self.coverage(Paxos(), workers: 1).coverage)
        #expect(paxos.coverage.map(\.action) == ["Init", "Phase1a", "Phase2a", "Phase1b", "Phase2b"])
        let raft = Self.coverage(Raft(maxLogLength: 0, maxMessages: 0))
        #expect(raft.coverage.map(\.generated).reduce(0, +) == raft.statesGenerated)
        #expect(raft.coverage.map(\.distinct).reduce(0, +) == raft.distinctStates)
        // Every action that fired is one the spec lists (the list names those that never fire).
        #expect(raft.coverage.map(\.action) == ["Init"] + Raft().actionNames)
        #expect(Self.coverage(Raft(servers: 2, maxLogLength: 1)).coverage.map(\.action) == ["Init"] + Raft().actionNames)
    }

    @Test func twoPhaseCommitsFiguresPerAction() {
        let rows = Self.coverage(TwoPhaseCommit()).coverage.map { "\($0.action) \($0.distinct)/\($0.generated)" }
        #expect(rows == ["Init 1/1", "TMCommit 1/1", "TMAbort 22/64", "TMRcvPrepared 21/96", "RMPrepare 64/156",
                         "RMChooseToAbort 64/156", "RMRcvCommitMsg 7/24", "RMRcvAbortMsg 108/648"])
        var options = ExplorationOptions()
        options.workers = 1
        #expect(Explorer(TwoPhaseCommit(), options: options).run().coverage.isEmpty)
    }

    /// No message may be in flight: the message actions never fire, and RequestVote only leaves the bounds.
    @Test func checkWarnsOfActionsThatFoundNoNewState() throws {
        let run = try CLI.run(["check", "raft", "--set", "maxMessages=0", "--coverage", "--no-files", "--quiet"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("    Receive             0 / 0\n"))
        #expect(run.stdout.contains("  warning: Receive was never enabled within these bounds\n"))
        #expect(run.stdout.contains("  warning: RequestVote found no new state (81 generated, each seen before or beyond the bounds)\n"))
        #expect(!run.stdout.contains("warning: Timeout"))
        let json = try CLI.run(["check", "twophasecommit", "--coverage", "--no-files", "--quiet", "--json", "-"])
        #expect(json.stdout.contains(#"{"action": "RMRcvAbortMsg", "generated": 648, "distinct": 108}"#))
    }
}
