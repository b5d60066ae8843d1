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

/// Reading a node's message set into a state, as a cluster's node does with every message it
/// hears: Paxos's own reader against the default (write every variable, read them all back).
@Suite struct PaxosMessageReadingTests {
    @Test func theMessageSetIsReadAsTheDefaultReadsIt() throws {
        let paxos = Paxos(acceptors: 3, values: 2, maxBallot: 2)
        let k = try #require(paxos.traceVariables.firstIndex(of: "msgs"))
        var states = paxos.initialStates, seen = Set(states), compared = 0
        while let s = states.popLast(), compared < 2_000 {
            for next in paxos.enabledActions(in: s).map({ paxos.apply($0, to: s) }) where seen.insert(next).inserted {
                states.append(next)
                // Another state's messages into this one: what a node's copy holds after a delivery.
                let value = paxos.traceValue(of: next, variable: k)
                var values = paxos.traceValues(of: s)
                values[k] = value
                #expect(paxos.state(s, with: value, forVariable: k) == paxos.state(fromTraceValues: values))
                compared += 1
            }
        }
        #expect(compared >= 2_000)
        // A message beyond the bounds is no state's.
        let beyond = ITFValue.set(of: [.record([("type", .string("1a")), ("bal", .int(9))])])
        #expect(paxos.state(paxos.initialStates[0], with: beyond, forVariable: k) == nil)
    }
}
