import Testing
import QuorumCore
@testable import Raft

/// The concrete view's own answers for `InductiveElectionSafety`'s vote conjuncts against their
/// definitions, which every other view (symbolic, footprint) evaluates: the explorer trusts the
/// former.
@Suite struct RaftViewTests {
    /// Every reachable state of `raft`, breadth first, up to `limit`.
    static func reachable(_ raft: Raft, limit: Int) -> [RaftState] {
        var seen: Set<RaftState> = Set(raft.initialStates)
        var states = raft.initialStates
        var next = 0
        while next < states.count && states.count < limit {
            let state = states[next]
            next += 1
            for action in raft.enabledActions(in: state) {
                let successor = raft.apply(action, to: state)
                if seen.insert(successor).inserted { states.append(successor) }
            }
        }
        return states
    }

    /// The two answers, with how often each holds and fails.
    struct Tally {
        var disagreements = 0, held = 0, failed = 0

        mutating func compare(_ state: RaftState) {
            RaftConcreteView.with(state) { view in
                let answers = [(view.countedVotesWereCast().value, InductiveElectionSafety.countedVotesWereCastByDefinition(view).value),
                               (view.oneVotePerTerm().value, InductiveElectionSafety.oneVotePerTermByDefinition(view).value)]
                for (fast, definition) in answers {
                    if fast != definition { disagreements += 1 }
                    if fast { held += 1 } else { failed += 1 }
                }
            }
        }
    }

    /// Every reachable state of the model and of each mutant (`forgetVoteOnRestart` breaks both
    /// conjuncts), with two messages in flight.
    @Test(arguments: [nil] + Raft.Mutation.allCases.map(Optional.some))
    func theVoteConjunctsAgreeWithTheirDefinitions(mutation: Raft.Mutation?) {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 0, maxMessages: 2, mutation: mutation)
        var tally = Tally()
        for state in Self.reachable(raft, limit: 30_000) { tally.compare(state) }
        #expect(tally.disagreements == 0)
        #expect(tally.held > 10_000)
        if mutation == .forgetVoteOnRestart { #expect(tally.failed > 20) }
    }

    /// Random roles, terms, votes and granted votes in flight, which no run need reach, at three
    /// to five servers.
    @Test func theVoteConjunctsAgreeWithTheirDefinitionsOnAnyVotes() {
        var random = SeededGenerator(seed: 16)
        var tally = Tally()
        for _ in 0..<20_000 {
            let n = 3 + Int(random.next() % 3)
            var state = RaftState(servers: n)
            for i in 0..<n {
                state.currentTerm[i] = 1 + Int(random.next() % 3)
                state.state[i] = [Role.follower, .candidate, .leader][Int(random.next() % 3)]
                state.votedFor[i] = Int(random.next() % UInt64(n + 1)) - 1
                state.votesGranted[i] = Int(random.next() % (1 << UInt64(n)))
            }
            for _ in 0..<Int(random.next() % 4) {
                state.messages.add(.requestVoteResponse(term: 1 + Int(random.next() % 3), voteGranted: random.next() % 4 != 0,
                                                        source: Int(random.next() % UInt64(n)), dest: Int(random.next() % UInt64(n))))
            }
            tally.compare(state)
        }
        #expect(tally.disagreements == 0)
        #expect(tally.held > 1_000 && tally.failed > 1_000)
    }
}
