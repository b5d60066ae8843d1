import Testing
import QuorumCore
import QuorumZ3
import MultiPaxos

/// MultiPaxos-SMR, written once: its figures are TLC's, its symmetry is sound, its derived trace
/// and slot I/O read back every state, and each mutant is caught, by bmc at the explorer's length.
@Suite struct MultiPaxosTests {
    /// TLC on MultiPaxos_MC_small.cfg (replicas s1–s3, Writes {w1}, Reads {r1}, MaxBallot 2,
    /// SYMMETRY over the replicas, deadlock checked), from tlaplus/Examples' manifest: 343,796
    /// distinct states, 736,012 states found, depth 28.
    @Test(.enabled(if: isOptimized, "release builds only")) func symmetryCountsMatchTLCOnTheSmallModel() {
        var options = ExplorationOptions()
        options.symmetry = true
        options.checkDeadlock = true
        let result = Explorer(MultiPaxos(), options: options).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 343_796)
        #expect(result.statesGenerated == 736_012)
        #expect(result.diameter + 1 == 28)
    }

    /// The states reached first, breadth first, from the initial state.
    func reachable(_ model: MultiPaxos, upTo limit: Int) -> [MultiPaxosVariables] {
        var seen: Set<MultiPaxosVariables> = [], order: [MultiPaxosVariables] = [], queue = model.initialStates, next = 0
        while next < queue.count && order.count < limit {
            let s = queue[next]
            next += 1
            guard seen.insert(s).inserted else { continue }
            order.append(s)
            queue += model.enabledActions(in: s).map { model.apply($0, to: s) }
        }
        return order
    }

    /// Symmetry reduction is sound only if renaming the replicas commutes with every step: the
    /// successors of a renamed state are the renamed successors, and the invariants agree.
    @Test func renamingTheReplicasCommutesWithEveryStep() {
        let model = MultiPaxos()
        let invariants = model.invariants
        for s in reachable(model, upTo: isOptimized ? 400 : 60) {
            let successors = Set(model.enabledActions(in: s).map { model.apply($0, to: s) })
            for p in permutations(of: model.replicas) {
                let t = s.permuted(p)
                #expect(Set(model.enabledActions(in: t).map { model.apply($0, to: t) }) == Set(successors.map { $0.permuted(p) }))
                #expect(invariants.map { $0.holds(t) } == invariants.map { $0.holds(s) })
            }
        }
    }

    /// A successor is made from the step's few assignments (a set inserts the members named);
    /// it must be the state that the whole row of slots after the step reads back to.
    @Test func aStepsChangesMakeTheStateItsSlotsReadBackTo() {
        let model = MultiPaxos()
        let layout = model.layout
        var steps = 0
        for s in reachable(model, upTo: isOptimized ? 1_000 : 100) {
            for a in model.enabledActions(in: s) {
                var step = Step(StateTerms<Concrete, MultiPaxosVariables>(s, layout: layout))
                #expect(model.step(a, &step).value)
                #expect(model.apply(a, to: s) == layout.state(step.next, blank: model.blank), "\(a)")
                steps += 1
            }
        }
        #expect(steps > 0)
    }

    /// A message's `<` compares one packed key: it must order messages as their fields do, on
    /// the largest universe the parameters allow.
    @Test func messagesOrderAsTheirFields() {
        var p = MultiPaxos.Parameters()
        (p.replicas, p.writes, p.reads, p.maxBallot) = (5, 2, 1, 3)
        let all = MultiPaxosMessage.all(MultiPaxos(p).processNames)
        let byFields = all.sorted { ($0.kind.rawValue, $0.src, $0.bal, $0.slot, $0.cmd, $0.votes) < ($1.kind.rawValue, $1.src, $1.bal, $1.slot, $1.cmd, $1.votes) }
        #expect(all.count > 60_000)
        #expect(zip(byFields, byFields.dropFirst()).allSatisfy { $0 < $1 && !($1 < $0) })
    }

    /// The derived I/O: each state's slots are in their ranges and read back to it, and so do its
    /// trace values; a value outside its type is refused.
    @Test func slotsAndTracesReadBackToEveryState() throws {
        let model = MultiPaxos()
        let layout = model.layout
        for s in reachable(model, upTo: isOptimized ? 2_000 : 250) {
            let slots = layout.slots(of: s)
            #expect(zip(slots, layout.ranges).allSatisfy { $1.contains($0) })
            #expect(layout.state(slots, blank: model.blank) == s)
            #expect(model.state(fromTraceValues: model.traceValues(of: s)) == s)
        }
        var values = model.traceValues(of: model.blank)
        let k = try #require(model.traceVariables.firstIndex(of: "pending"))
        values[k] = .list([.string("r1"), .string("w1")])
        #expect(model.state(fromTraceValues: values) == nil, "pending out of InitPending's order")
        values[k] = .list([.string("w3")])
        #expect(model.state(fromTraceValues: values) == nil, "a command the model does not have")
    }

    /// Each mutant is caught, violating the property it names, in the fewest steps it can be
    /// (thousands of states: release only; CI's `check --all` catches them too).
    @Test(.enabled(if: isOptimized, "release builds only"), arguments: [(MultiPaxos.Mutation.acceptQuorumTooSmall, 10), (.noAcceptReply, 9), (.forgetEarlierVotes, 12)])
    func everyMutantIsCaught(_ mutation: MultiPaxos.Mutation, _ length: Int) throws {
        var options = ExplorationOptions()
        options.properties = [mutation.breaks]
        options.checkDeadlock = mutation.breaks == "Deadlock"
        let result = Explorer(MultiPaxos(mutation: mutation), options: options).run()
        let violation = try #require(result.violations.first)
        #expect(violation.property == mutation.breaks)
        #expect(violation.trace.length == length)
    }

    /// Termination holds under weak fairness of each replica's steps (no behaviour cycles before
    /// the end: ballots, votes and the message set only grow), and a replica that never answers
    /// an Accept leaves every leader waiting forever.
    @Test(.enabled(if: isOptimized, "release builds only"))
    func everyCommandCompletesUnlessAReplicaNeverAnswers() {
        var options = ExplorationOptions()
        options.properties = ["Termination"]
        var p = MultiPaxos.Parameters()
        p.reads = 0
        #expect(Checker(MultiPaxos(p), options: options).run().outcome == .ok)
        let broken = Checker(MultiPaxos(p, mutation: .noAcceptReply), options: options).run()
        #expect(broken.violations.map(\.property) == ["Termination"])
    }

    /// bmc's shortest violation of Linearizability is the explorer's (bmc unrolls the derived
    /// relation, about 600 slots a state, so this takes a minute: release only).
    @Test(.enabled(if: isOptimized, "release builds only"))
    func bmcFindsTheExplorersShortestViolation() throws {
        let model = MultiPaxos(mutation: .acceptQuorumTooSmall)
        var options = BMCOptions(maxDepth: 10)
        options.invariants = ["Linearizability"]
        let identity = ModelIdentity(spec: "MultiPaxos", variant: "acceptQuorumTooSmall", parameters: [])
        let report = try BoundedModelChecker(DerivedEncoding(model), model: identity).run(options)
        #expect(report.result == .violation)
        let document = try #require(report.counterexample)
        #expect(document.steps.count - 1 == 10)
        #expect(try model.replay(document).reproduced)
    }
}
