import Testing
@testable import QuorumCore
@testable import Paxos
@testable import Raft

@Suite struct SimulatorTests {
    func options(seed: UInt64 = 7, runs: Int = 2_000, workers: Int = 2) -> SimulationOptions {
        var o = SimulationOptions()
        o.seed = seed
        o.runs = runs
        o.workers = workers
        return o
    }

    /// Partitions hold back deliveries across the cut, are drawn from the run's own generator (so
    /// results do not depend on the worker count), and can be switched off.
    @Test func networkPartitionsArePartOfTheFaultSchedule() {
        let raft = Raft(servers: 5, values: 2, maxTerm: 6, maxLogLength: 4, maxMessages: 6)
        var one = options(seed: 3, runs: 300, workers: 1)
        one.depth = 100
        var two = one
        two.workers = 2
        let a = Simulator(raft, options: one).run(), b = Simulator(raft, options: two).run()
        #expect(a.partitionedSteps > 0)
        #expect(a.partitionedSteps == b.partitionedSteps && a.coverage == b.coverage && a.steps == b.steps)
        var off = one
        off.partitions = false
        let c = Simulator(raft, options: off).run()
        #expect(c.partitionedSteps == 0)
        #expect(c.coverage != a.coverage)
    }

    @Test func aPartitionCutsEveryDeliveryAcrossIt() {
        // Raft's Receive crosses from the message's source to its destination; Timeout does not.
        let m = RaftMessage.requestVoteResponse(term: 2, voteGranted: true, source: 1, dest: 3)
        #expect(RaftAction.receive(m).link?.from == 1 && RaftAction.receive(m).link?.to == 3)
        #expect(RaftAction.timeout(0).link == nil)
    }

