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

    /// `didNotVoteAt`, `didNotVoteIn`, `castItsVote`, `chosen`, `chosenAt`, `showsSafeAt` and
    /// `showsSafeAtSomeQuorum` on every acceptor, ballot, value and quorum (the minority quorums
    /// of a mutant's too), and the conjuncts over messages (`msgs1b`, `msgs2a`, `msgs2b`,
    /// `msgs1bHighest`), on every reachable state: the correct model's and the mutants', whose
    /// states break the invariants that read them.
    @Test(arguments: [nil] + Paxos.Mutation.allCases.map(Optional.some))
    func theShortcutsAgreeWithTheDefinitions(mutation: Paxos.Mutation?) {
        let paxos = Paxos(acceptors: 3, values: 2, maxBallot: 2, mutation: mutation)
        let quorums = paxos.quorums.map(Paxos.members)
        let states = Self.reachable(paxos, limit: 40_000)
        // Counted, then expected once: an expectation per comparison made the test slow.
        var disagreements = 0, unsafe = 0, safe = 0, voted = 0, chosen = 0, notChosen = 0
        for state in states {
            let view = PaxosConcreteView(state, of: paxos)
            for a in view.acceptors {
                for b in view.ballots {
                    let fast = view.didNotVoteAt(a, b).value
                    if fast != view.didNotVoteAtByDefinition(a, b).value { disagreements += 1 }
                    if !fast { voted += 1 }
                    for c in b...(view.ballots.upperBound + 1) where view.didNotVoteIn(a, b..<c).value != view.didNotVoteInByDefinition(a, b..<c).value {
                        disagreements += 1
                    }
                }
            }
            for a in view.acceptors where view.castItsVote(a).value != view.castItsVoteByDefinition(a).value { disagreements += 1 }
            for v in view.values where view.chosen(v).value != view.chosenByDefinition(v).value { disagreements += 1 }
            for b in view.ballots {
                for v in view.values {
                    let fast = view.chosenAt(b, v).value
                    if fast != view.chosenAtByDefinition(b, v).value { disagreements += 1 }
                    if fast { chosen += 1 } else { notChosen += 1 }
                }
            }
            for b in view.ballots {
                for v in view.values {
                    for q in quorums {
                        let fast = view.showsSafeAt(q, b, v).value
                        if fast != view.showsSafeAtByDefinition(q, b, v).value { disagreements += 1 }
                        if fast { safe += 1 } else { unsafe += 1 }
                    }
                    if view.showsSafeAtSomeQuorum(b, v).value != view.showsSafeAtSomeQuorumByDefinition(b, v).value { disagreements += 1 }
                }
            }
            if view.quorums != quorums { disagreements += 1 }
            if Self.conjunctsDisagree(view) { disagreements += 1 }
        }
        #expect(disagreements == 0)
        // Both answers of each are met, many times over.
        #expect(states.count >= 3_000)
        #expect(voted > 1_000 && safe > 1_000 && unsafe > 1_000 && chosen > 1_000 && notChosen > 1_000)
    }

    /// The same answers on states no run reaches: random messages anywhere in the explorer's
    /// layout (its five acceptors and ballots and three values, beyond the model's), read by a
    /// model of three acceptors, ballots 0...2 and two values, and by the largest model.
    @Test(arguments: [(3, 2, 2), (5, 3, 4)])
    func theShortcutsAgreeWithTheDefinitionsOnAnyMessages(acceptors: Int, values: Int, maxBallot: Int) {
        let paxos = Paxos(acceptors: acceptors, values: values, maxBallot: maxBallot)
        var random = SeededGenerator(seed: 16)
        var disagreements = 0, safe = 0, unsafe = 0, chosen = 0, chosenSome = 0, castAny = 0
        for _ in 0..<3_000 {
            var state = PaxosState(acceptors: acceptors)
            for a in 0..<acceptors { state.maxBal[a] = Int(random.next() % 6) - 1 }
            var messages: [PaxosMessage] = []
            for _ in 0..<Int(random.next() % 24) {
                let a = Int(random.next() % 5), b = Int(random.next() % 5), v = Int(random.next() % 3)
                messages.append(random.next() % 4 == 0 ? .phase2b(acc: a, bal: b, val: v) : .phase2b(acc: a % acceptors, bal: b % (maxBallot + 1), val: v % values))
            }
            state.replaceMessages(messages)
            for a in 0..<acceptors {
                state.maxVBal[a] = Int(random.next() % 7) - 1
                state.maxVal[a] = Int(random.next() % 5) - 1
            }
            let view = PaxosConcreteView(state, of: paxos)
            var cast = 0
            for a in 0..<acceptors {
                if view.castItsVote(a).value != view.castItsVoteByDefinition(a).value { disagreements += 1 }
                if view.castItsVote(a).value { cast += 1 }
            }
            castAny += cast
            for v in -1...3 {
                if view.chosen(v).value != view.chosenByDefinition(v).value { disagreements += 1 }
                if view.chosen(v).value { chosenSome += 1 }
            }
            for b in -1...5 {
                for a in 0..<5 where view.didNotVoteAt(a, b).value != view.didNotVoteAtByDefinition(a, b).value { disagreements += 1 }
                for a in 0..<5 {
                    for c in (b - 1)...6 where view.didNotVoteIn(a, b..<max(b, c)).value != view.didNotVoteInByDefinition(a, b..<max(b, c)).value {
                        disagreements += 1
                    }
                }
                for v in -1...3 {
                    let fast = view.chosenAt(b, v).value
                    if fast != view.chosenAtByDefinition(b, v).value { disagreements += 1 }
                    if fast { chosen += 1 }
                    let some = view.showsSafeAtSomeQuorum(b, v).value
                    if some != view.showsSafeAtSomeQuorumByDefinition(b, v).value { disagreements += 1 }
                    if some { safe += 1 } else { unsafe += 1 }
                    for q in view.quorums where view.showsSafeAt(q, b, v).value != view.showsSafeAtByDefinition(q, b, v).value { disagreements += 1 }
                }
            }
        }
        #expect(disagreements == 0)
        #expect(safe > 1_000 && unsafe > 1_000 && chosen > 100 && chosenSome > 100 && castAny > 100)
    }

    /// Whether one of the conjuncts over messages (`msgs1b`, `msgs2a`, `msgs2b`,
    /// `msgs1bHighest`) answers otherwise than its definition.
    static func conjunctsDisagree(_ view: PaxosConcreteView<PaxosMessageSet>) -> Bool {
        view.msgs1b().value != Inv.msgs1bByDefinition(view).value
            || view.msgs2a().value != Inv.msgs2aByDefinition(view).value
            || view.msgs2b().value != Inv.msgs2bByDefinition(view).value
            || view.msgs1bHighest().value != InductiveInv.msgs1bHighestByDefinition(view).value
            || view.typeOK().value != TypeOK.holdsByDefinition(view).value
    }

    /// `TypeOK` from the packed words against its definition, on random values of the
    /// acceptors' variables around their types' bounds (the states of a run stay within them).
    @Test(arguments: [(3, 2, 2), (5, 3, 4)])
    func typeOKAgreesWithItsDefinition(acceptors: Int, values: Int, maxBallot: Int) {
        let paxos = Paxos(acceptors: acceptors, values: values, maxBallot: maxBallot)
        var random = SeededGenerator(seed: 18)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var disagreements = 0, held = 0, failed = 0
        for _ in 0..<10_000 {
            var state = PaxosState(acceptors: acceptors)
            for a in 0..<acceptors {
                // Mostly within the types, now and then one above.
                state.maxBal[a] = below(maxBallot + 2 + (below(8) == 0 ? 1 : 0)) - 1
                state.maxVBal[a] = below(maxBallot + 2 + (below(8) == 0 ? 1 : 0)) - 1
                state.maxVal[a] = below(values + 1 + (below(8) == 0 ? 1 : 0)) - 1
            }
            let view = PaxosConcreteView(state, of: paxos)
            let fast = view.typeOK().value
            if fast != TypeOK.holdsByDefinition(view).value { disagreements += 1 }
            if fast { held += 1 } else { failed += 1 }
        }
        #expect(disagreements == 0)
        #expect(held > 1_000 && failed > 1_000, "held \(held), failed \(failed)")
    }

    /// The conjuncts over messages on random states: messages of every kind within the model's
    /// bounds (the conjuncts read no others: no state of the model holds them), at the model of
    /// three acceptors and at the largest, whose messages fill the explorer's layout.
    @Test(arguments: [(3, 2, 2), (5, 3, 4)])
    func theConjunctsOverMessagesAgreeWithTheirDefinitions(acceptors: Int, values: Int, maxBallot: Int) {
        let paxos = Paxos(acceptors: acceptors, values: values, maxBallot: maxBallot)
        var random = SeededGenerator(seed: 17)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        var disagreements = 0
        // How often each conjunct held and failed: both answers are met.
        var held = [0, 0, 0, 0], failed = [0, 0, 0, 0]
        for _ in 0..<30_000 {
            var state = PaxosState(acceptors: acceptors)
            for a in 0..<acceptors {
                state.maxBal[a] = below(maxBallot + 2) - 1
                state.maxVBal[a] = below(maxBallot + 2) - 1
                state.maxVal[a] = below(values + 1) - 1
            }
            var messages: [PaxosMessage] = []
            for _ in 0..<below(7) {
                let a = below(acceptors), b = below(maxBallot + 1), v = below(values)
                switch below(3) {
                // Half of the 1b messages report no vote, as most of a run's do.
                case 0: messages.append(.phase1b(acc: a, bal: b, mbal: below(2) == 0 ? -1 : below(maxBallot + 2) - 1, mval: below(values + 1) - 1))
                case 1: messages.append(.phase2a(bal: b, val: v))
                default: messages.append(.phase2b(acc: a, bal: b, val: v))
                }
            }
            state.replaceMessages(messages)
            let view = PaxosConcreteView(state, of: paxos)
            if Self.conjunctsDisagree(view) { disagreements += 1 }
            for (k, answer) in [view.msgs1b(), view.msgs2a(), view.msgs2b(), view.msgs1bHighest()].enumerated() {
                if answer.value { held[k] += 1 } else { failed[k] += 1 }
            }
        }
        #expect(disagreements == 0)
        #expect(held.allSatisfy { $0 > 1_000 } && failed.allSatisfy { $0 > 1_000 }, "held \(held), failed \(failed)")
    }
}
