import Testing
import QuorumCore
import Raft

/// Raft's description (``RaftDescription``) against the packed functions the explorer runs: the
/// same actions in the same order, the same successors (those past the bounds included) and the
/// same trace values on every state compared, each state read back from its trace values.
@Suite struct RaftDescriptionTests {
    /// Each model with the states compared breadth first: all reachable ones (no symmetry) where
    /// `exhausted`, else the first `states`. Two servers keep the exhaustive runs short (the
    /// description is interpreted slot by slot); three servers and a bag of two copies are
    /// compared on a prefix.
    static let models: [(Raft, states: Int, exhausted: Bool)] = [
        (Raft(servers: 2, maxTerm: 2, maxLogLength: 1, maxMessages: 1), 1_645, true),
        (Raft(servers: 2, values: 2, maxTerm: 2, maxLogLength: 2, maxMessages: 1), 5_133, true),
        (Raft(servers: 3, maxTerm: 2, maxLogLength: 0, maxMessages: 0), 27, true),
        (Raft(servers: 3, maxTerm: 2, maxLogLength: 1, maxMessages: 1), 3_000, false),
        (Raft(servers: 2, maxTerm: 2, maxLogLength: 1, maxMessages: 2), 3_000, false),
        (Raft(servers: 2, maxTerm: 2, maxLogLength: 1, maxMessages: 1, mutation: .voteWithoutLogCheck), 1_645, true),
        (Raft(servers: 2, maxTerm: 2, maxLogLength: 2, maxMessages: 1, mutation: .commitPreviousTerm), 2_431, true),
        (Raft(servers: 2, maxTerm: 2, maxLogLength: 0, maxMessages: 1, mutation: .forgetVoteOnRestart), 1_657, true),
        (Raft(servers: 2, values: 2, maxTerm: 2, maxLogLength: 2, maxMessages: 1, mutation: .keepConflictingEntries), 5_133, true),
    ]

