import Foundation
import Testing
@testable import QuorumCore
@testable import Raft

@Suite struct GuidedSearchTests {
    func options(seed: UInt64, runs: Int, cells: [String]?, walk: Int = 20, property: String? = nil) -> SimulationOptions {
        var o = SimulationOptions()
        o.seed = seed
        o.runs = runs
        o.properties = property.map { [$0] }
        o.guidance = Guidance(cellVariables: cells, walk: walk)
        return o
    }

    /// The Raft paper's Figure 8: with commitPreviousTerm, a leader commits an entry of an earlier
    /// term by counting replicas, and a later leader overwrites it, so two servers commit different
    /// entries at index 1. It takes four elections (63 steps here); breadth-first search finds no
    /// violation within depth 28 and independent random runs find none either. The guided search
    /// finds it, and its trace is the one committed (and replayed by CI).
    @Test func findsTheRaftPapersFigure8() throws {
        guard isOptimized else { return }  // about 10 s optimised; CI's release stage runs it
        let raft = Raft(servers: 3, values: 1, maxTerm: 5, maxLogLength: 1, maxMessages: 1, mutation: .commitPreviousTerm)
        let result = Simulator(raft, options: options(seed: 6, runs: 100_000, cells: ["state", "log", "commitIndex"],
                                                      property: "StateMachineSafety")).run()
        let failure = try #require(result.failure)
        #expect(failure.property == "StateMachineSafety" && failure.run == 39_008)
        #expect(failure.shrunk.length == 63)
        var document = TraceDocument(failure.shrunk, of: raft, spec: "Raft", variant: "commitPreviousTerm",
                                     parameters: [("servers", 3), ("values", 1), ("maxTerm", 5), ("maxLogLength", 1), ("maxMessages", 1)],
                                     property: "StateMachineSafety", kind: .invariant)
        document.shortest = false
        let committed = try String(contentsOf: repositoryRoot.appendingPathComponent(
            "counterexamples/raft-commitPreviousTerm-StateMachineSafety-guided.itf.json"), encoding: .utf8)
        #expect(document.json.trimmingCharacters(in: .whitespacesAndNewlines) == committed.trimmingCharacters(in: .whitespacesAndNewlines))

        // Independent runs given as many steps find nothing.
        var random = SimulationOptions()
        (random.seed, random.depth, random.properties) = (6, 200, ["StateMachineSafety"])
        random.runs = result.steps / random.depth
        let runs = Simulator(raft, options: random).run()
        #expect(runs.failure == nil && runs.steps >= result.steps * 9 / 10)
    }

    /// The cells are the chosen variables' values: Raft's `state` alone has at most 3^3 of them;
    /// the search is one thread, so the seed and the walk count name its result.
    @Test func cellsAreTheChosenVariablesAndTheSeedNamesTheResult() {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 2)
        let o = options(seed: 3, runs: 200, cells: ["state"], walk: 15)
        let a = Simulator(raft, options: o).run(), b = Simulator(raft, options: o).run()
        let cells = a.cells ?? 0
        #expect((2...27).contains(cells))
        #expect(a.cells == b.cells && a.steps == b.steps && a.coverage == b.coverage && a.runs == 200)
        #expect(a.failure == nil)
        let finer = Simulator(raft, options: options(seed: 3, runs: 200, cells: nil, walk: 15)).run()
        #expect((finer.cells ?? 0) > cells)
        // A restart of a server in its initial state changes nothing: no walk takes such a step.
        #expect(a.coverage["Restart", default: 0] < a.steps / 2)
    }

    /// A failure found by a guided search is shrunk like a random run's and is a real behaviour:
    /// its steps replay from the initial state to the violation.
    @Test func aFailureIsShrunkAndReplays() throws {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 1, mutation: .commitPreviousTerm)
        let result = Simulator(raft, options: options(seed: 1, runs: 20_000, cells: ["state", "log", "commitIndex"],
                                                      property: "LeaderCommitsCurrentTerm")).run()
        let failure = try #require(result.failure)
        #expect(failure.property == "LeaderCommitsCurrentTerm" && failure.kind == .actionProperty)
        #expect(failure.shrunk.length <= failure.original.length)
        var state = failure.shrunk.initial
        for step in failure.shrunk.steps {
            #expect(raft.enabledActions(in: state).contains(step.action))
            state = raft.apply(step.action, to: state)
            #expect(state == step.state && raft.isWithinBounds(state))
        }
        let last = try #require(failure.shrunk.steps.last)
        let before = failure.shrunk.steps.count > 1 ? failure.shrunk.steps[failure.shrunk.steps.count - 2].state : failure.shrunk.initial
        let property = try #require(raft.actionProperties.first { $0.name == "LeaderCommitsCurrentTerm" })
        #expect(!property.holds(before, last.action, last.state))
    }

    /// On a counter whose states are each a cell, the search finds the forbidden value, and a
    /// system without initial states has nothing to walk (no trap).
    @Test func aSmallSystemIsSearchedAndAnEmptyOneIsNot() throws {
        let found = Simulator(Counter(), options: options(seed: 1, runs: 100, cells: nil, walk: 4)).run()
        let failure = try #require(found.failure)
        #expect(failure.property == "NotForbidden" && failure.shrunk.last.x == 7)
        let none = Simulator(Nowhere(), options: options(seed: 1, runs: 100, cells: nil)).run()
        #expect(none.failure == nil && none.runs == 0 && none.steps == 0 && none.cells == 0)
    }

    @Test func theCommandLineRefusesWhatAGuidedSearchCannotUse() throws {
        let unknown = try CLI.run(["simulate", "raft", "--guided", "--cell", "nope", "--runs", "1"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no variable 'nope'"))
        let unguided = try CLI.run(["simulate", "raft", "--walk", "5"])
        #expect(unguided.status == 2 && unguided.stderr.contains("--guided only"))
        let sharded = try CLI.run(["simulate", "raft", "--guided", "--shard", "0/2"])
        #expect(sharded.status == 2)
    }
}

/// A system with no initial state.
struct Nowhere: TransitionSystem {
    var initialStates: [Counter.State] { [] }
    func enabledActions(in s: Counter.State, into actions: inout [Counter.Step]) {}
    func apply(_ a: Counter.Step, to s: Counter.State) -> Counter.State { s }
    func isWithinBounds(_ s: Counter.State) -> Bool { true }
    var invariants: [Invariant<Counter.State>] { [] }
    var traceVariables: [String] { ["x"] }
    func traceValues(of s: Counter.State) -> [ITFValue] { [.int(s.x)] }
}