    @Test func theGeneratorsSequenceIsFixed() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(Set(first).count == 5)
        var c = SeededGenerator(seed: 42, run: 1), d = SeededGenerator(seed: 42, run: 2)
        #expect(c.next() != d.next())
        var e = SeededGenerator(seed: 1)
        #expect((0..<1_000).allSatisfy { _ in (0..<7).contains(e.below(7)) })
    }

    @Test func aFixedSeedReproducesTheSameFailingRunWithAnyNumberOfWorkers() throws {
        let paxos = Paxos(acceptors: 5, values: 3, maxBallot: 4, mutation: .ignoreHighestVote)
        var o = options(workers: 1)
        o.properties = ["Agreement"]
        let one = Simulator(paxos, options: o).run()
        o.workers = 3
        let three = Simulator(paxos, options: o).run()
        let f1 = try #require(one.failure), f3 = try #require(three.failure)
        #expect(f1.run == f3.run)
        #expect(f1.original.steps.map(\.action) == f3.original.steps.map(\.action))
        #expect(f1.shrunk.steps.map(\.action) == f3.shrunk.steps.map(\.action))
        #expect(one.runs == f1.run + 1 && one.steps == three.steps)
        o.seed = 8
        let other = try #require(Simulator(paxos, options: o).run().failure)
        #expect(other.original.steps.map(\.action) != f1.original.steps.map(\.action))
    }

    @Test(arguments: Paxos.Mutation.allCases)
    func everyPaxosMutantIsCaughtAtFiveAcceptorsAndShrinksToAReplayableTrace(_ mutation: Paxos.Mutation) throws {
        let paxos = Paxos(acceptors: 5, values: 3, maxBallot: 4, mutation: mutation)
        var o = options()
        o.properties = ["Agreement"]
        let failure = try #require(Simulator(paxos, options: o).run().failure)
        #expect(failure.property == "Agreement")
        #expect(failure.shrunk.length <= failure.original.length)
        let document = TraceDocument(failure.shrunk, of: paxos, spec: "Paxos", variant: mutation.rawValue,
                                     parameters: [], property: "Agreement", kind: .invariant)
        #expect(try paxos.replay(document).reproduced)
    }

    @Test func shrinkingLeavesOnlyNecessarySteps() throws {
        // A counter that must reach 7: the shrunk run is a shortest one, five steps.
        var o = options(runs: 200)
        o.depth = 40
        o.properties = ["NotForbidden"]
        let result = Simulator(Counter(limit: 100, forbidden: [7]), options: o).run()
        let failure = try #require(result.failure)
        #expect(failure.shrunk.last.x == 7)
        #expect(failure.shrunk.length <= failure.original.length)
        // Every step is needed: without any one of them, 7 is not reached.
        let simulator = Simulator(Counter(limit: 100, forbidden: [7]), options: o)
        let actions = failure.shrunk.steps.map(\.action)
        for k in actions.indices {
            var fewer = actions
            fewer.remove(at: k)
            #expect(simulator.breaks(0, failure.shrunk.initial, fewer) == nil)
        }
    }

    @Test func correctSpecsSurviveRandomRunsAtLargeSizes() async throws {
        try await Quorum.simulate(Raft(servers: 5, values: 2, maxTerm: 8, maxLogLength: 6, maxMessages: 8),
                                  runs: isOptimized ? 2_000 : 200, seed: 7).expectNoViolation()
        try await Quorum.simulate(Paxos(acceptors: 5, values: 3, maxBallot: 4), runs: isOptimized ? 500 : 50, seed: 7)
            .expectNoViolation()
    }

    @Test func runsReachElectionsReplicationAndCommits() {
        let result = Simulator(Raft(servers: 5, values: 2, maxTerm: 8, maxLogLength: 6, maxMessages: 8), options: options(runs: 300)).run()
        #expect(result.failure == nil)
        #expect((result.deepest["commit index"] ?? 0) >= 2)
        #expect((result.deepest["term"] ?? 0) >= 4)
        for kind in ["Timeout", "RequestVote", "BecomeLeader", "ClientRequest", "AppendEntries", "AdvanceCommitIndex", "Receive",
                     "DuplicateMessage", "DropMessage", "Restart"] {
            #expect((result.coverage[kind] ?? 0) > 0, "\(kind) never ran")
        }
    }

    @Test(.enabled(if: isOptimized, "release builds only"), arguments: [
        (Raft.Mutation.voteWithoutLogCheck, "LeaderCompleteness"),
        (.commitPreviousTerm, "LeaderCommitsCurrentTerm"),
        (.forgetVoteOnRestart, "ElectionSafety"),
        (.keepConflictingEntries, "StateMachineSafety"),
    ])
    func everyRaftMutantIsCaughtAtFiveServers(_ mutation: Raft.Mutation, _ property: String) throws {
        let raft = Raft(servers: 5, values: 2, maxTerm: 8, maxLogLength: 6, maxMessages: 8, mutation: mutation)
        var o = options(seed: 1, runs: 200_000)
        o.depth = 200
        o.properties = [property]
        let failure = try #require(Simulator(raft, options: o).run().failure)
        #expect(failure.property == property)
        #expect(failure.shrunk.length <= failure.original.length)
        let document = TraceDocument(failure.shrunk, of: raft, spec: "Raft", variant: mutation.rawValue,
                                     parameters: [], property: property, kind: failure.kind)
        #expect(try raft.replay(document).reproduced)
    }

    /// The simulator skips an invariant after a step that changed none of the variables its last
    /// evaluation read. Over random steps of a mutant (so that verdicts do change), count the steps
    /// where that skip would give a verdict other than evaluating the invariant again.
    func wrongSkips(_ raft: Raft, changed: (RaftState, RaftState) -> VariableSet) -> (wrong: Int, skipped: Int) {
        var wrong = 0, skipped = 0
        for run in 0..<150 {
            var rng = SeededGenerator(seed: 11, run: run)
            var state = raft.initialStates[0]
            for _ in 0..<120 {
                let next = raft.enabledActions(in: state).map { raft.apply($0, to: state) }.filter(raft.isWithinBounds)
                guard !next.isEmpty else { break }
                let after = next[rng.below(next.count)]
                for invariant in raft.invariants {
                    if invariant.recordingReads.isEmpty { Issue.record("\(invariant.name) does not record its reads") }
                    for part in invariant.recordingReads {
                        var read: VariableSet = 0, unused: VariableSet = 0
                        let before = part(state, &read)
                        guard read & changed(state, after) == 0 else { continue }
                        skipped += 1
                        if part(after, &unused) != before { wrong += 1 }
                    }
                }
                state = after
            }
        }
        return (wrong, skipped)
    }

    @Test func anInvariantIsSkippedOnlyWhenItsVerdictCannotChange() {
        let wide = Raft(servers: 5, values: 2, maxTerm: 5, maxLogLength: 4, maxMessages: 4, mutation: .keepConflictingEntries)
        let sound = wrongSkips(wide) { wide.changedVariables(from: $0, to: $1) }
        #expect(sound.wrong == 0)
        #expect(sound.skipped > 10_000)
        let small = Raft(servers: 3, values: 1, maxTerm: 4, maxLogLength: 1, maxMessages: 2, mutation: .forgetVoteOnRestart)
        #expect(wrongSkips(small) { small.changedVariables(from: $0, to: $1) }.wrong == 0)
        // A detector blind to votedFor would skip InductiveElectionSafety when a restart that
        // forgets its vote breaks it (the restarted follower's only change is votedFor).
        let blind = wrongSkips(small) { small.changedVariables(from: $0, to: $1) & ~RaftVariable.votedFor.bit }
        #expect(blind.wrong > 0)
        // One blind to the granted votes in flight (seeing only that `messages` changed) would
        // skip InductiveElectionSafety when a vote granted twice reaches the network.
        let blindToGrants = wrongSkips(small) { small.changedVariables(from: $0, to: $1) & ~RaftVariable.voteGrants }
        #expect(blindToGrants.wrong > 0)
    }

    /// Steps that a step property's frame lets the engines skip, yet that break the property.
    func stepsWronglySkipped(_ raft: Raft, _ steps: [(RaftState, RaftAction, RaftState)],
                             frame: (ActionProperty<RaftState, RaftAction>) -> VariableSet?) -> Int {
        var wrong = 0
        for (before, action, after) in steps {
            let changed = raft.changedVariables(from: before, to: after)
            for property in raft.actionProperties {
                guard let frame = frame(property), frame & changed == 0 else { continue }
                if !property.holds(before, action, after) { wrong += 1 }
            }
        }
        return wrong
    }

    @Test func aStepThatLeavesAPropertysFrameAloneSatisfiesIt() throws {
        let raft = Raft(servers: 5, values: 2, maxTerm: 8, maxLogLength: 6, maxMessages: 8, mutation: .commitPreviousTerm)
        #expect(raft.actionProperties.allSatisfy { $0.frame != nil })
        // Random steps, and the steps of a run that breaks LeaderCommitsCurrentTerm.
        var steps: [(RaftState, RaftAction, RaftState)] = []
        for run in 0..<100 {
            var rng = SeededGenerator(seed: 5, run: run)
            var state = raft.initialStates[0]
            for _ in 0..<150 {
                let next = raft.enabledActions(in: state).map { ($0, raft.apply($0, to: state)) }.filter { raft.isWithinBounds($0.1) }
                guard !next.isEmpty else { break }
                let (action, after) = next[rng.below(next.count)]
                steps.append((state, action, after))
                state = after
            }
        }
        var o = options(seed: 1, runs: 20_000, workers: 2)
        o.shrink = false
        let failure = try #require(Simulator(raft, options: o).run().failure)
        #expect(failure.property == "LeaderCommitsCurrentTerm")
        let trace = failure.original
        steps += zip(trace.states, trace.steps).map { ($0, $1.action, $1.state) }
        #expect(stepsWronglySkipped(raft, steps) { $0.frame } == 0)
        // A frame that claimed every step would skip the breaking one.
        #expect(stepsWronglySkipped(raft, steps) { _ in 0 } > 0)
    }
}
