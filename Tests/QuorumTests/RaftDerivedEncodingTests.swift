import Testing
import QuorumCore
import QuorumZ3
import Raft

/// The symbolic engines on the encoding derived from ``RaftDescription`` (what `Raft.spec` offers
/// without RaftZ3's hand-written encoding): its proofs and its conformance, with traces that
/// replay on the packed functions.
@Suite struct RaftDerivedEncodingTests {
    func identity(_ raft: Raft) -> ModelIdentity {
        ModelIdentity(spec: "Raft", variant: raft.mutation?.rawValue,
                      parameters: [("servers", raft.servers), ("values", raft.values), ("maxTerm", raft.maxTerm),
                                   ("maxLogLength", raft.maxLogLength), ("maxMessages", raft.maxMessages)])
    }

    /// InductiveElectionSafety is inductive at the proof bounds; without countedVotesWereCast it
    /// is not, and the counterexample to induction replays on the packed functions.
    @Test func electionSafetyIsProvenAndEachConjunctIsNeeded() throws {
        let raft = Raft(maxTerm: 4, maxLogLength: 1, maxMessages: 2)
        let prover = Prover(DerivedEncoding(RaftDescription(raft)), model: identity(raft))
        var options = ProofOptions(invariants: ["InductiveElectionSafety"])
        options.implies = ["ElectionSafety"]
        #expect(try prover.prove(options).result == .inductive)
        options.dropped = ["countedVotesWereCast"]
        let broken = try prover.prove(options)
        #expect(broken.result == .notInductive)
        #expect(try raft.replay(try #require(broken.counterexample)).reproduced)
    }

    // bmc is not tested here: Raft's mutants need three servers and 18 to 28 steps, a minute or
    // more of Z3 each on the derived form (docs/PERFORMANCE.md). CI runs bmc on the hand-written
    // encoding, which `quorum bmc raft` uses.

    /// The derived relation agrees with the description's concrete steps on sampled states.
    @Test func theDerivedEncodingAgreesWithTheDescription() throws {
        let raft = Raft(servers: 2, maxTerm: 2, maxLogLength: 1, maxMessages: 1)
        var options = ConformanceOptions()
        options.maxStates = 1_000
        options.sample = 25
        let report = try Conformance(DerivedEncoding(RaftDescription(raft)), model: identity(raft)).check(options)
        #expect(report.agrees, "\(report.mismatches.prefix(3))")
        #expect(report.statesCompared == 25)
    }
}
