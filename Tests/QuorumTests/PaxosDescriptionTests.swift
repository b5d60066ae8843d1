import Testing
import QuorumCore
import QuorumZ3
import Paxos

/// Paxos's description (``PaxosDescription``) against the packed functions the explorer runs: the
/// same actions (one per TLC witness) in the same order and the same successors on every
/// reachable state. `PaxosSymbolicTests` runs the symbolic engines on the encoding derived from it.
@Suite struct PaxosDescriptionTests {
    /// Each model with its number of reachable states (no symmetry), all compared.
    static let models: [(Paxos, states: Int)] = [
        (Paxos(), 3_921),
        (Paxos(maxBallot: 0), 73),
        (Paxos(acceptors: 2), 145),
        (Paxos(values: 1), 1_681),
        (Paxos(acceptors: 2, mutation: .voteBelowPromise), 851),
        (Paxos(acceptors: 2, mutation: .ignoreHighestVote), 169),
        (Paxos(maxBallot: 0, mutation: .minorityQuorums), 121),
    ]

    @Test(arguments: models.indices)
    func thePackedFunctionsAreTheDescriptions(_ k: Int) {
        let (model, states) = Self.models[k]
        let result = compare(model, with: PaxosDescription(model), limit: 100_000, described: PaxosVariables.init) { $1.action }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.count): \(result.disagreements.prefix(2))")
        #expect(result.exhausted)
        #expect(result.states == states)
    }
}

/// The message universe's computed count and places (what reading a cluster's sets of messages
/// uses at fifty ballots) against the list they stand for.
@Suite struct PaxosMessageUniverseTests {
    @Test(arguments: [(3, 2, 1), (2, 1, 0), (5, 5, 6), (4, 3, 9)])
    func computedPlacesAreTheListsPlaces(_ acceptors: Int, _ values: Int, _ maxBallot: Int) {
        let names = PaxosDescription(Paxos(acceptors: acceptors, values: values, maxBallot: maxBallot)).processNames
        let all = PaxosMessage.all(names)
        #expect(PaxosMessage.count(names) == all.count)
        for (k, message) in all.enumerated() {
            #expect(PaxosMessage.element(at: k, names) == message)
            #expect(message.position(names) == k)
            #expect(PaxosMessage(traceValue: message.traceValue(names), names) == message)
        }
    }
}
