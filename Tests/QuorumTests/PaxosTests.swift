import Testing
import QuorumCore
@testable import Paxos

@Suite struct PaxosTests {
    @Test func countsMatchTLCAtMaxBallot1() {
        let result = Explorer(Paxos(acceptors: 3, values: 2, maxBallot: 1)).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 3_921)
        #expect(result.statesGenerated == 23_563)
        #expect(result.diameter + 1 == 17)
    }
}
