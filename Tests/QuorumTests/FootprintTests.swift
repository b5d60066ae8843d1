import Testing
@testable import QuorumCore
@testable import Raft

/// An invariant's footprint (every variable it can read, derived by evaluating it in
/// ``Footprint``) lets the explorer skip it on a successor whose step touched none of them.
@Suite struct FootprintTests {
    /// Raft with its invariants' footprints replaced, to compare the explorer's runs.
    struct Refooted: TransitionSystem {
        let base: Raft
        let footprint: @Sendable (Invariant<RaftState>) -> VariableSet
        var initialStates: [RaftState] { base.initialStates }
        func enabledActions(in state: RaftState, into actions: inout [RaftAction]) { base.enabledActions(in: state, into: &actions) }
        func apply(_ action: RaftAction, to state: RaftState) -> RaftState { base.apply(action, to: state) }
        /// The spec's own invariants where `footprint` leaves theirs, conjuncts' footprints included.
        var invariants: [Invariant<RaftState>] {
            base.invariants.map { footprint($0) == $0.footprint ? $0 : Invariant($0.name, $0.summary, footprint: footprint($0), holds: $0.holds) }
        }
        var actionProperties: [ActionProperty<RaftState, RaftAction>] { base.actionProperties }
        func changedVariables(from before: RaftState, to after: RaftState) -> VariableSet { base.changedVariables(from: before, to: after) }
        func isWithinBounds(_ state: RaftState) -> Bool { base.isWithinBounds(state) }
        var traceVariables: [String] { base.traceVariables }
        func traceValues(of state: RaftState) -> [ITFValue] { base.traceValues(of: state) }
    }

    static func bits(_ variables: RaftVariable...) -> VariableSet { variables.reduce(0) { $0 | $1.bit } }

