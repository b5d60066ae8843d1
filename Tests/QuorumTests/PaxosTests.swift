import Foundation
import Testing
import QuorumCore
@testable import Paxos

@Suite struct PaxosTests {
    /// TLC on Lamport's Paxos.tla with the same constants: 3,921 distinct states, 23,563 generated, depth 17.
    @Test func countsMatchTLCAtMaxBallot1() {
        let result = Explorer(Paxos(acceptors: 3, values: 2, maxBallot: 1)).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 3_921)
        #expect(result.statesGenerated == 23_563)
        #expect(result.diameter + 1 == 17)
    }

    /// TLC: 185,369 distinct states, 1,361,380 generated, depth 25.
    @Test(.enabled(if: isOptimized, "release builds only")) func countsMatchTLCAtMaxBallot2() {
        let result = Explorer(Paxos(acceptors: 3, values: 2, maxBallot: 2)).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 185_369)
        #expect(result.statesGenerated == 1_361_380)
        #expect(result.diameter + 1 == 25)
    }

    @Test(arguments: Paxos.Mutation.allCases)
    func everyMutantBreaksAgreement(_ mutation: Paxos.Mutation) throws {
        var options = ExplorationOptions()
        options.properties = ["Agreement"]
        let result = Explorer(Paxos(mutation: mutation), options: options).run()
        let violation = try #require(result.violations.first)
        #expect(violation.property == "Agreement")
        // A mutant added since these were pinned has the length of its committed counterexample.
        let pinned: [Paxos.Mutation: Int] = [.voteBelowPromise: 12, .ignoreHighestVote: 12, .minorityQuorums: 8]
        let committed = try TraceDocument(json: Data(contentsOf: repositoryRoot.appendingPathComponent(
            "counterexamples/paxos-\(mutation.rawValue)-Agreement.itf.json"))).steps.count - 1
        #expect(violation.trace.length == (pinned[mutation] ?? committed))
        #expect(violation.trace.length == committed)
    }

    /// Inv breaks first when an acceptor or leader breaks the rules. With quorums that need not
    /// intersect the algorithm still satisfies Inv (Lamport notes this in Paxos.tla): only Agreement fails.
    @Test(arguments: Paxos.Mutation.allCases)
    func lamportsInvariantSeparatesRuleBreakingFromBadQuorums(_ mutation: Paxos.Mutation) throws {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        let result = Explorer(Paxos(mutation: mutation), options: options).run()
        let byName = Dictionary(uniqueKeysWithValues: result.violations.map { ($0.property, $0.trace.length) })
        let agreement = try #require(byName["Agreement"])
        #expect(byName["TypeOK"] == nil)
        if mutation == .minorityQuorums {
            #expect(byName["Inv"] == nil)
        } else {
            let inv = try #require(byName["Inv"])
            #expect(inv < agreement)
        }
    }

    @Test func quorumsAreTheSmallestMajorities() {
        #expect(Paxos(acceptors: 3).quorums == [0b011, 0b101, 0b110])
        #expect(Paxos(acceptors: 4).quorums.allSatisfy { $0.nonzeroBitCount == 3 })
        #expect(Paxos(acceptors: 3, mutation: .minorityQuorums).quorums.contains(0b001))
    }

    @Test func phase2aFollowsTheHighestReportedVote() {
        let paxos = Paxos()
        var s = paxos.initialStates[0]
        // a1 voted v2 in ballot 0; a1 and a2 then promise ballot 1.
        for action: PaxosAction in [.phase1a(ballot: 0), .phase1b(acceptor: 0, ballot: 0), .phase1b(acceptor: 1, ballot: 0),
                                    .phase2a(ballot: 0, value: 1, quorum: 0b011), .phase2b(acceptor: 0, ballot: 0, value: 1),
                                    .phase1a(ballot: 1), .phase1b(acceptor: 0, ballot: 1), .phase1b(acceptor: 1, ballot: 1)] {
            #expect(paxos.enabledActions(in: s).contains(action), "\(action) should be enabled")
            s = paxos.apply(action, to: s)
        }
        let proposals = paxos.enabledActions(in: s).filter { if case .phase2a(1, _, _) = $0 { true } else { false } }
        #expect(proposals == [.phase2a(ballot: 1, value: 1, quorum: 0b011)])
    }

    @Test func workersFindTheSameCounterexample() throws {
        var options = ExplorationOptions()
        options.workers = 1
        let one = try #require(Explorer(Paxos(maxBallot: 2, mutation: .voteBelowPromise), options: options).run().violations.first)
        options.workers = 2
        let two = try #require(Explorer(Paxos(maxBallot: 2, mutation: .voteBelowPromise), options: options).run().violations.first)
        #expect(one.property == two.property)
        #expect(one.trace.steps.map(\.action) == two.trace.steps.map(\.action))
    }

    /// TLC with SYMMETRY Permutations(Acceptor) \cup Permutations(Value): 443 distinct states, 2,697 generated.
    @Test func symmetryCountsMatchTLCAtMaxBallot1() {
        var options = ExplorationOptions()
        options.symmetry = true
        let result = Explorer(Paxos(maxBallot: 1), options: options).run()
        #expect(result.distinctStates == 443)
        #expect(result.statesGenerated == 2_697)
        #expect(result.diameter + 1 == 17)
    }

    /// TLC with the same symmetry: 17,153 distinct states, 127,002 generated, depth 25.
    @Test(.enabled(if: isOptimized, "release builds only")) func symmetryCountsMatchTLCAtMaxBallot2() {
        var options = ExplorationOptions()
        options.symmetry = true
        let result = Explorer(Paxos(maxBallot: 2), options: options).run()
        #expect(result.distinctStates == 17_153)
        #expect(result.statesGenerated == 127_002)
        #expect(result.diameter + 1 == 25)
    }

    @Test(arguments: Paxos.Mutation.allCases)
    func aTraceFoundUnderSymmetryIsAShortestTraceOfTheSpecItself(_ mutation: Paxos.Mutation) throws {
        let paxos = Paxos(mutation: mutation)
        var options = ExplorationOptions()
        options.properties = ["Agreement"]
        let plain = try #require(Explorer(paxos, options: options).run().violations.first)
        options.symmetry = true
        let reduced = try #require(Explorer(paxos, options: options).run().violations.first)
        #expect(reduced.trace.length == plain.trace.length)
        let document = TraceDocument(reduced.trace, of: paxos, spec: "Paxos", variant: mutation.rawValue,
                                     parameters: [], property: "Agreement", kind: .invariant)
        #expect(try paxos.replay(document).reproduced)
    }

    @Test func everyImageOfAStateIsAPermutationOfIt() {
        let paxos = Paxos()
        var s = paxos.initialStates[0]
        for action: PaxosAction in [.phase1a(ballot: 0), .phase1b(acceptor: 0, ballot: 0)] { s = paxos.apply(action, to: s) }
        var images: [PaxosState] = []
        paxos.forEachSymmetricImage(of: s) { images.append($0) }
        #expect(images.count == 12)
        #expect(images[0] == s)
        #expect(Set(images.map { image in (0..<3).map { image.maxBal[$0] }.sorted() }).count == 1)
        #expect(Set(images.map(\.fingerprint)).count == 3)  // a1 promised ballot 0: one of three acceptors
    }
}