    @Test(arguments: models.indices)
    func thePackedFunctionsAreTheDescriptions(_ k: Int) {
        let (model, states, exhausted) = Self.models[k]
        let result = compare(model, with: RaftDescription(model), limit: exhausted ? 100_000 : states, every: 11,
                             described: RaftVariables.init) { $1.action(in: $0) }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.count): \(result.disagreements.prefix(2))")
        #expect(result.exhausted == exhausted)
        #expect(result.states == states)
    }

    /// Every mutant, those added later included, is compared at one model of two servers, two
    /// values and logs of two entries, exhaustively: a mutant written in the packed functions and
    /// not in the description (or the other way round) fails here where its mutation changes a step.
    @Test(arguments: Raft.Mutation.allCases)
    func everyMutantIsItsDescription(_ mutation: Raft.Mutation) {
        let model = Raft(servers: 2, values: 2, maxTerm: 2, maxLogLength: 2, maxMessages: 1, mutation: mutation)
        let result = compare(model, with: RaftDescription(model), limit: 100_000, every: 50, described: RaftVariables.init) {
            $1.action(in: $0)
        }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.count): \(result.disagreements.prefix(2))")
        #expect(result.exhausted)
    }

    /// The description's invariants and step properties read the state through
    /// ``RaftVariablesView`` (a cluster's logs are too long to read slot by slot): on every
    /// reachable state and step of two models, one a mutant whose steps break
    /// LeaderCommitsCurrentTerm, they
    /// agree with the same formulas read through the slots (what the symbolic engines read) and
    /// with the packed view (what the explorer reads).
    @Test(arguments: [nil, Raft.Mutation.commitPreviousTerm])
    func theVariablesViewReadsAsTheSlotsDo(_ mutation: Raft.Mutation?) {
        let model = Raft(servers: 2, values: 2, maxTerm: 3, maxLogLength: 2, maxMessages: 1, mutation: mutation)
        let description = RaftDescription(model)
        let layout = SlotLayout<RaftVariables>.shared(description.processNames)
        let packed = Dictionary(uniqueKeysWithValues: model.invariants.map { ($0.name, $0) })
        var seen = Set(model.initialStates), queue = model.initialStates
        var (states, steps, violations, disagreements) = (0, 0, 0, [String]())
        while let s = queue.popLast() {
            states += 1
            let v = RaftVariables(s)
            let slots = description.properties(of: StateTerms<Concrete, RaftVariables>(v, layout: layout))
            for (invariant, slot) in zip(description.invariants, slots) {
                let held = invariant.holds(v, without: [])
                if !held { violations += 1 }
                if invariant.name != slot.name || held != slot.formula.value || held != packed[invariant.name]?.holds(s, without: []) {
                    disagreements.append("\(invariant.name) on \(v)")
                }
            }
            for action in model.enabledActions(in: s) {
                let next = model.apply(action, to: s)
                // The spec's bounds, read wordwise, are the description's.
                if model.isWithinBounds(next) != description.isWithinBounds(RaftVariables(next)) {
                    disagreements.append("bounds after \(action)")
                }
                guard model.isWithinBounds(next) else { continue }
                steps += 1
                for (step, property) in zip(description.actionProperties, model.actionProperties) {
                    let instance = RaftInstance.server(action)
                    let held = step.holds(v, instance, RaftVariables(next), changed: ~0)
                    if !held { violations += 1 }
                    if held != property.holds(s, action, next, changed: ~0) {
                        disagreements.append("\(step.name) on \(action)")
                    }
                }
                if seen.insert(next).inserted { queue.append(next) }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count): \(disagreements.prefix(2))")
        #expect(states == seen.count && states > 10_000 && steps > states)
        #expect((violations > 0) == (mutation != nil), "\(violations) violations")
    }

    /// What validation and a cluster's nodes ask for, the enabled actions that pass a filter
    /// (tested before each candidate's step is evaluated), is the full list filtered, in the same
    /// order, on every reachable state; and a step recorded as traces name it keeps its name
    /// (the filter goes by name).
    @Test func theFilteredActionsAreTheEnabledOnesFiltered() {
        let model = Raft(servers: 2, values: 1, maxTerm: 2, maxLogLength: 1, maxMessages: 2)
        let description = RaftDescription(model)
        var seen = Set(description.initialStates), queue = description.initialStates
        let filters: [(RaftInstance) -> Bool] = [{ $0.process == 0 }, { $0.name == "Receive" }, { $0.process == nil }]
        var (states, mismatches) = (0, [String]())
        while let s = queue.popLast() {
            states += 1
            let all = description.enabledActions(in: s)
            for (k, include) in filters.enumerated() {
                var some: [RaftInstance] = []
                description.enabledActions(in: s, into: &some, where: include)
                if some != all.filter(include) { mismatches.append("filter \(k) on \(s)") }
            }
            for action in all {
                if description.recorded(action, from: s).name != action.name { mismatches.append("\(action) recorded") }
                let next = description.apply(action, to: s)
                if description.isWithinBounds(next) && seen.insert(next).inserted { queue.append(next) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count): \(mismatches.prefix(2))")
        #expect(states == seen.count && states == 22_231, "\(states)")   // quorum check's distinct states
    }

    /// The comparison tells a mutant from the correct description: each mutant's packed functions
    /// disagree with the correct protocol's description somewhere in the reachable states. (Two
    /// servers never hold conflicting entries, so `keepConflictingEntries` is shown on one state.)
    @Test(arguments: [Raft.Mutation.voteWithoutLogCheck, .forgetVoteOnRestart, .commitPreviousTerm])
    func theComparisonSeesEachMutation(_ mutation: Raft.Mutation) {
        let model = Raft(servers: 2, maxTerm: 3, maxLogLength: 1, maxMessages: 1, mutation: mutation)
        let correct = RaftDescription(Raft(servers: 2, maxTerm: 3, maxLogLength: 1, maxMessages: 1))
        let result = compare(model, with: correct, limit: 100_000, every: 1_000_000, described: RaftVariables.init) { $1.action(in: $0) }
        #expect(!result.disagreements.isEmpty)
    }

    /// A follower whose entry conflicts with a request's removes it; the mutant acknowledges the
    /// request instead, and the comparison sees the difference.
    @Test func theComparisonSeesAKeptConflict() {
        var s = RaftState(servers: 2)
        s.currentTerm[0] = 3
        s.currentTerm[1] = 3
        var log = s.log[0]
        log.append(Entry(term: 2, value: 0))
        s.log[0] = log
        s.messages.add(.appendEntriesRequest(term: 3, prevLogIndex: 0, prevLogTerm: 0, entry: Entry(term: 3, value: 0),
                                             commitIndex: 0, source: 1, dest: 0))
        let bounds = (servers: 2, maxTerm: 3, maxLogLength: 1, maxMessages: 1)
        let mutant = Raft(servers: bounds.servers, maxTerm: bounds.maxTerm, maxLogLength: bounds.maxLogLength,
                          maxMessages: bounds.maxMessages, mutation: .keepConflictingEntries)
        let correct = Raft(servers: bounds.servers, maxTerm: bounds.maxTerm, maxLogLength: bounds.maxLogLength, maxMessages: bounds.maxMessages)
        let v = RaftVariables(s)
        var actions: [RaftInstance] = []
        RaftDescription(correct).derivedEnabledActions(in: v, into: &actions)
        let receives = actions.filter { $0.name == "Receive" }
        #expect(receives.count == 1)
        guard let receive = receives.first else { return }
        #expect(RaftVariables(correct.apply(receive.action(in: v), to: s)) == RaftDescription(correct).derivedApply(receive, to: v))
        #expect(RaftVariables(mutant.apply(receive.action(in: v), to: s)) != RaftDescription(correct).derivedApply(receive, to: v))
        // The mutant's description takes another disjunct of the handler, to the mutant's successor.
        var mutantActions: [RaftInstance] = []
        RaftDescription(mutant).derivedEnabledActions(in: v, into: &mutantActions)
        let acknowledged = mutantActions.filter { $0.name == "Receive" }
        #expect(acknowledged.count == 1 && acknowledged != receives)
        #expect(acknowledged.map { RaftVariables(mutant.apply($0.action(in: v), to: s)) }
                    == acknowledged.map { RaftDescription(mutant).derivedApply($0, to: v) })
    }
}