    @Test func raftsFootprintsAreTheVariablesEachInvariantReads() {
        let footprints = Dictionary(uniqueKeysWithValues: Raft().invariants.map { ($0.name, $0.footprint) })
        #expect(footprints == [
            "ElectionSafety": Self.bits(.state, .currentTerm),
            "LogMatching": Self.bits(.log),
            "LeaderCompleteness": Self.bits(.state, .currentTerm, .log, .commitIndex),
            "StateMachineSafety": Self.bits(.log, .commitIndex),
            "InductiveElectionSafety": Self.bits(.state, .currentTerm, .votedFor, .votesGranted) | RaftVariable.voteGrants,
            "CandidatesHaveTimedOut": Self.bits(.state, .currentTerm),
        ])
        // A step that only sends or drops a granted vote has two of InductiveElectionSafety's
        // five conjuncts evaluated; one that sends, duplicates or drops any other message, none.
        let inductive = Raft().invariants.first { $0.name == "InductiveElectionSafety" }!
        #expect(inductive.conjuncts.map(\.name) == ["electionSafety", "leadersHaveQuorums", "countedVotesWereCast",
                                                     "grantMessagesWereCast", "oneVotePerTerm"])
        #expect(inductive.conjunctFootprints == [
            Self.bits(.state, .currentTerm), Self.bits(.state, .votesGranted), Self.bits(.state, .currentTerm, .votedFor, .votesGranted),
            Self.bits(.currentTerm, .votedFor) | RaftVariable.voteGrants, Self.bits(.state, .currentTerm, .votesGranted) | RaftVariable.voteGrants,
        ])
        #expect(Raft().invariants.allSatisfy { $0.conjunctFootprints.reduce(0, |) | $0.footprint == $0.footprint })
    }

    /// The granted votes in flight, part of `messages`, have a bit of their own, set exactly when
    /// the set of granted RequestVoteResponses differs (copies aside), on random runs of every
    /// mutant at five servers; `messages`' bit is set exactly when the bag differs.
    @Test func theGrantedVotesInFlightChangeExactlyWhenTheirBitSaysSo() {
        var steps = 0, grantSteps = 0, otherMessageSteps = 0
        func grants(_ s: RaftState) -> Set<RaftMessage> {
            Set(s.messages.items.map(\.message).filter { $0.kind == .requestVoteResponse && $0.voteGranted })
        }
        for mutation in [nil] + Raft.Mutation.allCases.map(Optional.some) {
            let raft = Raft(servers: 5, values: 2, maxTerm: 5, maxLogLength: 4, maxMessages: 4, mutation: mutation)
            for run in 0..<20 {
                var rng = SeededGenerator(seed: 9, run: run)
                var state = raft.initialStates[0]
                for _ in 0..<100 {
                    let next = raft.enabledActions(in: state).map { raft.apply($0, to: state) }.filter(raft.isWithinBounds)
                    guard !next.isEmpty else { break }
                    let after = next[rng.below(next.count)]
                    let changed = raft.changedVariables(from: state, to: after)
                    #expect((changed & RaftVariable.messages.bit != 0) == (state.messages != after.messages))
                    #expect((changed & RaftVariable.voteGrants != 0) == (grants(state) != grants(after)))
                    if changed & RaftVariable.voteGrants != 0 { grantSteps += 1 }
                    else if changed & RaftVariable.messages.bit != 0 { otherMessageSteps += 1 }
                    steps += 1
                    state = after
                }
            }
        }
        #expect(steps > 5_000 && grantSteps > 100 && otherMessageSteps > 1_000)
    }

    /// A violation's explanation names `messages` for a conjunct that reads the granted votes in
    /// flight: their bit stands for part of that variable. (The viewer puts in bold what it names.)
    @Test func anExplanationNamesTheVariableThatAPartBelongsTo() throws {
        let raft = Raft()
        var state = raft.initialStates[0]
        state.messages.add(.requestVoteResponse(term: 1, voteGranted: true, source: 0, dest: 1))
        let why = try #require(raft.explain("InductiveElectionSafety", in: state))
        #expect(why.failingConjuncts == ["grantMessagesWereCast"])
        #expect(why.reads == ["currentTerm", "votedFor", "messages"])
        #expect(raft.variable(ofPart: 32) == raft.traceVariables.firstIndex(of: "messages"))
        #expect(raft.variable(ofPart: 33) == nil)
    }

    /// What an evaluation reads on a concrete state (the view records it) lies in the footprint,
    /// over random runs of every mutant at five servers.
    @Test func everyReadOfAnEvaluationLiesInTheFootprint() {
        var evaluations = 0
        for mutation in [nil] + Raft.Mutation.allCases.map(Optional.some) {
            let raft = Raft(servers: 5, values: 2, maxTerm: 5, maxLogLength: 4, maxMessages: 4, mutation: mutation)
            for run in 0..<20 {
                var rng = SeededGenerator(seed: 3, run: run)
                var state = raft.initialStates[0]
                for _ in 0..<100 {
                    for invariant in raft.invariants {
                        for part in invariant.recordingReads {
                            var read: VariableSet = 0
                            _ = part(state, &read)
                            evaluations += 1
                            #expect(read & ~invariant.footprint == 0, "\(invariant.name) read outside its footprint")
                        }
                    }
                    let next = raft.enabledActions(in: state).map { raft.apply($0, to: state) }.filter(raft.isWithinBounds)
                    guard !next.isEmpty else { break }
                    state = next[rng.below(next.count)]
                }
            }
        }
        #expect(evaluations > 50_000)
    }

    /// Every mutant's shortest trace of every property found, and the figures, are the same
    /// whether the explorer skips by footprint or evaluates every invariant on every successor.
    @Test func skippingByFootprintChangesNoVerdictAndNoTrace() {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        options.workers = 2
        options.maxStates = isOptimized ? 300_000 : 20_000
        var violations = 0
        for mutation in [nil] + Raft.Mutation.allCases.map(Optional.some) {
            let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 1, mutation: mutation)
            let skipping = Explorer(Refooted(base: raft) { $0.footprint }, options: options).run()
            let evaluating = Explorer(Refooted(base: raft) { _ in .max }, options: options).run()
            #expect(skipping.distinctStates == evaluating.distinctStates && skipping.statesGenerated == evaluating.statesGenerated)
            #expect(skipping.violations.map(\.property) == evaluating.violations.map(\.property), "\(String(describing: mutation))")
            for (a, b) in zip(skipping.violations, evaluating.violations) {
                #expect(a.trace.steps.map(\.action) == b.trace.steps.map(\.action), "\(a.property)")
            }
            violations += skipping.violations.count
        }
        #expect(violations > 0)
    }

    /// A footprint that leaves out `state` misses the step where a second leader of a term is
    /// elected: the explorer then finds ElectionSafety's violation later, or not at all.
    @Test(.enabled(if: isOptimized, "release builds only")) func aFootprintThatMissesAVariableMissesTheShortestTrace() throws {
        var options = ExplorationOptions()
        options.properties = ["ElectionSafety"]
        let raft = Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart)
        let found = try #require(Explorer(Refooted(base: raft) { $0.footprint }, options: options).run().violations.first)
        #expect(found.trace.length == 18)
        let blind = Explorer(Refooted(base: raft) { $0.name == "ElectionSafety" ? Self.bits(.currentTerm) : $0.footprint },
                             options: options).run()
        #expect(blind.violations.allSatisfy { $0.trace.length > found.trace.length })
    }
}
