import Foundation
import Testing
@testable import QuorumCore
@testable import Raft

/// The explorer remembers the successors beyond the bounds that passed every invariant, so that
/// the same one reached from another parent is not checked again (``PassedBeyondBounds``).
@Suite struct PassedBeyondBoundsTests {
    @Test func aTableFindsWhatItHoldsAndForgetsWhatWasOverwritten() {
        let table = PassedBeyondBounds(slots: 16)
        let a: UInt64 = 0x1234_5678_9ABC_DEF0
        #expect(!table.contains(a))
        table.insert(a)
        #expect(table.contains(a) && !table.contains(a ^ 1))
        // Fingerprints with the same home bucket (the same high bits) share its four slots;
        // a fifth takes the slot its low bits name.
        let same = [a ^ 0xFF, a ^ 0xF0, a ^ 0x0F]
        for f in same { table.insert(f) }
        #expect(table.contains(a) && same.allSatisfy(table.contains))
        let fifth = a ^ 0x33
        table.insert(fifth)
        #expect(table.contains(fifth))
        #expect(([a] + same).filter(table.contains).count == 3)
        // Zero marks an empty slot: the fingerprint zero is stored as one.
        #expect(!table.contains(0))
        table.insert(0)
        #expect(table.contains(0))
    }

    /// Raft whose invariants count their evaluations.
    struct Counted: TransitionSystem {
        final class Count: @unchecked Sendable {
            let lock = NSLock()
            var evaluations = 0
            func add() { lock.withLock { evaluations += 1 } }
        }
        let base: Raft
        let count = Count()
        var initialStates: [RaftState] { base.initialStates }
        func enabledActions(in state: RaftState, into actions: inout [RaftAction]) { base.enabledActions(in: state, into: &actions) }
        func apply(_ action: RaftAction, to state: RaftState) -> RaftState { base.apply(action, to: state) }
        var invariants: [Invariant<RaftState>] {
            let count = count
            return base.invariants.map { invariant in
                Invariant(invariant.name, invariant.summary, footprint: invariant.footprint) { state in
                    count.add()
                    return invariant.holds(state)
                }
            }
        }
        var actionProperties: [ActionProperty<RaftState, RaftAction>] { base.actionProperties }
        func changedVariables(from before: RaftState, to after: RaftState) -> VariableSet { base.changedVariables(from: before, to: after) }
        func isWithinBounds(_ state: RaftState) -> Bool { base.isWithinBounds(state) }
        var traceVariables: [String] { base.traceVariables }
        func traceValues(of state: RaftState) -> [ITFValue] { base.traceValues(of: state) }
    }

    /// On the Raft reference model, most evaluations beyond the bounds are of states met before:
    /// remembering them saves more than half of all evaluations, and changes no figure.
    @Test(.enabled(if: isOptimized, "release builds only")) func rememberingSavesMostEvaluationsBeyondTheBounds() {
        var options = ExplorationOptions()
        options.workers = 1
        let raft = Raft(servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1)
        let remembering = Counted(base: raft), forgetting = Counted(base: raft)
        let with = Explorer(remembering, options: options).run()
        options.remembersPassedBeyondBounds = false
        let without = Explorer(forgetting, options: options).run()
        #expect(with.outcome == .ok && without.outcome == .ok)
        #expect(with.distinctStates == 617_361 && without.distinctStates == 617_361)
        #expect(with.statesGenerated == 7_680_091 && without.statesGenerated == 7_680_091)
        #expect(remembering.count.evaluations * 2 < forgetting.count.evaluations,
                "\(remembering.count.evaluations) evaluations remembering, \(forgetting.count.evaluations) without")
    }

    /// Every mutant's figures, properties found and shortest traces are the same with and
    /// without the tables, on two workers (two tables) and continuing past violations.
    @Test func rememberingChangesNoVerdictAndNoTrace() {
        var options = ExplorationOptions()
        options.continueAfterViolation = true
        options.workers = 2
        options.maxStates = isOptimized ? 300_000 : 20_000
        var violations = 0
        for mutation in [nil] + Raft.Mutation.allCases.map(Optional.some) {
            let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 1, mutation: mutation)
            let with = Explorer(raft, options: options).run()
            var forgetting = options
            forgetting.remembersPassedBeyondBounds = false
            let without = Explorer(raft, options: forgetting).run()
            #expect(with.distinctStates == without.distinctStates && with.statesGenerated == without.statesGenerated)
            #expect(with.violations.map(\.property) == without.violations.map(\.property), "\(String(describing: mutation))")
            for (a, b) in zip(with.violations, without.violations) {
                #expect(a.trace.steps.map(\.action) == b.trace.steps.map(\.action), "\(a.property)")
            }
            violations += with.violations.count
        }
        #expect(violations > 0)
    }
}
