import Testing
import QuorumCore
@testable import Paxos

/// The concrete view's own answers for Voting.tla's operators against their definitions, which
/// every other view (symbolic, footprint) evaluates: the explorer trusts the former.
@Suite struct PaxosViewTests {
    /// Every reachable state of `paxos`, breadth first, up to `limit`.
    static func reachable(_ paxos: Paxos, limit: Int) -> [PaxosState] {
        var seen: Set<PaxosState> = Set(paxos.initialStates)
        var states = paxos.initialStates
        var next = 0
        while next < states.count && states.count < limit {
            let state = states[next]
            next += 1
            for action in paxos.enabledActions(in: state) {
                let successor = paxos.apply(action, to: state)
                if seen.insert(successor).inserted { states.append(successor) }
            }
        }
        return states
    }

    /// `didNotVoteAt`, `chosenAt` and `showsSafeAt` on every acceptor, ballot, value and quorum (the
    /// minority quorums of a mutant's too) of every reachable state: the correct model's and the
    /// mutants', whose states break the invariants that read them.
    @Test(arguments: [nil] + Paxos.Mutation.allCases.map(Optional.some))
    func theShortcutsAgreeWithTheDefinitions(mutation: Paxos.Mutation?) {
        let paxos = Paxos(acceptors: 3, values: 2, maxBallot: 2, mutation: mutation)
        let quorums = paxos.quorums.map(Paxos.members)
        let states = Self.reachable(paxos, limit: 40_000)
        // Counted, then expected once: an expectation per comparison made the test slow.
        var disagreements = 0, unsafe = 0, safe = 0, voted = 0, chosen = 0, notChosen = 0
        for state in states {
            let view = PaxosConcreteView(state, of: paxos, quorums: quorums)
            for a in view.acceptors {
                for b in view.ballots {
                    let fast = view.didNotVoteAt(a, b).value
                    if fast != view.didNotVoteAtByDefinition(a, b).value { disagreements += 1 }
                    if !fast { voted += 1 }
                }
            }
            for b in view.ballots {
                for v in view.values {
                    let fast = view.chosenAt(b, v).value
                    if fast != view.chosenAtByDefinition(b, v).value { disagreements += 1 }
                    if fast { chosen += 1 } else { notChosen += 1 }
                }
            }
            for q in quorums {
                for b in view.ballots {
                    for v in view.values {
                        let fast = view.showsSafeAt(q, b, v).value
                        if fast != view.showsSafeAtByDefinition(q, b, v).value { disagreements += 1 }
                        if fast { safe += 1 } else { unsafe += 1 }
                    }
                }
            }
        }
        #expect(disagreements == 0)
        // Both answers of each are met, many times over.
        #expect(states.count >= 3_000)
        #expect(voted > 1_000 && safe > 1_000 && unsafe > 1_000 && chosen > 1_000 && notChosen > 1_000)
    }
}
