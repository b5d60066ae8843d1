import Testing
import QuorumTesting
import TwoPhaseCommit

/// The helpers a package's own tests use (QuorumTesting), on a spec of Quorum's: they pass where
/// the check passes and record an issue where it does not.
@Suite struct TestingHelperTests {
    @Test func aSpecHoldsAndItsMutantIsCaught() throws {
        let report = try #require(expectHolds(TwoPhaseCommit.spec))
        #expect(report.distinctStates == 288)
        let trace = try #require(expectCaught(TwoPhaseCommit.spec, variant: "commitWithoutAllPrepared", steps: 5))
        #expect(trace.property == "TCConsistent")
    }

    @Test func theHelpersFailWhenTheCheckDoes() {
        withKnownIssue("the shortest trace has 5 steps") {
            expectCaught(TwoPhaseCommit.spec, variant: "commitWithoutAllPrepared", steps: 4)
        }
        withKnownIssue("no such variant") {
            expectCaught(TwoPhaseCommit.spec, variant: "noSuchVariant")
        }
        withKnownIssue("resourceManagers = 9 is out of range") {
            expectHolds(TwoPhaseCommit.spec, bounds: ["resourceManagers": 9])
        }
    }
}
