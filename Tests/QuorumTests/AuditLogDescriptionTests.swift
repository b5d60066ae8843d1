import Testing
import QuorumCore
import QuorumZ3
import AuditLog

/// AuditLog's description (``AuditLogDescription``) against the array functions the explorer
/// runs, and the symbolic engines on it: the two concrete forms agree state by state, bmc finds
/// the explorer's shortest violation for each mutant, and the auditor is proven sound.
@Suite struct AuditLogDescriptionTests {
    /// Each model with the number of its states compared, the first found breadth first: all of
    /// them at the small bounds, the first 2,000 of the defaults' 113,662.
    static let models: [(AuditLog, limit: Int)] = [
        (AuditLog(maxLength: 2, maxEdits: 2), 699),
        (AuditLog(results: 3, maxLength: 2, maxEdits: 2), 3_165),
        (AuditLog(), 2_000),
        // All 323: digests of one record make fewer distinct replicas.
        (AuditLog(maxLength: 2, maxEdits: 2, mutation: .digestWithoutPredecessor), 323),
        (AuditLog(maxLength: 2, maxEdits: 2, mutation: .auditLastRecordOnly), 699),
    ]

    func identity(_ model: AuditLog) -> ModelIdentity {
        ModelIdentity(spec: "AuditLog", variant: model.mutation?.rawValue,
                      parameters: [("results", model.results), ("maxLength", model.maxLength), ("maxEdits", model.maxEdits)])
    }

    /// Same actions in the same order, the same successors, the same trace values (the auditor's
    /// verdict among them), and no enabled instance left out of the candidates.
    @Test(arguments: models.indices)
    func theArrayFunctionsAreTheDescriptions(_ k: Int) {
        let (model, limit) = Self.models[k]
        let result = compare(model, with: AuditLogDescription(model), limit: limit, described: AuditLogVariables.init) { $1 }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.count): \(result.disagreements.prefix(2))")
        #expect(result.states == limit)
    }

    /// A trace whose recorded verdict is not the auditor's is not a state of the description.
    @Test func aRecordedVerdictMustBeTheAuditors() throws {
        let model = AuditLog()
        var s = AuditLogState()
        s.log = [0]
        s.replica = model.chain([0])
        var values = model.traceValues(of: s)
        #expect(values.last == .bool(true))
        #expect(AuditLogDescription(model).state(fromTraceValues: values) == AuditLogVariables(s))
        values[values.count - 1] = .bool(false)
        #expect(AuditLogDescription(model).state(fromTraceValues: values) == nil)
    }

    @Test func theDerivedEncodingAgreesWithTheDescription() throws {
        for model in [AuditLog(maxLength: 2, maxEdits: 2), AuditLog(mutation: .auditLastRecordOnly)] {
            var options = ConformanceOptions()
            options.maxStates = 2_000
            options.sample = 150
            options.bitVectors = true
            let report = try Conformance(DerivedEncoding(AuditLogDescription(model)), model: identity(model)).check(options)
            #expect(report.agrees, "\(report.mismatches.prefix(3))")
            #expect(report.statesCompared == 150)
        }
    }

    /// bmc's shortest violation of TamperEvident is the explorer's, for each mutant.
    @Test(arguments: AuditLog.Mutation.allCases)
    func bmcFindsTheExplorersShortestViolation(_ mutation: AuditLog.Mutation) throws {
        let model = AuditLog(mutation: mutation)
        let explored = try #require(Explorer(model).run().violations.first)
        #expect(explored.property == "TamperEvident")
        var options = BMCOptions(maxDepth: explored.trace.length)
        options.invariants = ["TamperEvident"]
        let checker = BoundedModelChecker(DerivedEncoding(AuditLogDescription(model)), model: identity(model))
        let report = try checker.run(options)
        let document = try #require(report.counterexample)
        #expect(report.result == .violation && document.steps.count - 1 == explored.trace.length)
        #expect(try model.replay(document).reproduced)
        options.maxDepth = explored.trace.length - 1
        #expect(try checker.run(options).result == .ok)
    }

    /// The auditor is sound and complete on every replica of the types, reachable or not: both
    /// invariants are valid, hence inductive. Each mutant's auditor is not: prove finds a step to
    /// an accepted forgery, which replays.
    @Test func theAuditorIsProvenSoundAndEachMutantIsNot() throws {
        let model = AuditLog()
        let report = try Prover(DerivedEncoding(AuditLogDescription(model)), model: identity(model))
            .prove(ProofOptions(invariants: ["TamperEvident", "HonestReplicasPass"]))
        #expect(report.result == .inductive)
        for mutation in AuditLog.Mutation.allCases {
            let mutant = AuditLog(mutation: mutation)
            let broken = try Prover(DerivedEncoding(AuditLogDescription(mutant)), model: identity(mutant))
                .prove(ProofOptions(invariants: ["TamperEvident"]))
            #expect(broken.result == .notInductive, "\(mutation)")
            #expect(try mutant.replay(try #require(broken.counterexample)).reproduced, "\(mutation)")
        }
    }
}
