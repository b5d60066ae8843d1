import Foundation
import Testing
import QuorumCore
@testable import Paxos

/// Paxos's message sets (the explorer's bits, ``PaxosMessageSet``, and a cluster's list,
/// ``PaxosMessageList``) against Swift's `Set` of messages, and the footprints the bits make
/// possible.
@Suite struct PaxosMessageSetTests {
    /// A random message, a few of them beyond the layout's bounds (as a cluster's are).
    static func message(_ rng: inout SeededGenerator, beyond: Bool) -> PaxosMessage {
        let acceptors = beyond ? 7 : PaxosMessageSet.maxAcceptors, ballots = beyond ? 8 : PaxosMessageSet.maxBallot + 1
        let values = beyond ? 6 : PaxosMessageSet.maxValues
        switch rng.below(4) {
        case 0: return .phase1a(bal: rng.below(ballots))
        case 1: return .phase1b(acc: rng.below(acceptors), bal: rng.below(ballots), mbal: rng.below(ballots + 1) - 1, mval: rng.below(values + 1) - 1)
        case 2: return .phase2a(bal: rng.below(ballots), val: rng.below(values))
        default: return .phase2b(acc: rng.below(acceptors), bal: rng.below(ballots), val: rng.below(values))
        }
    }

    static func kind(_ m: PaxosMessage) -> UInt8 {
        switch m {
        case .phase1a: 1
        case .phase1b: 2
        case .phase2a: 4
        case .phase2b: 8
        }
    }

    /// Inserting, membership, order, ranges, equality and coding of a set of messages, against
    /// Swift's `Set`, after every insertion of random runs; `check` adds what one kind of set
    /// alone has (the bits' kinds changed).
    static func agreeWithASetOfMessages<M: PaxosMessages>(_: M.Type, beyond: Bool, check: (M, M, PaxosMessage) -> Void = { _, _, _ in }) throws -> Int {
        var checked = 0
        for run in 0..<40 {
            var rng = SeededGenerator(seed: 11, run: run)
            var set = M(), reference = Set<PaxosMessage>()
            for _ in 0..<60 {
                let before = set
                let m = Self.message(&rng, beyond: beyond && rng.below(4) == 0)
                #expect(set.insert(m) == reference.insert(m).inserted)
                #expect(Array(set) == reference.sorted())
                for _ in 0..<5 {
                    let probe = Self.message(&rng, beyond: beyond)
                    #expect(set.contains(probe) == reference.contains(probe))
                }
                // A range: two messages in order, and everything between them.
                let ends = [Self.message(&rng, beyond: beyond), Self.message(&rng, beyond: beyond)].sorted()
                var visited: [PaxosMessage] = []
                set.forEach(from: ends[0], through: ends[1]) { visited.append($0) }
                #expect(visited == reference.sorted().filter { $0 >= ends[0] && $0 <= ends[1] })
                check(before, set, m)
                checked += 1
            }
            // Equal sets built in another order are equal, hash alike and print alike.
            let shuffled = M(reference.shuffled(using: &rng))
            #expect(shuffled == set)
            #expect(shuffled.hashValue == set.hashValue)
            var a = Fingerprinter(), b = Fingerprinter()
            set.forEachWord { a.combine($0) }
            shuffled.forEachWord { b.combine($0) }
            #expect(a.value == b.value)
            // Written as the list of messages, and read back.
            let data = try JSONEncoder().encode(set)
            #expect(try JSONDecoder().decode([PaxosMessage].self, from: data) == reference.sorted())
            #expect(try JSONDecoder().decode(M.self, from: data) == set)
        }
        return checked
    }

    /// The explorer's bits, within their layout; and the kinds of message a step changed.
    @Test func theBitsAgreeWithASetOfMessages() throws {
        let checked = try Self.agreeWithASetOfMessages(PaxosMessageSet.self, beyond: false) { before, bits, m in
            #expect(bits.count == Array(bits).count)
            let kinds = bits.kindsDiffering(from: before)
            #expect(kinds == (bits == before ? 0 : Self.kind(m)))
        }
        #expect(checked == 2_400)
    }

