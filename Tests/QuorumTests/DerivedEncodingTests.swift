import Testing
import QuorumCore
import QuorumZ3
import TwoPhaseCommit

/// The one description of a ``GuardedSystem``, interpreted twice: concretely (the explorer) and
/// symbolically (the derived encoding). The interpretations must agree, bmc must find exactly
/// the explorer's shortest counterexamples, and the spec's inductive invariant must be proven.
@Suite struct DerivedEncodingTests {
    let identity = ModelIdentity(spec: "TwoPhaseCommit", variant: nil, parameters: [("resourceManagers", 3)])

    @Test func slotsReadBackToEveryReachableState() {
        let tpc = TwoPhaseCommit()
        let layout = tpc.layout
        var seen: Set<CommitState> = [], frontier = tpc.initialStates
        while let s = frontier.popLast() {
            guard seen.insert(s).inserted else { continue }
            #expect(layout.state(layout.slots(of: s), blank: tpc.blank) == s)
            #expect(zip(layout.slots(of: s), layout.ranges).allSatisfy { $1.contains($0) })
            frontier += tpc.enabledActions(in: s).map { tpc.apply($0, to: s) }
        }
        #expect(seen.count == 288)
        // 3 RM states, the TM's, 3 members of tmPrepared, 5 possible messages.
        #expect(layout.slotNames == ["rmState.0", "rmState.1", "rmState.2", "tmState", "tmPrepared.0", "tmPrepared.1",
                                     "tmPrepared.2", "msgs.0", "msgs.1", "msgs.2", "msgs.3", "msgs.4"])
    }

    @Test(arguments: [1, 2, 3])
    func theDerivedEncodingAgreesWithTheExplorer(_ resourceManagers: Int) throws {
        for mutation in [nil] + TwoPhaseCommit.Mutation.allCases.map(Optional.some) {
            let tpc = TwoPhaseCommit(resourceManagers: resourceManagers, mutation: mutation)
            var options = ConformanceOptions()
            options.bitVectors = true
            let report = try Conformance(DerivedEncoding(tpc), model: identity).check(options)
            #expect(report.agrees, "\(report.mismatches.prefix(3))")
            #expect(report.allReachable && report.statesCompared == report.reachableStates)
        }
    }

    /// bmc's shortest counterexample is the explorer's, for every mutant and the property it breaks.
    @Test(arguments: TwoPhaseCommit.Mutation.allCases)
    func bmcFindsTheExplorersShortestCounterexample(_ mutation: TwoPhaseCommit.Mutation) throws {
        let tpc = TwoPhaseCommit(mutation: mutation)
        var explorerOptions = ExplorationOptions()
        explorerOptions.properties = [mutation.breaks]
        let explored = try #require(Explorer(tpc, options: explorerOptions).run().violations.first)
        var options = BMCOptions(maxDepth: explored.trace.length)
        options.invariants = [mutation.breaks]
        let report = try BoundedModelChecker(DerivedEncoding(tpc), model: identity).run(options)
        #expect(report.result == .violation)
        let document = try #require(report.counterexample)
        #expect(document.steps.count - 1 == explored.trace.length)
        #expect(try tpc.replay(document).reproduced)
        // One step shorter finds nothing.
        options.maxDepth = explored.trace.length - 1
        #expect(try BoundedModelChecker(DerivedEncoding(tpc), model: identity).run(options).result == .ok)
    }

    @Test func theStrengtheningIsInductiveAndImpliesConsistency() throws {
        var options = ProofOptions(invariants: ["InductiveConsistency"])
        options.implies = ["TCConsistent"]
        let report = try Prover(DerivedEncoding(TwoPhaseCommit()), model: identity).prove(options)
        #expect(report.result == .inductive)
        #expect(report.vacuous.isEmpty)
        // TCConsistent alone is not inductive.
        let alone = try Prover(DerivedEncoding(TwoPhaseCommit()), model: identity).prove(ProofOptions(invariants: ["TCConsistent"]))
        #expect(alone.result == .notInductive)
    }

    /// Without "the TM hears only from RMs that sent Prepared", the TM may commit with no RM prepared.
    @Test func everyConjunctIsNeeded() throws {
        let conjuncts = ["decisionSent", "onlyPreparedAreHeard", "preparedLeftWorking", "commitAfterAllPrepared",
                         "committedOnCommit", "abortedUnpreparedOrOnAbort"]
        for conjunct in conjuncts {
            var options = ProofOptions(invariants: ["InductiveConsistency"])
            options.implies = ["TCConsistent"]
            options.dropped = [conjunct]
            let report = try Prover(DerivedEncoding(TwoPhaseCommit()), model: identity).prove(options)
            #expect(report.result == .notInductive, "\(conjunct)")
            if conjunct == "onlyPreparedAreHeard" {
                let document = try #require(report.counterexample)
                #expect(document.steps.map(\.action) == ["init", "TMCommit"])
                #expect(try TwoPhaseCommit().replay(document).reproduced)
            }
        }
    }

    /// The mutant breaks the strengthening too: prove says so with a step that replays.
    @Test func theMutantIsNotInductive() throws {
        let tpc = TwoPhaseCommit(mutation: .commitWithoutAllPrepared)
        let report = try Prover(DerivedEncoding(tpc), model: identity).prove(ProofOptions(invariants: ["InductiveConsistency"]))
        #expect(report.result == .notInductive)
        #expect(try tpc.replay(try #require(report.counterexample)).reproduced)
    }
}
