import Testing
import QuorumCore
@testable import Raft

@Suite struct RaftTests {
    /// TLC on raft.tla with the history variables projected away, servers 3, values 1, maxTerm 2,
    /// maxLogLength 0, maxMessages 1: 617,361 distinct states, 7,680,091 generated, depth 39.
    @Test(.enabled(if: isOptimized, "release builds only")) func countsMatchTLCAtTheReferenceBound() {
        let result = Explorer(Raft(servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1)).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 617_361)
        #expect(result.statesGenerated == 7_680_091)
        #expect(result.diameter + 1 == 39)
    }

    @Test func smallModelsSatisfyEveryProperty() {
        for raft in [Raft(servers: 2, maxTerm: 3, maxLogLength: 1, maxMessages: 1),
                     Raft(servers: 3, maxTerm: 2, maxLogLength: 0, maxMessages: 0)] {
            let result = Explorer(raft).run()
            #expect(result.outcome == .ok, "\(raft)")
        }
    }

    @Test(.enabled(if: isOptimized, "release builds only"))
    func forgettingTheVoteOnRestartElectsTwoLeadersInOneTerm() throws {
        var options = ExplorationOptions()
        options.properties = ["ElectionSafety"]
        let result = Explorer(Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart), options: options).run()
        let violation = try #require(result.violations.first)
        #expect(violation.property == "ElectionSafety")
        #expect(violation.trace.steps.contains { if case .restart = $0.action { true } else { false } })
    }

    @Test(.enabled(if: isOptimized, "release builds only"), arguments: [
        (Raft.Mutation.voteWithoutLogCheck, "LeaderCompleteness", 3),
        (.keepConflictingEntries, "StateMachineSafety", 3),
        (.commitPreviousTerm, "LeaderCommitsCurrentTerm", 3),
    ])
    func mutantsBreakTheirProperty(_ mutation: Raft.Mutation, _ property: String, _ maxTerm: Int) throws {
        var options = ExplorationOptions()
        options.properties = [property]
        let result = Explorer(Raft(maxTerm: maxTerm, maxLogLength: 1, mutation: mutation), options: options).run()
        let violation = try #require(result.violations.first)
        #expect(violation.property == property)
    }

    @Test func aCandidateVotesForItselfByMessage() {
        let raft = Raft()
        var s = raft.initialStates[0]
        s = raft.apply(.timeout(0), to: s)
        #expect(s.state[0] == .candidate && s.currentTerm[0] == 2)
        let request = RaftMessage.requestVoteRequest(term: 2, lastLogTerm: 0, lastLogIndex: 0, source: 0, dest: 0)
        #expect(raft.enabledActions(in: s).contains(.requestVote(0, 0)))
        s = raft.apply(.requestVote(0, 0), to: s)
        #expect(s.messages.count(of: request) == 1)
        s = raft.apply(.receive(request), to: s)
        #expect(s.votedFor[0] == 0)
        #expect(s.messages.count(of: request) == 0)
        #expect(s.messages.items.map(\.message) == [.requestVoteResponse(term: 2, voteGranted: true, source: 0, dest: 0)])
    }

    @Test func aMessageWithNoCopiesLeftLeavesTheBag() {
        var bag = MessageBag()
        let m = RaftMessage.appendEntriesResponse(term: 3, success: true, matchIndex: 1, source: 1, dest: 2)
        bag.add(m)
        bag.add(m)
        #expect(bag.count(of: m) == 2 && bag.total == 2)
        bag.remove(m)
        bag.remove(m)
        #expect(bag.items.isEmpty)
        #expect(m.term == 3 && m.success && m.matchIndex == 1 && m.source == 1 && m.dest == 2)
    }

    /// The explorer reads a successor's bag in place (``MessageBag/words(at:)``): those words
    /// are the bag's own, in order, on every bag of a run with up to sixteen distinct messages.
    @Test func aBagReadInPlaceIsTheBag() {
        let raft = Raft(servers: 3, values: 2, maxTerm: 3, maxLogLength: 2, maxMessages: 3)
        var random = SeededGenerator(seed: 7)
        var (bags, largest) = (0, 0)
        for _ in 0..<40 {
            var s = raft.initialStates[0]
            for _ in 0..<60 {
                let actions = raft.enabledActions(in: s).filter { raft.isWithinBounds(raft.apply($0, to: s)) }
                guard !actions.isEmpty else { break }
                s = raft.apply(actions.randomElement(using: &random)!, to: s)
                let bag = s.messages
                let read = withUnsafePointer(to: bag) { p in (0..<MessageBag.capacity).map { MessageBag.words(at: p)[$0] } }
                let own = (0..<MessageBag.capacity).map { bag.word($0) }
                #expect(read == own)
                bags += 1
                largest = max(largest, bag.items.count)
            }
        }
        #expect(bags > 1000 && largest >= 3, "\(bags) bags, at most \(largest) distinct messages")
    }

    @Test func leaderCompletenessFailsForALeaderMissingACommittedEntry() {
        var s = RaftState(servers: 3)
        s.log[0] = [Entry(term: 2, value: 0)]
        s.log[1] = [Entry(term: 2, value: 0)]
        s.commitIndex[0] = 1
        s.currentTerm[0] = 2
        s.currentTerm[1] = 2
        s.currentTerm[2] = 3
        s.state[2] = .leader
        let property = RaftProperties.all.first { $0.name == "LeaderCompleteness" }!
        #expect(!property.concrete.holds(s))
        s.log[2] = [Entry(term: 2, value: 0)]
        #expect(property.concrete.holds(s))
    }

    @Test func symmetryKeepsOneStatePerClassAndTracesReplay() throws {
        let raft = Raft(maxLogLength: 0, maxMessages: 1, mutation: .forgetVoteOnRestart)
        var options = ExplorationOptions()
        options.properties = ["ElectionSafety"]
        options.symmetry = true
        options.maxStates = isOptimized ? nil : 50_000
        let result = Explorer(raft, options: options).run()
        let violation = try #require(result.violations.first)
        #expect(violation.trace.length == 18)
        let document = TraceDocument(violation.trace, of: raft, spec: "Raft", variant: "forgetVoteOnRestart",
                                     parameters: [], property: "ElectionSafety", kind: .invariant)
        #expect(try raft.replay(document).reproduced)
    }
}
