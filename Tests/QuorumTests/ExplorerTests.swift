import Testing
import QuorumCore

@Suite struct ExplorerTests {
    @Test func findsAShortestTraceToAViolation() {
        let result = Explorer(Counter()).run()
        #expect(result.outcome == .violation)
        let violation = try! #require(result.violations.first)
        #expect(violation.property == "NotForbidden")
        // 0 → 1 → 2 → 3 → 6 → 7 is a shortest way to 7; 2 is first reached by incrementing, since
        // increment comes first among the enabled actions.
        #expect(violation.trace.states.map(\.x) == [0, 1, 2, 3, 6, 7])
        #expect(violation.trace.steps.map(\.action) == [.increment, .increment, .increment, .double, .increment])
    }

    @Test func countsWithTLCsMeaningsWhenNothingFails() {
        // States 0...10 are stored. Generated: the initial state plus two successors of each of the
        // 11 states, duplicates and out-of-bounds successors (11...20) included.
        let result = Explorer(Counter(forbidden: [])).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 11)
        #expect(result.statesGenerated == 1 + 2 * 11)
        // 10 is reached in 5 steps at the earliest (0 1 2 4 5 10), and nothing is farther.
        #expect(result.diameter == 5)
    }

    @Test func checksOutOfBoundsSuccessorsButDoesNotExploreThem() {
        // 12 lies beyond the bound (10) but is generated from 6 and 11 is from 10: both are checked.
        let result = Explorer(Counter(forbidden: [12])).run()
        #expect(result.outcome == .violation)
        #expect(result.violations.first?.trace.last.x == 12)
        // 24 is only reachable through states beyond the bound, so it is never seen.
        #expect(Explorer(Counter(forbidden: [24])).run().outcome == .ok)
    }

    @Test func continueReportsEveryViolatedPropertyWithItsOwnShortestTrace() {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        let result = Explorer(Counter(limit: 60, forbidden: [3, 40]), options: options).run()
        // Small fails on an out-of-bounds successor: doubling 50...60 gives 100...120.
        let names = result.violations.map(\.property)
        #expect(names == ["NotForbidden", "Small"])
        #expect(result.violations[0].trace.last.x == 3)
        #expect(result.violations[1].trace.last.x >= 100)
    }

    @Test func propertiesCanBeSelected() {
        var options = ExplorationOptions()
        options.properties = ["Small"]
        #expect(Explorer(Counter(), options: options).run().outcome == .ok)
    }

    @Test func reportsDeadlockOnlyWhenAsked() {
        var options = ExplorationOptions()
        options.properties = ["Small"]
        #expect(Explorer(Counter(stuckAt: 5), options: options).run().outcome == .ok)
        options.checkDeadlock = true
        options.properties = nil
        let result = Explorer(Counter(forbidden: [], stuckAt: 5), options: options).run()
        #expect(result.violations.map(\.property) == ["Deadlock"])
        #expect(result.violations.first?.trace.last.x == 5)
    }

    @Test func stopsIncompleteAtTheStateLimit() {
        var options = ExplorationOptions()
        options.maxStates = 100
        options.properties = ["NotForbidden"]
        let result = Explorer(Counter(limit: 1_000_000, forbidden: []), options: options).run()
        guard case .incomplete = result.outcome else {
            Issue.record("expected an incomplete result, got \(result.outcome)")
            return
        }
        #expect(result.distinctStates < 1_000_000)
    }

    @Test func fingerprintsAreStableAndSpreadOut() {
        var f = Fingerprinter()
        f.combine(1)
        f.combine(2)
        var g = Fingerprinter()
        g.combine(2)
        g.combine(1)
        #expect(f.value != g.value)
        var set = FingerprintSet(capacity: 4)
        for x in 0..<10_000 {
            var h = Fingerprinter()
            h.combine(x)
            let inserted = set.insert(h.value)
            #expect(inserted)
        }
        #expect(set.count == 10_000)
        var h = Fingerprinter()
        h.combine(42)
        #expect(set.contains(h.value))
        let again = set.insert(h.value)
        #expect(!again)
    }

    /// Trace links are stored as variable-length differences with a checkpoint every 1,024
    /// states: a trace through a parent thousands of states in, reached by a large action index,
    /// must come back exactly.
    @Test(arguments: [1, 2])
    func tracesComeBackThroughCompactLinks(_ workers: Int) throws {
        var options = ExplorationOptions()
        options.workers = workers
        let result = Explorer(WideTree(), options: options).run()
        #expect(result.outcome == .violation)
        // The root, its 5,000 children and all 25 grandchildren: the last batch of parents completes.
        #expect(result.distinctStates == 5_026)
        let trace = try #require(result.violations.first?.trace)
        #expect(trace.states.map(\.x) == [0, 4_200, 9_200])
        #expect(trace.steps.map(\.action.index) == [4_199, 0])
        #expect(result.bytesPerState < 200)
    }

    @Test(arguments: [1, 2, 3])
    func resultsDoNotDependOnTheNumberOfWorkers(_ workers: Int) throws {
        var options = ExplorationOptions()
        options.workers = 1
        options.continueAfterViolation = true
        let system = Counter(limit: 5_000, forbidden: [777, 4_321])
        let reference = Explorer(system, options: options).run()
        options.workers = workers
        let result = Explorer(system, options: options).run()
        #expect(result.distinctStates == reference.distinctStates)
        #expect(result.statesGenerated == reference.statesGenerated)
        #expect(result.diameter == reference.diameter)
        #expect(result.violations.map(\.property) == reference.violations.map(\.property))
        #expect(result.violations.map { $0.trace.states.map(\.x) } == reference.violations.map { $0.trace.states.map(\.x) })
    }

    /// The counter with `Small` and an invariant that strengthens it, whose whole predicate is
    /// deliberately `true`, so that a run shows which evaluation the explorer used.
    struct Strengthened: TransitionSystem {
        let base = Counter(limit: 200, forbidden: [])
        let beyond: @Sendable (Int) -> Bool
        var invariants: [Invariant<Counter.State>] {
            let small = base.invariants.first { $0.name == "Small" }!
            return [small, Invariant("Stronger", "Small, and what beyond says", strengthens: ("Small", { [beyond] s, _ in beyond(s.x) })) { _ in true }]
        }
        var initialStates: [Counter.State] { base.initialStates }
        func enabledActions(in s: Counter.State, into actions: inout [Counter.Step]) { base.enabledActions(in: s, into: &actions) }
        func apply(_ a: Counter.Step, to s: Counter.State) -> Counter.State { base.apply(a, to: s) }
        func isWithinBounds(_ s: Counter.State) -> Bool { base.isWithinBounds(s) }
        var traceVariables: [String] { base.traceVariables }
        func traceValues(of s: Counter.State) -> [ITFValue] { base.traceValues(of: s) }
    }

    /// Where the explorer has the weaker invariant's verdict on a state, the stronger one's is
    /// that verdict and its own conjuncts' (``Invariant/strengthens``); without the weaker one it
    /// evaluates the whole.
    @Test func aStrongerInvariantChecksOnlyWhatItAdds() {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        func last(_ r: ExplorationResult<Strengthened>) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: r.violations.map { ($0.property, $0.trace.states.last!.x) })
        }
        // Its own conjunct fails at 7.
        let own = last(Explorer(Strengthened { $0 != 7 }, options: options).run())
        #expect(own.count == 2 && own["Stronger"] == 7 && own["Small"]! >= 100)
        // Small fails (first at 128: 1, 2, 4, ... doubling), and so does what strengthens it, there.
        let weaker = last(Explorer(Strengthened { _ in true }, options: options).run())
        #expect(weaker.count == 2 && weaker["Small"]! >= 100 && weaker["Stronger"] == weaker["Small"])
        // Alone, it is evaluated whole.
        options.properties = ["Stronger"]
        #expect(Explorer(Strengthened { $0 != 7 }, options: options).run().violations.isEmpty)
    }
}
