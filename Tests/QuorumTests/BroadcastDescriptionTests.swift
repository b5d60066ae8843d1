import Testing
import QuorumCore
import QuorumZ3
import ResultBroadcast

/// ResultBroadcast's description (``BroadcastDescription``) against the packed functions the
/// explorer runs, and the symbolic engines on it: the two concrete forms agree on every reachable
/// state, bmc finds the explorer's shortest violations of Unforgeability, and the spec's inductive
/// invariant for it is proven.
@Suite struct BroadcastDescriptionTests {
    /// Each model with the number of its states compared, the first found breadth first (the
    /// derived form is slow in a debug build; `quorum conform` covers every reachable state).
    static let models: [(ResultBroadcast, limit: Int)] = [
        (ResultBroadcast(), 1_000),
        (ResultBroadcast(mutation: .acceptAfterFewerEchoes), 600),
        // All 456 states.
        (ResultBroadcast(stations: 3, mutation: .tooFewStations), 456),
        (ResultBroadcast(mutation: .doubleCountedEcho), 400),
    ]

    func identity(_ model: ResultBroadcast) -> ModelIdentity {
        ModelIdentity(spec: "ResultBroadcast", variant: model.mutation?.rawValue,
                      parameters: [("stations", model.stations), ("maxFaulty", model.maxFaulty), ("faulty", model.faulty)])
    }

    /// Same actions in the same order, the same successors, the same trace values, and no enabled
    /// instance left out of the candidates the description lists per state.
    @Test(arguments: models.indices)
    func thePackedFunctionsAreTheDescriptions(_ k: Int) {
        let (model, limit) = Self.models[k]
        let result = compare(model, with: BroadcastDescription(model), limit: limit, every: 23,
                             described: { BroadcastVariables($0, stations: model.stations) }) { $1 }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.count): \(result.disagreements.prefix(2))")
        #expect(result.states == limit)
    }

    @Test func theDerivedEncodingAgreesWithTheDescription() throws {
        // Every reachable state of the mutant; the first 1,000 of the spec's 14,424 (CI runs
        // `quorum conform resultbroadcast` on them all).
        for (model, maxStates) in [(ResultBroadcast(), 1_000), (ResultBroadcast(stations: 3, mutation: .tooFewStations), 1_000)] {
            var options = ConformanceOptions()
            options.maxStates = maxStates
            options.sample = 200
            options.bitVectors = true
            let report = try Conformance(DerivedEncoding(BroadcastDescription(model)), model: identity(model)).check(options)
            #expect(report.agrees, "\(report.mismatches.prefix(3))")
            #expect(report.statesCompared == 200 && report.allReachable == (model.mutation != nil))
        }
    }

    /// bmc searches from InitNoBcast only, and finds the temporal checker's shortest violation.
    @Test(arguments: [ResultBroadcast(stations: 3, mutation: .tooFewStations), ResultBroadcast(mutation: .doubleCountedEcho)])
    func bmcFindsTheShortestViolationOfUnforgeability(_ model: ResultBroadcast) throws {
        let property = model.temporalProperties.filter { $0.name == "Unforgeability" }
        let explored = try #require(TemporalChecker(model, properties: property).run().violations.first)
        var options = BMCOptions(maxDepth: explored.trace.length)
        options.invariants = ["Unforgeability"]
        let report = try BoundedModelChecker(DerivedEncoding(BroadcastDescription(model)), model: identity(model)).run(options)
        let document = try #require(report.counterexample)
        #expect(report.result == .violation && document.steps.count - 1 == explored.trace.length)
        #expect(document.propertyKind == .temporal && document.property == "Unforgeability")
        #expect(try model.replay(document).reproduced)
        options.maxDepth = explored.trace.length - 1
        #expect(try BoundedModelChecker(DerivedEncoding(BroadcastDescription(model)), model: identity(model)).run(options).result == .ok)
    }

    @Test func unforgeabilityIsProvenFromItsInductiveInvariant() throws {
        let model = ResultBroadcast()
        let prover = Prover(DerivedEncoding(BroadcastDescription(model)), model: identity(model))
        var options = ProofOptions(invariants: ["IndInv_Unforg_NoBcast"])
        options.implies = ["Unforgeability"]
        let report = try prover.prove(options)
        #expect(report.result == .inductive && report.vacuous.isEmpty)
        // TypeOK and FCConstraints are inductive from every initial state.
        #expect(try prover.prove(ProofOptions(invariants: ["TypeOK", "FCConstraints"])).result == .inductive)
        // A proof from InitNoBcast says nothing of the other initial states: refused.
        var mixed = ProofOptions(invariants: ["TypeOK"])
        mixed.implies = ["Unforgeability"]
        #expect(throws: UsageError.self) { try prover.prove(mixed) }
        #expect(throws: UsageError.self) { try prover.prove(ProofOptions(invariants: ["TypeOK", "Unforgeability"])) }
    }

    /// Without TypeOK a correct station may hold an echo nobody sent; without FCConstraints there
    /// may be too many faulty stations; without "nothing sent" or "in V0", echoes are on their way.
    @Test func everyConjunctOfTheStrengtheningIsNeeded() throws {
        let model = ResultBroadcast()
        let prover = Prover(DerivedEncoding(BroadcastDescription(model)), model: identity(model))
        for conjunct in ["typeOK", "fcConstraints", "nothingSent", "correctInV0"] {
            var options = ProofOptions(invariants: ["IndInv_Unforg_NoBcast"])
            options.implies = ["Unforgeability"]
            options.dropped = [conjunct]
            let report = try prover.prove(options)
            #expect(report.result == .notInductive, "\(conjunct)")
            #expect(try model.replay(try #require(report.counterexample)).reproduced, "\(conjunct)")
        }
    }

    @Test(arguments: [ResultBroadcast(stations: 3, mutation: .tooFewStations), ResultBroadcast(mutation: .doubleCountedEcho)])
    func eachUnforgeabilityMutantBreaksTheStrengthening(_ model: ResultBroadcast) throws {
        let report = try Prover(DerivedEncoding(BroadcastDescription(model)), model: identity(model))
            .prove(ProofOptions(invariants: ["IndInv_Unforg_NoBcast"]))
        #expect(report.result == .notInductive)
        #expect(try model.replay(try #require(report.counterexample)).reproduced)
    }
}
