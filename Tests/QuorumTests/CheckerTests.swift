import Testing
import QuorumCore
import ResultBroadcast

/// The checker façade runs what `quorum check` runs: the explorer, then the temporal checker.
@Suite struct CheckerTests {
    /// tooFewStations breaks Unforgeability, an invariant claimed from the initial states in which
    /// nothing was announced (`C ⇒ []P`): a temporal property, which the explorer alone does not check.
    @Test func theCheckerCatchesWhatOnlyTheTemporalCheckerSees() async throws {
        let model = ResultBroadcast(stations: 3, mutation: .tooFewStations)
        #expect(Explorer(model).run().violations.isEmpty)
        let result = await Quorum.check(model)
        #expect(result.outcome == .violation)
        #expect(result.violations.map(\.property) == ["Unforgeability"])
        #expect(result.violations.first?.trace.length == 2)
        #expect(throws: PropertyViolation.self) { try result.expectNoViolation() }
    }

    @Test func theCorrectSpecPassesEveryPropertyAndAStoppedCheckDoesNot() async throws {
        let ok = await Quorum.check(ResultBroadcast())
        #expect(ok.outcome == .ok)
        #expect(ok.temporal?.graphStates == 14_424)
        try ok.expectNoViolation()
        var options = ExplorationOptions()
        options.maxStates = 100
        let stopped = Checker(ResultBroadcast(), options: options).run()
        #expect(stopped.outcome != .ok)
        #expect(throws: PropertyViolation.self) { try stopped.expectNoViolation() }
    }
}
