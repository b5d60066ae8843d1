import Foundation
import Testing
import QuorumCore
@testable import Paxos

/// Paxos's message set as bits (``PaxosMessageSet``) against Swift's `Set` of messages, and the
/// footprints its bits make possible.
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

    /// Inserting, membership, order, ranges, equality, kinds changed and coding, after every
    /// insertion of random runs, with and without messages beyond the layout.
    @Test(arguments: [false, true]) func theBitsAgreeWithASetOfMessages(beyond: Bool) throws {
        var checked = 0
        for run in 0..<40 {
            var rng = SeededGenerator(seed: 11, run: run)
            var bits = PaxosMessageSet(), reference = Set<PaxosMessage>()
            for _ in 0..<60 {
                let before = bits
                let m = Self.message(&rng, beyond: beyond && rng.below(4) == 0)
                #expect(bits.insert(m) == reference.insert(m).inserted)
                #expect(Array(bits) == reference.sorted())
                #expect(bits.count == reference.count)
                for _ in 0..<5 {
                    let probe = Self.message(&rng, beyond: beyond)
                    #expect(bits.contains(probe) == reference.contains(probe))
                }
                // A range: two messages in order, and everything between them.
                let ends = [Self.message(&rng, beyond: beyond), Self.message(&rng, beyond: beyond)].sorted()
                var visited: [PaxosMessage] = []
                bits.forEach(from: ends[0], through: ends[1]) { visited.append($0) }
                #expect(visited == reference.sorted().filter { $0 >= ends[0] && $0 <= ends[1] })
                // The kinds changed: exactly those of the new message within the layout.
                let kinds = bits.kindsDiffering(from: before)
                if bits == before {
                    #expect(kinds == 0)
                } else {
                    #expect(kinds & Self.kind(m) != 0)
                    if !beyond { #expect(kinds == Self.kind(m)) }
                }
                checked += 1
            }
            // Equal sets built in another order are equal, hash alike and print alike.
            let shuffled = PaxosMessageSet(reference.shuffled(using: &rng))
            #expect(shuffled == bits)
            #expect(shuffled.hashValue == bits.hashValue)
            var a = Fingerprinter(), b = Fingerprinter()
            bits.forEachWord { a.combine($0) }
            shuffled.forEachWord { b.combine($0) }
            #expect(a.value == b.value)
            // Written as the list of messages, and read back.
            let data = try JSONEncoder().encode(bits)
            #expect(try JSONDecoder().decode([PaxosMessage].self, from: data) == reference.sorted())
            #expect(try JSONDecoder().decode(PaxosMessageSet.self, from: data) == bits)
        }
        #expect(checked == 2_400)
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