    /// A cluster's list, with messages beyond the explorer's layout.
    @Test func theListAgreesWithASetOfMessages() throws {
        #expect(try Self.agreeWithASetOfMessages(PaxosMessageList.self, beyond: true) == 2_400)
    }

    /// A file that names a message beyond the layout is refused, not trapped on.
    @Test func bitsReadFromAFileStayWithinTheLayout() throws {
        let data = try JSONEncoder().encode([PaxosMessage.phase1a(bal: 1), .phase2a(bal: PaxosMessageSet.maxBallot + 1, val: 0)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PaxosMessageSet.self, from: data) }
        #expect(try JSONDecoder().decode(PaxosMessageList.self, from: data).count == 2)
        #expect(!PaxosMessageSet.holds(.phase2b(acc: PaxosMessageSet.maxAcceptors, bal: 0, val: 0)))
    }

    /// The cluster's model runs the explorer's functions: at the explorer's bounds the two list
    /// the same actions and reach the same states, step for step, on random runs of every mutant;
    /// beyond them the cluster's model keeps going.
    @Test func theClustersModelIsTheExplorers() {
        var steps = 0, decided = 0
        for mutation in [nil] + Paxos.Mutation.allCases.map(Optional.some) {
            let paxos = Paxos(acceptors: 3, values: 2, maxBallot: 3, mutation: mutation)
            let listed = PaxosAtAnyBounds(paxos)
            for run in 0..<10 {
                var rng = SeededGenerator(seed: 8, run: run)
                var state = paxos.initialStates[0], other = listed.initialStates[0]
                for _ in 0..<40 {
                    let actions = paxos.enabledActions(in: state)
                    #expect(listed.enabledActions(in: other) == actions)
                    guard !actions.isEmpty else { break }
                    let action = actions[rng.below(actions.count)]
                    state = paxos.apply(action, to: state)
                    other = listed.apply(action, to: other)
                    #expect(Array(other.msgs) == Array(state.msgs) && other.maxBal == state.maxBal && other.maxVal == state.maxVal)
                    #expect(listed.traceValues(of: other) == paxos.traceValues(of: state))
                    #expect(listed.invariants.map { $0.holds(other) } == paxos.invariants.map { $0.holds(state) })
                    #expect(listed.decision(in: other) == paxos.decision(in: state))
                    if paxos.decision(in: state) != nil { decided += 1 }
                    #expect(listed.metrics(of: other).map { "\($0)" } == paxos.metrics(of: state).map { "\($0)" })
                    let k = paxos.traceVariables.firstIndex(of: "msgs")!
                    #expect(paxos.state(state, with: paxos.traceValues(of: state)[k], forVariable: k) == state)
                    #expect(listed.state(other, with: listed.traceValues(of: other)[k], forVariable: k) == other)
                    steps += 1
                }
            }
        }
        #expect(steps > 1_000)
        // Some runs decide: the comparison above is not of nil with nil alone.
        #expect(decided > 100)
        // Ballot 9 and value 4 lie beyond the explorer's layout.
        let wide = PaxosAtAnyBounds(Paxos(acceptors: 3, values: 4, maxBallot: 9))
        var s = wide.initialStates[0]
        for action in [PaxosAction.phase1a(ballot: 9), .phase1b(acceptor: 0, ballot: 9), .phase1b(acceptor: 1, ballot: 9)] {
            #expect(wide.enabledActions(in: s).contains(action))
            s = wide.apply(action, to: s)
        }
        let propose = wide.enabledActions(in: s).filter { if case .phase2a(9, 3, _) = $0 { true } else { false } }
        #expect(!propose.isEmpty)
        s = wide.apply(propose[0], to: s)
        for a in 0..<2 { s = wide.apply(.phase2b(acceptor: a, ballot: 9, value: 3), to: s) }
        #expect(wide.decision(in: s) == .string("v4"))
        #expect(wide.invariants.allSatisfy { $0.holds(s) })
        #expect(wide.state(fromTraceValues: wide.traceValues(of: s)) == s)
    }

    /// Each invariant's footprint, pinned: which variables, and which kinds of message, it reads.
    @Test func paxosFootprintsAreWhatEachInvariantReads() {
        let paxos = Paxos(maxBallot: 2)
        let footprints = Dictionary(uniqueKeysWithValues: paxos.invariants.map { ($0.name, $0.footprint) })
        let acceptor = PaxosVariable.maxBal | PaxosVariable.maxVBal | PaxosVariable.maxVal
        #expect(footprints == [
            "Agreement": PaxosVariable.sent2b,
            "Inv": acceptor | PaxosVariable.sent1b | PaxosVariable.sent2a | PaxosVariable.sent2b,
            "InductiveInv": acceptor | PaxosVariable.sent1b | PaxosVariable.sent2a | PaxosVariable.sent2b,
            "TypeOK": acceptor,
        ])
        let inductive = paxos.invariants.first { $0.name == "InductiveInv" }!
        #expect(inductive.strengthens == "Inv" && paxos.invariants.filter { $0.strengthens != nil }.count == 1)
        #expect(inductive.conjuncts.map(\.name) == ["acceptors", "msgs1b", "msgs2a", "msgs2b", "msgs1bHighest"])
        #expect(inductive.conjunctFootprints == [
            acceptor | PaxosVariable.sent2b,
            PaxosVariable.maxBal | PaxosVariable.sent1b | PaxosVariable.sent2b,
            PaxosVariable.maxBal | PaxosVariable.sent2a | PaxosVariable.sent2b,
            PaxosVariable.maxVBal | PaxosVariable.sent2a | PaxosVariable.sent2b,
            PaxosVariable.sent1b | PaxosVariable.sent2b,
        ])
        // No invariant reads a 1a message: a Phase1a step has none evaluated.
        #expect(paxos.invariants.allSatisfy { $0.footprint & PaxosVariable.sent1a == 0 })
    }

    /// The actions listed from words of ballots and proposals are those listed by reading the
    /// messages once an acceptor, in the same order; the 1a ballots and 2a proposals, and each
    /// acceptor's highest reported vote, read from the set's bits are the scans'; on random runs
    /// of every mutant at the largest bounds and at the reference model's.
    @Test func theActionsReadWordwiseAreTheActionsReadPerAcceptor() {
        var steps = 0, disagreements = 0, none = 0, noVote = 0, vote = 0, proposed = 0
        for (acceptors, values, maxBallot) in [(5, 3, 4), (3, 2, 2)] {
            for mutation in [nil] + Paxos.Mutation.allCases.map(Optional.some) {
                let paxos = Paxos(acceptors: acceptors, values: values, maxBallot: maxBallot, mutation: mutation)
                for run in 0..<20 {
                    var rng = SeededGenerator(seed: 7, run: run)
                    var state = paxos.initialStates[0]
                    for _ in 0..<60 {
                        var wordwise: [PaxosAction] = [], perAcceptor: [PaxosAction] = []
                        paxos.enabledActions(inAny: state, into: &wordwise, wordwise: true)
                        paxos.enabledActions(inAny: state, into: &perAcceptor, wordwise: false)
                        #expect(wordwise == perAcceptor)
                        let read = state.msgs.ballotsAndProposals(maxBallot: maxBallot, values: values)
                        let scanned = state.msgs.ballotsAndProposalsByScan(maxBallot: maxBallot, values: values)
                        if read != scanned { disagreements += 1 }
                        if scanned.proposals != 0 { proposed += 1 }
                        for acc in 0..<acceptors {
                            for bal in 0...maxBallot {
                                let read = state.msgs.highestVoteReported(acc: acc, bal: bal, maxBallot: maxBallot, values: values)
                                if read != state.msgs.highestVoteReportedByScan(acc: acc, bal: bal, maxBallot: maxBallot, values: values) {
                                    disagreements += 1
                                }
                                switch read {
                                case nil: none += 1
                                case -1: noVote += 1
                                default: vote += 1
                                }
                            }
                        }
                        guard !wordwise.isEmpty else { break }
                        state = paxos.apply(wordwise[rng.below(wordwise.count)], to: state)
                        steps += 1
                    }
                }
            }
        }
        #expect(disagreements == 0)
        #expect(steps > 8_000 && none > 1_000 && noVote > 1_000 && vote > 1_000 && proposed > 1_000)
    }

    /// `changedVariables` names exactly the variables and kinds of message that differ, on every
    /// step of random runs of every mutant at the largest bounds.
    @Test func theChangedVariablesAreExact() {
        var steps = 0
        for mutation in [nil] + Paxos.Mutation.allCases.map(Optional.some) {
            let paxos = Paxos(acceptors: 5, values: 3, maxBallot: 4, mutation: mutation)
            for run in 0..<20 {
                var rng = SeededGenerator(seed: 5, run: run)
                var state = paxos.initialStates[0]
                for _ in 0..<60 {
                    let actions = paxos.enabledActions(in: state)
                    guard !actions.isEmpty else { break }
                    let next = paxos.apply(actions[rng.below(actions.count)], to: state)
                    var expected: VariableSet = 0
                    if state.maxBal != next.maxBal { expected |= PaxosVariable.maxBal }
                    if state.maxVBal != next.maxVBal { expected |= PaxosVariable.maxVBal }
                    if state.maxVal != next.maxVal { expected |= PaxosVariable.maxVal }
                    for m in next.msgs where !state.msgs.contains(m) {
                        expected |= PaxosVariable.msgs | VariableSet(Self.kind(m)) << 32
                    }
                    #expect(paxos.changedVariables(from: state, to: next) == expected)
                    state = next
                    steps += 1
                }
            }
        }
        #expect(steps > 4_000)
    }

    /// Paxos with its invariants' footprints replaced, to compare the explorer's runs.
    struct Refooted: TransitionSystem {
        let base: Paxos
        let skips: Bool
        var initialStates: [PaxosState] { base.initialStates }
        func enabledActions(in state: PaxosState, into actions: inout [PaxosAction]) { base.enabledActions(in: state, into: &actions) }
        func apply(_ action: PaxosAction, to state: PaxosState) -> PaxosState { base.apply(action, to: state) }
        var invariants: [Invariant<PaxosState>] {
            skips ? base.invariants : base.invariants.map { Invariant($0.name, $0.summary, holds: $0.holds) }
        }
        func changedVariables(from before: PaxosState, to after: PaxosState) -> VariableSet { base.changedVariables(from: before, to: after) }
        func isWithinBounds(_ state: PaxosState) -> Bool { base.isWithinBounds(state) }
        var traceVariables: [String] { base.traceVariables }
        func traceValues(of state: PaxosState) -> [ITFValue] { base.traceValues(of: state) }
    }

    /// Every mutant's figures and shortest traces are the same whether the explorer skips by
    /// footprint (and skips steps that change nothing) or evaluates every invariant everywhere.
    @Test func skippingByFootprintChangesNoVerdictAndNoTrace() {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        options.checkTemporal = false
        options.workers = 2
        // Enough for the correct model (185,369 states); the mutants' spaces are far larger.
        options.maxStates = isOptimized ? 300_000 : 20_000
        var violations = 0
        for mutation in [nil] + Paxos.Mutation.allCases.map(Optional.some) {
            let paxos = Paxos(maxBallot: 2, mutation: mutation)
            let skipping = Explorer(Refooted(base: paxos, skips: true), options: options).run()
            let evaluating = Explorer(Refooted(base: paxos, skips: false), options: options).run()
            #expect(skipping.distinctStates == evaluating.distinctStates && skipping.statesGenerated == evaluating.statesGenerated)
            #expect(skipping.violations.map(\.property) == evaluating.violations.map(\.property), "\(String(describing: mutation))")
            for (a, b) in zip(skipping.violations, evaluating.violations) {
                #expect(a.trace.steps.map(\.action) == b.trace.steps.map(\.action), "\(a.property)")
            }
            if mutation == nil && isOptimized { #expect(skipping.distinctStates == 185_369 && skipping.statesGenerated == 1_361_380) }
            violations += skipping.violations.count
        }
        #expect(violations >= 3)
    }
}
